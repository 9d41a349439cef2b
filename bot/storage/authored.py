"""Scenarios written in the browser: versions, visibility, and their place in the library.

The files of ``data/scenarios/`` are the built-in library. A teacher's scenario is stored here, one
row per version (``AuthoredScenario``), and joins the library under the id ``<slug>@<version>``: the
engine, the action server and the debrief find it as they find a file, without a restart or a
retraining (the library is re-read when a row changes, at most every ``RECHECK_S`` seconds). A
version is frozen once it is published or has been played: a session's ``scenario_id`` then always
names the very text the learner played, and an edit makes the next version.
"""

from __future__ import annotations

import logging
import re
import threading
import time
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Dict, FrozenSet, List, Tuple

from pydantic import ValidationError
from sqlalchemy import func, select
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from bot.engine.library import Library, default_library
from bot.engine.scenario import Scenario
from bot.storage import db as storage
from bot.storage.models import AuthoredScenario, SimSession, User

log = logging.getLogger(__name__)

#: who sees a scenario: its author, every teacher of the school, or the students too
VISIBILITIES = {"private": "Moi seul(e)", "school": "Mon établissement", "published": "Publié pour les élèves"}
SLUG = re.compile(r"^[a-z0-9][a-z0-9-]{2,39}$")
#: how long the library trusts its copy of the table before asking whether a row changed
RECHECK_S = 2.0
#: after a database error, how long the library keeps what it had before asking again
RETRY_S = 10.0


class AuthoringError(ValueError):
    """A save or a publication refused, with a message a teacher can act on (French)."""


def key(slug: str, version: int) -> str:
    """The id a version has in the library and in the sessions that play it."""
    return f"{slug}@{version}"


def split_key(scenario_id: str) -> Tuple[str, int] | None:
    """(slug, version) of an editor scenario id, ``None`` for a built-in scenario."""
    slug, sep, version = scenario_id.rpartition("@")
    return (slug, int(version)) if sep and version.isdigit() else None


def latest(db: Session, slug: str) -> AuthoredScenario | None:
    return db.scalar(
        select(AuthoredScenario).where(AuthoredScenario.slug == slug).order_by(AuthoredScenario.version.desc()).limit(1)
    )


def version_row(db: Session, scenario_id: str) -> AuthoredScenario | None:
    parts = split_key(scenario_id)
    if parts is None:
        return None
    return db.scalar(
        select(AuthoredScenario).where(AuthoredScenario.slug == parts[0], AuthoredScenario.version == parts[1])
    )


def playable(db: Session, library: Library, scenario_id: str) -> bool:
    """May a student open and play ``scenario_id``? Every listed scenario, and an older *published*
    version too: an assignment or an LMS activity names the version its students played, and a newer
    publication must not take it from them (it is frozen). Drafts never."""
    if scenario_id in library.scenario_ids:
        return True
    if scenario_id not in library.scenarios:
        return False
    row = version_row(db, scenario_id)
    return row is not None and row.published_at is not None


def can_edit(user: User, row: AuthoredScenario) -> bool:
    return row.author_id == user.id or user.role == "admin"


def can_see(user: User, row: AuthoredScenario) -> bool:
    return can_edit(user, row) or row.visibility in ("school", "published")


def visible(db: Session, user: User) -> List[AuthoredScenario]:
    """The latest version of every scenario this teacher may open, newest first."""
    newest = (
        select(AuthoredScenario.slug, func.max(AuthoredScenario.version).label("version"))
        .group_by(AuthoredScenario.slug)
        .subquery()
    )
    rows = db.scalars(
        select(AuthoredScenario)
        .join(newest, (AuthoredScenario.slug == newest.c.slug) & (AuthoredScenario.version == newest.c.version))
        .order_by(AuthoredScenario.updated_at.desc())
    )
    return [r for r in rows if can_see(user, r)]


def played(db: Session, row: AuthoredScenario) -> bool:
    return (
        db.scalar(select(SimSession.id).where(SimSession.scenario_id == key(row.slug, row.version)).limit(1))
        is not None
    )


def frozen(db: Session, row: AuthoredScenario) -> bool:
    """A published or played version is never changed again (sessions name it)."""
    return row.published_at is not None or played(db, row)


