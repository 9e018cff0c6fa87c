"""CMM's story library: a case officer drafts a success story from a completed case whose
returnee consented, the check shows what still points at the returnee, a colleague
approves it, and the printed card tells the story without the person."""

from __future__ import annotations

import re
import uuid
from typing import Any

import httpx
import pytest

from api.console.stories import PAGE_SIZE
from models.organisations import OrganisationKind
from models.stories.drafting import REFUSALS_BEFORE_LOCK
from tests.api.test_stories import PERSON, REPRESENTATIVE, YEAR, completed_case, in_year
from tests.conftest import Member, make_member
from tests.console.browser import Browser, Staff, new_staff, signed_in

#: Answers depend on today, as the API's story tests do.
pytestmark = pytest.mark.dates

STORY = (
    "After she came home she opened a tailoring shop.\n\n"
    "Today she trains two apprentices and pays her own rent."
)


async def case_officer_of(centre: Member, name: str) -> Staff:
    return await new_staff(
        OrganisationKind.centre, organisation_id=centre.organisation_id, name=name
    )


async def cases_like_it(client, authority, return_org, partner, count: int = 2) -> None:
    """Other completed cases of the same country, form and year: enough of them that the
    published facts cannot point at one returnee."""
    for _ in range(count):
        await completed_case(client, authority, return_org, partner, arrived=in_year(YEAR))


async def centres_case(client, centre, return_org, partner, **changes: Any) -> dict[str, Any]:
    """A completed case CMM opened itself (a returnee with legal residence)."""
    journey = await completed_case(
        client, centre, return_org, partner, residence_status="legal_residence", **changes
    )
    return journey.case


async def submit_draft(
    browser: Browser, case_id: str, button: str, title: str, text: str, language: str = "en"
):
    page = await browser.get(f"/console/stories/new?case_id={case_id}")
    assert page.status_code == 200, page.text
    token = re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)
    return await browser.client.post(
        "/console/stories/new",
        data={
            "csrf_token": token,
            "case_id": case_id,
            "title": title,
            "text": text,
            "language": language,
            "action": button,
        },
    )


async def test_a_case_officer_drafts_a_story_a_colleague_approves_it_and_its_card_is_printed(
    client: httpx.AsyncClient, centre, authority, return_org, partner
):
    case = await centres_case(client, centre, return_org, partner)
    await cases_like_it(client, authority, return_org, partner)
    mette = await case_officer_of(centre, "Mette Holm")
    jens = await case_officer_of(centre, "Jens Berg")

    async with signed_in(client, mette) as browser:
        library = await browser.get("/console/stories")
        assert library.status_code == 200
        assert f'href="/console/stories/new?case_id={case["id"]}"' in library.text
        assert 'aria-current="page"' in library.text

        # The first text names the returnee: the check says so, next to the text.
        named = f"{PERSON['given_name']} came home. {STORY}"
        title = f"The {PERSON['family_name']} shop"
        checked = await submit_draft(browser, case["id"], "check", title, named)
        assert checked.status_code == 200
        assert 'aria-describedby="text-hint text-findings"' in checked.text
        assert 'aria-describedby="title-hint title-findings"' in checked.text
        assert "the returnee&#39;s given name" in checked.text
        assert "the returnee&#39;s family name" in checked.text
        assert "the returnee&#39;s date of birth" not in checked.text

        # Saving it anyway is refused, and the findings are shown again.
        refused = await submit_draft(browser, case["id"], "save", "A shop of her own", named)
        assert refused.status_code == 422
        assert 'href="#text"' in refused.text and "personal data of the returnee" in refused.text
        assert "the returnee&#39;s given name" in refused.text

        # Rephrased, the check finds nothing and the draft is saved.
        clear = await submit_draft(browser, case["id"], "check", "A shop of her own", STORY)
        assert "The check found no personal data" in clear.text
        saved = await submit_draft(browser, case["id"], "save", "A shop of her own", STORY)
        assert saved.status_code == 303
        story_path = saved.headers["location"]
        draft = await browser.get(story_path)
        assert "Draft" in draft.text and "tailoring shop" in draft.text

    async with signed_in(client, jens) as colleague:
        drafts = await colleague.get("/console/stories")
        assert f'href="{story_path}"' in drafts.text
        approved = await colleague.submit(story_path, action=f"{story_path}/approval")
        assert approved.status_code == 303
        story = await colleague.get(story_path)
        assert "Published" in story.text and f'href="{story_path}/card"' in story.text

        found = await colleague.client.get(
            "/console/stories", params={"origin_country": "ng", "language": "en"}
        )
        assert found.status_code == 200 and f'href="{story_path}"' in found.text
        for other in ({"origin_country": "TH"}, {"language": "fr"}, {"exploitation": "other"}):
            assert (
                f'href="{story_path}"'
                not in (await colleague.client.get("/console/stories", params=other)).text
            )
        by_form = await colleague.client.get(
            "/console/stories", params={"exploitation": "prostitution"}
        )
        assert f'href="{story_path}"' in by_form.text

        card = await colleague.get(f"{story_path}/card")
        assert card.status_code == 200 and len(card.content) < 100_000
        assert "A returnee&#39;s story" in card.text and "tailoring shop" in card.text
        assert "Nigeria" in card.text
        for personal in (
            PERSON["given_name"],
            PERSON["family_name"],
            PERSON["date_of_birth"],
            PERSON["phone"],
            REPRESENTATIVE["name"],
            case["reference"],
            case["id"],
        ):
            assert personal not in card.text
        assert "victim" not in card.text.lower()
        stylesheet = re.search(r'href="(/console/static/[^"]+\.css)"', card.text).group(1)
        css = (await colleague.get(stylesheet)).text
        assert re.search(r"@page story-card \{[^}]*size: A4", css)
        assert re.search(r"@media print \{[^@]*body:has\(\.story-card\) \.header", css)


