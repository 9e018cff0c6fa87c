"""Walks every console page shares: the form token, the idle session, the keyboard."""

from __future__ import annotations

import time
from collections.abc import Callable

from playwright.sync_api import Page

from models.organisations import OrganisationKind
from tests.browser.tracker import Tracker
from tests.console.browser import next_code
from tests.console_browser.console import Console, words


def test_a_form_posted_without_its_token_is_refused_and_the_officer_stays_signed_in(
    signed_in: Callable[..., Console],
) -> None:
    console = signed_in(OrganisationKind.authority)
    console.open("/console/sign-out")
    # What a form on another site would send: no token, in the form or in htmx's header.
    console.page.evaluate(
        """() => {
            document.querySelectorAll('input[name=csrf_token]').forEach((i) => i.remove());
            document.body.removeAttribute('hx-headers');
        }"""
    )
    with console.page.expect_response(lambda answer: answer.request.method == "POST") as sent:
        console.page.locator("main form button[type=submit]").first.click()
    assert sent.value.status == 403
    console.page.wait_for_load_state()
    assert console.heading() == words("da", "error.forbidden.title")

    console.open("/console/")
    assert console.page.url.endswith("/console/")
    assert console.heading() == words("da", "home.heading").format(name="Mette Holm")


def test_an_idle_session_ends_and_the_next_page_asks_to_sign_in_again(
    tracker: Tracker, laptop: Callable[[], Console]
) -> None:
    # Six seconds, through the setting a deployer would use.
    tracker.restart(TRACKER_SESSION_IDLE_MINUTES="0.1")
    try:
        console = laptop()
        console.sign_in(console.staff(OrganisationKind.authority))
        assert console.heading() == words("da", "home.heading").format(name="Mette Holm")

        time.sleep(7)
        console.open("/console/")
        assert console.page.url.endswith("/console/sign-in")
        assert console.page.locator("#password").is_visible()
    finally:
        tracker.restart()


def _tab_to(page: Page, selector: str, presses: int = 12) -> None:
    """Press Tab until the element has the focus (and it shows that it has)."""
    for _ in range(presses):
        page.keyboard.press("Tab")
        if page.evaluate("(s) => document.activeElement.matches(s)", selector):
            break
    else:
        raise AssertionError(f"Tab never reached {selector}")
    outline = page.evaluate(
        "() => { const s = getComputedStyle(document.activeElement);"
        " return [s.outlineStyle, s.boxShadow]; }"
    )
    assert outline != ["none", "none"], f"{selector} shows no focus"


def test_a_case_officer_signs_in_with_the_keyboard_alone_and_skips_to_the_content(
    console: Console,
) -> None:
    person = console.staff(OrganisationKind.authority)
    page = console.page
    console.open("/console/sign-in")

    _tab_to(page, "#email")
    page.keyboard.type(person.email)
    _tab_to(page, "#password", presses=1)
    page.keyboard.type(person.password)
    with page.expect_navigation(url="**/console/sign-in/code"):
        page.keyboard.press("Enter")
    _tab_to(page, "#code")
    page.keyboard.type(next_code(person))
    with page.expect_navigation(url="**/console/"):
        page.keyboard.press("Enter")
    assert console.heading() == words("da", "home.heading").format(name="Mette Holm")

    # The first stop of the keyboard is the skip link, shown when it has the focus.
    _tab_to(page, "a.skip-link", presses=1)
    assert page.locator("a.skip-link").is_visible()
    assert page.locator("a.skip-link").inner_text() == words("da", "layout.skip_to_content")
    page.keyboard.press("Enter")
    assert page.evaluate("() => document.activeElement.id") == "main"
