"""The field app: a progressive web app for field workers' phones, served from the package's
own files at ``/app/`` (no build step, no Node at run time).

Every file is read once at start and kept in memory with its ETag. The service worker is
stamped with the app's version (a hash of every file) and the list of files it precaches,
so any change to a file is a new version that phones are offered."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from litestar import Request, Response, get
from litestar.params import FromPath
from litestar.response import Redirect

from api.etags import client_has

PACKAGE_FILES = Path(__file__).parent / "static"
SERVICE_WORKER = "sw.js"
INDEX = "index.html"

#: Only the tracker's own origin: no inline script or style, no other host, no frames.
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; img-src 'self' blob:; object-src 'none'; base-uri 'none'; "
    "frame-ancestors 'none'; form-action 'self'"
)
HEADERS = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    # A receipt's photo must not carry the place it was taken; nor should the app ask.
    "Permissions-Policy": "geolocation=(), microphone=()",
    # Revalidate every time (a 304 is a few bytes): a new version is seen at once.
    "Cache-Control": "no-cache",
}
#: Litestar adds "; charset=utf-8" to text types.
MEDIA_TYPES = {
    ".html": "text/html",
    ".js": "text/javascript",
    ".css": "text/css",
    ".json": "application/json",
    ".webmanifest": "application/manifest+json",
    ".png": "image/png",
    ".svg": "image/svg+xml",
    "": "text/plain",
}
#: The lines of sw.js the server fills in.
VERSION_LINE = 'const VERSION = "unversioned";'
SHELL_LINE = "const SHELL = [];"


@dataclass(frozen=True)
class Asset:
    content: bytes
    media_type: str
    etag: str


def _asset(name: str, content: bytes) -> Asset:
    media_type = MEDIA_TYPES[Path(name).suffix]
    return Asset(content, media_type, '"' + hashlib.sha256(content).hexdigest()[:32] + '"')


def version_of(files: dict[str, bytes]) -> str:
    digest = hashlib.sha256()
    for name in sorted(files):
        digest.update(name.encode() + b"\0" + hashlib.sha256(files[name]).digest())
    return digest.hexdigest()[:16]


def stamped_service_worker(source: bytes, files: dict[str, bytes]) -> bytes:
    """sw.js with the version and the shell it precaches (the index as ``./``)."""
    text = source.decode()
    if VERSION_LINE not in text or SHELL_LINE not in text:
        raise ValueError(f"{SERVICE_WORKER} lacks the lines the server fills in")
    shell = ["./" if name == INDEX else name for name in sorted(files)]
    version = json.dumps(version_of(files))
    text = text.replace(VERSION_LINE, f"const VERSION = {version};")
    return text.replace(SHELL_LINE, f"const SHELL = {json.dumps(shell)};").encode()


def load(folder: Path = PACKAGE_FILES) -> dict[str, Asset]:
    """Every file of the app by its path under ``/app/``; the index also as ``""``."""
    files = {
        path.relative_to(folder).as_posix(): path.read_bytes()
        for path in sorted(folder.rglob("*"))
        if path.is_file() and not path.name.startswith(".")
    }
    worker = files.pop(SERVICE_WORKER)
    assets = {name: _asset(name, content) for name, content in files.items()}
    assets[SERVICE_WORKER] = _asset(SERVICE_WORKER, stamped_service_worker(worker, files))
    assets[""] = assets[INDEX]
    return assets


def _serve(request: Request[Any, Any, Any], name: str) -> Response[bytes]:
    assets: dict[str, Asset] = request.app.state["field_app"]
    asset = assets.get(name)
    if asset is None:
        return Response(b"not found", status_code=404, media_type=MEDIA_TYPES[""], headers=HEADERS)
    headers = {**HEADERS, "ETag": asset.etag}
    if client_has(request, asset.etag):
        return Response(b"", status_code=304, headers=headers)
    return Response(asset.content, media_type=asset.media_type, headers=headers)


@get("/app", include_in_schema=False, sync_to_thread=False)
def app_index(request: Request[Any, Any, Any]) -> Response[bytes] | Redirect:
    """The app (``/app/``; Litestar routes it here without its slash)."""
    if request.scope.get("raw_path", b"").split(b"?")[0] == b"/app":
        # The app's files are named relative to /app/.
        return Redirect("/app/", status_code=301)
    return _serve(request, "")


@get("/app/{name:path}", include_in_schema=False, sync_to_thread=False)
def app_file(request: Request[Any, Any, Any], name: FromPath[str]) -> Response[bytes]:
    """A file of the app, revalidated by its ETag."""
    return _serve(request, name.lstrip("/"))


HANDLERS = [app_index, app_file]
