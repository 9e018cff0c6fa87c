"""Staff sign in with a password and a second factor; a session exists only after both,
lives in the database, and ends when idle, when too old, or when signed out."""

from __future__ import annotations

from datetime import timedelta

import httpx
import msgspec

from api.app import create_app
from models.audit import AuditEntry
from models.people.tables import ConsoleSession, PendingSignIn
from models.settings import Settings
from tests.console.browser import Browser, form_token, new_staff, next_code


async def test_a_staff_member_signs_in_with_password_and_authenticator_code(browser: Browser):
    person = await new_staff()

    answer = await browser.sign_in(person)

    assert answer.status_code == 303 and answer.headers["location"] == "/console/"
    home = await browser.get("/console/")
    assert home.status_code == 200
    assert "Mette Holm" in home.text and "Udlændingestyrelsen" in home.text


async def test_between_the_steps_there_is_no_session_only_a_pending_record(browser: Browser):
    person = await new_staff()
    first = await browser.submit("/console/sign-in", email=person.email, password=person.password)

    assert first.status_code == 303 and first.headers["location"] == "/console/sign-in/code"
    assert await ConsoleSession.count() == 0
    assert await PendingSignIn.count() == 1
    assert (await browser.get("/console/")).status_code == 303, "not signed in yet"
    await browser.submit("/console/sign-in/code", code=next_code(person))
    assert await PendingSignIn.count() == 0, "used once"
    assert await ConsoleSession.count() == 1


async def test_the_pending_record_is_short_lived(browser: Browser, clock):
    person = await new_staff()
    await browser.submit("/console/sign-in", email=person.email, password=person.password)
    page = await browser.get("/console/sign-in/code")
    kept = "; ".join(f"{name}={value}" for name, value in browser.client.cookies.items())
    clock.move_to(clock.now() + timedelta(minutes=6))
    late = await browser.client.post(
        "/console/sign-in/code",
        data={"csrf_token": form_token(page), "code": person.totp.now()},
        headers={"Cookie": kept},
    )
    assert late.status_code == 401


async def test_a_wrong_password_an_unknown_address_and_a_wrong_code_read_the_same(
    browser: Browser,
):
    person = await new_staff()
    wrong_password = await browser.submit(
        "/console/sign-in", email=person.email, password="not the password at all"
    )
    unknown = await browser.submit(
        "/console/sign-in", email="nobody@us.example", password=person.password
    )
    wrong_code = await browser.sign_in(person, code="000000")

    answers = [wrong_password, unknown, wrong_code]
    assert {a.status_code for a in answers} == {401}
    messages = [a.text.split('<main id="main"', 1)[1].split("<form", 1)[0] for a in answers]
    assert messages[0] == messages[1] == messages[2]


async def test_an_authenticator_code_works_once(browser: Browser, clock):
    person = await new_staff()
    code = next_code(person)
    assert (await browser.sign_in(person, code=code)).status_code == 303
    await browser.submit("/console/sign-out")

    replayed = await browser.sign_in(person, code=code)

    assert replayed.status_code == 401
    clock.move_to(clock.now() + timedelta(seconds=60))
    assert (await browser.sign_in(person, code=person.totp.now())).status_code == 303


async def test_codes_one_step_either_side_are_accepted_and_two_steps_away_not(
    browser: Browser, clock
):
    person = await new_staff()
    two_steps_ahead = person.totp.at(clock.now() + timedelta(seconds=65))
    assert (await browser.sign_in(person, code=two_steps_ahead)).status_code == 401
    # Two minutes on, at the start of an authenticator step: signing in, however slow the
    # machine, ends inside the same step.
    later = clock.now() + timedelta(minutes=2)
    clock.move_to(later - timedelta(seconds=later.timestamp() % 30, microseconds=0))
    one_step_behind = person.totp.at(clock.now() - timedelta(seconds=30))
    assert (await browser.sign_in(person, code=one_step_behind)).status_code == 303


async def test_each_recovery_code_signs_in_once_and_is_audited(browser: Browser):
    person = await new_staff()
    recovery = person.recovery_codes[0]
    assert len(person.recovery_codes) == 10 and len(set(person.recovery_codes)) == 10

    assert (await browser.sign_in(person, code=recovery.lower())).status_code == 303
    await browser.submit("/console/sign-out")
    assert (await browser.sign_in(person, code=recovery)).status_code == 401
    assert (await browser.sign_in(person, code=person.recovery_codes[1])).status_code == 303
    assert (await AuditEntry.count().where(AuditEntry.action == "staff.recovery_code_used")) == 2


async def test_a_session_cookie_brought_along_is_never_adopted(browser: Browser):
    person = await new_staff()
    planted = "attacker-chose-this-session-id"
    browser.client.cookies.set("tracker_session", planted, domain="tracker.test", path="/console")

    await browser.sign_in(person)

    given = browser.client.cookies.get("tracker_session", path="/console")
    assert given and given != planted
    fixated = httpx.AsyncClient(transport=browser.client._transport, base_url="http://tracker.test")
    fixated.cookies.set("tracker_session", planted, domain="tracker.test", path="/console")
    async with fixated:
        assert (await fixated.get("/console/")).status_code == 303


