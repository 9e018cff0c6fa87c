"""Fixtures of the console's tests: a browser on the app, and staff who can sign in."""

from __future__ import annotations

import httpx
import pytest

from tests.console.browser import Browser


@pytest.fixture
def browser(client: httpx.AsyncClient) -> Browser:
    return Browser(client)
