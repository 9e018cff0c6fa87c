"""Cases for case officers: the list with its filters, and the form that opens a case.
Every read and change goes through the functions the API calls, with the signed-in person
as the caller."""

from __future__ import annotations

import re
import uuid
from datetime import date, datetime
from typing import Any
from urllib.parse import urlencode

from litestar import Request, get, post
from litestar.params import FromQuery
from litestar.response import Redirect, Template

from api import pagination
from api.case_views import case_view
from api.console import cases_forms, pages
from api.settings import settings_of
from models import clock
from models.cases import lifecycle, rules
from models.cases.commands import CaseCreate
from models.cases.records import CaseFilter, list_cases
from models.cases.tables import Exploitation, RepresentativeRole, Sex, Status
from models.errors import Forbidden, RuleViolation
from models.followup.progress import months_overdue, overdue_at_least
from models.organisations import OrganisationKind, is_country, list_organisations
from models.people.sessions import SignedIn

CASES = "/console/cases"
PAGE_SIZE = 25
_COUNTRY = re.compile(r"^[A-Z]{2}$")


# --- The list ---------------------------------------------------------------------------------


@get("/cases")
async def case_list(
    request: Request[Any, Any, Any],
    status: FromQuery[str] = "",
    country: FromQuery[str] = "",
    overdue: FromQuery[str] = "",
    q: FromQuery[str] = "",
    cursor: FromQuery[str | None] = None,
) -> Template:
    who = await pages.person(request)
    shown = {
        "q": q.strip(),
        "status": status,
        "country": country.strip().upper(),
        "overdue": overdue.strip(),
    }
    months = _whole_number(shown["overdue"])
    wrong = {
        "q": len(shown["q"]) > 20,
        "status": status not in ("", *Status._value2member_map_),
        "country": bool(shown["country"]) and not _is_country(shown["country"]),
        "overdue": bool(shown["overdue"]) and months not in rules.MONTHS_OF_SUPPORT,
    }
    errors = [(name, cases_forms.MESSAGES[name]) for name, is_wrong in wrong.items() if is_wrong]
    context = {
        "filters": shown,
        "statuses": list(Status),
        "most_months": rules.SUPPORT_MONTHS,
        "first_link": _listed(_chosen(shown)) if cursor is not None else None,
    }
    if errors:
        # htmx swaps only successful answers: it gets the page with its errors as one
        return pages.page(
            request,
            "cases/list.html",
            who=who,
            status=200 if request.headers.get("HX-Request") else 422,
            errors=errors,
            rows=[],
            next_link=None,
            **context,
        )
    grace_days = settings_of(request).report_grace_days
    today = clock.today()
    records = await list_cases(
        caller=who.caller,
        filters=CaseFilter(
            status=status or None,
            origin_country=shown["country"] or None,
            reference=shown["q"] or None,
            narrowed_by=overdue_at_least(months, today=today, grace_days=grace_days)
            if months
            else None,
        ),
        after=pagination.decode(cursor, tuple[datetime, uuid.UUID]),
        limit=PAGE_SIZE + 1,
    )
    page, after = pagination.split(records, PAGE_SIZE, lambda r: (r.case["created_at"], r.id))
    next_link = _listed({**_chosen(shown), "cursor": after}) if after else None
    rows = [
        {
            "case": case_view(record),
            "overdue": months_overdue(
                record.case, record.months_reported, today=today, grace_days=grace_days
            ),
        }
        for record in page
    ]
    return pages.page(
        request,
        "cases/list.html",
        who=who,
        rows=rows,
        next_link=next_link,
        **context,
    )


def _listed(query: dict[str, str]) -> str:
    return f"{CASES}?{urlencode(query)}" if query else CASES


def _chosen(filters: dict[str, str]) -> dict[str, str]:
    return {name: value for name, value in filters.items() if value}


def _is_country(code: str) -> bool:
    return bool(_COUNTRY.match(code)) and is_country(code)


def _whole_number(text: str) -> int | None:
    return int(text) if text.isdigit() and len(text) < 6 else None


# --- Opening a case ----------------------------------------------------------------------------


