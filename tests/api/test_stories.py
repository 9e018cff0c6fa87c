"""Success stories: a centre drafts one from a completed case whose person consented,
the text is refused while it points at the person, and a published story carries coarse
facts only, shared by enough completed cases that it cannot point at anyone."""

from __future__ import annotations

import json
import uuid
from datetime import date, timedelta
from typing import Any

import httpx
import pytest

from models import clock
from models.organisations import OrganisationKind
from models.stories.drafting import IDENTIFYING
from models.stories.lifecycle import NOT_A_STORY_CASE
from tests.api.conftest import Journey, payment_body
from tests.clock import start_instant
from tests.conftest import Member, make_member

#: Answers depend on today: CI also runs these at hostile instants (see .ci/run).
pytestmark = pytest.mark.dates

STORIES = "/api/v1/stories"

PERSON = {
    "given_name": "Adaeze",
    "family_name": "Okafor-Eze",
    "date_of_birth": "1999-04-02",
    "sex": "female",
    "nationality": "NG",
    "phone": "+2348012345678",
}
REPRESENTATIVE = {"name": "Margrethe Sørensen", "role": "custodian"}
CLEAN = {
    "title": "A shop of her own",
    "text": "After she came home she opened a tailoring shop. Today she trains two apprentices.",
    "language": "en",
}

#: The year of return of the story's case: far enough back that ±2 years are all past.
YEAR = start_instant().year - 3


def in_year(year: int) -> date:
    return date(year, 6, 15)


async def completed_case(
    client: httpx.AsyncClient,
    opener: Member,
    return_org: Member,
    partner: Member,
    *,
    arrived: date | None = None,
    outcome: str = "completed",
    payments: tuple[dict[str, Any], ...] = (),
    **changes: Any,
) -> Journey:
    """A case walked from opening to closure, with its person's arrival on ``arrived``."""
    arrived = arrived or in_year(YEAR)
    start = arrived - timedelta(days=60)
    journey = Journey(client, opener, return_org, partner)
    await journey.open(
        **{
            "person": PERSON,
            "representative": REPRESENTATIVE,
            "identified_on": start.isoformat(),
            "reflection_period_start": start.isoformat(),
            **changes,
        }
    )
    await journey.plan(agreed_on=(start + timedelta(days=10)).isoformat())
    await journey.depart(on=(arrived - timedelta(days=1)).isoformat())
    await journey.arrive(on=arrived.isoformat())
    for payment in payments:
        fields = {name: value for name, value in payment.items() if name != "approve"}
        body = payment_body(paid_on=(arrived + timedelta(days=10)).isoformat(), **fields)
        paid = await client.post(f"{journey.path}/payments", json=body, headers=partner.headers)
        assert paid.status_code == 201, paid.text
        if payment.get("approve"):
            approval = f"{journey.path}/payments/{body['id']}/approval"
            approved = await client.post(approval, headers=return_org.headers)
            assert approved.status_code == 200, approved.text
    closed_on = min(arrived + timedelta(days=190), clock.today() - timedelta(days=1))
    await journey.close(outcome=outcome, on=closed_on.isoformat())
    return journey


@pytest.fixture
def completed(client, authority, return_org, partner):
    """Makes completed cases opened by the authority, as many as a test needs."""

    async def make(**changes: Any) -> Journey:
        return await completed_case(client, authority, return_org, partner, **changes)

    return make


@pytest.fixture
async def other_centre(client) -> Member:
    return await make_member(OrganisationKind.centre)


async def draft(
    client: httpx.AsyncClient, centre: Member, case_id: str, **changes: Any
) -> httpx.Response:
    return await client.post(
        STORIES, json={"case_id": case_id, **CLEAN, **changes}, headers=centre.headers
    )


async def drafted(client: httpx.AsyncClient, centre: Member, case_id: str, **changes) -> dict:
    response = await draft(client, centre, case_id, **changes)
    assert response.status_code == 201, response.text
    return response.json()


async def approve(client: httpx.AsyncClient, centre: Member, story_id: str) -> httpx.Response:
    return await client.post(f"{STORIES}/{story_id}/approval", headers=centre.headers)


