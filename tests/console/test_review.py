"""A case officer at the Immigration Service reviews outcome reports in the console: finds a
submitted report in the queue, reads it beside the case's months, payments and budget,
returns it or accepts it; reads the figures over her cases and prints a report."""

from __future__ import annotations

import re

import httpx
import pytest

from api import outcome_page
from api.console import i18n
from api.console import review as review_pages
from models.cases.tables import Exploitation, Outcome, Status, SupportCategory
from models.followup.tables import Contact, Housing, Livelihood, PaymentStatus, Recipient, Risk
from models.organisations import OrganisationKind
from models.outcomes.tables import ReviewAction, ReviewStatus
from tests.api.test_outcome_review import COMMENT, NOTE, closed_case, submit
from tests.api.test_outcomes import GOOD, MIDDLING, Returnee
from tests.conftest import Member
from tests.console.browser import Browser, Staff, form_token, new_staff

QUEUE = "/console/review"
FORBIDDEN = "Det kan du ikke gøre"


async def case_officer(browser: Browser, authority: Member) -> Staff:
    """A case officer of the authority that opened the cases, signed in."""
    officer = await new_staff(OrganisationKind.authority, organisation_id=authority.organisation_id)
    assert (await browser.sign_in(officer)).status_code == 303
    return officer


async def submitted_case(client, authority, return_org, partner, **changes) -> Returnee:
    """Arrived 200 days ago, months 1 and 2 reported, a housing payment, closed 5 days ago,
    and its outcome report submitted by IOM with a note."""
    case = await Returnee(client, authority, return_org, partner).arrive(200, **changes)
    await case.report(1, 185, MIDDLING)
    await case.report(2, 150, GOOD)
    await case.pay("housing", "25000.00", "NGN", 190)
    await case.close("completed", 5)
    await submit(case)
    return case


def version_sent(page: httpx.Response) -> str:
    return re.search(r'name="version" value="([^"]*)"', page.text).group(1)


async def decide(browser: Browser, case: Returnee, page: httpx.Response, **fields: str):
    """Post the decision form of the report page the officer has open."""
    return await browser.client.post(
        f"{QUEUE}/{case.id}",
        data={"csrf_token": form_token(page), "version": version_sent(page), **fields},
    )


async def review_status(case: Returnee, authority: Member) -> tuple[str, int]:
    review = (await case.outcome_report(authority))["review"]
    return review["status"], review["version"]


async def test_a_case_officer_finds_a_submitted_report_and_reads_it_beside_its_months_and_payments(
    client, browser, authority, return_org, partner
):
    case = await submitted_case(client, authority, return_org, partner)
    await case_officer(browser, authority)

    queue = await browser.get(QUEUE)
    assert queue.status_code == 200
    assert f'<a href="{QUEUE}/{case.id}">{case.reference}</a>' in queue.text
    assert 'aria-current="page">Gennemgang</a>' in queue.text

    page = await browser.get(f"{QUEUE}/{case.id}")
    assert page.status_code == 200
    assert "Indsendt rapport, version 1" in page.text
    assert "Måned 1 " in page.text and "Måned 6 " in page.text
    assert "<dd>Midlertidig</dd>" in page.text, "month 1's report, in words"
    assert "25000.00 NGN" in page.text, "the payment"
    assert "120000.00" in page.text, "the plan's budget"
    assert NOTE in page.text, "IOM's note on the submission"
    assert version_sent(page) == "1"
    assert len(page.content) < 100_000


async def test_returning_needs_a_comment_and_a_corrected_report_is_then_accepted(
    client, browser, authority, return_org, partner
):
    case = await submitted_case(client, authority, return_org, partner)
    await case_officer(browser, authority)
    page = await browser.get(f"{QUEUE}/{case.id}")

    refused = await decide(browser, case, page, decision="returned", comment="  ")
    assert refused.status_code == 422
    summary = refused.text.split('class="error-summary"', 1)[1].split("</div>", 1)[0]
    assert 'href="#comment"' in summary
    assert 'id="comment-error"' in refused.text
    assert "Skriv, hvad der skal rettes" in refused.text.split('id="comment-error"', 1)[1]
    assert await review_status(case, authority) == ("submitted", 1)
    too_long = await decide(browser, case, page, decision="returned", comment="x" * 4001)
    assert too_long.status_code == 422 and 'id="comment-error"' in too_long.text
    assert "x" * 4001 in too_long.text, "what was typed is kept"

    returned = await decide(browser, case, page, decision="returned", comment=COMMENT)
    assert returned.status_code == 303
    confirmation = await browser.get(returned.headers["location"])
    assert f"Du har sendt resultatrapporten for {case.reference} tilbage" in confirmation.text
    assert f"{QUEUE}/{case.id}" not in confirmation.text, "no longer waiting"
    assert await review_status(case, authority) == ("returned", 1)

    await case.report(3, 120, GOOD)  # the correction asked for: version 2
    await submit(case, None)

    page = await browser.get(f"{QUEUE}/{case.id}")
    assert "Indsendt rapport, version 2" in page.text and COMMENT in page.text
    accepted = await decide(browser, case, page, decision="accepted")
    assert accepted.status_code == 303
    assert "Du har godkendt" in (await browser.get(accepted.headers["location"])).text
    assert await review_status(case, authority) == ("accepted", 2)


