"""Outcomes over many cases, within the caller's reach: counts, completion, follow-up
compliance, disbursed totals and mean scores, computed by hand for a small world of
cases; the same rows as a streamed CSV; the charts as SVG; and how the review of closed
cases' outcome reports goes."""

from __future__ import annotations

import asyncio
import csv
import io
import xml.etree.ElementTree as ET
from collections import Counter
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

import httpx
import pytest
from piccolo.engine.postgres import PostgresEngine

from models import database
from models.cases.rules import MONTHS_OF_SUPPORT
from models.cases.tables import Case
from models.followup.due import due_on_sql, month_due_on
from models.organisations import OrganisationKind, authenticate
from models.outcomes import aggregate
from models.outcomes.aggregate import CSV_COLUMNS
from models.outcomes.queries import OutcomeFilter, as_date
from models.outcomes.review_figures import median
from tests.api.conftest import days_ago
from tests.api.test_outcome_review import review, submit
from tests.api.test_outcomes import BAD, GOOD, MIDDLING, Returnee
from tests.conftest import Member, make_member

#: Answers depend on today: CI also runs these at hostile instants (see .ci/run).
pytestmark = pytest.mark.dates

OUTCOMES = "/api/v1/outcomes"
SVG = "{http://www.w3.org/2000/svg}"
PERSONAL = ("Blessing", "Okafor", "+2348012345678", "1999-04-02")


@dataclass
class World:
    completed: Returnee  # NG, prostitution, partner; arrived 200 days ago, completed
    closed_early: Returnee  # TH, forced labour, other partner; closed 45 days after arrival
    in_reintegration: Returnee  # NG, forced labour and prostitution, partner; arrived 75 days ago
    planned: Returnee  # NG, criminal activities, partner; not yet departed
    cancelled: Returnee  # UG, other, other partner


@pytest.fixture
async def world(client, authority, return_org, partner, other_partner) -> World:
    def case(member: Member) -> Returnee:
        return Returnee(client, authority, return_org, member)

    completed = await case(partner).arrive(200, origin_country="NG")
    await completed.report(1, 185, MIDDLING)
    await completed.report(2, 160, GOOD)
    await completed.report(3, 130, MIDDLING)
    await completed.report(6, 25, GOOD)  # months 4 and 5 missing
    await completed.pay("housing", "25000.00", "NGN", 195)
    await completed.pay("housing", "25000.00", "NGN", 165)
    relative = await completed.pay("school_fees", "10000.00", "NGN", 180, relative=True)
    await completed.decide(relative, "approval")
    refused = await completed.pay("food", "5000.00", "NGN", 170, relative=True)
    await completed.decide(refused, "rejection")
    await completed.pay("housing", "1000.00", "NGN", 160, relative=True)  # still waiting
    await completed.close("completed", 5)

    closed_early = await case(other_partner).arrive(
        200,
        origin_country="TH",
        exploitation=["forced_labour"],
        budget=[{"category": "business", "amount": "1000.00", "currency": "THB"}],
    )
    await closed_early.report(1, 180, BAD)
    await closed_early.pay("business", "300.00", "THB", 185)
    await closed_early.close("lost_contact", 155)

    in_reintegration = await case(partner).arrive(
        75, origin_country="NG", exploitation=["forced_labour", "prostitution"]
    )
    await in_reintegration.report(1, 70, GOOD)
    await in_reintegration.report(1, 60, MIDDLING)  # the later visit is the month's
    await in_reintegration.pay("business", "150.50", "USD", 70)

    planned = await case(partner).open(origin_country="NG", exploitation=["criminal_activities"])
    cancelled = await case(other_partner).open(origin_country="UG", exploitation=["other"])
    response = await client.post(
        f"{cancelled.path}/cancellation",
        json={"reason": "Chose to stay"},
        headers=authority.headers,
    )
    assert response.status_code == 200, response.text
    return World(completed, closed_early, in_reintegration, planned, cancelled)


async def figures(client: httpx.AsyncClient, member: Member, **params: str) -> dict[str, Any]:
    response = await client.get(OUTCOMES, params=params, headers=member.headers)
    assert response.status_code == 200, response.text
    return response.json()


def statuses(**counts: int) -> dict[str, int]:
    every = ["reflection", "planned", "departed", "reintegration", "completed", "closed_early"]
    return {status: counts.get(status, 0) for status in [*every, "cancelled"]}


# --- The figures --------------------------------------------------------------------------------