async def published(client, centre: Member, case_id: str, **changes) -> dict:
    story = await drafted(client, centre, case_id, **changes)
    response = await approve(client, centre, story["id"])
    assert response.status_code == 200, response.text
    return response.json()


async def cohort_of(completed, *years: int, **changes: Any) -> None:
    """Other completed cases like the story's, one arriving in each of ``years``."""
    for year in years:
        await completed(arrived=in_year(year), **changes)


#: The one answer to a text that points at its person, whatever it contains.
REFUSED = [("title", IDENTIFYING), ("text", IDENTIFYING)]


def errors_of(response: httpx.Response) -> list[tuple[str, str]]:
    assert response.status_code == 422, response.text
    return [(e["field"], e["message"]) for e in response.json()["errors"]]


# --- Drafting ------------------------------------------------------------------------------


async def test_a_centre_drafts_a_story_from_a_completed_case_with_consent(
    completed, client, centre
):
    journey = await completed()
    story = await drafted(client, centre, journey.case["id"])
    assert story["status"] == "draft"
    assert story["case_id"] == journey.case["id"]
    assert (story["title"], story["text"], story["language"]) == tuple(CLEAN.values())
    assert "return_years" not in story and "published_at" not in story


async def test_a_centre_drafts_from_a_case_it_opened_itself(client, centre, return_org, partner):
    journey = await completed_case(
        client, centre, return_org, partner, residence_status="legal_residence"
    )
    assert (await draft(client, centre, journey.case["id"])).status_code == 201


async def test_only_a_centre_drafts_stories(completed, client, authority, return_org, partner):
    journey = await completed()
    for member in (authority, return_org, partner):
        assert (await draft(client, member, journey.case["id"])).status_code == 403


async def test_a_case_not_completed_or_without_consent_is_refused_like_a_missing_one(
    completed, client, centre, authority, return_org, partner
):
    missing = errors_of(await draft(client, centre, str(uuid.uuid4())))
    assert missing == [("case_id", NOT_A_STORY_CASE)]

    without_consent = await completed(consent={"data_sharing": True, "story_use": False})
    assert errors_of(await draft(client, centre, without_consent.case["id"])) == missing

    ongoing = Journey(client, authority, return_org, partner)
    await ongoing.open(person=PERSON)
    assert errors_of(await draft(client, centre, ongoing.case["id"])) == missing

    closed_early = await completed(outcome="withdrew")
    assert errors_of(await draft(client, centre, closed_early.case["id"])) == missing


async def test_the_centre_that_opened_a_case_learns_why_it_cannot_yet_tell_its_story(
    client, centre, return_org, partner
):
    journey = Journey(client, centre, return_org, partner)
    await journey.open(
        residence_status="legal_residence", consent={"data_sharing": True, "story_use": False}
    )
    assert errors_of(await draft(client, centre, journey.case["id"])) == [
        ("case_id", "the case is reflection; a story needs a completed case"),
        ("case_id", "the person has not consented to story use (consent.story_use)"),
    ]


@pytest.mark.parametrize(
    ("field", "written"),
    [
        ("text", "Adaeze opened a shop."),
        ("text", "ADÁEZE opened a shop."),
        ("title", "The Okafor shop"),
        ("text", "Mrs Eze opened a shop."),
        ("text", "Call 0801 234 5678 to buy."),
        ("text", "Orders: 234-5678."),
        ("text", "Born 1999-04-02."),
        ("text", "Born 02/04/1999."),
        ("text", "Born 2.4.1999."),
        ("text", "Born 2 April 1999."),
        ("title", "Born April 2, 1999"),
        ("text", "Born 02-04-99."),
        ("text", "Case {reference}."),
        ("text", "Case {case_id}."),
        ("text", "Her custodian Margrethe Sorensen helped."),
    ],
)
async def test_a_story_that_points_at_the_person_is_refused_saying_only_that_it_does(
    completed, client, centre, field, written
):
    journey = await completed()
    value = written.format(reference=journey.case["reference"], case_id=journey.case["id"])
    response = await draft(client, centre, journey.case["id"], **{field: value})
    assert errors_of(response) == REFUSED
    assert value not in response.text
    listed = await client.get(STORIES, params={"status": "draft"}, headers=centre.headers)
    assert listed.json()["items"] == []


