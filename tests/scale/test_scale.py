"""Horizontal scale, Rasa's documented way, on this machine's real PostgreSQL and Redis.

Two Rasa servers (each with its own action server) share one PostgreSQL tracker store
and one Redis lock store. 50 learners play at once, every message going to the other
server than the previous one. Nothing may fail, be lost, duplicated or reordered, and
every learner's scores must equal those of the same scripts played through a single
server (default in-memory lock store) into another fresh database.

Run by ``make test-scale`` (``.ci/run`` calls it after ``make test``); prints the
messages per second of both runs (docs/capacity.md).
"""

from __future__ import annotations

import json
import os
import uuid

import pytest

from bot import cli
from bot.devstack.cluster import (
    Cluster,
    delete_redis_keys,
    environment_urls,
    fresh_database,
    play,
    redis_keys,
    start,
    stop,
    stored_sessions,
    stored_user_texts,
)

pytestmark = pytest.mark.scale

LEARNERS = int(os.environ.get("SCALE_LEARNERS", "50"))
CRITERIA = 19


def required_services():
    database, redis = environment_urls()
    missing = [name for name, url in (("TEST_DATABASE_URL", database), ("TEST_REDIS_URL", redis)) if not url]
    if missing:
        if os.environ.get("CI"):
            pytest.fail(f"{', '.join(missing)} must be set in CI: the scale test needs PostgreSQL and Redis")
        pytest.skip(f"{', '.join(missing)} not set")
    if not cli.MODEL.exists():
        pytest.fail("no trained model: run `make train`")
    return database, redis


def test_two_rasa_servers_share_the_tracker_store_and_the_locks(tmp_path, capsys):
    database, redis = required_services()
    prefix = f"scale{uuid.uuid4().hex[:10]}"
    lock_store_url = f"{redis}{'&' if '?' in redis else '?'}key_prefix={prefix}"
    try:
        with fresh_database(database) as two_db, fresh_database(database) as one_db:
            two, one = Cluster(two_db, lock_store_url), Cluster(one_db, "")
            try:
                start([two, one], [2, 1], tmp_path / "logs")
                assert redis_keys(redis, prefix) == []
                cpu = [two.cpu_seconds()]
                two_servers = play(two.urls, LEARNERS)
                cpu += [two.cpu_seconds(), one.cpu_seconds()]
                one_server = play(one.urls, LEARNERS)
                cpu += [one.cpu_seconds()]
            finally:
                stop([two, one])
            cpu_per_message = {
                label: {role: round((end[role] - begin[role]) / run.messages, 3) for role in end}
                for label, begin, end, run in (("two_servers", cpu[0], cpu[1], two_servers),
                                               ("one_server", cpu[2], cpu[3], one_server))
            }  # fmt: skip
            report = {
                "learners": LEARNERS,
                "two_servers": {"messages": two_servers.messages, "seconds": round(two_servers.seconds, 1),
                                "messages_per_s": round(two_servers.rate, 2)},
                "one_server": {"messages": one_server.messages, "seconds": round(one_server.seconds, 1),
                               "messages_per_s": round(one_server.rate, 2)},
                "cpu_s_per_message": cpu_per_message,
            }  # fmt: skip
            with capsys.disabled():
                print("\n" + two_servers.summary(f"2 Rasa servers, {LEARNERS} learners"))
                print(one_server.summary(f"1 Rasa server,  {LEARNERS} learners"))
                print(f"CPU seconds per message: {cpu_per_message}")
            (cli.ROOT / "results").mkdir(exist_ok=True)
            (cli.ROOT / "results" / "scale.json").write_text(json.dumps(report, indent=2), encoding="utf-8")

            assert two_servers.errors == [], two.logs()
            assert one_server.errors == [], one.logs()
            # every learner really alternated between the two servers
            for result in two_servers.results:
                assert result.servers[:2] in ([0, 1], [1, 0]) and len(set(result.servers[::2])) == 1

            sent = {r.sender: r.sent for r in two_servers.results}
            # the tracker store: every learner message once, in order
            assert stored_user_texts(two_db) == sent
            assert stored_user_texts(one_db) == sent
            # the project's tables: one session per learner, every turn once, in order, scored
            two_sessions, one_sessions = stored_sessions(two_db), stored_sessions(one_db)
            assert set(two_sessions) == set(sent) == set(one_sessions)
            for sender, messages in sent.items():
                session = two_sessions[sender]
                assert len(session["sessions"]) == 1, sender
                assert session["learner_turns"] == messages, sender
                assert session["turn_numbers"] == sorted(set(session["turn_numbers"])), sender
                assert session["grade_20"] is not None and len(session["criteria"]) == CRITERIA, sender
            # the same scores as through one server
            for sender in sent:
                two_s, one_s = two_sessions[sender], one_sessions[sender]
                assert (two_s["outcome"], two_s["grade_20"]) == (one_s["outcome"], one_s["grade_20"]), sender
                assert two_s["criteria"] == one_s["criteria"], sender
            # every conversation lock was released
            assert redis_keys(redis, prefix) == []
    finally:
        delete_redis_keys(redis, prefix)
