"""Every console page each kind of organisation reaches, in Danish and in English: no
accessibility violation axe-core finds at WCAG 2.1 A and AA, no page over 100 KB of HTML,
no server error, no link to a page that is not there.

The pages are found, not listed: from the home page, every link to the console is followed,
one example of each kind of address (ids and query strings set aside), so that every page
added later is checked as soon as something links to it."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from urllib.parse import urldefrag, urlsplit

import pytest
from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import Page

from models.organisations import OrganisationKind
from tests.console_browser.axe import violations
from tests.console_browser.console import Console
from tests.console_browser.world import World, organisation_of

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


def navigation_problems(page: Page, path: str) -> list[str]:
    """The navigation marks the page it is on, and only that one."""
    marked = page.eval_on_selector_all(
        "header nav a", "(links) => links.map((a) => [a.pathname, a.getAttribute('aria-current')])"
    )
    current = [href for href, flag in marked if flag == "page"]
    problems = [f"the navigation marks {current} as the current page"] if len(current) > 1 else []
    if any(href == path for href, _ in marked) and current != [path]:
        problems.append("its link in the navigation is not marked aria-current")
    return problems


def crawl(console: Console, language: str, *starts: str) -> Iterator[tuple[str, list[str]]]:
    """Each page reached from ``starts`` (one of each pattern beyond them) with what is
    wrong with it: every page in the person's ``language``."""
    origin = console.tracker.url
    seen, queue = {pattern(urlsplit(start).path) for start in starts}, list(starts)
    while queue:
        assert len(seen) <= MOST_PAGES, f"more than {MOST_PAGES} kinds of page: {sorted(seen)}"
        address = queue.pop(0)
        path = urlsplit(address).path
        if "." in path.rsplit("/", 1)[-1]:  # a download (CSV, say): no page to check
            answer = console.page.context.request.get(address)
            status, kind = answer.status, answer.headers.get("content-type", "")
        else:
            try:
                answer = console.open(address)
            except PlaywrightError as error:  # a file the browser downloads (a PDF, say)
                if "Download is starting" not in str(error):
                    raise
                answer = console.page.context.request.get(address)
            status, kind = answer.status, answer.headers.get("content-type", "")
        if status >= 400 or not kind.startswith("text/html"):
            yield address, [f"answered {status}"] if status >= 400 else []
            continue
        problems = violations(console.page) + navigation_problems(console.page, path)
        if console.language() != language:
            problems.append(f"its language is {console.language()!r}, not {language!r}")
        if len(answer.body()) >= LARGEST_PAGE:
            problems.append(f"{len(answer.body()):,} bytes of HTML")
        yield address, problems
        for link in console_links(console.page, origin):
            kind_of_page = pattern(urlsplit(link).path)
            if kind_of_page not in seen:
                seen.add(kind_of_page)
                queue.append(link)


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

    # Its case pages in every status too: each status has forms of its own.
    cases = [f"/console/cases/{case}" for name, case in world.cases.items() if name != "centre"]
    starts = ["/console/", *(cases if kind == OrganisationKind.authority else [])]
    found = before | dict(crawl(console, language, *starts))

    assert "/console/" in found
    wrong = {address: problems for address, problems in found.items() if problems}
    named = {case: name for name, case in world.cases.items()}
    assert not wrong, "\n".join(
        f"{address} ({', '.join(named[i] for i in _UUID.findall(address) if i in named)}):\n  "
        + "\n  ".join(problems)
        for address, problems in wrong.items()
    )


def test_the_pages_of_mistakes_and_refusals_pass_axe_too(
    laptop: Callable[..., Console],
) -> None:
    """What the crawl does not reach: a form sent back with its errors, the second step of
    signing in, and the page refusing a form without its token, in both languages."""
    console = laptop(bypass_csp=True)
    person = console.staff(OrganisationKind.authority)
    found: dict[str, list[str]] = {}
    for language in ("da", "en"):
        console.open("/console/sign-in")
        if console.language() != language:
            console.choose_language(language)
        with console.page.expect_navigation():
            console.page.locator("main form button[type=submit]").click()
        assert console.page.locator(".error-summary").is_visible()
        found[f"sign-in with errors, {language}"] = violations(console.page)

        console.page.locator("#email").fill(person.email)
        console.page.locator("#password").fill(person.password)
        with console.page.expect_navigation(url="**/console/sign-in/code"):
            console.page.locator("main form button[type=submit]").click()
        found[f"the code, {language}"] = violations(console.page)

        console.page.evaluate(
            "() => document.querySelector('main input[name=csrf_token]').remove()"
        )
        with console.page.expect_response(lambda answer: answer.status == 403):
            console.page.locator("main form button[type=submit]").click()
        console.page.wait_for_load_state()
        found[f"refused, {language}"] = violations(console.page)

    wrong = {page: problems for page, problems in found.items() if problems}
    assert not wrong, wrong
