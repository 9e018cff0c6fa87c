"""The office console: server-rendered pages (Jinja), readable without JavaScript.

Pages call the same domain functions, with the same caller, as the API: a session is one
more way to prove who is asking. Every form carries a CSRF token (``csrf.py``)."""

from __future__ import annotations

from pathlib import Path

from litestar import Router
from litestar.static_files import create_static_files_router

from api.console import (
    cases,
    cases_page,
    csrf,
    home,
    overview,
    pages,
    people,
    returns,
    review,
    sign_in,
    stories,
    welcome,
)
from models.errors import TrackerError

STATIC = Path(__file__).with_name("static")
#: The console's areas: each module's ``HANDLERS`` are its pages and forms.
AREAS = [
    home,
    sign_in,
    welcome,
    people,
    cases,
    cases_page,
    returns,
    review,
    stories,
    overview,
]


def router() -> Router:
    return Router(
        path="/console",
        route_handlers=[
            *(handler for area in AREAS for handler in area.HANDLERS),
            create_static_files_router(path="/static", directories=[STATIC]),
        ],
        before_request=csrf.check,
        exception_handlers={TrackerError: pages.refusal},
        include_in_schema=False,
    )


HANDLERS = [home.root, router()]
template_config = pages.template_config
