"""Settings come from TRACKER_* variables, with defaults a newcomer can run with."""

from pathlib import Path

import pytest

from models.errors import ConfigurationError
from models.settings import Settings


def test_defaults_use_sqlite_under_the_data_folder():
    settings = Settings.from_environment({})
    assert settings.database_url == "sqlite:///data/tracker.sqlite"
    assert not settings.uses_postgres


def test_a_data_folder_moves_the_embedded_database_with_it():
    settings = Settings.from_environment({"TRACKER_DATA_DIR": "/var/lib/tracker/data"})
    assert settings.data_dir == Path("/var/lib/tracker/data")
    assert settings.sqlite_path == Path("/var/lib/tracker/data/tracker.sqlite")


def test_numbers_and_postgres_urls_are_read():
    settings = Settings.from_environment(
        {"TRACKER_DATABASE_URL": "postgresql://u:p@db:5432/t", "TRACKER_MAX_JSON_BODY": "2048"}
    )
    assert settings.uses_postgres
    assert settings.max_json_body == 2048


@pytest.mark.parametrize(
    "environment",
    [{"TRACKER_MAX_JSON_BODY": "lots"}, {"TRACKER_DATABASE_URL": "mysql://x"}],
)
def test_bad_settings_are_refused_clearly(environment):
    with pytest.raises(ConfigurationError):
        Settings.from_environment(environment)