async def test_a_case_without_consent_to_stories_cannot_be_drafted_from(
    client: httpx.AsyncClient, centre, return_org, partner
):
    case = await centres_case(
        client, centre, return_org, partner, consent={"data_sharing": True, "story_use": False}
    )
    mette = await case_officer_of(centre, "Mette Holm")
    async with signed_in(client, mette) as browser:
        library = await browser.get("/console/stories")
        assert case["reference"] not in library.text

        page = await browser.get(f"/console/stories/new?case_id={case['id']}")
        assert page.status_code == 422
        assert "has not consented" in page.text and 'name="text"' not in page.text

        token = re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)
        posted = await browser.client.post(
            "/console/stories/new",
            data={
                "csrf_token": token,
                "case_id": case["id"],
                "title": "A shop",
                "text": STORY,
                "language": "en",
                "action": "save",
            },
        )
        assert posted.status_code == 422
    drafts = await client.get("/api/v1/stories", params={"status": "draft"}, headers=centre.headers)
    assert drafts.json()["items"] == []


async def test_checking_a_case_cmm_did_not_open_tells_nothing_and_counts_towards_the_lock(
    client: httpx.AsyncClient, centre, authority, return_org, partner
):
    journey = await completed_case(client, authority, return_org, partner)
    case_id = journey.case["id"]
    mette = await case_officer_of(centre, "Mette Holm")
    async with signed_in(client, mette) as browser:
        for attempt in range(REFUSALS_BEFORE_LOCK):
            text = f"{PERSON['given_name']} was born on {PERSON['date_of_birth']}. {attempt}"
            checked = await submit_draft(browser, case_id, "check", "A shop", text)
            assert checked.status_code == 422
            assert "personal data of the returnee" in checked.text
            assert "given name" not in checked.text and "date of birth" not in checked.text

        locked = await browser.get(f"/console/stories/new?case_id={case_id}")
        assert locked.status_code == 422 and "locked" in locked.text
        assert 'name="text"' not in locked.text
        assert "Locked after refused drafts" in (await browser.get("/console/stories")).text

    standing = await client.get(
        f"/api/v1/cases/{case_id}/story-drafting", headers=authority.headers
    )
    assert standing.json()["locked"] is True


async def test_a_draft_with_a_blank_title_comes_back_with_the_error_next_to_it(
    client: httpx.AsyncClient, centre, return_org, partner
):
    case = await centres_case(client, centre, return_org, partner)
    mette = await case_officer_of(centre, "Mette Holm")
    async with signed_in(client, mette) as browser:
        answer = await submit_draft(browser, case["id"], "save", "   ", STORY)
    assert answer.status_code == 422
    assert 'href="#title"' in answer.text and 'id="title-error"' in answer.text
    assert "tailoring shop" in answer.text, "the text typed is kept"


async def test_only_published_stories_have_a_card_and_others_drafts_are_not_found(
    client: httpx.AsyncClient, centre, return_org, partner
):
    case = await centres_case(client, centre, return_org, partner)
    mette = await case_officer_of(centre, "Mette Holm")
    stranger = await new_staff(OrganisationKind.centre, name="Sofie Lund")
    async with signed_in(client, mette) as browser:
        saved = await submit_draft(browser, case["id"], "save", "A shop of her own", STORY)
        story_path = saved.headers["location"]
        assert (await browser.get(f"{story_path}/card")).status_code == 409
    async with signed_in(client, stranger) as other:
        assert (await other.get(story_path)).status_code == 404
        assert (await other.get(f"/console/stories/{uuid.uuid4()}")).status_code == 404


