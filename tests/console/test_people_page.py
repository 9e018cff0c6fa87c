"""A coordinator manages their own organisation's people and phones, and nobody else's."""

from __future__ import annotations

import re
import uuid

import httpx
import pytest

from models.audit import AuditEntry
from models.errors import Forbidden
from models.organisations import OrganisationKind
from models.people import enrolment
from tests.api.people import enrolled, phone
from tests.console.browser import Browser, form_token, new_staff


async def _worker_of(client: httpx.AsyncClient, organisation_id: uuid.UUID) -> tuple:
    from models.organisations import add_user

    user, _ = await add_user(organisation_id=organisation_id, name="Amaka Eze")
    return user.id, await enrolled(client, user.id)


async def test_a_coordinator_sees_the_people_and_phones_of_their_organisation(
    client: httpx.AsyncClient,
):
    coordinator = await new_staff(OrganisationKind.return_org, coordinator=True)
    _, device = await _worker_of(client, coordinator.organisation_id)
    browser = Browser(client)
    await browser.sign_in(coordinator)

    page = await browser.get("/console/people")

    assert page.status_code == 200
    assert "Amaka Eze" in page.text and "Tecno Spark 10" in page.text
    assert device["token"] not in page.text


async def test_a_coordinator_makes_an_enrolment_code_shown_as_a_qr_code(
    client: httpx.AsyncClient,
):
    coordinator = await new_staff(OrganisationKind.partner, coordinator=True)
    worker_id, _ = await _worker_of(client, coordinator.organisation_id)
    browser = Browser(client)
    await browser.sign_in(coordinator)

    shown = await browser.submit(
        "/console/people", action=f"/console/people/{worker_id}/enrolment-code"
    )

    assert shown.status_code == 200 and "<svg" in shown.text
    code = re.search(r'id="enrolment-code">([^<]+)<', shown.text).group(1)
    assert (await client.post("/api/v1/enrolment", json=phone(code))).status_code == 201


async def test_a_coordinator_revokes_a_device_and_ends_a_persons_sessions(
    client: httpx.AsyncClient, clock
):
    from datetime import timedelta

    coordinator = await new_staff(OrganisationKind.authority, coordinator=True)
    colleague = await new_staff(organisation_id=coordinator.organisation_id, name="Jens Berg")
    _, device = await _worker_of(client, coordinator.organisation_id)
    browser = Browser(client)
    await browser.sign_in(coordinator)
    clock.move_to(clock.now() + timedelta(seconds=30))
    async with httpx.AsyncClient(
        transport=client._transport, base_url="http://tracker.test"
    ) as other:
        colleagues_browser = Browser(other)
        await colleagues_browser.sign_in(colleague)
        assert (await colleagues_browser.get("/console/")).status_code == 200

        await browser.submit(
            "/console/people", action=f"/console/people/devices/{device['device_id']}/revocation"
        )
        await browser.submit(
            "/console/people", action=f"/console/people/{colleague.user_id}/sessions-ended"
        )

        assert (await colleagues_browser.get("/console/")).status_code == 303
    gone = await client.get("/api/v1/me", headers=device["headers"])
    assert gone.json()["type"].endswith("/token-revoked")


async def test_nobody_manages_another_organisations_people(client: httpx.AsyncClient):
    coordinator = await new_staff(OrganisationKind.partner, coordinator=True)
    stranger = await new_staff(OrganisationKind.partner, coordinator=True)
    their_worker, their_device = await _worker_of(client, stranger.organisation_id)
    browser = Browser(client)
    await browser.sign_in(coordinator)
    page = await browser.get("/console/people")
    assert "Amaka Eze" not in page.text
    token = form_token(page)

    for action in (
        f"/console/people/{their_worker}/enrolment-code",
        f"/console/people/devices/{their_device['device_id']}/revocation",
        f"/console/people/{stranger.user_id}/sessions-ended",
        f"/console/people/{their_worker}/coordinator",
        f"/console/people/{their_worker}/invitation",
    ):
        answer = await browser.client.post(
            action, data={"csrf_token": token, "email": "x@y.example"}
        )
        assert answer.status_code == 404, action
    assert (await client.get("/api/v1/me", headers=their_device["headers"])).status_code == 200


async def test_a_person_who_is_not_a_coordinator_manages_nobody(client: httpx.AsyncClient):
    officer = await new_staff(OrganisationKind.authority)
    browser = Browser(client)
    await browser.sign_in(officer)
    assert (await browser.get("/console/people")).status_code == 403
    with pytest.raises(Forbidden):
        await enrolment.issue_code(
            caller=_caller(officer), user_id=officer.user_id, public_url="http://x"
        )


def _caller(person):
    from models.organisations import Caller, OrganisationKind

    return Caller(person.user_id, person.organisation_id, OrganisationKind.authority)


async def test_sign_in_events_are_audited_without_a_case_and_read_by_the_own_organisation(
    client: httpx.AsyncClient,
):
    from tests.conftest import Member

    coordinator = await new_staff(OrganisationKind.authority, coordinator=True)
    browser = Browser(client)
    await browser.submit(
        "/console/sign-in", email=coordinator.email, password="wrong password here"
    )
    await browser.sign_in(coordinator)
    page = await browser.get("/console/people")
    assert "Mislykket login" in page.text and "Logget ind" in page.text

    from models.organisations import issue_token

    token = await issue_token(user_id=coordinator.user_id)
    member = Member(OrganisationKind.authority, coordinator.organisation_id, token)
    trail = (await client.get("/api/v1/audit", headers=member.headers)).json()["items"]
    actions = [entry["action"] for entry in trail]
    assert {
        "staff.invited",
        "staff.password_set",
        "staff.sign_in_failed",
        "staff.signed_in",
    } <= set(actions)
    assert all(entry.get("case_id") is None for entry in trail)
    stranger = await new_staff(OrganisationKind.authority)
    assert (
        await AuditEntry.count().where(AuditEntry.organisation_id == stranger.organisation_id) == 2
    ), "the stranger's own invitation and welcome only"
