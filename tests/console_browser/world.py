"""A small world for the console's pages to show: one organisation of each kind, a case
in every status, a payment to a relative waiting for approval, an outcome report
submitted for review, a published story and a draft. Made through the API, with the
helpers of the API's tests, as the organisations' own programs would."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

import httpx

from models.organisations import OrganisationKind
from tests.api.conftest import Journey, days_ago, payment_body
from tests.api.test_attachments import pdf, png
from tests.api.test_outcome_review import closed_case, submit
from tests.api.test_outcomes import Returnee
from tests.api.test_stories import YEAR, completed_case, drafted, in_year, published
from tests.browser.tracker import Tracker, Worker


def person(given_name: str, family_name: str, nationality: str = "NG") -> dict[str, str]:
    return {
        "given_name": given_name,
        "family_name": family_name,
        "date_of_birth": "1998-09-14",
        "sex": "female",
        "nationality": nationality,
        "phone": "+2348031234567",
    }


RENT = "Her mother keeps the money for the rent"


async def pay_with_receipt(
    http: httpx.AsyncClient, case: Returnee, partner: Worker, receipt: bytes, **changes: str
) -> None:
    """A payment waiting for IOM's approval (to a relative, or outside the budget), with a
    photo or a scan of its receipt."""
    receipt_id = str(uuid.uuid4())
    kind = "application/pdf" if receipt.startswith(b"%PDF") else "image/png"
    uploaded = await http.post(
        "/api/v1/attachments",
        data={"id": receipt_id},
        files={"file": ("receipt", receipt, kind)},
        headers=partner.headers,
    )
    assert uploaded.status_code == 201, uploaded.text
    if "relative_justification" in changes:
        changes["recipient"] = "relative"
    body = payment_body(paid_on=days_ago(85), receipt_id=receipt_id, **changes)
    paid = await http.post(f"{case.path}/payments", json=body, headers=partner.headers)
    assert paid.status_code == 201, paid.text
    assert paid.json()["status"] == "pending_approval", paid.json()


@dataclass
class World:
    authority: Worker
    centre: Worker
    return_org: Worker
    partner: Worker
    #: Case ids by what they show: ``reintegration``, ``submitted`` (its outcome report), …
    cases: dict[str, str]
    story_id: str


def organisation_of(world: World, kind: OrganisationKind) -> Worker:
    return {
        OrganisationKind.authority: world.authority,
        OrganisationKind.centre: world.centre,
        OrganisationKind.return_org: world.return_org,
        OrganisationKind.partner: world.partner,
    }[kind]


def seed(tracker: Tracker) -> World:
    authority = tracker.worker(OrganisationKind.authority, "DK")
    centre = tracker.worker(OrganisationKind.centre, "DK")
    return_org = tracker.worker(OrganisationKind.return_org, "CH")
    partner = tracker.worker(OrganisationKind.partner, "NG")

    async def walk() -> World:
        cases: dict[str, str] = {}
        async with httpx.AsyncClient(base_url=tracker.url, timeout=60) as http:
            reflection = Journey(http, authority, return_org, partner)
            await reflection.open(person=person("Joy", "Eze"))
            cases["reflection"] = reflection.case["id"]

            planned = Journey(http, authority, return_org, partner)
            await planned.open(person=person("Precious", "Adeyemi"))
            await planned.plan()
            cases["planned"] = planned.case["id"]

            departed = Journey(http, authority, return_org, partner)
            await departed.open(person=person("Favour", "Nwosu"))
            await departed.plan()
            await departed.depart(on=days_ago(2))
            cases["departed"] = departed.case["id"]

            cancelled = Journey(http, authority, return_org, partner)
            await cancelled.open(person=person("Mercy", "Obi"))
            await cancelled.plan()
            answer = await http.post(
                f"{cancelled.path}/cancellation",
                json={"reason": "She chose to stay"},
                headers=return_org.headers,
            )
            assert answer.status_code == 200, answer.text
            cases["cancelled"] = cancelled.case["id"]

            # Reintegration: months reported, a payment to a relative waiting for IOM.
            returning = await Returnee(http, authority, return_org, partner).arrive(
                100, person=person("Grace", "Edo")
            )
            await returning.report(1, 80, {"contact": "in_person", "housing": "stable"})
            await pay_with_receipt(http, returning, partner, png(), relative_justification=RENT)
            await pay_with_receipt(http, returning, partner, pdf(), category="education")
            cases["reintegration"] = returning.id

            # Closed, its outcome report submitted for the authority's review.
            reviewed = await closed_case(http, authority, return_org, partner)
            await submit(reviewed)
            cases["submitted"] = reviewed.id

            early = await completed_case(
                http,
                authority,
                return_org,
                partner,
                outcome="withdrew",
                person=person("Ada", "Uche"),
            )
            cases["closed_early"] = early.case["id"]

            # Completed cases enough for a story's cohort; one told, one drafted.
            told = await completed_case(http, authority, return_org, partner)
            for _ in range(2):
                await completed_case(http, authority, return_org, partner, arrived=in_year(YEAR))
            story = await published(http, centre, told.case["id"])
            drafted_from = await completed_case(http, authority, return_org, partner)
            await drafted(http, centre, drafted_from.case["id"], title="Bread for the market")
            cases["completed"] = told.case["id"]

            # A case the centre opened itself.
            own = Journey(http, centre, return_org, partner)
            await own.open(residence_status="legal_residence")
            cases["centre"] = own.case["id"]
        return World(authority, centre, return_org, partner, cases, story["id"])

    return tracker.harness.run(walk())
