"""Several Rasa servers and action servers on one PostgreSQL database and one Redis lock store.

Used by tests/scale/test_scale.py and scripts/measure_throughput.py (it lives in bot/ so
that scripts never import from tests/): a throw-away PostgreSQL database, N pairs (Rasa
server i -> action server i) on free local ports, and scripted learners who play
concurrently, each learner's messages one after the other, every message sent to the
next Rasa server in turn.
"""

from __future__ import annotations

import json
import os
import subprocess
import threading
import time
import urllib.request
import uuid
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Dict, Iterator, List, Sequence, Tuple

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from bot import cli
from bot.devstack import ROOT, free_port, server_commands, wait_for
from bot.devstack import stop as stop_processes
from bot.devstack.learners import learners
from bot.storage import db

SCRIPTS, FOLLOW_UP, _ = learners()

#: replies that mean a message was not handled normally
FAILURE_KINDS = {"unavailable", "storage"}


# --------------------------------------------------------------------------- database


@contextmanager
def fresh_database(admin_url: str, prefix: str = "scale") -> Iterator[str]:
    """A new, empty PostgreSQL database next to ``admin_url``'s; dropped afterwards."""
    import psycopg2

    name = f"{prefix}_{uuid.uuid4().hex[:12]}"
    admin = make_url(admin_url)
    params = dict(host=admin.host, port=admin.port or 5432, user=admin.username, password=admin.password)
    params["dbname"] = admin.database or "postgres"

    def execute(sql: str) -> None:
        conn = psycopg2.connect(**params)
        try:
            conn.autocommit = True
            with conn.cursor() as cur:
                cur.execute(sql)
        finally:
            conn.close()

    execute(f'CREATE DATABASE "{name}"')
    url = admin.set(database=name).render_as_string(hide_password=False)
    try:
        yield url
    finally:
        db.get_engine.cache_clear()
        execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


# --------------------------------------------------------------------------- servers


@dataclass
class Cluster:
    database_url: str
    lock_store_url: str
    rasa_ports: List[int] = field(default_factory=list)
    procs: Dict[str, subprocess.Popen] = field(default_factory=dict)
    log_dir: Path | None = None

    @property
    def urls(self) -> List[str]:
        return [f"http://127.0.0.1:{port}/webhooks/rest/webhook" for port in self.rasa_ports]

    def cpu_seconds(self) -> Dict[str, float]:
        """CPU time (user + system) used so far by each process and its children, by role."""
        out: Dict[str, float] = {}
        for name, proc in self.procs.items():
            role = "rasa" if "-rasa-" in name else "action-server"
            out[role] = out.get(role, 0.0) + sum(cpu_time(pid) for pid in process_tree(proc.pid))
        return out

    def logs(self, lines: int = 30) -> str:
        out = []
        for name in self.procs:
            path = self.log_dir / f"{name}.log" if self.log_dir else None
            if path and path.exists():
                tail = path.read_text(encoding="utf-8", errors="replace").splitlines()[-lines:]
                out.append(f"--- {name}\n" + "\n".join(tail))
        return "\n".join(out)


def process_tree(pid: int) -> List[int]:
    parents: Dict[int, List[int]] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            parents.setdefault(int(fields[1]), []).append(int(entry.name))
    tree, todo = [], [pid]
    while todo:
        current = todo.pop()
        tree.append(current)
        todo.extend(parents.get(current, []))
    return tree