async def test_a_decision_on_a_report_changed_since_it_was_opened_is_refused_clearly(
    client, browser, authority, return_org, partner
):
    case = await submitted_case(client, authority, return_org, partner)
    await case_officer(browser, authority)
    opened = await browser.get(f"{QUEUE}/{case.id}")

    await case.report(3, 120, GOOD)  # a late report: version 2, submitted meanwhile
    await submit(case, None)
    refused = await decide(browser, case, opened, decision="accepted")

    assert refused.status_code == 409
    assert "Rapporten er ændret, siden du åbnede den" in refused.text
    assert "Din afgørelse er ikke gemt" in refused.text
    assert version_sent(refused) == "2", "the page now shows the version submitted"
    assert await review_status(case, authority) == ("submitted", 2)


@pytest.mark.parametrize("kind", [OrganisationKind.partner, OrganisationKind.return_org])
async def test_a_partner_or_iom_worker_cannot_open_the_queue(
    client, browser, authority, return_org, partner, kind
):
    case = await submitted_case(client, authority, return_org, partner)
    member = partner if kind is OrganisationKind.partner else return_org
    worker = await new_staff(kind, organisation_id=member.organisation_id)
    await browser.sign_in(worker)

    assert 'href="/console/review"' not in (await browser.get("/console/")).text
    for path in (QUEUE, f"{QUEUE}/{case.id}"):
        refused = await browser.get(path)
        assert refused.status_code == 403
        assert FORBIDDEN in refused.text
    token = form_token(await browser.get("/console/"))
    decided = await browser.client.post(
        f"{QUEUE}/{case.id}", data={"csrf_token": token, "decision": "accepted", "version": "1"}
    )
    assert decided.status_code == 403
    assert await review_status(case, authority) == ("submitted", 1)


async def test_another_authoritys_case_is_not_found(
    client, browser, authority, return_org, partner
):
    case = await submitted_case(client, authority, return_org, partner)
    await new_staff_elsewhere(browser)

    assert f"{QUEUE}/{case.id}" not in (await browser.get(QUEUE)).text
    assert (await browser.get(f"{QUEUE}/{case.id}")).status_code == 404
    printed = await browser.get(f"/console/cases/{case.id}/outcome-report/print")
    assert printed.status_code == 404


async def new_staff_elsewhere(browser: Browser) -> Staff:
    """A case officer of another authority, signed in."""
    other = await new_staff(OrganisationKind.authority)
    await browser.sign_in(other)
    return other


async def test_the_queue_is_read_a_page_at_a_time(
    client, browser, authority, return_org, partner, monkeypatch
):
    first = await submitted_case(client, authority, return_org, partner)
    second = await submitted_case(client, authority, return_org, partner)
    monkeypatch.setattr(review_pages, "PAGE_SIZE", 1)
    await case_officer(browser, authority)

    page = await browser.get(QUEUE)
    assert first.reference in page.text and second.reference not in page.text
    following = re.search(r'href="(/console/review\?cursor=[^"]+)"', page.text).group(1)
    page = await browser.get(following)
    assert second.reference in page.text and first.reference not in page.text
    assert 'href="/console/review">' in page.text, "back to the first page"


