import os

import pytest

os.environ.setdefault("RASA_TELEMETRY_ENABLED", "false")


@pytest.fixture(scope="session")
def library():
    from bot.engine.library import load_library

    return load_library()
