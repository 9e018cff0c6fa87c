"""A field worker never types a token: the office makes a one-time code, the phone
exchanges it for a token of its own, once, and guessing codes gets nowhere."""

from __future__ import annotations

import asyncio
import re
import uuid
from datetime import timedelta

import httpx
import msgspec
import pytest

from api.app import create_app
from models.audit import AuditEntry
from models.organisations import ApiToken
from models.people import codes
from models.people.tables import EnrolmentCode
from models.settings import Settings
from tests.api.people import PUBLIC_URL, code_for, enrolled, new_person, phone

ENROL = "/api/v1/enrolment"


async def test_a_phone_exchanges_a_code_for_a_token_of_its_own(client: httpx.AsyncClient):
    user_id, organisation_id = await new_person()
    code = await code_for(user_id)

    response = await client.post(ENROL, json=phone(code, device="Tecno Spark 10"))

    assert response.status_code == 201, response.text
    body = response.json()
    assert body["user"] == {"id": str(user_id), "name": "Amaka Eze"}
    assert body["organisation"]["id"] == str(organisation_id)
    assert body["organisation"]["kind"] == "partner"
    me = await client.get("/api/v1/me", headers={"Authorization": f"Bearer {body['token']}"})
    assert me.json()["user_id"] == str(user_id)
    device = await ApiToken.select().where(ApiToken.id == body["device_id"]).first()
    assert device["device_name"] == "Tecno Spark 10"
    assert device["last_seen_at"] is not None


def test_codes_are_easy_to_read_aloud_and_carry_at_least_50_bits():
    code = codes.new_code(groups=3)
    assert re.fullmatch(r"[2-9A-HJKMNP-Z]{4}-[2-9A-HJKMNP-Z]{4}-[2-9A-HJKMNP-Z]{4}", code)
    assert not set("0O1IL") & set(codes.ALPHABET)
    assert len(codes.ALPHABET) ** 12 >= 2**50


async def test_a_code_typed_in_lower_case_with_spaces_still_works(client: httpx.AsyncClient):
    user_id, _ = await new_person()
    code = await code_for(user_id)
    typed = code.lower().replace("-", " ")
    assert (await client.post(ENROL, json=phone(typed))).status_code == 201


async def test_codes_are_stored_only_as_hashes(client: httpx.AsyncClient):
    user_id, _ = await new_person()
    code = await code_for(user_id)
    stored = await EnrolmentCode.select()
    assert all(codes.normalised(code) not in str(row) and code not in str(row) for row in stored)


async def test_a_code_works_once(client: httpx.AsyncClient):
    user_id, _ = await new_person()
    code = await code_for(user_id)
    assert (await client.post(ENROL, json=phone(code))).status_code == 201
    second_phone = await client.post(ENROL, json=phone(code))
    assert second_phone.status_code == 404


async def test_unknown_used_and_expired_codes_get_the_same_404(client: httpx.AsyncClient, clock):
    user_id, _ = await new_person()
    used = await code_for(user_id)
    await client.post(ENROL, json=phone(used))
    expiring = await code_for(user_id, valid_for=timedelta(hours=1))
    clock.move_to(clock.now() + timedelta(hours=1, seconds=1))

    answers = [
        await client.post(ENROL, json=phone(code)) for code in ("K7QM-4XTP-9WHC", used, expiring)
    ]

    assert {a.status_code for a in answers} == {404}
    bodies = [{k: v for k, v in a.json().items()} for a in answers]
    assert bodies[0] == bodies[1] == bodies[2]


async def test_a_retry_after_a_lost_answer_gets_a_fresh_token_and_the_first_stops(
    client: httpx.AsyncClient, clock
):
    user_id, _ = await new_person()
    code = await code_for(user_id)
    sent = phone(code, key="app-key-0001")
    first = (await client.post(ENROL, json=sent)).json()

    clock.move_to(clock.now() + timedelta(minutes=14))
    retried = await client.post(ENROL, json=sent)

    assert retried.status_code == 201
    second = retried.json()
    assert second["token"] != first["token"]
    old = await client.get("/api/v1/me", headers={"Authorization": f"Bearer {first['token']}"})
    assert old.status_code == 401 and old.json()["type"].endswith("/token-revoked")
    new = await client.get("/api/v1/me", headers={"Authorization": f"Bearer {second['token']}"})
    assert new.status_code == 200


async def test_the_retry_rule_needs_the_same_device_key_within_15_minutes(
    client: httpx.AsyncClient, clock
):
    user_id, _ = await new_person()
    code = await code_for(user_id)
    sent = phone(code, key="app-key-0001")
    assert (await client.post(ENROL, json=sent)).status_code == 201
    other_key = await client.post(ENROL, json=sent | {"device_key": "app-key-0002"})
    assert other_key.status_code == 404
    clock.move_to(clock.now() + timedelta(minutes=16))
    assert (await client.post(ENROL, json=sent)).status_code == 404


