"""The life of a case: opening it, and each transition of the plan.

Every function checks, in this order: reach (404), role (403), state (409), then the
plan's rules and dates (422). Repeating a transition with the same data changes nothing.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import datetime

from msgspec import UNSET

from models import audit, changes, clock, database, hooks, outbox, sealing
from models.cases import rules
from models.cases.commands import (
    Arrival,
    BudgetLineIn,
    Cancellation,
    CaseCreate,
    CaseEdit,
    Closure,
    Departure,
    PlanAgreement,
    ReflectionExtensionCreate,
)
from models.cases.money import is_currency, to_hundredths
from models.cases.personal import open_person
from models.cases.reach import MAY, require
from models.cases.records import CaseRecord, case_row, complete, reachable_case
from models.cases.tables import (
    BudgetLine,
    Case,
    CaseRow,
    ConsentChange,
    Outcome,
    Person,
    ReferenceCounter,
    ReflectionExtension,
    ResidenceStatus,
    Status,
)
from models.database import Row
from models.errors import Conflict, Forbidden, RuleViolation
from models.organisations import Caller, Organisation, OrganisationKind, is_country

#: Which kind of organisation assesses (and so opens) a case of each residence status.
OPENED_BY: dict[ResidenceStatus, OrganisationKind] = {
    ResidenceStatus.asylum_seeker: OrganisationKind.authority,
    ResidenceStatus.no_legal_residence: OrganisationKind.authority,
    ResidenceStatus.legal_residence: OrganisationKind.centre,
}

REFERENCE_PREFIX = "DK"

#: The states each transition starts from (repeating one already made is answered apart).
STARTS_FROM: dict[str, frozenset[Status]] = {
    "extend_reflection": frozenset({Status.reflection, Status.planned}),
    "agree_plan": frozenset({Status.reflection}),
    "record_departure": frozenset({Status.planned}),
    "record_arrival": frozenset({Status.departed}),
    "close": frozenset({Status.reintegration}),
    "cancel": frozenset({Status.reflection, Status.planned}),
}


def may(action: str, record: CaseRecord, caller: Caller) -> bool:
    """Whether ``caller`` may now start ``action`` on the case (a transition, or
    ``legal_hold``): the same role, state and period rules the functions below enforce,
    for pages that offer only what would be accepted."""
    if not record.roles & MAY[action if action in MAY else "edit"]:
        return False
    if action == "legal_hold":
        return caller.kind is OrganisationKind.authority
    if record.case["status"] not in STARTS_FROM[action]:
        return False
    if action == "extend_reflection":
        return rules.reflection_days_left(record.case) > 0
    return True


async def _record(row: CaseRow, caller: Caller) -> CaseRecord:
    (record,) = await complete([row], caller)
    return record


async def _next_reference(year: int) -> str:
    """Numbers are handed out by an atomic upsert, so concurrent openings never collide."""
    table = ReferenceCounter._meta.tablename
    rows = await ReferenceCounter.raw(
        f"INSERT INTO {table} (year, last_number) VALUES ({{}}, 1) "  # noqa: S608 - table name is ours
        f"ON CONFLICT (year) DO UPDATE SET last_number = {table}.last_number + 1 "
        "RETURNING last_number",
        year,
    )
    return f"{REFERENCE_PREFIX}-{year}-{rows[0]['last_number']:04d}"


async def _check_organisation(
    field: str, organisation_id: uuid.UUID | None, kind: OrganisationKind
) -> list[tuple[str, str]]:
    if organisation_id is None:
        return []
    found = (
        await Organisation.select(Organisation.kind)
        .where(Organisation.id == organisation_id)
        .first()
    )
    if found is None or found["kind"] != kind:
        return [(field, f"must be the id of an organisation of kind {kind.value}")]
    return []


def _country_errors(**codes: str | None) -> list[tuple[str, str]]:
    return [
        (field, "must be an ISO 3166-1 alpha-2 country code")
        for field, code in codes.items()
        if code is not None and not is_country(code)
    ]


async def open_case(*, caller: Caller, data: CaseCreate) -> CaseRecord:
    if OPENED_BY[data.residence_status] is not caller.kind:
        raise Forbidden(
            f"a case of residence status {data.residence_status.value} is opened by an "
            f"organisation of kind {OPENED_BY[data.residence_status].value}"
        )
    if data.dublin_case:
        raise RuleViolation.on(
            "dublin_case",
            "Dublin cases are transferred to the responsible member state, not offered prepared return",
        )
    errors = _country_errors(
        origin_country=data.origin_country, **{"person.nationality": data.person.nationality}
    )
    errors += await _check_organisation(
        "return_org_id", data.return_org_id, OrganisationKind.return_org
    )
    errors += await _check_organisation(
        "partner_org_id", data.partner_org_id, OrganisationKind.partner
    )
    if len(set(data.exploitation)) != len(data.exploitation):
        errors.append(("exploitation", "must not repeat a form"))
    dates = (
        rules.DateChecks()
        .not_in_future("person.date_of_birth", data.person.date_of_birth)
        .not_in_future("identified_on", data.identified_on)
        .not_in_future("reflection_period_start", data.reflection_period_start)
        .not_before(
            "identified_on", data.identified_on, data.person.date_of_birth, "the date of birth"
        )
    )
    dates.errors[:0] = errors
    dates.check()

    now = clock.now()
    case_id = uuid.uuid4()
    async with database.transaction():
        case = Case(
            id=case_id,
            reference=await _next_reference(now.year),
            status=Status.reflection,
            residence_status=data.residence_status,
            origin_country=data.origin_country,
            exploitation=",".join(sorted(data.exploitation)),
            identified_on=data.identified_on,
            reflection_period_start=data.reflection_period_start,
            reflection_period_end=rules.reflection_period_end(
                data.reflection_period_start, rules.REFLECTION_DAYS
            ),
            opened_by_org=caller.organisation_id,
            opened_by=caller.user_id,
            return_org=data.return_org_id,
            partner_org=data.partner_org_id,
            consent_data_sharing=data.consent.data_sharing,
            consent_story_use=data.consent.story_use,
            created_at=now,
            updated_at=now,
            change_seq=await changes.next_number(),
        )
        await case.save()
        person = data.person
        representative = data.representative
        person_id = uuid.uuid4()
        await Person(
            id=person_id,
            case=case_id,
            **sealing.seal(
                Person,
                {
                    "given_name": person.given_name,
                    "family_name": person.family_name,
                    "date_of_birth": person.date_of_birth,
                    "sex": person.sex,
                    "nationality": person.nationality,
                    "phone": person.phone,
                    "representative_name": representative.name if representative else None,
                    "representative_role": representative.role if representative else None,
                },
                row_id=person_id,
                case_id=case_id,
            ),
        ).save()
        await _record_consent(
            case_id,
            caller,
            now,
            data_sharing=data.consent.data_sharing,
            story_use=data.consent.story_use,
        )
        await audit.record(caller, "case.opened", [case_id])
        await outbox.emit(
            "case.opened",
            case_id=case_id,
            case_reference=case.reference,
            data={"origin_country": data.origin_country, "status": Status.reflection},
        )
        return await _record(await case_row(case_id), caller)


async def _record_consent(case_id: uuid.UUID, caller: Caller, at: datetime, **given: bool) -> None:
    await ConsentChange.insert(
        *(
            ConsentChange(
                id=uuid.uuid4(),
                case=case_id,
                consent=consent,
                given=value,
                changed_at=at,
                changed_by=caller.user_id,
            )
            for consent, value in given.items()
        )
    )


async def _update(case_id: uuid.UUID, **values: object) -> None:
    """Update the case's fields by name, sealing the personal ones."""
    values = sealing.seal(
        Case,
        {**values, "updated_at": clock.now(), "change_seq": await changes.next_number()},
        row_id=case_id,
    )
    await Case.update({Case._meta.get_column_by_name(k): v for k, v in values.items()}).where(
        Case.id == case_id
    )


