"""Response times of the teacher pages on the generated school year (p50/p95, target p95 ≤ 300 ms).

    make bench-teacher        # TEST_DATABASE_URL must point at a throw-away PostgreSQL database
    PYTHONPATH=. .venv/bin/python scripts/bench_teacher.py --database-url "$TEST_DATABASE_URL" [--generate]

``--generate`` first fills the database (``scripts/generate_teacher_data.py --reset``:
1,000 learners, 40 classes, 30,000 sessions). The web app runs as in production (uvicorn,
one worker, ``python -m bot.cli web``); a teacher of two classes logs in and every page
is requested ``--rounds`` times over their classes and learners, one request at a time.
A benchmark, not a test: it prints the figures and exits 1 when a p95 is over the target.
"""

from __future__ import annotations

import argparse
import os
import re
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Callable, Dict, List

import requests
from sqlalchemy import select

from bot import cli, devstack
from bot.storage import db as storage
from bot.storage.models import Group, Learner, SimSession, User

TARGET_MS = 300.0
TEACHER = "prof.bench01"
PASSWORD = "motdepasse-bench"
CSRF_RE = re.compile(r'name="csrf_token" value="([^"]+)"')


def percentile(values: List[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def teacher_pages(url: str) -> Dict[str, Callable[[int], str]]:
    """Page name -> path of the n-th request (rotating over the teacher's classes and learners)."""
    with storage.session_factory(url)() as db:
        teacher = db.scalar(select(User).where(User.username == TEACHER))
        if teacher is None:
            sys.exit(f"no {TEACHER} in the database: run with --generate first")
        groups = list(db.scalars(select(Group.id).where(Group.teacher_id == teacher.id).order_by(Group.id)))
        learners = list(db.scalars(select(Learner.id).where(Learner.group_id.in_(groups)).order_by(Learner.id)))
        scenario = db.scalar(select(SimSession.scenario_id).where(SimSession.learner_id == learners[0]).limit(1))

    def pick(items: list, n: int):
        return items[(n * 7) % len(items)]

    return {
        "classe (carte des niveaux + séances)": lambda n: f"/enseignant/classes/{pick(groups, n)}",
        "liste des séances": lambda n: "/enseignant/seances",
        "liste filtrée (scénario)": lambda n: f"/enseignant/seances?scenario={scenario}",
        "export CSV d'une classe": lambda n: f"/enseignant/export.csv?classe={pick(groups, n)}",
        "page élève": lambda n: f"/enseignant/eleves/{pick(learners, n)}",
        "devoirs d'une classe": lambda n: f"/enseignant/classes/{pick(groups, n)}/devoirs",
        "progression d'une classe": lambda n: f"/enseignant/classes/{pick(groups, n)}/progression",
        "comparer deux tentatives": lambda n: f"/enseignant/eleves/{pick(learners, n)}/comparer?scenario={scenario}",
    }


def login(base: str) -> requests.Session:
    http = requests.Session()
    token = CSRF_RE.search(http.get(base + "/connexion").text).group(1)
    resp = http.post(
        base + "/connexion",
        data={"username": TEACHER, "password": PASSWORD, "csrf_token": token},
        allow_redirects=False,
    )
    if resp.status_code != 303:
        sys.exit(f"login refused ({resp.status_code})")
    return http


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process (Linux ``/proc``): what a page costs the web app,
    whatever else the machine runs at the same time."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def measure(
    base: str, pages: Dict[str, Callable[[int], str]], rounds: int, pid: int
) -> tuple[Dict[str, List[float]], Dict[str, float]]:
    http = login(base)
    timings: Dict[str, List[float]] = {name: [] for name in pages}
    cpu: Dict[str, float] = {name: 0.0 for name in pages}
    for path in pages.values():
        http.get(base + path(0)).raise_for_status()  # warm-up: templates compiled, pool filled
    for n in range(rounds):
        for name, path in pages.items():  # interleaved: every page sees the same background load
            begin, cpu_begin = time.perf_counter(), cpu_seconds(pid)
            resp = http.get(base + path(n))
            elapsed = (time.perf_counter() - begin) * 1000
            cpu[name] += (cpu_seconds(pid) - cpu_begin) * 1000 / rounds
            if resp.status_code != 200:
                sys.exit(f"{path(n)} answered {resp.status_code}")
            timings[name].append(elapsed)
    return timings, cpu


def main(argv: list | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--generate", action="store_true", help="fill the database first (drops it)")
    parser.add_argument("--rounds", type=int, default=40)
    parser.add_argument("--page", help="only the pages whose name contains this text (e.g. « CSV »)")
    args = parser.parse_args(argv)
    if args.generate:
        from scripts.generate_teacher_data import main as generate

        generate(["--database-url", args.database_url, "--reset"])
    storage.upgrade(args.database_url)
    pages = {name: path for name, path in teacher_pages(args.database_url).items() if (args.page or "") in name}
    load_before = os.getloadavg()[0]
    env = cli.environment()
    port = devstack.free_port()
    env.update(
        DATABASE_URL=args.database_url,
        WEB_PORT=str(port),
        RASA_URL=f"http://127.0.0.1:{devstack.free_port()}",
        SECRET_KEY="bench-secret-key",
        WIDGET_SECRET="bench-widget-secret",
    )
    with tempfile.TemporaryDirectory() as tmp:
        process = devstack.start_web(env, log_dir=Path(tmp))
        try:
            timings, cpu = measure(f"http://127.0.0.1:{port}", pages, args.rounds, process.pid)
        finally:
            devstack.stop({"web": process})
    # the figures depend on what else the machine does: say it next to them
    print(f"load average before/after: {load_before:.1f} / {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
    print(f"{'page':42} {'p50 ms':>8} {'p95 ms':>8} {'max ms':>8} {'CPU ms':>8}  (CPU: web process, mean)")
    over = []
    for name, values in timings.items():
        p95 = percentile(values, 0.95)
        print(f"{name:42} {statistics.median(values):8.0f} {p95:8.0f} {max(values):8.0f} {cpu[name]:8.0f}")
        if p95 > TARGET_MS:
            over.append(name)
    print(f"target p95 ≤ {TARGET_MS:.0f} ms: " + ("met" if not over else "NOT met for " + ", ".join(over)))
    return 1 if over else 0


if __name__ == "__main__":
    sys.exit(main())
