"""Results API (``contract.md`` §6): bearer tokens, 401 without, 403 outside one's classes."""

from __future__ import annotations

from typing import Any, Dict, List

from fastapi import APIRouter, Depends, HTTPException, Request
from sqlalchemy.orm import Session

from bot.storage import accounts
from bot.storage.audit import record_event
from bot.storage.models import Learner, User
from bot.storage.results import learner_sessions, session_json
from bot.web.deps import get_db
from bot.web.grades import grades_for

router = APIRouter(prefix="/api/v1", tags=["résultats"])
CHALLENGE = {"WWW-Authenticate": "Bearer"}


def token_user(request: Request, db: Session = Depends(get_db)) -> User:
    scheme, _, token = request.headers.get("authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise HTTPException(status_code=401, detail="Jeton d'API manquant.", headers=CHALLENGE)
    user = accounts.user_for_token(db, token.strip())
    if user is None:
        raise HTTPException(status_code=401, detail="Jeton d'API invalide ou révoqué.", headers=CHALLENGE)
    return user


@router.get("/learners/{learner_id}/sessions")
def sessions(
    learner_id: str, request: Request, user: User = Depends(token_user), db: Session = Depends(get_db)
) -> List[Dict[str, Any]]:
    """The learner's sessions, newest first, with scores, evidence and every turn; ``grade_20`` is the
    final grade (the teacher's scores win), ``grade_20_automatic`` the proposed one."""
    if not accounts.can_see_learner(db, user, learner_id):
        raise HTTPException(status_code=403, detail="Cet élève n'appartient pas à vos classes.")
    if db.get(Learner, learner_id) is None:
        return []
    ip = request.client.host if request.client else ""
    record_event(db, "api_read", actor=user, learner_id=learner_id, target="API résultats", ip=ip)
    found = learner_sessions(db, learner_id)
    grades = grades_for(request, db, found)
    return [session_json(s, grades[s.id]) for s in found]
