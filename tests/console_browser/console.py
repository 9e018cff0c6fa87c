"""A case officer at a laptop: Chromium on the console's real pages, signed in through the
sign-in pages (password, then the authenticator's code), as a person would."""

from __future__ import annotations

from dataclasses import dataclass, field

from playwright.sync_api import Page, Response

from api.console import i18n
from models.organisations import OrganisationKind
from tests.browser.tracker import Tracker
from tests.console.browser import Staff, new_staff, next_code

#: An office laptop in Copenhagen.
LAPTOP = {
    "viewport": {"width": 1280, "height": 800},
    "locale": "da-DK",
    "timezone_id": "Europe/Copenhagen",
}


def words(language: str, key: str) -> str:
    """A text of the pages, as the catalogue has it."""
    return i18n.catalogue(language)[key]


@dataclass
class Console:
    page: Page
    tracker: Tracker
    person: Staff | None = None
    #: Answers of the server that were errors (5xx), or scripts that threw.
    failures: list[str] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.page.on("pageerror", lambda error: self.failures.append(f"script: {error}"))
        self.page.on(
            "response",
            lambda answer: (
                answer.status >= 500 and self.failures.append(f"{answer.status} {answer.url}")
            ),
        )

    def staff(
        self,
        kind: OrganisationKind = OrganisationKind.authority,
        *,
        coordinator: bool = False,
        organisation_id=None,
        name: str = "Mette Holm",
    ) -> Staff:
        """A staff member who accepted their invitation (of a new organisation unless one
        is given)."""
        return self.tracker.in_database(
            lambda: new_staff(
                kind, coordinator=coordinator, organisation_id=organisation_id, name=name
            )
        )

    def open(self, path: str) -> Response:
        answer = self.page.goto(path)
        assert answer is not None, path
        return answer

    def sign_in(self, person: Staff) -> None:
        """Both steps of the sign-in pages, with the mouse; ends on the home page."""
        self.open("/console/sign-in")
        self.page.locator("#email").fill(person.email)
        self.page.locator("#password").fill(person.password)
        self.page.locator("main form button[type=submit]").click()
        self.page.wait_for_url("**/console/sign-in/code")
        self.page.locator("#code").fill(next_code(person))
        self.page.locator("main form button[type=submit]").click()
        self.page.wait_for_url("**/console/")
        self.person = person

    def heading(self) -> str:
        return self.page.locator("main h1").first.inner_text()

    def language(self) -> str:
        return self.page.locator("html").get_attribute("lang") or ""

    def choose_language(self, language: str) -> None:
        """The header's language switch (kept on the person's account)."""
        with self.page.expect_navigation():
            self.page.locator(f".language-switch button[value={language}]").click()
        assert self.language() == language
