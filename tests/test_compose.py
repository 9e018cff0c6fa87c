"""``compose.yaml``, the way to run past one process, holds the shape the README promises:
no container engine runs here, so its file is read and checked."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parent.parent
TRACKER_SERVICES = ("api-1", "api-2", "jobs")


@pytest.fixture(scope="module")
def compose() -> dict:
    return yaml.safe_load((ROOT / "compose.yaml").read_text())


def _command(service: dict) -> list[str]:
    return service.get("command", [])


def test_compose_runs_postgresql_two_api_processes_one_jobs_process_and_a_proxy(compose: dict):
    services = compose["services"]
    assert set(services) == {"db", *TRACKER_SERVICES, "proxy"}
    assert services["db"]["image"].startswith("postgres:")
    serving = [name for name, s in services.items() if _command(s)[:2] == ["tracker", "serve"]]
    assert serving == ["api-1", "api-2"]
    assert all("--no-jobs" in _command(services[name]) for name in serving)
    assert [name for name, s in services.items() if _command(s)[:2] == ["tracker", "jobs"]] == [
        "jobs"
    ]
    assert "--once" not in _command(services["jobs"])


def test_every_tracker_container_is_built_from_the_containerfile_and_shares_what_must_be_shared(
    compose: dict,
):
    containerfile = (ROOT / "Containerfile").read_text()
    data_dir = re.search(r"TRACKER_DATA_DIR=(\S+)", containerfile).group(1)
    tracker = [compose["services"][name] for name in TRACKER_SERVICES]
    for service in tracker:
        assert service["build"]["dockerfile"] == "Containerfile"
        assert service["environment"]["TRACKER_DATABASE_URL"].startswith("postgresql://")
        assert service["environment"]["TRACKER_DATABASE_URL"].endswith("@db:5432/tracker")
        assert any(volume.endswith(f":{data_dir}") for volume in service["volumes"])
    for shared in ("TRACKER_DATA_KEY", "TRACKER_DATABASE_URL", "TRACKER_TRUSTED_PROXIES"):
        assert len({service["environment"][shared] for service in tracker}) == 1, shared
    assert len({tuple(service["volumes"]) for service in tracker}) == 1


def test_the_proxy_terminates_tls_and_is_the_one_trusted_address(compose: dict):
    services = compose["services"]
    proxy = services["proxy"]
    address = proxy["networks"]["tracker"]["ipv4_address"]
    for name in TRACKER_SERVICES:
        assert services[name]["environment"]["TRACKER_TRUSTED_PROXIES"] == address
        assert services[name]["environment"]["TRACKER_PUBLIC_URL"].startswith("https://")
        assert "ports" not in services[name], "the API is reached through the proxy only"
    assert "443:443" in proxy["ports"]
    caddyfile = compose["configs"][proxy["configs"][0]["source"]]["content"]
    assert re.search(r"reverse_proxy api-1:8000 api-2:8000\b", caddyfile)
    assert "http://" not in caddyfile.split("{", 1)[0], "the site is served over https"


def test_every_service_has_a_healthcheck_that_runs(compose: dict):
    for name, service in compose["services"].items():
        test = service["healthcheck"]["test"]
        assert test[0] == "CMD", name
        if test[1] == "python":
            compile(test[-1], name, "exec")  # the check is Python that parses
    api = compose["services"]["api-1"]["healthcheck"]["test"][-1]
    assert "/ready" in api, "an API container is healthy when it reaches the database"


def test_the_readme_names_compose_as_the_way_past_one_process():
    readme = (ROOT / "README.md").read_text()
    assert "compose.yaml" in readme
    assert "--workers" in readme
