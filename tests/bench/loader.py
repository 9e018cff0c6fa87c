"""A small load generator for machines without wrk: ``tests.bench.run`` falls back to it.

Usage: python -m tests.bench.loader BASE_URL TARGETS.json SECONDS CLIENTS

TARGETS.json is a list of {method, path, headers, prefix, suffix} (a body is prefix + a fresh
UUID + suffix when prefix is set). CLIENTS asyncio tasks, each on its own keep-alive connection,
send requests back to back until SECONDS have passed; requests still running then are dropped,
as wrk drops them. Prints one line: ``BENCH {json}`` in the shape of run.py's wrk script.
Slower than wrk (it is Python): compare its numbers only with its own.
"""

from __future__ import annotations

import asyncio
import json
import random
import sys
import time
import uuid
from collections import Counter

import httpx


async def client(
    base_url: str, targets: list[dict], deadline: float, latencies: list[float], counts: Counter
) -> None:
    limits = httpx.Limits(max_connections=1, max_keepalive_connections=1)
    async with httpx.AsyncClient(base_url=base_url, limits=limits, timeout=600.0) as http:
        while True:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                return
            target = random.choice(targets)  # noqa: S311 - not a secret
            body = None
            if target.get("prefix") is not None:
                body = f"{target['prefix']}{uuid.uuid4()}{target['suffix']}".encode()
            started = time.monotonic()
            try:
                response = await asyncio.wait_for(
                    http.request(
                        target["method"], target["path"], headers=target["headers"], content=body
                    ),
                    remaining,
                )
            except TimeoutError:
                return
            except httpx.HTTPError:
                counts["socket_errors"] += 1
                continue
            latencies.append(time.monotonic() - started)
            counts[str(response.status_code)] += 1


def percentile(values: list[float], share: float) -> float:
    if not values:
        return 0.0
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


async def main(base_url: str, targets: list[dict], seconds: float, clients: int) -> None:
    latencies: list[float] = []
    counts: Counter = Counter()
    started = time.monotonic()
    deadline = started + seconds
    await asyncio.gather(
        *(client(base_url, targets, deadline, latencies, counts) for _ in range(clients))
    )
    socket_errors = counts.pop("socket_errors", 0)
    summary = {
        "requests": len(latencies),
        "duration_us": int((time.monotonic() - started) * 1e6),
        "p50_us": int(percentile(latencies, 0.50) * 1e6),
        "p99_us": int(percentile(latencies, 0.99) * 1e6),
        "socket_errors": socket_errors,
        "statuses": dict(counts),
    }
    print("BENCH " + json.dumps(summary), flush=True)


if __name__ == "__main__":
    with open(sys.argv[2]) as plan:
        loaded = json.load(plan)
    asyncio.run(main(sys.argv[1], loaded, float(sys.argv[3]), int(sys.argv[4])))
