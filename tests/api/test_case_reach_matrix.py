"""Who reaches a case, and what each organisation may do with it, route by route.

The matrix is generated from the app's own route table: every route under
``/api/v1/cases`` must have an entry in ``EXPECTED``, so a new case route cannot skip it.
For every route and every organisation the test sets the case up in the state the route
needs, so that the answer depends only on reach and role:

- outside the caller's reach → ``404``, the very same problem as for an id that does not exist;
- within reach, but the caller's role may not do it → ``403``, and nothing changes;
- allowed → the route's success code, and the case changes as the contract says.

The follow-up routes under a case (reports, payments, their approval) and the outcome
review (submission and review) are in the matrix too; each organisation's review queue
holds exactly the closed cases in its reach.

Reach (``models/cases/reach.py``): an authority or a centre reaches the cases it opened; a
centre also reaches, read-only and without the person, every ``completed`` case whose
person consented to story use; a return organisation the cases it returns; a partner the
cases assigned to it. Opening a case (``POST /api/v1/cases``) is a matter of kind and
residence status, tested with its own table at the end.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from itertools import product
from pathlib import Path
from typing import Any

import httpx
import pytest
from litestar import Litestar
from litestar.routes import HTTPRoute

from api.app import create_app
from models.cases.tables import Case, Status
from models.organisations import OrganisationKind
from models.settings import Settings
from tests.api.conftest import Journey, case_body, days_ago, payment_body, report_body
from tests.conftest import Member, make_member

CASES = "/api/v1/cases"
ONE_CASE = CASES + "/{case_id:uuid}"
OPEN_ROUTE = ("POST", CASES)  # who may open: see MAY_OPEN below
LIST_ROUTE = ("GET", CASES)
REPORTS = ONE_CASE + "/reports"
PAYMENTS = ONE_CASE + "/payments"
ONE_PAYMENT = PAYMENTS + "/{payment_id:uuid}"

# --- Roles an organisation can hold on one case (None: the case is out of its reach) ---------

AUTHORITY_OPENER = "authority_opener"
CENTRE_OPENER = "centre_opener"
RETURN_ORG = "return_org"
PARTNER = "partner"
STORY_READER = "story_reader"  # a centre reading someone else's completed case for a story

OPENERS = frozenset({AUTHORITY_OPENER, CENTRE_OPENER})
FIELD = frozenset({RETURN_ORG, PARTNER})
EVERY_ROLE = frozenset({*OPENERS, *FIELD, STORY_READER})


# --- Valid bodies ----------------------------------------------------------------------------


def _plan() -> dict[str, Any]:
    return {
        "agreed_on": days_ago(100),
        "goals": "Open a tailoring shop in Benin City",
        "budget": [{"category": "housing", "amount": "120000.00", "currency": "NGN"}],
    }


def _payment_to_a_relative() -> dict[str, Any]:
    """Waits for the return organisation's approval."""
    return payment_body(recipient="relative", relative_justification="She lives with her aunt")


# --- Records a route acts on, made by the case's own organisations before the call -----------

Setup = Callable[[Journey], Awaitable[dict[str, str]]]


async def _with_report(journey: Journey) -> dict[str, str]:
    body = report_body()
    response = await journey.client.post(
        url_of(REPORTS, {"case_id": journey.case["id"]}), json=body, headers=journey.partner.headers
    )
    assert response.status_code == 201, response.text
    return {"record_id": body["id"]}


async def _with_payment(journey: Journey, body: dict[str, Any] | None = None) -> dict[str, str]:
    body = body or payment_body()
    response = await journey.client.post(
        url_of(PAYMENTS, {"case_id": journey.case["id"]}),
        json=body,
        headers=journey.partner.headers,
    )
    assert response.status_code == 201, response.text
    return {"record_id": body["id"], "payment_id": body["id"]}


async def _with_pending_payment(journey: Journey) -> dict[str, str]:
    ids = await _with_payment(journey, _payment_to_a_relative())
    payments = await journey.client.get(
        url_of(PAYMENTS, {"case_id": journey.case["id"]}), headers=journey.return_org.headers
    )
    assert [p["status"] for p in payments.json()["items"]] == ["pending_approval"]
    return ids


async def _with_submission(journey: Journey) -> dict[str, str]:
    response = await journey.client.post(
        url_of(ONE_CASE + "/outcome-report/submission", {"case_id": journey.case["id"]}),
        json={"note": "Month 4 was not visited: floods"},
        headers=journey.return_org.headers,
    )
    assert response.status_code == 200, response.text
    return {}