async def test_two_phones_racing_for_one_code_exactly_one_wins(client: httpx.AsyncClient):
    user_id, _ = await new_person()
    code = await code_for(user_id)

    answers = await asyncio.gather(*(client.post(ENROL, json=phone(code)) for _ in range(8)))

    assert sorted(a.status_code for a in answers) == [201] + [404] * 7
    assert await ApiToken.count().where(ApiToken.device_name.is_not_null()) == 1


async def test_the_same_phone_retrying_at_once_keeps_exactly_one_working_token(
    client: httpx.AsyncClient,
):
    user_id, _ = await new_person()
    sent = phone(await code_for(user_id), key="app-key-0001")

    answers = await asyncio.gather(*(client.post(ENROL, json=sent) for _ in range(4)))

    assert {a.status_code for a in answers} == {201}
    live = await ApiToken.count().where(
        ApiToken.device_name.is_not_null(), ApiToken.revoked_at.is_null()
    )
    assert live == 1


def _limited(settings: Settings, **changes) -> Settings:
    return msgspec.structs.replace(
        settings, enrolment_failures_allowed=3, enrolment_failure_window=600, **changes
    )


def _clients(settings: Settings, address: str = "203.0.113.7") -> list[httpx.AsyncClient]:
    return [
        httpx.AsyncClient(
            transport=httpx.ASGITransport(app=create_app(settings), client=(address, 5000)),
            base_url="http://tracker.test",
        )
        for _ in range(2)
    ]


async def test_guessing_codes_is_throttled_per_address_across_two_app_instances(
    client: httpx.AsyncClient, settings: Settings, clock
):
    user_id, _ = await new_person()
    good = await code_for(user_id)
    first, second = _clients(_limited(settings))
    async with first, second:
        for attempt in range(3):
            instance = (first, second)[attempt % 2]
            wrong = await instance.post(ENROL, json=phone(f"AAAA-BBBB-CC{attempt + 2}C"))
            assert wrong.status_code == 404

        throttled = await second.post(ENROL, json=phone(good))
        assert throttled.status_code == 429
        assert 0 < int(throttled.headers["retry-after"]) <= 600
        assert (await first.post(ENROL, json=phone(good))).status_code == 429

        others = _clients(_limited(settings), address="198.51.100.4")[0]
        async with others:
            assert (await others.post(ENROL, json=phone(await code_for(user_id)))).status_code == (
                201
            ), "another address is not held back"

        clock.move_to(clock.now() + timedelta(minutes=11))
        assert (await first.post(ENROL, json=phone(good))).status_code == 201


async def test_behind_a_trusted_proxy_the_forwarded_address_is_the_one_throttled(
    client: httpx.AsyncClient, settings: Settings
):
    proxied = _limited(settings, trusted_proxies="10.0.0.0/8")
    (through_proxy, _) = _clients(proxied, address="10.0.0.5")
    (direct, _) = _clients(proxied, address="203.0.113.9")
    async with through_proxy, direct:
        for n in range(3):
            forwarded = {"X-Forwarded-For": f"192.0.2.{n}, 198.51.100.20"}
            await through_proxy.post(ENROL, json=phone("AAAA-BBBB-CCCC"), headers=forwarded)
        held = await through_proxy.post(
            ENROL, json=phone("AAAA-BBBB-CCCC"), headers={"X-Forwarded-For": "198.51.100.20"}
        )
        assert held.status_code == 429, "the client behind the proxy, whatever it forges"
        other = await through_proxy.post(
            ENROL, json=phone("AAAA-BBBB-CCCC"), headers={"X-Forwarded-For": "198.51.100.21"}
        )
        assert other.status_code == 404
        for _ in range(3):
            await direct.post(
                ENROL, json=phone("AAAA-BBBB-CCCC"), headers={"X-Forwarded-For": f"192.0.2.{_}"}
            )
        ignored = await direct.post(
            ENROL, json=phone("AAAA-BBBB-CCCC"), headers={"X-Forwarded-For": "192.0.2.99"}
        )
        assert ignored.status_code == 429, "an untrusted peer's X-Forwarded-For is ignored"


async def test_every_enrolment_failure_is_audited_and_the_organisation_reads_its_own(
    client: httpx.AsyncClient, partner
):
    from tests.api.people import user_of

    user_id = await user_of(partner)
    code = await code_for(user_id)
    await client.post(ENROL, json=phone(code))
    await client.post(ENROL, json=phone(code))
    await client.post(ENROL, json=phone("ZZZZ-ZZZZ-ZZZZ"))

    failures = await AuditEntry.count().where(AuditEntry.action == "device.enrolment_failed")
    assert failures == 2
    trail = (await client.get("/api/v1/audit", headers=partner.headers)).json()["items"]
    actions = [entry["action"] for entry in trail]
    assert actions == ["enrolment_code.issued", "device.enrolled", "device.enrolment_failed"]
    assert all(entry.get("case_id") is None for entry in trail)
    assert trail[0]["subject_id"] == str(user_id)