async def test_the_refusal_is_the_same_whatever_was_found(completed, client, centre):
    texts = [
        {"title": "Adaeze"},
        {"text": "She sells on +234 801 234 5678."},
        {"text": "Adaeze Okafor-Eze, born 2 April 1999, sells on +234 801 234 5678."},
    ]
    answers = []
    for changes in texts:
        journey = await completed()
        response = await draft(client, centre, journey.case["id"], **changes)
        assert response.status_code == 422, response.text
        answers.append(response.json())
    assert answers[0] == answers[1] == answers[2], "a name, a phone or all: one answer"
    for value in ("Adaeze", "Okafor", "1999", "5678"):
        assert value not in json.dumps(answers[0])


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"title": "x" * 201}, "title"),
        ({"text": "x" * 10001}, "text"),
        ({"title": "   "}, "title"),
        ({"language": "xx"}, "language"),
        ({"language": "EN"}, "language"),
        ({"language": "eng"}, "language"),
    ],
)
async def test_lengths_and_the_language_are_checked(completed, client, centre, changes, field):
    journey = await completed()
    response = await draft(client, centre, journey.case["id"], **changes)
    assert [f for f, _ in errors_of(response)] == [field]


async def test_the_longest_title_and_text_are_accepted(completed, client, centre):
    journey = await completed()
    words = ("shop " * 2000)[:10000]
    response = await draft(client, centre, journey.case["id"], title="t" * 200, text=words)
    assert response.status_code == 201, response.text


# --- Editing ---------------------------------------------------------------------------------


async def test_a_draft_is_edited_and_checked_again(completed, client, centre):
    journey = await completed()
    story = await drafted(client, centre, journey.case["id"])
    path = f"{STORIES}/{story['id']}"

    refused = await client.patch(path, json={"text": "Okafor works hard."}, headers=centre.headers)
    assert errors_of(refused) == REFUSED

    edited = await client.patch(
        path, json={"title": "Threads", "language": "da"}, headers=centre.headers
    )
    assert edited.status_code == 200, edited.text
    assert (edited.json()["title"], edited.json()["text"], edited.json()["language"]) == (
        "Threads",
        CLEAN["text"],
        "da",
    )
    again = await client.patch(path, json={"title": "Threads"}, headers=centre.headers)
    assert again.json()["updated_at"] == edited.json()["updated_at"]

    unknown = await client.patch(path, json={"case_id": str(uuid.uuid4())}, headers=centre.headers)
    assert unknown.status_code == 422


async def test_only_a_draft_is_edited_and_only_a_draft_is_published(completed, client, centre):
    journey = await completed()
    await cohort_of(completed, YEAR, YEAR)
    story = await published(client, centre, journey.case["id"])
    path = f"{STORIES}/{story['id']}"
    edit = await client.patch(path, json={"title": "Later"}, headers=centre.headers)
    assert edit.status_code == 409

    retired = await client.post(f"{path}/retirement", headers=centre.headers)
    assert retired.status_code == 200
    assert (await approve(client, centre, story["id"])).status_code == 409


# --- Publication and coarse facts -------------------------------------------------------------


async def test_a_published_story_carries_coarse_facts_only(completed, client, centre):
    journey = await completed(
        payments=(
            {"category": "housing"},
            {"category": "education", "approve": True},
            {"category": "food"},  # waits for approval: not disbursed
        )
    )
    await cohort_of(completed, YEAR, YEAR)
    story = await drafted(client, centre, journey.case["id"])

    response = await approve(client, centre, story["id"])

    assert response.status_code == 200, response.text
    assert response.json() == {
        "id": story["id"],
        "title": CLEAN["title"],
        "text": CLEAN["text"],
        "language": "en",
        "status": "published",
        "origin_country": "NG",
        "return_years": str(YEAR),
        "exploitation": ["prostitution"],
        "support_categories": ["education", "housing"],
        "outcome": "completed",
        "published_at": response.json()["published_at"],
    }
    again = await approve(client, centre, story["id"])
    assert again.status_code == 200
    assert again.json() == response.json()


