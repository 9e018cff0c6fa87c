"""The case and payment rows that travel between the domain's modules are typed records
(``CaseRow``, ``PaymentRow``): every column of their table by name and type, so that a
column added, renamed or retyped without its record is caught here."""

from __future__ import annotations

import types
import typing
import uuid
from datetime import date, datetime
from typing import Any, get_type_hints

import pytest

from models.cases.records import case_row
from models.cases.tables import Case, CaseRow
from models.followup.payments import payments_of
from models.followup.tables import Payment, PaymentRow
from models.organisations import Caller
from tests.api.conftest import Journey, payment_body
from tests.api.people import user_of


@pytest.mark.parametrize(("table", "record"), [(Case, CaseRow), (Payment, PaymentRow)])
def test_a_typed_row_names_every_column_of_its_table(table, record):
    columns = {column._meta.name for column in table._meta.columns}
    assert set(get_type_hints(record)) == columns


def _fits(value: Any, hint: Any) -> bool:
    if isinstance(hint, types.UnionType) or typing.get_origin(hint) is typing.Union:
        return any(_fits(value, part) for part in typing.get_args(hint))
    if hint is type(None):
        return value is None
    if hint is date:  # a datetime is a date too; a date column gives a plain date
        return type(value) is date
    if hint is datetime:
        return isinstance(value, datetime) and value.tzinfo is not None
    return isinstance(value, hint)


def _holds(row: dict[str, Any], record: type) -> list[str]:
    hints = get_type_hints(record)
    assert set(row) == set(hints)
    return [f"{name}={row[name]!r}" for name, hint in hints.items() if not _fits(row[name], hint)]


async def test_a_case_and_its_payments_come_back_as_their_typed_rows(returned: Journey):
    answer = await returned.client.post(
        f"{returned.path}/payments", json=payment_body(), headers=returned.partner.headers
    )
    assert answer.status_code == 201, answer.text
    case = await case_row(uuid.UUID(returned.case["id"]))
    assert case is not None
    assert _holds(case, CaseRow) == []
    partner = Caller(
        await user_of(returned.partner), returned.partner.organisation_id, returned.partner.kind
    )
    (payment,) = await payments_of(caller=partner, case_id=case["id"])
    assert _holds(payment, PaymentRow) == []
