"""Load the real tracker and bare baselines on the same machine, in one run, and compare them.

Usage:
    python -m tests.bench.run --database-url URL --data-dir DIR [--seconds S] [--rounds R]

DIR is the data folder ``tests.bench.generate`` filled (data key, bench-tokens.json). Two HTTP
servers run side by side, each one uvicorn process on 127.0.0.1, started the same way:

* the tracker: ``python -c "from api.cli import main; main()" serve --no-jobs --port P`` with
  TRACKER_RATE_LIMIT=0, TRACKER_DATABASE_URL and TRACKER_DATA_DIR (logging as configured);
* a bare Litestar app, written by this script to a temporary module, that does the least the
  same request needs: decode the body with msgspec and insert one row into a scratch table
  (asyncpg pool of the tracker's size; on SQLite one persistent WAL connection with the
  tracker's synchronous=FULL); run the raw keyset queries of a sync page and encode the rows
  with msgspec (on SQLite with as many reader connections as the tracker has); run the SQL
  the outcomes routes ran, captured from the tracker in-process, and encode it.

Scenarios, the first two with 16 concurrent clients, time-bounded, from a separate process (wrk,
or a small httpx client when wrk is not installed):

* write: POST /api/v1/cases/{id}/payments by the partner of a case in reintegration (a fresh
  id per request, paid_on inside the window, a category and currency of the plan);
* sync: GET /api/v1/sync?limit=100 by the partners, first page (no compression asked);
* outcomes and outcomes CSV (GET /api/v1/outcomes[?format=csv]), timed alone: three
  requests one after the other per round and side (each reads the whole database), and
  the tracker's memory growth streaming the CSV of one small country, then of every case;
* growth: the database's growth per request (tables with their indexes) under a mixed load,
  8 clients, a quarter each: payments, sync pages, case reads and outcome-report reads, on 16
  cases of the partner with the most (``--growth-seconds``);
* the follow-up sweep (models.events.sweeps.followup_sweep, in this process, after a first
  run that raised the events) against the same statements sent through the raw driver, and,
  for information, against a batched raw version (one join, one write transaction).

Rounds alternate which side goes first; the table shows medians over the rounds, and ratios
are medians of the per-round ratios (trust them over absolute numbers on a shared machine).
The scratch table is dropped at the end; the tracker's own writes stay in the database.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import http.client
import json
import os
import pickle
import re
import shutil
import socket
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import aiosqlite
import asyncpg
import httpx
import msgspec

from models import clock, keys, schema
from models.cases.rules import add_months
from models.events.sweeps import followup_sweep, overdue_months
from models.followup.due import month_due_on
from models.settings import Settings
from tests.bench.generate import COUNTRIES, TOKENS_FILE

HOST = "127.0.0.1"
CLIENTS = 16
GRACE_DAYS = 7
MB = 1024 * 1024
#: The tracker's reader connections on SQLite (models.sqlite_engine.READER_CONNECTIONS).
SQLITE_READERS = 4
ROOT = Path(__file__).resolve().parents[2]

BARE_APP = '''
"""The least each benchmarked request needs, on the same driver as the tracker."""
import asyncio, csv, io, json, os, pickle, sqlite3, uuid
from datetime import date, datetime, timezone

import aiosqlite, asyncpg, msgspec
from typing import Annotated

from litestar import Litestar, Response, get, post
from litestar.params import Parameter
from litestar.response import Stream

URL = os.environ["BENCH_DATABASE_URL"]
POSTGRES = URL.startswith("postgres")
ORG_OF = json.loads(open(os.environ["BENCH_TOKENS"]).read())  # bearer token -> organisation id
REPLAY = pickle.loads(open(os.environ["BENCH_REPLAY"], "rb").read())  # name -> [(sql, args)]
db = {}


class PaymentIn(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    id: uuid.UUID
    month: int
    category: str
    amount: str
    currency: str
    paid_on: date
    method: str
    recipient: str = "returnee"
    receipt_id: uuid.UUID | None = None
    note: str | None = None
    relative_justification: str | None = None


INSERT = (
    "INSERT INTO bench_scratch_payment (id, case_id, month, category, amount_hundredths, "
    "currency, paid_on, recipient, method, recorded_at) VALUES ({})"
)
SYNC = [  # the tracker's keyset queries of a partner's sync page: cases, reports, payments, losses
    ("cases", "SELECT * FROM return_case WHERE partner_org = {0} AND change_seq > {1} "
     "ORDER BY change_seq LIMIT {2}"),
    ("reports", "SELECT r.* FROM followup_report r JOIN return_case c ON c.id = r.\\"case\\" "
     "WHERE c.partner_org = {0} AND r.change_seq > {1} ORDER BY r.change_seq LIMIT {2}"),
    ("payments", "SELECT p.* FROM support_payment p JOIN return_case c ON c.id = p.\\"case\\" "
     "WHERE c.partner_org = {0} AND p.change_seq > {1} ORDER BY p.change_seq LIMIT {2}"),
    ("removed", "SELECT * FROM reach_loss WHERE organisation = {0} AND change_seq > {1} "
     "ORDER BY change_seq LIMIT {2}"),
]


async def connect():
    if POSTGRES:
        size = int(os.environ.get("TRACKER_POSTGRES_POOL_SIZE", "10"))
        db["pool"] = await asyncpg.create_pool(URL, min_size=1, max_size=size)
        return
    path = URL.removeprefix("sqlite:///")
    async def open_one():
        connection = await aiosqlite.connect(path, isolation_level=None)
        connection.row_factory = sqlite3.Row
        await connection.executescript(
            "PRAGMA busy_timeout = 30000; PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL;"
        )
        return connection
    db["writer"] = await open_one()
    db["readers"] = asyncio.Queue()
    for _ in range(int(os.environ["BENCH_SQLITE_READERS"])):
        db["readers"].put_nowait(await open_one())


async def disconnect():
    if POSTGRES:
        await db["pool"].close()
        return
    await db["writer"].close()
    while not db["readers"].empty():
        await db["readers"].get_nowait().close()


async def read(statements):
    """Run (sql, args) pairs in one read-only snapshot; rows as dicts."""
    if POSTGRES:
        async with db["pool"].acquire() as connection:
            async with connection.transaction(isolation="repeatable_read", readonly=True):
                return [[dict(r) for r in await connection.fetch(q, *a)] for q, a in statements]
    connection = await db["readers"].get()
    try:
        if getattr(connection, "dirty", False):  # a cancelled request left it in a transaction
            await connection.rollback()  # runs after whatever is queued on its thread
        connection.dirty = True
        await connection.execute("BEGIN")
        results = []
        for sql, args in statements:
            async with connection.execute(sql, args) as cursor:
                results.append([dict(r) for r in await cursor.fetchall()])
        await connection.execute("COMMIT")
        connection.dirty = False
        return results
    finally:
        db["readers"].put_nowait(connection)


@get("/bare/health")
async def health() -> dict:
    return {"ok": True}


@post("/bare/cases/{case_id:uuid}/payments", status_code=201)
async def record_payment(case_id: uuid.UUID, data: PaymentIn) -> PaymentIn:
    whole, _, cents = data.amount.partition(".")
    values = (data.id, case_id, data.month, data.category, int(whole) * 100 + int(cents or 0),
              data.currency, data.paid_on, data.recipient, data.method,
              datetime.now(timezone.utc))
    if POSTGRES:
        sql = INSERT.format(", ".join(f"${n}" for n in range(1, 11)))
        await db["pool"].execute(sql, *values)
    else:
        sql = INSERT.format(", ".join("?" for _ in range(10)))
        values = [str(v) if isinstance(v, (uuid.UUID, date)) else v for v in values]
        await db["writer"].execute(sql, values)
    return data


@get("/bare/sync")
async def sync(
    authorization: Annotated[str, Parameter(header="Authorization")], limit: int = 50
) -> Response:
    organisation = ORG_OF[authorization.removeprefix("Bearer ")]
    if POSTGRES:
        key = uuid.UUID(organisation)
        statements = [(q.format("$1", "$2", "$3"), [key, 0, limit + 1]) for _, q in SYNC]
    else:
        statements = [(q.format("?", "?", "?"), [organisation, 0, limit + 1]) for _, q in SYNC]
    results = await read(statements)
    merged = sorted(
        ((row["change_seq"], kind, row) for (kind, _), rows in zip(SYNC, results) for row in rows),
        key=lambda change: change[0],
    )
    page = {kind: [] for kind, _ in SYNC}
    for _, kind, row in merged[:limit]:
        page[kind].append(row)
    page["next"] = merged[:limit][-1][0] if merged else 0
    page["more"] = len(merged) > limit
    return Response(msgspec.json.encode(page), media_type="application/json")


@get("/bare/replay/{name:str}")
async def replay(name: str, format: str | None = None) -> Response:
    if format != "csv":
        results = await read(REPLAY[name])
        return Response(msgspec.json.encode(results), media_type="application/json")

    async def lines():
        for sql, args in REPLAY[name]:
            (rows,) = await read([(sql, args)])
            buffer = io.StringIO()
            writer = csv.writer(buffer)
            for row in rows:
                writer.writerow(row.values())
            yield buffer.getvalue().encode()

    return Stream(lines(), media_type="text/csv")


app = Litestar([health, record_payment, sync, replay], on_startup=[connect],
               on_shutdown=[disconnect])
'''

SCRATCH_TABLE = {
    "postgres": "CREATE TABLE bench_scratch_payment (id UUID PRIMARY KEY, case_id UUID NOT NULL, "
    "month INTEGER, category VARCHAR(20), amount_hundredths BIGINT, currency VARCHAR(3), "
    "paid_on DATE, recipient VARCHAR(10), method VARCHAR(20), recorded_at TIMESTAMPTZ)",
    "sqlite": "CREATE TABLE bench_scratch_payment (id VARCHAR PRIMARY KEY, case_id VARCHAR "
    "NOT NULL, month INTEGER, category VARCHAR(20), amount_hundredths BIGINT, currency "
    "VARCHAR(3), paid_on DATE, recipient VARCHAR(10), method VARCHAR(20), recorded_at VARCHAR)",
}


# --- Requests and load ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Target:
    """One kind of request. A body is ``prefix + fresh UUID + suffix`` when ``prefix`` is set."""

    method: str
    path: str
    headers: dict[str, str]
    prefix: str | None = None
    suffix: str | None = None


@dataclass
class Measure:
    """One side of one round."""

    rps: float = 0.0
    p50_ms: float = 0.0
    p99_ms: float = 0.0
    errors: int = 0
    statuses: dict[str, int] = field(default_factory=dict)
    peak_rss_mb: float = 0.0
    idle_rss_mb: float = 0.0
    seconds: float = 0.0  #: in-process work (the sweep): wall time of one run
    alone_ms: float = 0.0  #: one request on an idle server (median of 3), before the load


WRK_SCRIPT = """
targets = %(targets)s
statuses = {}
local threads = {}

