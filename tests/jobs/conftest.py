"""A real local HTTP receiver for webhook deliveries."""

from __future__ import annotations

import ipaddress
import json
import socket
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from models.events import addresses
from tests.api.conftest import journey, returned  # noqa: F401 - the same stories as the API tests


class Receiver:
    """Records every request; answers with the next queued status (200 when none)."""

    def __init__(self) -> None:
        self.requests: list[dict] = []
        self.statuses: list[int] = []
        self.lock = threading.Lock()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("content-length", 0)))
                with receiver.lock:
                    receiver.requests.append(
                        {
                            "headers": {k.lower(): v for k, v in self.headers.items()},
                            "body": body,
                            "path": self.path,
                            "at": time.perf_counter(),
                        }
                    )
                    status = receiver.statuses.pop(0) if receiver.statuses else 200
                self.send_response(status)
                self.end_headers()

            def log_message(self, *args) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hook"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def events(self, type_: str | None = None) -> list[dict]:
        with self.lock:
            bodies = [json.loads(r["body"]) for r in self.requests]
        return [b for b in bodies if type_ is None or b["type"] == type_]


@pytest.fixture
def receiver():
    receiving = Receiver()
    yield receiving
    receiving.server.shutdown()


class Silent:
    """A receiver that accepts connections and never answers."""

    def __init__(self) -> None:
        self.socket = socket.create_server(("127.0.0.1", 0))
        self.connections: list[socket.socket] = []
        self.url = f"http://127.0.0.1:{self.socket.getsockname()[1]}/hook"
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while True:
            try:
                connection, _ = self.socket.accept()
            except OSError:
                return
            self.connections.append(connection)

    def close(self) -> None:
        self.socket.close()
        for connection in self.connections:
            connection.close()


@pytest.fixture
def silent():
    receiving = Silent()
    yield receiving
    receiving.close()


#: A public address for the tests' names (documentation addresses are not public).
PUBLIC = "93.184.215.14"


class Names:
    """The tests' own DNS: a name the test points somewhere resolves there; every other
    host resolves as usual (an address to itself)."""

    def __init__(self) -> None:
        self.pointed: dict[str, list[str]] = {}
        self.asked: list[str] = []

    def point(self, name: str, *to: str) -> None:
        self.pointed[name] = list(to)


@pytest.fixture
def dns(monkeypatch: pytest.MonkeyPatch) -> Names:
    names = Names()
    real = addresses.resolve

    async def resolve(host: str, port: int) -> list:
        names.asked.append(host)
        if host in names.pointed:
            return [ipaddress.ip_address(address) for address in names.pointed[host]]
        return await real(host, port)

    monkeypatch.setattr(addresses, "resolve", resolve)
    return names
