"""A user installs the package and runs `tracker` from any folder."""

import json
import os
import shutil
import socket
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import httpx
import pytest

from models.settings import Settings

ROOT = Path(__file__).resolve().parent.parent
TRACKER = shutil.which("tracker", path=str(Path(sys.executable).parent)) or "tracker"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _wait_until_up(base: str, **client: object) -> None:
    for _ in range(300):
        try:
            if httpx.get(f"{base}/health", **client).status_code == 200:
                return
        except httpx.TransportError:
            time.sleep(0.1)
    raise AssertionError(f"{base} did not come up")


def _tracker(*args: str, cwd: Path, env: dict[str, str]) -> dict:
    done = subprocess.run([TRACKER, *args], cwd=cwd, env=env, capture_output=True, timeout=60)
    assert done.returncode == 0, done.stderr.decode()
    return json.loads(done.stdout)


def test_tracker_serves_from_an_empty_folder(settings: Settings, tmp_path: Path):
    folder = tmp_path / "empty"
    folder.mkdir()
    env = {k: v for k, v in os.environ.items() if not k.startswith("TRACKER_")}
    if settings.uses_postgres:
        env["TRACKER_DATABASE_URL"] = settings.database_url

    organisation = _tracker(
        "org", "add", "--name", "NGO", "--kind", "partner", "--country", "NG", cwd=folder, env=env
    )
    user = _tracker(
        "user", "add", "--org", organisation["id"], "--name", "Ada", cwd=folder, env=env
    )
    assert set(user) == {"id", "token"}

    port = _free_port()
    server = subprocess.Popen(
        [TRACKER, "serve", "--port", str(port), "--no-jobs"],
        cwd=folder,
        env=env,
        stderr=subprocess.PIPE,
    )
    try:
        base = f"http://127.0.0.1:{port}"
        _wait_until_up(base)
        assert httpx.get(f"{base}/ready").json() == {"status": "ready"}
        schema = httpx.get(f"{base}/schema/openapi.json").json()
        assert "/api/v1/me" in schema["paths"]
        me = httpx.get(f"{base}/api/v1/me", headers={"Authorization": f"Bearer {user['token']}"})
        assert me.json()["organisation_id"] == organisation["id"]
    finally:
        server.terminate()
        server.wait(timeout=10)
    if not settings.uses_postgres:
        assert (folder / "data" / "tracker.sqlite").exists()


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The wheel, built from the project's files as git sees them (tracked, or new and not
    ignored), so that a stale build/ folder never slips into it."""
    source = tmp_path_factory.mktemp("source")
    listed = subprocess.run(
        ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
        cwd=ROOT, capture_output=True, check=True,
    ).stdout.decode().split("\0")  # fmt: skip
    for name in filter(None, listed):
        if (ROOT / name).is_file():
            (source / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(ROOT / name, source / name)
    built = tmp_path_factory.mktemp("wheel")
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q",
         "-w", str(built), str(source)],
        check=True, capture_output=True, timeout=180,
    )  # fmt: skip
    (found,) = built.glob("*.whl")
    return found


def test_the_wheel_ships_the_migrations(wheel: Path):
    names = zipfile.ZipFile(wheel).namelist()
    shipped = {Path(name).name for name in names if name.startswith("models/migrations/")}
    in_repository = {path.name for path in (ROOT / "models" / "migrations").glob("*.py")}
    assert in_repository == shipped


def test_the_installed_wheel_serves_the_field_app(wheel: Path, tmp_path: Path):
    installed = tmp_path / "installed"
    subprocess.run(
        [sys.executable, "-m", "pip", "install", "-q", "--no-deps", "--target", installed, wheel],
        check=True,
        capture_output=True,
        timeout=180,
    )
    folder = tmp_path / "empty"
    folder.mkdir()
    env = {k: v for k, v in os.environ.items() if not k.startswith("TRACKER_")}
    env["PYTHONPATH"] = str(installed)  # before the working copy's own (editable) install
    where = subprocess.run(
        [sys.executable, "-c", "import api; print(api.__file__)"],
        cwd=folder,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    assert where.stdout.startswith(str(installed))

    port = _free_port()
    serve = "from api.cli import main; main()"
    server = subprocess.Popen(
        [sys.executable, "-c", serve, "serve", "--port", str(port), "--no-jobs"],
        cwd=folder,
        env=env,
        stderr=subprocess.PIPE,
    )
    try:
        base = f"http://127.0.0.1:{port}"
        _wait_until_up(base)
        for path in (ROOT / "api" / "field_app" / "static").rglob("*"):
            if path.is_file() and path.name != "sw.js":
                name = path.relative_to(ROOT / "api" / "field_app" / "static").as_posix()
                assert httpx.get(f"{base}/app/{name}").content == path.read_bytes(), name
        assert "const SHELL = [" in httpx.get(f"{base}/app/sw.js").text
        assert httpx.get(f"{base}/app/").headers["content-type"] == "text/html; charset=utf-8"
    finally:
        server.terminate()
        server.wait(timeout=10)


def test_containerfile_passes_hadolint_and_installs_what_the_readme_installs():
    hadolint = shutil.which("hadolint", path=str(Path(sys.executable).parent)) or "hadolint"
    lint = subprocess.run(
        [hadolint, "--failure-threshold", "error", str(ROOT / "Containerfile")], capture_output=True
    )
    assert lint.returncode == 0, lint.stdout.decode()
    containerfile = (ROOT / "Containerfile").read_text()
    assert "pip install --no-cache-dir ." in containerfile
    assert "pip install ." in (ROOT / "README.md").read_text()
    assert "USER 10001" in containerfile
    assert 'CMD ["tracker", "serve", "--host", "0.0.0.0"]' in containerfile


def test_the_installed_wheel_serves_the_console_pages(tmp_path: Path, wheel: Path):
    """Templates, catalogues, styles and the password list ship in the wheel: the console
    answers from the installed package, not from this folder."""
    installed = tmp_path / "installed"
    subprocess.run(
        [sys.executable, "-m", "pip", "install", "--no-deps", "-q", "--target", str(installed),
         str(wheel)],
        check=True, capture_output=True, timeout=180,
    )  # fmt: skip
    folder = tmp_path / "empty"
    folder.mkdir()
    env = {k: v for k, v in os.environ.items() if not k.startswith("TRACKER_")}
    env["PYTHONPATH"] = str(installed)
    where = subprocess.run(
        [sys.executable, "-c", "import api, models.people.passwords as p; print(api.__file__);"
         "p.check_strength('a long and unusual passphrase')"],
        cwd=folder, env=env, capture_output=True, timeout=60, check=True,
    )  # fmt: skip
    assert where.stdout.decode().startswith(str(installed))
    port = _free_port()
    server = subprocess.Popen(
        [sys.executable, "-c", "from api.cli import main; main()", "serve", "--port", str(port),
         "--no-jobs"],
        cwd=folder, env=env, stderr=subprocess.PIPE,
    )  # fmt: skip
    try:
        base = f"http://127.0.0.1:{port}"
        for _ in range(100):
            try:
                if httpx.get(f"{base}/health").status_code == 200:
                    break
            except httpx.TransportError:
                time.sleep(0.1)
        page = httpx.get(f"{base}/console/sign-in", headers={"Accept-Language": "en"})
        assert page.status_code == 200 and "Sign in" in page.text
        assert httpx.get(f"{base}/console/static/console.css").status_code == 200
    finally:
        server.terminate()
        server.wait(timeout=10)
