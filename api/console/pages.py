"""What every console page shares: who is signed in, their language, the form token, the
cookies, and the one way refusals become pages."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape
from litestar import Request, Response
from litestar.datastructures import Cookie
from litestar.plugins.jinja import JinjaTemplateEngine
from litestar.response import Redirect, Template
from litestar.template import TemplateConfig

from api.console import csrf, i18n
from api.proxies import came_over_https
from api.settings import settings_of
from models.errors import (
    Forbidden,
    NotAuthenticated,
    NotFound,
    RuleViolation,
    TooManyAttempts,
    TrackerError,
)
from models.people import sessions

TEMPLATES = Path(__file__).with_name("templates")
LANGUAGE_COOKIE = "tracker_language"
PENDING_COOKIE = "tracker_pending"
SIGN_IN = "/console/sign-in"


def template_config() -> TemplateConfig:
    environment = Environment(
        loader=FileSystemLoader(TEMPLATES),
        autoescape=select_autoescape(["html"]),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    return TemplateConfig(instance=JinjaTemplateEngine.from_environment(environment))


def lifetimes(request: Request[Any, Any, Any]) -> sessions.Lifetimes:
    settings = settings_of(request)
    return sessions.Lifetimes(
        idle=timedelta(minutes=settings.session_idle_minutes),
        absolute=timedelta(hours=settings.session_absolute_hours),
    )


async def signed_in(request: Request[Any, Any, Any]) -> sessions.SignedIn | None:
    """The person the session cookie stands for, or None."""
    token = request.cookies.get(csrf.SESSION_COOKIE)
    if not token:
        return None
    try:
        return await sessions.resume(token, lifetimes(request))
    except NotAuthenticated:
        return None


async def person(request: Request[Any, Any, Any]) -> sessions.SignedIn:
    """The signed-in person; otherwise the sign-in page answers instead."""
    found = await signed_in(request)
    if found is None:
        raise NotAuthenticated("sign in to see this page")
    return found


def language_of(request: Request[Any, Any, Any], who: sessions.SignedIn | None) -> str:
    if who is not None and who.language in i18n.LANGUAGES:
        return who.language
    chosen = request.cookies.get(LANGUAGE_COOKIE, "")
    if chosen in i18n.LANGUAGES:
        return chosen
    return i18n.from_accept_language(request.headers.get("accept-language", "")) or i18n.DEFAULT


def cookie(request: Request[Any, Any, Any], key: str, value: str, **options: Any) -> Cookie:
    """A cookie scripts cannot read, sent back only to the console, and only over https
    when the browser came over https."""
    return Cookie(
        key=key,
        value=value,
        path="/console",
        httponly=True,
        samesite="lax",
        secure=came_over_https(request),
        **options,
    )


def page(
    request: Request[Any, Any, Any],
    name: str,
    *,
    who: sessions.SignedIn | None = None,
    status: int = 200,
    errors: list[tuple[str, str]] | None = None,
    cookies: list[Cookie] | None = None,
    browser_key: str | None = None,
    **context: Any,
) -> Template:
    """Render a page with what every page needs: the words, the form token, the person.
    ``browser_key`` starts a new browser key (after signing out)."""
    cookies = list(cookies or [])
    key = browser_key or csrf.key_of(request)
    if browser_key or key is None:
        key = key or csrf.new_browser_key()
        cookies.append(cookie(request, csrf.BROWSER_COOKIE, key))
    language = language_of(request, who)
    t = i18n.translator(language)
    return Template(
        template_name=name,
        context={
            "t": t,
            "language": language,
            "languages": i18n.LANGUAGES,
            "csrf_token": csrf.token_for(key),
            "who": who,
            "path": request.url.path,
            "errors": [(field, t(message)) for field, message in errors or []],
            **context,
        },
        status_code=status,
        cookies=cookies,
        headers={"Cache-Control": "no-store"},
        media_type="text/html",
    )


def field_errors(error: RuleViolation, messages: dict[str, str]) -> list[tuple[str, str]]:
    """A domain refusal as the page's errors: each field with the catalogue key of its
    message (the domain's own words are for the API)."""
    return [(e.field, messages.get(e.field, "error.field")) for e in error.errors]


_STATUS_PAGES = {
    Forbidden: (403, "error.forbidden"),
    NotFound: (404, "error.not_found"),
    TooManyAttempts: (429, "error.too_many"),
}


def refusal(request: Request[Any, Any, Any], error: TrackerError) -> Response[Any]:
    """The console's exception handler: not signed in → the sign-in page; other refusals
    → a plain page saying what happened."""
    if isinstance(error, NotAuthenticated):
        return Redirect(SIGN_IN, status_code=303)
    status, message = next(
        (found for kind, found in _STATUS_PAGES.items() if isinstance(error, kind)),
        (422, "error.field"),
    )
    headers = {"Retry-After": str(error.retry_after)} if isinstance(error, TooManyAttempts) else {}
    response = page(request, "error.html", status=status, message=message)
    response.headers.update(headers)
    return response
