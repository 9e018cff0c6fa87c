"""Every console page each kind of organisation reaches, in Danish and in English: no
accessibility violation axe-core finds at WCAG 2.1 A and AA, no page over 100 KB of HTML,
no server error, no link to a page that is not there.

The pages are found, not listed: from the home page, every link to the console is followed,
one example of each kind of address (ids and query strings set aside), so that every page
added later is checked as soon as something links to it."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from functools import cache
from urllib.parse import urldefrag, urlsplit

import pytest
from playwright.sync_api import Page

from api.app import create_app
from models.organisations import OrganisationKind
from models.settings import Settings
from tests.browser.tracker import Tracker
from tests.console_browser.axe import violations
from tests.console_browser.console import Console
from tests.console_browser.world import World, organisation_of, seed

#: No page over 100 KB before compression.
LARGEST_PAGE = 100_000
#: Enough for every kind of page an organisation sees, with room to grow.
MOST_PAGES = 80
#: Links the crawl does not follow: signing out, the stylesheet and scripts.
NOT_FOLLOWED = re.compile(r"^/console/(sign-out|static/|language)")
_UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}", re.I)

VISITORS = [
    pytest.param(OrganisationKind.authority, False, id="authority"),
    pytest.param(OrganisationKind.centre, False, id="centre"),
    pytest.param(OrganisationKind.return_org, False, id="return_org"),
    pytest.param(OrganisationKind.partner, True, id="partner_coordinator"),
]


def pattern(path: str) -> str:
    """One kind of address: ids and numbers set aside (the query is already gone)."""
    path = _UUID.sub("{id}", path.rstrip("/") or "/")
    return re.sub(r"/\d+(?=/|$)", "/{n}", path)


@cache
def routed() -> list[re.Pattern[str]]:
    """The console's addresses the app answers, as patterns."""
    app = create_app(Settings(database_url="sqlite:///unused.sqlite"))
    return [
        re.compile("^" + re.sub(r"\{[^}]+\}", "[^/]+", route.path.rstrip("/")) + "/?$")
        for route in app.routes
        if route.path.startswith("/console")
    ]


def is_routed(path: str) -> bool:
    return any(route.match(path) for route in routed())


def console_links(page: Page, origin: str) -> list[str]:
    hrefs = page.eval_on_selector_all("a[href]", "(links) => links.map((a) => a.href)")
    found = []
    for href in hrefs:
        address = urlsplit(urldefrag(href).url)
        if f"{address.scheme}://{address.netloc}" != origin:
            continue
        if not address.path.startswith("/console/") or NOT_FOLLOWED.match(address.path):
            continue
        found.append(address.path + (f"?{address.query}" if address.query else ""))
    return found


def crawl(
    console: Console, language: str, start: str = "/console/"
) -> Iterator[tuple[str, list[str]]]:
    """Each page reached (one of each pattern) with what is wrong with it."""
    origin = console.tracker.url
    seen, queue = {pattern(urlsplit(start).path)}, [start]
    while queue:
        assert len(seen) <= MOST_PAGES, f"more than {MOST_PAGES} kinds of page: {sorted(seen)}"
        address = queue.pop(0)
        problems: list[str] = []
        fetched = console.page.context.request.get(address, max_redirects=0)
        kind = fetched.headers.get("content-type", "")
        if fetched.status >= 300 or not kind.startswith("text/html"):
            if fetched.status >= 400 and not is_routed(urlsplit(address).path):
                continue  # linked ahead of the page that is still being built
            if fetched.status >= 300:
                problems.append(f"answered {fetched.status}")
            yield address, problems
            continue
        if len(fetched.body()) >= LARGEST_PAGE:
            problems.append(f"{len(fetched.body()):,} bytes of HTML")
        console.open(address)
        if console.language() != language:
            problems.append(f"in {console.language()!r}, not {language!r}")
        problems += violations(console.page)
        yield address, problems
        for link in console_links(console.page, origin):
            kind_of_page = pattern(urlsplit(link).path)
            if kind_of_page not in seen:
                seen.add(kind_of_page)
                queue.append(link)


@pytest.fixture(scope="module")
def world(tracker: Tracker) -> World:
    return seed(tracker)


@pytest.mark.parametrize("language", ["da", "en"])
@pytest.mark.parametrize(("kind", "coordinator"), VISITORS)
def test_every_page_an_organisation_reaches_passes_axe_and_stays_small(
    world: World,
    laptop: Callable[..., Console],
    kind: OrganisationKind,
    coordinator: bool,
    language: str,
) -> None:
    console = laptop(bypass_csp=True)
    console.open("/console/sign-in")
    if console.language() != language:
        console.choose_language(language)
    before = {"/console/sign-in": violations(console.page)}
    person = console.staff(
        kind, coordinator=coordinator, organisation_id=organisation_of(world, kind).organisation_id
    )
    console.sign_in(person)
    if console.language() != language:
        console.choose_language(language)

    found = before | dict(crawl(console, language))

    assert "/console/" in found
    wrong = {address: problems for address, problems in found.items() if problems}
    assert not wrong, "\n".join(
        f"{address}:\n  " + "\n  ".join(problems) for address, problems in wrong.items()
    )
