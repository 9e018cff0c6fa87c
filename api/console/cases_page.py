"""The case page: what happened, the person as the viewer's role may see them, plan and
budget, the months of support with their reports, payments, the audit trail, and the
actions the domain would accept from the viewer, each a form that posts back here."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Any

from litestar import Request, get, post
from litestar.params import FromPath, FromQuery
from litestar.response import Redirect, Template

from api import pagination
from api.case_views import case_view
from api.console import cases_forms, pages
from api.console.cases import CASES
from api.followup_views import PaymentRead, ReportRead, payment_view, report_view
from api.settings import settings_of
from models import clock
from models.cases import data_subject, lifecycle, rules
from models.cases.audit_trail import trail
from models.cases.commands import (
    CaseEdit,
    Closure,
    Erasure,
    PlanAgreement,
    ReflectionExtensionCreate,
)
from models.cases.reach import MAY
from models.cases.records import CaseRecord, get_case
from models.cases.tables import Outcome, SupportCategory
from models.errors import RuleViolation
from models.followup import payments, reports
from models.followup.due import month_due_on
from models.followup.progress import months_overdue
from models.organisations import names_of
from models.people.sessions import SignedIn

TRAIL_SIZE = 50
#: Changes the case's own dates do not show, taken into its timeline from the audit trail.
TIMELINE_ACTIONS = (
    "case.edit",
    "case.exported",
    "payment.approved",
    "payment.rejected",
    "outcome.submitted",
    "outcome.returned",
    "outcome.accepted",
    "story.published",
    "story.retired",
)


# --- The case page -----------------------------------------------------------------------------


@get("/cases/{case_id:uuid}")
async def case_page(
    request: Request[Any, Any, Any],
    case_id: FromPath[uuid.UUID],
    audit: FromQuery[str | None] = None,
) -> Template:
    who = await pages.person(request)
    return await _case_page(request, who, case_id, audit=audit)


async def _case_page(
    request: Request[Any, Any, Any],
    who: SignedIn,
    case_id: uuid.UUID,
    *,
    audit: str | None = None,
    action: str | None = None,
    values: dict[str, Any] | None = None,
    errors: list[tuple[str, str]] | None = None,
) -> Template:
    record = await get_case(caller=who.caller, case_id=case_id)
    case = case_view(record)
    follows = bool(record.roles & MAY["read_followup"])
    reports_of, payments_of = [], []
    if follows:
        rows = await reports.reports_of(caller=who.caller, case_id=case_id)
        reports_of = [report_view(row) for row in rows]
        rows = await payments.payments_of(caller=who.caller, case_id=case_id)
        payments_of = [payment_view(row) for row in rows]
    entries = await trail(
        caller=who.caller,
        case_id=case_id,
        after=pagination.decode(audit, tuple[datetime, uuid.UUID, int], field="audit"),
        limit=TRAIL_SIZE + 1,
        newest_first=True,
    )
    entries, older = pagination.split(
        entries, TRAIL_SIZE, lambda e: (e["at"], e["id"], e["position"])
    )
    organisations = await names_of(
        [case.return_org_id, case.partner_org_id, *(e["organisation_id"] for e in entries)]
    )
    grace_days = settings_of(request).report_grace_days
    overdue = months_overdue(
        record.case, record.months_reported, today=clock.today(), grace_days=grace_days
    )
    return pages.page(
        request,
        "cases/case.html",
        who=who,
        status=422 if errors else 200,
        errors=errors,
        case=case,
        follows=follows,
        timeline=_timeline(
            record,
            reports_of,
            payments_of,
            await trail(
                caller=who.caller,
                case_id=case_id,
                actions=TIMELINE_ACTIONS,
                after=None,
                limit=TRAIL_SIZE,
                newest_first=True,
            ),
        ),
        months=_months(record, reports_of, overdue),
        payments=payments_of,
        trail=entries,
        older=older,
        organisations=organisations,
        may={
            name: lifecycle.may(name, record, who.caller)
            for name in ("extend_reflection", "agree_plan", "close", "legal_hold")
        }
        | {"erase": data_subject.may_erase(record, who.caller)},
        days_left=rules.reflection_days_left(record.case),
        reflection_days_at_most=rules.REFLECTION_DAYS_AT_MOST,
        adult_age=rules.ADULT_AGE,
        support_months=rules.SUPPORT_MONTHS,
        budget_lines=range(cases_forms.BUDGET_LINES),
        categories=list(SupportCategory),
        outcomes=list(Outcome),
        action=action,
        values=values or {},
        today=clock.today(),
    )


def _timeline(
    record: CaseRecord,
    reports_of: list[ReportRead],
    payments_of: list[PaymentRead],
    changes: list[dict[str, Any]],
) -> list[dict[str, Any]]:
    """Everything that happened to the case, oldest first: its dates and its records."""
    case = record.case
    moments: list[tuple[date, str, dict[str, Any]]] = [
        (case["identified_on"], "identified", {}),
        (case["reflection_period_start"], "reflection_started", {}),
        (case["created_at"].date(), "opened", {}),
    ]
    moments += [
        (e["added_at"].date(), "reflection_extended", {"days": e["days"]})
        for e in record.extensions
    ]
    dated = (
        ("plan_agreed_on", "planned"),
        ("departed_on", "departed"),
        ("arrived_on", "arrived"),
        ("closed_on", "closed"),
        ("cancelled_on", "cancelled"),
    )
    moments += [(case[column], what, {}) for column, what in dated if case[column] is not None]
    if record.support_ended:
        moments.append((case["support_ends_on"], "support_ended", {}))
    moments += [(r.visited_on, "report", {"month": r.month}) for r in reports_of]
    moments += [
        (p.paid_on, "payment", {"month": p.month, "category": p.category}) for p in payments_of
    ]
    if case["personal_data_erased_at"] is not None:
        moments.append((case["personal_data_erased_at"].date(), "erased", {}))
    # The trail is read newest first; the sort keeps a day's changes in the order given.
    moments += [
        (entry["at"].date(), "change", {"action": entry["action"]}) for entry in reversed(changes)
    ]
    order = {
        what: n
        for n, what in enumerate(
            [
                "identified",
                "reflection_started",
                "opened",
                "reflection_extended",
                "planned",
                "departed",
                "arrived",
                "report",
                "payment",
                "support_ended",
                "closed",
                "cancelled",
                "change",
                "erased",
            ]
        )
    }
    moments.sort(key=lambda m: (m[0], order[m[1]]))
    return [{"on": on, "what": what, "facts": facts} for on, what, facts in moments]


def _months(
    record: CaseRecord, reports_of: list[ReportRead], overdue: list[int]
) -> list[dict[str, Any]]:
    arrived_on = record.case["arrived_on"]
    return [
        {
            "month": month,
            "due_on": month_due_on(arrived_on, month) if arrived_on else None,
            "reports": [r for r in reports_of if r.month == month],
            "overdue": month in overdue,
        }
        for month in rules.MONTHS_OF_SUPPORT
    ]


# --- Actions ----------------------------------------------------------------------------------


async def _act(
    request: Request[Any, Any, Any],
    case_id: uuid.UUID,
    action: str,
    do: Any,
) -> Redirect | Template:
    """Read the form, let ``do(who, values)`` call the domain, then back to the case page;
    a refusal of the plan's rules shows the page again with the errors at the action."""
    who = await pages.person(request)
    values = cases_forms.values(await request.form())
    try:
        await do(who, values)
    except RuleViolation as refused:
        return await _case_page(
            request,
            who,
            case_id,
            action=action,
            values=values,
            errors=cases_forms.page_errors(refused),
        )
    return Redirect(f"{CASES}/{case_id}#{action}", status_code=303)


