"""CMM in Chromium, in Danish: a case officer drafts a story from a completed case, the
check shows the returnee's name in the text, she rephrases and saves; a colleague approves
it, finds it by country and language, and prints its card on one A4 page."""

from __future__ import annotations

import re
from collections.abc import Callable

import httpx

from models.organisations import OrganisationKind
from tests.api.test_stories import PERSON, YEAR, completed_case, in_year
from tests.browser.tracker import Tracker
from tests.console_browser.console import Console, words

STORY = (
    "Efter hjemkomsten åbnede hun et skrædderi.\n\n"
    "I dag har hun to lærlinge og betaler selv sin husleje."
)
#: An A4 page in PostScript points, as Chromium writes it in a PDF's MediaBox.
A4 = (595, 842)


def story_world(tracker: Tracker) -> tuple:
    """A centre, and a completed case it opened, with story consent; two more like it, so
    that a published story cannot point at one returnee."""
    centre = tracker.worker(OrganisationKind.centre, "DK")
    authority = tracker.worker(OrganisationKind.authority, "DK")
    return_org = tracker.worker(OrganisationKind.return_org, "CH")
    partner = tracker.worker(OrganisationKind.partner, "NG")

    async def walk() -> dict:
        async with httpx.AsyncClient(base_url=tracker.url, timeout=60) as http:
            own = await completed_case(
                http, centre, return_org, partner, residence_status="legal_residence"
            )
            for _ in range(2):
                await completed_case(http, authority, return_org, partner, arrived=in_year(YEAR))
        return own.case

    return centre, tracker.harness.run(walk())


def test_cmm_drafts_a_story_a_colleague_approves_it_and_prints_its_card(
    tracker: Tracker, laptop: Callable[..., Console]
) -> None:
    centre, case = story_world(tracker)
    mette = laptop()
    mette.sign_in(mette.staff(OrganisationKind.centre, organisation_id=centre.organisation_id))
    page = mette.page
    t = lambda key: words("da", key)  # noqa: E731

    mette.open("/console/stories")
    page.locator(f'a[href="/console/stories/new?case_id={case["id"]}"]').click()
    page.wait_for_url("**/console/stories/new?case_id=*")
    page.locator("#title").fill("Sin egen butik")
    page.locator("#language").fill("da")
    page.locator("#text").fill(f"{PERSON['given_name']} kom hjem. {STORY}")
    page.get_by_role("button", name=t("stories.new.check")).click()
    page.wait_for_load_state()
    findings = page.locator("#text-findings")
    assert t("stories.finding.given_name") in findings.inner_text()

    page.locator("#text").fill(STORY)
    page.get_by_role("button", name=t("stories.new.check")).click()
    page.wait_for_load_state()
    assert t("stories.check.none") in page.locator(".story-check").inner_text()
    with page.expect_navigation(url=re.compile(r"/console/stories/[0-9a-f-]{36}$")):
        page.get_by_role("button", name=t("stories.new.save")).click()
    story_path = page.url.removeprefix(tracker.url)

    jens = laptop()
    jens.sign_in(
        jens.staff(
            OrganisationKind.centre, organisation_id=centre.organisation_id, name="Jens Berg"
        )
    )
    jens.open(story_path)
    with jens.page.expect_navigation():
        jens.page.get_by_role("button", name=t("stories.approve.button")).click()
    assert t("stories.status.published") in jens.page.locator("main").inner_text()

    jens.open("/console/stories")
    jens.page.locator("#origin_country").fill("NG")
    jens.page.locator("#language").fill("da")
    with jens.page.expect_navigation():
        jens.page.get_by_role("button", name=t("stories.search.button")).click()
    jens.page.locator(f'#published-results a[href="{story_path}"]').click()
    jens.page.wait_for_url(f"**{story_path}")
    jens.page.locator(f'a[href="{story_path}/card"]').click()
    jens.page.wait_for_url(f"**{story_path}/card")

    card = jens.page.locator("article.story-card")
    assert t("stories.card.kicker") in card.text_content()
    assert PERSON["given_name"] not in card.text_content()
    jens.page.emulate_media(media="print")
    assert not jens.page.locator("header.header").is_visible()
    pdf = jens.page.pdf(prefer_css_page_size=True)
    pages = re.findall(rb"/Type\s*/Page(?!s)", pdf)
    assert len(pages) == 1, f"{len(pages)} pages"
    box = re.search(rb"/MediaBox\s*\[\s*0 0 ([\d.]+) ([\d.]+)\s*\]", pdf)
    assert box and (round(float(box[1])), round(float(box[2]))) == A4