@dataclass(frozen=True)
class Rule:
    """What one case route allows, and how to call it so that an allowed call succeeds."""

    may: frozenset[str]  #: roles that may do it; other roles within reach get 403
    state: str = "reflection"  #: the state the case is put in before the call
    body: Callable[[], dict[str, Any]] | None = None  #: a fresh valid body for each call
    setup: Setup | None = None  #: records the call acts on (gives the path's other ids)
    success: int = 200
    answers: str = "case"  #: case | export | page | record | drafting | outcome_report
    becomes: str | None = None  #: the status of the case (record, review) after success


#: Every case route of the app, and what each role may do there (api.md, "Cases" and
#: "Follow-up from the field"; reach.MAY for the routes api.md does not list).
EXPECTED: dict[tuple[str, str], Rule] = {
    # Everyone lists; the list holds exactly the cases within reach (checked below).
    ("GET", CASES): Rule(may=EVERY_ROLE),
    ("GET", ONE_CASE): Rule(may=EVERY_ROLE),
    ("PATCH", ONE_CASE): Rule(
        may=OPENERS | {RETURN_ORG}, body=lambda: {"phone": "+234 801 000 0009"}
    ),
    ("POST", ONE_CASE + "/reflection-extensions"): Rule(
        may=OPENERS, body=lambda: {"days": 30, "reason": "Needs more time to decide"}
    ),
    # api.md says "centre or opener": a centre reaches only the cases it opened (and, read
    # only, completed story cases), so within reach that is the opener, of either kind.
    ("PUT", ONE_CASE + "/plan"): Rule(may=OPENERS, body=_plan, becomes="planned"),
    ("POST", ONE_CASE + "/departure"): Rule(
        may=frozenset({RETURN_ORG}),
        state="planned",
        body=lambda: {"departed_on": days_ago(90)},
        becomes="departed",
    ),
    ("POST", ONE_CASE + "/arrival"): Rule(
        may=FIELD,
        state="departed",
        body=lambda: {"arrived_on": days_ago(89)},
        becomes="reintegration",
    ),
    ("POST", ONE_CASE + "/closure"): Rule(
        may=OPENERS | {RETURN_ORG},
        state="reintegration",
        body=lambda: {"outcome": "completed", "closed_on": days_ago(1), "note": "Shop running"},
        becomes="completed",
    ),
    ("POST", ONE_CASE + "/cancellation"): Rule(
        may=OPENERS | {RETURN_ORG}, body=lambda: {"reason": "Chose to stay"}, becomes="cancelled"
    ),
    # The person's rights over their data are exercised through the authority that opened.
    ("POST", ONE_CASE + "/erasure"): Rule(
        may=frozenset({AUTHORITY_OPENER}), body=lambda: {"reason": "The person asked for it"}
    ),
    ("GET", ONE_CASE + "/export"): Rule(may=frozenset({AUTHORITY_OPENER}), answers="export"),
    # Follow-up from the field: submitted by the partner or the return org, read by those
    # and the opener; reports and payments are no material for stories.
    ("POST", REPORTS): Rule(
        may=FIELD, state="reintegration", body=report_body, success=201, answers="record"
    ),
    ("GET", REPORTS): Rule(
        may=OPENERS | FIELD, state="reintegration", setup=_with_report, answers="page"
    ),
    ("POST", PAYMENTS): Rule(
        may=FIELD, state="reintegration", body=payment_body, success=201, answers="record"
    ),
    ("GET", PAYMENTS): Rule(
        may=OPENERS | FIELD, state="reintegration", setup=_with_payment, answers="page"
    ),
    ("POST", ONE_PAYMENT + "/approval"): Rule(
        may=frozenset({RETURN_ORG}),
        state="reintegration",
        setup=_with_pending_payment,
        answers="record",
        becomes="approved",
    ),
    ("POST", ONE_PAYMENT + "/rejection"): Rule(
        may=frozenset({RETURN_ORG}),
        state="reintegration",
        setup=_with_pending_payment,
        body=lambda: {"reason": "No assessment of the aunt's household"},
        answers="record",
        becomes="rejected",
    ),
    # Outcomes (api.md, "Outcomes"): the outcome report is read by those who read the
    # case's follow-up; a centre reading a completed case for a story does not get it.
    ("GET", ONE_CASE + "/outcome-report"): Rule(
        may=OPENERS | FIELD, state="reintegration", setup=_with_report
    ),
    # The outcome review (api.md, "Outcome review"): the return organisation submits a
    # closed case's report, the case's opener accepts or returns it.
    ("POST", ONE_CASE + "/outcome-report/submission"): Rule(
        may=frozenset({RETURN_ORG}),
        state="completed",
        body=lambda: {"note": "Month 4 was not visited: floods"},
        answers="outcome_report",
        becomes="submitted",
    ),
    ("POST", ONE_CASE + "/outcome-report/review"): Rule(
        may=OPENERS,
        state="completed",
        setup=_with_submission,
        body=lambda: {"decision": "accepted"},
        answers="outcome_report",
        becomes="accepted",
    ),
    # Story drafting from a case locks after repeated refusals; its opener alone sees
    # whether it is locked and unlocks it (the drafting centres learn it when refused).
    ("GET", ONE_CASE + "/story-drafting"): Rule(may=OPENERS, answers="drafting"),
    ("POST", ONE_CASE + "/story-drafting/unlock"): Rule(may=OPENERS, answers="drafting"),
}


