"""Fill an empty tracker database with realistic cases, reports and payments, in bulk.

Usage:
    python -m tests.bench.generate --cases 100000 --database-url URL [--data-dir DIR]
        [--reports-per-case 6] [--payments-per-case 12] [--partners 50] [--seed 1]

The database is migrated first (``models.schema.migrate``). Organisations, users and tokens
are made through ``models.organisations`` (so the tokens are real); the tokens are written to
``DIR/bench-tokens.json`` (mode 0600), which ``tests.bench.run`` reads. The data key is the one
in ``DIR/data.key``, made there when absent; personal fields are sealed with it exactly as
``models.cases.personal`` seals them (AES-GCM bound to ``<table>.<field>:<case_id>``).

Cases go through every state (reflection, planned, departed, reintegration, completed,
closed_early, cancelled) with coherent dates; those that arrived get monthly reports and
support payments in their window, in their plan's categories, with a few months missing
(so that tasks are overdue and the follow-up sweep has work). Cases closed more than five
years ago have had their personal data erased, as the retention job would have done.

Bulk loading: COPY (asyncpg ``copy_records_to_table``) on PostgreSQL, ``executemany`` of a
one-row INSERT (a dozen or two parameters, far inside SQLite's limit) on SQLite; all in one
transaction. PostgreSQL is then VACUUM ANALYZEd, as autovacuum would after such a load;
SQLite is left without ANALYZE statistics, as the tracker leaves it in an office.

change_seq: every stamped row gets ``seconds since EPOCH * SERIAL_SPACE + serial``, with a
serial unique over the whole run, so numbers are unique and increase with the time of the
change, as ``models.changes.next_number`` would have handed them out; the change counter is
set to the largest.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import math
import os
import random
import sqlite3
import time
import uuid
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import asyncpg
from piccolo.table import Table

from models import clock, schema, sealing, vault
from models.cases.rules import REFLECTION_DAYS, SUPPORT_MONTHS, add_months, support_ends_on
from models.cases.tables import Case, Person, ReflectionExtension, Status
from models.client_ids import fingerprint
from models.followup.commands import PaymentCreate, ReportCreate
from models.followup.tables import Payment, Report
from models.organisations import OrganisationKind, add_organisation, add_user
from models.piccolo_app import APP_CONFIG
from models.settings import Settings

TOKENS_FILE = "bench-tokens.json"
#: change_seq = seconds since EPOCH * SERIAL_SPACE + serial (see the module's docstring).
SERIAL_SPACE = 1 << 22
RETENTION_YEARS = 5
HISTORY_DAYS = int(6.5 * 365)
BATCH_CASES = 1000

STATUS_WEIGHTS = {
    Status.reflection: 0.05,
    Status.planned: 0.03,
    Status.departed: 0.01,
    Status.reintegration: 0.14,
    Status.completed: 0.52,
    Status.closed_early: 0.13,
    Status.cancelled: 0.12,
}


@dataclass(frozen=True)
class Country:
    currency: str
    eur: float  #: units of the currency for one euro, roughly
    weight: float
    phone: str
    given: tuple[str, ...]
    family: tuple[str, ...]


COUNTRIES = {
    "NG": Country(
        "NGN",
        1700,
        0.30,
        "+234 80",
        ("Blessing", "Joy", "Precious", "Faith", "Osas", "Peace", "Favour"),
        ("Okafor", "Eze", "Osagie", "Igbinedion", "Omoregie", "Adeyemi"),
    ),
    "TH": Country(
        "THB", 38, 0.12, "+66 8", ("Siriporn", "Nok", "Malee", "Somchai"), ("Srisuk", "Wongsa")
    ),
    "UG": Country(
        "UGX", 4000, 0.10, "+256 7", ("Nakato", "Achieng", "Aisha", "Grace"), ("Namuli", "Okello")
    ),
    "GH": Country("GHS", 16, 0.07, "+233 2", ("Ama", "Akosua", "Efua"), ("Mensah", "Owusu")),
    "KE": Country("KES", 140, 0.07, "+254 7", ("Wanjiru", "Akinyi", "Mary"), ("Otieno", "Kamau")),
    "VN": Country("VND", 27000, 0.07, "+84 9", ("Lan", "Hoa", "Minh"), ("Nguyen", "Tran", "Le")),
    "PH": Country("PHP", 62, 0.06, "+63 9", ("Maria", "Rosa", "Jasmine"), ("Santos", "Reyes")),
    "RO": Country("RON", 5, 0.06, "+40 7", ("Ioana", "Elena", "Andrei"), ("Popescu", "Ionescu")),
    "CM": Country("XAF", 656, 0.05, "+237 6", ("Brenda", "Clarisse"), ("Ngono", "Fotso")),
    "AL": Country("ALL", 100, 0.05, "+355 6", ("Arta", "Elira", "Besa"), ("Hoxha", "Shehu")),
}

#: Budget of a plan, in euros, by category (a plan takes two to four of them).
BUDGET_EUR = {
    "housing": 900,
    "business": 1500,
    "education": 700,
    "school_fees": 400,
    "pocket_money": 300,
    "food": 350,
    "medical": 250,
    "travel": 120,
    "other": 150,
}
EXPLOITATION = {
    "prostitution": 0.55,
    "forced_labour": 0.30,
    "criminal_activities": 0.10,
    "other": 0.05,
}
EARLY_OUTCOMES = {"withdrew": 0.35, "lost_contact": 0.40, "re_trafficked": 0.1, "other": 0.15}
GOALS = (
    "Open a tailoring shop",
    "Finish vocational training in hairdressing",
    "Rent a room near family and start trading",
    "Return to secondary school",
    "Start poultry farming with a relative",
)
NARRATIVES = (
    "Visited at home; the business is growing slowly.",
    "Phone call; she is attending the training and feels safe.",
    "Met at the market stall; rent is paid for the quarter.",
    "Some tension with family about money; counselling agreed.",
    "Children are in school; asked about a second sewing machine.",
    "Could not meet in person; spoke by phone for ten minutes.",
)
NEEDS = ("Medical check-up", "School uniforms", "Help with rent", "Counselling", "Stock for shop")


# --- The database's columns, in the order rows are built ----------------------------------------

COLUMNS: dict[str, tuple[str, ...]] = {
    "return_case": (
        "id", "reference", "status", "residence_status", "origin_country", "exploitation",
        "identified_on", "reflection_period_start", "reflection_period_end", "opened_by_org",
        "opened_by", "return_org", "partner_org", "consent_data_sharing", "consent_story_use",
        "plan_agreed_on", "plan_goals", "departed_on", "arrived_on", "support_ends_on",
        "closed_on", "outcome", "closure_note", "cancelled_on", "cancellation_reason",
        "legal_hold", "personal_data_erased_at", "erasure_reason", "created_at", "updated_at",
        "change_seq",
    ),
    "person": (
        "id", "case", "given_name", "family_name", "date_of_birth", "sex", "nationality",
        "phone", "representative_name", "representative_role",
    ),
    "reflection_extension": ("id", "case", "days", "reason", "added_at", "added_by"),
    "budget_line": ("id", "case", "category", "amount_hundredths", "currency"),
    "consent_change": ("id", "case", "consent", "given", "changed_at", "changed_by"),
    "followup_report": (
        "id", "case", "month", "visited_on", "contact", "housing", "livelihood",
        "children_in_school", "wellbeing", "safety_concern", "retrafficking_risk", "needs",
        "narrative", "organisation", "submitted_by", "submitted_at", "fingerprint", "change_seq",
    ),
    "support_payment": (
        "id", "case", "month", "category", "amount_hundredths", "currency", "paid_on",
        "recipient", "method", "receipt", "note", "relative_justification", "status",
        "over_budget", "decided_by", "decided_at", "rejection_reason", "organisation",
        "recorded_by", "recorded_at", "fingerprint", "change_seq",
    ),
}  # fmt: skip
#: Tables in the order their rows may be inserted (foreign keys).
LOAD_ORDER = tuple(COLUMNS)


def check_columns() -> None:
    """Fail early, with a clear message, when the tables changed under the generator."""
    tables = {table._meta.tablename: table for table in APP_CONFIG.table_classes}
    for name, columns in COLUMNS.items():
        stored = {column._meta.db_column_name for column in tables[name]._meta.columns}
        unknown = set(columns) - stored
        if unknown:
            raise SystemExit(f"generate: {name} has no column(s) {sorted(unknown)}")
        required = {
            c._meta.db_column_name
            for c in tables[name]._meta.columns
            if not c._meta.null and c._meta.db_column_name not in columns
        }
        if required:
            print(f"generate: note: {name}.{sorted(required)} left to the database's default")


# --- Organisations ------------------------------------------------------------------------------


@dataclass
class Org:
    id: uuid.UUID
    name: str
    kind: str
    country: str
    users: list[tuple[uuid.UUID, str]] = field(default_factory=list)  #: (user id, token)
    weight: float = 1.0

    def user(self, rng: random.Random) -> uuid.UUID:
        return rng.choice(self.users)[0]


async def make_organisations(partners: int, rng: random.Random) -> list[Org]:
    """A few authorities and centres, three return organisations and ``partners`` NGOs spread
    over the countries of origin, each with users and their tokens."""
    wanted: list[tuple[str, str, str, float]] = [
        ("Udlændingestyrelsen", "authority", "DK", 0.9),
        ("Udlændingestyrelsen, Center Sandholm", "authority", "DK", 0.1),
        ("Center mod Menneskehandel", "centre", "DK", 0.85),
        ("Center mod Menneskehandel, Aarhus", "centre", "DK", 0.15),
        ("IOM Denmark", "return_org", "DK", 0.8),
        ("IOM Nordic Office", "return_org", "FI", 0.12),
        ("Dansk Flygtningehjælp Returnering", "return_org", "DK", 0.08),
    ]
    codes = list(COUNTRIES)
    per_country = {code: max(1, round(partners * COUNTRIES[code].weight)) for code in codes}
    while sum(per_country.values()) > partners and max(per_country.values()) > 1:
        per_country[max(per_country, key=per_country.get)] -= 1
    while sum(per_country.values()) < partners:
        per_country[codes[0]] += 1
    for code, count in per_country.items():
        for rank in range(1, count + 1):  # a few big partners, many small ones
            wanted.append((f"Partner {code}-{rank:02d}", "partner", code, 1 / rank**0.9))
    organisations = []
    for name, kind, country, weight in wanted:
        created = await add_organisation(name=name, kind=kind, country=country)
        org = Org(created.id, name, kind, country, weight=weight)
        for number in range(2 if kind == OrganisationKind.partner else 1 + (weight > 0.5)):
            user, token = await add_user(organisation_id=org.id, name=f"{name} user {number + 1}")
            org.users.append((user.id, token))
        organisations.append(org)
    rng.shuffle(organisations[7:])
    return organisations


def write_tokens(data_dir: Path, organisations: list[Org], summary: dict[str, Any]) -> Path:
    path = data_dir / TOKENS_FILE
    document = {
        "organisations": [
            {
                "id": str(o.id),
                "name": o.name,
                "kind": o.kind,
                "country": o.country,
                "users": [{"id": str(u), "token": t} for u, t in o.users],
            }
            for o in organisations
        ],
        **summary,
    }
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "w") as handle:
        json.dump(document, handle, indent=1)
    return path


# --- Cases --------------------------------------------------------------------------------------


def pick(rng: random.Random, weights: dict[Any, float]) -> Any:
    return rng.choices(list(weights), weights=list(weights.values()))[0]


@dataclass
class Timeline:
    """The dates of one case, coherent with each other and with today."""

    status: Status
    identified_on: date
    reflection_end: date
    extension_days: int = 0
    plan_agreed_on: date | None = None
    departed_on: date | None = None
    arrived_on: date | None = None
    closed_on: date | None = None
    cancelled_on: date | None = None

    @property
    def support_ends_on(self) -> date | None:
        return support_ends_on(self.arrived_on) if self.arrived_on else None

    def months_followed(self, today: date) -> list[int]:
        """Months of support that have begun (before closure, before today)."""
        if self.arrived_on is None:
            return []
        last = min(today, self.closed_on or today)
        return [
            m for m in range(1, SUPPORT_MONTHS + 1) if add_months(self.arrived_on, m - 1) <= last
        ]


def days(rng: random.Random, low: int, high: int) -> timedelta:
    return timedelta(days=rng.randint(low, high))


def timeline(rng: random.Random, today: date, status: Status | None = None) -> Timeline:
    status = status or pick(rng, STATUS_WEIGHTS)
    plan = departed = arrived = closed = cancelled = None
    if status is Status.reflection:
        identified = today - days(rng, 0, 45)
    elif status is Status.cancelled:
        identified = today - days(rng, 30, HISTORY_DAYS)
        cancelled = min(today, identified + days(rng, 5, 60))
        if rng.random() < 0.3:
            plan = identified + days(rng, 3, (cancelled - identified).days)
    else:
        if status is Status.planned:
            plan = today - days(rng, 0, 60)
        else:
            if status is Status.departed:
                departed = today - days(rng, 0, 4)
            else:
                if status is Status.reintegration:  # a few are past their window, not closed
                    arrived = today - days(rng, 0, 200)
                elif status is Status.completed:
                    arrived = today - days(rng, 195, HISTORY_DAYS - 150)
                    closed = min(today, support_ends_on(arrived) + days(rng, 0, 20))
                else:
                    arrived = today - days(rng, 20, HISTORY_DAYS - 150)
                    closed = min(today, arrived + days(rng, 14, 175))
                departed = arrived - days(rng, 0, 2)
            plan = departed - days(rng, 7, 60)
        identified = plan - days(rng, 10, 90)
    extension = rng.choice((15, 30, 45, 60)) if rng.random() < 0.15 else 0
    return Timeline(
        status=status,
        identified_on=identified,
        reflection_end=identified + timedelta(days=REFLECTION_DAYS + extension),
        extension_days=extension,
        plan_agreed_on=plan,
        departed_on=departed,
        arrived_on=arrived,
        closed_on=closed,
        cancelled_on=cancelled,
    )


def housing_weights(progress: float) -> dict[str, float]:
    return {"stable": 0.4 + progress / 3, "temporary": 0.3, "homeless": 0.05, "unknown": 0.05}


def livelihood_weights(progress: float) -> dict[str, float]:
    return {
        "employed": 0.2,
        "own_business": 0.1 + progress / 2,
        "in_training": 0.25,
        "none": 0.3 - progress / 5,
        "unknown": 0.05,
    }


def calibrate(rng: random.Random, today: date, samples: int = 4000) -> float:
    """Months of support begun, per case, on average: spreads the wanted totals over them."""
    return sum(len(timeline(rng, today).months_followed(today)) for _ in range(samples)) / samples


class Factory:
    """Builds the rows of one case at a time, as tuples in ``COLUMNS`` order."""

    def __init__(
        self,
        *,
        rng: random.Random,
        box: vault.Vault,
        organisations: list[Org],
        today: date,
        reports_per_month: float,
        payments_per_month: float,
        only_status: Status | None = None,
    ) -> None:
        self.rng, self.box, self.today = rng, box, today
        self.only_status = only_status
        self.now = clock.now()
        self.epoch = datetime.combine(today - timedelta(days=3650), datetime.min.time(), UTC)
        self.reports_per_month = reports_per_month
        self.payments_per_month = payments_per_month
        self.serial = 0
        self.made = 0
        self.max_seq = 0
        self.references: dict[int, int] = defaultdict(int)
        self.counts: dict[str, int] = defaultdict(int)
        by_kind: dict[str, list[Org]] = defaultdict(list)
        for org in organisations:
            by_kind[org.kind].append(org)
        self.by_kind = by_kind
        self.partners_in: dict[str, list[Org]] = defaultdict(list)
        for org in by_kind["partner"]:
            self.partners_in[org.country].append(org)

    # helpers

    def uuid(self) -> uuid.UUID:
        return uuid.UUID(int=self.rng.getrandbits(128), version=4)

    def at(self, day: date) -> datetime:
        """A moment of office hours on ``day``, never later than now."""
        moment = datetime.combine(day, datetime.min.time(), UTC) + timedelta(
            seconds=self.rng.randint(6 * 3600, 18 * 3600)
        )
        return min(moment, self.now - timedelta(seconds=self.rng.randint(60, 3600)))

    def stamp(self, moment: datetime) -> int:
        seq = int((moment - self.epoch).total_seconds()) * SERIAL_SPACE + self.serial
        self.serial += 1
        if self.serial >= SERIAL_SPACE:
            raise SystemExit("generate: too many rows for SERIAL_SPACE; raise it")
        self.max_seq = max(self.max_seq, seq)
        return seq

    def seal(
        self,
        table: type[Table],
        column: str,
        value: str | None,
        *,
        row_id: uuid.UUID,
        case_id: uuid.UUID | None,
    ) -> str | None:
        where = sealing.context(table, column, row_id=row_id, case_id=case_id)
        return self.box.seal(value, context=where)

    def choose(self, orgs: list[Org]) -> Org:
        return self.rng.choices(orgs, weights=[o.weight for o in orgs])[0]

    # one case

    def case(self) -> dict[str, list[tuple]]:
        rng = self.rng
        rows: dict[str, list[tuple]] = {name: [] for name in COLUMNS}
        # The first cases go through every state, so that even a small run has them all.
        first = list(Status)[self.made] if self.made < len(Status) else self.only_status
        self.made += 1
        line = timeline(rng, self.today, first)
        case_id = self.uuid()
        country = pick(rng, {code: c.weight for code, c in COUNTRIES.items()})
        residence = pick(
            rng, {"asylum_seeker": 0.45, "no_legal_residence": 0.35, "legal_residence": 0.2}
        )
        opener_kind = "centre" if residence == "legal_residence" else "authority"
        opener = self.choose(self.by_kind[opener_kind])
        opened_by = opener.user(rng)
        return_org = self.choose(self.by_kind["return_org"])
        partner = None
        if line.status is not Status.reflection or rng.random() < 0.5:
            partner = self.choose(self.partners_in[country])
        created = self.at(line.identified_on)
        last_change = max(
            self.at(d)
            for d in (
                line.identified_on,
                line.plan_agreed_on,
                line.departed_on,
                line.arrived_on,
                line.closed_on,
                line.cancelled_on,
            )
            if d is not None
        )
        last_change = max(last_change, created)
        ended = line.closed_on or line.cancelled_on
        erased_at = None
        legal_hold = rng.random() < 0.005
        if ended and not legal_hold and add_months(ended, 12 * RETENTION_YEARS) < self.today:
            erased_at = self.at(add_months(ended, 12 * RETENTION_YEARS) + timedelta(days=1))
            last_change = max(last_change, erased_at)
        sealed = erased_at is None

        def seal(column: str, value: str | None) -> str | None:
            return self.seal(Case, column, value, row_id=case_id, case_id=None) if sealed else None

        forms = sorted({pick(rng, EXPLOITATION) for _ in range(1 + (rng.random() < 0.15))})
        outcome = closure_note = None
        if line.status is Status.completed:
            outcome = "completed"
        elif line.status is Status.closed_early:
            outcome = pick(rng, EARLY_OUTCOMES)
        if outcome and rng.random() < 0.6:
            closure_note = (
                "Closed after the final visit." if outcome == "completed" else "No contact."
            )
        year = created.year
        self.references[year] += 1
        rows["return_case"].append(
            (
                case_id,
                f"DK-{year}-{self.references[year]:04d}",
                line.status.value,
                residence,
                country,
                ",".join(forms),
                line.identified_on,
                line.identified_on,
                line.reflection_end,
                opener.id,
                opened_by,
                return_org.id,
                partner.id if partner else None,
                rng.random() < 0.95,
                rng.random() < 0.35,
                line.plan_agreed_on,
                seal("plan_goals", rng.choice(GOALS)) if line.plan_agreed_on else None,
                line.departed_on,
                line.arrived_on,
                line.support_ends_on,
                line.closed_on,
                outcome,
                seal("closure_note", closure_note),
                line.cancelled_on,
                seal("cancellation_reason", "Chose to stay") if line.cancelled_on else None,
                legal_hold,
                erased_at,
                self.seal(
                    Case, "erasure_reason", "retention period ended", row_id=case_id, case_id=None
                )
                if erased_at
                else None,
                created,
                last_change,
                self.stamp(last_change),
            )
        )
        rows["person"].append(self.person(case_id, country, line, sealed))
        for consent, given in (("data_sharing", True), ("story_use", rng.random() < 0.35)):
            rows["consent_change"].append(
                (self.uuid(), case_id, consent, given, created, opened_by)
            )
        if line.extension_days:
            extension_id = self.uuid()
            reason = "Needs more time to decide"
            rows["reflection_extension"].append(
                (
                    extension_id,
                    case_id,
                    line.extension_days,
                    self.seal(
                        ReflectionExtension, "reason", reason, row_id=extension_id, case_id=case_id
                    )
                    if sealed
                    else None,
                    self.at(line.identified_on + timedelta(days=25)),
                    opened_by,
                )
            )
        if line.plan_agreed_on and partner is not None:
            budget = self.budget(case_id, country)
            rows["budget_line"].extend(budget)
            if line.arrived_on:
                rows["followup_report"].extend(self.reports(case_id, line, partner, sealed))
                rows["support_payment"].extend(
                    self.payments(case_id, line, partner, return_org, budget, sealed)
                )
        for name, table_rows in rows.items():
            self.counts[name] += len(table_rows)
        return rows

    def person(self, case_id: uuid.UUID, country: str, line: Timeline, sealed: bool) -> tuple:
        rng = self.rng
        place = COUNTRIES[country]
        age = rng.randint(15, 45)
        born = line.identified_on - timedelta(days=age * 365 + rng.randint(0, 364))
        minor = age < 18
        representative = minor or rng.random() < 0.05
        if not sealed:
            return (self.uuid(), case_id, None, None, None, "unknown", None, None, None, None)

        person_id = self.uuid()

        def seal(column: str, value: str | None) -> str | None:
            return self.seal(Person, column, value, row_id=person_id, case_id=case_id)

        return (
            person_id,
            case_id,
            seal("given_name", rng.choice(place.given)),
            seal("family_name", rng.choice(place.family)),
            seal("date_of_birth", born.isoformat()),
            pick(rng, {"female": 0.7, "male": 0.27, "other": 0.01, "unknown": 0.02}),
            country,
            seal("phone", f"{place.phone}{rng.randint(1000000, 9999999)}")
            if rng.random() < 0.9
            else None,
            seal("representative_name", "Anne Jensen") if representative else None,
            ("custodian" if minor else "personal_representative") if representative else None,
        )

    def budget(self, case_id: uuid.UUID, country: str) -> list[tuple]:
        place = COUNTRIES[country]
        categories = self.rng.sample(list(BUDGET_EUR), self.rng.randint(2, 4))
        return [
            (
                self.uuid(),
                case_id,
                category,
                int(BUDGET_EUR[category] * place.eur * self.rng.uniform(0.7, 1.3)) * 100,
                place.currency,
            )
            for category in categories
        ]

    def count(self, mean: float) -> int:
        """A whole number with the given mean."""
        whole = math.floor(mean)
        return whole + (self.rng.random() < mean - whole)

    def month_days(self, line: Timeline, month: int) -> tuple[date, date]:
        """First and last day of ``month`` of support that lie before closure and today."""
        assert line.arrived_on is not None and line.support_ends_on is not None
        start = add_months(line.arrived_on, month - 1)
        end = min(add_months(line.arrived_on, month), line.support_ends_on) - timedelta(days=1)
        return start, min(end, self.today, line.closed_on or self.today)

    def reports(
        self, case_id: uuid.UUID, line: Timeline, partner: Org, sealed: bool
    ) -> Iterator[tuple]:
        rng = self.rng
        lost = line.status is Status.closed_early
        for month in line.months_followed(self.today):
            if rng.random() < (0.25 if lost else 0.07):  # a month without a visit
                continue
            first, last = self.month_days(line, month)
            for _ in range(max(1, self.count(self.reports_per_month))):
                report_id = self.uuid()
                visited = first + days(rng, 0, (last - first).days)
                submitted = self.at(min(self.today, visited + days(rng, 0, 3)))
                better = month / SUPPORT_MONTHS  # people tend to do better as support goes on
                content = ReportCreate(
                    id=report_id,
                    month=month,
                    visited_on=visited,
                    contact=pick(rng, {"in_person": 0.7, "phone": 0.25, "none": 0.05}),
                    housing=pick(rng, housing_weights(better)),
                    livelihood=pick(rng, livelihood_weights(better)),
                    children_in_school=rng.choice((True, False, None)),
                    wellbeing=min(5, max(1, round(rng.gauss(2.6 + 1.5 * better, 1)))),
                    safety_concern=rng.random() < 0.08,
                    retrafficking_risk=pick(rng, {"low": 0.7, "medium": 0.22, "high": 0.08}),
                    needs=rng.choice(NEEDS) if rng.random() < 0.4 else None,
                    narrative=rng.choice(NARRATIVES) if rng.random() < 0.9 else None,
                )

                def seal(
                    column: str, value: str | None, row_id: uuid.UUID = report_id
                ) -> str | None:
                    if not sealed:
                        return None
                    return self.seal(Report, column, value, row_id=row_id, case_id=case_id)

                yield (
                    report_id,
                    case_id,
                    month,
                    visited,
                    content.contact,
                    content.housing,
                    content.livelihood,
                    content.children_in_school,
                    content.wellbeing,
                    content.safety_concern,
                    content.retrafficking_risk,
                    seal("needs", content.needs),
                    seal("narrative", content.narrative),
                    partner.id,
                    partner.user(rng),
                    submitted,
                    fingerprint(content),
                    self.stamp(submitted),
                )

    def payments(
        self,
        case_id: uuid.UUID,
        line: Timeline,
        partner: Org,
        return_org: Org,
        budget: list[tuple],
        sealed: bool,
    ) -> Iterator[tuple]:
        rng = self.rng
        months = line.months_followed(self.today)
        planned = [self.count(self.payments_per_month) for _ in months]
        per_line = max(1, sum(planned)) / len(budget)
        for month, count in zip(months, planned, strict=True):
            first, last = self.month_days(line, month)
            for _ in range(count):
                payment_id = self.uuid()
                _, _, category, amount, currency = rng.choice(budget)
                over = rng.random() < 0.01
                hundredths = max(100, int(amount / per_line * rng.uniform(0.4, 0.95)) // 100 * 100)
                if over:
                    hundredths = amount + 100
                relative = rng.random() < 0.08
                paid = first + days(rng, 0, (last - first).days)
                content = PaymentCreate(
                    id=payment_id,
                    month=month,
                    category=category,
                    amount=f"{hundredths // 100}.{hundredths % 100:02d}",
                    currency=currency,
                    paid_on=paid,
                    method=pick(rng, {"mobile_money": 0.5, "cash": 0.3, "bank_transfer": 0.2}),
                    recipient="relative" if relative else "returnee",
                    note="Receipt kept at the office" if rng.random() < 0.3 else None,
                    relative_justification="Paid to her mother, who keeps the shop"
                    if relative
                    else None,
                )
                recorded = self.at(min(self.today, paid + days(rng, 0, 2)))
                status, decided_by, decided_at, reason = "recorded", None, None, None
                if relative or over:
                    status = pick(
                        rng, {"approved": 0.75, "rejected": 0.1, "pending_approval": 0.15}
                    )
                    if status != "pending_approval":
                        decided_by = return_org.user(rng)
                        decided_at = self.at(min(self.today, paid + days(rng, 1, 10)))
                        decided_at = max(decided_at, recorded)
                    if status == "rejected":
                        reason = "The assessment does not support it"

                def seal(
                    column: str, value: str | None, row_id: uuid.UUID = payment_id
                ) -> str | None:
                    if not sealed:
                        return None
                    return self.seal(Payment, column, value, row_id=row_id, case_id=case_id)

                yield (
                    payment_id,
                    case_id,
                    month,
                    category,
                    hundredths,
                    currency,
                    paid,
                    content.recipient,
                    content.method,
                    None,
                    seal("note", content.note),
                    seal("relative_justification", content.relative_justification),
                    status,
                    over,
                    decided_by,
                    decided_at,
                    seal("rejection_reason", reason),
                    partner.id,
                    partner.user(rng),
                    recorded,
                    fingerprint(content),
                    self.stamp(decided_at or recorded),
                )


# --- Loading ------------------------------------------------------------------------------------


class PostgresLoader:
    """COPY into every table, in one transaction."""

    def __init__(self, url: str) -> None:
        self.url = url

    async def __aenter__(self) -> PostgresLoader:
        self.connection = await asyncpg.connect(self.url)
        self.transaction = self.connection.transaction()
        await self.transaction.start()
        return self

    async def write(self, rows: dict[str, list[tuple]]) -> None:
        for table in LOAD_ORDER:
            if rows[table]:
                await self.connection.copy_records_to_table(
                    table, records=rows[table], columns=list(COLUMNS[table])
                )

    async def finish(self, max_seq: int, references: dict[int, int]) -> None:
        await set_counters(self.connection.execute, "$1", "$2", max_seq, references)
        await self.transaction.commit()
        for table in (*LOAD_ORDER, "organisation", "tracker_user", "api_token", "change_counter"):
            await self.connection.execute(f'VACUUM ANALYZE "{table}"')

    async def __aexit__(self, *exc: object) -> None:
        await self.connection.close()


class SQLiteLoader:
    """executemany of a one-row INSERT per table, in one transaction."""

    def __init__(self, path: Path) -> None:
        self.path = path

    async def __aenter__(self) -> SQLiteLoader:
        # Piccolo's adapters (registered when models.database was imported) store UUIDs, dates
        # and times as the tracker does.
        self.connection = sqlite3.connect(self.path, isolation_level=None)
        self.connection.execute("PRAGMA foreign_keys = ON")
        self.connection.execute("PRAGMA synchronous = OFF")  # this connection only
        self.connection.execute("BEGIN IMMEDIATE")
        self.inserts = {
            table: "INSERT INTO {} ({}) VALUES ({})".format(
                table, ", ".join(f'"{c}"' for c in columns), ", ".join("?" for _ in columns)
            )
            for table, columns in COLUMNS.items()
        }
        return self

    async def write(self, rows: dict[str, list[tuple]]) -> None:
        for table in LOAD_ORDER:
            if rows[table]:
                self.connection.executemany(self.inserts[table], rows[table])

    async def finish(self, max_seq: int, references: dict[int, int]) -> None:
        async def execute(sql: str, *args: object) -> None:
            self.connection.execute(sql, args)

        await set_counters(execute, "?", "?", max_seq, references)
        self.connection.execute("COMMIT")
        self.connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")

    async def __aexit__(self, *exc: object) -> None:
        self.connection.close()


async def set_counters(execute, p1: str, p2: str, max_seq: int, references: dict) -> None:
    """The change counter at the largest number given out; reference numbers per year."""
    await execute(
        f"INSERT INTO change_counter (id, last) VALUES (1, {p1}) "
        "ON CONFLICT (id) DO UPDATE SET last = excluded.last",
        max_seq,
    )
    for year, last in references.items():
        await execute(
            f"INSERT INTO reference_counter (year, last_number) VALUES ({p1}, {p2}) "
            "ON CONFLICT (year) DO UPDATE SET last_number = excluded.last_number",
            year,
            last,
        )


# --- The command --------------------------------------------------------------------------------


def default_data_dir(settings_url: str) -> Path:
    if settings_url.startswith("sqlite:///"):
        return Path(settings_url.removeprefix("sqlite:///")).parent
    return Path("bench-data") / settings_url.rsplit("/", 1)[-1]


def load_key(data_dir: Path) -> bytes:
    keys = vault.read_keys(None, data_dir)
    if keys is None:
        vault.write_key_file(data_dir, [vault.new_key()])
        keys = vault.read_keys(None, data_dir)
        assert keys is not None
    return keys[0]


async def generate(args: argparse.Namespace) -> dict[str, Any]:
    check_columns()
    data_dir = Path(args.data_dir or default_data_dir(args.database_url))
    settings = Settings(database_url=args.database_url, data_dir=data_dir)
    rng = random.Random(args.seed)  # noqa: S311 - test data, not secrets
    today = clock.today()
    timings: dict[str, float] = {}

    started = time.perf_counter()
    async with schema.connected(settings) as engine:
        await schema.migrate(engine)
        if await Case.count() > 0:
            raise SystemExit("generate: the database already holds cases; give it an empty one")
        box = vault.Vault([load_key(data_dir)])
        organisations = await make_organisations(args.partners, rng)
    timings["migrate and organisations"] = time.perf_counter() - started

    months = calibrate(random.Random(args.seed + 1), today)  # noqa: S311
    factory = Factory(
        rng=rng,
        box=box,
        organisations=organisations,
        today=today,
        reports_per_month=args.reports_per_case / months / 0.91,
        payments_per_month=args.payments_per_case / months,
        only_status=Status.reintegration if args.all_active else None,
    )
    loader = (
        PostgresLoader(args.database_url)
        if settings.uses_postgres
        else SQLiteLoader(settings.sqlite_path)
    )
    started = time.perf_counter()
    building = 0.0
    async with loader:
        done = 0
        while done < args.cases:
            tick = time.perf_counter()
            batch: dict[str, list[tuple]] = {name: [] for name in COLUMNS}
            for _ in range(min(BATCH_CASES, args.cases - done)):
                for name, rows in factory.case().items():
                    batch[name].extend(rows)
            building += time.perf_counter() - tick
            await loader.write(batch)
            done += min(BATCH_CASES, args.cases - done)
            if args.progress:
                print(f"  {done} cases, {time.perf_counter() - started:.0f} s", flush=True)
        timings["build rows (incl. sealing)"] = building
        timings["write rows"] = time.perf_counter() - started - building
        tick = time.perf_counter()
        await loader.finish(factory.max_seq, factory.references)
        timings["commit, counters, vacuum/analyze"] = time.perf_counter() - tick
    timings["total"] = sum(timings.values())
    summary = {
        "rows": dict(factory.counts),
        "database_url": args.database_url,
        "generated_on": today.isoformat(),
        "seconds": {k: round(v, 1) for k, v in timings.items()},
    }
    write_tokens(data_dir, organisations, summary)
    return summary


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m tests.bench.generate", description=__doc__)
    parser.add_argument("--cases", type=int, required=True)
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--data-dir", help="where the data key and bench-tokens.json go")
    parser.add_argument("--reports-per-case", type=float, default=6.0, help="on average")
    parser.add_argument("--payments-per-case", type=float, default=12.0, help="on average")
    parser.add_argument("--partners", type=int, default=50)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--progress", action="store_true")
    parser.add_argument(
        "--all-active",
        action="store_true",
        help="every case in reintegration (but the first few): the sweep's worst case",
    )
    args = parser.parse_args(argv)
    summary = asyncio.run(generate(args))
    print(json.dumps(summary, indent=1))


if __name__ == "__main__":
    main()
