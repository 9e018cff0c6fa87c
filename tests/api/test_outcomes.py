"""A case's outcome report: months, payments against the plan, the score, the closure; as
JSON and as a printable page; frozen when the case is closed and amended after."""

from __future__ import annotations

import uuid
from typing import Any

import httpx
import pytest

from models import database, sealing, vault
from models.cases.records import case_row
from models.organisations import Caller, authenticate
from models.outcomes import frozen, versions
from models.outcomes.report import OutcomeReport
from models.outcomes.tables import FrozenOutcomeReport
from tests.api.conftest import Journey, days_ago
from tests.conftest import Member

#: Answers depend on today: CI also runs these at hostile instants (see .ci/run).
pytestmark = pytest.mark.dates

# --- Reports whose scores are computed by hand (see score_v1.json) ---------------------------

#: economic 1, social 1, psychosocial 1: composite 1.
GOOD = {
    "contact": "in_person",
    "housing": "stable",
    "livelihood": "employed",
    "children_in_school": True,
    "wellbeing": 5,
    "safety_concern": False,
    "retrafficking_risk": "low",
}
#: economic 0.5; social (2·0.5 + 0)/3 = 0.333; psychosocial (2·0.5 + 1 + 0.5)/4 = 0.625;
#: composite (0.5 + 0.3333 + 0.625)/3 = 0.486.
MIDDLING = {
    "contact": "phone",
    "housing": "temporary",
    "livelihood": "in_training",
    "children_in_school": False,
    "wellbeing": 3,
    "safety_concern": False,
    "retrafficking_risk": "medium",
}
#: every score 0.
BAD = {
    "contact": "in_person",
    "housing": "homeless",
    "livelihood": "none",
    "children_in_school": False,
    "wellbeing": 1,
    "safety_concern": True,
    "retrafficking_risk": "high",
}
#: nothing that can be scored: every score null.
UNKNOWN = {
    "contact": "none",
    "housing": "unknown",
    "livelihood": "unknown",
    "children_in_school": None,
    "wellbeing": None,
    "safety_concern": None,
    "retrafficking_risk": None,
}
GOOD_SCORE = {"economic": 1.0, "social": 1.0, "psychosocial": 1.0, "composite": 1.0}
MIDDLING_SCORE = {"economic": 0.5, "social": 0.333, "psychosocial": 0.625, "composite": 0.486}
NO_SCORE = {"economic": None, "social": None, "psychosocial": None, "composite": None}

BUDGET = [
    {"category": "housing", "amount": "120000.00", "currency": "NGN"},
    {"category": "business", "amount": "300.00", "currency": "USD"},
    {"category": "school_fees", "amount": "40000.00", "currency": "NGN"},
]


