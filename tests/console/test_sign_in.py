"""Staff sign in with a password and a second factor; a session exists only after both."""

from __future__ import annotations

from tests.console.browser import Browser, new_staff


async def test_a_staff_member_signs_in_with_password_and_authenticator_code(browser: Browser):
    person = await new_staff()

    answer = await browser.sign_in(person)

    assert answer.status_code == 303 and answer.headers["location"] == "/console/"
    home = await browser.get("/console/")
    assert home.status_code == 200
    assert "Mette Holm" in home.text
