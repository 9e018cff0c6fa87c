"""The field app's files as the tracker serves them at /app/: headers that keep the page to
its own origin, a service worker stamped with the version, a manifest phones install
from, and a shell small enough for a slow network."""

from __future__ import annotations

import json
import re
from pathlib import Path

import httpx
import pytest

from api.app import create_app
from api.field_app import PACKAGE_FILES, load, version_of
from models.settings import Settings

#: The shell's budget on the wire (compressed), for a first load over a slow network.
SHELL_BUDGET = 150 * 1024


@pytest.fixture
async def http():
    transport = httpx.ASGITransport(app=create_app(Settings()))
    async with httpx.AsyncClient(transport=transport, base_url="http://tracker.test") as client:
        yield client


def package_files() -> list[str]:
    return sorted(
        path.relative_to(PACKAGE_FILES).as_posix()
        for path in PACKAGE_FILES.rglob("*")
        if path.is_file() and not path.name.startswith(".")
    )


def shell_of(service_worker: str) -> list[str]:
    return json.loads(re.search(r"const SHELL = (\[.*\]);", service_worker).group(1))


async def test_the_app_is_served_with_a_policy_that_allows_only_its_own_origin(http):
    answer = await http.get("/app/")
    assert answer.status_code == 200
    assert answer.headers["content-type"] == "text/html; charset=utf-8"
    policy = answer.headers["content-security-policy"]
    assert "default-src 'self'" in policy
    assert "unsafe-inline" not in policy and "unsafe-eval" not in policy
    assert "frame-ancestors 'none'" in policy
    assert answer.headers["x-content-type-options"] == "nosniff"
    assert answer.headers["cache-control"] == "no-cache"
    assert '<script type="module" src="js/main.js">' in answer.text


async def test_the_app_without_its_slash_is_sent_to_it(http):
    answer = await http.get("/app")
    assert (answer.status_code, answer.headers["location"]) == (301, "/app/")


async def test_the_service_worker_is_stamped_with_the_version_and_every_file_it_keeps(http):
    answer = await http.get("/app/sw.js")
    assert answer.headers["content-type"] == "text/javascript; charset=utf-8"
    assert answer.headers["cache-control"] == "no-cache"
    assert 'const VERSION = "unversioned"' not in answer.text
    files = package_files()
    files.remove("sw.js")
    assert sorted(shell_of(answer.text)) == sorted(
        "./" if name == "index.html" else name for name in files
    )


def test_a_changed_file_is_a_new_version(tmp_path: Path):
    files = {name: (PACKAGE_FILES / name).read_bytes() for name in package_files()}
    changed = dict(files, **{"app.css": files["app.css"] + b"\n"})
    assert version_of(files) != version_of(changed)
    copy = tmp_path / "app"
    for name, content in changed.items():
        (copy / name).parent.mkdir(parents=True, exist_ok=True)
        (copy / name).write_bytes(content)
    assert load(copy)["sw.js"].content != load(PACKAGE_FILES)["sw.js"].content


async def test_the_manifest_installs_the_app_to_the_home_screen(http):
    answer = await http.get("/app/manifest.webmanifest")
    assert answer.headers["content-type"] == "application/manifest+json"
    manifest = answer.json()
    assert (manifest["start_url"], manifest["scope"], manifest["display"]) == (
        "/app/",
        "/app/",
        "standalone",
    )
    sizes = {icon["sizes"] for icon in manifest["icons"] if icon["type"] == "image/png"}
    assert {"192x192", "512x512"} <= sizes
    for icon in manifest["icons"]:
        got = await http.get(f"/app/{icon['src']}")
        assert got.headers["content-type"].startswith(icon["type"])


async def test_a_file_the_phone_has_is_answered_not_modified(http):
    first = await http.get("/app/js/main.js")
    again = await http.get("/app/js/main.js", headers={"If-None-Match": first.headers["etag"]})
    assert again.status_code == 304
    assert again.content == b""


@pytest.mark.parametrize("path", ["/app/nothing.js", "/app/../api/app.py", "/app/%2e%2e/README.md"])
async def test_only_the_apps_own_files_are_served(http, path):
    assert (await http.get(path)).status_code == 404


async def test_the_shell_compressed_fits_a_slow_first_load(http):
    sent = 0
    for name in [*shell_of((await http.get("/app/sw.js")).text), "sw.js"]:
        answer = await http.get(f"/app/{name}", headers={"Accept-Encoding": "gzip"})
        assert answer.status_code == 200, name
        sent += int(answer.headers.get("content-length", len(answer.content)))
    assert sent <= SHELL_BUDGET, f"the shell is {sent} bytes compressed"


def test_every_vendored_library_is_listed_with_its_version_and_licence():
    listed = (PACKAGE_FILES / "vendor" / "LICENSES").read_text()
    for library in (PACKAGE_FILES / "vendor").glob("*.js"):
        line = re.search(
            rf"^vendor/{library.name}\s+(\S+) (\d+\.\d+\.\d+)\s+.*\s(\S+)$", listed, re.M
        )
        assert line, f"{library.name} is not listed in vendor/LICENSES"
        assert line.group(3) in {"MIT", "ISC", "Apache-2.0"}
        assert "sourceMappingURL" not in library.read_text()