# --- The route table -------------------------------------------------------------------------


def case_routes_of(app: Litestar) -> list[tuple[str, str]]:
    """Every (method, path template) the app serves under /api/v1/cases."""
    found: set[tuple[str, str]] = set()
    for route in app.routes:
        if not isinstance(route, HTTPRoute):
            continue
        if route.path != CASES and not route.path.startswith(CASES + "/"):
            continue
        for handler in route.route_handlers:
            if handler.handler_name == "options_handler" and not handler.include_in_schema:
                continue  # Litestar's automatic CORS preflight, on every route
            found.update((method, route.path) for method in handler.http_methods)
    return sorted(found)


#: Built like the app under test, without touching a database (that happens in the lifespan).
ROUTES = case_routes_of(
    create_app(Settings(database_url="sqlite:///route-table-only.sqlite", data_dir=Path("unused")))
)
MATRIX_ROUTES = [route for route in ROUTES if route != OPEN_ROUTE]
SERVES_FOLLOW_UP = ("GET", REPORTS) in ROUTES and ("GET", PAYMENTS) in ROUTES


def route_id(method: str, path: str) -> str:
    if path == CASES:
        name = "cases"
    else:
        name = re.sub(r"\{(\w+?)(_id)?:\w+\}", r"\1", path.removeprefix(CASES + "/"))
        name = name.replace("-", "_").replace("/", "_")
    return f"{method.lower()}_{name}"


def url_of(path: str, ids: dict[str, str]) -> str:
    return re.sub(r"\{(\w+):\w+\}", lambda m: ids[m.group(1)], path)


# --- The organisations -----------------------------------------------------------------------


@dataclass
class Cast:
    """One organisation of each kind that a case involves, and one of each that it does not."""

    authority: Member
    other_authority: Member
    centre: Member
    other_centre: Member
    return_org: Member
    other_return_org: Member
    partner: Member
    other_partner: Member

    def __getitem__(self, name: str) -> Member:
        return getattr(self, name)


ORGANISATIONS = [
    "authority",
    "other_authority",
    "centre",
    "other_centre",
    "return_org",
    "other_return_org",
    "partner",
    "other_partner",
]


@pytest.fixture
async def cast(client, authority, centre, return_org, partner, other_partner) -> Cast:
    return Cast(
        authority=authority,
        other_authority=await make_member(OrganisationKind.authority),
        centre=centre,
        other_centre=await make_member(OrganisationKind.centre),
        return_org=return_org,
        other_return_org=await make_member(OrganisationKind.return_org, country="CH"),
        partner=partner,
        other_partner=other_partner,
    )


#: A case opened by the authority (or the centre) for ``return_org`` and ``partner``: the
#: role each organisation asked holds on it while it is not completed (None: out of reach).
SCENARIOS: dict[str, dict[str, str | None]] = {
    "authority_case": {
        "authority": AUTHORITY_OPENER,
        "other_authority": None,
        "centre": None,
        "return_org": RETURN_ORG,
        "other_return_org": None,
        "partner": PARTNER,
        "other_partner": None,
    },
    "centre_case": {
        "centre": CENTRE_OPENER,
        "other_centre": None,
        "authority": None,
        "return_org": RETURN_ORG,
        "other_return_org": None,
        "partner": PARTNER,
        "other_partner": None,
    },
}
OPENER_OF = {"authority_case": "authority", "centre_case": "centre"}


def role_on(cast: Cast, scenario: str, organisation: str, state: str) -> str | None:
    """The role ``organisation`` holds on the scenario's case in ``state``: once completed
    (its person consented to story use, as in every case of the matrix), a centre that did
    not open it reads it for stories."""
    role = SCENARIOS[scenario][organisation]
    if role is None and state == "completed" and cast[organisation].kind is OrganisationKind.centre:
        return STORY_READER
    return role


RESIDENCE_FOR = {"authority": "asylum_seeker", "centre": "legal_residence"}

#: Matrix cases where the app is known to be wrong: (scenario, organisation, method, path)
#: → reason. Each is marked xfail(strict=True), so that the fix is noticed.
KNOWN_APP_BUGS: dict[tuple[str, str, str, str], str] = {}