function setup(thread)
  table.insert(threads, thread)
  thread:set("tid", #threads)
end

function init(args)
  math.randomseed(tid * 1000003 + os.time())
end

local hex = {"0","1","2","3","4","5","6","7","8","9","a","b","c","d","e","f"}
local function uuid4()
  local out = {}
  for i = 1, 36 do
    if i == 9 or i == 14 or i == 19 or i == 24 then out[i] = "-"
    elseif i == 15 then out[i] = "4"
    elseif i == 20 then out[i] = hex[math.random(9, 12)]
    else out[i] = hex[math.random(1, 16)] end
  end
  return table.concat(out)
end

function request()
  local t = targets[math.random(#targets)]
  local body = nil
  if t.prefix then body = t.prefix .. uuid4() .. t.suffix end
  return wrk.format(t.method, t.path, t.headers, body)
end

function response(status, headers, body)
  statuses[status] = (statuses[status] or 0) + 1
end

function done(summary, latency, requests)
  local all = {}
  for _, thread in ipairs(threads) do
    for code, n in pairs(thread:get("statuses")) do all[code] = (all[code] or 0) + n end
  end
  local parts = {}
  for code, n in pairs(all) do table.insert(parts, string.format('"%%d": %%d', code, n)) end
  local e = summary.errors
  io.write(string.format(
    'BENCH {"requests": %%d, "duration_us": %%d, "p50_us": %%d, "p99_us": %%d, ' ..
    '"socket_errors": %%d, "statuses": {%%s}}\\n',
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(99),
    e.connect + e.read + e.write + e.timeout, table.concat(parts, ", ")))
end
"""


def lua(value: Any) -> str:
    """A Lua literal of a JSON-like value."""
    if isinstance(value, dict):
        return "{" + ", ".join(f"[{lua(k)}] = {lua(v)}" for k, v in value.items()) + "}"
    if isinstance(value, list):
        return "{" + ", ".join(lua(v) for v in value) + "}"
    if value is None:
        return "nil"
    return json.dumps(value)  # strings and numbers read the same in Lua


#: "wrk" when it is installed, else the Python loader (``--loader`` overrides it).
LOADER = {"name": "wrk" if shutil.which("wrk") else "httpx"}


def load(
    base_url: str, targets: list[Target], seconds: float, folder: Path, clients: int = CLIENTS
) -> dict[str, Any]:
    """Run ``clients`` concurrent clients for ``seconds``; the loader's summary."""
    if LOADER["name"] == "wrk":
        script = folder / "targets.lua"
        rows = [{k: v for k, v in t.__dict__.items() if v is not None} for t in targets]
        script.write_text(WRK_SCRIPT % {"targets": lua(rows)})
        command = [
            "wrk",
            "-t2",
            f"-c{clients}",
            f"-d{max(1, round(seconds))}s",
            "--timeout",
            f"{round(seconds) + 60}s",
            "-s",
            str(script),
            base_url,
        ]
    else:
        plan = folder / "targets.json"
        plan.write_text(json.dumps([t.__dict__ for t in targets]))
        command = [sys.executable, "-m", "tests.bench.loader", base_url, str(plan)]
        command += [str(seconds), str(clients)]
    output = subprocess.run(
        command, capture_output=True, text=True, check=True, timeout=seconds + 300
    )
    line = next((x for x in output.stdout.splitlines() if x.startswith("BENCH ")), None)
    if line is None:
        raise RuntimeError(f"no summary from the loader:\n{output.stdout}\n{output.stderr}")
    if os.environ.get("BENCH_DEBUG"):
        print(output.stdout, output.stderr)
    return json.loads(line.removeprefix("BENCH "))


# --- Servers -------------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        return sock.getsockname()[1]


def rss_mb(pid: int) -> float:
    with contextlib.suppress(OSError), open(f"/proc/{pid}/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return 0.0


class Server:
    def __init__(self, name: str, command: list[str], env: dict[str, str], cwd: Path, health: str):
        self.name = name
        self.port = free_port()
        self.url = f"http://{HOST}:{self.port}"
        self.log = cwd / f"{name}.log"
        with open(self.log, "wb") as log:
            self.process = subprocess.Popen(
                [*command, "--port", str(self.port)] if name == "tracker" else command,
                env={**os.environ, **env, "BENCH_PORT": str(self.port)},
                cwd=cwd,
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        deadline = time.monotonic() + 180
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"{name} exited:\n{self.log.read_text()[-3000:]}")
            with (
                contextlib.suppress(OSError),
                urllib.request.urlopen(self.url + health, timeout=2) as answer,  # noqa: S310
            ):
                if answer.status == 200:
                    return
            time.sleep(0.2)
        raise RuntimeError(f"{name} did not answer {health}")

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()

    @contextlib.contextmanager
    def watched(self) -> Iterator[Measure]:
        """Sample the server's resident memory while the block runs."""
        measure = Measure(idle_rss_mb=rss_mb(self.process.pid))
        running = True

        def sample() -> None:
            while running:
                measure.peak_rss_mb = max(measure.peak_rss_mb, rss_mb(self.process.pid))
                time.sleep(0.05)

        sampler = threading.Thread(target=sample, daemon=True)
        sampler.start()
        try:
            yield measure
        finally:
            running = False
            sampler.join()

    def measure(self, targets: list[Target], seconds: float, folder: Path) -> Measure:
        with self.watched() as measure:
            summary = load(self.url, targets, seconds, folder)
        statuses = summary["statuses"]
        measure.rps = summary["requests"] / (summary["duration_us"] / 1e6)
        measure.p50_ms = summary["p50_us"] / 1000
        measure.p99_ms = summary["p99_us"] / 1000
        measure.statuses = statuses
        measure.errors = summary["socket_errors"] + sum(
            n for code, n in statuses.items() if not 200 <= int(code) < 300
        )
        return measure


def one_request(server: Server, target: Target) -> float:
    """Seconds one request takes alone."""
    body = None
    if target.prefix is not None:
        body = f"{target.prefix}{uuid.uuid4()}{target.suffix}".encode()
    request = urllib.request.Request(  # noqa: S310 - our own server on loopback
        server.url + target.path, data=body, headers=target.headers, method=target.method
    )
    started = time.perf_counter()
    with urllib.request.urlopen(request, timeout=300) as answer:  # noqa: S310
        answer.read()
    return time.perf_counter() - started


# --- What to ask: cases, tokens, captured SQL ----------------------------------------------------


@dataclass
class Bench:
    settings: Settings
    folder: Path
    tokens: dict[str, Any]
    notes: list[str] = field(default_factory=list)
    #: Who asks for the CSV, and the tracker's memory growth streaming it (label, MB).
    csv_headers: dict[str, str] = field(default_factory=dict)
    csv_memory: list[tuple[str, float]] = field(default_factory=list)

    @property
    def engine(self) -> str:
        return "postgres" if self.settings.uses_postgres else "sqlite"

    def token(self, organisation_id: Any) -> str:
        return self.organisations[str(organisation_id)]["users"][0]["token"]

    @property
    def organisations(self) -> dict[str, Any]:
        return {o["id"]: o for o in self.tokens["organisations"]}

    def auth(self, organisation_id: Any) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token(organisation_id)}"}


async def raw_rows(bench: Bench, sql: str, *args: Any) -> list[dict[str, Any]]:
    """A query through the raw driver (placeholders: $1... on PostgreSQL, ? on SQLite)."""
    if bench.settings.uses_postgres:
        connection = await asyncpg.connect(bench.settings.database_url)
        try:
            return [dict(r) for r in await connection.fetch(sql, *args)]
        finally:
            await connection.close()
    sql = sql.replace("$1", "?").replace("$2", "?").replace("$3", "?")
    with contextlib.closing(sqlite3.connect(bench.settings.sqlite_path)) as connection:
        connection.row_factory = sqlite3.Row
        return [dict(r) for r in connection.execute(sql, [str(a) for a in args])]


def support_month(arrived_on: date, day: date) -> int:
    return next(m for m in range(1, 7) if day < add_months(arrived_on, m))


async def write_targets(bench: Bench, count: int = 300) -> tuple[list[Target], list[Target]]:
    """Payments by the partner of cases in reintegration whose window is open today."""
    today = clock.today()
    rows = await raw_rows(
        bench,
        "SELECT c.id, c.partner_org, c.arrived_on, c.support_ends_on, b.category, b.currency "
        'FROM return_case c JOIN budget_line b ON b."case" = c.id '
        "WHERE c.status = 'reintegration' AND c.partner_org IS NOT NULL "
        "AND c.support_ends_on > $1 ORDER BY c.id LIMIT $2",
        today,
        count,
    )
    if not rows:
        raise SystemExit("run: no case in reintegration with an open window; generate more cases")
    app, bare = [], []
    for row in rows:
        arrived = row["arrived_on"]
        arrived = arrived if isinstance(arrived, date) else date.fromisoformat(arrived)
        paid = today
        body = {
            "month": support_month(arrived, paid),
            "category": row["category"],
            "amount": "1.00",
            "currency": row["currency"],
            "paid_on": paid.isoformat(),
            "method": "mobile_money",
            "recipient": "returnee",
        }
        suffix = '", ' + json.dumps(body)[1:]
        headers = {**bench.auth(row["partner_org"]), "Content-Type": "application/json"}
        case = row["id"]
        app.append(Target("POST", f"/api/v1/cases/{case}/payments", headers, '{"id": "', suffix))
        bare.append(Target("POST", f"/bare/cases/{case}/payments", headers, '{"id": "', suffix))
    return app, bare


async def partners_with_cases(bench: Bench) -> list[str]:
    rows = await raw_rows(
        bench, "SELECT DISTINCT partner_org FROM return_case WHERE partner_org IS NOT NULL"
    )
    return sorted(str(r["partner_org"]) for r in rows)


async def capture(bench: Bench, path: str) -> tuple[int, str, list[tuple[str, list]], bytes]:
    """Ask the tracker in-process for ``path``, as the first kind of organisation it answers,
    and record the SQL it runs: (status, kind, its SELECT statements, body)."""
    from api.app import create_app

    app = create_app(bench.settings)
    status, kind, body = 404, "", b""
    async with schema.connected(bench.settings) as engine:
        await keys.unlock(bench.settings)
        with recording_sql(engine, bench.settings.uses_postgres) as statements:
            transport = httpx.ASGITransport(app=app)
            async with httpx.AsyncClient(transport=transport, base_url="http://bench") as client:
                for kind in ("authority", "return_org", "centre", "partner"):
                    organisation = next(
                        o for o in bench.tokens["organisations"] if o["kind"] == kind
                    )
                    statements.clear()
                    response = await client.get(path, headers=bench.auth(organisation["id"]))
                    status, body = response.status_code, response.content
                    if status not in (401, 403, 404):
                        break
    reads = [
        (sql, args)
        for sql, args in statements
        if sql.lstrip("( ").upper().startswith(("SELECT", "WITH")) and "api_token" not in sql
    ]
    return status, kind, reads, body


# --- The follow-up sweep, and its raw SQL --------------------------------------------------------

BEGIN, COMMIT = "BEGIN", "COMMIT"


@contextlib.contextmanager
def recording_sql(engine: Any, postgres: bool) -> Iterator[list[tuple[str, list]]]:
    """Record every statement the engine runs, with BEGIN and COMMIT around its outermost
    transactions, in the driver's own form (placeholders and, on SQLite, stored values)."""
    from piccolo.engine.sqlite import ADAPTERS

    statements: list[tuple[str, list]] = []
    engine_class = type(engine)  # PostgresEngine has slots: wrap the methods on its class
    own = {name: engine_class.__dict__.get(name) for name in ("run_querystring", "transaction")}
    run_querystring, transaction = engine_class.run_querystring, engine_class.transaction
    depth = [0]

    async def recording(self: Any, querystring: Any, in_pool: bool = True) -> Any:
        sql, args = querystring.compile_string(engine_type=self.engine_type)
        if not postgres:
            args = [ADAPTERS.get(type(a), lambda v: v)(a) for a in args]
        statements.append((sql, list(args)))
        return await run_querystring(self, querystring, in_pool=in_pool)

    class Marked:
        def __init__(self, inner: Any) -> None:
            self.inner = inner

        async def __aenter__(self) -> Any:
            depth[0] += 1
            if depth[0] == 1:
                statements.append((BEGIN, []))
            return await self.inner.__aenter__()

        async def __aexit__(self, *exc: Any) -> Any:
            try:
                return await self.inner.__aexit__(*exc)
            finally:
                depth[0] -= 1
                if depth[0] == 0:
                    statements.append((COMMIT, []))

    def marked(self: Any, *args: Any, **kwargs: Any) -> Marked:
        return Marked(transaction(self, *args, **kwargs))

    engine_class.run_querystring, engine_class.transaction = recording, marked
    try:
        yield statements
    finally:
        for name, method in own.items():
            if method is None:
                delattr(engine_class, name)
            else:
                setattr(engine_class, name, method)


class RawDriver:
    """One connection of the raw driver (asyncpg, or aiosqlite with the tracker's pragmas)."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.postgres = settings.uses_postgres

    async def __aenter__(self) -> RawDriver:
        if self.postgres:
            self.connection = await asyncpg.connect(self.settings.database_url)
        else:
            self.connection = await aiosqlite.connect(
                self.settings.sqlite_path, isolation_level=None
            )
            await self.connection.executescript(
                "PRAGMA busy_timeout = 30000; PRAGMA foreign_keys = ON; PRAGMA synchronous = FULL;"
            )
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.connection.close()

    async def fetch(self, sql: str, args: list) -> list[tuple]:
        if self.postgres:
            return [tuple(r) for r in await self.connection.fetch(sql, *args)]
        async with self.connection.execute(sql, args) as cursor:
            return list(await cursor.fetchall())

    async def replay(self, statements: list[tuple[str, list]]) -> None:
        """The statements again, in their transactions."""
        for sql, args in statements:
            if sql == BEGIN:
                await self.connection.execute("BEGIN" if self.postgres else "BEGIN IMMEDIATE")
            elif sql == COMMIT:
                await self.connection.execute("COMMIT")
            else:
                await self.fetch(sql, args)

    def marks(self, count: int) -> str:
        return (
            ", ".join(f"${n}" for n in range(1, count + 1))
            if self.postgres
            else ", ".join("?" * count)
        )

    async def batched_sweep(self, today: date) -> int:
        """For information: the sweep's events from one join, in one write transaction."""
        rows = await self.fetch(
            "SELECT c.id, c.reference, c.arrived_on, r.month FROM return_case c LEFT JOIN "
            "followup_report r ON r.\"case\" = c.id WHERE c.status = 'reintegration'",
            [],
        )
        reported: dict[Any, set[int]] = {}
        cases: dict[Any, tuple] = {}
        for case_id, reference, arrived, month in rows:
            cases[case_id] = (case_id, reference, arrived)
            reported.setdefault(case_id, set())
            if month is not None:
                reported[case_id].add(month)
        insert = (
            'INSERT INTO "event" ("id", "type", "case_id", "case_reference", "occurred_at", '
            f'"data", "dedupe_key", "fanned_out") VALUES ({self.marks(8)}) ON CONFLICT DO NOTHING'
        )
        now = datetime.now(UTC)
        events = []
        for case_id, reference, arrived in cases.values():
            arrived = arrived if isinstance(arrived, date) else date.fromisoformat(arrived)
            overdue = overdue_months(arrived, reported[case_id], today=today, grace_days=GRACE_DAYS)
            for month in overdue:
                due = {"month": month, "due_on": month_due_on(arrived, month)}
                events.append(("followup.overdue", case_id, reference, due, month))
                if month - 1 in overdue:
                    both = {"months": [month - 1, month]}
                    events.append(("followup.escalated", case_id, reference, both, month))
        values = [
            (
                uuid.uuid4() if self.postgres else str(uuid.uuid4()),
                kind,
                case_id,
                reference,
                now if self.postgres else str(now),
                msgspec.json.encode(data).decode(),
                f"{kind}:{case_id}:{month}",
                False,
            )
            for kind, case_id, reference, data, month in events
        ]
        await self.connection.execute("BEGIN" if self.postgres else "BEGIN IMMEDIATE")
        await self.connection.executemany(insert, values)
        await self.connection.execute("COMMIT")
        return len(values)


async def time_sweeps(bench: Bench, rounds: int) -> dict[str, list[Measure]]:
    """The tracker's sweep, in this process, against the statements it sent (recorded on its
    second run, the hourly steady state) replayed through the raw driver, rounds alternating."""
    today = clock.today()
    results: dict[str, list[Measure]] = {"tracker": [], "replay": [], "batched": []}
    async with schema.connected(bench.settings) as engine:
        await keys.unlock(bench.settings)
        started = time.perf_counter()
        raised = await followup_sweep(today=today, grace_days=GRACE_DAYS)
        first = time.perf_counter() - started
        with recording_sql(engine, bench.settings.uses_postgres) as statements:
            await followup_sweep(today=today, grace_days=GRACE_DAYS)
        recorded = list(statements)
        active = await raw_rows(
            bench, "SELECT COUNT(*) AS n FROM return_case WHERE status = 'reintegration'"
        )
        transactions = sum(1 for sql, _ in recorded if sql == BEGIN)
        bench.notes.append(
            f"sweep: {active[0]['n']} cases in reintegration; the first run raised {raised} "
            f"events in {first:.2f} s; each later run sends {len(recorded) - 2 * transactions} "
            f"statements in {transactions} transactions, which the raw side replays"
        )
        async with RawDriver(bench.settings) as raw:
            for number in range(rounds):
                order = ["tracker", "replay", "batched"]
                if number % 2:
                    order.reverse()
                for side in order:
                    started = time.perf_counter()
                    if side == "tracker":
                        await followup_sweep(today=today, grace_days=GRACE_DAYS)
                    elif side == "replay":
                        await raw.replay(recorded)
                    else:
                        await raw.batched_sweep(today)
                    results[side].append(Measure(seconds=time.perf_counter() - started))
    return results


# --- Running it all ------------------------------------------------------------------------------


@dataclass
class Scenario:
    name: str
    app: list[Target]
    bare: list[Target]
    goal: str
    #: Whether the medians meet the goal: (tracker, baseline, ratio) -> bool.
    met: Callable[[Measure, Measure, float], bool]
    #: "rps": ratio = tracker req/s / baseline req/s; "time": one request alone, tracker time
    #: / baseline time (16 clients of minute-long aggregates measure the database's queue).
    ratio: str = "rps"
    #: Length of a round: ``--seconds``, longer for slow requests.
    seconds: float = 0.0
    #: Why it could not be measured.
    failure: str = ""


def median_measure(measures: list[Measure]) -> Measure:
    return Measure(
        rps=statistics.median(m.rps for m in measures),
        p50_ms=statistics.median(m.p50_ms for m in measures),
        p99_ms=statistics.median(m.p99_ms for m in measures),
        errors=sum(m.errors for m in measures),
        statuses={
            code: sum(m.statuses.get(code, 0) for m in measures)
            for code in sorted({c for m in measures for c in m.statuses})
        },
        peak_rss_mb=max(m.peak_rss_mb for m in measures),
        idle_rss_mb=min(m.idle_rss_mb for m in measures),
        seconds=statistics.median(m.seconds for m in measures),
        alone_ms=statistics.median(m.alone_ms for m in measures),
    )


def prepare_scratch(bench: Bench, drop_only: bool = False) -> None:
    statements = ["DROP TABLE IF EXISTS bench_scratch_payment"]
    if not drop_only:
        statements.append(SCRATCH_TABLE[bench.engine])

    async def on_postgres() -> None:
        connection = await asyncpg.connect(bench.settings.database_url)
        try:
            for sql in statements:
                await connection.execute(sql)
        finally:
            await connection.close()

    if bench.settings.uses_postgres:
        asyncio.run(on_postgres())
        return
    with contextlib.closing(sqlite3.connect(bench.settings.sqlite_path)) as connection:
        for sql in statements:
            connection.execute(sql)
        connection.commit()


async def plan(bench: Bench) -> tuple[list[Scenario], dict[str, list]]:
    """The scenarios, and the SQL the bare app replays."""
    write_app, write_bare = await write_targets(bench)
    postgres = bench.engine == "postgres"
    write_goal, write_p99 = (0.45, 50) if postgres else (0.35, 100)
    sync_goal = 0.80 if postgres else 0.60
    partners = await partners_with_cases(bench)
    sync_app = [Target("GET", "/api/v1/sync?limit=100", bench.auth(p)) for p in partners]
    sync_bare = [Target("GET", "/bare/sync?limit=100", bench.auth(p)) for p in partners]
    scenarios = [
        Scenario(
            "write: POST payment",
            write_app,
            write_bare,
            f">= {write_goal:.2f}x req/s, p99 < {write_p99} ms, 0 errors",
            lambda t, b, r: r >= write_goal and t.p99_ms < write_p99 and t.errors == 0,
        ),
        Scenario(
            "sync: GET /sync?limit=100",
            sync_app,
            sync_bare,
            f">= {sync_goal:.2f}x req/s, 0 errors",
            lambda t, b, r: r >= sync_goal and t.errors == 0,
        ),
    ]
    replay: dict[str, list] = {}
    for name, path in (
        ("outcomes", "/api/v1/outcomes"),
        ("outcomes_csv", "/api/v1/outcomes?format=csv"),
    ):
        status, kind, statements, body = await capture(bench, path)
        if status in (401, 403, 404, 405):
            bench.notes.append(
                f"{path}: skipped, the tracker answers {status} (route not there yet)"
            )
            continue
        if status != 200 or not statements:
            bench.notes.append(f"{path}: skipped, status {status}, {len(statements)} statements")
            continue
        replay[name] = statements
        organisation = next(o for o in bench.tokens["organisations"] if o["kind"] == kind)
        headers = bench.auth(organisation["id"])
        bench.csv_headers = headers
        query = "?format=csv" if name.endswith("csv") else ""
        bench.notes.append(
            f"{path}: as {kind}, {len(body) / 1024:.0f} KiB, baseline replays its "
            f"{len(statements)} SELECT statements"
        )
        csv_route = name.endswith("csv")
        scenarios.append(
            Scenario(
                f"aggregate: GET {path.removeprefix('/api/v1')}",
                [Target("GET", path, headers)],
                [Target("GET", f"/bare/replay/{name}{query}", headers)],
                "0 errors (time: information; memory: below)"
                if csv_route
                else "<= 1.2x the raw SQL's time",
                (lambda t, b, r: t.errors == 0)
                if csv_route
                else (lambda t, b, r: r <= 1.2 and t.errors == 0),
                ratio="time",
            )
        )
    return scenarios, replay


def server_errors(log: Path) -> dict[str, int]:
    """The exceptions a server logged, by their last line, with how often."""
    found: dict[str, int] = {}
    for line in log.read_text(errors="replace").splitlines():
        line = line.strip().lstrip("| ")
        if re.match(r"^[\w.]+(Error|Exception): ", line) and "caught after response" not in line:
            found[line[:120]] = found.get(line[:120], 0) + 1
    return found


def measure_alone(server: Server, targets: list[Target], times: int) -> Measure:
    """``times`` requests one after the other on an otherwise idle server, memory watched."""
    with server.watched() as measure:
        took = [one_request(server, targets[n % len(targets)]) for n in range(times)]
    measure.alone_ms = 1000 * statistics.median(took)
    measure.p50_ms = measure.p99_ms = measure.alone_ms
    measure.rps = 1000 / measure.alone_ms
    return measure


def measure_scenario(
    scenario: Scenario,
    servers: dict[str, Server],
    results: dict[str, list[Measure]],
    args: argparse.Namespace,
    folder: Path,
) -> None:
    """Warm both sides up, then alternate the sides round after round. A scenario timed
    alone (the aggregates: each request reads the whole database) sends its requests one
    after the other; the others load the server with ``CLIENTS`` clients."""
    if scenario.ratio == "time":
        for side, targets in (("tracker", scenario.app), ("bare", scenario.bare)):
            one_request(servers[side], targets[0])
        for number in range(args.rounds):
            for side in ("tracker", "bare") if number % 2 == 0 else ("bare", "tracker"):
                targets = scenario.app if side == "tracker" else scenario.bare
                results[side].append(measure_alone(servers[side], targets, 3))
        return
    if args.warmup > 0:
        servers["tracker"].measure(scenario.app, args.warmup, folder)
        servers["bare"].measure(scenario.bare, args.warmup, folder)
    scenario.seconds = args.seconds
    for number in range(args.rounds):
        for side in ("tracker", "bare") if number % 2 == 0 else ("bare", "tracker"):
            targets = scenario.app if side == "tracker" else scenario.bare
            alone_ms = 1000 * statistics.median(
                one_request(servers[side], targets[(number + n) % len(targets)]) for n in range(3)
            )
            measure = servers[side].measure(targets, scenario.seconds, folder)
            measure.alone_ms = alone_ms
            results[side].append(measure)


def csv_memory(server: Server, bench: Bench, headers: dict[str, str]) -> list[tuple[str, float]]:
    """The tracker's memory growth while it streams the CSV of one small country, then of
    every case: flat means the second grows no more than the first."""
    smallest = min(COUNTRIES, key=lambda code: COUNTRIES[code].weight)
    grown = []
    for label, query in (
        (f"origin {smallest}", f"?format=csv&origin_country={smallest}"),
        ("every case", "?format=csv"),
    ):
        target = Target("GET", f"/api/v1/outcomes{query}", headers)
        with server.watched() as measure:
            one_request(server, target)
        grown.append((label, measure.peak_rss_mb - measure.idle_rss_mb))
    return grown


def run(args: argparse.Namespace) -> int:
    data_dir = Path(args.data_dir).resolve()
    settings = Settings(database_url=args.database_url, data_dir=data_dir, rate_limit=0)
    if not settings.uses_postgres:
        settings = Settings(
            database_url=f"sqlite:///{settings.sqlite_path.resolve()}",
            data_dir=data_dir,
            rate_limit=0,
        )
    tokens = json.loads((data_dir / TOKENS_FILE).read_text())
    folder = Path(tempfile.mkdtemp(prefix="tracker-bench-"))
    bench = Bench(settings, folder, tokens)
    scenarios, replay = asyncio.run(plan(bench))
    wanted = tuple(args.only.split(",")) if args.only else ()
    if wanted:
        scenarios = [s for s in scenarios if s.name.startswith(wanted)]
    growth: Growth | None = None
    prepare_scratch(bench)

    (folder / "bare_bench_app.py").write_text(BARE_APP)
    (folder / "replay.pickle").write_bytes(pickle.dumps(replay))
    (folder / "tokens.json").write_text(
        json.dumps({u["token"]: o["id"] for o in tokens["organisations"] for u in o["users"]})
    )
    uvicorn_like_the_tracker = (
        "import uvicorn; uvicorn.run('bare_bench_app:app', host='127.0.0.1', "
        "port=int(__import__('os').environ['BENCH_PORT']), log_level='info', log_config=None, "
        "proxy_headers=False)"
    )
    servers: dict[str, Server] = {}
    try:
        servers["tracker"] = Server(
            "tracker",
            [sys.executable, "-c", "from api.cli import main; main()", "serve", "--no-jobs"],
            {
                "TRACKER_RATE_LIMIT": "0",
                "TRACKER_DATABASE_URL": settings.database_url,
                "TRACKER_DATA_DIR": str(data_dir),
            },
            folder,
            "/health",
        )
        servers["bare"] = Server(
            "bare",
            [sys.executable, "-c", uvicorn_like_the_tracker],
            {
                "PYTHONPATH": str(folder),
                "BENCH_DATABASE_URL": settings.database_url,
                "BENCH_TOKENS": str(folder / "tokens.json"),
                "BENCH_REPLAY": str(folder / "replay.pickle"),
                "BENCH_SQLITE_READERS": str(SQLITE_READERS),
            },
            folder,
            "/bare/health",
        )
        results: dict[str, dict[str, list[Measure]]] = {
            s.name: {"tracker": [], "bare": []} for s in scenarios
        }
        # Scenario after scenario (aggregates last: on SQLite, streams cut at the end of a
        # round can leave the tracker broken); the sides alternate from round to round.
        for scenario in scenarios:
            try:
                measure_scenario(scenario, servers, results[scenario.name], args, folder)
            except (OSError, http.client.HTTPException, subprocess.SubprocessError) as error:
                scenario.failure = f"{type(error).__name__}: {error}"
                continue
            if args.profile and scenario.ratio == "rps":
                profile(servers["tracker"], scenario, scenario.seconds, folder, Path(args.profile))
        if not wanted or "growth".startswith(wanted):
            try:
                growth = measure_growth(servers["tracker"], bench, args.growth_seconds, folder)
            except (OSError, http.client.HTTPException, subprocess.SubprocessError) as error:
                growth = Growth(failure=f"{type(error).__name__}: {error}")
        if "outcomes_csv" in replay and (not wanted or "aggregate".startswith(wanted)):
            bench.csv_memory = csv_memory(servers["tracker"], bench, bench.csv_headers)
        sweeps = (
            asyncio.run(time_sweeps(bench, args.rounds))
            if not wanted or "sweep".startswith(wanted)
            else {}
        )
    finally:
        for server in servers.values():
            server.stop()
        prepare_scratch(bench, drop_only=True)
    version = subprocess.run(  # read-only: which code was measured
        ["git", "describe", "--always", "--dirty"], cwd=ROOT, capture_output=True, text=True
    ).stdout.strip()
    bench.notes.insert(0, f"tracker code: {version or 'unknown'} (git describe --always --dirty)")
    errors = server_errors(folder / "tracker.log")
    if errors:
        bench.notes.append(f"the tracker logged errors: {errors}")
    print_table(bench, args, scenarios, results, sweeps, growth)
    if args.keep:
        print(f"logs and scripts kept in {folder}")
    else:
        shutil.rmtree(folder, ignore_errors=True)
    return 0


def profile(server: Server, scenario: Scenario, seconds: float, folder: Path, out: Path) -> None:
    """One more, unmeasured, load of the tracker under py-spy: collapsed stacks (``--format
    raw``; feed them to speedscope or flamegraph.pl) in ``out``."""
    out.mkdir(parents=True, exist_ok=True)
    name = "".join(c if c.isalnum() else "-" for c in scenario.name.split(":")[0])
    spy = shutil.which("py-spy") or str(Path(sys.executable).parent / "py-spy")
    duration = str(max(1, round(seconds)))
    recorder = subprocess.Popen(
        [
            spy,
            "record",
            "--pid",
            str(server.process.pid),
            "--rate",
            "250",
            "--format",
            "raw",
            "--duration",
            duration,
            "-o",
            str(out / f"{name}.txt"),
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    server.measure(scenario.app, seconds, folder)
    recorder.wait(timeout=120)


# --- Growth of the database under a mixed load ----------------------------------------------------

GROWTH_CLIENTS = 8
GROWTH_CASES = 16
GROWTH_GOAL_BYTES = 1024


@dataclass
class Growth:
    requests: int = 0
    errors: int = 0
    grown_bytes: int = 0
    #: table (indexes included) -> bytes grown
    tables: dict[str, int] = field(default_factory=dict)
    audit_rows: int = 0
    failure: str = ""

    @property
    def per_request(self) -> float:
        return self.grown_bytes / self.requests if self.requests else 0.0


async def growth_targets(bench: Bench) -> list[Target]:
    """A quarter each: payments, sync pages, case reads and outcome-report reads, by the
    partner with the most cases open to payments, on ``GROWTH_CASES`` of its cases."""
    today = clock.today()
    rows = await raw_rows(
        bench,
        "SELECT c.id, c.partner_org, c.arrived_on, b.category, b.currency "
        'FROM return_case c JOIN budget_line b ON b."case" = c.id '
        "WHERE c.status = 'reintegration' AND c.partner_org IS NOT NULL "
        "AND c.support_ends_on > $1 ORDER BY c.id",
        today,
    )
    by_partner: dict[str, dict[str, dict[str, Any]]] = {}
    for row in rows:
        by_partner.setdefault(str(row["partner_org"]), {}).setdefault(str(row["id"]), row)
    partner, cases = max(by_partner.items(), key=lambda item: len(item[1]))
    chosen = list(cases.values())[:GROWTH_CASES]
    headers = {**bench.auth(partner), "Content-Type": "application/json"}
    targets: list[Target] = []
    for row in chosen:
        arrived = row["arrived_on"]
        arrived = arrived if isinstance(arrived, date) else date.fromisoformat(arrived)
        body = {
            "month": support_month(arrived, today),
            "category": row["category"],
            "amount": "1.00",
            "currency": row["currency"],
            "paid_on": today.isoformat(),
            "method": "mobile_money",
            "recipient": "returnee",
        }
        case = row["id"]
        suffix = '", ' + json.dumps(body)[1:]
        targets += [
            Target("POST", f"/api/v1/cases/{case}/payments", headers, '{"id": "', suffix),
            Target("GET", "/api/v1/sync?limit=100", headers),
            Target("GET", f"/api/v1/cases/{case}", headers),
            Target("GET", f"/api/v1/cases/{case}/outcome-report", headers),
        ]
    return targets


async def database_bytes(bench: Bench) -> dict[str, int]:
    """Bytes each table takes with its indexes (SQLite: pages of the file, after a
    checkpoint, by table and its indexes)."""
    if bench.settings.uses_postgres:
        rows = await raw_rows(
            bench,
            "SELECT relname AS name, pg_total_relation_size(relid) AS size "
            "FROM pg_stat_user_tables",
        )
        return {r["name"]: int(r["size"]) for r in rows}
    with contextlib.closing(sqlite3.connect(bench.settings.sqlite_path)) as connection:
        connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        try:
            found = connection.execute(
                "SELECT m.tbl_name, SUM(d.pgsize) FROM dbstat d "
                "JOIN sqlite_schema m ON m.name = d.name GROUP BY m.tbl_name"
            ).fetchall()
        except sqlite3.OperationalError:  # no dbstat: the file as a whole
            (pages,) = connection.execute("PRAGMA page_count").fetchone()
            (free,) = connection.execute("PRAGMA freelist_count").fetchone()
            (size,) = connection.execute("PRAGMA page_size").fetchone()
            return {"(file)": (pages - free) * size}
        return {name: int(size) for name, size in found}


def measure_growth(server: Server, bench: Bench, seconds: float, folder: Path) -> Growth:
    """The mixed load for ``seconds`` with ``GROWTH_CLIENTS`` clients; what the database grew
    by, per request answered."""
    growth = Growth()
    targets = asyncio.run(growth_targets(bench))
    audit_before = asyncio.run(raw_rows(bench, "SELECT COUNT(*) AS n FROM audit_entry"))[0]["n"]
    before = asyncio.run(database_bytes(bench))
    summary = load(server.url, targets, seconds, folder, clients=GROWTH_CLIENTS)
    after = asyncio.run(database_bytes(bench))
    audit_after = asyncio.run(raw_rows(bench, "SELECT COUNT(*) AS n FROM audit_entry"))[0]["n"]
    statuses = summary["statuses"]
    growth.requests = summary["requests"]
    growth.errors = summary["socket_errors"] + sum(
        n for code, n in statuses.items() if not 200 <= int(code) < 300
    )
    growth.tables = {
        name: after.get(name, 0) - before.get(name, 0)
        for name in after.keys() | before.keys()
        if after.get(name, 0) != before.get(name, 0)
    }
    growth.grown_bytes = sum(growth.tables.values())
    growth.audit_rows = int(audit_after) - int(audit_before)
    return growth


def print_table(
    bench: Bench,
    args: argparse.Namespace,
    scenarios: list[Scenario],
    results: dict[str, dict[str, list[Measure]]],
    sweeps: dict[str, list[Measure]],
    growth: Growth | None = None,
) -> None:
    counts = bench.tokens.get("rows", {})
    print(
        f"\n{bench.engine}: {counts.get('return_case', '?')} cases, "
        f"{counts.get('followup_report', '?')} reports, {counts.get('support_payment', '?')} "
        f"payments; {CLIENTS} clients ({LOADER['name']}), {args.rounds} rounds of "
        f"{args.seconds:g} s, medians"
    )
    header = (
        "| scenario | tracker req/s | bare req/s | ratio | alone: tracker / bare ms | "
        "tracker p50 / p99 ms | bare p50 / p99 ms | errors | peak RSS tracker (idle) / bare MB "
        "| goal | met |"
    )
    print(header)
    print("|" + "---|" * header.count(" |"))
    for scenario in scenarios:
        tracker = results[scenario.name]["tracker"]
        bare = results[scenario.name]["bare"]
        name = scenario.name
        if scenario.seconds > args.seconds:
            name += f" ({scenario.seconds:.0f} s rounds)"
        if scenario.failure or not tracker or len(tracker) != len(bare):
            print(f"| {name} |" + " - |" * 8 + f" {scenario.goal} | NO: {scenario.failure} |")
            continue
        t, b = median_measure(tracker), median_measure(bare)
        pairs = list(zip(tracker, bare, strict=True))
        if scenario.ratio == "rps":
            finished = all(m.rps for m in tracker + bare)
            ratio = statistics.median(x.rps / y.rps for x, y in pairs) if finished else None
            shown = f"{ratio:.2f}x req/s" if ratio is not None else "- (a round finished none)"
        else:
            ratio = statistics.median(x.alone_ms / y.alone_ms for x, y in pairs)
            shown = f"{ratio:.2f}x time alone"
        errors = f"{t.errors} / {b.errors}"
        if t.errors:
            errors += " " + json.dumps({k: v for k, v in t.statuses.items() if k[0] != "2"})
        met = ratio is not None and scenario.met(t, b, ratio)
        print(
            f"| {name} | {t.rps:,.1f} | {b.rps:,.1f} | {shown} | "
            f"{t.alone_ms:,.1f} / {b.alone_ms:,.1f} | {t.p50_ms:,.1f} / {t.p99_ms:,.1f} | "
            f"{b.p50_ms:,.1f} / {b.p99_ms:,.1f} | {errors} | "
            f"{t.peak_rss_mb:.0f} ({t.idle_rss_mb:.0f}) / {b.peak_rss_mb:.0f} | "
            f"{scenario.goal} | {'yes' if met else 'NO'} |"
        )
    for side, goal in (("replay", "<= 1.5x the raw SQL's time"), ("batched", "(information)")):
        if not sweeps:
            break
        tracker_s = statistics.median(m.seconds for m in sweeps["tracker"])
        raw_s = statistics.median(m.seconds for m in sweeps[side])
        ratio = statistics.median(
            t.seconds / r.seconds for t, r in zip(sweeps["tracker"], sweeps[side], strict=True)
        )
        met = ("yes" if ratio <= 1.5 else "NO") if side == "replay" else "-"
        print(
            f"| sweep: followup_sweep vs raw {side} | {tracker_s:.3f} s | {raw_s:.3f} s | "
            f"{ratio:.2f}x time |" + " - |" * 5 + f" {goal} | {met} |"
        )
    if bench.csv_memory:
        (small, small_mb), (every, every_mb) = bench.csv_memory
        flat = every_mb <= small_mb + 16
        print(
            f"| csv memory: tracker growth streaming {small} / {every} | "
            f"{small_mb:.1f} MB | {every_mb:.1f} MB |"
            + " - |" * 6
            + f" flat: every case <= one country + 16 MB | {'yes' if flat else 'NO'} |"
        )
    if growth is not None:
        goal = f"<= {GROWTH_GOAL_BYTES} bytes per request"
        if growth.failure:
            print("| growth: mixed load |" + " - |" * 8 + f" {goal} | NO: {growth.failure} |")
        else:
            met = growth.per_request <= GROWTH_GOAL_BYTES and growth.errors == 0
            print(
                f"| growth: mixed load, {GROWTH_CLIENTS} clients, {args.growth_seconds:g} s | "
                f"{growth.per_request:,.0f} B/request | - | - | - | - | - | "
                f"{growth.errors} / - | - | {goal} | {'yes' if met else 'NO'} |"
            )
            biggest = sorted(growth.tables.items(), key=lambda item: -item[1])[:6]
            bench.notes.append(
                f"growth: {growth.requests} requests (a quarter each: payments, sync pages, "
                f"case reads, outcome-report reads; {GROWTH_CASES} cases of one partner) grew "
                f"the database by {growth.grown_bytes / 1024:,.0f} KiB, "
                f"{growth.audit_rows / max(growth.requests, 1):.2f} audit entries per request; "
                "by table with its indexes: "
                + ", ".join(
                    f"{name} {size / max(growth.requests, 1):,.0f} B" for name, size in biggest
                )
            )
    for note in bench.notes:
        print(f"- {note}")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m tests.bench.run", description=__doc__)
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--data-dir", required=True)
    parser.add_argument("--seconds", type=float, default=10.0, help="per round and side")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--warmup", type=float, default=2.0, help="unmeasured seconds, 0: none")
    parser.add_argument("--loader", choices=("wrk", "httpx"), default=LOADER["name"])
    parser.add_argument("--keep", action="store_true", help="keep the servers' logs")
    parser.add_argument(
        "--only",
        default="",
        help="comma-separated scenario prefixes (write, sync, aggregate, growth, sweep)",
    )
    parser.add_argument(
        "--growth-seconds",
        type=float,
        default=60.0,
        help="length of the mixed load of the growth row",
    )
    parser.add_argument("--profile", metavar="DIR", help="also profile the tracker with py-spy")
    args = parser.parse_args(argv)
    LOADER["name"] = args.loader
    raise SystemExit(run(args))


if __name__ == "__main__":
    main()
