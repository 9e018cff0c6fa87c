"""Personal data is sealed at rest, can be exported for the person, erased on request or
after retention, and never shows up in the database files or the logs in clear."""

import logging
import stat
from datetime import date, timedelta

import asyncpg
import pytest

from models import keys, schema, vault
from models.cases.data_subject import erase_expired
from models.cases.tables import Case, Person
from models.errors import ConfigurationError
from models.settings import Settings
from tests.api.conftest import Journey, days_ago, report_body
from tests.api.people import code_for

#: Answers depend on today: CI also runs these at hostile instants (see .ci/run).
pytestmark = pytest.mark.dates

CANARY = {
    "given_name": "Zyxquorbia",
    "family_name": "Vantrellion",
    "date_of_birth": "1987-11-23",
    "sex": "female",
    "phone": "+99955501234",
}


async def test_the_key_file_is_made_on_first_start_readable_by_its_owner_only(
    settings: Settings, db
):

    mode = vault.key_file(settings.data_dir).stat().st_mode
    assert stat.S_IMODE(mode) == 0o600


async def test_personal_fields_are_sealed_in_the_database(journey: Journey):
    case = await journey.open(person=CANARY)
    stored = await Person.select().where(Person.case == case["id"]).first()
    for field in ("given_name", "family_name", "date_of_birth", "phone"):
        assert stored[field].startswith("enc2:")
        assert CANARY[field] not in stored[field]
    assert (await journey.client.get(journey.path, headers=journey.opener.headers)).json()[
        "person"
    ]["family_name"] == "Vantrellion"


async def test_without_its_key_the_tracker_refuses_to_open_existing_data(
    journey: Journey, settings: Settings
):
    await journey.open()
    vault.key_file(settings.data_dir).rename(settings.data_dir / "elsewhere.key")
    with pytest.raises(ConfigurationError, match="no data key"):
        await keys.unlock(settings)


async def test_rotation_reseals_everything_with_a_new_key(journey: Journey, settings: Settings):
    case = await journey.open(person=CANARY)
    await journey.plan()
    old_key = vault.key_file(settings.data_dir).read_text().strip()
    old_id = vault.key_id(vault.parse_keys(old_key)[0])

    resealed = await keys.rotate(settings)

    assert resealed >= 2  # the person and the case's plan
    new_keys = vault.parse_keys(vault.key_file(settings.data_dir).read_text())
    assert len(new_keys) == 1
    assert vault.key_id(new_keys[0]) != old_id
    stored = await Person.select().where(Person.case == case["id"]).first()
    assert f":{old_id}:" not in stored["given_name"]
    read = await journey.client.get(journey.path, headers=journey.opener.headers)
    assert read.json()["person"]["given_name"] == "Zyxquorbia"
    assert read.json()["plan"]["goals"] == "Open a tailoring shop in Benin City"


async def test_rotation_with_keys_from_the_setting_keeps_the_old_one_accepted(
    journey: Journey, settings: Settings
):
    await journey.open(person=CANARY)
    old = vault.key_file(settings.data_dir).read_text().strip()
    new = vault.new_key()
    rotated = Settings(
        database_url=settings.database_url, data_dir=settings.data_dir, data_key=f"{new},{old}"
    )
    assert await keys.rotate(rotated) == 1
    await keys.unlock(
        Settings(database_url=settings.database_url, data_dir=settings.data_dir, data_key=new)
    )
    read = await journey.client.get(journey.path, headers=journey.opener.headers)
    assert read.json()["person"]["family_name"] == "Vantrellion"


async def _closed_case(journey: Journey, closed_on: str) -> dict:
    await journey.open(identified_on="2019-01-10", reflection_period_start="2019-01-10")
    await journey.plan(agreed_on="2019-02-01")
    await journey.depart(on="2019-03-01")
    await journey.arrive(on="2019-03-02")
    return await journey.close(outcome="completed", on=closed_on)


async def test_retention_erases_personal_data_five_years_after_closure(journey: Journey):
    case = await _closed_case(journey, closed_on="2019-09-01")
    assert await erase_expired(today=date(2024, 8, 31), retention_years=5) == 0
    assert await erase_expired(today=date(2024, 9, 2), retention_years=5) == 1

    person = await Person.select().where(Person.case == case["id"]).first()
    assert (
        person["given_name"] is None and person["phone"] is None and person["date_of_birth"] is None
    )
    kept = await Case.select().where(Case.id == case["id"]).first()
    assert (kept["status"], kept["outcome"], str(kept["arrived_on"])) == (
        "completed",
        "completed",
        "2019-03-02",
    )
    assert kept["personal_data_erased_at"] is not None
    trail = await journey.client.get(
        "/api/v1/audit", params={"case_id": case["id"]}, headers=journey.opener.headers
    )
    assert trail.json()["items"][-1]["action"] == "case.erased"
    assert await erase_expired(today=date(2024, 9, 3), retention_years=5) == 0, "erased once"