def _cookie(answer: httpx.Response, name: str) -> str:
    return next(c for c in answer.headers.get_list("set-cookie") if c.startswith(name + "="))


async def test_the_session_cookie_is_httponly_lax_and_secure_over_https(
    client: httpx.AsyncClient, settings: Settings, clock
):
    person = await new_staff()
    transport = httpx.ASGITransport(app=create_app(settings))
    for scheme, secure in (("http", False), ("https", True)):
        clock.move_to(clock.now() + timedelta(seconds=60))
        async with httpx.AsyncClient(
            transport=transport, base_url=f"{scheme}://tracker.test"
        ) as http:
            cookie = _cookie(await Browser(http).sign_in(person), "tracker_session")
        assert "HttpOnly" in cookie and "samesite=lax" in cookie.lower()
        assert ("Secure" in cookie) is secure


async def test_https_is_believed_from_x_forwarded_proto_of_a_trusted_proxy_only(
    client: httpx.AsyncClient, settings: Settings
):
    proxied = msgspec.structs.replace(settings, trusted_proxies="10.0.0.0/8")
    https = {"X-Forwarded-Proto": "https"}
    for peer, secure in (("10.1.2.3", True), ("203.0.113.5", False)):
        transport = httpx.ASGITransport(app=create_app(proxied), client=(peer, 4000))
        async with httpx.AsyncClient(transport=transport, base_url="http://tracker.test") as http:
            cookie = _cookie(await http.get("/console/sign-in", headers=https), "tracker_browser")
        assert ("Secure" in cookie) is secure, peer


async def test_an_idle_session_ends_after_the_idle_time(browser: Browser, clock):
    person = await new_staff()
    await browser.sign_in(person)
    clock.move_to(clock.now() + timedelta(minutes=29))
    assert (await browser.get("/console/")).status_code == 200, "use keeps it alive"
    clock.move_to(clock.now() + timedelta(minutes=29))
    assert (await browser.get("/console/")).status_code == 200
    clock.move_to(clock.now() + timedelta(minutes=31))
    answer = await browser.get("/console/")
    assert answer.status_code == 303 and answer.headers["location"] == "/console/sign-in"


async def test_a_busy_session_ends_at_the_absolute_limit(
    client: httpx.AsyncClient, settings: Settings, clock
):
    person = await new_staff()
    short = msgspec.structs.replace(settings, session_absolute_hours=1)
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=create_app(short)), base_url="http://tracker.test"
    ) as http:
        browser = Browser(http)
        await browser.sign_in(person)
        for _ in range(5):
            clock.move_to(clock.now() + timedelta(minutes=10))
            assert (await browser.get("/console/")).status_code == 200
        clock.move_to(clock.now() + timedelta(minutes=11))
        assert (await browser.get("/console/")).status_code == 303


async def test_signing_out_everywhere_ends_the_sessions_of_every_browser_and_process(
    client: httpx.AsyncClient, settings: Settings, clock
):
    person = await new_staff()
    at_the_office = Browser(client)
    await at_the_office.sign_in(person)
    clock.move_to(clock.now() + timedelta(seconds=30))
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=create_app(settings)), base_url="http://tracker.test"
    ) as other_process:
        at_home = Browser(other_process)
        await at_home.sign_in(person, code=person.totp.at(clock.now() + timedelta(seconds=30)))
        assert (await at_home.get("/console/")).status_code == 200

        await at_the_office.submit("/console/sign-out", action="/console/sign-out-everywhere")

        assert (await at_home.get("/console/")).status_code == 303
        assert (await at_the_office.get("/console/")).status_code == 303


async def test_signing_out_ends_this_browsers_session_only(browser: Browser):
    person = await new_staff()
    await browser.sign_in(person)
    page = await browser.get("/console/sign-out")
    signed_out = await browser.client.post(
        "/console/sign-out", data={"csrf_token": form_token(page)}
    )
    assert signed_out.status_code == 200
    assert (await browser.get("/console/")).status_code == 303
    actions = {row["action"] for row in await AuditEntry.select(AuditEntry.action)}
    assert {"staff.signed_in", "staff.signed_out", "staff.password_set"} <= actions


async def test_after_five_failures_each_attempt_waits_longer_whatever_was_wrong(
    browser: Browser, clock
):
    person = await new_staff()
    for _ in range(5):
        wrong = await browser.submit(
            "/console/sign-in", email=person.email, password="wrong password here"
        )
        assert wrong.status_code == 401

    await browser.submit("/console/sign-in", email=person.email, password="wrong password here")
    held = await browser.submit("/console/sign-in", email=person.email, password=person.password)
    assert held.status_code == 429, "even the right password waits"
    first_wait = int(held.headers["retry-after"])
    clock.move_to(clock.now() + timedelta(seconds=first_wait + 1))
    await browser.submit("/console/sign-in", email=person.email, password="wrong password here")
    held_again = await browser.submit(
        "/console/sign-in", email=person.email, password=person.password
    )
    assert int(held_again.headers["retry-after"]) > first_wait, "the delay grows"

    unknown = "nobody@us.example"
    for _ in range(6):
        await browser.submit("/console/sign-in", email=unknown, password="wrong password here")
    same = await browser.submit("/console/sign-in", email=unknown, password="wrong password here")
    assert same.status_code == 429, "an address that does not exist is held back alike"
