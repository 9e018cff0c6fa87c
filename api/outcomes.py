"""HTTP routes of outcomes: a case's outcome report (JSON, or a printable page), the
figures over the caller's reach (JSON, or CSV streamed a page of cases at a time), and
their charts as SVG."""

from __future__ import annotations

import dataclasses
import uuid
from collections.abc import AsyncIterator
from datetime import date, datetime
from typing import Annotated, Any, Literal

import anyio
import msgspec
from litestar import Request, Response, get
from litestar.di import NamedDependency, Provide
from litestar.params import FromPath, FromQuery, QueryParameter
from litestar.response import Stream
from msgspec import UNSET, UnsetType

from api import outcome_charts, outcome_page
from api.answers import answers
from api.auth import CurrentCaller
from api.cases import CountryFilter
from api.etags import cacheable, client_has, etag_of
from api.settings import AppSettings
from models.cases.tables import Exploitation
from models.errors import NotFound, RuleViolation
from models.outcomes import aggregate, report
from models.outcomes.queries import OutcomeFilter
from models.outcomes.report import OutcomeReport

HTML = "text/html"
CSV = "text/csv"
SVG = "image/svg+xml"
#: The page has no script and no resource from elsewhere; its only style is inline.
PAGE_HEADERS = {
    "Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'",
    "X-Content-Type-Options": "nosniff",
    "Vary": "Accept",
}


class VersionRead(msgspec.Struct, kw_only=True):
    version: int
    #: ``closure`` or ``amendment``.
    reason: str
    created_at: datetime


class ReviewStepRead(msgspec.Struct, kw_only=True):
    at: datetime
    organisation_id: uuid.UUID
    #: submitted | accepted | returned
    action: str
    #: The version submitted or decided.
    version: int
    #: The submission's note or the decision's comment (null when none was given, or
    #: erased); left out for a role that does not see it.
    comment: str | UnsetType | None = UNSET


class ReviewRead(msgspec.Struct, kw_only=True):
    """The review of the case's report (of all its versions), which the return
    organisation submits and the case's opener accepts or returns."""

    #: not_submitted | submitted | returned | accepted
    status: str
    #: The frozen version the status concerns; null before the case is closed.
    version: int | None
    history: list[ReviewStepRead]


class OutcomeReportRead(OutcomeReport, kw_only=True):
    #: The frozen version shown; null for the report as the records stand now.
    version: int | None
    versions: list[VersionRead]
    review: ReviewRead


def report_view(shown: report.Shown) -> OutcomeReportRead:
    return OutcomeReportRead(
        **msgspec.structs.asdict(shown.report),
        version=shown.version,
        versions=[
            VersionRead(version=v.version, reason=v.reason, created_at=v.created_at)
            for v in shown.versions
        ],
        review=ReviewRead(
            status=shown.review.status,
            version=shown.review.version,
            history=[ReviewStepRead(**dataclasses.asdict(s)) for s in shown.review.history],
        ),
    )


def _page(request: Request[Any, Any, Any], text: str) -> Response[bytes]:
    body = text.encode()
    tag = etag_of(body)
    if client_has(request, tag):
        return Response(content=b"", status_code=304, headers={"ETag": tag})
    return Response(
        content=body,
        media_type="text/html; charset=utf-8",
        headers={"ETag": tag, **PAGE_HEADERS},
    )


@get(
    "/cases/{case_id:uuid}/outcome-report",
    tags=["outcomes"],
    operation_class=answers(HTML, also_json=True),
)
async def read_outcome_report(
    request: Request[Any, Any, Any],
    caller: CurrentCaller,
    case_id: FromPath[uuid.UUID],
    version: Annotated[
        int | None, QueryParameter(ge=1, le=2**31 - 1, description="a frozen version; omit for now")
    ] = None,
) -> Response[OutcomeReportRead]:
    """The case's outcome report (its opener, return org or partner), as the records stand
    now or as frozen at closure (``version=1``) and amended after. A client whose
    ``Accept`` prefers ``text/html`` gets a printable page."""
    shown = await report.read(caller=caller, case_id=case_id, version=version)
    if request.accept.best_match(["application/json", HTML], default="application/json") == HTML:
        return _page(request, outcome_page.render(shown))
    response = cacheable(request, report_view(shown))
    response.headers["Vary"] = "Accept"
    return response


async def outcome_filters(
    arrived_from: Annotated[
        date | None, QueryParameter(name="from", description="arrived on or after")
    ] = None,
    arrived_to: Annotated[
        date | None, QueryParameter(name="to", description="arrived on or before")
    ] = None,
    origin_country: CountryFilter = None,
    exploitation: FromQuery[Exploitation | None] = None,
    return_org: FromQuery[uuid.UUID | None] = None,
) -> OutcomeFilter:
    if arrived_from and arrived_to and arrived_to < arrived_from:
        raise RuleViolation.on("to", "must not be before from")
    return OutcomeFilter(
        arrived_from=arrived_from,
        arrived_to=arrived_to,
        origin_country=origin_country,
        exploitation=exploitation,
        return_org=return_org,
    )


FILTERS = {"filters": Provide(outcome_filters)}
Filters = NamedDependency[OutcomeFilter]


async def encoded(chunks: AsyncIterator[str]) -> AsyncIterator[bytes]:
    """The chunks as bytes. A client that goes away cancels the stream; each chunk's
    reading is shielded so that the cancellation lands between chunks, never inside a
    page's transaction (anyio would cancel its rollback too, and the connection would
    never go back to the pool)."""
    while True:
        with anyio.CancelScope(shield=True):
            try:
                chunk = await anext(chunks)
            except StopAsyncIteration:
                return
        yield chunk.encode()


@get(
    "/outcomes",
    tags=["outcomes"],
    dependencies=FILTERS,
    operation_class=answers(CSV, also_json=True),
)
async def read_outcomes(
    request: Request[Any, Any, Any],
    caller: CurrentCaller,
    settings: AppSettings,
    filters: Filters,
    output: Annotated[
        Literal["json", "csv"], QueryParameter(name="format", description="csv: one row a case")
    ] = "json",
) -> Response[aggregate.Outcomes]:
    """Figures over the cases in the caller's reach that the filters select; with
    ``format=csv``, one row per case (no personal data), streamed."""
    grace_days = settings.report_grace_days
    if output == "csv":
        chunks = aggregate.csv_chunks(caller=caller, filters=filters, grace_days=grace_days)
        return Stream(
            encoded(chunks),
            media_type=CSV,
            headers={"Content-Disposition": 'attachment; filename="outcomes.csv"'},
        )
    figures = await aggregate.outcomes(caller=caller, filters=filters, grace_days=grace_days)
    return cacheable(request, figures)


@get(
    "/outcomes/charts/{chart:str}",
    tags=["outcomes"],
    dependencies=FILTERS,
    operation_class=answers(SVG),
)
async def read_outcome_chart(
    caller: CurrentCaller, chart: FromPath[str], filters: Filters
) -> Response[bytes]:
    """A chart of the figures, as SVG: ``returns-by-quarter.svg``,
    ``completion-by-country.svg``, ``disbursed-by-category.svg``, ``scores-by-month.svg``."""
    if not chart.endswith(".svg"):
        raise NotFound("charts are SVG: ask for <name>.svg")
    svg = await outcome_charts.draw(chart.removesuffix(".svg"), caller=caller, filters=filters)
    return Response(content=svg, media_type=SVG, headers={"Cache-Control": "no-cache"})


#: Route handlers of this module, registered by ``api/app.py``.
HANDLERS: list = [read_outcome_report, read_outcomes, read_outcome_chart]
