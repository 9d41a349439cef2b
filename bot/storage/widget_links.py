"""Widget links a teacher gave out for a student: listed on the student's page and revocable.

A link is a row; its token is signed from the row (``bot.web.security.widget_token``
with the row's id and time), so the token is never stored and the page shows the same
one until it is half spent. Revoking the row kills the token at once, before its 8 hours.
"""

from __future__ import annotations

import secrets
from datetime import datetime, timedelta
from typing import List

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.storage.models import User, WidgetLink

#: how long a widget token is valid (``bot.web.security.widget_claims`` checks the signature's age)
LINK_LIFETIME = timedelta(hours=8)


def active_links(db: Session, student: User) -> List[WidgetLink]:
    since = datetime.utcnow() - LINK_LIFETIME
    query = select(WidgetLink).where(
        WidgetLink.user_id == student.id, WidgetLink.revoked_at.is_(None), WidgetLink.created_at > since
    )
    return list(db.scalars(query.order_by(WidgetLink.created_at.desc())))


def current_link(db: Session, student: User, teacher: User) -> WidgetLink:
    """The link to show: the newest one with more than half its life left, else a new one."""
    fresh = [link for link in active_links(db, student) if datetime.utcnow() - link.created_at < LINK_LIFETIME / 2]
    if fresh:
        return fresh[0]
    link = WidgetLink(
        id=secrets.token_hex(8),
        user_id=student.id,
        teacher_id=teacher.id,
        created_at=datetime.utcnow().replace(microsecond=0),
    )
    db.add(link)
    db.flush()
    return link


def link_is_live(db: Session, link_id: str, student: User) -> bool:
    link = db.get(WidgetLink, link_id)
    return link is not None and link.user_id == student.id and link.revoked_at is None


def revoke(db: Session, student: User, link_id: str | None = None) -> int:
    """Revoke one link (``link_id``) or all the student's links; how many were revoked."""
    links = [link for link in active_links(db, student) if link_id in (None, link.id)]
    for link in links:
        link.revoked_at = datetime.utcnow()
    return len(links)


def issued_at(link: WidgetLink) -> int:
    """The signature time of the link's token (the row's creation, in UTC seconds)."""
    return int((link.created_at - datetime(1970, 1, 1)).total_seconds())
