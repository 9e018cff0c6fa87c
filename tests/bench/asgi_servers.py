"""Compare uvicorn (uvloop + httptools) with granian (ASGI) on a tiny Litestar app, using wrk.

Usage: python tests/bench/asgi_servers.py [SECONDS]  (default 10; needs litestar, msgspec,
uvicorn[standard], granian in this interpreter and wrk on PATH). One worker each, on a free
127.0.0.1 port; wrk -t2 -c16 on GET /small and POST /echo; servers alternate for 3 rounds.
Ratio columns are medians of per-round granian/uvicorn ratios: trust them on a noisy machine.
"""

from __future__ import annotations

import http.client
import re
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HOST = "127.0.0.1"
ROUNDS = 3
ROUTES = ("/small", "/echo")
SERVERS = ("uvicorn", "granian")
METRICS = ("rps", "p50", "p99")
COMMON_FLAGS = ["--workers", "1", "--loop", "uvloop", "--no-access-log", "--log-level", "warning"]
SERVER_FLAGS = {
    "uvicorn": ["--http", "httptools"],
    "granian": ["--interface", "asgi", "--no-ws", "--http", "1"],  # access log is off by default
}
APP = """
import msgspec
from litestar import Litestar, get, post

class Small(msgspec.Struct):
    id: int
    name: str
    active: bool
    score: float
    tags: list[str]

class Step(msgspec.Struct):
    code: str
    done: bool
    note: str

class Echo(msgspec.Struct):
    case_id: int
    title: str
    country: str
    contact: str
    steps: list[Step]

SMALL = Small(12345, "reintegration-follow-up-dk", True, 0.875, ["return", "housing"])

@get("/small")
async def small() -> Small:
    return SMALL

@post("/echo")
async def echo(data: Echo) -> Echo:
    return data

app = Litestar([small, echo])
"""
STEP = '{"code":"HOUSING-01","done":false,"note":"visit planned with partner"}'
BODY = (
    '{"case_id":4242,"title":"Prepared return and follow-up","country":"NG",'
    f'"contact":"caseworker@example.org","steps":[{STEP},{STEP},{STEP},{STEP}]}}'
)
LUA_HEADER = 'wrk.headers["Content-Type"] = "application/json"'
POST_LUA = f'wrk.method = "POST"\n{LUA_HEADER}\nwrk.body = [[{BODY}]]\n'


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        return sock.getsockname()[1]


def wait_ready(proc: subprocess.Popen, port: int, timeout: float = 30.0) -> int:
    """Poll GET /small until it answers 200; return the size of its body."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"server exited early with code {proc.returncode}")
        conn = http.client.HTTPConnection(HOST, port, timeout=1)
        try:
            conn.request("GET", "/small")
            resp = conn.getresponse()
            if resp.status == 200:
                return len(resp.read())
        except OSError:
            time.sleep(0.1)
        finally:
            conn.close()
    raise RuntimeError(f"server on port {port} not ready after {timeout} s")


def to_ms(value: str) -> float:
    number, unit = re.fullmatch(r"([\d.]+)(us|ms|s)", value).groups()
    return float(number) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[unit]


def run_wrk(port: int, route: str, seconds: int, workdir: Path) -> dict[str, float]:
    script = ["-s", str(workdir / "post.lua")] if route == "/echo" else []
    url = f"http://{HOST}:{port}{route}"
    cmd = ["wrk", "-t2", "-c16", f"-d{seconds}s", "--latency", *script, url]
    out = subprocess.run(cmd, capture_output=True, text=True, check=True, timeout=seconds + 30)
    out = out.stdout
    if "Non-2xx" in out or "Socket errors" in out:
        print(f"warning: errors on {route}:\n{out}", file=sys.stderr)
    return {
        "rps": float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1)),
        "p50": to_ms(re.search(r"^\s+50%\s+(\S+)", out, re.M).group(1)),
        "p99": to_ms(re.search(r"^\s+99%\s+(\S+)", out, re.M).group(1)),
    }


def bench_server(name: str, seconds: int, workdir: Path) -> dict:
    """Start one server, warm up and measure each route, then stop it (SIGTERM, then kill)."""
    port = free_port()
    cmd = [sys.executable, "-m", name, "app:app", "--host", HOST, "--port", str(port)]
    proc = subprocess.Popen([*cmd, *COMMON_FLAGS, *SERVER_FLAGS[name]], cwd=workdir)
    try:
        results = {"small_bytes": wait_ready(proc, port)}
        for route in ROUTES:
            run_wrk(port, route, 1, workdir)  # warm-up, discarded
            results[route] = run_wrk(port, route, seconds, workdir)
        return results
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def main() -> None:
    seconds = int(sys.argv[1]) if len(sys.argv) > 1 else 10
    runs: dict[str, list[dict]] = {name: [] for name in SERVERS}
    with tempfile.TemporaryDirectory(prefix="asgi-bench-") as tmp:
        workdir = Path(tmp)
        (workdir / "app.py").write_text(APP)
        (workdir / "post.lua").write_text(POST_LUA)
        for rnd in range(ROUNDS):
            for name in SERVERS if rnd % 2 == 0 else reversed(SERVERS):
                print(f"round {rnd + 1}/{ROUNDS}: {name}", file=sys.stderr)
                runs[name].append(bench_server(name, seconds, workdir))
    sizes = f"GET /small: {runs['uvicorn'][0]['small_bytes']} B out, POST /echo: {len(BODY)} B in"
    print(f"\nmedians of {ROUNDS} rounds x {seconds} s, wrk -t2 -c16, one worker ({sizes})\n")
    print("| server | route | req/s | p50 (ms) | p99 (ms) | granian/uvicorn req/s | … p99 |")
    print("|---|---|---:|---:|---:|---:|---:|")
    pairs = list(zip(runs["granian"], runs["uvicorn"], strict=True))
    for route in ROUTES:
        for name in SERVERS:
            med = {k: statistics.median(r[route][k] for r in runs[name]) for k in METRICS}
            ratios = [[g[route][k] / u[route][k] for g, u in pairs] for k in ("rps", "p99")]
            cells = [f"{statistics.median(x):.2f}" if name == "granian" else "" for x in ratios]
            row = [name, route, f"{med['rps']:,.0f}", f"{med['p50']:.2f}", f"{med['p99']:.2f}"]
            print("| " + " | ".join([*row, *cells]) + " |")


if __name__ == "__main__":
    main()
