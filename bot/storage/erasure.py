"""Erasure of one learner and the retention purge, both driven by the registry of learner data.

Erasure (RGPD art. 17) deletes every row of :data:`~bot.storage.learner_data.REGISTRY`, the
Rasa tracker events of the learner's sender ids and its lines of the journal of unsaved
messages. The audit trail is kept but pseudonymised: the school can still show that an
erasure or an export happened, not whose. No aggregate is kept.

The purge (RGPD art. 5-1-e, storage limitation) applies ``RETENTION_DAYS``: a learner with
no activity since the limit is erased whole; older sessions of the others are deleted with
their transcripts and scores, and so are older tracker events and journal lines.
"""

from __future__ import annotations

import calendar
import hashlib
import json
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Dict, Iterable, List, Sequence

from sqlalchemy import delete, func, select, update
from sqlalchemy.orm import Session
from sqlalchemy.sql import Select

from bot.storage.learner_data import (
    BY_NAME,
    REGISTRY,
    TRACKER_SENDER,
    LearnerTable,
    key_query,
    learner_ids_of,
    table,
    tracker_table,
)
from bot.storage.models import AuditEvent, Learner, SimSession, User


def pseudonym(learner_id: str) -> str:
    """What the audit trail shows instead of an erased learner (the same for the same id)."""
    return "efface-" + hashlib.sha256(learner_id.encode("utf-8")).hexdigest()[:12]


def _pseudonymise_audit(db: Session, ids: Sequence[str], user_ids: Sequence[int], usernames: Sequence[str]) -> int:
    sync = {"synchronize_session": False}  # the session is expired afterwards (erase_learner)
    names = {learner_id: pseudonym(learner_id) for learner_id in ids}
    count = 0
    for learner_id, alias in names.items():
        count += db.execute(
            update(AuditEvent)
            .where(AuditEvent.learner_id == learner_id)
            .values(learner_id=alias)
            .execution_options(**sync)
        ).rowcount
        for column in (AuditEvent.target, AuditEvent.detail):  # « données de alice.dupont »
            db.execute(
                update(AuditEvent)
                .where(column.contains(learner_id))
                .values({column.key: func.replace(column, learner_id, alias)})
                .execution_options(**sync)
            )
    alias = names[ids[0]]
    if user_ids:
        count += db.execute(
            update(AuditEvent)
            .where(AuditEvent.actor_id.in_(list(user_ids)))
            .values(actor_id=None, actor=alias)
            .execution_options(**sync)
        ).rowcount
    lowered = {name.lower() for name in (*usernames, *ids)}
    if lowered:  # failed logins typed with the learner's login name
        count += db.execute(
            update(AuditEvent)
            .where(func.lower(AuditEvent.actor).in_(lowered))
            .values(actor=alias)
            .execution_options(**sync)
        ).rowcount
    return count


def rewrite_journal(path: Path | None, drop) -> int:
    """Remove the lines of the journal of unsaved messages for which ``drop(item)`` is true."""
    if path is None or not path.exists():
        return 0
    kept, dropped = [], 0
    for line in path.read_text(encoding="utf-8").splitlines():
        try:
            item = json.loads(line)
        except ValueError:
            kept.append(line)
            continue
        if isinstance(item, dict) and drop(item):
            dropped += 1
        else:
            kept.append(line)
    if dropped:
        path.write_text("".join(f"{line}\n" for line in kept), encoding="utf-8")
    return dropped


def erase_learner(db: Session, learner_id: str, journal: Path | None = None) -> Dict[str, int]:
    """Delete everything about the learner (and the Telegram guests it linked); counts per table.

    The caller commits (the web route records the erasure in the same transaction).
    """
    ids = learner_ids_of(db, learner_id)
    users = db.execute(select(User.id, User.username).where(User.learner_id.in_(ids))).all()
    counts = {"audit_events": _pseudonymise_audit(db, ids, [u.id for u in users], [u.username for u in users])}
    session_ids = db.scalars(select(SimSession.id).where(SimSession.learner_id.in_(ids))).all()
    for session_id in session_ids:  # « session <id> » in the trail: the id names a deleted session
        db.execute(
            update(AuditEvent)
            .where(AuditEvent.target.contains(session_id))
            .values(target=func.replace(AuditEvent.target, session_id, "(séance effacée)"))
            .execution_options(synchronize_session=False)
        )
    for entry in reversed(REGISTRY):
        if entry.on_erase != "delete":
            continue
        t = table(entry.table)
        counts[entry.table] = db.execute(delete(t).where(t.c[entry.column].in_(key_query(entry, ids)))).rowcount
    events = tracker_table(db)
    if events is not None:
        counts["events"] = db.execute(delete(events).where(events.c[TRACKER_SENDER].in_(ids))).rowcount
    wanted = set(ids)
    counts["unsaved_messages"] = rewrite_journal(journal, lambda item: item.get("sender") in wanted)
    db.expire_all()  # rows were deleted behind the ORM's back
    return counts


