"""Shared fixtures and the order of the suite (docs/testing.md).

Lanes by marker (registered in pyproject.toml, ``--strict-markers``): ``make test-fast``
runs what needs neither a Rasa process nor the trained model; ``e2e`` tests share one
Rasa + action server stack per session (tests/e2e/conftest.py); ``faults`` tests kill
processes or cut the database, so they run after everything else.
"""

import os

import pytest

os.environ.setdefault("RASA_TELEMETRY_ENABLED", "false")


def pytest_collection_modifyitems(config, items):
    """``faults`` tests last (a killed process must not surprise another test); the rest keeps
    its order. Among them, the ones on the shared stack first: they restore it, and the
    ones with a stack of their own (PostgreSQL cut) end the session."""

    def rank(item) -> int:
        if item.get_closest_marker("faults") is None:
            return 0
        return 1 if "rasa_stack" in getattr(item, "fixturenames", ()) else 2

    items[:] = sorted(items, key=rank)  # sorted() is stable: same order inside each rank


@pytest.fixture(scope="session")
def library():
    from bot.engine.library import default_library

    return default_library()  # cached: the same object the actions and the unit tests read


@pytest.fixture(autouse=True)
def fresh_settings():
    """Settings read again for every test: ``monkeypatch.setenv`` then the code sees the change."""
    from bot.config import get_settings

    get_settings.cache_clear()
    yield
    get_settings.cache_clear()
