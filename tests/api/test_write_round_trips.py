"""On PostgreSQL a payment is few round trips: the case read and locked, the budget, one
statement for the payment with its audit entry and events, its change number, the commit
(besides the token and the transaction's BEGIN); the pool adds none when a connection
goes back to it."""

import asyncpg
import pytest

from models import database
from models.audit import AuditEntry
from models.outbox import Event
from tests.api.conftest import Journey, payment_body


@pytest.fixture
def statements(monkeypatch) -> list[str]:
    sent: list[str] = []
    for name in ("execute", "fetch", "fetchrow", "fetchval"):
        original = getattr(asyncpg.Connection, name)

        async def counted(self, query, *args, _original=original, **kwargs):
            sent.append(query)
            return await _original(self, query, *args, **kwargs)

        monkeypatch.setattr(asyncpg.Connection, name, counted)
    return sent


async def test_a_payment_is_written_in_one_statement_with_its_trail(
    returned: Journey, statements: list[str]
):
    if not database.uses_postgres():
        pytest.skip("round trips to a database server")
    body = payment_body(recipient="relative", relative_justification="the mother's rent")
    statements.clear()
    response = await returned.client.post(
        f"{returned.path}/payments", json=body, headers=returned.partner.headers
    )
    assert response.status_code == 201, response.text
    # token; BEGIN; case locked; budget; payment, audit entry and events; number; COMMIT
    assert len(statements) == 7, statements
    assert await AuditEntry.count().where(AuditEntry.action == "payment.recorded") == 1
    kinds = {
        e["type"]
        for e in await Event.select(Event.type).where(Event.case_id == returned.case["id"])
    }
    assert {"payment.recorded", "payment.pending_approval"} <= kinds

    statements.clear()
    again = await returned.client.post(
        f"{returned.path}/payments", json=body, headers=returned.partner.headers
    )
    assert again.status_code == 200, again.text
    assert await AuditEntry.count().where(AuditEntry.action == "payment.recorded") == 1
    assert await Event.count().where(Event.type == "payment.pending_approval") == 1
