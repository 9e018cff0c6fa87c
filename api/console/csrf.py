"""Cross-site request forgery: every form carries a token that only a page of ours can
know. It is an HMAC keyed by a cookie the browser holds and scripts cannot read (the
session's, or before sign-in a random one), so it needs no server secret and holds across
processes. A form sends it as a field; htmx sends it in a header on every request it makes
(``hx-headers`` on the page's body), so no verb loses it. A POST without the right token
is refused with 403."""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
from typing import Any

from litestar import Request

from models.errors import Forbidden

FIELD = "csrf_token"
HEADER = "X-CSRF-Token"
SESSION_COOKIE = "tracker_session"
BROWSER_COOKIE = "tracker_browser"


def key_of(request: Request[Any, Any, Any]) -> str | None:
    return request.cookies.get(SESSION_COOKIE) or request.cookies.get(BROWSER_COOKIE)


def new_browser_key() -> str:
    return secrets.token_urlsafe(32)


def token_for(key: str) -> str:
    digest = hmac.new(key.encode(), b"tracker console form", hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest).decode().rstrip("=")


async def check(request: Request[Any, Any, Any]) -> None:
    """A ``before_request`` hook of the console: refuse a form post without its token."""
    if request.method in {"GET", "HEAD", "OPTIONS"}:
        return
    key = key_of(request)
    sent = request.headers.get(HEADER) or (await request.form()).get(FIELD, "")
    if not key or not isinstance(sent, str) or not hmac.compare_digest(sent, token_for(key)):
        raise Forbidden("the form is out of date or did not come from this site; try again")
