"""What happens to an account after its creation: password change, admin reset, deactivation.

Each change ends what the old state allowed (issue 14): a new password ends the user's
other web sessions and the widget links bound to the old password; a deactivation ends
every session and API token. Account events go to the audit trail (``bot.storage.audit``).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import update
from sqlalchemy.orm import Session

from bot.storage import accounts
from bot.storage.accounts import AccountError
from bot.storage.audit import record_event
from bot.storage.models import ApiToken, User
from bot.storage.web_sessions import revoke_user_sessions


def _record(db: Session, actor: User, action: str, subject: User) -> None:
    """An account event in the audit trail (``bot/storage/audit.py``)."""
    record_event(db, action, actor=actor, target=f"compte {subject.username}")


def change_password(db: Session, user: User, current: str, new: str, confirm: str, keep_session: str | None) -> None:
    """The user's own change: the current password is required; the other sessions end."""
    if not accounts.password_matches(user.password_hash, current):
        raise AccountError("Le mot de passe actuel est incorrect.")
    if new != confirm:
        raise AccountError("Les deux saisies du nouveau mot de passe ne sont pas identiques.")
    if new == current:
        raise AccountError("Le nouveau mot de passe doit être différent de l'actuel.")
    accounts.check_password_strength(new)
    user.password_hash = accounts.hash_password(new)
    user.must_change_password = False
    revoke_user_sessions(db, user.id, keep_hash=keep_session)
    _record(db, user, "password_changed", user)


def reset_password(db: Session, admin: User, target: User) -> str:
    """A temporary password, shown once to the admin, to be changed at the next login."""
    if target.id == admin.id:
        raise AccountError("Changez votre propre mot de passe depuis la page « Mot de passe ».")
    temporary = accounts.random_password(12)
    target.password_hash = accounts.hash_password(temporary)
    target.must_change_password = True
    revoke_user_sessions(db, target.id)
    _record(db, admin, "password_reset", target)
    return temporary


def set_active(db: Session, admin: User, target: User, active: bool) -> None:
    """Deactivate (sessions and API tokens end) or reactivate an account."""
    if target.id == admin.id:
        raise AccountError("Vous ne pouvez pas désactiver votre propre compte.")
    target.active = active
    if not active:
        revoke_user_sessions(db, target.id)
        db.execute(
            update(ApiToken)
            .where(ApiToken.user_id == target.id, ApiToken.revoked_at.is_(None))
            .values(revoked_at=datetime.utcnow())
        )
    _record(db, admin, "account_reactivated" if active else "account_deactivated", target)