async def test_a_legal_hold_keeps_the_data_beyond_retention(journey: Journey):
    case = await _closed_case(journey, closed_on="2019-09-01")
    etag = (await journey.client.get(journey.path, headers=journey.opener.headers)).headers["etag"]
    held = await journey.client.patch(
        journey.path,
        json={"legal_hold": True},
        headers={**journey.opener.headers, "If-Match": etag},
    )
    assert held.json()["legal_hold"] is True
    assert await erase_expired(today=date(2030, 1, 1), retention_years=5) == 0
    assert (await Person.select().where(Person.case == case["id"]).first())[
        "given_name"
    ] is not None


async def test_only_the_authority_sets_a_legal_hold(journey: Journey):
    await journey.open()
    etag = (await journey.client.get(journey.path, headers=journey.return_org.headers)).headers[
        "etag"
    ]
    response = await journey.client.patch(
        journey.path,
        json={"legal_hold": True},
        headers={**journey.return_org.headers, "If-Match": etag},
    )
    assert response.status_code == 403


async def test_erasure_on_request_removes_the_persons_data_at_once(journey: Journey):
    await journey.open(person=CANARY, representative={"name": "Grace Obi", "role": "custodian"})
    refused = await journey.client.post(
        f"{journey.path}/erasure", json={"reason": "asked"}, headers=journey.return_org.headers
    )
    assert refused.status_code == 403
    erased = await journey.client.post(
        f"{journey.path}/erasure",
        json={"reason": "the person asked"},
        headers=journey.opener.headers,
    )
    assert erased.status_code == 200
    body = erased.json()
    assert body["personal_data_erased_at"]
    assert "given_name" not in body.get("person", {})
    assert "representative" not in body
    assert body["reference"] and body["status"] == "reflection"


async def test_a_legal_hold_blocks_erasure_on_request(journey: Journey):
    await journey.open()
    etag = (await journey.client.get(journey.path, headers=journey.opener.headers)).headers["etag"]
    await journey.client.patch(
        journey.path,
        json={"legal_hold": True},
        headers={**journey.opener.headers, "If-Match": etag},
    )
    response = await journey.client.post(
        f"{journey.path}/erasure", json={"reason": "asked"}, headers=journey.opener.headers
    )
    assert response.status_code == 409


async def test_the_export_holds_everything_stored_about_the_person(journey: Journey):
    await journey.open(person=CANARY)
    await journey.client.get(journey.path, headers=journey.partner.headers)
    export = await journey.client.get(f"{journey.path}/export", headers=journey.opener.headers)
    assert export.status_code == 200
    body = export.json()
    assert body["case"]["person"]["phone"] == CANARY["phone"]
    assert {c["consent"] for c in body["consent_history"]} == {"data_sharing", "story_use"}
    assert [e["action"] for e in body["audit_trail"]] == ["case.opened", "case.read"]
    forbidden = await journey.client.get(f"{journey.path}/export", headers=journey.partner.headers)
    assert forbidden.status_code == 403


async def _raw_database_text(settings: Settings) -> str:
    if not settings.uses_postgres:
        files = [
            settings.sqlite_path,
            settings.sqlite_path.with_name(settings.sqlite_path.name + "-wal"),
        ]
        return "".join(f.read_bytes().decode("latin-1") for f in files if f.exists())
    connection = await asyncpg.connect(settings.database_url)
    try:
        tables = await connection.fetch(
            "SELECT tablename FROM pg_tables WHERE schemaname = 'public'"
        )
        rows = []
        for table in tables:
            rows += await connection.fetch(f'SELECT t::text AS row FROM "{table["tablename"]}" t')
        return "\n".join(r["row"] for r in rows)
    finally:
        await connection.close()


