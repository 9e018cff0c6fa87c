"""The application factory."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator
from typing import Any

from litestar import Litestar, Router
from litestar.config.compression import CompressionConfig
from litestar.di import Provide
from litestar.handlers import HTTPRouteHandler
from litestar.middleware import DefineMiddleware
from litestar.openapi import OpenAPIConfig
from litestar.openapi.plugins import ScalarRenderPlugin, SwaggerRenderPlugin
from litestar.openapi.spec import Components, SecurityScheme
from litestar.plugins.problem_details import ProblemDetailsPlugin

from api import (
    console,
    enrolment,
    field_app,
    outcome_review,
    outcomes,
    problems,
    rate_limits,
    stories,
    story_drafting,
    webhooks,
)
from api.attachments import MULTIPART_OVERHEAD, download_attachment, upload_attachment
from api.audit import read_audit_trail
from api.auth import BearerTokenAuthentication, provide_caller
from api.body import decode_strictly
from api.cases import CaseController
from api.followup import FollowUpController, list_tasks, sync
from api.health import health, ready
from api.me import me
from api.request_ids import request_ids
from api.settings import settings_of
from jobs.scheduler import scheduler_for
from jobs.webhooks import close_client
from models import keys, schema
from models.settings import Settings


def operation_id(route_handler: HTTPRouteHandler, _: Any, __: Any) -> str:
    """Each operation is named after its handler (``submit_report`` → ``submitReport``), so
    that a client generated from the schema reads like the contract."""
    first, *rest = route_handler.handler_name.split("_")
    return first + "".join(word.title() for word in rest)


API_HANDLERS = [
    me,
    CaseController,
    FollowUpController,
    list_tasks,
    sync,
    upload_attachment,
    download_attachment,
    read_audit_trail,
    *stories.HANDLERS,
    *story_drafting.HANDLERS,
    *outcomes.HANDLERS,
    *outcome_review.HANDLERS,
    *webhooks.HANDLERS,
    *enrolment.HANDLERS,
]


def create_app(settings: Settings | None = None, *, run_jobs: bool = False) -> Litestar:
    """The API; with ``run_jobs`` the scheduled jobs run in the same process."""
    settings = settings or Settings.from_environment()

    @contextlib.asynccontextmanager
    async def database_connection(_: Litestar) -> AsyncIterator[None]:
        async with schema.connected(settings), keys.in_use():
            await keys.unlock(settings)
            scheduler = scheduler_for(settings) if run_jobs else None
            if scheduler:
                scheduler.start()
            try:
                yield
            finally:
                if scheduler:
                    scheduler.shutdown(wait=False)
                    await close_client()

    api = Router(
        path="/api/v1",
        route_handlers=API_HANDLERS,
        middleware=[DefineMiddleware(BearerTokenAuthentication)],
        dependencies={
            "caller": Provide(provide_caller, sync_to_thread=False),
            "settings": Provide(settings_of, sync_to_thread=False),
        },
        security=[{"bearer": []}],
    )
    app = Litestar(
        route_handlers=[health, ready, api, *console.HANDLERS, *field_app.HANDLERS],
        template_config=console.template_config(),
        lifespan=[database_connection],
        middleware=[
            request_ids,
            *([limiter.middleware] if (limiter := rate_limits.config(settings.rate_limit)) else []),
        ],
        stores=rate_limits.stores(),
        plugins=[ProblemDetailsPlugin(problems.config())],
        before_request=decode_strictly,
        # JSON bodies are held to max_json_body by decode_strictly; receipts are larger.
        request_max_body_size=max(
            settings.max_json_body, settings.max_attachment_size + MULTIPART_OVERHEAD
        ),
        compression_config=CompressionConfig(
            backend="brotli", brotli_gzip_fallback=True, minimum_size=1024, gzip_compress_level=6
        ),
        openapi_config=OpenAPIConfig(
            title="Reintegration follow-up tracker",
            version="1",
            path="/schema",
            operation_id_creator=operation_id,
            render_plugins=[ScalarRenderPlugin(), SwaggerRenderPlugin()],
            components=Components(
                security_schemes={
                    "bearer": SecurityScheme(type="http", scheme="bearer", description="API token")
                }
            ),
        ),
        state={
            "settings": settings,
            "field_app": field_app.load(settings.field_app_dir or field_app.PACKAGE_FILES),
        },
        debug=False,
    )
    for route in app.routes:
        if route.path.startswith("/api/"):
            for handler in getattr(route, "route_handlers", []):
                problems.declare_errors(handler)
    return app
