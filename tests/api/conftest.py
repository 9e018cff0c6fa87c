"""A prepared return as the tests walk it: open, plan, depart, arrive, close."""

from __future__ import annotations

import uuid
from datetime import timedelta
from typing import Any

import httpx
import pytest

from models import clock
from models.organisations import add_user
from tests.conftest import Member


def days_ago(days: int) -> str:
    """A date ``days`` before today (in UTC, as due dates count) on the test's clock."""
    return (clock.today() - timedelta(days=days)).isoformat()


def case_body(return_org: Member, partner: Member | None, **changes: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "person": {
            "given_name": "Blessing",
            "family_name": "Okafor",
            "date_of_birth": "1999-04-02",
            "sex": "female",
            "nationality": "NG",
            "phone": "+2348012345678",
        },
        "origin_country": "NG",
        "residence_status": "asylum_seeker",
        "dublin_case": False,
        "exploitation": ["prostitution"],
        "identified_on": days_ago(120),
        "reflection_period_start": days_ago(120),
        "return_org_id": str(return_org.organisation_id),
        "consent": {"data_sharing": True, "story_use": True},
    }
    if partner is not None:
        body["partner_org_id"] = str(partner.organisation_id)
    body.update(changes)
    return body


async def another_user_of(member: Member) -> dict[str, str]:
    """The headers of a colleague: another user of the member's organisation."""
    _, token = await add_user(organisation_id=member.organisation_id, name="a colleague")
    return {"Authorization": f"Bearer {token}"}


def when_run(change: dict[str, Any]) -> dict[str, Any]:
    """A parametrized change whose dates depend on today gives them as functions, so that
    they are computed on the test's clock when it runs, not when tests are collected."""
    return {name: value() if callable(value) else value for name, value in change.items()}


class Journey:
    """Drives one case through its transitions, asserting each step succeeds."""

    def __init__(
        self, client: httpx.AsyncClient, opener: Member, return_org: Member, partner: Member
    ):
        self.client, self.opener, self.return_org, self.partner = (
            client,
            opener,
            return_org,
            partner,
        )
        self.case: dict[str, Any] = {}

    @property
    def path(self) -> str:
        return f"/api/v1/cases/{self.case['id']}"

    async def _ok(self, response: httpx.Response, status: int = 200) -> dict[str, Any]:
        assert response.status_code == status, response.text
        self.case = response.json()
        return self.case

    async def open(self, **changes: Any) -> dict[str, Any]:
        body = case_body(self.return_org, self.partner, **changes)
        response = await self.client.post("/api/v1/cases", json=body, headers=self.opener.headers)
        return await self._ok(response, 201)

    async def plan(self, **changes: Any) -> dict[str, Any]:
        body = {
            "agreed_on": days_ago(100),
            "goals": "Open a tailoring shop in Benin City",
            "budget": [{"category": "housing", "amount": "120000.00", "currency": "NGN"}],
            **changes,
        }
        return await self._ok(
            await self.client.put(f"{self.path}/plan", json=body, headers=self.opener.headers)
        )

    async def depart(self, on: str | None = None) -> dict[str, Any]:
        body = {"departed_on": on or days_ago(90)}
        return await self._ok(
            await self.client.post(
                f"{self.path}/departure", json=body, headers=self.return_org.headers
            )
        )

    async def arrive(self, on: str | None = None) -> dict[str, Any]:
        body = {"arrived_on": on or days_ago(89)}
        return await self._ok(
            await self.client.post(f"{self.path}/arrival", json=body, headers=self.partner.headers)
        )

    async def close(self, outcome: str = "completed", on: str | None = None) -> dict[str, Any]:
        body = {"outcome": outcome, "closed_on": on or days_ago(1), "note": "Business running"}
        return await self._ok(
            await self.client.post(
                f"{self.path}/closure", json=body, headers=self.return_org.headers
            )
        )


@pytest.fixture
async def journey(client, authority, return_org, partner) -> Journey:
    return Journey(client, authority, return_org, partner)


@pytest.fixture
async def returned(journey: Journey) -> Journey:
    """A case whose person arrived 75 days ago: months 1 and 2 of support are over."""
    await journey.open()
    await journey.plan()
    await journey.depart(on=days_ago(76))
    await journey.arrive(on=days_ago(75))
    return journey


def report_body(**changes: Any) -> dict[str, Any]:
    return {
        "id": str(uuid.uuid4()),
        "month": 1,
        "visited_on": days_ago(60),
        "contact": "in_person",
        "housing": "stable",
        "livelihood": "own_business",
        "children_in_school": True,
        "wellbeing": 4,
        "safety_concern": False,
        "retrafficking_risk": "low",
        "needs": "sewing machine repair",
        "narrative": "Shop opened; sells school uniforms",
        **changes,
    }


def payment_body(**changes: Any) -> dict[str, Any]:
    return {
        "id": str(uuid.uuid4()),
        "month": 1,
        "category": "housing",
        "amount": "25000.00",
        "currency": "NGN",
        "paid_on": days_ago(70),
        "recipient": "returnee",
        "method": "mobile_money",
        **changes,
    }