async def test_canary_values_never_appear_in_clear_in_the_database_or_the_logs(
    journey: Journey, settings: Settings, caplog
):
    caplog.set_level(logging.DEBUG)
    representative = {"name": "Qorvath Plindemor", "role": "custodian"}
    await journey.open(person=CANARY, representative=representative)
    await journey.plan(goals="Canary goal Wexlorun market stall")
    await journey.depart(on=days_ago(76))
    await journey.arrive(on=days_ago(75))
    as_partner = await journey.client.get(journey.path, headers=journey.partner.headers)
    assert as_partner.json()["person"]["phone"] == CANARY["phone"]
    report = report_body(
        narrative="Met Zyxquorbia at the Plovendrax market", needs="Quennibal fees"
    )
    submitted = await journey.client.post(
        f"{journey.path}/reports", json=report, headers=journey.partner.headers
    )
    assert submitted.status_code == 201
    outcome = await journey.client.get(
        f"{journey.path}/outcome-report", headers=journey.partner.headers
    )
    assert outcome.status_code == 200
    synced = await journey.client.get("/api/v1/sync", headers=journey.partner.headers)
    assert "Plovendrax" in synced.text, "the partner's phone gets the narrative back"
    await journey.client.get("/api/v1/cases", headers=journey.return_org.headers)
    await journey.client.get(f"{journey.path}/export", headers=journey.opener.headers)
    bad = dict(CANARY, sex="Zyxquorbia")
    await journey.client.post("/api/v1/cases", json={"person": bad}, headers=journey.opener.headers)

    stored = await _raw_database_text(settings)
    logged = caplog.text
    secrets = (
        "Zyxquorbia",
        "Vantrellion",
        "1987-11-23",
        "99955501234",
        "Qorvath",
        "Wexlorun",
        "Plovendrax",
        "Quennibal",
    )
    for secret in secrets:
        assert secret not in stored, f"{secret} is stored in clear"
        assert secret not in logged, f"{secret} was logged"

    trail = await journey.client.get(
        "/api/v1/audit", params={"case_id": journey.case["id"]}, headers=journey.opener.headers
    )
    actions = [e["action"] for e in trail.json()["items"]]
    assert actions.count("case.read") >= 3, "the partner's read, the sync and the list"
    assert {
        "case.exported",
        "case.followup_read",
        "case.outcome_report_read",
        "report.submitted",
    } <= set(actions)


def test_dates_of_birth_written_any_way_stay_sealed():
    box = vault.Vault([vault.parse_keys(vault.new_key())[0]])
    sealed = box.seal(
        (date(1987, 11, 23) + timedelta(days=0)).isoformat(), context="person.date_of_birth:x"
    )
    assert "1987" not in sealed
    with pytest.raises(ConfigurationError):
        box.open(sealed, context="person.date_of_birth:y")  # bound to its case


async def test_the_data_folder_and_the_database_are_readable_by_their_owner_only(tmp_path):
    data = tmp_path / "fresh"
    settings = Settings(database_url=f"sqlite:///{data / 'tracker.sqlite'}", data_dir=data)
    async with schema.connected(settings) as engine:
        await schema.migrate(engine)
        await keys.unlock(settings)
        await engine.run_ddl("CREATE TABLE IF NOT EXISTS probe (x INTEGER)")
    assert stat.S_IMODE(data.stat().st_mode) == 0o700
    for kept in data.iterdir():
        assert stat.S_IMODE(kept.stat().st_mode) & 0o077 == 0, kept.name


async def test_sign_in_secrets_never_appear_in_clear_in_the_database_or_the_logs(
    client, settings: Settings, caplog
):
    """A password, an authenticator secret, an enrolment code and a recovery code, used
    as people use them, are found nowhere in the database files, rows or logs."""
    from tests.api.people import new_person, phone
    from tests.console.browser import Browser, new_staff

    caplog.set_level(logging.DEBUG)
    person = await new_staff()
    browser = Browser(client)
    assert (await browser.sign_in(person, code=person.recovery_codes[3])).status_code == 303
    user_id, _ = await new_person()
    code = await code_for(user_id)
    assert (await client.post("/api/v1/enrolment", json=phone(code))).status_code == 201

    stored = await _raw_database_text(settings)
    planted = {
        "password": person.password,
        "totp secret": person.totp.secret,
        "enrolment code": code,
        "enrolment code as stored": code.replace("-", ""),
        "recovery code": person.recovery_codes[3],
        "recovery code as stored": person.recovery_codes[3].replace("-", ""),
    }
    for what, secret in planted.items():
        assert secret not in stored, f"the {what} is stored in clear"
        assert secret not in caplog.text, f"the {what} was logged"
