"""The console's pages beside the API calls a client makes for the same data, at scale.

Usage:
    python -m tests.bench.console --cases 100000 [--rounds 40] [--database-url URL]
        [--data-dir DIR] [--folder DIR]

Without ``--database-url`` a new SQLite database is made in a temporary folder; with it, an
empty database is filled (or, when DIR already holds the generator's bench-tokens.json, the
database it describes is used as it is). ``tests.bench.generate`` makes the cases, then
``tracker serve`` (one process, rate limit off) answers, on this machine:

* the case list: ``GET /console/cases`` beside ``GET /api/v1/cases`` (its first page);
* a case page: ``GET /console/cases/{id}`` beside ``GET /api/v1/cases/{id}`` and its
  ``/reports`` and ``/payments``, one after the other (the time of the three summed);
* the dashboard: ``GET /console/dashboard`` beside ``GET /api/v1/outcomes``.

Both sides ask as the same person of the largest authority: the API with the person's
token, the console with a session of theirs (made directly, as signing in would). A case
page and its API calls take the same case each round, a case in reintegration of that
authority (with reports and payments), a different one each round. Rounds alternate which
side goes first, after a few unmeasured requests; the table gives the 95th percentile of
each side and their ratio (goal: a page at most 1.5 times its API calls). A page the
console does not have (404), or one that fails, is reported so, not measured.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import shutil
import statistics
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

import httpx

from api.console import csrf
from models import keys, schema
from models.cases.tables import Case, Status
from models.followup.tables import Payment, Report
from models.people import sessions
from models.settings import Settings
from tests.bench import generate
from tests.bench.run import Server

#: A page may take at most this many times its API calls.
GOAL = 1.5
WARM_UP = 3


@dataclass
class Pair:
    """A console page and the API calls that fetch the same data."""

    name: str
    page: str
    calls: list[str]
    page_ms: list[float] = field(default_factory=list)
    api_ms: list[float] = field(default_factory=list)
    missing: str = ""


def p95(values: list[float]) -> float:
    if len(values) == 1:
        return values[0]
    return statistics.quantiles(values, n=20, method="inclusive")[-1]


def timed(http: httpx.Client, paths: list[str], **headers: str) -> tuple[float, int]:
    """Milliseconds the requests take one after the other; the worst status."""
    started = time.perf_counter()
    status = 0
    for path in paths:
        answer = http.get(path, headers=headers)
        answer.read()
        status = max(status, answer.status_code)
    return (time.perf_counter() - started) * 1000, status


async def _prepare(settings: Settings, rounds: int) -> tuple[str, str, list[str]]:
    """The largest authority's first user: their token, a new console session, and the
    cases in reintegration (with reports and payments) to open."""
    tokens = json.loads((settings.data_dir / generate.TOKENS_FILE).read_text())
    authority = next(o for o in tokens["organisations"] if o["kind"] == "authority")
    user = authority["users"][0]
    async with schema.connected(settings):
        await keys.unlock(settings)
        session = await sessions.start(user["id"])
        rows = await (
            Case.select(Case.id)
            .where(
                Case.opened_by_org == authority["id"],
                Case.status == Status.reintegration,
                Case.id.is_in(Report.select(Report.case)),
                Case.id.is_in(Payment.select(Payment.case)),
            )
            .limit(rounds)
        )
    if not rows:
        raise SystemExit("no case in reintegration with reports and payments: more --cases")
    return user["token"], session, [str(row["id"]) for row in rows]


def measure(server: Server, token: str, session: str, cases: list[str], rounds: int) -> list[Pair]:
    case = "/api/v1/cases/{}"
    pairs = [
        Pair("case list", "/console/cases", ["/api/v1/cases"]),
        Pair(
            "case page",
            "/console/cases/{}",
            [case, case + "/reports", case + "/payments"],
        ),
        Pair("dashboard", "/console/dashboard", ["/api/v1/outcomes"]),
    ]
    api = {"Authorization": f"Bearer {token}"}
    with (
        httpx.Client(base_url=server.url, timeout=600) as console,
        httpx.Client(base_url=server.url, timeout=600, headers=api) as client,
    ):
        console.cookies.set(csrf.SESSION_COOKIE, session, path="/console")
        for pair in pairs:
            print(f"measuring {pair.name} …", flush=True)
            for turn in range(WARM_UP + rounds):
                chosen = cases[turn % len(cases)]
                page = pair.page.format(chosen)
                calls = [call.format(chosen) for call in pair.calls]
                sides = [(console, [page], pair.page_ms), (client, calls, pair.api_ms)]
                for http, paths, times in sides if turn % 2 else reversed(sides):
                    took, status = timed(http, paths)
                    if status != 200 and http is console:
                        pair.missing = "missing" if status == 404 else f"answered {status}"
                    elif status != 200:
                        raise SystemExit(f"{paths} answered {status}")
                    if turn >= WARM_UP:
                        times.append(took)
                if pair.missing:
                    break
    return pairs


def table(pairs: list[Pair], cases: int, engine: str, rounds: int) -> str:
    lines = [
        f"Console pages beside the API, {cases:,} cases, {engine}, p95 of {rounds} rounds:",
        "",
        "| page | console p95 ms | API calls | API p95 ms | ratio | goal | met |",
        "|---|---:|---|---:|---:|---:|---|",
    ]
    for pair in pairs:
        calls = " + ".join(call.replace("{}", "{id}") for call in pair.calls)
        page = pair.page.replace("{}", "{id}")
        if pair.missing:
            lines.append(f"| {page} | {pair.missing} | {calls} | | | ≤ {GOAL}× | |")
            continue
        mine, theirs = p95(pair.page_ms), p95(pair.api_ms)
        ratio = mine / theirs
        met = "yes" if ratio <= GOAL else "no"
        lines.append(
            f"| {page} | {mine:.1f} | {calls} | {theirs:.1f} | {ratio:.2f}× | ≤ {GOAL}× | {met} |"
        )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m tests.bench.console", description=__doc__)
    parser.add_argument("--cases", type=int, required=True, help="cases to generate")
    parser.add_argument("--rounds", type=int, default=40, help="measured requests a side")
    parser.add_argument("--database-url", help="default: a new SQLite database")
    parser.add_argument("--data-dir", type=Path, help="data key and bench-tokens.json")
    parser.add_argument("--folder", type=Path, help="server log (default: a temporary one)")
    args = parser.parse_args(argv)

    folder = args.folder or Path(tempfile.mkdtemp(prefix="bench-console-"))
    folder.mkdir(parents=True, exist_ok=True)
    database_url = args.database_url or f"sqlite:///{folder / 'tracker.sqlite'}"
    data_dir = args.data_dir or folder / "data"
    settings = Settings(database_url=database_url, data_dir=data_dir)
    if not (data_dir / generate.TOKENS_FILE).exists():
        print(f"generating {args.cases:,} cases …", flush=True)
        generate.main(
            [
                "--cases",
                str(args.cases),
                "--database-url",
                database_url,
                "--data-dir",
                str(data_dir),
            ]
        )
    token, session, cases = asyncio.run(_prepare(settings, args.rounds))
    server = Server(
        "tracker",
        [sys.executable, "-c", "from api.cli import main; main()", "serve", "--no-jobs"],
        {
            "TRACKER_RATE_LIMIT": "0",
            "TRACKER_DATABASE_URL": database_url,
            "TRACKER_DATA_DIR": str(data_dir),
            "TRACKER_LOG_LEVEL": "WARNING",
        },
        folder,
        "/ready",
    )
    try:
        pairs = measure(server, token, session, cases, args.rounds)
    finally:
        server.stop()
    engine = "postgres" if settings.uses_postgres else "sqlite"
    print(table(pairs, args.cases, engine, args.rounds))
    if args.folder is None and args.database_url is None:
        shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