def save(db: Session, user: User, body: Dict[str, Any], visibility: str, reserved: FrozenSet[str]) -> AuthoredScenario:
    """Store ``body`` (a scenario already validated) as the draft of its slug; a frozen latest
    version is kept and the draft becomes the next version. ``reserved``: the built-in ids."""
    slug = str(body.get("id") or "")
    if not SLUG.match(slug):
        raise AuthoringError(
            "Identifiant invalide : 3 à 40 caractères, minuscules sans accent, chiffres et tirets "
            "(ex. « vente-copieurs »)."
        )
    if slug in reserved:
        raise AuthoringError(f"L'identifiant « {slug} » est celui d'un scénario intégré : choisissez-en un autre.")
    if visibility not in ("private", "school"):
        raise AuthoringError("Visibilité inconnue : « moi seul(e) » ou « mon établissement ».")
    row = latest(db, slug)
    if row is not None and not can_edit(user, row):
        raise AuthoringError(f"L'identifiant « {slug} » est déjà utilisé par un autre enseignant.")
    now = datetime.utcnow()
    if row is None or frozen(db, row):
        row = AuthoredScenario(slug=slug, version=row.version + 1 if row else 1, author_id=user.id, created_at=now)
        db.add(row)
    row.body = body
    row.title = str(body.get("title") or slug)[:200]
    row.visibility = visibility
    row.updated_at = now
    db.flush()
    return row


def publish(db: Session, user: User, slug: str) -> AuthoredScenario:
    """Students see the latest version from now on (it is frozen)."""
    row = latest(db, slug)
    if row is None or not can_edit(user, row):
        raise AuthoringError("Scénario introuvable.")
    row.visibility = "published"
    row.published_at = row.published_at or datetime.utcnow()
    row.updated_at = datetime.utcnow()
    db.flush()
    return row


def parse(row: AuthoredScenario) -> Scenario:
    """The engine's scenario for one version (its id is the version's key)."""
    return Scenario.parse_obj(row.body).copy(update={"id": key(row.slug, row.version)})


@dataclass
class _Copy:
    signature: tuple = ()
    scenarios: Dict[str, Scenario] = field(default_factory=dict)
    listed: FrozenSet[str] = frozenset()
    checked: float = 0.0


_copies: Dict[str, _Copy] = {}
_lock = threading.Lock()


def _signature(db: Session) -> tuple:
    return tuple(db.execute(select(func.count(AuthoredScenario.id), func.max(AuthoredScenario.updated_at))).one())


def _read(db: Session, copy: _Copy) -> None:
    rows = list(db.scalars(select(AuthoredScenario).order_by(AuthoredScenario.slug, AuthoredScenario.version)))
    scenarios: Dict[str, Scenario] = {}
    newest_published: Dict[str, str] = {}
    for row in rows:
        try:
            scenarios[key(row.slug, row.version)] = parse(row)
        except (ValidationError, ValueError, TypeError) as exc:  # saved by an older schema: skipped, not fatal
            log.warning("editor scenario %s@%s no longer valid: %s", row.slug, row.version, exc)
            continue
        if row.published_at is not None:
            newest_published[row.slug] = key(row.slug, row.version)
    copy.scenarios, copy.listed = scenarios, frozenset(newest_published.values())


def authored_scenarios(url: str | None = None) -> Tuple[Dict[str, Scenario], FrozenSet[str]]:
    """Every stored version (by key) and the keys students are offered (latest published ones)."""
    url = storage.database_url(url)
    with _lock:
        copy = _copies.setdefault(url, _Copy())
        if time.monotonic() - copy.checked < RECHECK_S:
            return copy.scenarios, copy.listed
        try:
            with storage.session_factory(url)() as db:
                signature = _signature(db)
                if signature != copy.signature:
                    _read(db, copy)
                    copy.signature = signature
            copy.checked = time.monotonic()
        except SQLAlchemyError as exc:  # no table yet, database down: the built-in library still plays
            log.warning("editor scenarios not read: %s", exc)
            copy.checked = time.monotonic() + RETRY_S - RECHECK_S
        return copy.scenarios, copy.listed


def forget(url: str | None = None) -> None:
    """Read the table again at the next call (after a save in this process)."""
    with _lock:
        _copies.pop(storage.database_url(url), None)


def current_library(url: str | None = None) -> Library:
    """The built-in library plus the editor's scenarios; only the latest published versions are listed."""
    base = default_library()
    scenarios, listed = authored_scenarios(url)
    if not scenarios:
        return base
    return base.with_scenarios(scenarios, hidden=[k for k in scenarios if k not in listed])