def cpu_time(pid: int) -> float:
    """User + system CPU seconds of one process (Linux /proc)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def start(clusters: Sequence[Cluster], servers: Sequence[int], log_dir: Path, timeout: float = 600) -> None:
    """Start ``servers[i]`` Rasa servers (each with its own action server) for ``clusters[i]``.

    Every process of every cluster starts at once (they load the model in parallel),
    then each one is waited for.
    """
    log_dir.mkdir(parents=True, exist_ok=True)
    waits: List[Tuple[str, subprocess.Popen]] = []
    for c, (cluster, n) in enumerate(zip(clusters, servers, strict=True)):
        db.upgrade(cluster.database_url)
        cluster.log_dir = log_dir
        for i in range(n):
            env = cli.environment()
            env.update(
                RASA_PORT=str(free_port()),
                ACTION_PORT=str(free_port()),
                DATABASE_URL=cluster.database_url,
                LOCK_STORE_URL=cluster.lock_store_url,
            )
            env["ACTION_ENDPOINT_URL"] = f"http://127.0.0.1:{env['ACTION_PORT']}/webhook"
            for role, cmd in server_commands(env).items():
                name = f"c{c}-{role}-{i}"
                out = open(log_dir / f"{name}.log", "ab")  # noqa: SIM115
                cluster.procs[name] = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT)
                health = "health" if role == "action-server" else "webhooks/rest/"
                port = env["ACTION_PORT"] if role == "action-server" else env["RASA_PORT"]
                waits.append((f"http://127.0.0.1:{port}/{health}", cluster.procs[name]))
            cluster.rasa_ports.append(int(env["RASA_PORT"]))
    deadline = time.monotonic() + timeout
    for url, proc in waits:
        wait_for(url, timeout=max(1.0, deadline - time.monotonic()), process=proc)


def stop(clusters: Sequence[Cluster]) -> None:
    procs = {f"{i}-{name}": p for i, c in enumerate(clusters) for name, p in c.procs.items()}
    stop_processes(procs)


# --------------------------------------------------------------------------- learners


def learner_script(index: int, long: bool = False) -> Tuple[str, List[str]]:
    """A learner's scripted negotiation: start, 8 turns in French, the debrief.

    ``long``: a whole meeting instead (about 25 turns: every discovery question, the
    proposal, the price, an answer to each objection, the close, the follow-up).
    """
    scenario_id = sorted(SCRIPTS)[index % len(SCRIPTS)]
    script = SCRIPTS[scenario_id]
    if long:
        turns = script["opening"] + script["discovery"] + [script["reformulate"], script["solution"], script["price"]]
        turns += list(script["answers"].values()) + [script["change"], script["close"], *FOLLOW_UP]
    else:
        turns = script["opening"] + script["discovery"][:3] + [script["reformulate"], script["solution"]]
    messages = [f'/start_scenario{{"scenario_id": "{scenario_id}"}}', *turns, "/request_debrief"]
    return f"scale-learner-{index:03d}", messages


@dataclass
class Result:
    sender: str
    sent: List[str]
    servers: List[int] = field(default_factory=list)
    latencies: List[float] = field(default_factory=list)
    errors: List[str] = field(default_factory=list)


@dataclass
class Run:
    results: List[Result]
    seconds: float

    @property
    def messages(self) -> int:
        return sum(len(r.latencies) for r in self.results)

    @property
    def errors(self) -> List[str]:
        return [f"{r.sender}: {e}" for r in self.results for e in r.errors]

    @property
    def rate(self) -> float:
        return self.messages / self.seconds if self.seconds else 0.0

    def percentile(self, q: float) -> float:
        values = sorted(v for r in self.results for v in r.latencies)
        return values[min(len(values) - 1, int(q * len(values)))] if values else 0.0

    def summary(self, label: str) -> str:
        return (
            f"{label}: {self.messages} messages in {self.seconds:.1f} s = {self.rate:.2f} messages/s, "
            f"latency p50 {self.percentile(0.5):.2f} s, p95 {self.percentile(0.95):.2f} s, "
            f"errors {len(self.errors)}"
        )


def send(url: str, sender: str, message: str, timeout: float = 300) -> List[Dict[str, Any]]:
    body = json.dumps({"sender": sender, "message": message}).encode("utf-8")
    req = urllib.request.Request(url, data=body, headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(req, timeout=timeout) as resp:
        return json.loads(resp.read().decode("utf-8"))


def play(urls: Sequence[str], learners: int, offset: int = 0, long: bool = False) -> Run:
    """Every learner at once (one thread each); learner i's message k goes to ``urls[(i + k) % n]``."""
    scripts = [learner_script(offset + i, long) for i in range(learners)]
    results = [Result(sender, messages) for sender, messages in scripts]
    barrier = threading.Barrier(learners)

    def learner(i: int) -> None:
        result = results[i]
        barrier.wait()
        for k, message in enumerate(result.sent):
            server = (i + k) % len(urls)
            began = time.perf_counter()
            try:
                reply = send(urls[server], result.sender, message)
            except Exception as exc:  # noqa: BLE001 - every failure is counted
                result.errors.append(f"message {k} to server {server}: {type(exc).__name__}: {exc}")
                continue
            finally:
                result.servers.append(server)
                result.latencies.append(time.perf_counter() - began)
            kinds = [(m.get("custom") or {}).get("kind", "") for m in reply]
            if not reply or FAILURE_KINDS & set(kinds):
                result.errors.append(f"message {k} to server {server}: reply {kinds or 'empty'}")

    began = time.perf_counter()
    with ThreadPoolExecutor(max_workers=learners) as pool:
        list(pool.map(learner, range(learners)))
    return Run(results, time.perf_counter() - began)