async def test_the_authority_gets_every_figure_over_the_cases_it_opened(client, world, authority):
    found = await figures(client, authority)

    assert found["cases"] == {
        "total": 5,
        "by_status": statuses(planned=1, reintegration=1, completed=1, closed_early=1, cancelled=1),
        "by_origin_country": {"NG": 3, "TH": 1, "UG": 1},
        "by_exploitation": {
            "criminal_activities": 1,
            "forced_labour": 2,
            "other": 1,
            "prostitution": 2,
        },
    }
    assert found["completion"] == {"closed": 2, "completed": 1, "closed_early": 1, "rate": 0.5}
    assert found["completion_by_country"] == [
        {"closed": 1, "completed": 1, "closed_early": 0, "rate": 1.0, "origin_country": "NG"},
        {"closed": 1, "completed": 0, "closed_early": 1, "rate": 0.0, "origin_country": "TH"},
        {"closed": 0, "completed": 0, "closed_early": 0, "rate": None, "origin_country": "UG"},
    ]
    # Due: all 6 months of the completed case (4 reported: 1, 2, 3, 6); month 1 only of the
    # case closed 45 days after arrival (reported); months 1 and 2 of the case that arrived
    # 75 days ago (month 1 reported). 6 of 9.
    follow_up = found["follow_up"]
    assert (follow_up["months_due"], follow_up["months_reported"]) == (9, 6)
    assert follow_up["compliance"] == 0.667
    assert follow_up["grace_days"] == 7
    # recorded and approved only; each currency apart
    assert found["payments"] == [
        {"category": "housing", "currency": "NGN", "total": "50000.00", "count": 2},
        {"category": "business", "currency": "THB", "total": "300.00", "count": 1},
        {"category": "business", "currency": "USD", "total": "150.50", "count": 1},
        {"category": "school_fees", "currency": "NGN", "total": "10000.00", "count": 1},
    ]
    quarters = found["returns_by_quarter"]
    assert sum(q["returns"] for q in quarters) == 3
    assert quarters[0]["quarter"] == _quarter(days_ago(200))
    assert quarters[-1]["quarter"] == _quarter(days_ago(75))


async def test_mean_scores_by_month_take_each_cases_latest_visit(client, world, authority):
    scores = (await figures(client, authority))["scores"]

    assert scores["version"] == "1"
    by_month = {m["month"]: m for m in scores["by_month"]}
    # month 1: middling (completed case), bad (closed early), middling (later visit)
    assert by_month[1] == {
        "month": 1,
        "cases": 3,
        "economic": 0.333,  # (0.5 + 0 + 0.5) / 3
        "social": 0.222,  # (1/3 + 0 + 1/3) / 3
        "psychosocial": 0.417,  # (0.625 + 0 + 0.625) / 3
        "composite": 0.324,  # (0.4861 + 0 + 0.4861) / 3
    }
    assert by_month[2]["composite"] == 1.0
    assert (by_month[4]["cases"], by_month[4]["composite"]) == (0, None)
    assert (scores["month_3"], scores["month_6"]) == (0.486, 1.0)


async def test_a_partners_figures_cover_only_its_own_cases(client, world, partner, other_partner):
    mine = await figures(client, partner)
    assert mine["cases"]["total"] == 3
    assert mine["cases"]["by_status"] == statuses(planned=1, reintegration=1, completed=1)
    assert mine["payments"] == [
        {"category": "housing", "currency": "NGN", "total": "50000.00", "count": 2},
        {"category": "business", "currency": "USD", "total": "150.50", "count": 1},
        {"category": "school_fees", "currency": "NGN", "total": "10000.00", "count": 1},
    ]
    assert (mine["follow_up"]["months_due"], mine["follow_up"]["months_reported"]) == (8, 5)

    theirs = await figures(client, other_partner)
    assert theirs["cases"]["total"] == 2
    assert theirs["payments"] == [
        {"category": "business", "currency": "THB", "total": "300.00", "count": 1}
    ]
    assert theirs["completion"]["rate"] == 0.0


async def test_a_centre_that_opened_nothing_sees_no_case_not_even_for_stories(
    client, world, centre
):
    found = await figures(client, centre)
    assert found["cases"]["total"] == 0
    assert found["payments"] == []
    assert found["follow_up"]["compliance"] is None
    assert found["returns_by_quarter"] == []