async def _update_person(case_id: uuid.UUID, **values: object) -> None:
    person = await Person.select(Person.id).where(Person.case == case_id).first()
    values = sealing.seal(Person, values, row_id=person["id"], case_id=case_id)
    await Person.update({Person._meta.get_column_by_name(k): v for k, v in values.items()}).where(
        Person.id == person["id"]
    )


async def _transition(
    *,
    caller: Caller,
    case_id: uuid.UUID,
    action: str,
    apply: Callable[[CaseRow], object],
) -> CaseRecord:
    """Lock the case, check reach and role, then let ``apply`` check state and rules and
    write; a transition that changed the case raises its event in the same transaction."""
    async with database.transaction():
        before, roles = await reachable_case(caller, case_id, lock=True)
        require(action, roles)
        await apply(before)
        await audit.record(caller, f"case.{action}", [case_id])
        after, _ = await reachable_case(caller, case_id)
        if after["change_seq"] != before["change_seq"] and action in EVENT_OF:
            event, facts = EVENT_OF[action]
            await outbox.emit(
                event,
                case_id=case_id,
                case_reference=after["reference"],
                data={fact: after[fact] for fact in facts},
            )
        return await _record(after, caller)


#: The event each transition raises, and the facts of the case it carries.
EVENT_OF: dict[str, tuple[str, tuple[str, ...]]] = {
    "agree_plan": ("case.planned", ("plan_agreed_on",)),
    "record_departure": ("case.departed", ("departed_on",)),
    "record_arrival": ("case.arrived", ("arrived_on", "support_ends_on")),
    "close": ("case.closed", ("status", "outcome", "closed_on")),
}


