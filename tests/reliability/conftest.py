"""The reliability tests walk cases as the API tests do."""

from tests.api.conftest import journey, returned  # noqa: F401 - fixtures for this folder