def _matrix_params() -> list[Any]:
    params = []
    for (method, path), (scenario, roles) in product(MATRIX_ROUTES, SCENARIOS.items()):
        for organisation in roles:
            bug = KNOWN_APP_BUGS.get((scenario, organisation, method, path))
            params.append(
                pytest.param(
                    method,
                    path,
                    scenario,
                    organisation,
                    id=f"{route_id(method, path)}-by_{organisation}-on_{scenario}",
                    marks=[pytest.mark.xfail(strict=True, reason=bug)] if bug else [],
                )
            )
    return params


# --- Helpers ---------------------------------------------------------------------------------

ORDER = ["reflection", "planned", "departed", "reintegration"]


async def drive(journey: Journey, state: str, **changes: Any) -> dict[str, Any]:
    """Open a case and walk it to ``state`` through the contract's transitions."""
    if not journey.case:
        await journey.open(**changes)
    if journey.case["status"] == state:
        return journey.case
    steps = [journey.plan, journey.depart, journey.arrive]
    here = ORDER.index(journey.case["status"])
    there = ORDER.index(state) if state in ORDER else len(ORDER) - 1
    if state == "cancelled":
        there = here
    for step in steps[here:there]:
        await step()
    if state == "completed":
        await journey.close()
    elif state == "closed_early":
        await journey.close(outcome="lost_contact")
    elif state == "cancelled":
        response = await journey.client.post(
            f"{journey.path}/cancellation",
            json={"reason": "Chose to stay"},
            headers=journey.opener.headers,
        )
        journey.case = response.json()
    assert journey.case["status"] == state, journey.case
    return journey.case


async def prepare(journey: Journey, rule: Rule, *, completed: bool = False, **changes: Any):
    """Put a case in the state the route needs (then close it, when ``completed``), with the
    records the route acts on; the ids to put in the route's path."""
    await drive(journey, rule.state, **changes)
    ids = {"case_id": journey.case["id"]}
    if rule.setup:
        ids |= await rule.setup(journey)
    if completed:
        await drive(journey, "completed")
    return ids


async def call(
    client: httpx.AsyncClient, member: Member, method: str, path: str, ids: dict[str, str]
) -> tuple[httpx.Response, dict[str, Any] | None]:
    """Call a case route as ``member`` with a fresh valid body. A PATCH carries the ETag of
    the caller's own read, or ``*`` when it cannot read the case (``*`` would match any copy,
    so a refusal can only come from reach or role)."""
    rule = EXPECTED[(method, path)]
    body = rule.body() if rule.body else None
    headers = dict(member.headers)
    if method == "PATCH":
        read = await client.get(url_of(ONE_CASE, ids), headers=member.headers)
        headers["If-Match"] = read.headers["etag"] if read.status_code == 200 else "*"
    response = await client.request(method, url_of(path, ids), json=body, headers=headers)
    return response, body


def expected_status(method: str, path: str, role: str | None) -> int:
    rule = EXPECTED[(method, path)]
    if role is None:
        return 404
    return rule.success if role in rule.may else 403


def problem_of(response: httpx.Response) -> dict[str, Any]:
    assert response.headers["content-type"].startswith("application/problem+json"), response.text
    return response.json()


async def listed_ids(client: httpx.AsyncClient, member: Member, **filters: str) -> list[str]:
    response = await client.get(CASES, params={"limit": "500", **filters}, headers=member.headers)
    assert response.status_code == 200, response.text
    return [item["id"] for item in response.json()["items"]]


async def as_opener_sees_it(client: httpx.AsyncClient, opener: Member, case_id: str) -> Any:
    """What a refused request must leave unchanged: the case, its reports and payments."""
    ids = {"case_id": case_id}
    case = (await client.get(url_of(ONE_CASE, ids), headers=opener.headers)).json()
    seen: dict[str, Any] = {"case": (case["status"], case["updated_at"], case.get("person"))}
    if SERVES_FOLLOW_UP:
        for path in (REPORTS, PAYMENTS):
            seen[path] = (await client.get(url_of(path, ids), headers=opener.headers)).json()
    if case["status"] in ("completed", "closed_early"):
        report = await client.get(url_of(ONE_CASE + "/outcome-report", ids), headers=opener.headers)
        seen["review"] = report.json()["review"]
    return seen


def assert_success(
    rule: Rule,
    response: httpx.Response,
    body: dict[str, Any] | None,
    ids: dict[str, str],
    role: str | None,
) -> None:
    answer = response.json()
    if rule.answers in ("case", "export"):
        case = answer["case"] if rule.answers == "export" else answer
        assert case["id"] == ids["case_id"]
        if rule.becomes:
            assert case["status"] == rule.becomes
        if role == STORY_READER:
            assert "person" not in case
    elif rule.answers == "page":
        assert ids["record_id"] in [item["id"] for item in answer["items"]]
    elif rule.answers == "drafting":
        assert answer == {"case_id": ids["case_id"], "locked": False, "refusals": 0}
    elif rule.answers == "outcome_report":
        assert answer["id"] == ids["case_id"]
        assert answer["review"]["status"] == rule.becomes
    else:
        assert rule.answers == "record"
        assert answer["id"] == (body["id"] if body and "id" in body else ids["payment_id"])
        assert answer["case_id"] == ids["case_id"]
        if rule.becomes:
            assert answer["status"] == rule.becomes