def _conflict(row: CaseRow, wanted: str) -> Conflict:
    return Conflict(f"the case is {row['status']}; this needs a case that is {wanted}")


async def extend_reflection(
    *, caller: Caller, case_id: uuid.UUID, data: ReflectionExtensionCreate
) -> CaseRecord:
    async def apply(row: CaseRow) -> None:
        latest = (
            await ReflectionExtension.select(
                ReflectionExtension.id,
                ReflectionExtension.case,
                ReflectionExtension.days,
                ReflectionExtension.reason,
            )
            .where(ReflectionExtension.case == case_id)
            .order_by(ReflectionExtension.added_at, ascending=False)
            .first()
        )
        opened = sealing.open_row(ReflectionExtension, latest) if latest else None
        if opened and (opened["days"], opened["reason"]) == (data.days, data.reason):
            return  # the same extension sent again
        if row["status"] not in STARTS_FROM["extend_reflection"]:
            raise _conflict(row, "before departure")
        total = (row["reflection_period_end"] - row["reflection_period_start"]).days + data.days
        if data.days > rules.reflection_days_left(row):
            raise RuleViolation.on(
                "days",
                f"the whole reflection period may be at most {rules.REFLECTION_DAYS_AT_MOST} days",
            )
        extension_id = uuid.uuid4()
        await ReflectionExtension(
            id=extension_id,
            case=case_id,
            days=data.days,
            **sealing.seal(
                ReflectionExtension,
                {"reason": data.reason},
                row_id=extension_id,
                case_id=case_id,
            ),
            added_at=clock.now(),
            added_by=caller.user_id,
        ).save()
        await _update(
            case_id,
            reflection_period_end=rules.reflection_period_end(
                row["reflection_period_start"], total
            ),
        )

    return await _transition(
        caller=caller, case_id=case_id, action="extend_reflection", apply=apply
    )


def _budget_key(lines: list[BudgetLineIn] | list[Row]) -> list[tuple[str, int, str]]:
    return sorted(
        (line.category, to_hundredths(line.amount), line.currency)
        if isinstance(line, BudgetLineIn)
        else (line["category"], line["amount_hundredths"], line["currency"])
        for line in lines
    )