async def test_filters_narrow_the_figures(client, world, authority, return_org):
    by_country = await figures(client, authority, origin_country="TH")
    assert by_country["cases"]["by_origin_country"] == {"TH": 1}

    by_form = await figures(client, authority, exploitation="forced_labour")
    assert by_form["cases"]["total"] == 2
    assert by_form["cases"]["by_exploitation"] == {"forced_labour": 2, "prostitution": 1}

    recent = await figures(client, authority, **{"from": days_ago(100)})
    assert recent["cases"]["by_status"] == statuses(reintegration=1)
    assert recent["payments"] == [
        {"category": "business", "currency": "USD", "total": "150.50", "count": 1}
    ]
    earlier = await figures(client, authority, to=days_ago(100))
    assert earlier["cases"]["total"] == 2  # cases that never arrived are left out
    exactly = await figures(client, authority, **{"from": days_ago(200), "to": days_ago(200)})
    assert exactly["cases"]["total"] == 2, "both ends are inclusive"

    ours = await figures(client, authority, return_org=str(return_org.organisation_id))
    assert ours["cases"]["total"] == 5
    elsewhere = await make_member(OrganisationKind.return_org, country="CH")
    theirs = await figures(client, authority, return_org=str(elsewhere.organisation_id))
    assert theirs["cases"]["total"] == 0


@pytest.mark.parametrize(
    "params",
    [
        {"from": days_ago(10), "to": days_ago(20)},
        {"origin_country": "Nigeria"},
        {"exploitation": "begging"},
        {"format": "xlsx"},
    ],
)
async def test_bad_filters_are_refused(client, authority, params):
    response = await client.get(OUTCOMES, params=params, headers=authority.headers)
    assert response.status_code in (400, 422), response.text
    assert response.headers["content-type"].startswith("application/problem+json")


# --- One row per case, as CSV -------------------------------------------------------------------


async def test_the_csv_has_one_row_per_case_and_no_personal_data(client, world, authority):
    response = await client.get(OUTCOMES, params={"format": "csv"}, headers=authority.headers)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("text/csv")
    assert "attachment" in response.headers["content-disposition"]
    for personal in PERSONAL:
        assert personal not in response.text

    rows = list(csv.reader(io.StringIO(response.text)))
    assert rows[0] == list(CSV_COLUMNS)
    body = [dict(zip(rows[0], row, strict=True)) for row in rows[1:]]
    references = [
        case.reference
        for case in (
            world.completed,
            world.closed_early,
            world.in_reintegration,
            world.planned,
            world.cancelled,
        )
    ]
    assert [row["reference"] for row in body] == sorted(references)
    by_reference = {row["reference"]: row for row in body}

    assert by_reference[world.completed.reference] == {
        "reference": world.completed.reference,
        "status": "completed",
        "origin_country": "NG",
        "exploitation": "prostitution",
        "arrived": days_ago(200)[:7],
        "closed": days_ago(5)[:7],
        "outcome": "completed",
        "reports_received": "4",
        "months_due": "6",
        "months_due_reported": "4",
        "payments_disbursed": "3",
        "disbursed": "60000.00 NGN",
        "composite_month_3": "0.486",
        "composite_month_6": "1.000",
        "review_status": "not_submitted",
        "review_version": "1",
        "days_to_first_submission": "",
        "days_to_acceptance": "",
    }
    early = by_reference[world.closed_early.reference]
    assert (early["status"], early["outcome"], early["months_due"]) == (
        "closed_early",
        "lost_contact",
        "1",
    )
    assert early["disbursed"] == "300.00 THB"
    mixed = by_reference[world.in_reintegration.reference]
    assert mixed["exploitation"] == "forced_labour;prostitution"
    assert (mixed["months_due"], mixed["months_due_reported"]) == ("2", "1")
    planned = by_reference[world.planned.reference]
    assert (planned["arrived"], planned["reports_received"], planned["disbursed"]) == ("", "0", "")


async def test_the_csv_is_read_a_page_of_cases_at_a_time(
    client, world, authority, partner, settings
):
    caller = await authenticate(authority.token)
    chunks = [
        chunk
        async for chunk in aggregate.csv_chunks(
            caller=caller, filters=OutcomeFilter(), grace_days=7, page_size=2
        )
    ]
    assert len(chunks) == 1 + 3, "the header, then pages of 2, 2 and 1 cases"
    whole = await client.get(OUTCOMES, params={"format": "csv"}, headers=authority.headers)
    assert "".join(chunks) == whole.text

    narrowed = await client.get(
        OUTCOMES, params={"format": "csv", "origin_country": "NG"}, headers=partner.headers
    )
    rows = list(csv.DictReader(io.StringIO(narrowed.text)))
    assert sorted(row["reference"] for row in rows) == sorted(
        [world.completed.reference, world.in_reintegration.reference, world.planned.reference]
    )


