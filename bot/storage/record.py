"""From tracker events to the learner's record: sessions, turns, evidence, scores.

One code path for the live action server (which receives the whole tracker on every
call) and for ``rebuild`` (which reads the tracker store): both pass the events of a
learner to :func:`record`, which is idempotent, every turn being keyed on its event.
"""

from __future__ import annotations

import hashlib
import uuid
from dataclasses import dataclass, field
from datetime import datetime, timezone
from functools import lru_cache
from typing import Any, Dict, Iterable, List, Sequence

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from bot.assessment.analysis import Analysis, analyse
from bot.assessment.preparation_sheet import PreparationSheet, parse_sheet
from bot.assessment.rubric import Rubric, default_rubric
from bot.assessment.rules import Assessment, TurnRecord, assess
from bot.assessment.rules.desk import assess_desk
from bot.engine.desk_schema import is_desk
from bot.engine.library import Library
from bot.storage.models import CriterionScore, Evidence, Learner, SimSession, Turn
from bot.storage.sheets import preparing_sheet, tie_sheet


@dataclass
class TurnData:
    key: str
    speaker: str
    text: str
    at: datetime
    name: str = ""
    kind: str = ""
    intent: str | None = None
    confidence: float | None = None
    entities: list | None = None
    phase: str | None = None
    before: Dict[str, Any] = field(default_factory=dict)
    after: Dict[str, Any] = field(default_factory=dict)


@dataclass
class SessionData:
    id: str
    sender_id: str
    scenario_id: str
    mode: str
    started_at: datetime
    turns: List[TurnData] = field(default_factory=list)
    final: Dict[str, Any] = field(default_factory=dict)
    ended_at: datetime | None = None
    #: set by :func:`record` when the session is ended and scored
    assessment: Assessment | None = None


def _time(ts: float | None) -> datetime:
    return datetime.fromtimestamp(float(ts or 0), tz=timezone.utc).replace(tzinfo=None)


def _key(sender_id: str, event: Dict[str, Any]) -> str:
    raw = f"{sender_id}|{event.get('event')}|{float(event.get('timestamp') or 0):.6f}|{event.get('text') or ''}"
    return hashlib.sha1(raw.encode("utf-8")).hexdigest()


def storable(text: str) -> str:
    """Text every database takes: no NUL (PostgreSQL refuses it), no unpaired surrogate."""
    return (text or "").replace("\x00", "").encode("utf-8", "replace").decode("utf-8")


def session_id(sender_id: str, started: float) -> str:
    return str(uuid.uuid5(uuid.NAMESPACE_URL, f"negociation:{sender_id}:{started:.6f}"))


def _speaker(event: Dict[str, Any]) -> tuple:
    meta = event.get("metadata") or {}
    text = event.get("text") or ""
    if meta.get("speaker"):
        return meta["speaker"], meta.get("speaker_name") or "", meta.get("body") or text, meta.get("kind") or ""
    custom = (event.get("data") or {}).get("custom") or {}
    if custom.get("speaker"):
        return custom["speaker"], custom.get("name", ""), custom.get("text", text), custom.get("kind", "")
    name, _, body = text.partition(" : ")
    if body and len(name) < 60:
        return ("coach" if name == "Coach" else "client"), name, body, ""
    return "client", "", text, ""


def split_sessions(sender_id: str, events: Iterable[Dict[str, Any]]) -> List[SessionData]:
    """Group a learner's events into simulations (each starts with a fresh engine state)."""
    sessions: List[SessionData] = []
    current: SessionData | None = None
    pending_start: Dict[str, Any] | None = None
    #: bot messages that answered a pending start (an unknown scenario id gets an answer, no session)
    pending_bots: List[TurnData] = []
    state: Dict[str, Any] = {}
    last_user: TurnData | None = None
    last_user_in_session = False
    phase: str | None = None

    def failed_start() -> None:
        # A start that opened no simulation is a learner message of the running one.
        nonlocal pending_start
        if pending_start is not None and current is not None:
            current.turns.append(pending_start["turn"])
            current.turns.extend(pending_bots)
        pending_start = None
        pending_bots.clear()

    for event in events:
        kind = event.get("event")
        if kind == "user":
            intent = (event.get("parse_data") or {}).get("intent") or {}
            turn = TurnData(
                key=_key(sender_id, event),
                speaker="learner",
                text=event.get("text") or "",
                at=_time(event.get("timestamp")),
                intent=intent.get("name"),
                confidence=intent.get("confidence"),
                entities=[
                    {k: e.get(k) for k in ("entity", "value", "start", "end")}
                    for e in (event.get("parse_data") or {}).get("entities") or []
                ],
                phase=phase,
                before=dict(state),
                after=dict(state),
            )
            failed_start()
            last_user = turn
            last_user_in_session = False
            if turn.intent == "start_scenario":
                pending_start = {"turn": turn, "event": event}
                continue
            pending_start = None
            if current is not None:
                current.turns.append(turn)
                last_user_in_session = True
        elif kind == "slot" and event.get("name") == "sim_state" and isinstance(event.get("value"), dict):
            value = event["value"]
            if value.get("turn") == 0 and value.get("scenario_id"):
                if current is not None:
                    current.turns.extend(pending_bots)
                pending_bots.clear()
                started = float(event.get("timestamp") or 0)
                current = SessionData(
                    id=session_id(sender_id, started),
                    sender_id=sender_id,
                    scenario_id=value["scenario_id"],
                    mode=value.get("mode", "training"),
                    started_at=_time(started),
                )
                if pending_start is not None:
                    current.turns.append(pending_start["turn"])
                    pending_start = None
                    last_user_in_session = False
                sessions.append(current)
                state = {}
            if current is not None:
                if last_user is not None and last_user_in_session:
                    last_user.after = dict(value)
                current.final = dict(value)
                if value.get("ended") and current.ended_at is None:
                    current.ended_at = _time(event.get("timestamp"))
            state = dict(value)
        elif kind == "slot" and event.get("name") == "phase":
            phase = event.get("value")
            if last_user is not None and last_user_in_session:
                last_user.phase = phase
        elif kind == "bot" and current is not None:
            speaker, name, body, msg_kind = _speaker(event)
            at = _time(event.get("timestamp"))
            bot = TurnData(_key(sender_id, event), speaker, body, at, name=name, kind=msg_kind, phase=phase)
            (pending_bots if pending_start is not None else current.turns).append(bot)
    failed_start()
    return sessions


