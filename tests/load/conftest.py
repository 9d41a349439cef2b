"""The load test runs only when asked: ``make test-load`` (``LOAD_TESTS=1``)."""

import os

collect_ignore_glob = [] if os.environ.get("LOAD_TESTS") else ["test_*.py"]
