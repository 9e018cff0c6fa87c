"""An IOM officer at a laptop approves a payment that a partner's social worker made to a
returnee's relative, with the photo of its receipt in the page."""

from __future__ import annotations

import uuid
from collections.abc import Callable

from models.organisations import OrganisationKind
from tests.api.conftest import payment_body
from tests.api.test_attachments import png
from tests.browser.tracker import Tracker
from tests.console_browser.console import Console, words


def test_an_iom_officer_approves_a_payment_to_a_relative_seeing_its_receipt(
    tracker: Tracker, signed_in: Callable[..., Console]
) -> None:
    partner = tracker.worker(OrganisationKind.partner, "NG")
    case = tracker.case(partner)
    receipt_id = str(uuid.uuid4())
    with tracker.api(partner) as http:
        uploaded = http.post(
            "/api/v1/attachments",
            data={"id": receipt_id},
            files={"file": ("receipt.png", png(), "image/png")},
        )
        assert uploaded.status_code == 201, uploaded.text
    justification = "Severely traumatised; her mother receives the rent"
    payment = tracker.post(
        partner,
        f"/api/v1/cases/{case.id}/payments",
        payment_body(
            recipient="relative", relative_justification=justification, receipt_id=receipt_id
        ),
    )
    assert payment["status"] == "pending_approval"

    console = signed_in(
        OrganisationKind.return_org, organisation_id=case.return_org.organisation_id
    )
    page = console.page
    page.get_by_role("link", name=words("da", "returns.nav.approvals")).click()
    page.wait_for_url("**/console/approvals")
    assert console.heading() == words("da", "returns.approvals.title")

    waiting = page.locator("section", has_text=justification)
    receipt = waiting.get_by_role("img")
    assert receipt.evaluate("(image) => image.complete && image.naturalWidth > 0"), "shown"
    budget = waiting.get_by_role("table")
    assert words("da", "returns.approvals.budget.budgeted") in budget.inner_text()

    waiting.get_by_role("button", name=words("da", "returns.approvals.approve")).click()
    page.wait_for_url("**/console/approvals?done=approved")
    assert page.get_by_role("status").inner_text() == words("da", "returns.done.approved")
    assert page.locator("section", has_text=justification).count() == 0

    payments = tracker.get(case.return_org, f"/api/v1/cases/{case.id}/payments")["items"]
    assert [p["status"] for p in payments] == ["approved"]