@lru_cache(maxsize=4096)
def _analysis(key: str, text: str) -> Analysis:
    """A learner message is analysed (spaCy) when its turn is stored, then read again by every
    scoring of its session: once per message (``key``), the result shared (read only)."""
    return analyse(text)


def _moves(turn: TurnData) -> List[str] | None:
    if turn.speaker != "learner" or turn.intent == "start_scenario":
        return None
    return _analysis(turn.key, turn.text).moves


def learner_records(session: SessionData) -> List[TurnRecord]:
    records = []
    for n, turn in enumerate(session.turns, 1):
        if turn.speaker != "learner" or turn.intent == "start_scenario" or not turn.before:
            continue
        records.append(
            TurnRecord(
                n,
                turn.text,
                turn.intent or "",
                _analysis(turn.key, turn.text),
                turn.before,
                turn.after,
                turn.confidence or 0.0,
            )
        )
    return records


def score_session(
    library: Library, rubric: Rubric, session: SessionData, sheet: PreparationSheet | None = None
) -> Assessment | None:
    if session.scenario_id not in library.scenarios:
        return None
    scenario = library.of({"scenario_id": session.scenario_id, **session.final})  # the drawn values: exact grading
    if is_desk(scenario):
        return assess_desk(scenario, rubric, learner_records(session), session.final)
    return assess(scenario, rubric, learner_records(session), session.final, na=scenario.na_criteria, sheet=sheet)


def write_session(db: Session, data: SessionData, assessment: Assessment | None) -> SimSession:
    """Upsert one session and its turns; replace its scores (idempotent)."""
    learner = db.get(Learner, data.sender_id)
    if learner is None:
        learner = Learner(id=data.sender_id, display_name=data.sender_id[:120])
        db.add(learner)
    row = db.get(SimSession, data.id)
    if row is None:
        row = SimSession(
            id=data.id, learner_id=data.sender_id, scenario_id=data.scenario_id, started_at=data.started_at
        )
        db.add(row)
    row.mode = data.mode
    row.outcome = data.final.get("outcome", "open") if data.final.get("ended") else "open"
    row.outcome_reason = data.final.get("outcome_reason", "")
    row.ended_at = data.ended_at
    existing = set(db.scalars(select(Turn.event_key).where(Turn.session_id == data.id)))
    for n, t in enumerate(data.turns, 1):
        if t.key in existing:
            continue
        db.add(
            Turn(
                session_id=data.id,
                n=n,
                event_key=t.key,
                speaker=t.speaker,
                name=storable(t.name)[:120],
                text=storable(t.text),
                intent=t.intent,
                confidence=t.confidence,
                entities=t.entities,
                moves=_moves(t),
                phase=t.phase,
                kind=t.kind,
                at=t.at,
            )
        )
    if assessment is not None:
        db.execute(delete(CriterionScore).where(CriterionScore.session_id == data.id))
        db.execute(delete(Evidence).where(Evidence.session_id == data.id))
        for cid, result in assessment.scores.items():
            db.add(
                CriterionScore(
                    session_id=data.id,
                    criterion_id=cid,
                    score=result.score,
                    level=result.level,
                    explanation=result.explanation,
                    advice=result.advice,
                    evidence_turns=[{"turn": n, "text": text} for n, text in result.evidence],
                )
            )
        for f in assessment.findings:
            db.add(
                Evidence(
                    session_id=data.id,
                    turn_n=f.turn,
                    criterion_id=f.criterion_id,
                    finding=f.finding[:255],
                    positive=f.positive,
                )
            )
        row.grade_20 = assessment.grade_20
        row.rubric_version = default_rubric().version
        row.scored_at = datetime.utcnow()
    return row


def record(
    db: Session,
    library: Library,
    sender_id: str,
    events: Sequence[Dict[str, Any]],
    only_last: bool = True,
    rubric: Rubric | None = None,
) -> List[SessionData]:
    """Store the learner's sessions found in ``events``; score the ended ones."""
    rubric = rubric or default_rubric()
    sessions = split_sessions(sender_id, events)
    chosen = sessions[-1:] if only_last else sessions
    for data in chosen:
        sheet_row = None
        if data.final.get("ended"):
            sheet_row = preparing_sheet(db, data.id, data.sender_id, data.scenario_id, data.started_at)
            sheet = parse_sheet(sheet_row.content) if sheet_row is not None else None
            data.assessment = score_session(library, rubric, data, sheet)
        else:
            data.assessment = None
        write_session(db, data, data.assessment)
        if sheet_row is not None and data.assessment is not None:
            tie_sheet(db, sheet_row, data.id)
    db.commit()
    return chosen
