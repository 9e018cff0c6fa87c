"""The console's benchmark still runs: a few hundred generated cases, two rounds, on SQLite.
Proves the script works (pages the console has are measured, the others named); asserts no
timing."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from tests.clock import faked

ROOT = Path(__file__).resolve().parent.parent
PAGES = ["/console/cases", "/console/cases/{id}", "/console/dashboard"]


def test_the_console_benchmark_runs_at_a_tiny_size(tmp_path: Path) -> None:
    command = [sys.executable, "-m", "tests.bench.console", "--cases", "300", "--rounds", "2"]
    run = subprocess.run(
        faked([*command, "--folder", str(tmp_path)]),
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )

    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-3000:]
    rows = [line for line in run.stdout.splitlines() if line.startswith("| /console/")]
    assert [row.split(" | ")[0].removeprefix("| ") for row in rows] == PAGES
    for row in rows:
        cells = row.split(" | ")
        assert cells[1] == "missing" or float(cells[1]) > 0, row