async def test_a_revoked_token_and_an_expired_one_say_which_and_an_unknown_one_does_not(
    client: httpx.AsyncClient, clock
):
    user_id, _ = await new_person()
    revoked = await enrolled(client, user_id)
    expired = await enrolled(client, user_id)
    await client.delete("/api/v1/me/token", headers=revoked["headers"])
    clock.move_to(clock.now() + timedelta(days=91))

    gone = await client.get("/api/v1/me", headers=revoked["headers"])
    stale = await client.get("/api/v1/me", headers=expired["headers"])
    unknown = await client.get("/api/v1/me", headers={"Authorization": "Bearer trk_nothing"})

    assert (gone.status_code, stale.status_code, unknown.status_code) == (401, 401, 401)
    assert gone.json()["type"].endswith("/token-revoked")
    assert stale.json()["type"].endswith("/token-expired")
    assert unknown.json()["type"].endswith("/unauthorized")
    for answer in (gone, stale, unknown):
        assert answer.headers["content-type"].startswith("application/problem+json")


async def test_a_phone_in_use_stays_enrolled_and_one_unused_for_90_days_expires(
    client: httpx.AsyncClient, clock
):
    user_id, _ = await new_person()
    used = await enrolled(client, user_id)
    idle = await enrolled(client, user_id)
    for _ in range(3):
        clock.move_to(clock.now() + timedelta(days=60))
        assert (await client.get("/api/v1/me", headers=used["headers"])).status_code == 200
    assert (await client.get("/api/v1/me", headers=idle["headers"])).status_code == 401


async def test_last_seen_is_written_at_most_about_once_an_hour(client: httpx.AsyncClient, clock):
    user_id, _ = await new_person()
    device = await enrolled(client, user_id)

    async def last_seen():
        row = await ApiToken.select(ApiToken.last_seen_at).where(ApiToken.id == device["device_id"])
        return row[0]["last_seen_at"]

    enrolled_at = await last_seen()
    clock.move_to(clock.now() + timedelta(minutes=30))
    await client.get("/api/v1/me", headers=device["headers"])
    assert await last_seen() == enrolled_at, "not written again within the hour"
    clock.move_to(clock.now() + timedelta(minutes=31))
    await client.get("/api/v1/me", headers=device["headers"])
    assert await last_seen() > enrolled_at + timedelta(minutes=60)


async def test_delete_me_token_signs_the_phone_out(client: httpx.AsyncClient):
    user_id, organisation_id = await new_person()
    device = await enrolled(client, user_id)
    assert (await client.delete("/api/v1/me/token", headers=device["headers"])).status_code == 204
    again = await client.get("/api/v1/me", headers=device["headers"])
    assert again.json()["type"].endswith("/token-revoked")
    assert await AuditEntry.exists().where(
        AuditEntry.action == "token.signed_out", AuditEntry.organisation_id == organisation_id
    )


async def test_a_device_revoked_in_the_middle_of_a_sync_is_refused_on_its_next_page(returned):
    from models.people.devices import revoke_device
    from tests.api.conftest import report_body
    from tests.api.people import user_of

    client = returned.client
    device = await enrolled(client, await user_of(returned.partner))
    await client.post(f"{returned.path}/reports", json=report_body(), headers=device["headers"])
    first = await client.get("/api/v1/sync", params={"limit": 1}, headers=device["headers"])
    assert first.status_code == 200 and first.json()["more"] is True

    await revoke_device(caller=None, device_id=uuid.UUID(device["device_id"]))

    following = await client.get(
        "/api/v1/sync",
        params={"limit": 1, "since": first.json()["next"]},
        headers=device["headers"],
    )
    assert following.status_code == 401
    assert following.json()["type"].endswith("/token-revoked"), "the app wipes the phone"


async def test_every_problem_type_is_under_one_scheme(client: httpx.AsyncClient):
    missing = await client.get(f"/api/v1/cases/{uuid.uuid4()}", headers={})
    assert missing.json()["type"] == "/problems/unauthorized"
    bad = await client.post(ENROL, json={"code": 1})
    assert bad.status_code == 422 and bad.json()["type"] == "/problems/unprocessable-entity"


async def test_codes_expire_after_24_hours_by_default(client: httpx.AsyncClient, clock):
    user_id, _ = await new_person()
    code = await code_for(user_id)
    clock.move_to(clock.now() + timedelta(hours=23, minutes=59))
    assert (await client.post(ENROL, json=phone(code))).status_code == 201
    late = await code_for(user_id)
    clock.move_to(clock.now() + timedelta(hours=24, seconds=1))
    assert (await client.post(ENROL, json=phone(late))).status_code == 404


async def test_links_start_with_the_public_url(client: httpx.AsyncClient, clock):
    from models.people import enrolment

    user_id, _ = await new_person()
    issued = await enrolment.issue_code(caller=None, user_id=user_id, public_url=PUBLIC_URL + "/")
    assert issued.url == f"{PUBLIC_URL}/app/#enrol={issued.code}"
    assert issued.expires_at == pytest.approx(
        clock.now() + timedelta(hours=24), abs=timedelta(seconds=5)
    )