class Returnee:
    """One case walked through the contract: opened, planned, arrived ``arrived`` days ago;
    then reports and payments from the field, decisions, closure."""

    def __init__(self, client: httpx.AsyncClient, opener: Member, return_org: Member, partner):
        self.journey = Journey(client, opener, return_org, partner)
        self.client = client

    @property
    def id(self) -> str:
        return self.journey.case["id"]

    @property
    def reference(self) -> str:
        return self.journey.case["reference"]

    @property
    def path(self) -> str:
        return self.journey.path

    async def open(self, *, budget: list[dict] | None = None, **changes: Any) -> Returnee:
        await self.journey.open(
            identified_on=days_ago(400), reflection_period_start=days_ago(400), **changes
        )
        await self.journey.plan(agreed_on=days_ago(300), budget=budget or BUDGET)
        return self

    async def arrive(self, arrived: int, **changes: Any) -> Returnee:
        await self.open(**changes)
        await self.journey.depart(on=days_ago(arrived + 1))
        await self.journey.arrive(on=days_ago(arrived))
        return self

    async def report(self, month: int, visited: int, answers: dict[str, Any]) -> None:
        body = {"id": str(uuid.uuid4()), "month": month, "visited_on": days_ago(visited)}
        response = await self.client.post(
            f"{self.path}/reports", json=body | answers, headers=self.journey.partner.headers
        )
        assert response.status_code == 201, response.text

    async def pay(
        self, category: str, amount: str, currency: str, paid: int, *, relative: bool = False
    ) -> str:
        body: dict[str, Any] = {
            "id": str(uuid.uuid4()),
            "month": 1,
            "category": category,
            "amount": amount,
            "currency": currency,
            "paid_on": days_ago(paid),
            "method": "mobile_money",
            "recipient": "relative" if relative else "returnee",
        }
        if relative:
            body["relative_justification"] = "Her mother keeps the money for the rent"
        response = await self.client.post(
            f"{self.path}/payments", json=body, headers=self.journey.partner.headers
        )
        assert response.status_code == 201, response.text
        return body["id"]

    async def decide(self, payment_id: str, decision: str) -> None:
        body = {"reason": "No assessment of the household"} if decision == "rejection" else None
        response = await self.client.post(
            f"{self.path}/payments/{payment_id}/{decision}",
            json=body,
            headers=self.journey.return_org.headers,
        )
        assert response.status_code == 200, response.text

    async def close(self, outcome: str, closed: int, note: str = "Shop running") -> None:
        response = await self.client.post(
            f"{self.path}/closure",
            json={"outcome": outcome, "closed_on": days_ago(closed), "note": note},
            headers=self.journey.return_org.headers,
        )
        assert response.status_code == 200, response.text

    async def outcome_report(self, member: Member | None = None, **params: Any) -> dict[str, Any]:
        member = member or self.journey.return_org
        response = await self.client.get(
            f"{self.path}/outcome-report", params=params, headers=member.headers
        )
        assert response.status_code == 200, response.text
        return response.json()


async def followed_case(client, authority, return_org, partner) -> Returnee:
    """Arrived 200 days ago. Months 1, 2 and 4 reported (month 2 twice), 3, 5 and 6 not;
    payments recorded, approved, rejected and pending, in two currencies."""
    case = await Returnee(client, authority, return_org, partner).arrive(200)
    await case.report(1, 185, MIDDLING)
    await case.report(2, 160, BAD)  # an earlier visit of month 2 …
    await case.report(2, 150, GOOD)  # … the later one is the month's
    await case.report(4, 100, UNKNOWN)
    await case.pay("housing", "25000.00", "NGN", 195)
    await case.pay("housing", "25000.00", "NGN", 165)
    await case.pay("business", "150.50", "USD", 190)
    await case.decide(
        await case.pay("school_fees", "10000.00", "NGN", 180, relative=True), "approval"
    )
    await case.decide(await case.pay("food", "5000.00", "NGN", 170, relative=True), "rejection")
    await case.pay("housing", "2000.00", "NGN", 160, relative=True)  # still waiting
    return case


def month_of(report: dict[str, Any], month: int) -> dict[str, Any]:
    (found,) = [m for m in report["months"] if m["month"] == month]
    return found


# --- The report as the records stand ----------------------------------------------------------


