"""The payment POST through two API processes against one, on the same machine and database.

Usage:
    python -m tests.bench.processes --database-url URL --data-dir DIR [--seconds S] [--rounds R]

DIR is the data folder ``tests.bench.generate`` filled (data key, bench-tokens.json), on
PostgreSQL (SQLite serves from one process). Each round starts ``tracker serve --no-jobs
--workers 1``, then ``--workers 2`` (the order alternates from round to round), waits until
every worker has started, and loads it with the write scenario of ``tests.bench.run``:
``CLIENTS`` concurrent clients POSTing payments for S seconds. The table shows medians over
the rounds and the median of the per-round ratios. For information, not a goal: on a machine
of two cores the load generator, PostgreSQL and the workers share them.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

from models.settings import Settings
from tests.bench.generate import TOKENS_FILE
from tests.bench.run import CLIENTS, LOADER, Bench, Measure, Server, Target, write_targets

WORKERS = (1, 2)
STARTED = "Application startup complete"


def serve(settings: Settings, data_dir: Path, folder: Path, workers: int) -> Server:
    """The tracker with ``workers`` processes, once each of them has started."""
    server = Server(
        "tracker",
        [
            *(sys.executable, "-c", "from api.cli import main; main()", "serve", "--no-jobs"),
            *("--workers", str(workers)),
        ],
        {
            "TRACKER_RATE_LIMIT": "0",
            "TRACKER_DATABASE_URL": settings.database_url,
            "TRACKER_DATA_DIR": str(data_dir),
            "TRACKER_LOG_LEVEL": "INFO",  # the workers' start is read from the log
        },
        folder,
        "/health",
    )
    deadline = time.monotonic() + 180
    while server.log.read_text(errors="replace").count(STARTED) < workers:
        if time.monotonic() > deadline:
            server.stop()
            raise RuntimeError(f"not every worker started:\n{server.log.read_text()[-3000:]}")
        time.sleep(0.2)
    return server


def measure(
    settings: Settings,
    data_dir: Path,
    folder: Path,
    workers: int,
    targets: list[Target],
    seconds: float,
) -> Measure:
    server = serve(settings, data_dir, folder, workers)
    try:
        server.measure(targets, 1.0, folder)  # warm every worker's pool
        return server.measure(targets, seconds, folder)
    finally:
        server.stop()


def compare_processes(args: argparse.Namespace) -> dict[int, list[Measure]]:
    """Each round measures one process and two; returns the measures by workers."""
    data_dir = Path(args.data_dir).resolve()
    settings = Settings(database_url=args.database_url, data_dir=data_dir, rate_limit=0)
    if not settings.uses_postgres:
        raise SystemExit("processes: several processes need PostgreSQL")
    tokens = json.loads((data_dir / TOKENS_FILE).read_text())
    folder = Path(tempfile.mkdtemp(prefix="tracker-processes-"))
    try:
        targets, _ = asyncio.run(write_targets(Bench(settings, folder, tokens)))
        results: dict[int, list[Measure]] = {workers: [] for workers in WORKERS}
        load_before = os.getloadavg()[0]
        for round_ in range(args.rounds):
            for workers in WORKERS if round_ % 2 == 0 else reversed(WORKERS):
                results[workers].append(
                    measure(settings, data_dir, folder, workers, targets, args.seconds)
                )
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    print_table(args, results)
    print(f"load average (1 min) before: {load_before:.1f}, after: {os.getloadavg()[0]:.1f}")
    return results


def print_table(args: argparse.Namespace, results: dict[int, list[Measure]]) -> None:
    one, two = results[1], results[2]
    ratios = [b.rps / a.rps for a, b in zip(one, two, strict=True) if a.rps]
    print(
        f"POST payment, {CLIENTS} clients ({LOADER['name']}), {args.rounds} rounds of "
        f"{args.seconds:g} s, medians"
    )
    print("| processes | req/s | p50 ms | p99 ms | errors |")
    print("|---|---|---|---|---|")
    for workers, measures in results.items():
        print(
            f"| {workers} | {statistics.median(m.rps for m in measures):.0f} "
            f"| {statistics.median(m.p50_ms for m in measures):.1f} "
            f"| {statistics.median(m.p99_ms for m in measures):.1f} "
            f"| {sum(m.errors for m in measures)} |"
        )
    rounds = ", ".join(f"{a.rps:.0f} → {b.rps:.0f}" for a, b in zip(one, two, strict=True))
    print(f"req/s by round, one process → two: {rounds}")
    if ratios:
        print(f"two processes / one: {statistics.median(ratios):.2f}× the requests a second")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m tests.bench.processes", description=__doc__)
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--data-dir", required=True)
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--loader", choices=["wrk", "httpx"], help="default: wrk when installed")
    args = parser.parse_args(argv)
    if args.loader:
        LOADER["name"] = args.loader
    compare_processes(args)


if __name__ == "__main__":
    main()
