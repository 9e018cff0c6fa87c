"""Reading cases: one case with what belongs to it, or a page of them, within reach."""

from __future__ import annotations

import uuid
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime

from piccolo.columns.combination import Combinable

from models import audit, clock, hooks, sealing
from models.cases import rules
from models.cases.personal import open_person
from models.cases.reach import PERSON_FIELDS_SEEN_BY, Role, roles_of, within_reach
from models.cases.tables import BudgetLine, Case, CaseRow, Person, ReflectionExtension
from models.database import Row, row_lock
from models.errors import NotFound
from models.organisations import Caller


@dataclass
class CaseRecord:
    """A case as one caller sees it: its row, its person, its history, and the caller's roles."""

    case: CaseRow
    roles: frozenset[Role]
    person: Row | None = None
    extensions: list[Row] = field(default_factory=list)
    budget: list[Row] = field(default_factory=list)
    #: Months of support with at least one report (given by follow-up, through the hook
    #: ``case_records_read``).
    months_reported: set[int] = field(default_factory=set)

    @property
    def support_ended(self) -> bool:
        ends = self.case["support_ends_on"]
        return ends is not None and ends <= clock.today()

    @property
    def months_without_report(self) -> list[int]:
        return [m for m in rules.MONTHS_OF_SUPPORT if m not in self.months_reported]

    @property
    def id(self) -> uuid.UUID:
        return self.case["id"]


#: Every request on a case runs this: one fixed statement, without the query builder's cost.
_CASE_BY_ID = f"SELECT * FROM {Case._meta.tablename} WHERE id = {{}}"  # noqa: S608 - table name


async def case_row(case_id: uuid.UUID, *, lock: bool = False) -> CaseRow | None:
    rows = await Case.raw(_CASE_BY_ID + (row_lock() if lock else ""), case_id)
    return sealing.open_row(Case, rows[0]) if rows else None


async def reachable_case(
    caller: Caller, case_id: uuid.UUID, *, lock: bool = False
) -> tuple[CaseRow, frozenset[Role]]:
    """The case's row and the caller's roles on it; "not found" outside reach."""
    row = await case_row(case_id, lock=lock)
    roles = roles_of(caller, row) if row else frozenset()
    if not roles:
        raise NotFound("no such case")
    return row, roles


async def complete(rows: list[CaseRow], caller: Caller) -> list[CaseRecord]:
    """Attach persons, reflection history, budgets and (through follow-up) the months
    reported to case rows, in four queries."""
    if not rows:
        return []
    ids = [row["id"] for row in rows]
    persons = {
        p["case"]: open_person(p) for p in await Person.select().where(Person.case.is_in(ids))
    }
    extensions: dict[uuid.UUID, list[Row]] = defaultdict(list)
    for extension in (
        await ReflectionExtension.select()
        .where(ReflectionExtension.case.is_in(ids))
        .order_by(ReflectionExtension.added_at)
    ):
        extensions[extension["case"]].append(sealing.open_row(ReflectionExtension, extension))
    budgets: dict[uuid.UUID, list[Row]] = defaultdict(list)
    for line in await BudgetLine.select().where(BudgetLine.case.is_in(ids)):
        budgets[line["case"]].append(line)
    records = [
        CaseRecord(
            case=row,
            roles=roles_of(caller, row),
            person=persons.get(row["id"]),
            extensions=extensions[row["id"]],
            budget=budgets[row["id"]],
        )
        for row in rows
    ]
    await hooks.case_records_read(records)
    return records


def sees_person(record: CaseRecord) -> bool:
    return any(PERSON_FIELDS_SEEN_BY[role] for role in record.roles)


def persons_read(records: list[CaseRecord]) -> list[uuid.UUID]:
    """The cases whose person the caller read with these records."""
    return [r.id for r in records if sees_person(r)]


async def audit_reads(caller: Caller, records: list[CaseRecord]) -> None:
    """Every read of a person's data leaves an entry in the audit trail."""
    await audit.record(caller, "case.read", persons_read(records))


async def get_case(*, caller: Caller, case_id: uuid.UUID) -> CaseRecord:
    row, _ = await reachable_case(caller, case_id)
    (record,) = await complete([row], caller)
    await audit_reads(caller, [record])
    return record


@dataclass(frozen=True)
class CaseFilter:
    status: str | None = None
    origin_country: str | None = None
    updated_since: datetime | None = None
    #: Only cases whose six months of support have ended (``CaseRecord.support_ended``).
    support_ended: bool = False
    #: Part of the reference, in any case of letters ("2026-004" finds DK-2026-0042).
    reference: str | None = None
    #: A further condition on ``Case`` from an upper layer (follow-up's months overdue).
    narrowed_by: Combinable | None = None


async def list_cases(
    *,
    caller: Caller,
    filters: CaseFilter,
    after: tuple[datetime, uuid.UUID] | None,
    limit: int,
) -> list[CaseRecord]:
    """A page of cases within reach, oldest first; ``after`` is the last (created_at, id) seen.

    Filters narrow the reach, never widen it."""
    query = Case.select().where(within_reach(caller))
    if filters.status is not None:
        query = query.where(Case.status == filters.status)
    if filters.origin_country is not None:
        query = query.where(Case.origin_country == filters.origin_country)
    if filters.updated_since is not None:
        query = query.where(Case.updated_at >= filters.updated_since)
    if filters.support_ended:
        query = query.where(Case.support_ends_on <= clock.today())
    if filters.reference:
        # LIKE's wildcards in the search are taken as the characters they are not.
        wanted = "".join(c for c in filters.reference.upper() if c not in "%_")
        query = query.where(Case.reference.like(f"%{wanted}%"))
    if filters.narrowed_by is not None:
        query = query.where(filters.narrowed_by)
    if after is not None:
        created_at, case_id = after
        query = query.where(
            (Case.created_at > created_at) | ((Case.created_at == created_at) & (Case.id > case_id))
        )
    rows = await query.order_by(Case.created_at, Case.id).limit(limit)
    records = await complete([sealing.open_row(Case, row) for row in rows], caller)
    await audit_reads(caller, records)
    return records
