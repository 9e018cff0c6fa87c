"""A partner NGO worker photographs a receipt on a cheap phone and uploads it over a bad
network, maybe twice; the payment it proves names it, and only those who reach that
payment's case may look at it."""

from __future__ import annotations

import asyncio
import hashlib
import io
import stat
import struct
import uuid
import zlib
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import msgspec
import pytest

from api.app import create_app
from models.attachments import (
    Attachment,
    TooLarge,
    inspect,
    media_type_of,
    storage_path,
    store,
)
from models.errors import RuleViolation
from models.settings import Settings
from tests.api.conftest import Journey, payment_body
from tests.conftest import Member

UPLOADS = "/api/v1/attachments"


def _png_chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def png() -> bytes:
    """A real one-pixel PNG."""
    header = struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0)
    pixels = zlib.compress(b"\x00\xff\xff\xff")
    return (
        b"\x89PNG\r\n\x1a\n"
        + _png_chunk(b"IHDR", header)
        + _png_chunk(b"IDAT", pixels)
        + _png_chunk(b"IEND", b"")
    )


def jpeg() -> bytes:
    """The start of a JFIF JPEG and its end marker: enough to be recognised."""
    return b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00\xff\xd9"


def pdf() -> bytes:
    return b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"


def sha(content: bytes) -> str:
    return hashlib.sha256(content).hexdigest()


async def _upload(
    client: httpx.AsyncClient,
    member: Member,
    content: bytes,
    *,
    attachment_id: str | None = None,
    filename: str = "receipt.png",
    content_type: str = "image/png",
) -> httpx.Response:
    return await client.post(
        UPLOADS,
        data={"id": attachment_id or str(uuid.uuid4())},
        files={"file": (filename, content, content_type)},
        headers=member.headers,
    )


async def _rows(attachment_id: str | None = None) -> int:
    query = Attachment.count()
    if attachment_id is not None:
        query = query.where(Attachment.id == uuid.UUID(attachment_id))
    return await query


def _stored_files(settings: Settings) -> list[Path]:
    root = settings.data_dir / "attachments"
    return sorted(p for p in root.rglob("*") if p.is_file()) if root.exists() else []


def _field_errors(response: httpx.Response) -> list[str]:
    return [error["field"] for error in response.json().get("errors", [])]


# The content decides, and the store keeps each content once ------------------------


def test_a_receipt_is_recognised_by_its_first_bytes_never_by_its_name():
    assert media_type_of(png()) == "image/png"
    assert media_type_of(jpeg()) == "image/jpeg"
    assert media_type_of(pdf()) == "application/pdf"
    assert media_type_of(b"Paid 25000 NGN to landlord") is None
    assert media_type_of(b"GIF89a") is None
    assert media_type_of(b"\x89PNG") is None  # a truncated signature is not a PNG
    assert media_type_of(b"") is None


def test_inspecting_an_upload_gives_its_hash_size_and_type():
    content = pdf()
    found = inspect(io.BytesIO(content), max_size=1024)
    assert (found.sha256, found.size, found.media_type) == (
        sha(content),
        len(content),
        "application/pdf",
    )


def test_an_empty_or_unknown_file_is_refused_naming_the_file_field():
    for content in (b"", b"just some text, saved as receipt.jpg"):
        with pytest.raises(RuleViolation) as refused:
            inspect(io.BytesIO(content), max_size=1024)
        assert [error.field for error in refused.value.errors] == ["file"]


def test_a_file_over_the_limit_is_refused_and_one_at_the_limit_is_kept():
    exactly = png() + b"\x00" * (4096 - len(png()))
    assert inspect(io.BytesIO(exactly), max_size=4096).size == 4096
    with pytest.raises(TooLarge):
        inspect(io.BytesIO(exactly + b"\x00"), max_size=4096)


def test_a_receipt_is_stored_under_its_hash_readable_by_its_owner_only(tmp_path: Path):
    content = jpeg()
    digest = sha(content)
    assert store(io.BytesIO(content), tmp_path, digest) is True
    path = storage_path(tmp_path, digest)
    assert path == tmp_path / "attachments" / digest[:2] / digest
    assert path.read_bytes() == content
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700
    assert list(path.parent.iterdir()) == [path]  # no temporary file left behind


def test_the_same_content_is_written_once(tmp_path: Path):
    content = png()
    digest = sha(content)
    assert store(io.BytesIO(content), tmp_path, digest) is True
    before = storage_path(tmp_path, digest).stat().st_mtime_ns
    assert store(io.BytesIO(content), tmp_path, digest) is False
    assert storage_path(tmp_path, digest).stat().st_mtime_ns == before


