# Negotiation coach: every target sets itself up on a fresh machine.
SHELL := /bin/bash
VENV := .venv
PY := $(VENV)/bin/python
RASA := $(VENV)/bin/rasa
export RASA_TELEMETRY_ENABLED := false
export TF_CPP_MIN_LOG_LEVEL := 2
export SQLALCHEMY_SILENCE_UBER_WARNING := 1
export PYTHONPATH := $(CURDIR)

TRAINING_DATA := $(shell find data/nlu data/rules data/stories -name '*.yml' 2>/dev/null | sort)
MODEL := models/negotiation.tar.gz
RASA_DATA := --data data/nlu data/rules data/stories

.PHONY: install browser train validate lint format test test-fast test-unit test-e2e test-stories eval-nlu eval-dialogue \
  run web shell scenarios bench bench-quick api-token admin export-corrections purge clean

install: $(VENV)/.installed

$(VENV)/.installed: requirements.txt constraints.txt scripts/find-python.sh
	@test -x $(PY) || { PYBIN=$$(scripts/find-python.sh) && $$PYBIN -m venv $(VENV); }
	$(PY) -m pip install --progress-bar off -r requirements.txt -c constraints.txt
	$(PY) -m pip check
	@touch $@

# Debian's Chromium for the browser tests (Playwright drives it; no browser download).
CHROMIUM := $(shell command -v chromium 2>/dev/null)
browser:
ifeq ($(CHROMIUM),)
	@if [ "$$(id -u)" = 0 ]; then \
	  apt-get install -y -q chromium >/dev/null || { apt-get update -q && apt-get install -y -q chromium; }; \
	else \
	  echo "Debian's chromium is needed for the browser tests: sudo apt-get install chromium" >&2; exit 1; \
	fi
endif

# Retrains only when training data, domain or config changed (scenarios are not
# training data: a teacher adds one without retraining).
train: $(MODEL)

$(MODEL): $(VENV)/.installed $(TRAINING_DATA) domain.yml config.yml
	@mkdir -p models
	$(RASA) train $(RASA_DATA) --domain domain.yml --config config.yml --out models --fixed-model-name negotiation
	@touch $@

validate: install
	$(RASA) data validate $(RASA_DATA) --domain domain.yml --config config.yml --fail-on-warnings
	$(PY) -m bot.cli scenarios

lint: install
	$(VENV)/bin/ruff check bot tests scripts
	$(VENV)/bin/ruff format --check bot tests scripts

format: install
	$(VENV)/bin/ruff check --fix bot tests scripts
	$(VENV)/bin/ruff format bot tests scripts

# Lanes (docs/testing.md). `make test` runs them all (CI: .ci/run); the inner loop is
# `make test-fast`: no Rasa process, no trained model (engine, assessment, actions in
# process, web app through FastAPI's TestClient), under 2 minutes.
FAST := not e2e and not model and not slow and not security
test: install browser lint validate $(MODEL)
	$(PY) -m pytest --ignore=tests/scale --durations=15
	$(MAKE) test-stories

test-fast: install
	$(PY) -m pytest --ignore=tests/scale -m "$(FAST)" -q $(PYTEST_ARGS)

# Everything without a server or the model, the slow probe suites included.
test-unit: install
	$(PY) -m pytest --ignore=tests/scale -m "not e2e and not model and not security" $(PYTEST_ARGS)

# The shared Rasa + action server stack (REST, Telegram, browser, faults) and the model's own
# tests, then the test stories.
test-e2e: install browser $(MODEL)
	$(PY) -m pytest --ignore=tests/scale -m "e2e or model" --durations=15 $(PYTEST_ARGS)
	$(MAKE) test-stories

test-stories: $(MODEL)
	$(RASA) test core --stories tests/stories --model $(MODEL) \
	  --out results/core --fail-on-prediction-errors --no-plot

# Horizontal scale: two Rasa servers on the real PostgreSQL and Redis (TEST_DATABASE_URL,
# TEST_REDIS_URL), 50 learners at once; prints messages/s (docs/capacity.md). .ci/run runs it.
.PHONY: test-scale
test-scale: install $(MODEL)
	$(PY) -m pytest tests/scale

