"""The audit trail: who exported, erased, overrode or viewed a learner's data, and account events.

One function, :func:`record_event`, for every part of the project (web routes, command line,
account management): it adds the row to the caller's database session, which commits it with
the rest of the request's work. Action names are stable identifiers; :data:`ACTION_LABELS`
gives the French wording of the admin page.
"""

from __future__ import annotations

from datetime import datetime
from typing import List, Sequence

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.storage.models import AuditEvent, User

ACTION_LABELS = {
    "view_learner": "consultation de la fiche d'un élève",
    "view_session": "consultation d'une séance",
    "export_csv": "export CSV des scores",
    "export_csv_pseudo": "export CSV pseudonymisé",
    "export_pdf": "fiche d'évaluation PDF",
    "export_json": "export des données (JSON)",
    "export_data_pdf": "export des données (PDF)",
    "override": "correction d'un score",
    "correct_move": "correction d'une étiquette",
    "erase": "effacement d'un élève",
    "purge": "purge de conservation",
    "login_failed": "échec de connexion",
    "password_changed": "changement de mot de passe",
    "account_deactivated": "compte désactivé",
    "api_read": "lecture par l'API (jeton)",
}


def record_event(
    db: Session,
    action: str,
    *,
    actor: User | None = None,
    actor_name: str = "",
    learner_id: str | None = None,
    target: str = "",
    detail: str = "",
    ip: str = "",
) -> AuditEvent:
    """Add one row to the audit trail (committed with the caller's session)."""
    event = AuditEvent(
        at=datetime.utcnow(),
        actor_id=actor.id if actor is not None else None,
        actor=(actor.username if actor is not None else actor_name)[:255],
        action=action[:32],
        learner_id=learner_id,
        target=target[:255],
        detail=detail,
        ip=ip[:64],
    )
    db.add(event)
    return event


def recent_events(db: Session, limit: int = 500, actions: Sequence[str] = ()) -> List[AuditEvent]:
    """The newest events first (the admin page)."""
    query = select(AuditEvent).order_by(AuditEvent.at.desc(), AuditEvent.id.desc()).limit(limit)
    if actions:
        query = query.where(AuditEvent.action.in_(list(actions)))
    return list(db.scalars(query))
