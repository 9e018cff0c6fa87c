"""The real tracker as the browser tests use it: the server, and the means to set up the
organisations, workers and cases a test needs (through the domain and the API, as the
other tests do) and to check what reached it."""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any

import httpx

from models import clock, keys, schema
from models.organisations import OrganisationKind, add_organisation, add_user
from models.settings import Settings
from tests.api.conftest import Journey, days_ago
from tests.reliability.server import Server


@dataclass
class Worker:
    """A user of an organisation, with the headers that authenticate their first token."""

    kind: OrganisationKind
    organisation_id: uuid.UUID
    user_id: uuid.UUID
    name: str
    token: str

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"}


@dataclass
class FieldCase:
    """A case followed by a partner, as the tests walk it."""

    id: str
    reference: str
    given_name: str
    family_name: str
    authority: Worker
    return_org: Worker
    partner: Worker


class Tracker:
    def __init__(self, harness, server: Server, settings: Settings, folder: Path) -> None:
        self.harness, self.server, self.settings, self.folder = harness, server, settings, folder

    @property
    def url(self) -> str:
        return self.server.url

    def in_database(self, work: Callable[[], Awaitable[Any]]) -> Any:
        """Run ``work`` with the tables bound to the server's database."""

        async def connected() -> Any:
            async with schema.connected(self.settings):
                await keys.unlock(self.settings)
                return await work()

        return self.harness.run(connected())

    def worker(
        self, kind: OrganisationKind = OrganisationKind.partner, country: str = "NG"
    ) -> Worker:
        async def add() -> Worker:
            organisation = await add_organisation(
                name=f"{kind.value} {uuid.uuid4().hex[:6]}", kind=kind, country=country
            )
            name = f"Worker {uuid.uuid4().hex[:4]}"
            user, token = await add_user(organisation_id=organisation.id, name=name)
            return Worker(kind, organisation.id, user.id, name, token)

        return self.in_database(add)

    def case(
        self,
        partner: Worker,
        *,
        given_name: str = "Blessing",
        family_name: str = "Okafor",
        arrived_days_ago: int | None = 75,
        departed_days_ago: int | None = None,
        budget: list[dict] | None = None,
    ) -> FieldCase:
        """A case opened, planned and departed; arrived ``arrived_days_ago`` (None: not yet)."""
        departed = departed_days_ago or (arrived_days_ago or 0) + 1
        authority = self.worker(OrganisationKind.authority, "DK")
        return_org = self.worker(OrganisationKind.return_org, "CH")

        async def walk() -> dict:
            async with httpx.AsyncClient(base_url=self.url, timeout=30) as http:
                journey = Journey(http, authority, return_org, partner)
                person = {
                    "given_name": given_name,
                    "family_name": family_name,
                    "date_of_birth": "1999-04-02",
                    "sex": "female",
                    "nationality": "NG",
                    "phone": "+2348012345678",
                }
                await journey.open(person=person)
                await journey.plan(
                    budget=budget
                    or [
                        {"category": "housing", "amount": "120000.00", "currency": "NGN"},
                        {"category": "business", "amount": "80000.00", "currency": "NGN"},
                    ]
                )
                await journey.depart(on=days_ago(departed))
                if arrived_days_ago is not None:
                    await journey.arrive(on=days_ago(arrived_days_ago))
                return journey.case

        case = self.harness.run(walk())
        return FieldCase(
            case["id"], case["reference"], given_name, family_name, authority, return_org, partner
        )

    def enrolment_code(self, worker: Worker) -> str:
        from models.people.enrolment import issue_code

        async def issue() -> str:
            issued = await issue_code(caller=None, user_id=worker.user_id, public_url=self.url)
            return issued.code

        return self.in_database(issue)

    def post(self, worker: Worker, path: str, body: dict) -> Any:
        with self.api(worker) as http:
            answer = http.post(path, json=body)
        assert answer.status_code in (200, 201), answer.text
        return answer.json()

    def revoke_phones(self, worker: Worker) -> None:
        """The office ends every phone of the worker (a lost phone, say)."""
        from models.people.devices import devices_of, revoke_device

        async def revoke() -> None:
            for device in await devices_of(caller=None, user_id=worker.user_id):
                await revoke_device(caller=None, device_id=device.id)

        self.in_database(revoke)

    def leave_phones_unused(self, worker: Worker, days: int) -> None:
        """The worker's phones were last seen ``days`` ago (their tokens expire at 90)."""
        from models.organisations import ApiToken

        async def age() -> None:
            await ApiToken.update(
                {ApiToken.last_seen_at: clock.now() - timedelta(days=days)}
            ).where(ApiToken.user == worker.user_id, ApiToken.device_name.is_not_null())

        self.in_database(age)

    def api(self, worker: Worker) -> httpx.Client:
        return httpx.Client(base_url=self.url, headers=worker.headers, timeout=30)

    def get(self, worker: Worker, path: str) -> Any:
        with self.api(worker) as http:
            answer = http.get(path)
        assert answer.status_code == 200, answer.text
        return answer.json()

    def restart(self, **environment: str) -> None:
        """Stop the server and start it again on the same port (a new release, say)."""
        self.server.environment = environment
        self.harness.run(self.server.stop())
        self.harness.run(self.server.start())
