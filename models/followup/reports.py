"""Monthly follow-up reports: how the person is doing, month by month of support."""

from __future__ import annotations

import uuid

from models import audit, clock, database, sealing
from models.cases.reach import require
from models.cases.records import reachable_case
from models.client_ids import fingerprint
from models.database import Row
from models.followup.commands import ReportCreate
from models.followup.keeping import keep_once
from models.followup.rules import inside_support_window, require_followed_up
from models.followup.tables import Report
from models.organisations import Caller


async def submit_report(
    *, caller: Caller, case_id: uuid.UUID, data: ReportCreate
) -> tuple[Row, bool]:
    """Store a report (partner or return org); ``(report, created)``. A report sent again
    with the same id and content is answered with the stored one."""
    async with database.transaction():
        case, roles = await reachable_case(caller, case_id, lock=True)
        require("submit_report", roles)
        require_followed_up(case)
        inside_support_window("visited_on", data.visited_on, case).check()
        values = {
            "id": data.id,
            "case": case_id,
            "month": data.month,
            "visited_on": data.visited_on,
            "contact": data.contact,
            "housing": data.housing,
            "livelihood": data.livelihood,
            "children_in_school": data.children_in_school,
            "wellbeing": data.wellbeing,
            "safety_concern": data.safety_concern,
            "retrafficking_risk": data.retrafficking_risk,
            "needs": data.needs,
            "narrative": data.narrative,
            "organisation": caller.organisation_id,
            "submitted_by": caller.user_id,
            "submitted_at": clock.now(),
            "fingerprint": fingerprint(data),
        }
        return await keep_once(
            Report,
            values,
            case=case,
            caller=caller,
            action="report.submitted",
            events=[("report.submitted", {"report_id": data.id, "month": data.month})],
        )


async def reports_of(*, caller: Caller, case_id: uuid.UUID) -> list[Row]:
    _, roles = await reachable_case(caller, case_id)
    require("read_followup", roles)
    rows = (
        await Report.select()
        .where(Report.case == case_id)
        .order_by(Report.month, Report.visited_on)
    )
    await audit.record(caller, "case.reports_read", [case_id])
    return [sealing.open_row(Report, row) for row in rows]
