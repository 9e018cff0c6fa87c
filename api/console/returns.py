"""The return organisation's pages: departures and arrivals to record, the payments waiting
for its decision, and the outcome reports to submit or correct (with the closure of the
cases whose support has ended). Each form calls the domain function its API route calls."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any

import msgspec
from babel.numbers import format_decimal
from litestar import Request, Response, get, post
from litestar.params import FromPath
from litestar.response import Redirect, Template

from api import pagination
from api.console import pages
from models.cases import lifecycle
from models.cases.commands import Arrival, Closure, Departure
from models.cases.money import from_hundredths
from models.cases.reach import PERSON_FIELDS_SEEN_BY
from models.cases.records import CaseFilter, CaseRecord, list_cases
from models.cases.tables import Outcome, Status
from models.errors import (
    IN_FUTURE,
    TOO_EARLY,
    Conflict,
    FieldError,
    Forbidden,
    FourEyes,
    RuleViolation,
)
from models.followup import payments, receipts
from models.followup.commands import PaymentRejection
from models.organisations import OrganisationKind
from models.outcomes import review
from models.outcomes.commands import OutcomeSubmission
from models.outcomes.tables import ReviewStatus
from models.people.sessions import SignedIn

RETURNS = "/console/returns"
APPROVALS = "/console/approvals"
OUTCOME_REPORTS = "/console/outcome-reports"
#: Rows of each list on one page.
PAGE_SIZE = 20
Position = tuple[datetime, uuid.UUID]

#: What each date field is refused for being too early, as the catalogue says it; a date
#: in the future is refused alike for all, any other refusal by the field's own message.
_TOO_EARLY = {
    "departed_on": "returns.error.before_plan",
    "arrived_on": "returns.error.before_departure",
    "closed_on": "returns.error.before_arrival",
}
#: What a page says after a form did its work (``?done=``).
_DONE = ("departure", "arrival", "approved", "rejected", "closed", "submitted")


def _for_return_organisations(who: SignedIn) -> None:
    """These pages are the return organisation's work, as its API routes are."""
    if who.caller.kind is not OrganisationKind.return_org:
        raise Forbidden("these pages are for return organisations")


def _money(request: Request[Any, Any, Any], who: SignedIn) -> Any:
    """Amounts (decimal strings) written as the page's language writes them."""
    language = pages.language_of(request, who)
    return lambda amount: format_decimal(Decimal(amount), format="#,##0.00", locale=language)


def _page(
    request: Request[Any, Any, Any],
    who: SignedIn,
    name: str,
    *,
    status: int = 200,
    errors: list[tuple[str, str]] | None = None,
    values: dict[str, str] | None = None,
    problem: str | None = None,
    **context: Any,
) -> Template:
    """One of these pages, with what its forms left: the errors and the values typed (the
    page again), a refusal that concerns no field, or what a form did (``?done=``)."""
    done = request.query_params.get("done")
    return pages.page(
        request,
        name,
        who=who,
        status=status,
        errors=errors,
        values=values or {},
        problem=problem,
        done=done if done in _DONE else None,
        **context,
    )


def _text(form: Any, name: str) -> str:
    value = form.get(name, "")
    return value.strip() if isinstance(value, str) else ""


def _date(raw: str) -> date | str:
    """The date typed (YYYY-MM-DD, as a date field sends it), or the key of what is wrong."""
    if not raw:
        return "returns.error.date_missing"
    try:
        return date.fromisoformat(raw)
    except ValueError:
        return "returns.error.date_invalid"


def _date_errors(refused: RuleViolation, field: str, field_id: str) -> list[tuple[str, str]]:
    """The domain's refusal of the form's date ``field`` as the catalogue's words (told
    apart by the error's field and code, never by its wording), beside the case's field."""
    return [(field_id, _date_error(error, field)) for error in refused.errors]


def _date_error(error: FieldError, field: str) -> str:
    if error.field == field and error.code == IN_FUTURE:
        return "returns.error.future"
    if error.field == field and error.code == TOO_EARLY and field in _TOO_EARLY:
        return _TOO_EARLY[field]
    return f"returns.error.{field}"


