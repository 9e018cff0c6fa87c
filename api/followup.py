"""HTTP routes of follow-up from the field: reports, payments, tasks and delta sync."""

from __future__ import annotations

import uuid
from datetime import date
from typing import Annotated, Any

import msgspec
from litestar import Controller, Request, Response, get, post
from litestar.params import FromPath, FromQuery, JSONBody

from api import pagination
from api.answers import stored_again
from api.auth import CurrentCaller
from api.etags import cacheable
from api.followup_views import (
    PaymentPage,
    PaymentRead,
    ReportPage,
    ReportRead,
    SyncRead,
    TaskPage,
    payment_view,
    report_view,
    sync_view,
    task_view,
)
from api.pagination import DEFAULT_LIMIT, Limit
from api.settings import AppSettings
from models.followup import payments, reports
from models.followup.commands import PaymentCreate, PaymentRejection, ReportCreate
from models.sync import changes_since
from models.tasks import open_tasks

SYNC_PREFIX = "s1."
#: A position in the change sequence, as the database's BIGINT holds it.
ChangeNumber = Annotated[int, msgspec.Meta(ge=0, le=2**63 - 1)]


def _created_or_stored(view: Any, created: bool) -> Response[Any]:
    """201 for a new record; 200 with the stored record for a retry of the same one."""
    return Response(view, status_code=201 if created else 200)


class FollowUpController(Controller):
    path = "/cases/{case_id:uuid}"
    tags = ("follow-up",)

    @post("/reports", responses=stored_again(ReportRead))
    async def submit_report(
        self, caller: CurrentCaller, case_id: FromPath[uuid.UUID], data: JSONBody[ReportCreate]
    ) -> Response[ReportRead]:
        """A monthly follow-up report (partner or return org). Send the same ``id`` again
        after a lost answer: you get the stored report (200), never a second one."""
        row, created = await reports.submit_report(caller=caller, case_id=case_id, data=data)
        return _created_or_stored(report_view(row), created)

    @get("/reports")
    async def list_reports(
        self, request: Request[Any, Any, Any], caller: CurrentCaller, case_id: FromPath[uuid.UUID]
    ) -> Response[ReportPage]:
        rows = await reports.reports_of(caller=caller, case_id=case_id)
        return cacheable(request, ReportPage(items=[report_view(r) for r in rows]))

    @post("/payments", responses=stored_again(PaymentRead))
    async def record_payment(
        self, caller: CurrentCaller, case_id: FromPath[uuid.UUID], data: JSONBody[PaymentCreate]
    ) -> Response[PaymentRead]:
        """A support payment (partner or return org). To a relative, or above the plan's
        budget, it waits for the return organisation's approval."""
        row, created = await payments.record_payment(caller=caller, case_id=case_id, data=data)
        return _created_or_stored(payment_view(row), created)

    @get("/payments")
    async def list_payments(
        self, request: Request[Any, Any, Any], caller: CurrentCaller, case_id: FromPath[uuid.UUID]
    ) -> Response[PaymentPage]:
        rows = await payments.payments_of(caller=caller, case_id=case_id)
        return cacheable(request, PaymentPage(items=[payment_view(r) for r in rows]))

    @post("/payments/{payment_id:uuid}/approval", status_code=200)
    async def approve_payment(
        self, caller: CurrentCaller, case_id: FromPath[uuid.UUID], payment_id: FromPath[uuid.UUID]
    ) -> PaymentRead:
        """Approve a payment waiting for approval (the case's return org)."""
        row = await payments.approve_payment(caller=caller, case_id=case_id, payment_id=payment_id)
        return payment_view(row)

    @post("/payments/{payment_id:uuid}/rejection", status_code=200)
    async def reject_payment(
        self,
        caller: CurrentCaller,
        case_id: FromPath[uuid.UUID],
        payment_id: FromPath[uuid.UUID],
        data: JSONBody[PaymentRejection],
    ) -> PaymentRead:
        """Reject a payment waiting for approval, with the reason (the case's return org)."""
        row = await payments.reject_payment(
            caller=caller, case_id=case_id, payment_id=payment_id, reason=data.reason
        )
        return payment_view(row)


@get("/tasks", tags=["follow-up"])
async def list_tasks(
    request: Request[Any, Any, Any],
    caller: CurrentCaller,
    settings: AppSettings,
    cursor: FromQuery[str | None] = None,
    limit: Limit = DEFAULT_LIMIT,
) -> Response[TaskPage]:
    """Open tasks (``limit`` counts cases): a ``monthly_report`` for each month of support
    without a report; for the return organisation and the partner, an
    ``outcome_correction`` while a closed case's outcome report is returned."""
    tasks, following = await open_tasks(
        caller=caller,
        grace_days=settings.report_grace_days,
        after=pagination.decode(cursor, tuple[date, uuid.UUID]),
        limit=limit,
    )
    next_cursor = pagination.encode(following) if following else None
    return cacheable(
        request, TaskPage(items=[task_view(t) for t in tasks], next_cursor=next_cursor)
    )


@get("/sync", tags=["follow-up"])
async def sync(
    request: Request[Any, Any, Any],
    caller: CurrentCaller,
    settings: AppSettings,
    since: FromQuery[str | None] = None,
    limit: Limit = DEFAULT_LIMIT,
) -> Response[SyncRead]:
    """Everything in reach that changed since the token (from the beginning without one).
    Keep asking with ``next`` while ``more`` is true."""
    position = pagination.decode(since, ChangeNumber, field="since", prefix=SYNC_PREFIX) or 0
    page = await changes_since(
        caller=caller, since=position, limit=limit, grace_days=settings.report_grace_days
    )
    return cacheable(request, sync_view(page, pagination.encode(page.next, prefix=SYNC_PREFIX)))