@post("/cases/{case_id:uuid}/reflection-extension", status_code=303)
async def extend_reflection(
    request: Request[Any, Any, Any], case_id: FromPath[uuid.UUID]
) -> Redirect | Template:
    async def do(who: SignedIn, values: dict[str, Any]) -> None:
        data = cases_forms.read(
            ReflectionExtensionCreate,
            {"days": values.get("days", ""), "reason": values.get("reason", "")},
            required=("days", "reason"),
            numbers=("days",),
        )
        await lifecycle.extend_reflection(caller=who.caller, case_id=case_id, data=data)

    return await _act(request, case_id, "extend-reflection", do)


@post("/cases/{case_id:uuid}/plan", status_code=303)
async def agree_plan(
    request: Request[Any, Any, Any], case_id: FromPath[uuid.UUID]
) -> Redirect | Template:
    async def do(who: SignedIn, values: dict[str, Any]) -> None:
        lines = [
            {
                part: values.get(f"budget[{n}].{part}", "")
                for part in ("category", "amount", "currency")
            }
            for n in range(cases_forms.BUDGET_LINES)
        ]
        places = [n for n, line in enumerate(lines) if any(line.values())]
        missing = [  # numbered as sent, like the domain's refusals
            (f"budget[{k}].{part}", "required")
            for k, n in enumerate(places)
            for part, value in lines[n].items()
            if not value
        ]
        try:
            data = cases_forms.read(
                PlanAgreement,
                {
                    "agreed_on": values.get("agreed_on", ""),
                    "goals": values.get("goals", ""),
                    "budget": [
                        {**lines[n], "currency": lines[n]["currency"].upper()} for n in places
                    ],
                },
                required=("agreed_on", "goals"),
                dates=("agreed_on",),
                also=missing,
            )
            await lifecycle.agree_plan(caller=who.caller, case_id=case_id, data=data)
        except RuleViolation as refused:
            raise cases_forms.renumbered(refused, places) from None

    return await _act(request, case_id, "agree-plan", do)


