"""HTTP routes of cases: opening, reading, editing, and the transitions of the plan."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated, Any

from litestar import Controller, Request, Response, get, patch, post, put
from litestar.params import FromPath, FromQuery, HeaderParameter, JSONBody, QueryParameter

from api import pagination
from api.auth import CurrentCaller, requires_kind
from api.case_views import CaseExport, CasePage, CaseRead, case_view, export_view
from api.etags import cacheable, require_match
from api.pagination import DEFAULT_LIMIT, Limit
from models.cases import data_subject, lifecycle
from models.cases.commands import (
    Arrival,
    Cancellation,
    CaseCreate,
    CaseEdit,
    Closure,
    Departure,
    Erasure,
    PlanAgreement,
    ReflectionExtensionCreate,
)
from models.cases.records import CaseFilter, CaseRecord, get_case, list_cases
from models.cases.tables import Status
from models.organisations import OrganisationKind

CountryFilter = Annotated[
    str | None, QueryParameter(pattern="^[A-Z]{2}$", description="ISO 3166-1 alpha-2")
]


class CaseController(Controller):
    path = "/cases"
    tags = ("cases",)

    @post(guards=[requires_kind(OrganisationKind.authority, OrganisationKind.centre)])
    async def open_case(self, data: JSONBody[CaseCreate], caller: CurrentCaller) -> CaseRead:
        """Open a prepared return. Residence status decides who may: the authority for
        asylum seekers and people without legal residence, the centre for legal residence."""
        return case_view(await lifecycle.open_case(caller=caller, data=data))

    @get()
    async def list_cases(
        self,
        request: Request[Any, Any, Any],
        caller: CurrentCaller,
        status: FromQuery[Status | None] = None,
        origin_country: CountryFilter = None,
        updated_since: FromQuery[datetime | None] = None,
        cursor: FromQuery[str | None] = None,
        limit: Limit = DEFAULT_LIMIT,
    ) -> Response[CasePage]:
        """Cases within the caller's reach, oldest first."""
        records = await list_cases(
            caller=caller,
            filters=CaseFilter(
                status=status, origin_country=origin_country, updated_since=updated_since
            ),
            after=pagination.decode(cursor, tuple[datetime, uuid.UUID]),
            limit=limit + 1,
        )
        page, more = records[:limit], len(records) > limit
        last = page[-1].case if page else None
        next_cursor = pagination.encode((last["created_at"], last["id"])) if more and last else None
        return cacheable(
            request, CasePage(items=[case_view(r) for r in page], next_cursor=next_cursor)
        )

    @get("/{case_id:uuid}")
    async def get_case(
        self, request: Request[Any, Any, Any], caller: CurrentCaller, case_id: FromPath[uuid.UUID]
    ) -> Response[CaseRead]:
        """One case, as the caller may see it, with its ETag."""
        return cacheable(request, case_view(await get_case(caller=caller, case_id=case_id)))

    @patch("/{case_id:uuid}")
    async def edit_case(
        self,
        request: Request[Any, Any, Any],
        caller: CurrentCaller,
        case_id: FromPath[uuid.UUID],
        data: JSONBody[CaseEdit],
        if_match: Annotated[
            str | None, HeaderParameter(name="If-Match", description="the case's ETag")
        ] = None,
    ) -> Response[CaseRead]:
        """Edit contact details, representative, consent or partner (opener or return org).
        Needs ``If-Match`` with the ETag of the case as last read."""

        def unchanged_since_read(record: CaseRecord) -> None:
            require_match(request, case_view(record))

        record = await lifecycle.edit_case(
            caller=caller, case_id=case_id, data=data, precondition=unchanged_since_read
        )
        return cacheable(request, case_view(record))

    @post("/{case_id:uuid}/reflection-extensions", status_code=200)
    async def extend_reflection(
        self,
        caller: CurrentCaller,
        case_id: FromPath[uuid.UUID],
        data: JSONBody[ReflectionExtensionCreate],
    ) -> CaseRead:
        """Extend the reflection period (opener); the whole period is at most 120 days."""
        return case_view(
            await lifecycle.extend_reflection(caller=caller, case_id=case_id, data=data)
        )

    @put("/{case_id:uuid}/plan")
    async def agree_plan(
        self, caller: CurrentCaller, case_id: FromPath[uuid.UUID], data: JSONBody[PlanAgreement]
    ) -> CaseRead:
        """Record the agreed reintegration plan and its budget; the case becomes planned."""
        return case_view(await lifecycle.agree_plan(caller=caller, case_id=case_id, data=data))

    @post("/{case_id:uuid}/departure", status_code=200)
    async def record_departure(
        self, caller: CurrentCaller, case_id: FromPath[uuid.UUID], data: JSONBody[Departure]
    ) -> CaseRead:
        """The returnee left Denmark (return org)."""
        return case_view(
            await lifecycle.record_departure(caller=caller, case_id=case_id, data=data)
        )

    @post("/{case_id:uuid}/arrival", status_code=200)
    async def record_arrival(
        self, caller: CurrentCaller, case_id: FromPath[uuid.UUID], data: JSONBody[Arrival]
    ) -> CaseRead:
        """The returnee arrived (return org or partner): the six-month support window opens."""
        return case_view(await lifecycle.record_arrival(caller=caller, case_id=case_id, data=data))

    @post("/{case_id:uuid}/closure", status_code=200)
    async def close_case(
        self, caller: CurrentCaller, case_id: FromPath[uuid.UUID], data: JSONBody[Closure]
    ) -> CaseRead:
        """Close the reintegration course with its outcome (return org or opener)."""
        return case_view(await lifecycle.close_case(caller=caller, case_id=case_id, data=data))

    @post("/{case_id:uuid}/erasure", status_code=200)
    async def erase_personal_data(
        self, caller: CurrentCaller, case_id: FromPath[uuid.UUID], data: JSONBody[Erasure]
    ) -> CaseRead:
        """Erase the person's data now, on their request (the opening authority). The case,
        its dates and figures stay, for the statistics."""
        return case_view(
            await data_subject.erase(caller=caller, case_id=case_id, reason=data.reason)
        )

    @get("/{case_id:uuid}/export")
    async def export_personal_data(
        self, caller: CurrentCaller, case_id: FromPath[uuid.UUID]
    ) -> CaseExport:
        """Everything stored about the person (the opening authority), for an access request."""
        return export_view(await data_subject.export(caller=caller, case_id=case_id))

    @post("/{case_id:uuid}/cancellation", status_code=200)
    async def cancel_case(
        self, caller: CurrentCaller, case_id: FromPath[uuid.UUID], data: JSONBody[Cancellation]
    ) -> CaseRead:
        """Cancel the return before departure (return org or opener)."""
        return case_view(await lifecycle.cancel_case(caller=caller, case_id=case_id, data=data))
