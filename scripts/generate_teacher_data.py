"""Fill a PostgreSQL database with a school year's worth of data to measure the teacher pages.

    PYTHONPATH=. .venv/bin/python scripts/generate_teacher_data.py --database-url "$TEST_DATABASE_URL" --reset

Makes 20 teachers (``prof.bench01``… ; password ``motdepasse-bench``), 40 classes of 25
students (1,000 learners with their accounts), 30,000 finished and scored sessions spread
over a school year (every rubric criterion scored, a few turns and evidence rows each, a
self-assessment per competence block on two sessions in three), some teacher overrides and
three assignments per class. Rows are written with bulk
``INSERT … VALUES`` (no ORM objects), so the whole set takes a few minutes, not hours.
``--reset`` drops every table of the database first (never point it at real data).
"""

from __future__ import annotations

import argparse
import random
import sys
import time
from datetime import datetime, timedelta

from sqlalchemy import insert, text

from bot.assessment.rubric import default_rubric
from bot.engine.library import default_library
from bot.storage import db as storage
from bot.storage.accounts import hash_password
from bot.storage.models import (
    Assignment,
    CriterionScore,
    Evidence,
    Group,
    Learner,
    ScoreOverride,
    SelfAssessment,
    SimSession,
    Turn,
    User,
)

PASSWORD = "motdepasse-bench"
LEVELS = {0: "TI", 1: "I", 2: "S", 3: "TS"}
YEAR_START = datetime(2026, 9, 7, 8, 0)
BATCH = 5_000


def _flush(conn, table, rows: list) -> None:
    for i in range(0, len(rows), BATCH):
        conn.execute(insert(table), rows[i : i + BATCH])
    rows.clear()