async def test_the_outcome_report_gives_months_payments_budget_and_scores(
    client, authority, return_org, partner
):
    case = await followed_case(client, authority, return_org, partner)

    report = await case.outcome_report()

    assert report["id"] == case.id
    assert report["reference"] == case.reference
    assert report["status"] == "reintegration"
    assert report["arrived_on"] == days_ago(200)
    assert report["support_ends_on"] == case.journey.case["support_ends_on"]
    assert (report["reports_received"], report["reports_expected"]) == (3, 6)
    assert [m["reported"] for m in report["months"]] == [True, True, False, True, False, False]
    assert [m["reports"] for m in report["months"]] == [1, 2, 0, 1, 0, 0]
    assert month_of(report, 2)["visited_on"] == days_ago(150), "the latest visit of the month"
    assert {k: month_of(report, 2)[k] for k in GOOD} == GOOD
    assert month_of(report, 1)["score"] == MIDDLING_SCORE
    assert month_of(report, 2)["score"] == GOOD_SCORE
    assert month_of(report, 4)["score"] == NO_SCORE
    assert month_of(report, 3)["score"] is None
    assert month_of(report, 3)["housing"] is None
    assert all(m["due_on"] for m in report["months"])
    assert report["score_version"] == "1"

    # recorded and approved payments count; rejected and waiting ones do not
    assert report["payments"] == [
        {"category": "housing", "currency": "NGN", "total": "50000.00", "count": 2},
        {"category": "business", "currency": "USD", "total": "150.50", "count": 1},
        {"category": "school_fees", "currency": "NGN", "total": "10000.00", "count": 1},
    ]
    assert report["payments_pending"] == [
        {"category": "housing", "currency": "NGN", "total": "2000.00", "count": 1}
    ]
    assert report["budget"] == [
        {"category": "housing", "currency": "NGN", "budget": "120000.00", "disbursed": "50000.00"},
        {"category": "business", "currency": "USD", "budget": "300.00", "disbursed": "150.50"},
        {
            "category": "school_fees",
            "currency": "NGN",
            "budget": "40000.00",
            "disbursed": "10000.00",
        },
    ]
    assert (report["outcome"], report["closed_on"], report["closure_note"]) == (None, None, None)
    assert (report["version"], report["versions"]) == (None, [])


async def test_a_case_closed_early_reports_its_outcome_and_note(
    client, authority, return_org, partner
):
    case = await Returnee(client, authority, return_org, partner).arrive(200)
    await case.report(1, 185, BAD)
    await case.close("lost_contact", 155, note="Moved away; phone off")

    report = await case.outcome_report()
    assert report["status"] == "closed_early"
    assert (report["outcome"], report["closed_on"]) == ("lost_contact", days_ago(155))
    assert report["closure_note"] == "Moved away; phone off"
    assert report["reports_received"] == 1
    assert report["payments"] == []


async def test_the_partner_reads_the_report_without_the_closure_note(
    client, authority, return_org, partner
):
    case = await Returnee(client, authority, return_org, partner).arrive(200)
    await case.close("completed", 5, note="Business running")

    for member in (authority, return_org):
        assert (await case.outcome_report(member))["closure_note"] == "Business running"
    seen_by_partner = await case.outcome_report(partner)
    assert "closure_note" not in seen_by_partner
    assert seen_by_partner["outcome"] == "completed"


async def test_an_organisation_outside_the_case_gets_not_found(
    client, authority, return_org, partner, other_partner
):
    case = await Returnee(client, authority, return_org, partner).arrive(200)
    response = await client.get(f"{case.path}/outcome-report", headers=other_partner.headers)
    assert response.status_code == 404


async def test_reading_an_outcome_report_leaves_an_audit_entry(
    client, authority, return_org, partner
):
    case = await Returnee(client, authority, return_org, partner).arrive(200)
    await case.outcome_report(partner)

    trail = await client.get(
        "/api/v1/audit", params={"case_id": case.id, "limit": 500}, headers=authority.headers
    )
    reads = [e for e in trail.json()["items"] if e["action"] == "case.outcome_report_read"]
    assert [e["organisation_id"] for e in reads] == [str(partner.organisation_id)]


async def test_the_report_has_an_etag_and_answers_not_modified(
    client, authority, return_org, partner
):
    case = await Returnee(client, authority, return_org, partner).arrive(200)
    url = f"{case.path}/outcome-report"
    first = await client.get(url, headers=return_org.headers)
    again = await client.get(
        url, headers={**return_org.headers, "If-None-Match": first.headers["etag"]}
    )
    assert again.status_code == 304

    await case.report(1, 185, GOOD)
    changed = await client.get(
        url, headers={**return_org.headers, "If-None-Match": first.headers["etag"]}
    )
    assert changed.status_code == 200