async def test_the_year_widens_to_a_range_until_enough_cases_share_it(completed, client, centre):
    journey = await completed()
    await cohort_of(completed, YEAR - 1, YEAR + 1)
    story = await published(client, centre, journey.case["id"])
    assert story["return_years"] == f"{YEAR - 1}–{YEAR + 1}"


async def test_the_year_widens_as_far_as_it_must(completed, client, centre):
    journey = await completed()
    await cohort_of(completed, YEAR - 2, YEAR + 2)
    story = await published(client, centre, journey.case["id"])
    assert story["return_years"] == f"{YEAR - 2}–{YEAR + 2}"


async def test_a_story_too_few_cases_share_is_refused_publication(completed, client, centre):
    journey = await completed()
    # None of these share the story's facts within five years.
    await completed(origin_country="TH")
    await completed(exploitation=["prostitution", "forced_labour"])
    await completed(outcome="withdrew")
    await completed(arrived=in_year(YEAR - 6))
    story = await drafted(client, centre, journey.case["id"])

    response = await approve(client, centre, story["id"])

    ((field, message),) = errors_of(response)
    assert field == "case_id"
    assert message.startswith("fewer than 3 completed cases share")
    read = await client.get(f"{STORIES}/{story['id']}", headers=centre.headers)
    assert read.json()["status"] == "draft"


async def test_the_text_is_checked_again_when_it_is_published(completed, client, centre, authority):
    journey = await completed()
    await cohort_of(completed, YEAR, YEAR)
    story = await drafted(
        client, centre, journey.case["id"], text="Customers call the shop on 0803 765 4321."
    )
    etag = (await client.get(journey.path, headers=authority.headers)).headers["etag"]
    changed = await client.patch(
        journey.path,
        json={"phone": "+234 803 765 4321"},
        headers={**authority.headers, "If-Match": etag},
    )
    assert changed.status_code == 200, changed.text

    response = await approve(client, centre, story["id"])

    assert errors_of(response) == REFUSED


# --- Who sees what ------------------------------------------------------------------------


async def test_drafts_are_seen_only_by_the_centre_that_drafted_them(
    completed, client, centre, other_centre, authority, return_org, partner
):
    journey = await completed()
    story = await drafted(client, centre, journey.case["id"])
    path = f"{STORIES}/{story['id']}"

    own = await client.get(path, headers=centre.headers)
    assert own.json()["case_id"] == journey.case["id"]
    listed = await client.get(STORIES, params={"status": "draft"}, headers=centre.headers)
    assert [s["id"] for s in listed.json()["items"]] == [story["id"]]

    for member in (other_centre, authority, return_org, partner):
        assert (await client.get(path, headers=member.headers)).status_code == 404
        drafts = await client.get(STORIES, params={"status": "draft"}, headers=member.headers)
        assert drafts.json()["items"] == []
        assert (await client.get(STORIES, headers=member.headers)).json()["items"] == []
    for action in ("approval", "retirement"):
        refused = await client.post(f"{path}/{action}", headers=other_centre.headers)
        assert refused.status_code == 404
    edit = await client.patch(path, json={"title": "Mine"}, headers=other_centre.headers)
    assert edit.status_code == 404


async def test_published_stories_are_read_by_every_kind_of_organisation(
    completed, client, centre, other_centre, authority, return_org, partner
):
    journey = await completed()
    await cohort_of(completed, YEAR, YEAR)
    story = await published(client, centre, journey.case["id"])
    for member in (centre, other_centre, authority, return_org, partner):
        read = await client.get(f"{STORIES}/{story['id']}", headers=member.headers)
        assert read.json() == story
        listed = await client.get(STORIES, headers=member.headers)
        assert listed.json()["items"] == [story]


async def test_only_the_drafting_centre_changes_a_published_story(
    completed, client, centre, other_centre
):
    journey = await completed()
    await cohort_of(completed, YEAR, YEAR)
    story = await published(client, centre, journey.case["id"])
    path = f"{STORIES}/{story['id']}"
    assert (
        await client.post(f"{path}/retirement", headers=other_centre.headers)
    ).status_code == 403
    edit = await client.patch(path, json={"title": "Mine"}, headers=other_centre.headers)
    assert edit.status_code == 403


