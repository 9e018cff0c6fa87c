"""Support payments: in the plan's categories, inside the six-month window, amounts as
decimal strings; payments to a relative or over budget wait for IOM's approval."""

import asyncio

import pytest

from tests.api.conftest import Journey, another_user_of, days_ago, payment_body, when_run

#: Answers depend on today: CI also runs these at hostile instants (see .ci/run).
pytestmark = pytest.mark.dates


async def _pay(journey: Journey, body: dict, member=None):
    member = member or journey.partner
    return await journey.client.post(f"{journey.path}/payments", json=body, headers=member.headers)


async def test_a_payment_inside_the_budget_is_recorded_with_its_amount_as_a_string(
    returned: Journey,
):

    response = await _pay(returned, payment_body(amount="25000.5"))
    assert response.status_code == 201, response.text
    payment = response.json()
    assert payment["amount"] == "25000.50"
    assert (payment["status"], payment["over_budget"]) == ("recorded", False)


async def test_a_payment_above_the_budget_is_accepted_but_waits_for_approval(returned: Journey):
    await _pay(returned, payment_body(amount="100000.00"))
    over = await _pay(returned, payment_body(amount="20000.01"))
    assert over.status_code == 201
    assert (over.json()["status"], over.json()["over_budget"]) == ("pending_approval", True)


async def test_a_payment_in_a_category_without_budget_waits_for_approval(returned: Journey):
    response = await _pay(returned, payment_body(category="business"))
    assert response.json()["status"] == "pending_approval"


async def test_a_payment_to_a_relative_needs_a_justification_and_approval(returned: Journey):
    refused = await _pay(returned, payment_body(recipient="relative"))
    assert refused.status_code == 422
    assert [e["field"] for e in refused.json()["errors"]] == ["relative_justification"]

    body = payment_body(
        recipient="relative", relative_justification="severely traumatised; mother receives"
    )
    waiting = await _pay(returned, body)
    assert waiting.json()["status"] == "pending_approval"

    approval = f"{returned.path}/payments/{body['id']}/approval"
    assert (
        await returned.client.post(approval, headers=returned.partner.headers)
    ).status_code == 403
    approved = await returned.client.post(approval, headers=returned.return_org.headers)
    assert approved.json()["status"] == "approved"
    again = await returned.client.post(approval, headers=returned.return_org.headers)
    assert again.status_code == 200


async def test_the_return_org_rejects_a_payment_with_a_reason(returned: Journey):
    body = payment_body(category="business")
    await _pay(returned, body)
    rejection = f"{returned.path}/payments/{body['id']}/rejection"
    rejected = await returned.client.post(
        rejection, json={"reason": "not in the plan"}, headers=returned.return_org.headers
    )
    assert (rejected.json()["status"], rejected.json()["rejection_reason"]) == (
        "rejected",
        "not in the plan",
    )
    late = await returned.client.post(
        f"{returned.path}/payments/{body['id']}/approval", headers=returned.return_org.headers
    )
    assert late.status_code == 409


async def test_a_recorded_payment_needs_no_approval(returned: Journey):
    body = payment_body()
    await _pay(returned, body)
    response = await returned.client.post(
        f"{returned.path}/payments/{body['id']}/approval", headers=returned.return_org.headers
    )
    assert response.status_code == 409


@pytest.mark.parametrize(
    ("amount", "field"),
    [
        (25000.0, "amount"),
        ("NaN", "amount"),
        ("2.5e4", "amount"),
        ("-10.00", "amount"),
        ("10.001", "amount"),
        ("1000000000000.00", "amount"),
        ("0.00", "amount"),
    ],
)
async def test_amounts_must_be_positive_decimal_strings(returned: Journey, amount, field):
    response = await _pay(returned, payment_body(amount=amount))
    assert response.status_code == 422, response.text
    assert [e["field"] for e in response.json()["errors"]] == [field]


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"paid_on": lambda: days_ago(80)}, "paid_on"),
        ({"paid_on": lambda: days_ago(-3)}, "paid_on"),
        ({"category": "jewellery"}, "category"),
        ({"currency": "XYZ"}, "currency"),
        ({"method": "cheque"}, "method"),
        ({"month": 7}, "month"),
    ],
)
async def test_bad_payments_are_refused_naming_the_field(returned: Journey, change, field):
    response = await _pay(returned, payment_body(**when_run(change)))
    assert response.status_code == 422, response.text
    assert [e["field"] for e in response.json()["errors"]] == [field]


async def test_twenty_simultaneous_identical_payments_make_one_record(returned: Journey):
    body = payment_body()
    responses = await asyncio.gather(*(_pay(returned, body) for _ in range(20)))
    assert sorted(r.status_code for r in responses) == [200] * 19 + [201]
    listed = await returned.client.get(
        f"{returned.path}/payments", headers=returned.partner.headers
    )
    assert len(listed.json()["items"]) == 1


async def test_simultaneous_different_payments_are_all_kept(returned: Journey):
    bodies = [payment_body(amount="100.00") for _ in range(20)]
    responses = await asyncio.gather(*(_pay(returned, body) for body in bodies))
    assert [r.status_code for r in responses] == [201] * 20
    listed = await returned.client.get(
        f"{returned.path}/payments", headers=returned.partner.headers
    )
    assert len(listed.json()["items"]) == 20


async def test_payment_lists_are_compressed_and_cacheable(returned: Journey):
    for _ in range(8):
        await _pay(returned, payment_body(amount="10.00", note="paid at the market in Benin City"))
    path = f"{returned.path}/payments"
    response = await returned.client.get(
        path, headers={**returned.partner.headers, "Accept-Encoding": "gzip"}
    )
    assert response.headers["content-encoding"] == "gzip"
    again = await returned.client.get(
        path, headers={**returned.partner.headers, "If-None-Match": response.headers["etag"]}
    )
    assert again.status_code == 304


async def test_the_person_who_recorded_a_payment_may_not_approve_it(returned: Journey):
    """Four eyes: IOM records an over-budget payment to a relative; another IOM officer, not
    the one who recorded it, decides it."""
    recorder = returned.return_org
    body = payment_body(
        amount="500000.00", recipient="relative", relative_justification="her mother's rent"
    )
    paid = await returned.client.post(
        f"{returned.path}/payments", json=body, headers=recorder.headers
    )
    assert paid.json()["status"] == "pending_approval"
    approval = f"{returned.path}/payments/{body['id']}/approval"

    own = await returned.client.post(approval, headers=recorder.headers)
    assert own.status_code == 403, own.text

    colleague = await another_user_of(recorder)
    approved = await returned.client.post(approval, headers=colleague)
    assert approved.status_code == 200, approved.text
    assert approved.json()["status"] == "approved"
