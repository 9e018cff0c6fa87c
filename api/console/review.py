"""The outcome review, for the organisation that opened the case: the queue of reports
submitted, one report beside the case's months, payments and budget with the decision,
the printable report, and the dashboard of figures over the person's reach."""

from __future__ import annotations

import re
import uuid
from datetime import date, datetime
from typing import Any
from urllib.parse import urlencode

import msgspec
from litestar import Request, Response, get, post
from litestar.params import FromPath, FromQuery
from litestar.response import Redirect, Stream, Template

from api import outcome_charts, outcome_page, outcomes, pagination
from api.console import i18n, pages
from api.settings import settings_of
from models.cases.tables import Exploitation
from models.errors import Conflict, NotFound, RuleViolation
from models.followup import payments, reports
from models.organisations import OrganisationKind, list_organisations
from models.outcomes import aggregate, report, review
from models.outcomes.commands import OutcomeDecision
from models.outcomes.tables import ReviewStatus
from models.people.sessions import SignedIn

QUEUE = "/console/review"
#: Reports a page of the queue lists.
PAGE_SIZE = pagination.DEFAULT_LIMIT
#: The dashboard's filters, as the API's /outcomes names them.
FILTER_FIELDS = ("from", "to", "origin_country", "exploitation", "return_org")
_REFERENCE = re.compile(r"^[A-Z0-9-]{1,40}$")

Req = Request[Any, Any, Any]


# --- The queue ---------------------------------------------------------------------------------


@get("/review")
async def queue_page(
    request: Req,
    cursor: FromQuery[str | None] = None,
    done: FromQuery[str | None] = None,
    reference: FromQuery[str | None] = None,
) -> Template:
    who = await pages.person(request)
    review.require_reviewer(who.caller)
    rows, following = await review.queue(
        caller=who.caller,
        status=ReviewStatus.submitted,
        after=pagination.decode(cursor, tuple[datetime, uuid.UUID]),
        limit=PAGE_SIZE,
    )
    confirmed = (
        (done, reference)
        if done in {"accepted", "returned"} and reference and _REFERENCE.match(reference)
        else None
    )
    return pages.page(
        request,
        "review/queue.html",
        who=who,
        rows=rows,
        next_link=f"{QUEUE}?{urlencode({'cursor': pagination.encode(following)})}"
        if following
        else None,
        first_link=QUEUE if cursor is not None else None,
        confirmed=confirmed,
    )


# --- One report, and the decision --------------------------------------------------------------


async def _report_page(
    request: Req,
    who: SignedIn,
    case_id: uuid.UUID,
    *,
    status: int = 200,
    errors: list[tuple[str, str]] | None = None,
    conflict: bool = False,
    comment: str = "",
) -> Template:
    """The report submitted beside the case's records as they stand now."""
    review.require_reviewer(who.caller)
    now = await report.read(caller=who.caller, case_id=case_id)
    state = now.review
    submitted = (
        await report.read(caller=who.caller, case_id=case_id, version=state.version)
        if state.version is not None
        else now
    )
    by_month: dict[int, list[dict[str, Any]]] = {m.month: [] for m in now.report.months}
    for row in await reports.reports_of(caller=who.caller, case_id=case_id):
        by_month.setdefault(row["month"], []).append(row)
    return pages.page(
        request,
        "review/report.html",
        who=who,
        status=status,
        errors=errors,
        now=now,
        submitted=submitted,
        state=state,
        by_month=by_month,
        payments=await payments.payments_of(caller=who.caller, case_id=case_id),
        conflict=conflict,
        comment=comment,
    )


@get("/review/{case_id:uuid}")
async def report_page(request: Req, case_id: FromPath[uuid.UUID]) -> Template:
    who = await pages.person(request)
    return await _report_page(request, who, case_id)


@post("/review/{case_id:uuid}", status_code=303)
async def decide(request: Req, case_id: FromPath[uuid.UUID]) -> Response[Any]:
    """Accept or return the version the officer read: a report changed since is refused
    by the domain (a conflict), and the page shows it again as it now stands."""
    who = await pages.person(request)
    form = await request.form()
    comment = str(form.get("comment", "")).strip()
    version = str(form.get("version", ""))
    try:
        data = msgspec.convert(
            {
                "decision": form.get("decision"),
                "comment": comment or None,
                "version": int(version) if version.isdigit() else None,
            },
            OutcomeDecision,
        )
    except msgspec.ValidationError as invalid:
        if "$.comment" not in str(invalid):
            raise RuleViolation.on("decision", "is not a decision this form offers") from None
        return await _report_page(
            request,
            who,
            case_id,
            status=422,
            errors=[("comment", "review.decision.error.comment_long")],
            comment=comment,
        )
    try:
        decided = await review.review_report(caller=who.caller, case_id=case_id, data=data)
    except RuleViolation as refused:
        errors = pages.field_errors(refused, {"comment": "review.decision.error.comment"})
        return await _report_page(request, who, case_id, status=422, errors=errors, comment=comment)
    except Conflict:
        return await _report_page(request, who, case_id, status=409, conflict=True, comment=comment)
    confirmation = {"done": data.decision.value, "reference": decided.report.reference}
    return Redirect(f"{QUEUE}?{urlencode(confirmation)}", status_code=303)