def _name(record: CaseRecord) -> str | None:
    """The returnee's name where the caller's role sees it (and it is not erased)."""
    person = record.person or {}
    if not any("given_name" in PERSON_FIELDS_SEEN_BY[role] for role in record.roles):
        return None
    name = " ".join(part for part in (person.get("given_name"), person.get("family_name")) if part)
    return name or None


async def _cases(
    who: SignedIn, filters: CaseFilter, cursor: str | None, field: str
) -> tuple[list[CaseRecord], str | None]:
    """A page of cases, and the cursor of the next page (None on the last)."""
    records = await list_cases(
        caller=who.caller,
        filters=filters,
        after=pagination.decode(cursor, Position, field=field),
        limit=PAGE_SIZE + 1,
    )
    return pagination.split(records, PAGE_SIZE, lambda r: (r.case["created_at"], r.id))


# --- Departures and arrivals ------------------------------------------------------------------


async def _returns_page(request: Request[Any, Any, Any], who: SignedIn, **form: Any) -> Template:
    _for_return_organisations(who)
    query = request.query_params
    departures, departures_next = await _cases(
        who, CaseFilter(status=Status.planned), query.get("departures"), "departures"
    )
    arrivals, arrivals_next = await _cases(
        who, CaseFilter(status=Status.departed), query.get("arrivals"), "arrivals"
    )
    return _page(
        request,
        who,
        "returns/returns.html",
        **form,
        departures=[(record, _name(record)) for record in departures],
        departures_next=departures_next,
        arrivals=[(record, _name(record)) for record in arrivals],
        arrivals_next=arrivals_next,
    )


@get("/returns")
async def returns_page(request: Request[Any, Any, Any]) -> Template:
    who = await pages.person(request)
    return await _returns_page(request, who)


async def _record_date(
    request: Request[Any, Any, Any], case_id: uuid.UUID, field: str, record: Any
) -> Response[Any]:
    """Read the form's date and hand it to ``record``; refused, the page again with the
    error beside the case's field."""
    who = await pages.person(request)
    field_id = f"{field}-{case_id}"
    raw = _text(await request.form(), field)
    on = _date(raw)
    try:
        if isinstance(on, str):
            return await _returns_page(
                request, who, status=422, errors=[(field_id, on)], values={field_id: raw}
            )
        await record(who, on)
    except RuleViolation as refused:
        errors = _date_errors(refused, field, field_id)
        return await _returns_page(request, who, status=422, errors=errors, values={field_id: raw})
    except Conflict:
        return await _returns_page(request, who, status=409, problem="returns.error.moved_on")
    done = "departure" if field == "departed_on" else "arrival"
    return Redirect(f"{RETURNS}?done={done}", status_code=303)


@post("/returns/{case_id:uuid}/departure", status_code=303)
async def record_departure(
    request: Request[Any, Any, Any], case_id: FromPath[uuid.UUID]
) -> Response[Any]:
    async def record(who: SignedIn, on: date) -> None:
        data = Departure(departed_on=on)
        await lifecycle.record_departure(caller=who.caller, case_id=case_id, data=data)

    return await _record_date(request, case_id, "departed_on", record)


@post("/returns/{case_id:uuid}/arrival", status_code=303)
async def record_arrival(
    request: Request[Any, Any, Any], case_id: FromPath[uuid.UUID]
) -> Response[Any]:
    async def record(who: SignedIn, on: date) -> None:
        data = Arrival(arrived_on=on)
        await lifecycle.record_arrival(caller=who.caller, case_id=case_id, data=data)

    return await _record_date(request, case_id, "arrived_on", record)


# --- Payments waiting for a decision ----------------------------------------------------------


@dataclass(frozen=True)
class Waiting:
    """A payment waiting for a decision, with its category's budget situation."""

    payment: dict[str, Any]
    budget: payments.BudgetSituation | None

    @property
    def amount(self) -> str:
        return from_hundredths(self.payment["amount_hundredths"])