async def cut_off(app: Any, path: str, query: bytes, headers: dict[str, str], when: Any) -> None:
    """Ask the app for ``path`` as a phone whose network drops once ``when`` is set."""
    asked = False

    async def receive() -> dict[str, Any]:
        nonlocal asked
        if not asked:
            asked = True
            return {"type": "http.request", "body": b"", "more_body": False}
        await when.wait()
        return {"type": "http.disconnect"}

    async def send(message: dict[str, Any]) -> None:
        pass

    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "GET",
        "scheme": "http",
        "path": path,
        "raw_path": path.encode(),
        "query_string": query,
        "root_path": "",
        "headers": [(b"host", b"tracker.test")]
        + [(k.lower().encode(), v.encode()) for k, v in headers.items()],
        "client": ("127.0.0.1", 50000),
        "server": ("tracker.test", 80),
        "state": {},
    }
    await asyncio.wait_for(app(scope, receive, send), timeout=10)


async def test_a_csv_download_cut_off_midway_gives_its_connection_back(
    client, world, authority, settings, monkeypatch
):
    """A phone on a bad network loses the CSV half way, again and again, each time while
    a page of cases is being read: every cut-off ends its transaction and gives its
    connection back, and the tracker keeps answering."""
    reading = asyncio.Event()
    read_page = aggregate._page_rows

    async def slow_page(cases: list[dict[str, Any]], **due: Any) -> list[tuple]:
        rows = await read_page(cases, **due)
        reading.set()
        await asyncio.sleep(0.2)  # the network drops now
        return rows

    monkeypatch.setattr(aggregate, "_page_rows", slow_page)
    app = client._transport.app
    for _ in range(settings.postgres_pool_size + 2):
        reading.clear()
        await cut_off(app, OUTCOMES, b"format=csv", authority.headers, when=reading)
    monkeypatch.setattr(aggregate, "_page_rows", read_page)

    whole = await asyncio.wait_for(
        client.get(OUTCOMES, params={"format": "csv"}, headers=authority.headers), timeout=10
    )
    assert whole.status_code == 200
    assert len(list(csv.reader(io.StringIO(whole.text)))) == 1 + 5


# --- Charts -------------------------------------------------------------------------------------


def _texts(svg: bytes) -> str:
    root = ET.fromstring(svg)  # noqa: S314 - our own output
    assert root.tag == f"{SVG}svg"
    assert root.find(f"{SVG}script") is None
    return " ".join(text for element in root.iter() for text in element.itertext())


@pytest.mark.parametrize(
    ("chart", "labels"),
    [
        ("returns-by-quarter", ["Returns by quarter", "Quarter of arrival", "Cases", "Returns"]),
        (
            "completion-by-country",
            ["Country (closed cases)", "% of closed", "Completed", "Closed early", "NG (1)"],
        ),
        (
            "disbursed-by-category",
            ["Support category", "NGN (total 60,000.00)", "THB (total 300.00)", "school fees"],
        ),
        (
            "scores-by-month",
            ["Month of support", "Mean score", "Economic", "Social", "Psychosocial", "Composite"],
        ),
    ],
)
async def test_each_chart_is_svg_with_labelled_axes_and_its_series(
    client, world, authority, chart, labels
):
    response = await client.get(f"{OUTCOMES}/charts/{chart}.svg", headers=authority.headers)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("image/svg+xml")
    texts = _texts(response.content)
    for label in labels:
        assert label in texts, label
    assert "viewBox" in response.text


async def test_charts_follow_the_reach_and_the_filters(client, world, other_partner, authority):
    theirs = _texts(
        (
            await client.get(
                f"{OUTCOMES}/charts/disbursed-by-category.svg", headers=other_partner.headers
            )
        ).content
    )
    assert "THB" in theirs and "NGN" not in theirs

    only_th = _texts(
        (
            await client.get(
                f"{OUTCOMES}/charts/completion-by-country.svg",
                params={"origin_country": "TH"},
                headers=authority.headers,
            )
        ).content
    )
    assert "TH (1)" in only_th and "NG (1)" not in only_th


async def test_an_empty_chart_still_parses_and_an_unknown_chart_is_not_found(
    client, centre, authority
):
    empty = await client.get(f"{OUTCOMES}/charts/scores-by-month.svg", headers=centre.headers)
    assert empty.status_code == 200
    _texts(empty.content)
    for name in ("pie.svg", "scores-by-month.png"):
        missing = await client.get(f"{OUTCOMES}/charts/{name}", headers=authority.headers)
        assert missing.status_code == 404


def _quarter(day: str) -> str:
    year, month = int(day[:4]), int(day[5:7])
    return f"{year}-Q{(month - 1) // 3 + 1}"


# --- The due date of a month, in SQL on both engines -------------------------------------------


