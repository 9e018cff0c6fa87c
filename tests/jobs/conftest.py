"""A real local HTTP receiver for webhook deliveries."""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

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
