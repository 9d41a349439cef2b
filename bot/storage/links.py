"""Messaging accounts (Telegram…) and the learners they play as.

A student links a messaging account to their web account with a short code shown on
the web page (``/lier CODE``). An account that is not linked plays as a guest learner
(``tg:<telegram user id>``) whose sessions are recorded like any other.

Every function takes an SQLAlchemy :class:`~sqlalchemy.orm.Session` and commits its
own work (pass ``commit=False`` to leave the transaction to the caller).
"""

from __future__ import annotations

import re
import secrets
from datetime import datetime, timedelta

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from bot.storage.models import ChannelLink, Learner, LinkCode, SimSession

#: no 0/O, 1/I/L: a code read on a screen and typed on a phone is never ambiguous
CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
CODE_LENGTH = 8
CODE_TTL = timedelta(minutes=15)

#: guest learner ids: ``<prefix>:<external id>``
GUEST_PREFIXES = {"telegram": "tg"}


def _now() -> datetime:
    return datetime.utcnow()


def guest_id(channel: str, external_id: str | int) -> str:
    """The learner id of an account that is not linked (``tg:123456`` for Telegram)."""
    return f"{GUEST_PREFIXES.get(channel, channel)}:{external_id}"


def normalize_code(raw: str) -> str:
    """``" k7qm-3xpd "`` → ``"K7QM3XPD"`` (case, spaces and dashes do not matter)."""
    return re.sub(r"[^A-Z0-9]", "", (raw or "").upper())


def _ensure_learner(db: Session, learner_id: str, display_name: str = "") -> Learner:
    learner = db.get(Learner, learner_id)
    if learner is None:
        learner = Learner(id=learner_id, display_name=display_name or learner_id)
        db.add(learner)
        db.flush()
    return learner


def move_sessions(db: Session, from_learner: str, to_learner: str, *, commit: bool = True) -> int:
    """Give ``from_learner``'s sessions (a guest, an account the LMS opened) to ``to_learner``; how many moved.

    The sessions keep their ids, turns, scores and teacher overrides: only their owner changes,
    so the teacher sees one history. The emptied learner record stays (its id may come back).
    """
    if from_learner == to_learner:
        return 0
    moved = db.execute(
        update(SimSession)
        .where(SimSession.learner_id == from_learner)
        .values(learner_id=to_learner)
        .execution_options(synchronize_session=False)
    ).rowcount
    if commit:
        db.commit()
    return moved


def create_link_code(db: Session, learner_id: str, *, now: datetime | None = None, commit: bool = True) -> str:
    """A new code for this learner, valid 15 minutes; the learner's older unused codes stop working."""
    now = now or _now()
    _ensure_learner(db, learner_id)
    db.execute(
        update(LinkCode)
        .where(LinkCode.learner_id == learner_id, LinkCode.used_at.is_(None), LinkCode.expires_at > now)
        .values(expires_at=now)
        .execution_options(synchronize_session=False)
    )
    while True:
        code = "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))
        if db.get(LinkCode, code) is None:
            break
    db.add(LinkCode(code=code, learner_id=learner_id, created_at=now, expires_at=now + CODE_TTL))
    if commit:
        db.commit()
    else:
        db.flush()
    return code


def redeem_link_code(
    db: Session, channel: str, external_id: str | int, code: str, *, now: datetime | None = None, commit: bool = True
) -> str | None:
    """Link the account to the code's learner; the learner id, or None if the code is unknown, used or expired.

    A code works once (the check-and-use is a single conditional UPDATE, so two accounts
    racing for the same code cannot both win). Linking again moves the account to the
    new learner.
    """
    now = now or _now()
    code = normalize_code(code)
    if not code:
        return None
    used = db.execute(
        update(LinkCode)
        .where(LinkCode.code == code, LinkCode.used_at.is_(None), LinkCode.expires_at > now)
        .values(used_at=now)
        .execution_options(synchronize_session=False)
    )
    if used.rowcount != 1:
        return None
    learner_id = db.execute(select(LinkCode.learner_id).where(LinkCode.code == code)).scalar_one()
    external_id = str(external_id)
    # what the account played as a guest is the learner's too: one history (issue 15)
    move_sessions(db, guest_id(channel, external_id), learner_id, commit=False)
    link = db.execute(
        select(ChannelLink).where(ChannelLink.channel == channel, ChannelLink.external_id == external_id)
    ).scalar_one_or_none()
    if link is None:
        db.add(ChannelLink(channel=channel, external_id=external_id, learner_id=learner_id, created_at=now))
    else:
        link.learner_id = learner_id
        link.created_at = now
    try:
        if commit:
            db.commit()
        else:
            db.flush()
    except IntegrityError:  # the same account linked concurrently: the code stays unused
        db.rollback()
        return None
    return learner_id


def linked_learner(db: Session, channel: str, external_id: str | int) -> str | None:
    return db.execute(
        select(ChannelLink.learner_id).where(
            ChannelLink.channel == channel, ChannelLink.external_id == str(external_id)
        )
    ).scalar_one_or_none()


def resolve_learner(db: Session, channel: str, external_id: str | int, display_name: str = "") -> str:
    """The learner this account plays as: the linked one, else the guest ``tg:<id>``.

    A guest learner is created on first sight with ``display_name`` (e.g. « Léa (Telegram) »)
    so that the admin can tell guests apart.
    """
    learner_id = linked_learner(db, channel, external_id)
    if learner_id:
        return learner_id
    learner_id = guest_id(channel, external_id)
    if display_name and db.get(Learner, learner_id) is None:
        try:
            _ensure_learner(db, learner_id, display_name)
            db.commit()
        except IntegrityError:  # created meanwhile by the action server
            db.rollback()
    return learner_id


def unlink(db: Session, channel: str, external_id: str | int, *, commit: bool = True) -> bool:
    """Forget the link of this account (it plays as a guest again); True if there was one."""
    link = db.execute(
        select(ChannelLink).where(ChannelLink.channel == channel, ChannelLink.external_id == str(external_id))
    ).scalar_one_or_none()
    if link is None:
        return False
    db.delete(link)
    if commit:
        db.commit()
    return True