async def _new_case_page(
    request: Request[Any, Any, Any],
    who: SignedIn,
    values: dict[str, Any],
    *,
    status: int = 200,
    errors: list[tuple[str, str]] | None = None,
) -> Template:
    statuses = [s for s, kind in lifecycle.OPENED_BY.items() if kind is who.caller.kind]
    if not statuses:
        raise Forbidden("cases are opened by the authority or the centre")
    organisations = await list_organisations()
    return pages.page(
        request,
        "cases/new.html",
        who=who,
        status=status,
        errors=errors,
        values=values,
        minor=_is_minor_today(values.get("person.date_of_birth", "")),
        residence_statuses=statuses,
        return_orgs=[o for o in organisations if o.kind == OrganisationKind.return_org],
        partners=[o for o in organisations if o.kind == OrganisationKind.partner],
        sexes=list(Sex),
        forms_of_exploitation=list(Exploitation),
        representative_roles=list(RepresentativeRole),
        reflection_days=rules.REFLECTION_DAYS,
        reflection_days_at_most=rules.REFLECTION_DAYS_AT_MOST,
        adult_age=rules.ADULT_AGE,
        support_months=rules.SUPPORT_MONTHS,
    )


@get("/cases/new")
async def new_case(request: Request[Any, Any, Any]) -> Template:
    """The form; answers filled in so far may come along (htmx sends them as a field
    changes), so that the rules they bring into play are told at once."""
    who = await pages.person(request)
    values = {"person.sex": Sex.unknown, "dublin_case": "no"}
    values |= {
        name: request.query_params[name]
        for name in ("person.date_of_birth", "dublin_case")
        if name in request.query_params
    }
    return await _new_case_page(request, who, values)


def _is_minor_today(date_of_birth: str) -> bool:
    try:
        return rules.is_minor(date.fromisoformat(date_of_birth), clock.today())
    except ValueError:
        return False


@post("/cases/new", status_code=303)
async def open_case(request: Request[Any, Any, Any]) -> Redirect | Template:
    who = await pages.person(request)
    form = await request.form()
    values = cases_forms.values(form, multiple=("exploitation",))
    try:
        data = cases_forms.read(
            CaseCreate,
            {
                "person": {
                    "given_name": values.get("person.given_name", ""),
                    "family_name": values.get("person.family_name", ""),
                    "date_of_birth": values.get("person.date_of_birth", ""),
                    "sex": values.get("person.sex") or Sex.unknown,
                    "nationality": values.get("person.nationality", "").upper() or None,
                    "phone": values.get("person.phone") or None,
                },
                "origin_country": values.get("origin_country", "").upper(),
                "residence_status": values.get("residence_status", ""),
                "dublin_case": values.get("dublin_case") == "yes",
                "exploitation": values.get("exploitation", []),
                "identified_on": values.get("identified_on", ""),
                "reflection_period_start": values.get("reflection_period_start", ""),
                "return_org_id": values.get("return_org_id", ""),
                "partner_org_id": values.get("partner_org_id") or None,
                "representative": (
                    {
                        "name": values.get("representative.name", ""),
                        "role": values.get("representative.role", ""),
                    }
                    if values.get("representative.name") or values.get("representative.role")
                    else None
                ),
                "consent": {
                    "data_sharing": values.get("consent.data_sharing") == "yes",
                    "story_use": values.get("consent.story_use") == "yes",
                },
            },
            required=(
                "person.given_name",
                "person.family_name",
                "person.date_of_birth",
                "residence_status",
                "exploitation",
                "origin_country",
                "identified_on",
                "reflection_period_start",
                "return_org_id",
            ),
            dates=("person.date_of_birth", "identified_on", "reflection_period_start"),
        )
        record = await lifecycle.open_case(caller=who.caller, data=data)
    except RuleViolation as refused:
        return await _new_case_page(
            request, who, values, status=422, errors=cases_forms.page_errors(refused)
        )
    return Redirect(f"{CASES}/{record.id}", status_code=303)


#: The console pages of this module.
HANDLERS = [case_list, new_case, open_case]