async def test_the_dashboard_shows_figures_filtered_by_country_and_its_csv_downloads(
    client, browser, authority, return_org, partner
):
    nigeria = await closed_case(client, authority, return_org, partner)
    uganda = await submitted_case(client, authority, return_org, partner, origin_country="UG")
    await case_officer(browser, authority)

    everything = await browser.get("/console/dashboard")
    assert everything.status_code == 200
    assert '<th scope="row">NG</th>' in everything.text
    assert '<th scope="row">UG</th>' in everything.text

    page = await browser.get("/console/dashboard?origin_country=ug")
    assert page.status_code == 200
    assert 'value="UG"' in page.text
    assert '<th scope="row">UG</th>' in page.text and '<th scope="row">NG</th>' not in page.text
    charts = re.findall(r'<img src="([^"]+)" alt="[^"]+"', page.text)
    assert len(charts) == 4 and all("origin_country=UG" in src for src in charts)
    chart = await browser.get(charts[0])
    assert chart.status_code == 200 and chart.headers["content-type"].startswith("image/svg")
    assert len(page.content) < 100_000

    csv_link = re.search(r'href="(/console/dashboard\.csv[^"]*)"', page.text).group(1)
    csv = await browser.get(csv_link.replace("&amp;", "&"))
    assert csv.status_code == 200 and csv.headers["content-type"].startswith("text/csv")
    assert "attachment" in csv.headers["content-disposition"]
    lines = csv.text.splitlines()
    assert lines[0].startswith("reference,status,origin_country")
    assert [line.split(",")[0] for line in lines[1:]] == [uganda.reference]
    assert nigeria.reference not in csv.text


async def test_the_dashboard_shows_a_bad_filter_next_to_its_field(client, browser, authority):
    await case_officer(browser, authority)

    page = await browser.get(
        "/console/dashboard?origin_country=Nigeria&from=2026-05-01&to=2026-01-01"
    )

    assert page.status_code == 422
    summary = page.text.split('class="error-summary"', 1)[1].split("</div>", 1)[0]
    assert 'href="#origin_country"' in summary
    assert 'id="origin_country-error"' in page.text
    fixed = await browser.get("/console/dashboard?from=2026-05-01&to=2026-01-01")
    assert fixed.status_code == 422 and 'id="to-error"' in fixed.text


async def test_the_printable_report_has_its_review_on_it(
    client, browser, authority, return_org, partner
):
    case = await submitted_case(client, authority, return_org, partner)
    await case_officer(browser, authority)
    page = await browser.get(f"{QUEUE}/{case.id}")
    await decide(browser, case, page, decision="returned", comment=COMMENT)

    assert (
        f'href="/console/cases/{case.id}/outcome-report/print?version=1"'
        in (await browser.get(f"{QUEUE}/{case.id}")).text
    )
    printed = await browser.get(f"/console/cases/{case.id}/outcome-report/print?version=1")

    assert printed.status_code == 200
    assert "@media print" in printed.text and '<html lang="da">' in printed.text
    assert f"<h1>Resultatrapport {case.reference}</h1>" in printed.text
    assert "<h2>Gennemgang</h2>" in printed.text
    assert "<p>sendt tilbage til rettelse, version 1</p>" in printed.text
    assert COMMENT in printed.text and NOTE in printed.text
    assert "<td>Midlertidig</td>" in printed.text, "values in the officer's words"

    await browser.submit("/console/", action="/console/language", language="en", next="/")
    english = await browser.get(f"/console/cases/{case.id}/outcome-report/print?version=1")
    assert '<html lang="en">' in english.text and "<h2>Review</h2>" in english.text
    assert "<p>returned for correction, version 1</p>" in english.text


#: The values the review's pages show in words, by the catalogue keys they use.
SHOWN_IN_WORDS = {
    "contact": Contact,
    "housing": Housing,
    "livelihood": Livelihood,
    "risk": Risk,
    "outcome": Outcome,
    "case_status": Status,
    "review_status": ReviewStatus,
    "action": ReviewAction,
    "exploitation": Exploitation,
    "category": SupportCategory,
    "recipient": Recipient,
    "payment_status": PaymentStatus,
    "version_reason": ("closure", "amendment"),
}


@pytest.mark.parametrize("language", i18n.LANGUAGES)
def test_every_value_a_review_page_shows_has_its_words(language):
    texts = i18n.catalogue(language)
    missing = [
        f"review.{kind}.{value}"
        for kind, values in SHOWN_IN_WORDS.items()
        for value in values
        if f"review.{kind}.{value}" not in texts
    ]
    assert not missing
    printed = [f"review.print.{key}" for key in outcome_page.ENGLISH]
    assert not [key for key in printed if key not in texts]


async def test_a_report_not_submitted_yet_has_nothing_to_decide(
    client, browser, authority, return_org, partner
):
    case = await Returnee(client, authority, return_org, partner).arrive(200)
    await case_officer(browser, authority)

    page = await browser.get(f"{QUEUE}/{case.id}")

    assert page.status_code == 200
    assert "Rapporten, som den ser ud nu" in page.text
    assert "Der er intet at afgøre: gennemgangen er ikke indsendt." in page.text
    assert 'name="decision"' not in page.text