async def assert_outcome(
    client: httpx.AsyncClient,
    *,
    caller: Member,
    role: str | None,
    method: str,
    path: str,
    ids: dict[str, str],
    opener: Member,
) -> None:
    """The one assertion of the matrix: ``caller``, holding ``role``, calls the route."""
    rule = EXPECTED[(method, path)]
    if (method, path) == LIST_ROUTE:
        response = await client.get(CASES, params={"limit": "500"}, headers=caller.headers)
        assert response.status_code == 200, response.text
        items = {item["id"]: item for item in response.json()["items"]}
        in_list = ids["case_id"] in items
        assert in_list == (role is not None), "the list holds exactly the cases in reach"
        if role == STORY_READER:
            assert "person" not in items[ids["case_id"]]
        return

    before = await as_opener_sees_it(client, opener, ids["case_id"])
    response, body = await call(client, caller, method, path, ids)
    wanted = expected_status(method, path, role)
    assert response.status_code == wanted, response.text

    missing, _ = await call(client, caller, method, path, {**ids, "case_id": str(uuid.uuid4())})
    assert missing.status_code == 404, "a case that does not exist is not found, for anyone"
    if wanted == 404:
        # indistinguishable from a missing id: the same problem, word for word
        assert problem_of(response) == problem_of(missing)
        assert problem_of(response)["title"] == "Not Found"

    if wanted == rule.success:
        assert_success(rule, response, body, ids, role)
    else:
        assert problem_of(response)["status"] == wanted
        after = await as_opener_sees_it(client, opener, ids["case_id"])
        assert after == before, "a refused request changes nothing"


# --- The route table and the matrix ----------------------------------------------------------


def test_every_case_route_of_the_app_has_an_entry_in_the_matrix():
    served = set(ROUTES)
    assert OPEN_ROUTE in served
    unlisted = served - set(EXPECTED) - {OPEN_ROUTE}
    assert not unlisted, f"case routes missing from EXPECTED (add who may do what): {unlisted}"
    stale = set(EXPECTED) - served
    assert not stale, f"EXPECTED lists routes the app does not serve: {stale}"


@pytest.mark.parametrize(("method", "path", "scenario", "organisation"), _matrix_params())
async def test_each_organisation_may_do_on_a_case_exactly_what_its_role_allows(
    client, cast: Cast, method, path, scenario, organisation
):
    rule = EXPECTED.get((method, path))
    assert rule is not None, f"{method} {path} is served but not in EXPECTED"
    opener = cast[OPENER_OF[scenario]]
    journey = Journey(client, opener, cast.return_org, cast.partner)
    ids = await prepare(journey, rule, residence_status=RESIDENCE_FOR[OPENER_OF[scenario]])

    await assert_outcome(
        client,
        caller=cast[organisation],
        role=role_on(cast, scenario, organisation, rule.state),
        method=method,
        path=path,
        ids=ids,
        opener=opener,
    )


# --- The centre's reach: completed cases with consent to story use, read only ---------------


@pytest.mark.parametrize("story_use", [True, False], ids=["with_story_consent", "no_consent"])
@pytest.mark.parametrize(
    ("method", "path"), MATRIX_ROUTES, ids=[route_id(*route) for route in MATRIX_ROUTES]
)
async def test_a_centre_only_reads_a_completed_case_of_others_and_only_with_story_consent(
    client, cast: Cast, method, path, story_use
):
    rule = EXPECTED.get((method, path))
    assert rule is not None, f"{method} {path} is served but not in EXPECTED"
    journey = Journey(client, cast.authority, cast.return_org, cast.partner)
    ids = await prepare(
        journey, rule, completed=True, consent={"data_sharing": True, "story_use": story_use}
    )

    await assert_outcome(
        client,
        caller=cast.centre,
        role=STORY_READER if story_use else None,
        method=method,
        path=path,
        ids=ids,
        opener=cast.authority,
    )


