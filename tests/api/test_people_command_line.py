"""The office enrols phones and manages them from the `tracker` command."""

from __future__ import annotations

import asyncio
import json
from datetime import datetime, timedelta

import pytest

from api.cli import main
from models import keys, schema
from models.organisations import User
from models.people import enrolment
from models.settings import Settings


@pytest.fixture
def tracker(settings: Settings, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture):
    """Runs `tracker …` in this process against the test's database; gives its JSON."""
    monkeypatch.setenv("TRACKER_DATABASE_URL", settings.database_url)
    monkeypatch.setenv("TRACKER_DATA_DIR", str(settings.data_dir))
    monkeypatch.setenv("TRACKER_PUBLIC_URL", "https://tracker.example")

    def run(*args: str) -> tuple[object, str]:
        main(list(args))
        printed = capsys.readouterr()
        return json.loads(printed.out), printed.err

    return run


def _person(tracker, *options: str) -> str:
    organisation, _ = tracker("org", "add", "--name", "NGO", "--kind", "partner", "--country", "NG")
    user, _ = tracker("user", "add", "--org", organisation["id"], "--name", "Ada", *options)
    return user["id"]


def test_enrol_prints_a_code_a_link_and_when_it_expires(tracker, clock):
    user_id = _person(tracker)

    printed, _ = tracker("user", "enrol", "--user", user_id, "--hours", "2")

    assert printed["url"] == f"https://tracker.example/app/#enrol={printed['code']}"
    expires_at = datetime.fromisoformat(printed["expires_at"])
    assert abs(expires_at - (clock.now() + timedelta(hours=2))) < timedelta(seconds=10)


def test_the_qr_option_draws_the_link_in_the_terminal_beside_the_json(tracker):
    user_id = _person(tracker)
    printed, drawn = tracker("user", "enrol", "--user", user_id, "--qr")
    assert printed["code"]
    assert "█" in drawn and len(drawn.splitlines()) > 10


def _enrol_phone(settings: Settings, code: str, device: str) -> None:
    async def exchange() -> None:
        async with schema.connected(settings):
            await keys.unlock(settings)
            await enrolment.enrol(
                code=code,
                device=device,
                device_key=device + "-key",
                client_address="192.0.2.1",
                failures_allowed=10,
                failure_window=timedelta(minutes=15),
            )

    asyncio.run(exchange())


def test_devices_are_listed_by_id_and_revoked_one_by_one(tracker, settings: Settings):
    user_id = _person(tracker)
    for device in ("Tecno Spark 10", "Itel A70"):
        printed, _ = tracker("user", "enrol", "--user", user_id)
        _enrol_phone(settings, printed["code"], device)

    listed, _ = tracker("token", "list", "--user", user_id)
    assert {d["device"] for d in listed} == {"Tecno Spark 10", "Itel A70"}
    assert {d["state"] for d in listed} == {"active"}
    assert all("token" not in d for d in listed), "the office never sees a phone's token"

    spark = next(d for d in listed if d["device"] == "Tecno Spark 10")
    assert tracker("token", "revoke", "--device", spark["device_id"])[0] == {"revoked": True}

    states = {d["device"]: d["state"] for d in tracker("token", "list", "--user", user_id)[0]}
    assert states == {"Tecno Spark 10": "revoked", "Itel A70": "active"}


def test_a_user_added_as_coordinator_is_marked_so(tracker, settings: Settings):
    user_id = _person(tracker, "--coordinator")

    async def is_coordinator() -> bool:
        async with schema.connected(settings):
            row = await User.select(User.is_coordinator).where(User.id == user_id).first()
            return row["is_coordinator"]

    assert asyncio.run(is_coordinator()) is True


def test_the_command_line_invites_a_case_officer(tracker):
    organisation, _ = tracker("org", "add", "--name", "CMM", "--kind", "centre", "--country", "DK")
    user, _ = tracker("user", "add", "--org", organisation["id"], "--name", "Mette Holm")
    printed, _ = tracker("user", "invite", "--user", user["id"], "--email", "mh@cmm.example")
    assert printed["url"].startswith("https://tracker.example/console/welcome/")
    assert printed["expires_at"]
