"""Messages per second that N Rasa servers (each with its own action server) sustain here.

    PYTHONPATH=. .venv/bin/python scripts/measure_throughput.py --servers 1 2 --learners 50

Each measurement: a fresh PostgreSQL database (TEST_DATABASE_URL's server), a Redis lock
store (TEST_REDIS_URL) when there is more than one server, N pairs started on free
local ports, then LEARNERS scripted learners (bot/devstack/cluster.py: start, 8 turns in
French, debrief) playing at once, each learner's messages one after the other and sent
to the next server in turn. The rate counts every message from the first to the last
reply; the servers' start-up is not counted. It also prints the CPU seconds each role
(Rasa servers, action servers) spent per message. See docs/capacity.md.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("RASA_TELEMETRY_ENABLED", "false")

from bot.devstack.cluster import Cluster, delete_redis_keys, fresh_database, play, start, stop  # noqa: E402


def measure(servers: int, learners: int, rounds: int, database: str, redis: str, log_dir: Path, long: bool) -> dict:
    prefix = f"measure{uuid.uuid4().hex[:10]}"
    lock_store = f"{redis}{'&' if '?' in redis else '?'}key_prefix={prefix}" if servers > 1 else ""
    runs = []
    cpu: dict = {}
    try:
        with fresh_database(database, prefix="measure") as url:
            cluster = Cluster(url, lock_store)
            try:
                start([cluster], [servers], log_dir / f"{servers}-servers")
                for r in range(rounds):
                    # new learners each round (offset): every round plays whole fresh sessions
                    before = cluster.cpu_seconds()
                    run = play(cluster.urls, learners, offset=r * learners, long=long)
                    after = cluster.cpu_seconds()
                    for role in after:
                        cpu[role] = cpu.get(role, 0.0) + after[role] - before.get(role, 0.0)
                    label = f"{servers} server(s), {learners} {'long ' if long else ''}sessions, round {r + 1}"
                    print(run.summary(label), flush=True)
                    if run.errors:
                        print("\n".join(run.errors[:10]), file=sys.stderr)
                    runs.append(run)
            finally:
                stop([cluster])
    finally:
        if redis:
            delete_redis_keys(redis, prefix)
    messages = sum(r.messages for r in runs)
    seconds = sum(r.seconds for r in runs)
    return {
        "servers": servers,
        "learners": learners,
        "sessions": "long" if long else "short",
        "messages": messages,
        "seconds": round(seconds, 1),
        "messages_per_s": round(messages / seconds, 2),
        "best_round_messages_per_s": round(max(r.rate for r in runs), 2),
        "p50_s": round(sorted(r.percentile(0.5) for r in runs)[len(runs) // 2], 2),
        "p95_s": round(max(r.percentile(0.95) for r in runs), 2),
        "errors": sum(len(r.errors) for r in runs),
        # CPU seconds per message, summed over the processes of each role (less noisy than
        # messages/s on a shared machine: capacity = cores / CPU seconds per message)
        "cpu_s_per_message": {role: round(value / messages, 3) for role, value in sorted(cpu.items())},
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--servers", type=int, nargs="+", default=[1, 2])
    parser.add_argument("--learners", type=int, default=50)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--long", action="store_true", help="whole meetings (~25 turns) instead of 8 turns")
    parser.add_argument("--database", default=os.environ.get("TEST_DATABASE_URL", ""))
    parser.add_argument("--redis", default=os.environ.get("TEST_REDIS_URL", ""))
    parser.add_argument("--out", default=str(ROOT / "results" / "throughput.json"))
    args = parser.parse_args()
    if not args.database or (max(args.servers) > 1 and not args.redis):
        parser.error("needs --database (PostgreSQL URL) and, for several servers, --redis (or TEST_* variables)")
    results = []
    with tempfile.TemporaryDirectory(prefix="throughput-") as tmp:
        for servers in args.servers:
            results.append(
                measure(servers, args.learners, args.rounds, args.database, args.redis, Path(tmp), args.long)
            )
    print(json.dumps(results, indent=2))
    Path(args.out).parent.mkdir(parents=True, exist_ok=True)
    Path(args.out).write_text(json.dumps(results, indent=2), encoding="utf-8")
    return 1 if any(r["errors"] for r in results) else 0


if __name__ == "__main__":
    sys.exit(main())