async def test_a_retired_story_leaves_the_list_and_stays_with_its_centre(
    completed, client, centre, authority
):
    journey = await completed()
    await cohort_of(completed, YEAR, YEAR)
    story = await published(client, centre, journey.case["id"])
    path = f"{STORIES}/{story['id']}"

    retired = await client.post(f"{path}/retirement", headers=centre.headers)

    assert retired.status_code == 200
    assert retired.json()["status"] == "retired"
    assert retired.json()["case_id"] == journey.case["id"]
    assert (await client.get(STORIES, headers=centre.headers)).json()["items"] == []
    assert (await client.get(path, headers=authority.headers)).status_code == 404
    own = await client.get(STORIES, params={"status": "retired"}, headers=centre.headers)
    assert [s["id"] for s in own.json()["items"]] == [story["id"]]
    again = await client.post(f"{path}/retirement", headers=centre.headers)
    assert again.json() == retired.json()


async def test_a_draft_can_be_retired_without_being_published(completed, client, centre):
    journey = await completed()
    story = await drafted(client, centre, journey.case["id"])
    retired = await client.post(f"{STORIES}/{story['id']}/retirement", headers=centre.headers)
    assert retired.json()["status"] == "retired"


# --- Lists --------------------------------------------------------------------------------


async def test_the_list_filters_by_country_exploitation_and_language_and_pages(
    completed, client, centre, partner
):
    nigeria = await completed()
    await cohort_of(completed, YEAR, YEAR)
    thailand = await completed(origin_country="TH", exploitation=["forced_labour", "prostitution"])
    await cohort_of(
        completed, YEAR, YEAR, origin_country="TH", exploitation=["forced_labour", "prostitution"]
    )
    first = await published(client, centre, nigeria.case["id"])
    second = await published(client, centre, nigeria.case["id"], language="da")
    third = await published(client, centre, thailand.case["id"])

    async def ids(**params: Any) -> list[str]:
        response = await client.get(STORIES, params=params, headers=partner.headers)
        assert response.status_code == 200, response.text
        return [story["id"] for story in response.json()["items"]]

    newest_first = [third["id"], second["id"], first["id"]]
    assert await ids() == newest_first
    assert await ids(origin_country="TH") == [third["id"]]
    assert await ids(exploitation="forced_labour") == [third["id"]]
    assert await ids(exploitation="prostitution") == newest_first
    assert await ids(exploitation="other") == []
    assert await ids(language="da") == [second["id"]]

    page = (await client.get(STORIES, params={"limit": 2}, headers=partner.headers)).json()
    assert [s["id"] for s in page["items"]] == newest_first[:2]
    rest = await client.get(
        STORIES, params={"limit": 2, "cursor": page["next_cursor"]}, headers=partner.headers
    )
    assert [s["id"] for s in rest.json()["items"]] == newest_first[2:]
    assert rest.json()["next_cursor"] is None

    bad = await client.get(STORIES, params={"exploitation": "slavery"}, headers=partner.headers)
    assert bad.status_code == 422


async def test_lists_and_stories_answer_304_when_unchanged(completed, client, centre, partner):
    journey = await completed()
    await cohort_of(completed, YEAR, YEAR)
    story = await published(client, centre, journey.case["id"])
    for path in (STORIES, f"{STORIES}/{story['id']}"):
        first = await client.get(path, headers=partner.headers)
        again = await client.get(
            path, headers={**partner.headers, "If-None-Match": first.headers["etag"]}
        )
        assert again.status_code == 304


# --- Audit, consent and personal data -------------------------------------------------------


