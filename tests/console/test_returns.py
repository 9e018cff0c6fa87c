"""An IOM officer at a desk: records departures and arrivals, decides the payments that wait
for approval (never one they entered themselves), closes cases whose support has ended and
submits their outcome reports, correcting those the Immigration Service returns."""

from __future__ import annotations

import contextlib
import re
import uuid
from collections.abc import AsyncIterator

import httpx
import pytest

from api.console import i18n, returns
from models.organisations import OrganisationKind
from tests.api import conftest as api
from tests.api.conftest import Journey, days_ago, payment_body
from tests.api.people import enrolled
from tests.api.test_attachments import _upload, pdf, png
from tests.api.test_outcome_review import COMMENT, review
from tests.api.test_outcomes import GOOD, Returnee
from tests.conftest import Member
from tests.console.browser import Browser, Staff, new_staff

#: Answers depend on today: CI also runs these at hostile instants (see .ci/run).
pytestmark = pytest.mark.dates

#: The cases of the API's tests: opened and planned (``journey``), or arrived (``returned``).
journey, returned = api.journey, api.returned

#: The pages speak Danish unless asked otherwise: what an officer reads.
da = i18n.translator("da")


async def iom_officer(return_org: Member, name: str = "Lars Iversen") -> Staff:
    """A member of staff of the case's return organisation who signs in to the console."""
    return await new_staff(
        OrganisationKind.return_org, organisation_id=return_org.organisation_id, name=name
    )


@contextlib.asynccontextmanager
async def signed_in(client: httpx.AsyncClient, person: Staff) -> AsyncIterator[Browser]:
    """A browser of its own (its own cookies) with ``person`` signed in."""
    async with httpx.AsyncClient(transport=client._transport, base_url=client.base_url) as own:
        browser = Browser(own)
        answer = await browser.sign_in(person)
        assert answer.status_code == 303, answer.text
        yield browser


def error_next_to(page: httpx.Response, field_id: str) -> str:
    """The error message shown beside a field (and linked from the summary at the top)."""
    assert f'href="#{field_id}"' in page.text, "the error summary links to the field"
    found = re.search(
        rf'id="{re.escape(field_id)}-error" class="error-message">(.*?)</p>', page.text
    )
    assert found, f"no error next to {field_id}"
    return found.group(1)


async def case_status(journey: Journey) -> str:
    answer = await journey.client.get(journey.path, headers=journey.return_org.headers)
    return answer.json()["status"]


async def payment_of(journey: Journey, payment_id: str) -> dict:
    answer = await journey.client.get(
        f"{journey.path}/payments", headers=journey.return_org.headers
    )
    return next(p for p in answer.json()["items"] if p["id"] == payment_id)


# --- Departures and arrivals ------------------------------------------------------------------


async def test_an_iom_officer_records_a_departure_then_an_arrival(
    client: httpx.AsyncClient, journey: Journey
):
    await journey.open()
    await journey.plan()
    reference, case_id = journey.case["reference"], journey.case["id"]
    async with signed_in(client, await iom_officer(journey.return_org)) as browser:
        page = await browser.get("/console/returns")
        assert page.status_code == 200 and reference in page.text
        assert 'aria-current="page"' in page.text

        departed = await browser.submit(
            "/console/returns",
            f"/console/returns/{case_id}/departure",
            departed_on=days_ago(10),
        )
        assert departed.status_code == 303
        assert await case_status(journey) == "departed"

        arrival = f"/console/returns/{case_id}/arrival"
        too_early = await browser.submit("/console/returns", arrival, arrived_on=days_ago(11))
        assert too_early.status_code == 422
        assert error_next_to(too_early, f"arrived_on-{case_id}").endswith(
            da("returns.error.before_departure")
        )
        future = await browser.submit("/console/returns", arrival, arrived_on=days_ago(-3))
        assert error_next_to(future, f"arrived_on-{case_id}").endswith(da("returns.error.future"))
        unreadable = await browser.submit("/console/returns", arrival, arrived_on="31/02/2026")
        assert error_next_to(unreadable, f"arrived_on-{case_id}").endswith(
            da("returns.error.date_invalid")
        )
        assert await case_status(journey) == "departed"

        arrived = await browser.submit("/console/returns", arrival, arrived_on=days_ago(9))
        assert arrived.status_code == 303
        assert await case_status(journey) == "reintegration"
        after = await browser.get(arrived.headers["location"])
        assert da("returns.done.arrival") in after.text and reference not in after.text

        moved_on = await browser.submit("/console/returns", arrival, arrived_on=days_ago(8))
        assert moved_on.status_code == 409 and da("returns.error.moved_on") in moved_on.text


# --- Payments waiting for approval ------------------------------------------------------------


async def _pay(journey: Journey, body: dict, member: Member | dict | None = None) -> dict:
    headers = member if isinstance(member, dict) else (member or journey.partner).headers
    answer = await journey.client.post(f"{journey.path}/payments", json=body, headers=headers)
    assert answer.status_code == 201, answer.text
    return answer.json()


