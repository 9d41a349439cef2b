"""The project's docker-compose.yml, unchanged, driven by the `docker compose` v2 CLI.

A throw-away project name, image tag and env file (made from .env.example, as a school's
admin makes .env) keep the test away from a real deployment on the same host.
"""

from __future__ import annotations

import json
import secrets
import subprocess
import time
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any, Dict, List

from bot import cli

ROOT = cli.ROOT
COMPOSE = ROOT / "docker-compose.yml"
JOB = "migrate"  # the one-shot service the servers wait for


class StackError(AssertionError):
    pass


def env_file_lines(overrides: Dict[str, str]) -> List[str]:
    """.env.example with the given values filled in (the admin's `cp .env.example .env`, edited)."""
    lines, seen = [], set()
    for line in (ROOT / ".env.example").read_text(encoding="utf-8").splitlines():
        key = line.partition("=")[0].strip()
        if line.strip() and not line.lstrip().startswith("#") and key in overrides:
            line = f"{key}={overrides[key]}"
            seen.add(key)
        lines.append(line)
    lines += [f"{k}={v}" for k, v in overrides.items() if k not in seen]
    return lines


def docker_time(text: str) -> datetime:
    """Docker's RFC 3339 timestamps (nanoseconds, Z) as datetimes."""
    date, _, fraction = text.rstrip("Z").partition(".")
    return datetime.fromisoformat(f"{date}.{(fraction or '0')[:6]:0<6}")


@dataclass
class Stack:
    project: str
    env_file: Path
    web_port: int
    rasa_port: int
    image: str
    secrets: Dict[str, str] = field(default_factory=dict)

    @classmethod
    def create(cls, workdir: Path, web_port: int, rasa_port: int, project: str = "negociation-test") -> Stack:
        tag = "deploy-test"
        values = {
            "POSTGRES_PASSWORD": secrets.token_urlsafe(18),
            "SECRET_KEY": secrets.token_urlsafe(32),
            "WIDGET_SECRET": secrets.token_urlsafe(32),
            "RASA_REST_SECRET": secrets.token_urlsafe(32),
            "COOKIE_SECURE": "false",  # plain http on the loopback, no reverse proxy in the test
            "PUBLISH_HOST": "127.0.0.1",
            "WEB_PORT": str(web_port),
            "RASA_PORT": str(rasa_port),
            "IMAGE_TAG": tag,
        }
        env_file = workdir / ".env"
        env_file.write_text("\n".join(env_file_lines(values)) + "\n", encoding="utf-8")
        return cls(project, env_file, web_port, rasa_port, f"negotiation-coach:{tag}", values)

    # --- the CLI ------------------------------------------------------------------------

    def compose(self, *args: str, timeout: float = 600, check: bool = True) -> subprocess.CompletedProcess:
        cmd = ["docker", "compose", "--project-name", self.project, "--env-file", str(self.env_file)]
        cmd += ["--file", str(COMPOSE), *args]
        done = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, timeout=timeout, check=False)
        if check and done.returncode != 0:
            raise StackError(f"{' '.join(cmd[2:])} -> {done.returncode}\n{done.stdout[-3000:]}\n{done.stderr[-3000:]}")
        return done

    def exec(self, service: str, *command: str, env: Dict[str, str] | None = None) -> str:
        flags = [x for k, v in (env or {}).items() for x in ("-e", f"{k}={v}")]
        return self.compose("exec", "-T", *flags, service, *command, timeout=180).stdout

    def logs(self, tail: int = 60) -> str:
        done = self.compose("logs", "--no-color", "--tail", str(tail), check=False, timeout=60)
        return done.stdout[-12000:] + done.stderr[-2000:]

    # --- state --------------------------------------------------------------------------

    def services(self) -> Dict[str, Dict[str, Any]]:
        """`docker compose ps --all` by service: State, Health, ExitCode, Publishers…"""
        out = self.compose("ps", "--all", "--format", "json", timeout=60).stdout.strip()
        rows = json.loads(out) if out.startswith("[") else [json.loads(line) for line in out.splitlines() if line]
        return {row["Service"]: row for row in rows}

    def inspect(self, service: str) -> Dict[str, Any]:
        ids = self.compose("ps", "--all", "--quiet", service, timeout=60).stdout.split()
        assert len(ids) == 1, f"{service}: {ids}"
        done = subprocess.run(["docker", "inspect", ids[0]], capture_output=True, text=True, check=True, timeout=60)
        return json.loads(done.stdout)[0]

    def started_at(self, service: str) -> datetime:
        return docker_time(self.inspect(service)["State"]["StartedAt"])

    def finished_at(self, service: str) -> datetime:
        return docker_time(self.inspect(service)["State"]["FinishedAt"])

    def wait_healthy(self, timeout: float = 900) -> Dict[str, Dict[str, Any]]:
        """Every server healthy and the migration job exited 0; fails early on a dead container."""
        deadline = time.monotonic() + timeout
        while True:
            services = self.services()
            job = services.get(JOB, {})
            if job.get("State") == "exited" and job.get("ExitCode") != 0:
                raise StackError(f"{JOB} exited with {job.get('ExitCode')}\n{self.logs()}")
            servers = {name: s for name, s in services.items() if name != JOB}
            dead = [n for n, s in servers.items() if s.get("State") in ("exited", "dead")]
            if dead:
                raise StackError(f"{dead} stopped\n{self.logs()}")
            if job.get("State") == "exited" and servers and all(s.get("Health") == "healthy" for s in servers.values()):
                return services
            if time.monotonic() > deadline:
                table = {n: (s.get("State"), s.get("Health")) for n, s in services.items()}
                raise StackError(f"not healthy after {timeout:.0f} s: {table}\n{self.logs()}")
            time.sleep(5)

    def leftovers(self) -> Dict[str, List[str]]:
        """What Docker still holds of this test project: containers, volumes, networks, the image."""
        label = f"label=com.docker.compose.project={self.project}"
        found = {}
        for kind, cmd in {
            "containers": ["docker", "ps", "--all", "--quiet", "--filter", label],
            "volumes": ["docker", "volume", "ls", "--quiet", "--filter", label],
            "networks": ["docker", "network", "ls", "--quiet", "--filter", label],
            "images": ["docker", "image", "ls", "--quiet", self.image],
        }.items():
            found[kind] = subprocess.run(cmd, capture_output=True, text=True, check=True, timeout=60).stdout.split()
        return found

    def remove(self, build_cache: bool = True) -> None:
        """Containers, network, volumes and the image of this test project; the build cache too."""
        self.compose("down", "--volumes", "--remove-orphans", "--timeout", "30", check=False, timeout=300)
        subprocess.run(["docker", "image", "rm", "--force", self.image], capture_output=True, check=False)
        if build_cache:
            subprocess.run(["docker", "builder", "prune", "--all", "--force"], capture_output=True, check=False)
