"""Start, watch and stop the project's processes: Rasa server, action server, web app.

One place for what ``python -m bot.cli run``, the end-to-end tests (``tests/stack.py``),
the benchmarks (``scripts/bench.py``) and the scale tests (``bot/devstack/cluster.py``)
all need: the command lines, free ports, waiting for a health URL, stopping cleanly. A
Rasa cold start costs one to two minutes on a 2-core machine, so callers start a stack
once and share it (docs/testing.md).
"""

from __future__ import annotations

import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from typing import Dict, List, Mapping

from bot.config import ROOT, get_settings

VENV_BIN = Path(sys.executable).parent
MODEL = get_settings().model_path

#: the processes of a stack, in start order, with the path that answers 200 when ready
HEALTH = {"action-server": "/health", "rasa": "/webhooks/rest/", "web": "/health"}
PORT_KEYS = {"action-server": "ACTION_PORT", "rasa": "RASA_PORT", "web": "WEB_PORT"}


def free_port() -> int:
    """A TCP port nobody listens on right now (the OS picks it)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def server_commands(env: Mapping[str, str], model: Path = MODEL) -> Dict[str, List[str]]:
    """The command lines of the action server and the Rasa server for ``env``'s ports."""
    rasa = str(VENV_BIN / "rasa")
    return {
        "action-server": [rasa, "run", "actions", "--actions", "bot.actions", "--port", env["ACTION_PORT"]],
        "rasa": [
            rasa, "run", "--model", str(model), "--endpoints", str(ROOT / "endpoints.yml"),
            "--credentials", str(ROOT / "credentials.yml"), "--interface", env["BIND_HOST"],
            "--port", env["RASA_PORT"],
        ],
    }  # fmt: skip


def web_command(env: Mapping[str, str]) -> List[str]:
    return [str(VENV_BIN / "python"), "-m", "bot.cli", "web"]


def wait_for(url: str, timeout: float = 600.0, process: subprocess.Popen | None = None, interval: float = 0.25) -> None:
    """Poll ``url`` every ``interval`` seconds until it answers 200; fail early when ``process`` exits."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process is not None and process.poll() is not None:
            raise RuntimeError(f"process for {url} exited with code {process.returncode}")
        try:
            with urllib.request.urlopen(url, timeout=2) as resp:
                if resp.status == 200:
                    return
        except (urllib.error.URLError, OSError):
            pass
        time.sleep(interval)
    raise TimeoutError(f"{url} not ready after {timeout:.0f}s")


def migrate(env: Mapping[str, str]) -> None:
    """Bring the project's tables to the latest schema (Alembic)."""
    from bot.storage import db

    db.upgrade(env["DATABASE_URL"])


def health_url(env: Mapping[str, str], name: str) -> str:
    return f"http://127.0.0.1:{env[PORT_KEYS[name]]}{HEALTH[name]}"


def spawn(name: str, env: Mapping[str, str], log_dir: Path | None = None, suffix: str = "") -> subprocess.Popen:
    """Start one process of the stack (not waited for); output to ``log_dir/<name><suffix>.log``."""
    cmd = web_command(env) if name == "web" else server_commands(env)[name]
    out = open(log_dir / f"{name}{suffix}.log", "ab") if log_dir else None  # noqa: SIM115
    return subprocess.Popen(cmd, cwd=ROOT, env=dict(env), stdout=out, stderr=subprocess.STDOUT if out else None)


def start_servers(
    env: Mapping[str, str], log_dir: Path | None = None, timeout: float = 600.0
) -> Dict[str, subprocess.Popen]:
    """Migrate, start the action server and the Rasa server together, wait for both (one
    deadline for the pair: they load in parallel). On failure nothing is left running."""
    migrate(env)
    procs = {name: spawn(name, env, log_dir) for name in ("action-server", "rasa")}
    deadline = time.monotonic() + timeout
    try:
        for name, proc in procs.items():
            wait_for(health_url(env, name), timeout=max(1.0, deadline - time.monotonic()), process=proc)
    except BaseException:
        stop(procs)
        raise
    return procs


def start_web(env: Mapping[str, str], log_dir: Path | None = None) -> subprocess.Popen:
    """The web app as a child process, once it answers on ``/health``."""
    proc = spawn("web", env, log_dir)
    try:
        wait_for(health_url(env, "web"), timeout=180, process=proc)
    except BaseException:
        stop({"web": proc})
        raise
    return proc


def stop(procs: Mapping[str, subprocess.Popen], timeout: float = 15) -> None:
    """SIGINT to every live process (Rasa closes its stores), SIGKILL after ``timeout``."""
    for proc in procs.values():
        if proc.poll() is None:
            proc.send_signal(signal.SIGINT)
    for proc in procs.values():
        try:
            proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=timeout)


def stack_env(base: Mapping[str, str], database_url: str, **extra: str) -> Dict[str, str]:
    """``base`` (``bot.cli.environment()``) with free ports for Rasa and the action server, the
    action endpoint that goes with them and ``database_url``; ``extra`` overrides the rest."""
    env = dict(base)
    env.update(RASA_PORT=str(free_port()), ACTION_PORT=str(free_port()), DATABASE_URL=database_url)
    env["ACTION_ENDPOINT_URL"] = f"http://127.0.0.1:{env['ACTION_PORT']}/webhook"
    env.update(extra)
    return env


@dataclass
class Stack:
    """A running Rasa server + action server (and optionally the web app) for one ``env``.

    ``restart(name)`` brings back one killed process (fault tests); ``starts`` counts every
    process start so that a test session can report its cold starts.
    """

    env: Dict[str, str]
    log_dir: Path | None = None
    procs: Dict[str, subprocess.Popen] = field(default_factory=dict)
    starts: Dict[str, int] = field(default_factory=dict)

    @property
    def rasa_url(self) -> str:
        return f"http://127.0.0.1:{self.env['RASA_PORT']}"

    @property
    def rest_url(self) -> str:
        return self.rasa_url + "/webhooks/rest/webhook"

    def start(self, web: bool = False, timeout: float = 600.0) -> Stack:
        self.procs.update(start_servers(self.env, self.log_dir, timeout=timeout))
        for name in ("action-server", "rasa"):
            self.starts[name] = self.starts.get(name, 0) + 1
        if web:
            self.procs["web"] = start_web(self.env, self.log_dir)
            self.starts["web"] = self.starts.get("web", 0) + 1
        return self

    def kill(self, name: str) -> None:
        proc = self.procs[name]
        proc.kill()
        proc.wait(timeout=15)

    def restart(self, name: str, timeout: float = 600.0) -> float:
        """Start ``name`` again (after a kill) and wait until it answers; returns the seconds it took."""
        t0 = time.monotonic()
        if name in self.procs and self.procs[name].poll() is None:
            stop({name: self.procs[name]})
        self.starts[name] = self.starts.get(name, 0) + 1
        self.procs[name] = spawn(name, self.env, self.log_dir, suffix=f"-{self.starts[name]}")
        wait_for(health_url(self.env, name), timeout=timeout, process=self.procs[name])
        return time.monotonic() - t0

    def alive(self) -> bool:
        return bool(self.procs) and all(p.poll() is None for p in self.procs.values())

    def stop(self) -> None:
        stop(self.procs)
