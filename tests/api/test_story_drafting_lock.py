"""The story check cannot be used to find out who a person is. A centre that reaches a
completed case without seeing its person tries to learn the date of birth or the name by
drafting texts full of guesses: every refusal is the same answer, whatever it found, and
after three of them drafting from the case locks for every centre, until the case's
opener, who is told, unlocks it."""

from __future__ import annotations

import asyncio
import json
from datetime import date, timedelta

import pytest

from models.events import deliveries
from models.events.tables import Delivery, Event
from models.stories.drafting import LOCKED, REFUSALS_BEFORE_LOCK
from tests.api import test_stories as stories
from tests.api.test_stories import CLEAN, PERSON, REFUSED, STORIES, completed_case, draft, drafted

#: The fixtures of the story tests: completed cases, and a centre that did not draft.
completed = stories.completed
other_centre = stories.other_centre

#: Answers depend on today: CI also runs these at hostile instants (see .ci/run).
pytestmark = pytest.mark.dates

LOCKED_ANSWER = [("case_id", LOCKED)]


def dates(start: date, days: int) -> str:
    """A text of ``days`` dates from ``start`` on, as a guesser would write it."""
    return " ".join((start + timedelta(days=n)).isoformat() for n in range(days))


def errors(response) -> list[tuple[str, str]]:
    assert response.status_code == 422, response.text
    return [(e["field"], e["message"]) for e in response.json()["errors"]]


async def standing(client, opener, journey) -> dict:
    response = await client.get(f"{journey.path}/story-drafting", headers=opener.headers)
    assert response.status_code == 200, response.text
    return response.json()


async def test_guessing_the_person_learns_nothing_within_the_lock_and_then_locks(
    completed, client, centre, other_centre, authority
):
    journey = await completed()
    case_id = journey.case["id"]
    born = date.fromisoformat(PERSON["date_of_birth"])
    guesses = [
        {"text": dates(date(born.year, 1, 1), 181)},  # half a year of dates, the birthday in it
        {"text": "Ngozi Chioma Amaka Adaeze Nneka Ifeoma Uchenna"},  # a list of names
        {"title": "Okafor", "text": dates(date(born.year, 3, 1), 60)},  # both at once
    ]
    answers = []
    for n, guess in enumerate(guesses, start=1):
        answer = await draft(client, centre, case_id, **guess)
        assert errors(answer) == REFUSED
        answers.append(answer.json())
        assert (await standing(client, authority, journey))["refusals"] == n
    assert answers[0] == answers[1] == answers[2], "a date, a name or both: the same answer"

    # Locked: whatever comes next, from any centre, even a text with nothing in it.
    later = [
        await draft(client, centre, case_id, text=dates(date(born.year, 7, 1), 184)),
        await draft(client, centre, case_id),
        await draft(client, other_centre, case_id),
    ]
    assert [errors(answer) for answer in later] == [LOCKED_ANSWER] * 3
    assert await standing(client, authority, journey) == {
        "case_id": case_id,
        "locked": True,
        "refusals": REFUSALS_BEFORE_LOCK,
    }

    # The opener is told: an event without personal data, and the audit trail.
    (event,) = await Event.select().where(Event.type == "story.drafting_locked")
    assert str(event["case_id"]) == case_id
    assert json.loads(event["data"]) == {"refusals": REFUSALS_BEFORE_LOCK}
    trail = await client.get(
        "/api/v1/audit", params={"case_id": case_id}, headers=authority.headers
    )
    actions = [(e["action"], e["organisation_id"]) for e in trail.json()["items"]]
    assert actions.count(("story.refused", str(centre.organisation_id))) == 3
    assert ("story.drafting_locked", str(centre.organisation_id)) in actions

    # Only the opener unlocks; then centres draft again, counted afresh.
    refused = await client.post(f"{journey.path}/story-drafting/unlock", headers=centre.headers)
    assert refused.status_code == 403
    unlocked = await client.post(f"{journey.path}/story-drafting/unlock", headers=authority.headers)
    assert unlocked.status_code == 200, unlocked.text
    assert unlocked.json() == {"case_id": case_id, "locked": False, "refusals": 0}
    await drafted(client, centre, case_id)
    trail = await client.get(
        "/api/v1/audit", params={"case_id": case_id}, headers=authority.headers
    )
    assert "story.drafting_unlocked" in [e["action"] for e in trail.json()["items"]]


async def test_editing_a_draft_counts_and_locks_like_drafting(completed, client, centre, authority):
    journey = await completed()
    story = await drafted(client, centre, journey.case["id"])
    path = f"{STORIES}/{story['id']}"
    for n in range(REFUSALS_BEFORE_LOCK):
        guess = await client.patch(
            path, json={"text": f"Born 1999-04-0{n + 1}? Adaeze?"}, headers=centre.headers
        )
        assert errors(guess) == REFUSED
    clean = await client.patch(path, json={"title": "Threads"}, headers=centre.headers)
    assert errors(clean) == LOCKED_ANSWER
    assert (await standing(client, authority, journey))["locked"] is True


async def test_refusals_at_once_never_slip_past_the_lock(completed, client, centre, authority):
    journey = await completed()
    at_once = 2 * REFUSALS_BEFORE_LOCK
    answers = await asyncio.gather(
        *(draft(client, centre, journey.case["id"], text="Adaeze sews.") for _ in range(at_once))
    )
    seen = sorted(errors(answer) == REFUSED for answer in answers)
    assert seen.count(True) == REFUSALS_BEFORE_LOCK
    assert all(errors(a) == LOCKED_ANSWER for a in answers if errors(a) != REFUSED)
    assert (await standing(client, authority, journey))["refusals"] == REFUSALS_BEFORE_LOCK


async def test_the_openers_own_refusals_do_not_lock_its_case(client, centre, return_org, partner):
    journey = await completed_case(
        client, centre, return_org, partner, residence_status="legal_residence"
    )
    for _ in range(REFUSALS_BEFORE_LOCK + 1):
        assert (
            errors(await draft(client, centre, journey.case["id"], text="Adaeze sews.")) == REFUSED
        )
    assert (await standing(client, centre, journey))["locked"] is False
    await drafted(client, centre, journey.case["id"])


async def test_the_lock_is_told_to_the_opener_only(completed, client, centre, authority, partner):
    journey = await completed()
    for member in (authority, partner):
        hook = await client.post(
            "/api/v1/webhooks",
            json={
                "url": f"http://127.0.0.1:9/{member.kind.value}",
                "events": ["story.drafting_locked"],
                "secret": "a secret of sixteen or more",
            },
            headers=member.headers,
        )
        assert hook.status_code == 201, hook.text
    for _ in range(REFUSALS_BEFORE_LOCK):
        await draft(client, centre, journey.case["id"], text="Adaeze sews.")
    assert await deliveries.plan_deliveries() == 1
    (delivery,) = await Delivery.select(Delivery.webhook.url.as_alias("url"))
    assert delivery["url"].endswith("/authority")


async def test_a_clean_draft_is_not_counted(completed, client, centre, authority):
    journey = await completed()
    for _ in range(REFUSALS_BEFORE_LOCK + 1):
        await drafted(client, centre, journey.case["id"], **CLEAN)
    assert (await standing(client, authority, journey))["refusals"] == 0