async def test_reading_and_writing_drafts_is_in_the_case_audit_trail(
    completed, client, centre, authority
):
    journey = await completed()
    await cohort_of(completed, YEAR, YEAR)
    refused = await draft(client, centre, journey.case["id"], text="Adaeze sews.")
    assert refused.status_code == 422
    story = await drafted(client, centre, journey.case["id"])
    path = f"{STORIES}/{story['id']}"
    await client.get(path, headers=centre.headers)
    await client.patch(path, json={"title": "Threads"}, headers=centre.headers)
    await approve(client, centre, story["id"])
    await client.get(path, headers=centre.headers)  # published: no personal link, no trace
    await client.post(f"{path}/retirement", headers=centre.headers)

    trail = await client.get(
        "/api/v1/audit", params={"case_id": journey.case["id"]}, headers=authority.headers
    )
    story_entries = [
        (entry["action"], entry["organisation_id"])
        for entry in trail.json()["items"]
        if entry["action"].startswith("story.")
    ]
    centre_id = str(centre.organisation_id)
    assert story_entries == [
        ("story.refused", centre_id),
        ("story.drafted", centre_id),
        ("story.read", centre_id),
        ("story.edited", centre_id),
        ("story.published", centre_id),
        ("story.retired", centre_id),
    ]


async def test_withdrawing_story_consent_retires_the_cases_stories_at_once(
    completed, client, centre, authority
):
    journey = await completed()
    await cohort_of(completed, YEAR, YEAR)
    story = await published(client, centre, journey.case["id"])
    draft_story = await drafted(client, centre, journey.case["id"])

    etag = (await client.get(journey.path, headers=authority.headers)).headers["etag"]
    withdrawn = await client.patch(
        journey.path,
        json={"consent": {"story_use": False}},
        headers={**authority.headers, "If-Match": etag},
    )
    assert withdrawn.status_code == 200, withdrawn.text

    assert (await client.get(STORIES, headers=authority.headers)).json()["items"] == []
    for one in (story, draft_story):
        read = await client.get(f"{STORIES}/{one['id']}", headers=centre.headers)
        assert read.json()["status"] == "retired"


async def test_erasing_the_persons_data_retires_the_cases_stories(
    completed, client, centre, authority
):
    journey = await completed()
    await cohort_of(completed, YEAR, YEAR)
    story = await published(client, centre, journey.case["id"])

    erased = await client.post(
        f"{journey.path}/erasure", json={"reason": "The person asked"}, headers=authority.headers
    )
    assert erased.status_code == 200, erased.text

    read = await client.get(f"{STORIES}/{story['id']}", headers=centre.headers)
    assert read.json()["status"] == "retired"


def personal_values(case: dict[str, Any]) -> list[str]:
    """Every personal value of the case, in the forms it could be written in."""
    case_id = uuid.UUID(case["id"])
    return [
        PERSON["given_name"],
        "Okafor",
        PERSON["family_name"],
        "Margrethe",
        "Sørensen",
        "Sorensen",
        PERSON["phone"],
        PERSON["phone"].lstrip("+"),
        "8012345678",
        "1999-04-02",
        "02/04/1999",
        "02.04.1999",
        "2.4.1999",
        "2 April 1999",
        "April 2, 1999",
        case["reference"],
        str(case_id),
        case_id.hex,
        case_id.hex[:8],
        case["identified_on"],
        case["departed_on"],
        case["arrived_on"],
        case["closure"]["closed_on"],
    ]


async def test_no_story_response_contains_personal_data_of_the_case(
    completed, client, centre, other_centre, authority, return_org, partner
):
    journey = await completed(payments=({"category": "housing"},))
    await cohort_of(completed, YEAR - 1, YEAR + 1)
    story = await drafted(client, centre, journey.case["id"])
    responses = [await approve(client, centre, story["id"])]
    for member in (centre, other_centre, authority, return_org, partner):
        responses.append(await client.get(STORIES, headers=member.headers))
        responses.append(await client.get(f"{STORIES}/{story['id']}", headers=member.headers))
        responses.append(
            await client.get(STORIES, params={"origin_country": "NG"}, headers=member.headers)
        )

    values = personal_values(journey.case)
    for response in responses:
        assert response.status_code == 200, response.text
        assert story["id"] in response.text
        text = response.text.lower()
        leaked = [value for value in values if value.lower() in text]
        assert leaked == [], f"{response.request.url} shows {leaked}"