#: Arrivals at months' ends, in leap and common years.
ARRIVALS = [
    *("2026-01-28", "2026-01-29", "2026-01-31", "2027-12-31", "2028-01-31", "2026-08-31"),
    *("2028-02-29", "2026-03-31", "2026-05-31", "2026-06-30", "2026-10-31", "2026-11-30"),
]


@pytest.mark.parametrize("arrived", ARRIVALS)
async def test_the_sql_due_date_of_each_month_is_the_one_tasks_give(db, arrived):
    """Month arithmetic differs between the engines (SQLite runs on past a month's end)."""
    postgres = isinstance(database.current(), PostgresEngine)
    literal = f"DATE '{arrived}'" if postgres else f"'{arrived}'"
    columns = ", ".join(f"{due_on_sql(literal, m)} AS m{m}" for m in MONTHS_OF_SUPPORT)
    (row,) = await Case.raw(f"SELECT {columns}")
    day = date.fromisoformat(arrived)
    assert [as_date(row[f"m{m}"]) for m in MONTHS_OF_SUPPORT] == [
        month_due_on(day, m) for m in MONTHS_OF_SUPPORT
    ]


# --- The review of closed cases' reports ----------------------------------------------------------

#: The columns the CSV had before the review: they keep their places.
EARLIER_COLUMNS = [
    "reference",
    "status",
    "origin_country",
    "exploitation",
    "arrived",
    "closed",
    "outcome",
    "reports_received",
    "months_due",
    "months_due_reported",
    "payments_disbursed",
    "disbursed",
    "composite_month_3",
    "composite_month_6",
]


async def reviewed(world: World, clock) -> None:
    """The completed case (closed 5 days ago) and the one closed early (155 days ago) are
    submitted today; three days later the completed one is accepted."""
    await submit(world.completed)
    await submit(world.closed_early)
    clock.move_to(clock.now() + timedelta(days=3))
    await review(world.completed, "accepted")


async def test_the_figures_count_reviews_by_status_with_the_median_days_of_each_step(
    client, world, authority, clock
):
    before = (await figures(client, authority))["review"]
    assert before == {
        "by_status": {"not_submitted": 2, "submitted": 0, "returned": 0, "accepted": 0},
        "median_days_to_first_submission": None,
        "median_days_to_acceptance": None,
    }

    await reviewed(world, clock)

    assert (await figures(client, authority))["review"] == {
        "by_status": {"not_submitted": 0, "submitted": 1, "returned": 0, "accepted": 1},
        "median_days_to_first_submission": 80.0,  # 5 and 155 days
        "median_days_to_acceptance": 3.0,
    }


async def test_the_review_figures_follow_the_reach_and_the_filters(
    client, world, authority, partner, clock
):
    await reviewed(world, clock)

    partners = (await figures(client, partner))["review"]
    assert partners["by_status"]["accepted"] == 1 and partners["by_status"]["submitted"] == 0
    assert partners["median_days_to_first_submission"] == 5.0
    thai = (await figures(client, authority, origin_country="TH"))["review"]
    assert thai["by_status"]["submitted"] == 1
    assert (thai["median_days_to_first_submission"], thai["median_days_to_acceptance"]) == (
        155.0,
        None,
    )


async def test_the_csv_adds_each_cases_review_after_its_earlier_columns(
    client, world, authority, clock
):
    await reviewed(world, clock)

    response = await client.get(OUTCOMES, params={"format": "csv"}, headers=authority.headers)
    rows = list(csv.reader(io.StringIO(response.text)))
    assert rows[0] == list(CSV_COLUMNS)
    assert rows[0] == [
        *EARLIER_COLUMNS,
        "review_status",
        "review_version",
        "days_to_first_submission",
        "days_to_acceptance",
    ]
    by_reference = {row[0]: dict(zip(rows[0], row, strict=True)) for row in rows[1:]}
    review_of = lambda case: [by_reference[case.reference][c] for c in rows[0][-4:]]  # noqa: E731
    assert review_of(world.completed) == ["accepted", "1", "5", "3"]
    assert review_of(world.closed_early) == ["submitted", "1", "155", ""]
    assert review_of(world.in_reintegration) == ["", "", "", ""]


@pytest.mark.parametrize(
    ("days", "middle"),
    [({}, None), ({4: 1}, 4.0), ({1: 1, 3: 1, 10: 1}, 3.0), ({2: 2, 5: 1, 9: 1}, 3.5)],
)
def test_the_median_is_read_from_the_count_of_cases_per_number_of_days(days, middle):
    assert median(Counter(days)) == middle
