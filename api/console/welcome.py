"""The welcome page of an invitation: set a password, enrol an authenticator, receive the
recovery codes (shown once)."""

from __future__ import annotations

from typing import Any

from litestar import Request, get, post
from litestar.params import FromPath
from litestar.response import Template

from api.console import i18n, pages, qr
from models.errors import RuleViolation
from models.people import second_factor, staff

#: The catalogue key of each field's message when the domain refuses it.
MESSAGES = {
    "password": "welcome.error.password",
    "password_again": "welcome.error.password_again",
    "code": "welcome.error.code",
}


def _form(request: Request[Any, Any, Any], invited: staff.Welcome, **context: Any) -> Template:
    secret = invited.totp_secret
    t = i18n.translator(pages.language_of(request, None))
    return pages.page(
        request,
        "welcome.html",
        invited=invited,
        qr=qr.svg(
            second_factor.provisioning_uri(secret, invited.email), title=t("welcome.qr_title")
        ),
        manual_key=" ".join(secret[i : i + 4] for i in range(0, len(secret), 4)),
        **context,
    )


@get("/welcome/{token:str}")
async def welcome_page(request: Request[Any, Any, Any], token: FromPath[str]) -> Template:
    return _form(request, await staff.welcome(token))


@post("/welcome/{token:str}", status_code=200)
async def accept_welcome(request: Request[Any, Any, Any], token: FromPath[str]) -> Template:
    form = await request.form()
    try:
        shown = await staff.accept(
            token=token,
            password=str(form.get("password", "")),
            password_again=str(form.get("password_again", "")),
            code=str(form.get("code", "")),
        )
    except RuleViolation as refused:
        invited = await staff.welcome(token)
        return _form(request, invited, status=422, errors=pages.field_errors(refused, MESSAGES))
    return pages.page(request, "welcome_done.html", recovery_codes=shown)


#: The console pages of this module.
HANDLERS = [welcome_page, accept_welcome]
