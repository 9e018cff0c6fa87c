"""Every form is protected against forgery; pages come in Danish and English, follow the
public-sector form patterns, and a browser opening the service lands on the console."""

from __future__ import annotations

import re

import httpx
import pytest

from api.console import i18n
from api.console.pages import TEMPLATES
from tests.api.people import enrolled, new_person
from tests.console.browser import Browser, new_staff


async def test_a_form_posted_without_or_with_a_wrong_token_is_refused(browser: Browser):
    person = await new_staff(coordinator=True)
    await browser.sign_in(person)
    for token in (None, "forged-token"):
        data = {"csrf_token": token} if token else {}
        answer = await browser.client.post("/console/sign-out-everywhere", data=data)
        assert answer.status_code == 403
    assert (await browser.get("/console/")).status_code == 200, "still signed in"


async def test_htmx_sends_the_token_in_a_header_for_any_verb(browser: Browser):
    """The page's body gives htmx the token as a header; with it a request needs no field."""
    person = await new_staff(coordinator=True)
    await browser.sign_in(person)
    page = await browser.get("/console/")
    token = re.search(r'hx-headers=\'\{"X-CSRF-Token": "([^"]+)"\}\'', page.text).group(1)
    script = re.search(r'src="(/console/static/htmx-2\.[0-9.]+\.min\.js)"', page.text).group(1)
    assert (await browser.get(script)).status_code == 200, "the pinned copy ships"
    forged = await browser.client.post(
        "/console/sign-out-everywhere", headers={"X-CSRF-Token": "forged"}
    )
    assert forged.status_code == 403
    signed_out = await browser.client.post(
        "/console/sign-out-everywhere", headers={"X-CSRF-Token": token}
    )
    assert signed_out.status_code == 200
    assert (await browser.get("/console/")).status_code == 303, "signed out"


async def test_the_sign_in_form_is_protected_too(client: httpx.AsyncClient):
    person = await new_staff()
    answer = await client.post(
        "/console/sign-in", data={"email": person.email, "password": person.password}
    )
    assert answer.status_code == 403


async def test_a_token_of_another_browser_does_not_pass(client: httpx.AsyncClient, settings):
    person = await new_staff()
    victim = Browser(client)
    await victim.sign_in(person)
    async with httpx.AsyncClient(
        transport=client._transport, base_url="http://tracker.test"
    ) as other:
        page = await other.get("/console/sign-in")
        token = re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)
    forged = await victim.client.post("/console/sign-out-everywhere", data={"csrf_token": token})
    assert forged.status_code == 403


async def test_bearer_requests_and_enrolment_need_no_form_token(client: httpx.AsyncClient):
    user_id, _ = await new_person()
    phone = await enrolled(client, user_id)  # POST /api/v1/enrolment, no cookie, no token
    signed_out = await client.delete("/api/v1/me/token", headers=phone["headers"])
    assert signed_out.status_code == 204


async def test_a_browser_opening_the_service_lands_on_the_console(client: httpx.AsyncClient):
    root = await client.get("/")
    assert root.status_code == 302 and root.headers["location"] == "/console/"
    console = await client.get("/console/")
    assert console.status_code == 303 and console.headers["location"] == "/console/sign-in"


async def test_pages_speak_danish_by_default_and_english_when_asked(browser: Browser):
    danish = await browser.get("/console/sign-in")
    assert '<html lang="da">' in danish.text and "Log ind" in danish.text
    english = await browser.client.get(
        "/console/sign-in", headers={"Accept-Language": "en-GB,en;q=0.8"}
    )
    assert '<html lang="en">' in english.text and "Sign in" in english.text


async def test_a_person_switches_language_and_it_is_kept_on_their_account(
    client: httpx.AsyncClient,
):
    person = await new_staff()
    browser = Browser(client)
    await browser.sign_in(person)
    switched = await browser.submit(
        "/console/", action="/console/language", language="en", next="/console/"
    )
    assert switched.status_code == 303
    client.cookies.delete("tracker_language", domain="tracker.test", path="/console")
    assert '<html lang="en">' in (await browser.get("/console/")).text, "kept on the account"


async def test_errors_are_summarised_at_the_top_linking_to_each_field(browser: Browser):
    answer = await browser.submit("/console/sign-in", email="", password="")
    assert answer.status_code == 422
    summary = answer.text.split('class="error-summary"', 1)[1].split("</div>", 1)[0]
    assert 'href="#email"' in summary and 'href="#password"' in summary
    assert '<label class="label" for="email">' in answer.text
    assert "placeholder" not in answer.text
    main = answer.text.split("<main", 1)[1]
    assert main.index('class="error-summary"') < main.index("<form"), "the summary comes first"


def test_both_catalogues_hold_the_same_keys_and_every_key_the_templates_use():
    danish, english = i18n.catalogue("da"), i18n.catalogue("en")
    assert set(danish) == set(english)
    used = set()
    for template in TEMPLATES.rglob("*.html"):
        used |= set(re.findall(r'\bt\(\s*"([a-z_.]*[a-z_])"', template.read_text()))
    assert used and used <= set(english), sorted(used - set(english))


def test_a_key_written_in_two_files_of_a_language_is_refused(tmp_path, monkeypatch):
    (tmp_path / "da").mkdir()
    for area in ("cases", "review"):
        (tmp_path / "da" / f"{area}.po").write_text('msgid "home.title"\nmsgstr "Forside"\n')
    monkeypatch.setattr(i18n, "LOCALES", tmp_path)
    i18n.catalogue.cache_clear()
    try:
        with pytest.raises(ValueError, match=r"home\.title"):
            i18n.catalogue("da")
    finally:
        i18n.catalogue.cache_clear()


@pytest.mark.parametrize("language", ["da", "en"])
def test_every_text_of_a_language_is_filled_in(language):
    assert all(text.strip() for text in i18n.catalogue(language).values())