@pytest.mark.parametrize("opener", ["authority", "other_centre"])
async def test_a_centre_reading_for_a_story_never_sees_the_person(client, cast: Cast, opener):
    journey = Journey(client, cast[opener], cast.return_org, cast.partner)
    case = await drive(
        journey,
        "completed",
        residence_status=RESIDENCE_FOR[cast[opener].kind.value],
        representative={"name": "Grace Obi", "role": "custodian"},
    )

    response = await client.get(journey.path, headers=cast.centre.headers)
    assert response.status_code == 200, response.text
    read = response.json()
    assert read["id"] == case["id"]
    assert read["status"] == "completed"
    assert "person" not in read
    assert "representative" not in read
    for personal in ("Blessing", "Okafor", "+2348012345678", "1999-04-02", "Grace Obi"):
        assert personal not in response.text
    # its opener still sees the person, of course
    own = (await client.get(journey.path, headers=cast[opener].headers)).json()
    assert own["person"]["family_name"] == "Okafor"


async def test_a_centre_loses_a_completed_case_when_story_consent_is_withdrawn(client, cast: Cast):
    journey = Journey(client, cast.authority, cast.return_org, cast.partner)
    case = await drive(journey, "completed")
    assert (await client.get(journey.path, headers=cast.centre.headers)).status_code == 200

    etag = (await client.get(journey.path, headers=cast.authority.headers)).headers["etag"]
    withdrawn = await client.patch(
        journey.path,
        json={"consent": {"story_use": False}},
        headers={**cast.authority.headers, "If-Match": etag},
    )
    assert withdrawn.status_code == 200, withdrawn.text

    gone = await client.get(journey.path, headers=cast.centre.headers)
    missing = await client.get(f"{CASES}/{uuid.uuid4()}", headers=cast.centre.headers)
    assert gone.status_code == 404
    assert problem_of(gone) == problem_of(missing)
    assert case["id"] not in await listed_ids(client, cast.centre)


async def test_a_centre_keeps_the_cases_it_opened_in_every_state(client, cast: Cast):
    journey = Journey(client, cast.centre, cast.return_org, cast.partner)
    case = await drive(
        journey,
        "completed",
        residence_status="legal_residence",
        consent={"data_sharing": True, "story_use": False},
    )
    read = await client.get(journey.path, headers=cast.centre.headers)
    assert read.status_code == 200
    assert read.json()["person"]["family_name"] == "Okafor"
    assert case["id"] in await listed_ids(client, cast.centre)
    assert (await client.get(journey.path, headers=cast.other_centre.headers)).status_code == 404


# --- Rules inside a route: the legal hold, and records of other cases --------------------------


@pytest.mark.parametrize(
    ("scenario", "editor", "status"),
    [
        ("authority_case", "authority", 200),
        ("authority_case", "return_org", 403),
        ("centre_case", "centre", 403),
        ("centre_case", "return_org", 403),
    ],
)
async def test_only_the_opening_authority_may_put_a_case_under_legal_hold(
    client, cast: Cast, scenario, editor, status
):
    opener = cast[OPENER_OF[scenario]]
    journey = Journey(client, opener, cast.return_org, cast.partner)
    await drive(journey, "reflection", residence_status=RESIDENCE_FOR[OPENER_OF[scenario]])
    member = cast[editor]
    etag = (await client.get(journey.path, headers=member.headers)).headers["etag"]

    response = await client.patch(
        journey.path,
        json={"phone": "+234 801 000 0010", "legal_hold": True},
        headers={**member.headers, "If-Match": etag},
    )
    assert response.status_code == status, response.text
    stored = (await client.get(journey.path, headers=opener.headers)).json()
    assert stored.get("legal_hold", False) is (status == 200)
    # the whole edit or nothing of it
    changed = stored["person"]["phone"] == "+234 801 000 0010"
    assert changed is (status == 200)


@pytest.mark.parametrize("decision", ["approval", "rejection"])
async def test_a_return_org_cannot_decide_another_cases_payment_through_its_own_case(
    client, cast: Cast, decision
):
    theirs = Journey(client, cast.authority, cast.return_org, cast.partner)
    rule = EXPECTED[("POST", f"{ONE_PAYMENT}/{decision}")]
    their_ids = await prepare(theirs, rule)
    ours = Journey(client, cast.authority, cast.other_return_org, cast.other_partner)
    our_ids = await prepare(ours, rule)
    member = cast.other_return_org
    body = rule.body() if rule.body else None

    path = f"{ONE_PAYMENT}/{decision}"
    crossed = {"case_id": our_ids["case_id"], "payment_id": their_ids["payment_id"]}
    response = await client.post(url_of(path, crossed), json=body, headers=member.headers)
    unknown = {"case_id": our_ids["case_id"], "payment_id": str(uuid.uuid4())}
    missing = await client.post(url_of(path, unknown), json=body, headers=member.headers)
    assert response.status_code == 404, response.text
    assert problem_of(response) == problem_of(missing)

    payments = await client.get(url_of(PAYMENTS, their_ids), headers=cast.return_org.headers)
    (payment,) = payments.json()["items"]
    assert payment["status"] == "pending_approval"


# --- Reassigning the partner -----------------------------------------------------------------