async def _approvals_page(request: Request[Any, Any, Any], who: SignedIn, **form: Any) -> Template:
    cursor = pagination.decode(request.query_params.get("cursor"), Position)
    rows = await payments.waiting_for_decision(caller=who.caller, after=cursor, limit=PAGE_SIZE + 1)
    page, next_cursor = pagination.split(rows, PAGE_SIZE, lambda r: (r["recorded_at"], r["id"]))
    situations = await payments.budget_situations(sorted({row["case"] for row in page}))
    return _page(
        request,
        who,
        "returns/approvals.html",
        **form,
        money=_money(request, who),
        waiting=[
            Waiting(row, situations.get((row["case"], row["category"], row["currency"])))
            for row in page
        ],
        next_cursor=next_cursor,
    )


@get("/approvals")
async def approvals_page(request: Request[Any, Any, Any]) -> Template:
    who = await pages.person(request)
    return await _approvals_page(request, who)


@post("/approvals/{case_id:uuid}/{payment_id:uuid}/approval", status_code=303)
async def approve_payment(
    request: Request[Any, Any, Any], case_id: FromPath[uuid.UUID], payment_id: FromPath[uuid.UUID]
) -> Response[Any]:
    who = await pages.person(request)
    try:
        await payments.approve_payment(caller=who.caller, case_id=case_id, payment_id=payment_id)
    except FourEyes:
        errors = [(f"decision-{payment_id}", "returns.approvals.error.four_eyes")]
        return await _approvals_page(request, who, status=403, errors=errors)
    except Conflict:
        return await _approvals_page(
            request, who, status=409, problem="returns.approvals.error.decided"
        )
    return Redirect(f"{APPROVALS}?done=approved", status_code=303)


@post("/approvals/{case_id:uuid}/{payment_id:uuid}/rejection", status_code=303)
async def reject_payment(
    request: Request[Any, Any, Any], case_id: FromPath[uuid.UUID], payment_id: FromPath[uuid.UUID]
) -> Response[Any]:
    who = await pages.person(request)
    field_id = f"reason-{payment_id}"
    reason = _text(await request.form(), "reason")
    try:
        rejection = msgspec.convert({"reason": reason}, PaymentRejection)
    except msgspec.ValidationError:
        errors = [(field_id, "returns.approvals.error.reason")]
        return await _approvals_page(request, who, status=422, errors=errors)
    try:
        await payments.reject_payment(
            caller=who.caller, case_id=case_id, payment_id=payment_id, reason=rejection.reason
        )
    except FourEyes:
        errors = [(f"decision-{payment_id}", "returns.approvals.error.four_eyes")]
        return await _approvals_page(
            request, who, status=403, errors=errors, values={field_id: reason}
        )
    except Conflict:
        return await _approvals_page(
            request, who, status=409, problem="returns.approvals.error.decided"
        )
    return Redirect(f"{APPROVALS}?done=rejected", status_code=303)


#: A receipt is shown, never run: no sniffing, no script, nothing from elsewhere.
_AS_A_FILE = {"X-Content-Type-Options": "nosniff", "Content-Security-Policy": "default-src 'none'"}
_EXTENSIONS = {"image/jpeg": "jpg", "image/png": "png", "application/pdf": "pdf"}


@get("/approvals/receipts/{attachment_id:uuid}")
async def receipt(
    request: Request[Any, Any, Any], attachment_id: FromPath[uuid.UUID]
) -> Response[bytes]:
    """A payment's receipt: a photo shown in the page, a PDF downloaded."""
    who = await pages.person(request)
    row = await receipts.get_attachment(caller=who.caller, attachment_id=attachment_id)
    content = await receipts.download(caller=who.caller, attachment=row)
    shown = "inline" if row["media_type"].startswith("image/") else "attachment"
    name = f"receipt-{row['id']}.{_EXTENSIONS.get(row['media_type'], 'bin')}"
    headers = {
        **_AS_A_FILE,
        "Cache-Control": "private, no-store",
        "Content-Disposition": f'{shown}; filename="{name}"',
    }
    return Response(content=content, media_type=row["media_type"], headers=headers)


# --- Outcome reports, and the closure of cases whose support has ended ------------------------


async def _reviews(
    who: SignedIn, status: ReviewStatus, cursor: str | None, field: str
) -> tuple[list[dict[str, Any]], str | None]:
    rows, following = await review.queue(
        caller=who.caller,
        status=status,
        after=pagination.decode(cursor, Position, field=field),
        limit=PAGE_SIZE,
    )
    return rows, pagination.encode(following) if following else None


