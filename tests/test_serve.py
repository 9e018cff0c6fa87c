"""``tracker serve --certfile --keyfile`` serves https: phones give service workers and
WebCrypto only to secure origins, and a pilot may have no reverse proxy in front."""

from __future__ import annotations

import asyncio
import datetime
import ipaddress
import os
import signal
import ssl
import subprocess
from pathlib import Path

import asyncpg
import httpx
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from models import database
from tests.conftest import scratch_postgres
from tests.test_packaging import TRACKER, _free_port, _wait_until_up


def self_signed(folder: Path) -> tuple[Path, Path]:
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    now = datetime.datetime.now(datetime.UTC)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(days=1))
        .not_valid_after(now + datetime.timedelta(days=1))
        .add_extension(
            x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
            critical=False,
        )
        .sign(key, hashes.SHA256())
    )
    certfile, keyfile = folder / "tracker.crt", folder / "tracker.key"
    certfile.write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    keyfile.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    return certfile, keyfile


def test_tracker_serves_https_with_a_certificate_and_its_key(tmp_path: Path):
    certfile, keyfile = self_signed(tmp_path)
    env = {k: v for k, v in os.environ.items() if not k.startswith("TRACKER_")}
    port = _free_port()
    server = subprocess.Popen(
        [
            *(TRACKER, "serve", "--port", str(port), "--no-jobs"),
            *("--certfile", str(certfile), "--keyfile", str(keyfile)),
        ],
        cwd=tmp_path,
        env=env,
        stderr=subprocess.PIPE,
    )
    try:
        trusted = ssl.create_default_context(cafile=str(certfile))
        base = f"https://127.0.0.1:{port}"
        _wait_until_up(base, verify=trusted)
        assert httpx.get(f"{base}/app/", verify=trusted).status_code == 200
        assert server.poll() is None
    finally:
        server.terminate()
        server.wait(timeout=10)


def test_serve_refuses_several_workers_on_sqlite_and_says_why(tmp_path: Path):
    env = {k: v for k, v in os.environ.items() if not k.startswith("TRACKER_")}
    done = subprocess.run(
        [TRACKER, "serve", "--workers", "2"], cwd=tmp_path, env=env, capture_output=True, timeout=60
    )
    assert done.returncode == 2
    message = done.stderr.decode()
    assert "one process owns the writer" in message
    assert "PostgreSQL" in message
    assert not (tmp_path / "data").exists(), "refused before touching the database"


async def _in_use_holders(url: str) -> int:
    """Processes holding the database's "in-use" lock: every server and jobs process of
    this database (advisory locks are listed for the whole cluster, where other tests'
    servers hold theirs)."""
    connection = await asyncpg.connect(url)
    try:
        return await connection.fetchval(
            "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND granted"
            " AND database = (SELECT oid FROM pg_database WHERE datname = current_database())"
            " AND ((classid::bigint << 32) | objid::bigint) = $1",
            database.LOCKS["in-use"],
        )
    finally:
        await connection.close()


def _workers(pid: int) -> list[int]:
    """The worker processes uvicorn spawned (not multiprocessing's resource tracker)."""
    children = [int(c) for c in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]
    return [c for c in children if b"spawn_main" in Path(f"/proc/{c}/cmdline").read_bytes()]


async def _ready(base: str) -> bool:
    async with httpx.AsyncClient(base_url=base, timeout=5) as http:
        try:
            return (await http.get("/ready")).status_code == 200
        except httpx.TransportError:
            return False


#: Workers start slowly on a busy machine: each imports the whole app.
async def _until(check, expected, seconds: float = 180):
    for _ in range(int(seconds * 10)):
        if (found := await check()) == expected:
            return
        await asyncio.sleep(0.1)
    raise AssertionError(f"expected {expected}, found {found}")


async def test_serve_with_workers_on_postgresql_runs_the_jobs_once_and_replaces_a_dead_worker(
    tmp_path: Path,
):
    with scratch_postgres("tracker_workers") as url:
        env = {k: v for k, v in os.environ.items() if not k.startswith("TRACKER_")}
        env |= {"TRACKER_DATABASE_URL": url, "TRACKER_LOG_LEVEL": "INFO"}
        port = _free_port()
        log = tmp_path / "serve.log"
        with open(log, "wb") as output:  # noqa: ASYNC230 - a small local log, once
            server = await asyncio.create_subprocess_exec(
                *(TRACKER, "serve", "--port", str(port), "--workers", "2"),
                cwd=tmp_path,
                env=env,
                stdout=output,
                stderr=output,
            )
        try:
            base = f"http://127.0.0.1:{port}"
            await _until(lambda: _ready(base), True)
            # Two workers and the supervising process's jobs, each holding the lock.
            await _until(lambda: _in_use_holders(url), 3)
            workers = _workers(server.pid)
            assert len(workers) == 2
            assert await _ready(base)

            os.kill(workers[0], signal.SIGKILL)
            await _until(lambda: _in_use_holders(url), 2)
            await _until(lambda: _in_use_holders(url), 3)  # uvicorn starts another
            assert await _ready(base)
            assert server.returncode is None
            rotate = await asyncio.create_subprocess_exec(
                TRACKER, "keys", "rotate", cwd=tmp_path, env=env, stderr=asyncio.subprocess.PIPE
            )
            _, refusal = await asyncio.wait_for(rotate.communicate(), timeout=120)
            assert rotate.returncode == 2, "no rotation while the workers use the key"
            assert b"a server or jobs process is using the database" in refusal
        finally:
            server.terminate()
            await asyncio.wait_for(server.wait(), timeout=30)
        started = log.read_text().count("Scheduler started")
        assert started == 1, "the jobs run in one process, not in each worker"
