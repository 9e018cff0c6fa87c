"""The office console: server-rendered pages (Jinja), readable without JavaScript.

Pages call the same domain functions, with the same caller, as the API: a session is one
more way to prove who is asking. Every form carries a CSRF token (``csrf.py``)."""

from __future__ import annotations

from pathlib import Path

from litestar import Router
from litestar.static_files import create_static_files_router

from api.console import csrf, home, pages, people, sign_in, welcome
from models.errors import TrackerError

STATIC = Path(__file__).with_name("static")


def router() -> Router:
    return Router(
        path="/console",
        route_handlers=[
            home.home,
            home.choose_language,
            sign_in.sign_in_page,
            sign_in.sign_in_with_password,
            sign_in.second_factor_page,
            sign_in.sign_in_with_code,
            sign_in.sign_out_page,
            sign_in.sign_out,
            sign_in.sign_out_everywhere,
            welcome.welcome_page,
            welcome.accept_welcome,
            people.people_page,
            people.make_enrolment_code,
            people.invitation_page,
            people.invite,
            people.revoke_device,
            people.end_sessions,
            people.set_coordinator,
            create_static_files_router(path="/static", directories=[STATIC]),
        ],
        before_request=csrf.check,
        exception_handlers={TrackerError: pages.refusal},
        include_in_schema=False,
    )


HANDLERS = [home.root, router()]
template_config = pages.template_config