# Security (issue 14, docs/security.md): real processes on the loopback, spoofed headers,
# failed logins vs /health latency, YAML bombs, oversize inputs; no model needed. make test
# runs them too; TEST_REDIS_URL for the shared rate limit.
.PHONY: test-security
test-security: install
	$(PY) -m pytest -m security tests/security

# Load: 100 learners x 20 turns in parallel on one Rasa server, on SQLite and on
# PostgreSQL (TEST_DATABASE_URL); 0 errors, 0 lost turns, every session scored; prints
# messages/s (docs/testing.md, "Robustness"). .ci/run runs it after `make test`.
.PHONY: test-load
test-load: install $(MODEL)
	LOAD_TESTS=1 $(PY) -m pytest tests/load -s

# Deployment: the real docker/rasa.Dockerfile and docker-compose.yml built and run, a
# scenario played through the web app, data kept across down/up, then everything removed
# (docs/deployment-test.md, about 15 min). Installs docker.io and Compose v2 and starts
# dockerd when missing; builds stand-ins for the official base images when they cannot be
# pulled (docker/standins/; STANDINS=no to skip them where the registry is reachable).
.PHONY: docker-engine standins test-deploy
docker-engine:
	@PYTHON=$(PY) scripts/docker-engine.sh

standins: docker-engine
ifneq ($(STANDINS),no)
	docker/standins/build.sh
endif

test-deploy: install $(MODEL) docker-engine standins
	DEPLOY_TESTS=1 $(PY) -m pytest tests/deploy -s --durations=0

# Benchmarks: the stock `rasa init` assistant and the full stack side by side (latency for
# 1 learner and a class of 35, saturation throughput, RSS, cold start); prints a table and
# writes docs/benchmarks.md (~25 min). BENCH_ARGS="--train" also times both trainings
# (+15 min); BENCH_ARGS="--database-url postgresql://…" runs the stack on PostgreSQL.
# Measures models/negotiation.tar.gz as it is (never retrains it; `make train` does).
bench: install
	$(PY) scripts/bench.py $(BENCH_ARGS)

# The same comparison in about 4 minutes: the same phases and ratios (targets), fewer
# repetitions and shorter slices; writes var/bench/quick.md, never docs/benchmarks.md.
bench-quick: install
	$(PY) scripts/bench.py --quick $(BENCH_ARGS)

eval-nlu: $(MODEL)
	$(PY) -m bot.cli eval-nlu

# Which NLU pipeline to keep (issue 13): trains each scripts/pipelines/*.yml with `rasa train nlu`,
# prints training seconds and held-out macro-F1 (heldout.yml, heldout_new.yml); PIPELINES="linear diet" to choose.
.PHONY: compare-pipelines
compare-pipelines: install
	nice -n 5 $(PY) scripts/compare_pipelines.py $(PIPELINES)

# The client answers the question that was asked: the probe suite (tests/dialogue/probes) played against the
# engine with the trained NLU; last line « relevance F (N probes) » (contract §9).
eval-dialogue: $(MODEL)
	$(PY) -m bot.dialogue_eval

run: install $(MODEL)
	$(PY) -m bot.cli run

web: install
	$(PY) -m bot.cli web

# The first admin account: make admin USERNAME=prenom.nom (asks for the password)
admin: install
	$(PY) -m bot.cli create-user $${USERNAME:-admin} --role admin --name "$${NAME:-Administrateur}"

api-token: install
	@$(PY) -m bot.cli api-token

export-corrections: install
	$(PY) -m bot.cli export-corrections

# RGPD retention: delete learners and sessions older than RETENTION_DAYS (DRY_RUN=1 only lists them)
purge: install
	$(PY) -m bot.cli purge $(if $(DRY_RUN),--dry-run)

shell: install $(MODEL)
	$(PY) -m bot.cli shell --scenario $${SCENARIO:-air-plasturgie}

scenarios: install
	$(PY) -m bot.cli scenarios

clean:
	rm -rf models results .pytest_cache
