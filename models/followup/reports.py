"""Monthly follow-up reports: how the person is doing, month by month of support."""

from __future__ import annotations

import uuid

from models import audit, changes, clock, database
from models.cases import personal
from models.cases.reach import require
from models.cases.records import Row, reachable_case
from models.client_ids import fingerprint, insert_once
from models.events import outbox
from models.followup.commands import ReportCreate
from models.followup.tables import Report
from models.followup.window import inside_support_window, require_followed_up
from models.organisations import Caller
from models.outcomes.frozen import amend_if_closed


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
        content = fingerprint(data)
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
            **personal.seal(Report, case_id, needs=data.needs, narrative=data.narrative),
            "organisation": caller.organisation_id,
            "submitted_by": caller.user_id,
            "submitted_at": clock.now(),
            "fingerprint": content,
            "change_seq": changes.UNSTAMPED,
        }
        row, created = await insert_once(
            Report, values, same_as={"case": case_id, "fingerprint": content}
        )
        if created:
            await audit.record(caller, "report.submitted", [case_id])
            await outbox.emit(
                "report.submitted",
                case_id=case_id,
                case_reference=case["reference"],
                data={"report_id": data.id, "month": data.month},
            )
            await amend_if_closed(case, caller)
            row["change_seq"] = await changes.stamp(Report, data.id)
        return personal.open_row(Report, row), created


async def reports_of(*, caller: Caller, case_id: uuid.UUID) -> list[Row]:
    _, roles = await reachable_case(caller, case_id)
    require("read_followup", roles)
    rows = (
        await Report.select()
        .where(Report.case == case_id)
        .order_by(Report.month, Report.visited_on)
    )
    await audit.record(caller, "case.reports_read", [case_id])
    return [personal.open_row(Report, row) for row in rows]