@pytest.mark.parametrize("editor", ["opener", "return_org"])
async def test_a_partner_reassigned_away_loses_the_case_and_the_new_partner_gets_it(
    client, cast: Cast, editor
):
    journey = Journey(client, cast.authority, cast.return_org, cast.partner)
    case = await drive(journey, "departed")
    member = cast.authority if editor == "opener" else cast.return_org
    etag = (await client.get(journey.path, headers=member.headers)).headers["etag"]

    moved = await client.patch(
        journey.path,
        json={"partner_org_id": str(cast.other_partner.organisation_id)},
        headers={**member.headers, "If-Match": etag},
    )
    assert moved.status_code == 200, moved.text
    assert moved.json()["partner_org_id"] == str(cast.other_partner.organisation_id)

    missing = await client.get(f"{CASES}/{uuid.uuid4()}", headers=cast.partner.headers)
    old = await client.get(journey.path, headers=cast.partner.headers)
    assert old.status_code == 404
    assert problem_of(old) == problem_of(missing)
    assert case["id"] not in await listed_ids(client, cast.partner)
    arrival = {"arrived_on": days_ago(89)}
    late = await client.post(f"{journey.path}/arrival", json=arrival, headers=cast.partner.headers)
    assert late.status_code == 404

    new = await client.get(journey.path, headers=cast.other_partner.headers)
    assert new.status_code == 200, new.text
    assert new.json()["person"]["phone"] == "+2348012345678"
    assert case["id"] in await listed_ids(client, cast.other_partner)
    arrived = await client.post(
        f"{journey.path}/arrival", json=arrival, headers=cast.other_partner.headers
    )
    assert arrived.status_code == 200, arrived.text
    assert arrived.json()["status"] == "reintegration"


async def test_a_partner_unassigned_from_a_case_no_longer_reaches_it(client, cast: Cast):
    journey = Journey(client, cast.authority, cast.return_org, cast.partner)
    case = await drive(journey, "planned")
    etag = (await client.get(journey.path, headers=cast.authority.headers)).headers["etag"]
    cleared = await client.patch(
        journey.path,
        json={"partner_org_id": None},
        headers={**cast.authority.headers, "If-Match": etag},
    )
    assert cleared.status_code == 200, cleared.text
    assert "partner_org_id" not in cleared.json()

    assert (await client.get(journey.path, headers=cast.partner.headers)).status_code == 404
    assert case["id"] not in await listed_ids(client, cast.partner)


# --- Lists: exactly the reach, and filters never widen it -------------------------------------


@dataclass(frozen=True)
class Planted:
    opener: str
    return_org: str
    partner: str | None
    state: str
    story_use: bool
    origin_country: str


#: Cases of several openers, organisations, states, countries and consents.
WORLD = [
    Planted("authority", "return_org", "partner", "reflection", True, "NG"),
    Planted("authority", "other_return_org", "other_partner", "planned", True, "TH"),
    Planted("authority", "return_org", "partner", "completed", True, "NG"),
    Planted("authority", "return_org", "other_partner", "closed_early", True, "NG"),
    Planted("authority", "return_org", "partner", "departed", True, "VN"),
    Planted("other_authority", "return_org", "partner", "completed", False, "VN"),
    Planted("other_authority", "other_return_org", "partner", "completed", True, "TH"),
    Planted("other_authority", "other_return_org", "other_partner", "reintegration", False, "NG"),
    Planted("centre", "return_org", None, "reflection", False, "NG"),
    Planted("centre", "other_return_org", "partner", "completed", False, "VN"),
    Planted("other_centre", "other_return_org", "other_partner", "completed", True, "TH"),
    Planted("other_centre", "return_org", "partner", "cancelled", True, "NG"),
]


def reaches(cast: Cast, organisation: str, planted: Planted) -> bool:
    """The contract's reach, written out independently of the app."""
    kind = cast[organisation].kind
    if organisation == planted.opener:
        return True
    if kind is OrganisationKind.centre:
        return planted.state == "completed" and planted.story_use
    if kind is OrganisationKind.return_org:
        return planted.return_org == organisation
    if kind is OrganisationKind.partner:
        return planted.partner == organisation
    return False


async def plant_world(client: httpx.AsyncClient, cast: Cast) -> dict[str, Planted]:
    world = {}
    for planted in WORLD:
        partner = cast[planted.partner] if planted.partner else None
        journey = Journey(client, cast[planted.opener], cast[planted.return_org], partner)
        case = await drive(
            journey,
            planted.state,
            residence_status=RESIDENCE_FOR[cast[planted.opener].kind.value],
            origin_country=planted.origin_country,
            consent={"data_sharing": True, "story_use": planted.story_use},
        )
        world[case["id"]] = planted
    return world