async def _outcome_reports_page(
    request: Request[Any, Any, Any], who: SignedIn, **form: Any
) -> Template:
    _for_return_organisations(who)
    query = request.query_params
    to_close, to_close_next = await _cases(
        who,
        CaseFilter(status=Status.reintegration, support_ended=True),
        query.get("to_close"),
        "to_close",
    )
    to_submit, to_submit_next = await _reviews(
        who, ReviewStatus.not_submitted, query.get("to_submit"), "to_submit"
    )
    returned, returned_next = await _reviews(
        who, ReviewStatus.returned, query.get("returned"), "returned"
    )
    return _page(
        request,
        who,
        "returns/outcome_reports.html",
        **form,
        outcomes=[outcome.value for outcome in Outcome],
        to_close=[(record, _name(record)) for record in to_close],
        to_close_next=to_close_next,
        to_submit=to_submit,
        to_submit_next=to_submit_next,
        returned=returned,
        corrections=await review.corrections_of([row["id"] for row in returned]),
        returned_next=returned_next,
    )


@get("/outcome-reports")
async def outcome_reports_page(request: Request[Any, Any, Any]) -> Template:
    who = await pages.person(request)
    return await _outcome_reports_page(request, who)


@post("/outcome-reports/{case_id:uuid}/submission", status_code=303)
async def submit_outcome_report(
    request: Request[Any, Any, Any], case_id: FromPath[uuid.UUID]
) -> Response[Any]:
    who = await pages.person(request)
    field_id = f"note-{case_id}"
    note = _text(await request.form(), "note")
    try:
        data = msgspec.convert({"note": note or None}, OutcomeSubmission)
        await review.submit_report(caller=who.caller, case_id=case_id, data=data)
    except (msgspec.ValidationError, RuleViolation):
        errors = [(field_id, "returns.outcome.error.note")]
        return await _outcome_reports_page(
            request, who, status=422, errors=errors, values={field_id: note}
        )
    except Conflict:
        return await _outcome_reports_page(
            request, who, status=409, problem="returns.error.moved_on"
        )
    return Redirect(f"{OUTCOME_REPORTS}?done=submitted", status_code=303)


@post("/outcome-reports/{case_id:uuid}/closure", status_code=303)
async def close_case(
    request: Request[Any, Any, Any], case_id: FromPath[uuid.UUID]
) -> Response[Any]:
    who = await pages.person(request)
    form = await request.form()
    fields = {name: f"{name}-{case_id}" for name in ("outcome", "closed_on", "closure_note")}
    values = {fields[name]: _text(form, name) for name in fields}
    raw_outcome, raw_date, note = (values[fields[name]] for name in fields)
    errors: list[tuple[str, str]] = []
    if raw_outcome not in {outcome.value for outcome in Outcome}:
        errors.append((fields["outcome"], "returns.close.error.outcome"))
    closed_on = _date(raw_date)
    if isinstance(closed_on, str):
        errors.append((fields["closed_on"], closed_on))
    try:
        data = msgspec.convert(
            {"outcome": raw_outcome, "closed_on": raw_date, "note": note or None}, Closure
        )
    except msgspec.ValidationError:
        if not errors:
            errors.append((fields["closure_note"], "returns.close.error.note"))
    if errors:
        return await _outcome_reports_page(request, who, status=422, errors=errors, values=values)
    try:
        await lifecycle.close_case(caller=who.caller, case_id=case_id, data=data)
    except RuleViolation as refused:
        errors = _date_errors(refused, "closed_on", fields["closed_on"])
        return await _outcome_reports_page(request, who, status=422, errors=errors, values=values)
    except Conflict:
        return await _outcome_reports_page(
            request, who, status=409, problem="returns.error.moved_on"
        )
    return Redirect(f"{OUTCOME_REPORTS}?done=closed", status_code=303)


#: The console pages of this module.
HANDLERS = [
    returns_page,
    record_departure,
    record_arrival,
    approvals_page,
    approve_payment,
    reject_payment,
    receipt,
    outcome_reports_page,
    submit_outcome_report,
    close_case,
]