# --- The printable report ----------------------------------------------------------------------


def _print_words(language: str) -> outcome_page.Words:
    """The printed page's words from the catalogue: its values in the words the review's
    pages show them in."""
    t = i18n.translator(language)

    def words(key: str, **values: Any) -> str:
        kind, _, rest = key.partition(".")
        return t(f"review.{rest}" if kind == "value" else f"review.print.{key}", **values)

    return words


@get("/cases/{case_id:uuid}/outcome-report/print")
async def printable_report(
    request: Req, case_id: FromPath[uuid.UUID], version: FromQuery[int | None] = None
) -> Response[bytes]:
    """The API's printable page of the report (or of a frozen version), with its review,
    in the person's language."""
    who = await pages.person(request)
    shown = await report.read(caller=who.caller, case_id=case_id, version=version)
    language = pages.language_of(request, who)
    return Response(
        content=outcome_page.render(shown, _print_words(language), language).encode(),
        media_type="text/html; charset=utf-8",
        headers={**outcomes.PAGE_HEADERS, "Cache-Control": "no-store"},
    )


# --- The dashboard -----------------------------------------------------------------------------


async def _filters(request: Req) -> tuple[dict[str, str], list[tuple[str, str]], Any]:
    """The form's values, the errors in them, and the filter they make (None with errors):
    read as the API reads its query, and refused as it refuses it (``to`` before ``from``)."""
    values = {name: request.query_params.get(name, "").strip() for name in FILTER_FIELDS}
    values["origin_country"] = values["origin_country"].upper()
    errors: list[tuple[str, str]] = []
    given: dict[str, Any] = {}
    for name, key in (("from", "arrived_from"), ("to", "arrived_to")):
        try:
            given[key] = date.fromisoformat(values[name]) if values[name] else None
        except ValueError:
            errors.append((name, "review.dashboard.error.date"))
    given["origin_country"] = values["origin_country"] or None
    if given["origin_country"] and not re.fullmatch("[A-Z]{2}", given["origin_country"]):
        errors.append(("origin_country", "review.dashboard.error.country"))
    given["exploitation"] = values["exploitation"] or None
    if given["exploitation"] and given["exploitation"] not in Exploitation.__members__:
        errors.append(("exploitation", "review.dashboard.error.exploitation"))
    try:
        given["return_org"] = uuid.UUID(values["return_org"]) if values["return_org"] else None
    except ValueError:
        errors.append(("return_org", "review.dashboard.error.return_org"))
    if errors:
        return values, errors, None
    try:
        return values, [], await outcomes.outcome_filters(**given)
    except RuleViolation as refused:
        return values, pages.field_errors(refused, {"to": "review.dashboard.error.to"}), None


@get("/dashboard")
async def dashboard(request: Req) -> Template:
    who = await pages.person(request)
    values, errors, filters = await _filters(request)
    figures = None
    if filters is not None:
        figures = await aggregate.outcomes(
            caller=who.caller,
            filters=filters,
            grace_days=settings_of(request).report_grace_days,
        )
    return_orgs = [
        org for org in await list_organisations() if org.kind == OrganisationKind.return_org
    ]
    return pages.page(
        request,
        "review/dashboard.html",
        who=who,
        status=422 if errors else 200,
        errors=errors,
        values=values,
        query=urlencode({name: value for name, value in values.items() if value}),
        figures=figures,
        exploitations=list(Exploitation),
        return_orgs=sorted(return_orgs, key=lambda org: org.name),
        charts=list(outcome_charts.CHARTS),
    )


@get("/dashboard/charts/{chart:str}")
async def dashboard_chart(request: Req, chart: FromPath[str]) -> Response[bytes]:
    """A chart of the dashboard, drawn as the API draws it."""
    who = await pages.person(request)
    _, errors, filters = await _filters(request)
    if not chart.endswith(".svg"):
        raise NotFound("charts are SVG")
    if filters is None:
        raise RuleViolation.many(errors)
    svg = await outcome_charts.draw(chart.removesuffix(".svg"), caller=who.caller, filters=filters)
    return Response(content=svg, media_type=outcomes.SVG, headers={"Cache-Control": "no-store"})


@get("/dashboard.csv")
async def dashboard_csv(request: Req) -> Response[Any]:
    """The API's CSV of the figures: one row a case, no personal data."""
    who = await pages.person(request)
    _, errors, filters = await _filters(request)
    if filters is None:
        raise RuleViolation.many(errors)
    chunks = aggregate.csv_chunks(
        caller=who.caller, filters=filters, grace_days=settings_of(request).report_grace_days
    )
    return Stream(
        outcomes.encoded(chunks),
        media_type=outcomes.CSV,
        headers={
            "Content-Disposition": 'attachment; filename="outcomes.csv"',
            "Cache-Control": "no-store",
        },
    )


#: The console pages of this module.
HANDLERS = [
    queue_page,
    report_page,
    decide,
    printable_report,
    dashboard,
    dashboard_chart,
    dashboard_csv,
]
