"""The app's settings, as handlers declare them (``settings: AppSettings``) and guards read
them."""

from __future__ import annotations

from typing import Any

from litestar.connection import ASGIConnection
from litestar.di import NamedDependency

from models.settings import Settings

#: The settings the app was made with, as handlers declare them.
AppSettings = NamedDependency[Settings]


def settings_of(request: ASGIConnection[Any, Any, Any, Any]) -> Settings:
    return request.app.state["settings"]