def test_content_that_does_not_match_its_hash_is_not_stored(tmp_path: Path):
    digest = sha(png())
    with pytest.raises(RuntimeError):
        store(io.BytesIO(pdf()), tmp_path, digest)
    assert not storage_path(tmp_path, digest).exists()
    assert list(storage_path(tmp_path, digest).parent.iterdir()) == []


def test_only_a_sha256_names_a_stored_file(tmp_path: Path):
    for name in ("../../etc/passwd", "ABC", sha(b"x").upper(), sha(b"x") + "/.."):
        with pytest.raises(ValueError, match="SHA-256"):
            storage_path(tmp_path, name)


# Uploading from a phone --------------------------------------------------------------


@pytest.mark.parametrize(
    ("make", "media_type"),
    [(png, "image/png"), (jpeg, "image/jpeg"), (pdf, "application/pdf")],
)
async def test_a_partner_uploads_a_photo_or_scan_of_a_receipt(
    client: httpx.AsyncClient, partner: Member, make, media_type: str
):
    content = make()
    attachment_id = str(uuid.uuid4())
    response = await _upload(client, partner, content, attachment_id=attachment_id)
    assert response.status_code == 201, response.text
    body = response.json()
    assert body["id"] == attachment_id
    assert body["media_type"] == media_type  # from the content, not the header sent
    assert body["size"] == len(content)
    assert body["sha256"] == sha(content)
    assert body["uploaded_at"]


async def test_the_same_upload_sent_again_is_stored_once(
    client: httpx.AsyncClient, partner: Member
):
    attachment_id = str(uuid.uuid4())
    first = await _upload(client, partner, png(), attachment_id=attachment_id)
    again = await _upload(client, partner, png(), attachment_id=attachment_id)
    assert (first.status_code, again.status_code) == (201, 200), again.text
    assert again.json() == first.json()
    assert await _rows(attachment_id) == 1


async def test_the_same_id_with_another_file_conflicts(client: httpx.AsyncClient, partner: Member):
    attachment_id = str(uuid.uuid4())
    assert (await _upload(client, partner, png(), attachment_id=attachment_id)).status_code == 201
    response = await _upload(
        client, partner, pdf(), attachment_id=attachment_id, content_type="application/pdf"
    )
    assert response.status_code == 409, response.text
    assert response.json()["stored_id"] == attachment_id
    assert (await client.get(f"{UPLOADS}/{attachment_id}", headers=partner.headers)).content == (
        png()
    )


async def test_another_organisation_reusing_an_id_conflicts(
    client: httpx.AsyncClient, partner: Member, other_partner: Member
):
    attachment_id = str(uuid.uuid4())
    assert (await _upload(client, partner, png(), attachment_id=attachment_id)).status_code == 201
    response = await _upload(client, other_partner, png(), attachment_id=attachment_id)
    assert response.status_code == 409, response.text
    assert await _rows(attachment_id) == 1


async def test_a_text_file_renamed_to_jpg_is_refused(
    client: httpx.AsyncClient, partner: Member, settings: Settings
):
    response = await _upload(
        client,
        partner,
        b"Paid 25000 NGN rent to the landlord on 10 May\n",
        filename="receipt.jpg",
        content_type="image/jpeg",
    )
    assert response.status_code == 422, response.text
    assert _field_errors(response) == ["file"]
    assert await _rows() == 0
    assert _stored_files(settings) == []


async def test_an_empty_file_is_refused(client: httpx.AsyncClient, partner: Member):
    response = await _upload(client, partner, b"")
    assert response.status_code == 422, response.text
    assert _field_errors(response) == ["file"]


async def test_an_upload_without_a_valid_id_is_refused(client: httpx.AsyncClient, partner: Member):
    response = await _upload(client, partner, png(), attachment_id="not-a-uuid")
    assert response.status_code == 422, response.text


async def test_a_receipt_over_five_mebibytes_is_too_large(
    client: httpx.AsyncClient, partner: Member, settings: Settings
):
    limit = 5 * 1024 * 1024
    just_over = png() + b"\x00" * (limit + 1 - len(png()))
    response = await _upload(client, partner, just_over)
    assert response.status_code == 413, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    far_over = png() + b"\x00" * (limit + 256 * 1024)
    assert (await _upload(client, partner, far_over)).status_code == 413
    assert await _rows() == 0
    assert _stored_files(settings) == []


async def test_a_receipt_of_exactly_five_mebibytes_is_accepted(
    client: httpx.AsyncClient, partner: Member
):
    exactly = png() + b"\x00" * (5 * 1024 * 1024 - len(png()))
    response = await _upload(client, partner, exactly)
    assert response.status_code == 201, response.text
    assert response.json()["size"] == 5 * 1024 * 1024


