"""A person at a browser: follows the console's pages and posts its forms, as a browser
without JavaScript would (cookies kept, the form's token sent back)."""

from __future__ import annotations

import re
import uuid
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import timedelta

import httpx
import pyotp

from models import clock
from models.organisations import OrganisationKind, add_organisation, add_user
from models.people import staff

_TOKEN = re.compile(r'name="csrf_token" value="([^"]+)"')
PASSWORD = "correct horse battery staple"


def form_token(page: httpx.Response) -> str:
    found = _TOKEN.search(page.text)
    assert found, f"no form on {page.url}"
    return found.group(1)


@dataclass
class Staff:
    user_id: uuid.UUID
    organisation_id: uuid.UUID
    email: str
    totp: pyotp.TOTP
    recovery_codes: list[str] = field(default_factory=list)
    password: str = PASSWORD


async def new_staff(
    kind: OrganisationKind = OrganisationKind.authority,
    *,
    coordinator: bool = False,
    organisation_id: uuid.UUID | None = None,
    name: str = "Mette Holm",
) -> Staff:
    """A staff member who accepted an invitation: password, authenticator, recovery codes."""
    if organisation_id is None:
        organisation_id = (
            await add_organisation(
                name=f"Udlændingestyrelsen {uuid.uuid4().hex[:4]}", kind=kind, country="DK"
            )
        ).id
    user, _ = await add_user(organisation_id=organisation_id, name=name, coordinator=coordinator)
    email = f"{uuid.uuid4().hex[:8]}@us.example"
    issued = await staff.invite(
        caller=None, user_id=user.id, email=email, public_url="http://tracker.test"
    )
    token = issued.url.rsplit("/", 1)[1]
    secret = (await staff.welcome(token)).totp_secret
    totp = pyotp.TOTP(secret)
    codes = await staff.accept(
        token=token, password=PASSWORD, password_again=PASSWORD, code=totp.now()
    )
    return Staff(user.id, organisation_id, email, totp, codes)


def next_code(person: Staff) -> str:
    """The authenticator's code of the next 30 seconds (accepted: one step either side),
    as the code of this step was used on the welcome page."""
    return person.totp.at(clock.now() + timedelta(seconds=30))


class Browser:
    def __init__(self, client: httpx.AsyncClient) -> None:
        self.client = client

    async def get(self, path: str) -> httpx.Response:
        return await self.client.get(path)

    async def submit(
        self, page_path: str, action: str | None = None, **fields: str
    ) -> httpx.Response:
        """Open the page, then post its form (to ``action``, else back to the page)."""
        page = await self.client.get(page_path)
        return await self.client.post(
            action or page_path, data={"csrf_token": form_token(page), **fields}
        )

    async def sign_in(self, person: Staff, code: str | None = None) -> httpx.Response:
        """Both steps; the answer to the second."""
        first = await self.submit("/console/sign-in", email=person.email, password=person.password)
        if first.status_code != 303:
            return first
        return await self.submit("/console/sign-in/code", code=code or next_code(person))


@asynccontextmanager
async def signed_in(client: httpx.AsyncClient, person: Staff):
    """A browser of its own (its own cookies), signed in, reading English pages."""
    async with httpx.AsyncClient(transport=client._transport, base_url=str(client.base_url)) as own:
        browser = Browser(own)
        assert (await browser.sign_in(person)).status_code == 303
        chosen = await browser.submit(
            "/console/", action="/console/language", language="en", next="/console/"
        )
        assert chosen.status_code == 303
        yield browser
