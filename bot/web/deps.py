"""What the routes depend on (FastAPI ``Depends``): settings, database session, current user.

The routes import these from here, never from ``app.py``: ``app.py`` builds the
application and includes the routes, so a route importing it would be an import cycle
(FastAPI full-stack template layout).
"""

from __future__ import annotations

from types import SimpleNamespace
from typing import Iterator

from fastapi import Depends, HTTPException, Request
from sqlalchemy.orm import Session

from bot.storage.accounts import STAFF_ROLES
from bot.storage.models import User
from bot.web.settings import Settings


def web_settings(request: Request) -> Settings:
    """The settings the application was created with (tests build their own)."""
    return request.app.state.settings


#: where a user changes their password (the only page open while a temporary password is in use)
PASSWORD_PAGE = "/compte/mot-de-passe"


class NotLoggedIn(Exception):
    pass


class PasswordChangeRequired(Exception):
    """The account has a temporary password (admin reset): nothing else until it is changed."""


def get_db(request: Request) -> Iterator[Session]:
    db = request.app.state.sessions()
    try:
        yield db
        db.commit()
    except Exception:
        db.rollback()
        raise
    finally:
        db.close()


def current_user(request: Request, db: Session = Depends(get_db)) -> User:
    uid = request.session.get("uid")
    user = db.get(User, uid) if isinstance(uid, int) else None
    if user is None or not user.active or request.session.get("pw") != user.password_hash[-16:]:
        request.session.clear()
        raise NotLoggedIn()
    # what templates show; survives the end of the database session (error pages)
    request.state.user = SimpleNamespace(
        id=user.id, username=user.username, display_name=user.display_name, role=user.role
    )
    if user.must_change_password and request.url.path != PASSWORD_PAGE:
        raise PasswordChangeRequired()
    return user


def teacher_user(user: User = Depends(current_user)) -> User:
    if user.role not in STAFF_ROLES:
        raise HTTPException(status_code=403, detail="Page réservée aux enseignants.")
    return user


def student_user(user: User = Depends(current_user)) -> User:
    if user.role != "student" or not user.learner_id:
        raise HTTPException(status_code=403, detail="Page réservée aux élèves.")
    return user


def admin_user(user: User = Depends(current_user)) -> User:
    if user.role != "admin":
        raise HTTPException(status_code=403, detail="Page réservée à l'administrateur.")
    return user