def generate(url: str, classes: int, per_class: int, sessions: int, seed: int = 7) -> dict:
    rng = random.Random(seed)
    engine = storage.get_engine(url)
    rubric = default_rubric()
    scenario_ids = default_library().scenario_ids
    criteria = [c.id for c in rubric.criteria]
    password_hash = hash_password(PASSWORD)
    learners = classes * per_class
    with engine.begin() as conn:
        teachers = [
            {"username": f"prof.bench{t + 1:02d}", "display_name": f"Prof Bench {t + 1}",
             "password_hash": password_hash, "role": "teacher", "active": True, "created_at": YEAR_START}
            for t in range(max(1, classes // 2))
        ]  # fmt: skip
        teacher_ids = [row[0] for row in conn.execute(insert(User.__table__).returning(User.id), teachers)]
        groups = [
            {"name": f"BTS NDRC bench {g + 1:02d}", "code": f"B{g:05d}", "created_at": YEAR_START,
             "teacher_id": teacher_ids[g % len(teacher_ids)]}
            for g in range(classes)
        ]  # fmt: skip
        group_ids = [row[0] for row in conn.execute(insert(Group.__table__).returning(Group.id), groups)]
        learner_rows, user_rows = [], []
        for i in range(learners):
            lid = f"eleve.bench{i + 1:04d}"
            learner_rows.append(
                {"id": lid, "display_name": f"Élève {i + 1:04d}", "group_id": group_ids[i // per_class],
                 "created_at": YEAR_START}
            )  # fmt: skip
            user_rows.append(
                {"username": lid, "display_name": f"Élève {i + 1:04d}", "password_hash": password_hash,
                 "role": "student", "learner_id": lid, "active": True, "created_at": YEAR_START}
            )  # fmt: skip
        _flush(conn, Learner.__table__, learner_rows)
        _flush(conn, User.__table__, user_rows)
        assignments = [
            {"group_id": gid, "scenario_id": scenario_ids[(k + n) % len(scenario_ids)], "mode": mode,
             "opens_at": YEAR_START + timedelta(weeks=4 * k), "due_at": YEAR_START + timedelta(weeks=4 * k + 2),
             "attempts_allowed": 1 if mode == "exam" else 3, "teacher_id": teacher_ids[n % len(teacher_ids)],
             "created_at": YEAR_START}
            for n, gid in enumerate(group_ids)
            for k, mode in enumerate(("training", "training", "exam"))
        ]  # fmt: skip
        _flush(conn, Assignment.__table__, assignments)

    session_rows: list = []
    score_rows: list = []
    turn_rows: list = []
    evidence_rows: list = []
    override_rows: list = []
    self_rows: list = []
    blocks = list(rubric.groups)
    for n in range(sessions):
        learner = n % learners
        sid = f"bench-{n:06d}"
        started = YEAR_START + timedelta(minutes=rng.randrange(0, 270 * 24 * 60))
        ended = started + timedelta(minutes=rng.randrange(8, 30))
        session_rows.append(
            {"id": sid, "learner_id": f"eleve.bench{learner + 1:04d}", "scenario_id": rng.choice(scenario_ids),
             "mode": "exam" if rng.random() < 0.1 else "training", "started_at": started, "ended_at": ended,
             "outcome": rng.choice(("won", "lost")), "outcome_reason": "", "grade_20": round(rng.uniform(4, 18), 1),
             "rubric_version": rubric.version, "scored_at": ended}
        )  # fmt: skip
        for cid in criteria:
            score = rng.choice((None, 0, 1, 1, 2, 2, 2, 3, 3))
            score_rows.append(
                {"session_id": sid, "criterion_id": cid, "score": score, "level": LEVELS.get(score, "na"),
                 "explanation": "Généré pour la mesure.", "advice": "",
                 "evidence_turns": [{"turn": 1, "text": "Bonjour, je vous présente notre offre."}]}
            )  # fmt: skip
        for t in range(1, 7):
            speaker = "learner" if t % 2 else "client"
            turn_rows.append(
                {"session_id": sid, "n": t, "event_key": f"{sid}-{t}", "speaker": speaker, "name": "",
                 "text": "Pouvez-vous me décrire votre besoin ?" if speaker == "learner" else "Bien sûr.",
                 "intent": "ask_open_question" if speaker == "learner" else None, "confidence": 0.9,
                 "phase": "discovery", "kind": "", "at": started + timedelta(minutes=t)}
            )  # fmt: skip
        evidence_rows.append(
            {"session_id": sid, "turn_n": 1, "criterion_id": criteria[n % len(criteria)], "finding": "question ouverte",
             "positive": True}
        )  # fmt: skip
        if rng.random() < 0.05:
            override_rows.append(
                {"session_id": sid, "criterion_id": criteria[0], "score": 2, "level": "S", "comment": "Revu.",
                 "teacher_id": teacher_ids[0], "created_at": ended}
            )  # fmt: skip
        if n % 3:  # not drawn from rng: the rest of the data stays the same as before it was added
            self_rows.extend(
                {"session_id": sid, "block": block, "score": (n + i) % 4, "created_at": ended}
                for i, block in enumerate(blocks)
            )
        if len(session_rows) >= 1_000 or n == sessions - 1:
            with engine.begin() as conn:
                for table, rows in (
                    (SimSession.__table__, session_rows), (CriterionScore.__table__, score_rows),
                    (Turn.__table__, turn_rows), (Evidence.__table__, evidence_rows),
                    (ScoreOverride.__table__, override_rows), (SelfAssessment.__table__, self_rows),
                ):  # fmt: skip
                    _flush(conn, table, rows)
    if engine.dialect.name == "postgresql":
        # statistics and the visibility map as a live database would have them (autovacuum),
        # so the planner picks index-only scans right away
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.execute(text("VACUUM ANALYZE"))
    return {"teachers": len(teacher_ids), "classes": classes, "learners": learners, "sessions": sessions}


def reset(url: str) -> None:
    """Every table dropped, then the schema rebuilt by the migrations."""
    engine = storage.get_engine(url)
    with engine.begin() as conn:
        if engine.dialect.name != "postgresql":
            sys.exit("--reset is only for a throw-away PostgreSQL database")
        conn.execute(text("DROP SCHEMA public CASCADE; CREATE SCHEMA public"))
    storage.upgrade(url)


def main(argv: list | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", required=True, help="a throw-away PostgreSQL database (TEST_DATABASE_URL)")
    parser.add_argument("--reset", action="store_true", help="drop every table first, then migrate")
    parser.add_argument("--classes", type=int, default=40)
    parser.add_argument("--per-class", type=int, default=25)
    parser.add_argument("--sessions", type=int, default=30_000)
    args = parser.parse_args(argv)
    if args.reset:
        reset(args.database_url)
    else:
        storage.upgrade(args.database_url)
    begin = time.perf_counter()
    made = generate(args.database_url, args.classes, args.per_class, args.sessions)
    print(f"{made} in {time.perf_counter() - begin:.0f} s")


if __name__ == "__main__":
    main()