async def agree_plan(*, caller: Caller, case_id: uuid.UUID, data: PlanAgreement) -> CaseRecord:
    async def apply(row: CaseRow) -> None:
        if row["status"] not in STARTS_FROM["agree_plan"]:
            stored = await BudgetLine.select().where(BudgetLine.case == case_id)
            same = (
                row["plan_agreed_on"] == data.agreed_on
                and row["plan_goals"] == data.goals
                and _budget_key(stored) == _budget_key(data.budget)
            )
            if same:
                return
            raise _conflict(row, "in reflection (a plan is already agreed)")
        errors = [
            (f"budget[{n}].currency", "must be an ISO 4217 currency code")
            for n, line in enumerate(data.budget)
            if not is_currency(line.currency)
        ] + [
            (f"budget[{n}].amount", "must be more than 0")
            for n, line in enumerate(data.budget)
            if to_hundredths(line.amount) <= 0
        ]
        person = open_person(
            await Person.select(
                Person.id, Person.case, Person.date_of_birth, Person.representative_name
            )
            .where(Person.case == case_id)
            .first(),
        )
        if (
            rules.is_minor(person["date_of_birth"], data.agreed_on)
            and not person["representative_name"]
        ):
            errors.append(
                (
                    "representative",
                    "a person under 18 on agreed_on needs a custodian or personal representative",
                )
            )
        dates = (
            rules.DateChecks()
            .not_in_future("agreed_on", data.agreed_on)
            .not_before("agreed_on", data.agreed_on, row["identified_on"], "identified_on")
        )
        dates.errors[:0] = errors
        dates.check()
        if data.budget:
            await BudgetLine.insert(
                *(
                    BudgetLine(
                        id=uuid.uuid4(),
                        case=case_id,
                        category=line.category,
                        amount_hundredths=to_hundredths(line.amount),
                        currency=line.currency,
                    )
                    for line in data.budget
                )
            )
        await _update(
            case_id, status=Status.planned, plan_agreed_on=data.agreed_on, plan_goals=data.goals
        )

    return await _transition(caller=caller, case_id=case_id, action="agree_plan", apply=apply)


async def record_departure(*, caller: Caller, case_id: uuid.UUID, data: Departure) -> CaseRecord:
    async def apply(row: CaseRow) -> None:
        if row["departed_on"] is not None and row["departed_on"] == data.departed_on:
            return
        if row["status"] not in STARTS_FROM["record_departure"]:
            raise _conflict(row, "planned")
        rules.DateChecks().not_in_future("departed_on", data.departed_on).not_before(
            "departed_on", data.departed_on, row["plan_agreed_on"], "the plan's agreed_on"
        ).check()
        await _update(case_id, status=Status.departed, departed_on=data.departed_on)

    return await _transition(caller=caller, case_id=case_id, action="record_departure", apply=apply)


async def record_arrival(*, caller: Caller, case_id: uuid.UUID, data: Arrival) -> CaseRecord:
    async def apply(row: CaseRow) -> None:
        if row["arrived_on"] is not None and row["arrived_on"] == data.arrived_on:
            return
        if row["status"] not in STARTS_FROM["record_arrival"]:
            raise _conflict(row, "departed")
        rules.DateChecks().not_in_future("arrived_on", data.arrived_on).not_before(
            "arrived_on", data.arrived_on, row["departed_on"], "departed_on"
        ).check()
        await _update(
            case_id,
            status=Status.reintegration,
            arrived_on=data.arrived_on,
            support_ends_on=rules.support_ends_on(data.arrived_on),
        )

    return await _transition(caller=caller, case_id=case_id, action="record_arrival", apply=apply)