async def _receipt(journey: Journey, content: bytes, name: str, media_type: str) -> str:
    receipt_id = str(uuid.uuid4())
    uploaded = await _upload(
        journey.client,
        journey.partner,
        content,
        attachment_id=receipt_id,
        filename=name,
        content_type=media_type,
    )
    assert uploaded.status_code == 201, uploaded.text
    return receipt_id


async def test_a_payment_to_a_relative_waits_with_its_receipt_and_budget_and_is_approved(
    client: httpx.AsyncClient, returned: Journey
):
    await _pay(returned, payment_body(amount="30000.00"))
    receipt_id = await _receipt(returned, png(), "receipt.png", "image/png")
    justification = "Severely traumatised; her mother receives the rent"
    waiting = await _pay(
        returned,
        payment_body(
            amount="25000.00",
            recipient="relative",
            relative_justification=justification,
            receipt_id=receipt_id,
        ),
    )
    assert waiting["status"] == "pending_approval"

    async with signed_in(client, await iom_officer(returned.return_org)) as browser:
        queue = await browser.get("/console/approvals")
        assert queue.status_code == 200
        assert justification in queue.text and returned.case["reference"] in queue.text
        budget = re.search(r'<table class="table budget">.*?</table>', queue.text, re.S).group(0)
        budgeted_paid_waiting = re.findall(r"<td>([0-9.,]+)</td>", budget)
        assert budgeted_paid_waiting == ["120.000,00", "30.000,00", "25.000,00"]
        image = f'<img src="/console/approvals/receipts/{receipt_id}"'
        assert image in queue.text

        shown = await browser.get(f"/console/approvals/receipts/{receipt_id}")
        assert shown.status_code == 200 and shown.content == png()
        assert shown.headers["content-type"] == "image/png"
        assert shown.headers["content-disposition"].startswith("inline")

        approved = await browser.submit(
            "/console/approvals",
            f"/console/approvals/{returned.case['id']}/{waiting['id']}/approval",
        )
        assert approved.status_code == 303
        assert (await payment_of(returned, waiting["id"]))["status"] == "approved"
        assert justification not in (await browser.get("/console/approvals")).text

        rejection = f"/console/approvals/{returned.case['id']}/{waiting['id']}/rejection"
        too_late = await browser.submit("/console/approvals", rejection, reason="Changed my mind")
        assert too_late.status_code == 409
        assert da("returns.approvals.error.decided") in too_late.text
        assert (await payment_of(returned, waiting["id"]))["status"] == "approved"


async def test_an_officer_rejects_a_payment_only_with_a_reason(
    client: httpx.AsyncClient, returned: Journey
):
    receipt_id = await _receipt(returned, pdf(), "receipt.pdf", "application/pdf")
    waiting = await _pay(returned, payment_body(category="business", receipt_id=receipt_id))
    assert waiting["status"] == "pending_approval", "no budget for business"
    rejection = f"/console/approvals/{returned.case['id']}/{waiting['id']}/rejection"

    async with signed_in(client, await iom_officer(returned.return_org)) as browser:
        queue = await browser.get("/console/approvals")
        link = f'<a href="/console/approvals/receipts/{receipt_id}">'
        assert link in queue.text and "<img" not in queue.text, "a PDF is a link"
        download = await browser.get(f"/console/approvals/receipts/{receipt_id}")
        assert download.headers["content-type"] == "application/pdf"
        assert download.headers["content-disposition"].startswith("attachment")

        no_reason = await browser.submit("/console/approvals", rejection, reason="  ")
        assert no_reason.status_code == 422
        assert error_next_to(no_reason, f"reason-{waiting['id']}").endswith(
            da("returns.approvals.error.reason")
        )
        assert (await payment_of(returned, waiting["id"]))["status"] == "pending_approval"

        rejected = await browser.submit(
            "/console/approvals", rejection, reason="A business was not part of the plan"
        )
        assert rejected.status_code == 303
    payment = await payment_of(returned, waiting["id"])
    assert (payment["status"], payment["rejection_reason"]) == (
        "rejected",
        "A business was not part of the plan",
    )


async def test_the_officer_who_entered_a_payment_cannot_approve_it(
    client: httpx.AsyncClient, returned: Journey
):
    officer = await iom_officer(returned.return_org)
    phone = await enrolled(client, officer.user_id)  # the officer's own phone, in the field
    body = payment_body(recipient="relative", relative_justification="Her brother keeps it")
    waiting = await _pay(returned, body, phone["headers"])
    approval = f"/console/approvals/{returned.case['id']}/{waiting['id']}/approval"

    async with signed_in(client, officer) as browser:
        queue = await browser.get("/console/approvals")
        assert da("returns.approvals.recorded_by.you", name="Lars Iversen") in queue.text
        refused = await browser.submit("/console/approvals", approval)
        assert refused.status_code == 403
        assert error_next_to(refused, f"decision-{waiting['id']}").endswith(
            da("returns.approvals.error.four_eyes")
        )
    assert (await payment_of(returned, waiting["id"]))["status"] == "pending_approval"

    colleague = await iom_officer(returned.return_org, name="Sofie Dahl")
    async with signed_in(client, colleague) as browser:
        assert (await browser.submit("/console/approvals", approval)).status_code == 303
    assert (await payment_of(returned, waiting["id"]))["status"] == "approved"