def _chain_reaches(entry: LearnerTable, root: str) -> bool:
    while entry.via:
        if entry.via == root:
            return True
        entry = BY_NAME[entry.via]
    return False


def _keys_under(entry: LearnerTable, root: str, root_keys: Select) -> Select:
    """Values of ``entry.column`` for the rows below the chosen rows of ``root``."""
    if entry.via == root:
        return root_keys
    parent = BY_NAME[entry.via]
    parent_table = table(parent.table)
    pk = list(parent_table.primary_key.columns)[0]
    return select(pk).where(parent_table.c[parent.column].in_(_keys_under(parent, root, root_keys)))


def delete_sessions(db: Session, session_ids: Sequence[str]) -> Dict[str, int]:
    """Delete sessions with every registry row below them (turns, scores, overrides...)."""
    counts: Dict[str, int] = {}
    if not session_ids:
        return counts
    chosen = select(SimSession.id).where(SimSession.id.in_(list(session_ids)))
    for entry in reversed(REGISTRY):
        if entry.on_erase == "delete" and _chain_reaches(entry, "sessions"):
            t = table(entry.table)
            counts[entry.table] = db.execute(
                delete(t).where(t.c[entry.column].in_(_keys_under(entry, "sessions", chosen)))
            ).rowcount
    sessions = table("sessions")
    counts["sessions"] = db.execute(delete(sessions).where(sessions.c.id.in_(list(session_ids)))).rowcount
    db.expire_all()
    return counts


@dataclass
class PurgeReport:
    """What the purge removed (or would remove with ``dry_run``)."""

    cutoff: datetime
    learners: List[str] = field(default_factory=list)
    sessions: List[str] = field(default_factory=list)
    rows: Dict[str, int] = field(default_factory=dict)

    def add(self, counts: Dict[str, int]) -> None:
        for name, n in counts.items():
            self.rows[name] = self.rows.get(name, 0) + n

    def summary(self) -> str:
        detail = ", ".join(f"{name} {n}" for name, n in sorted(self.rows.items()) if n)
        return (
            f"Limite de conservation : {self.cutoff:%d/%m/%Y}. Élèves effacés : {len(self.learners)} ; "
            f"séances supprimées : {len(self.sessions)}" + (f" ({detail})." if detail else ".")
        )


def stale_learners(db: Session, cutoff: datetime) -> List[str]:
    """Learners whose last activity (latest session, last login, creation) is older than ``cutoff``."""
    last_session = dict(
        db.execute(select(SimSession.learner_id, func.max(SimSession.started_at)).group_by(SimSession.learner_id)).all()
    )
    last_login = dict(db.execute(select(User.learner_id, User.last_login_at).where(User.learner_id.is_not(None))).all())
    out = []
    for learner in db.scalars(select(Learner).order_by(Learner.id)):
        moments: Iterable[datetime | None] = (
            learner.created_at,
            last_session.get(learner.id),
            last_login.get(learner.id),
        )
        if max(m for m in moments if m is not None) < cutoff:
            out.append(learner.id)
    return out


def purge(
    db: Session, retention_days: int, now: datetime | None = None, journal: Path | None = None, dry_run: bool = False
) -> PurgeReport:
    """Apply the retention limit; the caller commits (or rolls back a dry run)."""
    cutoff = (now or datetime.utcnow()) - timedelta(days=retention_days)
    report = PurgeReport(cutoff=cutoff)
    stale = stale_learners(db, cutoff)
    report.learners = stale
    report.sessions = list(db.scalars(select(SimSession.id).where(SimSession.started_at < cutoff)))
    if dry_run:
        return report
    for learner_id in stale:
        if db.get(Learner, learner_id) is not None:  # a guest erased with the learner who linked it
            report.add(erase_learner(db, learner_id, journal))
    left = list(db.scalars(select(SimSession.id).where(SimSession.started_at < cutoff)))
    report.add(delete_sessions(db, left))
    epoch = calendar.timegm(cutoff.utctimetuple())
    events = tracker_table(db)
    if events is not None:
        report.add({"events": db.execute(delete(events).where(events.c.timestamp < epoch)).rowcount})
    report.add({"unsaved_messages": rewrite_journal(journal, lambda item: float(item.get("timestamp") or 0) < epoch)})
    return report