async def close_case(*, caller: Caller, case_id: uuid.UUID, data: Closure) -> CaseRecord:
    async def apply(row: CaseRow) -> None:
        stored = (row["outcome"], row["closed_on"], row["closure_note"])
        if row["status"] in (Status.completed, Status.closed_early) and stored == (
            data.outcome,
            data.closed_on,
            data.note,
        ):
            return
        if row["status"] not in STARTS_FROM["close"]:
            raise _conflict(row, "in reintegration")
        rules.DateChecks().not_in_future("closed_on", data.closed_on).not_before(
            "closed_on", data.closed_on, row["arrived_on"], "arrived_on"
        ).check()
        status = Status.completed if data.outcome is Outcome.completed else Status.closed_early
        await _update(
            case_id,
            status=status,
            outcome=data.outcome,
            closed_on=data.closed_on,
            closure_note=data.note,
        )
        await hooks.case_closed(case_id, caller)

    return await _transition(caller=caller, case_id=case_id, action="close", apply=apply)


async def cancel_case(*, caller: Caller, case_id: uuid.UUID, data: Cancellation) -> CaseRecord:
    async def apply(row: CaseRow) -> None:
        if row["status"] == Status.cancelled and row["cancellation_reason"] == data.reason:
            return
        if row["status"] not in STARTS_FROM["cancel"]:
            raise _conflict(row, "in reflection or planned (not yet departed)")
        await _update(
            case_id,
            status=Status.cancelled,
            cancelled_on=clock.now().date(),
            cancellation_reason=data.reason,
        )

    return await _transition(caller=caller, case_id=case_id, action="cancel", apply=apply)


async def _story_readers_lose(case_id: uuid.UUID, *, opener: uuid.UUID) -> None:
    """Consent for stories withdrawn: centres that read the case for stories lose it."""
    centres = await Organisation.select(Organisation.id).where(
        Organisation.kind == OrganisationKind.centre, Organisation.id != opener
    )
    for centre in centres:
        await changes.record_reach_loss(case_id, centre["id"], await changes.next_number())


async def edit_case(
    *,
    caller: Caller,
    case_id: uuid.UUID,
    data: CaseEdit,
    precondition: Callable[[CaseRecord], None],
) -> CaseRecord:
    """Edit contact details, representative, consent or partner. ``precondition`` sees the
    case as it stands, under lock, before anything changes (the API's If-Match)."""

    async def apply(row: CaseRow) -> None:
        precondition(await _record(row, caller))
        person: dict[str, object] = {}
        if data.phone is not UNSET:
            person["phone"] = data.phone
        if data.representative is not UNSET:
            representative = data.representative
            person["representative_name"] = representative.name if representative else None
            person["representative_role"] = representative.role if representative else None
        if person:
            await _update_person(case_id, **person)
        case: dict[str, object] = {}
        if data.partner_org_id is not UNSET:
            errors = await _check_organisation(
                "partner_org_id", data.partner_org_id, OrganisationKind.partner
            )
            if errors:
                raise RuleViolation.many(errors)
            case["partner_org"] = data.partner_org_id
            if row["partner_org"] is not None and row["partner_org"] != data.partner_org_id:
                await changes.record_reach_loss(
                    case_id, row["partner_org"], await changes.next_number()
                )
        if data.consent is not UNSET:
            changed = {
                name: value
                for name, value in (
                    ("data_sharing", data.consent.data_sharing),
                    ("story_use", data.consent.story_use),
                )
                if value is not UNSET and value != row[f"consent_{name}"]
            }
            case.update({f"consent_{name}": value for name, value in changed.items()})
            if changed:
                await _record_consent(case_id, caller, clock.now(), **changed)
            if changed.get("story_use") is False and row["status"] == Status.completed:
                await _story_readers_lose(case_id, opener=row["opened_by_org"])
            if changed.get("story_use") is False:
                await hooks.story_consent_withdrawn(case_id)
        if data.legal_hold is not UNSET:
            if caller.kind is not OrganisationKind.authority:
                raise Forbidden("only the opening authority may set or lift a legal hold")
            case["legal_hold"] = data.legal_hold
        if case or person:
            await _update(case_id, **case)

    return await _transition(caller=caller, case_id=case_id, action="edit", apply=apply)