# --- Closure and outcome reports --------------------------------------------------------------


async def test_a_case_is_closed_its_report_submitted_returned_and_submitted_again(
    client: httpx.AsyncClient, authority: Member, return_org: Member, partner: Member
):
    case = await Returnee(client, authority, return_org, partner).arrive(200)
    await case.report(1, 185, GOOD)
    still_supported = await Returnee(client, authority, return_org, partner).arrive(75)
    page = "/console/outcome-reports"

    async with signed_in(client, await iom_officer(return_org)) as browser:
        ready = await browser.get(page)
        assert ready.status_code == 200 and case.reference in ready.text
        assert still_supported.reference not in ready.text, "six months not over yet"
        closure = f"/console/outcome-reports/{case.id}/closure"
        unfinished = await browser.submit(page, closure, outcome="", closed_on=days_ago(5))
        assert unfinished.status_code == 422
        assert error_next_to(unfinished, f"outcome-{case.id}").endswith(
            da("returns.close.error.outcome")
        )
        too_early = await browser.submit(
            page, closure, outcome="completed", closed_on=days_ago(201)
        )
        assert error_next_to(too_early, f"closed_on-{case.id}").endswith(
            da("returns.error.before_arrival")
        )
        closed = await browser.submit(
            page, closure, outcome="completed", closed_on=days_ago(5), closure_note="Shop open"
        )
        assert closed.status_code == 303
        assert await case_status(case.journey) == "completed"

        submission = f"/console/outcome-reports/{case.id}/submission"
        submitted = await browser.submit(page, submission, note="Month 2 was not visited")
        assert submitted.status_code == 303
        await review(case, "returned", COMMENT)

        corrections = await browser.get(page)
        assert COMMENT in corrections.text
        unchanged = await browser.submit(page, submission, note="")
        assert unchanged.status_code == 422
        assert error_next_to(unchanged, f"note-{case.id}").endswith(
            da("returns.outcome.error.note")
        )
        again = await browser.submit(page, submission, note="The partner could not reach her")
        assert again.status_code == 303
        assert COMMENT not in (await browser.get(page)).text

    report = await client.get(f"{case.path}/outcome-report", headers=authority.headers)
    assert report.json()["review"]["status"] == "submitted"


# --- Reach ------------------------------------------------------------------------------------


async def test_a_case_of_another_return_organisation_is_not_found(
    client: httpx.AsyncClient, returned: Journey
):
    waiting = await _pay(returned, payment_body(category="business"))
    other_iom = await new_staff(OrganisationKind.return_org, name="Anna Berg")
    async with signed_in(client, other_iom) as browser:
        assert returned.case["reference"] not in (await browser.get("/console/returns")).text
        assert returned.case["reference"] not in (await browser.get("/console/approvals")).text
        for action, fields in (
            (f"/console/returns/{returned.case['id']}/arrival", {"arrived_on": days_ago(1)}),
            (f"/console/approvals/{returned.case['id']}/{waiting['id']}/approval", {}),
            (f"/console/outcome-reports/{returned.case['id']}/submission", {"note": "x"}),
        ):
            answer = await browser.submit("/console/returns", action, **fields)
            assert answer.status_code == 404, action
            assert da("error.not_found.title") in answer.text
    assert (await payment_of(returned, waiting["id"]))["status"] == "pending_approval"


async def test_the_pages_are_for_return_organisations_only(
    client: httpx.AsyncClient, partner: Member
):
    worker = await new_staff(OrganisationKind.partner, organisation_id=partner.organisation_id)
    async with signed_in(client, worker) as browser:
        for page in ("/console/returns", "/console/approvals", "/console/outcome-reports"):
            assert (await browser.get(page)).status_code == 403, page
        home = await browser.get("/console/")
        assert "/console/approvals" not in home.text


async def test_the_approvals_queue_comes_a_page_at_a_time(
    client: httpx.AsyncClient, returned: Journey, monkeypatch: pytest.MonkeyPatch
):
    monkeypatch.setattr(returns, "PAGE_SIZE", 1)
    first = await _pay(returned, payment_body(category="business", note="the first to wait"))
    second = await _pay(returned, payment_body(category="business", note="the second to wait"))
    async with signed_in(client, await iom_officer(returned.return_org)) as browser:
        page = await browser.get("/console/approvals")
        assert first["note"] in page.text and second["note"] not in page.text
        following = re.search(r'<a href="(\?cursor=[^"]+)" rel="next">', page.text).group(1)
        page = await browser.get("/console/approvals" + following)
        assert second["note"] in page.text and first["note"] not in page.text
        assert 'rel="next"' not in page.text
