"""The signed-in landing page, the language switch, and ``GET /`` for browsers."""

from __future__ import annotations

from typing import Any

from litestar import Request, get, post
from litestar.response import Redirect, Template

from api.console import i18n, pages
from models.people import directory


@get("/", include_in_schema=False)
async def root() -> Redirect:
    """A browser that opens the service's address lands on the console."""
    return Redirect("/console/", status_code=302)


@get("/")
async def home(request: Request[Any, Any, Any]) -> Template:
    who = await pages.person(request)
    return pages.page(request, "home.html", who=who)


@post("/language", status_code=303)
async def choose_language(request: Request[Any, Any, Any]) -> Redirect:
    """Switch the pages' language: kept on the person when signed in, else in a cookie."""
    form = await request.form()
    language = form.get("language", "")
    back = form.get("next", "")
    back = back if isinstance(back, str) and back.startswith("/console/") else "/console/"
    if language not in i18n.LANGUAGES:
        return Redirect(back, status_code=303)
    who = await pages.signed_in(request)
    if who is not None:
        await directory.set_language(caller=who.caller, language=language)
    cookie = pages.cookie(request, pages.LANGUAGE_COOKIE, language, max_age=365 * 24 * 3600)
    return Redirect(back, status_code=303, cookies=[cookie])


#: The console pages of this module.
HANDLERS = [home, choose_language]
