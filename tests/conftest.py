import os

import pytest

os.environ.setdefault("RASA_TELEMETRY_ENABLED", "false")


@pytest.fixture(scope="session")
def library():
    from bot.engine.library import load_library

    return load_library()


@pytest.fixture(autouse=True)
def fresh_settings():
    """Settings read again for every test: ``monkeypatch.setenv`` then the code sees the change."""
    from bot.config import get_settings

    get_settings.cache_clear()
    yield
    get_settings.cache_clear()