@pytest.fixture
async def small_limit_client(
    settings: Settings, client: httpx.AsyncClient
) -> AsyncIterator[httpx.AsyncClient]:
    """The app configured for receipts of at most 4 KiB (the database is connected by
    ``client``)."""
    smaller = msgspec.structs.replace(settings, max_attachment_size=4096)
    transport = httpx.ASGITransport(app=create_app(smaller))
    async with httpx.AsyncClient(transport=transport, base_url="http://tracker.test") as http:
        yield http


async def test_the_size_limit_follows_the_settings(
    small_limit_client: httpx.AsyncClient, partner: Member
):
    exactly = png() + b"\x00" * (4096 - len(png()))
    assert (await _upload(small_limit_client, partner, exactly)).status_code == 201
    over = await _upload(small_limit_client, partner, exactly + b"\x00")
    assert over.status_code == 413, over.text
    far_over = await _upload(small_limit_client, partner, exactly + b"\x00" * 64 * 1024)
    assert far_over.status_code == 413, far_over.text


async def test_an_authority_does_not_upload_receipts(client: httpx.AsyncClient, authority: Member):
    response = await _upload(client, authority, png())
    assert response.status_code == 403, response.text


async def test_an_upload_needs_a_token(client: httpx.AsyncClient):
    response = await client.post(
        UPLOADS, data={"id": str(uuid.uuid4())}, files={"file": ("r.png", png(), "image/png")}
    )
    assert response.status_code == 401


async def test_twenty_simultaneous_identical_uploads_make_one_attachment_and_one_201(
    client: httpx.AsyncClient, partner: Member, settings: Settings
):
    attachment_id = str(uuid.uuid4())
    responses = await asyncio.gather(
        *(_upload(client, partner, png(), attachment_id=attachment_id) for _ in range(20))
    )
    assert sorted(r.status_code for r in responses) == [200] * 19 + [201], [
        r.text for r in responses if r.status_code not in (200, 201)
    ]
    assert len({r.content for r in responses}) == 1
    assert await _rows(attachment_id) == 1
    assert _stored_files(settings) == [storage_path(settings.data_dir, sha(png()))]


async def test_two_receipts_with_the_same_content_share_one_stored_file(
    client: httpx.AsyncClient, partner: Member, other_partner: Member, settings: Settings
):
    first = await _upload(client, partner, jpeg(), content_type="image/jpeg")
    second = await _upload(client, other_partner, jpeg(), content_type="image/jpeg")
    assert (first.status_code, second.status_code) == (201, 201)
    assert first.json()["id"] != second.json()["id"]
    assert await _rows() == 2
    path = storage_path(settings.data_dir, sha(jpeg()))
    assert _stored_files(settings) == [path]
    assert stat.S_IMODE(path.stat().st_mode) == 0o600


# Reading a receipt back --------------------------------------------------------------


async def test_the_uploader_reads_the_receipt_back_with_its_type_and_etag(
    client: httpx.AsyncClient, partner: Member
):
    attachment_id = (await _upload(client, partner, pdf(), content_type="image/png")).json()["id"]
    response = await client.get(f"{UPLOADS}/{attachment_id}", headers=partner.headers)
    assert response.status_code == 200, response.text
    assert response.content == pdf()
    assert response.headers["content-type"].startswith("application/pdf")
    assert response.headers["etag"] == f'"{sha(pdf())}"'


async def test_a_phone_that_has_the_receipt_is_told_it_has_not_changed(
    client: httpx.AsyncClient, partner: Member
):
    attachment_id = (await _upload(client, partner, png())).json()["id"]
    url = f"{UPLOADS}/{attachment_id}"
    etag = (await client.get(url, headers=partner.headers)).headers["etag"]
    again = await client.get(url, headers={**partner.headers, "If-None-Match": etag})
    assert again.status_code == 304
    assert again.content == b""
    stale = await client.get(url, headers={**partner.headers, "If-None-Match": '"0000"'})
    assert stale.status_code == 200
    assert stale.content == png()


async def test_another_partner_cannot_tell_the_receipt_exists(
    client: httpx.AsyncClient, partner: Member, other_partner: Member
):
    attachment_id = (await _upload(client, partner, png())).json()["id"]
    hidden = await client.get(f"{UPLOADS}/{attachment_id}", headers=other_partner.headers)
    missing = await client.get(f"{UPLOADS}/{uuid.uuid4()}", headers=other_partner.headers)
    assert (hidden.status_code, missing.status_code) == (404, 404)
    assert hidden.json()["detail"] == missing.json()["detail"]