async def test_the_report_is_a_printable_page_for_a_browser_with_everything_escaped(
    client, authority, return_org, partner
):
    case = await followed_case(client, authority, return_org, partner)
    await case.close("completed", 5, note='<script>alert("x")</script> & "quotes"')

    response = await client.get(
        f"{case.path}/outcome-report",
        headers={**authority.headers, "Accept": "text/html,application/xhtml+xml,*/*;q=0.8"},
    )
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("text/html")
    assert "script-src" not in response.headers["content-security-policy"]
    page = response.text
    assert "<script>" not in page
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &quot;quotes&quot;" in page
    assert "@media print" in page
    assert f"Outcome report {case.reference}" in page
    assert "50000.00" in page and "150.50" in page
    assert "no report" in page
    assert "not IOM&#x27;s official RSS" in page

    # JSON stays the default, for clients that ask for anything
    default = await client.get(
        f"{case.path}/outcome-report", headers={**authority.headers, "Accept": "*/*"}
    )
    assert default.headers["content-type"].startswith("application/json")


async def test_the_partner_page_has_no_closure_note(client, authority, return_org, partner):
    case = await Returnee(client, authority, return_org, partner).arrive(200)
    await case.close("completed", 5, note="Private remark of IOM")
    response = await client.get(
        f"{case.path}/outcome-report", headers={**partner.headers, "Accept": "text/html"}
    )
    assert response.status_code == 200
    assert "Private remark" not in response.text


# --- Frozen at closure, amended after -----------------------------------------------------------


async def test_closing_a_case_freezes_its_outcome_report_as_version_1(
    client, authority, return_org, partner
):
    """Needs ``freeze_on_closure`` called by ``close_case``."""
    case = await followed_case(client, authority, return_org, partner)
    await case.close("completed", 5)

    current = await case.outcome_report()
    assert [(v["version"], v["reason"]) for v in current["versions"]] == [(1, "closure")]
    kept = await case.outcome_report(version=1)
    assert kept["version"] == 1
    assert {k: v for k, v in kept.items() if k != "version"} == {
        k: v for k, v in current.items() if k != "version"
    }
    assert kept["status"] == "completed" and kept["closure_note"] == "Shop running"


async def test_a_correction_after_closure_is_kept_as_an_amended_version(
    client, authority, return_org, partner
):
    """Needs ``freeze_on_closure`` and ``amend_if_closed`` called by the writers."""
    case = await followed_case(client, authority, return_org, partner)
    await case.close("completed", 5)
    await case.report(3, 120, MIDDLING)  # a late report of month 3

    current = await case.outcome_report()
    assert [(v["version"], v["reason"]) for v in current["versions"]] == [
        (1, "closure"),
        (2, "amendment"),
    ]
    at_closure = await case.outcome_report(version=1)
    amended = await case.outcome_report(version=2)
    assert (at_closure["reports_received"], amended["reports_received"]) == (3, 4)
    assert current["reports_received"] == 4


async def amend(case_id: uuid.UUID, caller: Caller) -> None:
    """The amendment hook, as a writer calls it: in its transaction, on the locked row."""
    async with database.transaction():
        await frozen.amend_if_closed(await case_row(case_id, lock=True), caller)


