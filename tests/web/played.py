"""A session played through the real engine from a graded transcript and stored as the chat stores it
(turns, scores, the coach's debrief line), without Rasa: what the debrief pages are tested on."""

from __future__ import annotations

import copy
from datetime import datetime, timedelta
from pathlib import Path

import yaml

from bot.assessment.debrief import debrief
from bot.assessment.rubric import default_rubric
from bot.engine import simulation
from bot.engine.library import Library
from bot.engine.state import Move
from bot.storage.record import SessionData, TurnData, score_session, write_session

TRANSCRIPTS = Path(__file__).resolve().parents[1] / "transcripts"


def store_played(db, library: Library, learner_id: str, transcript: str, session_id: str) -> SessionData:
    """Play ``tests/transcripts/<transcript>.yml`` for ``learner_id`` and write it to ``db``."""
    data = yaml.safe_load((TRANSCRIPTS / f"{transcript}.yml").read_text(encoding="utf-8"))
    scenario_id = data["scenario"]
    at = datetime(2026, 11, 25, 9, 0)
    state = simulation.start(library, scenario_id, seed=simulation.seed_for(transcript))
    session = SessionData(session_id, learner_id, scenario_id, "training", at)
    for i, (intent, text) in enumerate(data["turns"]):
        before = copy.deepcopy(state.to_dict())
        reply = simulation.step(library, state, Move(intent, text))
        at += timedelta(seconds=30)
        key = f"{session_id}-{i}"
        session.turns.append(
            TurnData(key, "learner", text, at, intent=intent, confidence=0.95, before=before, after=state.to_dict())
        )
        for j, u in enumerate(reply.utterances):
            session.turns.append(TurnData(f"{key}-{j}", u.speaker, u.text, at, name=u.name, kind=u.kind))
    simulation.finish(state)
    session.final = state.to_dict()
    session.ended_at = at + timedelta(minutes=1)
    assessment = score_session(library, default_rubric(), session)
    topic_hints = library.coach.get("hints", {}).get("topic", {})
    text = debrief(library.scenario(scenario_id), default_rubric(), assessment, state.outcome_reason, topic_hints)
    session.turns.append(TurnData(f"{session_id}-debrief", "coach", text, session.ended_at, "Coach", "debrief"))
    write_session(db, session, assessment)
    db.commit()
    session.assessment = assessment
    return session
