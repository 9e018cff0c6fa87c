"""The real ``tracker serve`` as a subprocess on a free port of this machine, on the database
of a test's settings; started, awaited, killed and restarted by the tests."""

from __future__ import annotations

import asyncio
import os
import signal
import socket
import sys
import time
from pathlib import Path

import httpx

from models.settings import Settings
from tests.clock import faked

SERVE = "from api.cli import main; main()"
STARTUP_SECONDS = 60


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Server:
    def __init__(self, settings: Settings, folder: Path, **environment: str) -> None:
        self.settings, self.folder = settings, folder
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.environment = environment
        self.process: asyncio.subprocess.Process | None = None
        self.log = folder / f"server-{self.port}.log"
        self.starts = 0

    def _env(self) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if not k.startswith("TRACKER_")}
        env.update(
            TRACKER_DATABASE_URL=self.settings.database_url,
            TRACKER_DATA_DIR=str(self.settings.data_dir),
            TRACKER_LOG_LEVEL="WARNING",
            **self.environment,
        )
        return env

    async def start(self) -> None:
        assert self.process is None or self.process.returncode is not None
        self.starts += 1
        with open(self.log, "ab") as log:  # noqa: ASYNC230 - a small local log, once
            log.write(f"--- start {self.starts}\n".encode())
            self.process = await asyncio.create_subprocess_exec(
                *faked(
                    [sys.executable, "-c", SERVE, "serve", "--port", str(self.port), "--no-jobs"]
                ),
                cwd=self.folder,
                env=self._env(),
                stdin=asyncio.subprocess.DEVNULL,
                stdout=log,
                stderr=log,
            )
        deadline = time.monotonic() + STARTUP_SECONDS
        async with httpx.AsyncClient(base_url=self.url, timeout=2) as http:
            while time.monotonic() < deadline:
                if self.process.returncode is not None:
                    break
                try:
                    if (await http.get("/ready")).status_code == 200:
                        return
                except httpx.TransportError:
                    pass
                await asyncio.sleep(0.1)
        raise AssertionError(f"the server did not become ready:\n{self.output()}")

    def kill(self) -> None:
        """SIGKILL: no shutdown, no flush, no goodbye."""
        assert self.process is not None
        self.process.kill()

    async def wait(self) -> int:
        assert self.process is not None
        return await asyncio.wait_for(self.process.wait(), timeout=30)

    async def stop(self) -> None:
        if self.process is None or self.process.returncode is not None:
            return
        self.process.send_signal(signal.SIGTERM)
        try:
            await asyncio.wait_for(self.process.wait(), timeout=15)
        except TimeoutError:
            self.process.kill()
            await self.process.wait()

    def output(self) -> str:
        return self.log.read_text(errors="replace")[-5000:] if self.log.exists() else ""
