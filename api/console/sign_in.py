"""Signing in (password, then the authenticator's code or a recovery code) and out."""

from __future__ import annotations

from typing import Any

from litestar import Request, Response, get, post
from litestar.datastructures import Cookie
from litestar.response import Redirect, Template

from api.console import csrf, pages
from api.settings import settings_of
from models.errors import NotAuthenticated, TooManyAttempts
from models.people import sessions, sign_in


def _allowed(request: Request[Any, Any, Any]) -> int:
    settings = settings_of(request)
    return settings.sign_in_failures_allowed


def _gone(key: str) -> Cookie:
    return Cookie(key=key, value="", path="/console", max_age=0, expires=0)


def _refused(request: Request[Any, Any, Any], error: Exception, email: str = "") -> Template:
    """The same page whatever was wrong: a wrong address, password or code."""
    if isinstance(error, TooManyAttempts):
        response = pages.page(
            request,
            "sign_in.html",
            status=429,
            email=email,
            wait=error.retry_after,
            errors=[("email", "sign_in.error.wait")],
        )
        response.headers["Retry-After"] = str(error.retry_after)
        return response
    return pages.page(
        request,
        "sign_in.html",
        status=401,
        email=email,
        wait=None,
        errors=[("email", "sign_in.error.refused")],
        cookies=[_gone(pages.PENDING_COOKIE)],
    )


@get("/sign-in")
async def sign_in_page(request: Request[Any, Any, Any]) -> Response[Any]:
    if await pages.signed_in(request) is not None:
        return Redirect("/console/", status_code=303)
    return pages.page(request, "sign_in.html", email="", wait=None)


@post("/sign-in", status_code=303)
async def sign_in_with_password(request: Request[Any, Any, Any]) -> Response[Any]:
    form = await request.form()
    email, password = str(form.get("email", "")).strip(), str(form.get("password", ""))
    missing = [
        (field, f"sign_in.error.{field}_missing")
        for field, value in (("email", email), ("password", password))
        if not value
    ]
    if missing:
        return pages.page(
            request, "sign_in.html", status=422, email=email, wait=None, errors=missing
        )
    try:
        pending = await sign_in.check_password(
            email=email, password=password, allowed_failures=_allowed(request)
        )
    except (NotAuthenticated, TooManyAttempts) as error:
        return _refused(request, error, email)
    cookie = pages.cookie(
        request,
        pages.PENDING_COOKIE,
        pending,
        max_age=int(sign_in.PENDING_LIFETIME.total_seconds()),
    )
    return Redirect("/console/sign-in/code", status_code=303, cookies=[cookie])


@get("/sign-in/code")
async def second_factor_page(request: Request[Any, Any, Any]) -> Response[Any]:
    if not request.cookies.get(pages.PENDING_COOKIE):
        return Redirect(pages.SIGN_IN, status_code=303)
    return pages.page(request, "sign_in_code.html")


@post("/sign-in/code", status_code=303)
async def sign_in_with_code(request: Request[Any, Any, Any]) -> Response[Any]:
    form = await request.form()
    code = str(form.get("code", "")).strip()
    if not code:
        return pages.page(
            request,
            "sign_in_code.html",
            status=422,
            errors=[("code", "sign_in.error.code_missing")],
        )
    try:
        session = await sign_in.check_second_factor(
            pending=request.cookies.get(pages.PENDING_COOKIE, ""),
            code=code,
            allowed_failures=_allowed(request),
        )
    except (NotAuthenticated, TooManyAttempts) as error:
        return _refused(request, error)
    return Redirect(
        "/console/",
        status_code=303,
        cookies=[pages.cookie(request, csrf.SESSION_COOKIE, session), _gone(pages.PENDING_COOKIE)],
    )


@get("/sign-out")
async def sign_out_page(request: Request[Any, Any, Any]) -> Template:
    return pages.page(request, "sign_out.html", who=await pages.signed_in(request), done=False)


@post("/sign-out", status_code=200)
async def sign_out(request: Request[Any, Any, Any]) -> Template:
    who = await pages.signed_in(request)
    if who is not None:
        await sessions.end(who)
    return _signed_out(request)


@post("/sign-out-everywhere", status_code=200)
async def sign_out_everywhere(request: Request[Any, Any, Any]) -> Template:
    who = await pages.person(request)
    await sign_in.sign_out_everywhere(who.caller)
    return _signed_out(request)


def _signed_out(request: Request[Any, Any, Any]) -> Template:
    return pages.page(
        request,
        "sign_out.html",
        done=True,
        cookies=[_gone(csrf.SESSION_COOKIE)],
        browser_key=csrf.new_browser_key(),
    )


#: The console pages of this module.
HANDLERS = [
    sign_in_page,
    sign_in_with_password,
    second_factor_page,
    sign_in_with_code,
    sign_out_page,
    sign_out,
    sign_out_everywhere,
]