# --------------------------------------------------------------------------- what was stored


def stored_user_texts(database_url: str) -> Dict[str, List[str]]:
    """Learner messages in the tracker store (``events``), per learner, in order."""
    engine = create_engine(database_url, future=True)
    try:
        with engine.connect() as conn:
            rows = conn.execute(text("SELECT sender_id, data FROM events WHERE type_name = 'user' ORDER BY id"))
            out: Dict[str, List[str]] = {}
            for sender, data in rows:
                out.setdefault(sender, []).append(json.loads(data)["text"])
            return out
    finally:
        engine.dispose()


def stored_sessions(database_url: str) -> Dict[str, Dict[str, Any]]:
    """Per learner: sessions, learner turns in order, outcome, grade /20 and criterion scores."""
    engine = create_engine(database_url, future=True)
    out: Dict[str, Dict[str, Any]] = {}
    try:
        with engine.connect() as conn:
            sessions = conn.execute(text("SELECT id, learner_id, outcome, grade_20 FROM sessions ORDER BY started_at"))
            for sid, learner, outcome, grade in sessions:
                entry = out.setdefault(learner, {"sessions": []})
                entry["sessions"].append(sid)
                entry.update(outcome=outcome, grade_20=grade, session_id=sid)
            for entry in out.values():
                sid = entry["session_id"]
                turns = conn.execute(
                    text("SELECT n, text FROM turns WHERE session_id = :s AND speaker = 'learner' ORDER BY n"),
                    {"s": sid},
                ).all()
                entry["learner_turns"] = [t for _, t in turns]
                entry["turn_numbers"] = [n for n, _ in turns]
                scores = conn.execute(
                    text("SELECT criterion_id, score, level FROM criterion_scores WHERE session_id = :s"), {"s": sid}
                ).all()
                entry["criteria"] = {c: (score, level) for c, score, level in scores}
    finally:
        engine.dispose()
    return out


def redis_keys(redis_url: str, prefix: str) -> List[bytes]:
    import redis

    client = redis.Redis.from_url(redis_url)
    try:
        return list(client.scan_iter(f"{prefix}:*"))
    finally:
        client.close()


def delete_redis_keys(redis_url: str, prefix: str) -> None:
    import redis

    client = redis.Redis.from_url(redis_url)
    try:
        for key in client.scan_iter(f"{prefix}:*"):
            client.delete(key)
    finally:
        client.close()


def environment_urls() -> Tuple[str | None, str | None]:
    return os.environ.get("TEST_DATABASE_URL"), os.environ.get("TEST_REDIS_URL")
