"""Compare Piccolo's stock SQLiteEngine with our PooledSQLiteEngine on the tracker's own queries.

Usage: .venv/bin/python -m tests.bench.sqlite_engine [--seconds N]  (default 3 per measurement).
Each engine gets a fresh migrated SQLite file (WAL) in a temp dir. Stock: one new connection per
query, DEFERRED transactions, timeout=30. Pooled: persistent connections, one writer behind an
asyncio lock, IMMEDIATE transactions, synchronous=FULL. Workloads, each bounded by time: sequential
`authenticate` reads, sequential `add_organisation` writes, and batches of 25 concurrent `add_user`
(asyncio.gather). Engines alternate for 3 rounds; ops/s are medians, the ratio is the median of
per-round pooled/stock ratios (trust it more than the absolute numbers on a noisy machine).
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import tempfile
import time
from collections import Counter
from collections.abc import Awaitable, Callable
from pathlib import Path

from piccolo.engine.base import Engine
from piccolo.engine.sqlite import SQLiteEngine

from models import schema
from models.organisations import add_organisation, add_user, authenticate
from models.sqlite_engine import PooledSQLiteEngine

ROUNDS = 3
WRITERS = 25
ENGINES = ("stock", "pooled")
WORKLOADS = ("sequential reads", "sequential writes", f"{WRITERS} concurrent writers")


async def prepare(name: str, folder: Path) -> tuple[Engine, str, object]:
    """A fresh migrated database for one engine, with one organisation and a user's token."""
    path = str(folder / f"{name}.sqlite")
    if name == "stock":
        engine: Engine = SQLiteEngine(path=path, timeout=30)
        await engine.run_ddl("PRAGMA journal_mode = WAL")  # persists in the file
    else:
        engine = PooledSQLiteEngine(path=path, busy_timeout=30)
        await engine.open()
    await schema.migrate(engine)  # binds every table to the engine
    organisation = await add_organisation(name="Bench", kind="partner", country="NG")
    _, token = await add_user(organisation_id=organisation.id, name="Reader")
    return engine, token, organisation.id


async def timed(seconds: float, batch: Callable[[], Awaitable[list]], errors: Counter) -> float:
    """Run ``batch`` until ``seconds`` pass; ops/s over the successful operations."""
    done = 0
    start = time.perf_counter()
    while (elapsed := time.perf_counter() - start) < seconds:
        for result in await batch():
            if isinstance(result, BaseException):
                errors[f"{type(result).__name__}: {result}"] += 1
            else:
                done += 1
    return done / elapsed


def batches(token: str, org_id) -> dict[str, Callable[[], Awaitable[list]]]:
    """Per workload, a function starting one batch of fresh operations."""
    return {
        WORKLOADS[0]: lambda: gather(authenticate(token)),
        WORKLOADS[1]: lambda: gather(add_organisation(name="Writer", kind="centre", country="DK")),
        WORKLOADS[2]: lambda: gather(
            *(add_user(organisation_id=org_id, name=f"User {i}") for i in range(WRITERS))
        ),
    }


def gather(*operations: Awaitable) -> Awaitable[list]:
    return asyncio.gather(*operations, return_exceptions=True)


async def run(seconds: float) -> tuple[dict, dict]:
    rates = {(w, e): [] for w in WORKLOADS for e in ENGINES}
    errors = {(w, e): Counter() for w in WORKLOADS for e in ENGINES}
    with tempfile.TemporaryDirectory(prefix="bench-sqlite-") as folder:
        setups = {name: await prepare(name, Path(folder)) for name in ENGINES}
        for round_ in range(ROUNDS):
            order = ENGINES if round_ % 2 == 0 else ENGINES[::-1]
            for workload in WORKLOADS:
                for name in order:
                    engine, token, org_id = setups[name]
                    schema.bind(engine)
                    batch = batches(token, org_id)[workload]
                    key = (workload, name)
                    rates[key].append(await timed(seconds, batch, errors[key]))
        await setups["pooled"][0].close()
    return rates, errors


def report(rates: dict, errors: dict) -> None:
    print("| workload | engine | ops/s (median) | errors | pooled/stock |")
    print("|---|---|---:|---:|---:|")
    for workload in WORKLOADS:
        ratios = [
            p / s if s else float("inf")
            for p, s in zip(rates[workload, "pooled"], rates[workload, "stock"], strict=True)
        ]
        for name in ENGINES:
            key = (workload, name)
            ratio = f"{statistics.median(ratios):.2f}x" if name == "pooled" else ""
            median = statistics.median(rates[key])
            total = sum(errors[key].values())
            print(f"| {workload} | {name} | {median:,.0f} | {total} | {ratio} |")
    for key, counter in errors.items():
        for message, count in counter.most_common(5):
            print(f"\n{key[1]} / {key[0]}: {count} x {message[:200]}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=3.0, help="per engine, workload, round")
    args = parser.parse_args()
    report(*asyncio.run(run(args.seconds)))


if __name__ == "__main__":
    main()
