"""The deployment test runs only when asked: ``make test-deploy`` (``DEPLOY_TESTS=1``).

It needs a Docker engine and Compose v2 (the make target installs and starts them) and
takes about a quarter of an hour; ``make test`` skips it.
"""

import os

collect_ignore_glob = [] if os.environ.get("DEPLOY_TESTS") else ["test_*.py"]