@pytest.mark.parametrize("organisation", ORGANISATIONS)
async def test_each_organisation_lists_exactly_the_cases_in_its_reach(
    client, cast: Cast, organisation
):
    world = await plant_world(client, cast)
    member = cast[organisation]
    reach = {case_id for case_id, planted in world.items() if reaches(cast, organisation, planted)}
    assert reach and reach != set(world), "the world must put some cases in and some out"

    listed = await listed_ids(client, member)
    assert len(listed) == len(set(listed)), "no case twice"
    assert set(listed) == reach

    # page by page, the same cases
    paged: list[str] = []
    params: dict[str, str] = {"limit": "2"}
    while True:
        page = (await client.get(CASES, params=params, headers=member.headers)).json()
        paged += [item["id"] for item in page["items"]]
        if not page["next_cursor"]:
            break
        params["cursor"] = page["next_cursor"]
    assert sorted(paged) == sorted(reach)

    # a centre reading for stories sees no person; everyone else the person's fields it may
    page = (await client.get(CASES, params={"limit": "500"}, headers=member.headers)).json()
    for item in page["items"]:
        opened_it = world[item["id"]].opener == organisation
        story_only = member.kind is OrganisationKind.centre and not opened_it
        assert ("person" in item) is not story_only, item["id"]


@pytest.mark.parametrize("organisation", ORGANISATIONS)
async def test_filters_narrow_an_organisations_list_and_never_widen_it(
    client, cast: Cast, organisation
):
    world = await plant_world(client, cast)
    member = cast[organisation]
    reach = {case_id for case_id, planted in world.items() if reaches(cast, organisation, planted)}

    for status in [*Status, None]:
        for country in ["NG", "TH", "VN", "DK", None]:
            filters = {
                name: value
                for name, value in (("status", status), ("origin_country", country))
                if value is not None
            }
            wanted = {
                case_id
                for case_id in reach
                if status in (None, world[case_id].state)
                and country in (None, world[case_id].origin_country)
            }
            listed = await listed_ids(client, member, **filters)
            assert set(listed) == wanted, filters
            assert len(listed) == len(wanted), filters
    long_ago = "2000-01-01T00:00:00+00:00"
    assert set(await listed_ids(client, member, updated_since=long_ago)) == reach


def reaches_for_reports(cast: Cast, organisation: str, planted: Planted) -> bool:
    """The reach of figures and review queues: a centre's reading for stories is not in it."""
    if cast[organisation].kind is OrganisationKind.centre:
        return organisation == planted.opener
    return reaches(cast, organisation, planted)


@pytest.mark.parametrize("organisation", ORGANISATIONS)
async def test_each_organisations_review_queue_holds_exactly_the_closed_cases_in_its_reach(
    client, cast: Cast, organisation
):
    world = await plant_world(client, cast)
    member = cast[organisation]
    reach = {
        case_id
        for case_id, planted in world.items()
        if planted.state in ("completed", "closed_early")
        and reaches_for_reports(cast, organisation, planted)
    }

    queued: list[str] = []
    params: dict[str, str] = {"limit": "1"}
    while True:
        response = await client.get(
            "/api/v1/outcome-reviews", params=params, headers=member.headers
        )
        assert response.status_code == 200, response.text
        queued += [item["case_id"] for item in response.json()["items"]]
        if not response.json()["next_cursor"]:
            break
        params["cursor"] = response.json()["next_cursor"]
    assert sorted(queued) == sorted(reach)


# --- Who may open a case ---------------------------------------------------------------------

#: Residence status decides who opens: the authority for asylum seekers and people without
#: legal residence, the centre for legal residence; any other combination is 403.
MAY_OPEN = {
    ("authority", "asylum_seeker"),
    ("authority", "no_legal_residence"),
    ("centre", "legal_residence"),
}
OPENING = [
    (kind, residence, 201 if (kind, residence) in MAY_OPEN else 403)
    for kind in ["authority", "centre", "return_org", "partner"]
    for residence in ["asylum_seeker", "no_legal_residence", "legal_residence"]
]


@pytest.mark.parametrize(("kind", "residence_status", "status"), OPENING)
async def test_only_the_organisation_that_assesses_the_person_may_open_the_case(
    client, cast: Cast, kind, residence_status, status
):
    member = cast[kind]
    body = case_body(cast.return_org, cast.partner, residence_status=residence_status)
    response = await client.post(CASES, json=body, headers=member.headers)
    assert response.status_code == status, response.text
    if status == 201:
        case = response.json()
        assert case["status"] == "reflection"
        assert case["opened_by_org_id"] == str(member.organisation_id)
        assert case["person"]["family_name"] == "Okafor"
        assert await listed_ids(client, member) == [case["id"]]
    else:
        assert problem_of(response)["title"] == "Forbidden"
        assert await Case.count() == 0, "a refused opening leaves nothing behind"
