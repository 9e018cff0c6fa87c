"""A small world of organisations, users and cases in every state that matters, for the
reliability tests: built through the domain functions and the API, like the other tests."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from typing import Any

import httpx

from api.app import create_app
from models import keys, schema
from models.organisations import OrganisationKind
from models.settings import Settings
from tests.api.conftest import Journey, days_ago, payment_body, report_body
from tests.conftest import Member, make_member

UPLOADS = "/api/v1/attachments"
#: Where the world's webhooks point: a host the settings trust (nothing is delivered).
RECEIVER_HOST = "127.0.0.1"

#: The smallest thing the tracker recognises as a PNG receipt (it reads the signature).
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00\x00\x00\rIHDR" + bytes(range(64))

KINDS = (
    OrganisationKind.authority,
    OrganisationKind.centre,
    OrganisationKind.return_org,
    OrganisationKind.partner,
)


def png_upload(attachment_id: uuid.UUID | str, content: bytes = PNG) -> dict[str, Any]:
    """The multipart fields of POST /api/v1/attachments."""
    return {"data": {"id": str(attachment_id)}, "files": {"file": ("receipt.png", content)}}


@dataclass
class World:
    """Members of each kind and the ids of records within their reach."""

    members: dict[OrganisationKind, Member]
    #: In reintegration: opened by the authority, returned by return_org, followed by partner.
    case_id: str
    #: Opened by the centre (legal residence), still in reflection.
    centre_case_id: str
    #: Completed with consent to stories: a centre reads it for a story.
    completed_case_id: str
    report_id: str
    #: Waits for the return organisation's approval (paid to a relative).
    pending_payment_id: str
    attachment_id: str
    story_id: str | None
    webhooks: dict[OrganisationKind, str] = field(default_factory=dict)

    def headers(self, kind: OrganisationKind) -> dict[str, str]:
        return self.members[kind].headers

    def path_parameters(self, kind: OrganisationKind) -> dict[str, str]:
        """Real ids the caller of ``kind`` reaches, by path-parameter name."""
        ids = {
            "case_id": self.centre_case_id if kind is OrganisationKind.centre else self.case_id,
            "payment_id": self.pending_payment_id,
            "attachment_id": self.attachment_id,
        }
        if self.story_id:
            ids["story_id"] = self.story_id
        if kind in self.webhooks:
            ids["webhook_id"] = self.webhooks[kind]
        return ids


def _created(response: httpx.Response) -> dict[str, Any]:
    assert response.status_code == 201, response.text
    return response.json()


async def build(http: httpx.AsyncClient) -> World:
    """Needs the database connected and unlocked, and a client of the app."""
    members = {
        OrganisationKind.authority: await make_member(OrganisationKind.authority),
        OrganisationKind.centre: await make_member(OrganisationKind.centre),
        OrganisationKind.return_org: await make_member(OrganisationKind.return_org, "CH"),
        OrganisationKind.partner: await make_member(OrganisationKind.partner, "NG"),
    }
    authority, centre = members[OrganisationKind.authority], members[OrganisationKind.centre]
    return_org, partner = members[OrganisationKind.return_org], members[OrganisationKind.partner]

    returned = Journey(http, authority, return_org, partner)
    await returned.open()
    await returned.plan()
    await returned.depart(on=days_ago(76))
    await returned.arrive(on=days_ago(75))
    case_path = returned.path

    report = _created(
        await http.post(f"{case_path}/reports", json=report_body(), headers=partner.headers)
    )
    attachment_id = uuid.uuid4()
    _created(await http.post(UPLOADS, headers=partner.headers, **png_upload(attachment_id)))
    _created(
        await http.post(
            f"{case_path}/payments",
            json=payment_body(receipt_id=str(attachment_id)),
            headers=partner.headers,
        )
    )
    pending = _created(
        await http.post(
            f"{case_path}/payments",
            json=payment_body(recipient="relative", relative_justification="mother receives it"),
            headers=partner.headers,
        )
    )

    completed = Journey(http, authority, return_org, partner)
    await completed.open()
    await completed.plan()
    await completed.depart(on=days_ago(76))
    await completed.arrive(on=days_ago(75))
    await completed.close()

    reflecting = Journey(http, centre, return_org, partner)
    await reflecting.open(residence_status="legal_residence")

    story = await http.post(
        "/api/v1/stories",
        json={
            "case_id": completed.case["id"],
            "title": "A tailoring shop",
            "text": "She opened a shop and sells school uniforms.",
            "language": "en",
        },
        headers=centre.headers,
    )
    webhooks = {}
    for kind, member in members.items():
        hook = _created(
            await http.post(
                "/api/v1/webhooks",
                json={
                    "url": f"http://{RECEIVER_HOST}:9/hook",
                    "events": ["case.opened"],
                    "secret": "a secret of sixteen or more",
                },
                headers=member.headers,
            )
        )
        webhooks[kind] = hook["id"]
    return World(
        members=members,
        case_id=returned.case["id"],
        centre_case_id=reflecting.case["id"],
        completed_case_id=completed.case["id"],
        report_id=report["id"],
        pending_payment_id=pending["id"],
        attachment_id=str(attachment_id),
        story_id=story.json()["id"] if story.status_code == 201 else None,
        webhooks=webhooks,
    )


async def build_apart(settings: Settings) -> World:
    """Build a world on its own connection, closed again before returning."""
    async with schema.connected(settings):
        await keys.unlock(settings)
        transport = httpx.ASGITransport(app=create_app(settings))
        async with httpx.AsyncClient(transport=transport, base_url="http://tracker.test") as http:
            return await build(http)
