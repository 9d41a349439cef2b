"""Load: 100 learners negotiate at the same time, 20 turns each, over the REST channel.

Each learner plays sequentially (start, 20 messages, debrief); the learners run in
parallel threads against one Rasa server and one action server. Asserted: no error (every
request answered, never the "un instant" or "not saved" coach message), every learner
message in the tracker store and in ``turns``, in order, without duplicates, and every
session ended and scored. Prints the wall time, the throughput and the latencies.

Run twice: on the embedded SQLite default (what ``make run`` uses) and on PostgreSQL (a
throw-away database on ``TEST_DATABASE_URL``; fails in CI when it is missing).
``LOAD_DATABASE=sqlite`` or ``postgresql`` runs one only; ``LOAD_LEARNERS`` /
``LOAD_TURNS`` change the size.
"""

from __future__ import annotations

import json
import os
import statistics
import sys
import time
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from typing import Dict, List

import pytest
from sqlalchemy import create_engine, text

from bot import cli, devstack
from bot.devstack import free_port
from tests.e2e.faults import ThrowAwayDatabase, postgres_url
from tests.e2e.scripts import FOLLOW_UP, SCRIPTS

pytestmark = pytest.mark.e2e

LEARNERS = int(os.environ.get("LOAD_LEARNERS", "100"))
TURNS = int(os.environ.get("LOAD_TURNS", "20"))
SCENARIOS = sorted(SCRIPTS)


def messages(scenario_id: str, n: int) -> List[str]:
    """``n`` messages of a plausible negotiation (the good script, then polite follow-up)."""
    s = SCRIPTS[scenario_id]
    lines = s["opening"] + s["discovery"] + [s["reformulate"], s["solution"]]
    lines += [s["price"]] if s.get("price") else []
    lines += list(s["answers"].values()) + [s["change"], s["close"]] + FOLLOW_UP
    while len(lines) < n:
        lines.append(f"Avez-vous d'autres questions avant que je vous envoie le devis ? ({len(lines)})")
    return lines[:n]


STORAGES = [s for s in ("sqlite", "postgresql") if os.environ.get("LOAD_DATABASE", s) == s]


@pytest.fixture(params=STORAGES)
def database_url(request):
    if request.param == "sqlite":
        yield None
        return
    db = ThrowAwayDatabase(postgres_url(), prefix="nego_load").create()
    try:
        yield str(db.url)
    finally:
        db.drop()


def test_100_learners_in_parallel(database_url, tmp_path):
    if not cli.MODEL.exists():
        pytest.fail("no trained model: run `make train`")
    env = cli.environment()
    env.update(
        RASA_PORT=str(free_port()),
        ACTION_PORT=str(free_port()),
        DATABASE_URL=database_url or f"sqlite:///{tmp_path / 'load.db'}",
        UNSAVED_MESSAGES_FILE=str(tmp_path / "unsaved.jsonl"),
    )
    env["ACTION_ENDPOINT_URL"] = f"http://127.0.0.1:{env['ACTION_PORT']}/webhook"
    url = f"http://127.0.0.1:{env['RASA_PORT']}/webhooks/rest/webhook"
    procs = devstack.start_servers(env, log_dir=tmp_path)
    errors: List[str] = []
    latencies: List[float] = []
    sent: Dict[str, List[str]] = {}

    def send(sender: str, message: str) -> List[dict]:
        body = json.dumps({"sender": sender, "message": message}).encode("utf-8")
        req = urllib.request.Request(url, data=body, headers={"Content-Type": "application/json"})
        t0 = time.monotonic()
        with urllib.request.urlopen(req, timeout=600) as resp:
            reply = json.loads(resp.read().decode("utf-8"))
        latencies.append(time.monotonic() - t0)
        return reply

    def learner(i: int) -> None:
        sender = f"load-{i:03d}"
        scenario_id = SCENARIOS[i % len(SCENARIOS)]
        script = [f'/start_scenario{{"scenario_id": "{scenario_id}"}}'] + messages(scenario_id, TURNS)
        script.append("/request_debrief")
        sent[sender] = script
        for k, message in enumerate(script):
            try:
                reply = send(sender, message)
            except Exception as exc:  # noqa: BLE001
                errors.append(f"{sender} message {k}: {type(exc).__name__}: {exc}")
                continue
            kinds = [(m.get("custom") or {}).get("kind") for m in reply]
            if not reply or "unavailable" in kinds or "storage" in kinds:
                errors.append(f"{sender} message {k}: reply {kinds or 'empty'}")

    t0 = time.monotonic()
    try:
        with ThreadPoolExecutor(max_workers=LEARNERS) as pool:
            list(pool.map(learner, range(LEARNERS)))
        wall = time.monotonic() - t0
        alive = {name: p.poll() is None for name, p in procs.items()}
    finally:
        devstack.stop(procs)
    total = sum(len(s) for s in sent.values())
    latencies.sort()
    print(
        f"\n[load] {LEARNERS} learners x {TURNS} turns (+ start and debrief) = {total} messages "
        f"on {'PostgreSQL' if database_url else 'SQLite'} in {wall:.1f} s: {total / wall:.1f} messages/s; "
        f"latency p50 {statistics.median(latencies):.2f} s, p95 {latencies[int(0.95 * len(latencies))]:.2f} s, "
        f"max {latencies[-1]:.2f} s; errors {len(errors)}",
        file=sys.stderr,
    )
    assert all(alive.values()), alive
    assert errors == [], errors[:20]

    engine = create_engine(env["DATABASE_URL"])
    lost, unscored = [], []
    with engine.connect() as conn:
        for sender, script in sent.items():
            events = conn.execute(
                text("SELECT data FROM events WHERE sender_id = :s AND type_name = 'user' ORDER BY id"), {"s": sender}
            ).all()
            turns = conn.execute(
                text(
                    "SELECT t.text FROM turns t JOIN sessions s ON s.id = t.session_id "
                    "WHERE s.learner_id = :s AND t.speaker = 'learner' ORDER BY s.started_at, t.n"
                ),
                {"s": sender},
            ).all()
            if [json.loads(d)["text"] for (d,) in events] != script or [t for (t,) in turns] != script:
                lost.append(sender)
            sessions = conn.execute(
                text(
                    "SELECT s.grade_20, s.ended_at, (SELECT count(*) FROM criterion_scores c WHERE c.session_id = s.id) "
                    "FROM sessions s WHERE s.learner_id = :s"
                ),
                {"s": sender},
            ).all()
            if len(sessions) != 1 or sessions[0][0] is None or sessions[0][1] is None or not sessions[0][2]:
                unscored.append((sender, sessions))
    engine.dispose()
    assert lost == [], f"{len(lost)} learners with lost, duplicated or reordered turns: {lost[:10]}"
    assert unscored == [], unscored[:10]
