"""An invitation leads to a welcome page: a password, an authenticator, recovery codes."""

from __future__ import annotations

import re
import uuid
from datetime import timedelta

import httpx
import pyotp

from models.organisations import OrganisationKind, add_organisation, add_user
from models.people import staff
from models.people.tables import StaffCredential
from tests.console.browser import PASSWORD, Browser, new_staff, next_code


async def _invited(email: str = "case.officer@us.example") -> tuple[uuid.UUID, str]:
    organisation = await add_organisation(
        name="Udlændingestyrelsen", kind=OrganisationKind.authority, country="DK"
    )
    user, _ = await add_user(organisation_id=organisation.id, name="Mette Holm")
    issued = await staff.invite(
        caller=None, user_id=user.id, email=email, public_url="https://tracker.example"
    )
    assert issued.url.startswith("https://tracker.example/console/welcome/")
    return user.id, "/console/welcome/" + issued.url.rsplit("/", 1)[1]


def _secret(page: httpx.Response) -> str:
    return re.search(r'id="manual-key">([^<]+)<', page.text).group(1).replace(" ", "")


async def test_the_welcome_page_sets_password_and_authenticator_and_shows_ten_codes_once(
    browser: Browser,
):
    _, link = await _invited()
    page = await browser.get(link)
    assert page.status_code == 200 and "<svg" in page.text, "a QR code and the manual key"
    secret = _secret(page)

    done = await browser.submit(
        link, password=PASSWORD, password_again=PASSWORD, code=pyotp.TOTP(secret).now()
    )

    assert done.status_code == 200
    shown = re.findall(r'<li class="code-display">([^<]+)</li>', done.text)
    assert len(shown) == 10
    assert (await browser.get(link)).status_code == 404, "the link works once"


async def test_weak_and_common_passwords_and_wrong_codes_are_refused_by_field(browser: Browser):
    _, link = await _invited()
    page = await browser.get(link)
    code = pyotp.TOTP(_secret(page)).now()
    for password, field in (("short pass", "password"), ("administrator", "password")):
        refused = await browser.submit(link, password=password, password_again=password, code=code)
        assert refused.status_code == 422 and f'href="#{field}"' in refused.text
    common = "1QAZ2WSX3EDC"
    refused = await browser.submit(link, password=common, password_again=common, code=code)
    assert refused.status_code == 422, "on the list of common passwords"
    wrong = await browser.submit(link, password=PASSWORD, password_again=PASSWORD, code="123456")
    assert wrong.status_code == 422 and 'href="#code"' in wrong.text
    mismatch = await browser.submit(
        link, password=PASSWORD, password_again=PASSWORD + "x", code=code
    )
    assert 'href="#password_again"' in mismatch.text


async def test_an_invitation_expires_after_72_hours(browser: Browser, clock):
    _, link = await _invited()
    clock.move_to(clock.now() + timedelta(hours=71))
    assert (await browser.get(link)).status_code == 200
    clock.move_to(clock.now() + timedelta(hours=1, seconds=1))
    assert (await browser.get(link)).status_code == 404


async def test_a_new_invitation_stops_the_old_password_and_authenticator(browser: Browser, clock):
    person = await new_staff()
    await browser.sign_in(person)
    assert (await browser.get("/console/")).status_code == 200

    await staff.invite(
        caller=None, user_id=person.user_id, email=person.email, public_url="http://tracker.test"
    )

    assert (await browser.get("/console/")).status_code == 303, "sessions ended"
    assert await StaffCredential.count() == 0
    clock.move_to(clock.now() + timedelta(minutes=1))
    assert (await browser.sign_in(person, code=next_code(person))).status_code == 401
    assert (await browser.sign_in(person, code=person.recovery_codes[0])).status_code == 401