async def test_whoever_reaches_the_payment_reads_its_receipt(
    returned: Journey, other_partner: Member
):
    client, partner = returned.client, returned.partner
    attachment_id = (await _upload(client, partner, jpeg(), content_type="image/jpeg")).json()["id"]
    url = f"{UPLOADS}/{attachment_id}"
    # Before a payment names it, only the uploader reads it.
    assert (await client.get(url, headers=returned.return_org.headers)).status_code == 404

    payment = await client.post(
        f"{returned.path}/payments",
        json=payment_body(receipt_id=attachment_id),
        headers=partner.headers,
    )
    assert payment.status_code == 201, payment.text
    assert payment.json()["receipt_id"] == attachment_id

    for member in (returned.return_org, returned.opener):
        response = await client.get(url, headers=member.headers)
        assert response.status_code == 200, response.text
        assert response.content == jpeg()
        assert response.headers["content-type"].startswith("image/jpeg")
    assert (await client.get(url, headers=other_partner.headers)).status_code == 404


async def test_a_payment_cannot_name_another_organisations_receipt(
    returned: Journey, other_partner: Member
):
    client = returned.client
    foreign = (await _upload(client, other_partner, png())).json()["id"]
    response = await client.post(
        f"{returned.path}/payments",
        json=payment_body(receipt_id=foreign),
        headers=returned.partner.headers,
    )
    assert response.status_code == 422, response.text
    assert "receipt_id" in _field_errors(response)


async def test_erasing_the_persons_data_deletes_the_cases_receipts(
    returned: Journey, settings: Settings
):
    """The receipt row and its file go; a file another upload shares stays for it."""
    client, partner = returned.client, returned.partner
    receipt = (await _upload(client, partner, jpeg(), content_type="image/jpeg")).json()["id"]
    twin = (await _upload(client, partner, jpeg(), content_type="image/jpeg")).json()["id"]
    alone = (await _upload(client, partner, png())).json()["id"]
    for attachment_id in (receipt, alone):
        paid = await client.post(
            f"{returned.path}/payments",
            json=payment_body(receipt_id=attachment_id),
            headers=partner.headers,
        )
        assert paid.status_code == 201, paid.text

    erased = await client.post(
        f"{returned.path}/erasure", json={"reason": "her request"}, headers=returned.opener.headers
    )
    assert erased.status_code == 200, erased.text

    for gone in (receipt, alone):
        assert await _rows(gone) == 0
        assert (await client.get(f"{UPLOADS}/{gone}", headers=partner.headers)).status_code == 404
    assert _stored_files(settings) == [storage_path(settings.data_dir, sha(jpeg()))]
    kept = await client.get(f"{UPLOADS}/{twin}", headers=partner.headers)
    assert kept.content == jpeg()
    payments = await client.get(f"{returned.path}/payments", headers=partner.headers)
    assert [p.get("receipt_id") for p in payments.json()["items"]] == [None, None]


async def test_a_receipt_is_always_a_download_that_runs_nothing(
    client: httpx.AsyncClient, partner: Member
):
    attachment_id = (await _upload(client, partner, pdf())).json()["id"]
    url = f"{UPLOADS}/{attachment_id}"
    for response in (
        await client.get(url, headers=partner.headers),
        await client.get(url, headers={**partner.headers, "If-None-Match": f'"{sha(pdf())}"'}),
    ):
        assert response.headers["content-disposition"] == (
            f'attachment; filename="receipt-{attachment_id}.pdf"'
        )
        assert response.headers["content-security-policy"] == "default-src 'none'"
        assert response.headers["x-content-type-options"] == "nosniff"


async def _receipt_reads(client: httpx.AsyncClient, member: Member) -> list[str | None]:
    trail = await client.get("/api/v1/audit", headers=member.headers)
    assert trail.status_code == 200, trail.text
    return [e.get("case_id") for e in trail.json()["items"] if e["action"] == "receipt.read"]


async def test_every_download_of_a_receipt_is_in_the_trail_of_its_cases(returned: Journey):
    client, partner, authority = returned.client, returned.partner, returned.opener
    attachment_id = (await _upload(client, partner, jpeg(), content_type="image/jpeg")).json()["id"]
    url = f"{UPLOADS}/{attachment_id}"
    # Before a payment names it, the uploader's reading is in its own trail, on no case.
    assert (await client.get(url, headers=partner.headers)).status_code == 200
    assert await _receipt_reads(client, partner) == [None]

    paid = await client.post(
        f"{returned.path}/payments",
        json=payment_body(receipt_id=attachment_id),
        headers=partner.headers,
    )
    assert paid.status_code == 201, paid.text
    for member in (returned.return_org, partner):
        assert (await client.get(url, headers=member.headers)).status_code == 200
    case_id = returned.case["id"]
    trail = await client.get(
        "/api/v1/audit", params={"case_id": case_id}, headers=authority.headers
    )
    reads = [
        (e["organisation_id"], e["case_id"])
        for e in trail.json()["items"]
        if e["action"] == "receipt.read"
    ]
    assert reads == [
        (str(returned.return_org.organisation_id), case_id),
        (str(partner.organisation_id), case_id),
    ], "the opening authority sees who downloaded the receipt of its case"