async def test_the_card_speaks_the_storys_language_whatever_the_readers(
    client: httpx.AsyncClient, centre, authority, return_org, partner
):
    case = await centres_case(client, centre, return_org, partner)
    await cases_like_it(client, authority, return_org, partner)
    mette = await case_officer_of(centre, "Mette Holm")
    danish = "Efter hjemkomsten åbnede hun et skrædderi.\n\nI dag har hun to lærlinge."
    async with signed_in(client, mette) as browser:
        saved = await submit_draft(browser, case["id"], "save", "Sin egen butik", danish, "da")
        story_path = saved.headers["location"]
        assert (
            await browser.submit(story_path, action=f"{story_path}/approval")
        ).status_code == 303
        card = await browser.get(f"{story_path}/card")
    assert card.status_code == 200
    assert '<article class="story-card story-card-short" lang="da">' in card.text
    assert "En hjemvendts historie" in card.text and "Land" in card.text
    assert "Print the card" in card.text, "the screen's own words stay the reader's"


async def test_a_story_too_few_cases_share_is_not_published_and_the_page_says_why(
    client: httpx.AsyncClient, centre, return_org, partner
):
    case = await centres_case(client, centre, return_org, partner)
    mette = await case_officer_of(centre, "Mette Holm")
    async with signed_in(client, mette) as browser:
        saved = await submit_draft(browser, case["id"], "save", "A shop of her own", STORY)
        story_path = saved.headers["location"]
        refused = await browser.submit(story_path, action=f"{story_path}/approval")
        assert refused.status_code == 422
        assert 'href="#case_id"' in refused.text and 'id="case_id"' in refused.text
        assert "Too few completed cases" in refused.text
        assert "Draft" in (await browser.get(story_path)).text


async def test_cmm_unlocks_drafting_from_its_own_case_after_another_centre_locked_it(
    client: httpx.AsyncClient, centre, return_org, partner
):
    case = await centres_case(client, centre, return_org, partner)
    other_centre = await make_member(OrganisationKind.centre)
    for _ in range(REFUSALS_BEFORE_LOCK):
        await client.post(
            "/api/v1/stories",
            json={"case_id": case["id"], "title": "A shop", "text": PERSON["given_name"]}
            | {"language": "en"},
            headers=other_centre.headers,
        )
    mette = await case_officer_of(centre, "Mette Holm")
    async with signed_in(client, mette) as browser:
        library = await browser.get("/console/stories")
        assert "Locked after refused drafts" in library.text
        action = f"/console/stories/cases/{case['id']}/unlock"
        assert f'action="{action}"' in library.text
        assert (await browser.submit("/console/stories", action=action)).status_code == 303
        library = await browser.get("/console/stories")
        assert f'href="/console/stories/new?case_id={case["id"]}"' in library.text
    standing = await client.get(
        f"/api/v1/cases/{case['id']}/story-drafting", headers=centre.headers
    )
    assert standing.json() == {"case_id": case["id"], "locked": False, "refusals": 0}


async def test_drafts_come_a_page_at_a_time(client: httpx.AsyncClient, centre, return_org, partner):
    case = await centres_case(client, centre, return_org, partner)
    for number in range(PAGE_SIZE + 1):
        drafted = await client.post(
            "/api/v1/stories",
            json={"case_id": case["id"], "title": f"Story {number:02}", "text": STORY}
            | {"language": "en"},
            headers=centre.headers,
        )
        assert drafted.status_code == 201, drafted.text
    mette = await case_officer_of(centre, "Mette Holm")
    async with signed_in(client, mette) as browser:
        first = await browser.get("/console/stories")
        titles = set(re.findall(r">Story (\d\d)</a>", first.text))
        assert len(titles) == PAGE_SIZE
        following = re.search(r'href="(/console/stories\?drafts=[^"#]+)#drafts"', first.text)
        second = await browser.get(following.group(1))
        rest = set(re.findall(r">Story (\d\d)</a>", second.text))
        forged = await browser.client.get("/console/stories", params={"drafts": "not-a-cursor"})
    assert len(rest) == 1 and not rest & titles
    assert forged.status_code == 422 and 'href="#drafts"' in forged.text