async def test_frozen_versions_are_kept_and_amended_by_the_hooks(
    client, authority, return_org, partner
):
    """The hooks themselves: idempotent, whether or not the writers already called them."""
    case = await followed_case(client, authority, return_org, partner)
    await case.close("completed", 5)
    caller = await authenticate(return_org.token)
    case_id = uuid.UUID(case.id)

    await frozen.freeze_on_closure(case_id, caller)
    await frozen.freeze_on_closure(case_id, caller)  # once only
    await amend(case_id, caller)  # nothing changed: no new version
    assert [v["version"] for v in (await case.outcome_report())["versions"]] == [1]

    waiting = (await case.outcome_report())["payments_pending"]
    assert waiting == [{"category": "housing", "currency": "NGN", "total": "2000.00", "count": 1}]
    payments = await client.get(f"{case.path}/payments", headers=return_org.headers)
    (pending,) = [p for p in payments.json()["items"] if p["status"] == "pending_approval"]
    await case.decide(pending["id"], "approval")
    await amend(case_id, caller)
    await amend(case_id, caller)

    versions = (await case.outcome_report())["versions"]
    assert [(v["version"], v["reason"]) for v in versions] == [(1, "closure"), (2, "amendment")]
    housing = lambda report: report["payments"][0]  # noqa: E731
    assert housing(await case.outcome_report(version=1))["total"] == "50000.00"
    assert housing(await case.outcome_report(version=2))["total"] == "52000.00"
    partner_view = await case.outcome_report(partner, version=1)
    assert "closure_note" not in partner_view


async def test_an_open_case_is_not_frozen_and_an_unknown_version_is_not_found(
    client, authority, return_org, partner
):
    case = await followed_case(client, authority, return_org, partner)
    caller = await authenticate(return_org.token)
    await frozen.freeze_on_closure(uuid.UUID(case.id), caller)
    await amend(uuid.UUID(case.id), caller)
    assert (await case.outcome_report())["versions"] == []

    missing = await client.get(
        f"{case.path}/outcome-report", params={"version": 1}, headers=return_org.headers
    )
    assert missing.status_code == 404
    assert missing.headers["content-type"].startswith("application/problem+json")
    zero = await client.get(
        f"{case.path}/outcome-report", params={"version": 0}, headers=return_org.headers
    )
    assert zero.status_code in (400, 422)


async def test_the_frozen_copy_is_sealed_erased_with_the_person_and_resealed_with_a_new_key(
    client, settings, authority, return_org, partner
):
    case = await Returnee(client, authority, return_org, partner).arrive(200)
    await case.close("completed", 5, note="Lives with her aunt in Benin City")
    case_id = uuid.UUID(case.id)
    await frozen.freeze_on_closure(case_id, await authenticate(return_org.token))

    (row,) = await FrozenOutcomeReport.select().where(FrozenOutcomeReport.case == case_id)
    assert row["body"].startswith("enc2:") and "Benin" not in row["body"]
    assert (row["version"], row["reason"]) == (1, "closure")

    # key rotation: sealed again with the new key, readable without the old one
    old_keys = vault.read_keys(settings.data_key, settings.data_dir)
    fresh = vault.parse_keys(vault.new_key())
    try:
        vault.use(vault.Vault([*fresh, *old_keys]))
        assert await sealing.reseal(FrozenOutcomeReport) == 1
        assert await sealing.reseal(FrozenOutcomeReport) == 0
        vault.use(vault.Vault(fresh))  # the old key is gone (the case's own fields with it)
        kept = await versions.body_of(case_id, 1, as_type=OutcomeReport)
        assert kept.closure_note == "Lives with her aunt in Benin City"
    finally:
        vault.use(vault.Vault([*old_keys, *fresh]))  # the case's own fields need the old key

    # erasure of the person's data takes the note out of every frozen version
    await frozen.erase_closure_notes(case_id)
    (row,) = await FrozenOutcomeReport.select().where(FrozenOutcomeReport.case == case_id)
    assert "Benin" not in sealing.open_row(FrozenOutcomeReport, row)["body"]
    assert (await case.outcome_report(version=1))["closure_note"] is None


async def test_a_centre_reading_for_a_story_may_not_read_the_outcome_report(
    client, authority, return_org, partner, centre
):
    case = await Returnee(client, authority, return_org, partner).arrive(200)
    await case.close("completed", 5)
    response = await client.get(f"{case.path}/outcome-report", headers=centre.headers)
    assert response.status_code == 403