@post("/cases/{case_id:uuid}/closure", status_code=303)
async def close_case(
    request: Request[Any, Any, Any], case_id: FromPath[uuid.UUID]
) -> Redirect | Template:
    async def do(who: SignedIn, values: dict[str, Any]) -> None:
        data = cases_forms.read(
            Closure,
            {
                "outcome": values.get("outcome", ""),
                "closed_on": values.get("closed_on", ""),
                "note": values.get("note") or None,
            },
            required=("outcome", "closed_on"),
            dates=("closed_on",),
        )
        await lifecycle.close_case(caller=who.caller, case_id=case_id, data=data)

    return await _act(request, case_id, "close", do)


@post("/cases/{case_id:uuid}/legal-hold", status_code=303)
async def legal_hold(
    request: Request[Any, Any, Any], case_id: FromPath[uuid.UUID]
) -> Redirect | Template:
    async def do(who: SignedIn, values: dict[str, Any]) -> None:
        await lifecycle.edit_case(
            caller=who.caller,
            case_id=case_id,
            data=CaseEdit(legal_hold=values.get("hold") == "yes"),
            precondition=lambda record: None,
        )

    return await _act(request, case_id, "legal-hold", do)


@post("/cases/{case_id:uuid}/erasure", status_code=303)
async def erase(
    request: Request[Any, Any, Any], case_id: FromPath[uuid.UUID]
) -> Redirect | Template:
    async def do(who: SignedIn, values: dict[str, Any]) -> None:
        record = await get_case(caller=who.caller, case_id=case_id)
        typed = values.get("reference", "").upper()
        wrong = [] if typed == record.case["reference"] else [("reference", "does not match")]
        try:
            data = cases_forms.read(
                Erasure,
                {"reason": values.get("erase.reason", "")},
                required=("reason",),
                also=wrong,
            )
        except RuleViolation as refused:  # the form's reason is named apart from others
            raise cases_forms.renamed(refused, {"reason": "erase.reason"}) from None
        await data_subject.erase(caller=who.caller, case_id=case_id, reason=data.reason)

    return await _act(request, case_id, "erase", do)


#: The console pages of this module.


#: The console pages of this module.
HANDLERS = [case_page, extend_reflection, agree_plan, close_case, legal_hold, erase]
