"""The learner's record: learners, groups, sessions, turns, evidence and scores.

SQLAlchemy 1.4 written in the 2.0 style (``select()``, ``Session``, typed
attributes). The schema is created and migrated by Alembic (``bot/storage/migrations``).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, List

from sqlalchemy import (
    JSON,
    Boolean,
    Column,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    false,
)
from sqlalchemy.orm import Mapped, declarative_base, relationship

Base: Any = declarative_base()


class Group(Base):
    """A class (« 2e année NDRC B »)."""

    __tablename__ = "groups"
    id: Mapped[int] = Column(Integer, primary_key=True)
    name: Mapped[str] = Column(String(120), nullable=False)
    code: Mapped[str | None] = Column(String(32), unique=True)
    created_at: Mapped[datetime] = Column(DateTime, nullable=False, default=datetime.utcnow)
    teacher_id: Mapped[int | None] = Column(
        Integer, ForeignKey("users.id", use_alter=True, name="fk_groups_teacher"), index=True
    )
    learners: Mapped[List[Learner]] = relationship("Learner", back_populates="group")
    teacher: Mapped[User | None] = relationship("User", foreign_keys=[teacher_id])


class Learner(Base):
    """A student; ``id`` is the sender id Rasa sees (login name, ``tg:<id>``...)."""

    __tablename__ = "learners"
    id: Mapped[str] = Column(String(255), primary_key=True)
    display_name: Mapped[str] = Column(String(120), nullable=False, default="")
    group_id: Mapped[int | None] = Column(Integer, ForeignKey("groups.id"), index=True)
    created_at: Mapped[datetime] = Column(DateTime, nullable=False, default=datetime.utcnow)
    group: Mapped[Group | None] = relationship("Group", back_populates="learners")
    sessions: Mapped[List[SimSession]] = relationship("SimSession", back_populates="learner")


class SimSession(Base):
    """One simulation: from ``/start_scenario`` to the debrief (or the next start)."""

    __tablename__ = "sessions"
    id: Mapped[str] = Column(String(64), primary_key=True)
    learner_id: Mapped[str] = Column(String(255), ForeignKey("learners.id"), nullable=False, index=True)
    scenario_id: Mapped[str] = Column(String(64), nullable=False, index=True)
    mode: Mapped[str] = Column(String(16), nullable=False, default="training")
    started_at: Mapped[datetime] = Column(DateTime, nullable=False)
    ended_at: Mapped[datetime | None] = Column(DateTime)
    outcome: Mapped[str] = Column(String(8), nullable=False, default="open")
    outcome_reason: Mapped[str] = Column(String(255), nullable=False, default="")
    grade_20: Mapped[float | None] = Column(Float)
    rubric_version: Mapped[int | None] = Column(Integer)
    scored_at: Mapped[datetime | None] = Column(DateTime)
    learner: Mapped[Learner] = relationship("Learner", back_populates="sessions")
    turns: Mapped[List[Turn]] = relationship(
        "Turn", back_populates="session", order_by="Turn.n", cascade="all, delete-orphan"
    )
    scores: Mapped[List[CriterionScore]] = relationship(
        "CriterionScore", back_populates="session", cascade="all, delete-orphan"
    )
    evidence: Mapped[List[Evidence]] = relationship("Evidence", back_populates="session", cascade="all, delete-orphan")


class Turn(Base):
    """One message of the session, learner, client or coach, in order.

    ``event_key`` identifies the tracker event it comes from, so that writing the same
    event twice (action retries, ``rebuild``) never duplicates a turn.
    """

    __tablename__ = "turns"
    __table_args__ = (UniqueConstraint("session_id", "n", name="uq_turn_order"),)
    id: Mapped[int] = Column(Integer, primary_key=True)
    session_id: Mapped[str] = Column(String(64), ForeignKey("sessions.id", ondelete="CASCADE"), nullable=False)
    n: Mapped[int] = Column(Integer, nullable=False)
    event_key: Mapped[str] = Column(String(255), nullable=False, unique=True)
    speaker: Mapped[str] = Column(String(16), nullable=False)
    name: Mapped[str] = Column(String(120), nullable=False, default="")
    text: Mapped[str] = Column(Text, nullable=False, default="")
    intent: Mapped[str | None] = Column(String(64))
    confidence: Mapped[float | None] = Column(Float)
    entities: Mapped[list | None] = Column(JSON)
    moves: Mapped[list | None] = Column(JSON)
    phase: Mapped[str | None] = Column(String(16))
    kind: Mapped[str] = Column(String(16), nullable=False, default="")
    at: Mapped[datetime] = Column(DateTime, nullable=False)
    session: Mapped[SimSession] = relationship("SimSession", back_populates="turns")


class Evidence(Base):
    """What the analysis found in a learner turn, and for which criterion."""

    __tablename__ = "evidence"
    id: Mapped[int] = Column(Integer, primary_key=True)
    session_id: Mapped[str] = Column(
        String(64), ForeignKey("sessions.id", ondelete="CASCADE"), nullable=False, index=True
    )
    turn_n: Mapped[int] = Column(Integer, nullable=False)
    criterion_id: Mapped[str] = Column(String(16), nullable=False, index=True)
    finding: Mapped[str] = Column(String(255), nullable=False)
    positive: Mapped[bool] = Column(Boolean, nullable=False, default=True)
    session: Mapped[SimSession] = relationship("SimSession", back_populates="evidence")


class CriterionScore(Base):
    """Automatic score of one criterion in one session (0-3, or None for na)."""

    __tablename__ = "criterion_scores"
    __table_args__ = (
        UniqueConstraint("session_id", "criterion_id", name="uq_score"),
        # the score in the index: a class's scores are read from the index alone (migration 0003_assign)
        Index("ix_criterion_scores_session_score", "session_id", "criterion_id", "score"),
    )
    id: Mapped[int] = Column(Integer, primary_key=True)
    session_id: Mapped[str] = Column(String(64), ForeignKey("sessions.id", ondelete="CASCADE"), nullable=False)
    criterion_id: Mapped[str] = Column(String(16), nullable=False, index=True)
    score: Mapped[int | None] = Column(Integer)
    level: Mapped[str] = Column(String(2), nullable=False)
    explanation: Mapped[str] = Column(Text, nullable=False, default="")
    advice: Mapped[str] = Column(Text, nullable=False, default="")
    evidence_turns: Mapped[list] = Column(JSON, nullable=False, default=list)
    session: Mapped[SimSession] = relationship("SimSession", back_populates="scores")


class User(Base):
    """A person who logs in: ``admin``, ``teacher`` or ``student``.

    A student account is tied to one :class:`Learner` (the Rasa sender id), which the
    web app sends to Rasa; the browser never chooses it.
    """

    __tablename__ = "users"
    id: Mapped[int] = Column(Integer, primary_key=True)
    username: Mapped[str] = Column(String(120), nullable=False, unique=True)
    display_name: Mapped[str] = Column(String(120), nullable=False, default="")
    password_hash: Mapped[str] = Column(String(255), nullable=False)
    role: Mapped[str] = Column(String(16), nullable=False, index=True)
    learner_id: Mapped[str | None] = Column(String(255), ForeignKey("learners.id"), unique=True)
    active: Mapped[bool] = Column(Boolean, nullable=False, default=True)
    created_at: Mapped[datetime] = Column(DateTime, nullable=False, default=datetime.utcnow)
    last_login_at: Mapped[datetime | None] = Column(DateTime)
    #: a temporary password (set by the admin): the next login leads to the password-change page
    must_change_password: Mapped[bool] = Column(Boolean, nullable=False, default=False, server_default=false())
    learner: Mapped[Learner | None] = relationship("Learner")


class ApiToken(Base):
    """A bearer token of the results API; only its SHA-256 is kept."""

    __tablename__ = "api_tokens"
    id: Mapped[int] = Column(Integer, primary_key=True)
    user_id: Mapped[int] = Column(Integer, ForeignKey("users.id", ondelete="CASCADE"), nullable=False, index=True)
    name: Mapped[str] = Column(String(120), nullable=False, default="")
    token_hash: Mapped[str] = Column(String(64), nullable=False, unique=True)
    prefix: Mapped[str] = Column(String(12), nullable=False, default="")
    created_at: Mapped[datetime] = Column(DateTime, nullable=False, default=datetime.utcnow)
    last_used_at: Mapped[datetime | None] = Column(DateTime)
    revoked_at: Mapped[datetime | None] = Column(DateTime)
    user: Mapped[User] = relationship("User")


class ScoreOverride(Base):
    """A teacher's score for one criterion of one session, kept apart from the automatic one."""

    __tablename__ = "score_overrides"
    __table_args__ = (UniqueConstraint("session_id", "criterion_id", name="uq_override"),)
    id: Mapped[int] = Column(Integer, primary_key=True)
    session_id: Mapped[str] = Column(String(64), ForeignKey("sessions.id", ondelete="CASCADE"), nullable=False)
    criterion_id: Mapped[str] = Column(String(16), nullable=False, index=True)
    score: Mapped[int | None] = Column(Integer)
    level: Mapped[str] = Column(String(2), nullable=False)
    comment: Mapped[str] = Column(Text, nullable=False, default="")
    teacher_id: Mapped[int | None] = Column(Integer, ForeignKey("users.id"))
    created_at: Mapped[datetime] = Column(DateTime, nullable=False, default=datetime.utcnow)


class SelfAssessment(Base):
    """The student's own level on one competence block of a session, given before seeing the scores."""

    __tablename__ = "self_assessments"
    __table_args__ = (UniqueConstraint("session_id", "block", name="uq_self_assessment"),)
    id: Mapped[int] = Column(Integer, primary_key=True)
    session_id: Mapped[str] = Column(String(64), ForeignKey("sessions.id", ondelete="CASCADE"), nullable=False)
    #: a competence block of the grid (``groups`` of rubric.yml: decouverte, argumentation...)
    block: Mapped[str] = Column(String(32), nullable=False)
    score: Mapped[int] = Column(Integer, nullable=False)
    created_at: Mapped[datetime] = Column(DateTime, nullable=False, default=datetime.utcnow)


class ModelRelease(Base):
    """A teacher released a scenario's model transcript: to one session's student, or to a whole class."""

    __tablename__ = "model_releases"
    id: Mapped[int] = Column(Integer, primary_key=True)
    scenario_id: Mapped[str] = Column(String(64), nullable=False, index=True)
    session_id: Mapped[str | None] = Column(String(64), ForeignKey("sessions.id", ondelete="CASCADE"), index=True)
    group_id: Mapped[int | None] = Column(Integer, ForeignKey("groups.id", ondelete="CASCADE"), index=True)
    teacher_id: Mapped[int | None] = Column(Integer, ForeignKey("users.id"))
    created_at: Mapped[datetime] = Column(DateTime, nullable=False, default=datetime.utcnow)


class MoveCorrection(Base):
    """A teacher's correction of the move (intent) of one learner turn."""

    __tablename__ = "move_corrections"
    id: Mapped[int] = Column(Integer, primary_key=True)
    turn_id: Mapped[int] = Column(Integer, ForeignKey("turns.id", ondelete="CASCADE"), nullable=False, unique=True)
    intent: Mapped[str] = Column(String(64), nullable=False)
    teacher_id: Mapped[int | None] = Column(Integer, ForeignKey("users.id"))
    created_at: Mapped[datetime] = Column(DateTime, nullable=False, default=datetime.utcnow)
    turn: Mapped[Turn] = relationship("Turn")


class ChannelLink(Base):
    """A messaging account (``telegram`` + chat id) linked to a learner."""

    __tablename__ = "channel_links"
    __table_args__ = (UniqueConstraint("channel", "external_id", name="uq_channel_link"),)
    id: Mapped[int] = Column(Integer, primary_key=True)
    channel: Mapped[str] = Column(String(32), nullable=False)
    external_id: Mapped[str] = Column(String(255), nullable=False)
    learner_id: Mapped[str] = Column(String(255), ForeignKey("learners.id"), nullable=False, index=True)
    created_at: Mapped[datetime] = Column(DateTime, nullable=False, default=datetime.utcnow)


class LinkCode(Base):
    """A short-lived code shown on the web page to link a messaging account (``/lier CODE``)."""

    __tablename__ = "link_codes"
    code: Mapped[str] = Column(String(16), primary_key=True)
    learner_id: Mapped[str] = Column(String(255), ForeignKey("learners.id"), nullable=False, index=True)
    created_at: Mapped[datetime] = Column(DateTime, nullable=False, default=datetime.utcnow)
    expires_at: Mapped[datetime] = Column(DateTime, nullable=False)
    used_at: Mapped[datetime | None] = Column(DateTime)


class WebSession(Base):
    """A logged-in browser (or one on the login page, for its CSRF token), kept server-side.

    The cookie carries a random id only; the row is found by its HMAC with ``SECRET_KEY``, so a copy of the
    table gives no usable cookie. Deleting the row (logout, password change, deactivation)
    ends the session everywhere the cookie was copied to.
    """

    __tablename__ = "web_sessions"
    id_hash: Mapped[str] = Column(String(64), primary_key=True)
    user_id: Mapped[int | None] = Column(Integer, ForeignKey("users.id", ondelete="CASCADE"), index=True)
    data: Mapped[dict] = Column(JSON, nullable=False, default=dict)
    created_at: Mapped[datetime] = Column(DateTime, nullable=False, index=True)
    last_seen_at: Mapped[datetime] = Column(DateTime, nullable=False)


class WidgetLink(Base):
    """A widget token a teacher gave out for one student: listed on the student's page, revocable.

    The token itself is not stored: it is signed again from this row (same claims, same
    timestamp) when the page is shown.
    """

    __tablename__ = "widget_links"
    id: Mapped[str] = Column(String(32), primary_key=True)
    user_id: Mapped[int] = Column(Integer, ForeignKey("users.id", ondelete="CASCADE"), nullable=False, index=True)
    teacher_id: Mapped[int | None] = Column(Integer, ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = Column(DateTime, nullable=False)
    revoked_at: Mapped[datetime | None] = Column(DateTime)


class AuditEvent(Base):
    """Who saw or changed what about a learner, and account events (RGPD accountability).

    No foreign key to ``learners``: the trail outlives an erasure. Erasing a learner
    replaces ``learner_id`` and ``actor`` by a pseudonym (``bot.storage.learner_data``).
    """

    __tablename__ = "audit_events"
    id: Mapped[int] = Column(Integer, primary_key=True)
    at: Mapped[datetime] = Column(DateTime, nullable=False, default=datetime.utcnow, index=True)
    actor_id: Mapped[int | None] = Column(Integer, ForeignKey("users.id", ondelete="SET NULL"), index=True)
    #: the login name typed or used (kept when the account is gone, or for failed logins)
    actor: Mapped[str] = Column(String(255), nullable=False, default="")
    action: Mapped[str] = Column(String(32), nullable=False, index=True)
    learner_id: Mapped[str | None] = Column(String(255), index=True)
    #: what was touched: a session id, « export JSON », a criterion...
    target: Mapped[str] = Column(String(255), nullable=False, default="")
    detail: Mapped[str] = Column(Text, nullable=False, default="")
    ip: Mapped[str] = Column(String(64), nullable=False, default="")


class AuthoredScenario(Base):
    """One version of a scenario written in the browser editor (``bot/web/routes/editor.py``).

    The files of ``data/scenarios/`` stay the built-in library; these rows add to it without a
    restart. ``body`` is the scenario as its YAML file would hold it. A version is frozen once
    published or played: a later edit makes version + 1, so a session's ``scenario_id``
    (``<slug>@<version>``, see ``bot/storage/authored.py``) always names what the learner played.
    """

    __tablename__ = "authored_scenarios"
    __table_args__ = (UniqueConstraint("slug", "version", name="uq_authored_scenario_version"),)
    id: Mapped[int] = Column(Integer, primary_key=True)
    slug: Mapped[str] = Column(String(48), nullable=False, index=True)
    version: Mapped[int] = Column(Integer, nullable=False)
    title: Mapped[str] = Column(String(200), nullable=False, default="")
    author_id: Mapped[int] = Column(Integer, ForeignKey("users.id"), nullable=False, index=True)
    #: « private » (its author), « school » (every teacher), « published » (students play it)
    visibility: Mapped[str] = Column(String(16), nullable=False, default="private")
    body: Mapped[dict] = Column(JSON, nullable=False)
    created_at: Mapped[datetime] = Column(DateTime, nullable=False, default=datetime.utcnow)
    updated_at: Mapped[datetime] = Column(DateTime, nullable=False, default=datetime.utcnow)
    published_at: Mapped[datetime | None] = Column(DateTime)
    author: Mapped[User] = relationship("User")


class Assignment(Base):
    """A scenario a teacher sets for a class: training or exam, opening and due dates, attempts allowed.

    Which sessions answer it is not stored: a session of a learner of the class, on the
    scenario, started after the opening (and in exam mode for an exam) belongs to it
    (``bot/storage/assignments.py``), so the Rasa side records sessions as before.
    """

    __tablename__ = "assignments"
    id: Mapped[int] = Column(Integer, primary_key=True)
    group_id: Mapped[int] = Column(Integer, ForeignKey("groups.id", ondelete="CASCADE"), nullable=False, index=True)
    scenario_id: Mapped[str] = Column(String(64), nullable=False)
    mode: Mapped[str] = Column(String(16), nullable=False, default="training")
    opens_at: Mapped[datetime] = Column(DateTime, nullable=False)
    due_at: Mapped[datetime] = Column(DateTime, nullable=False)
    attempts_allowed: Mapped[int] = Column(Integer, nullable=False, default=1)
    teacher_id: Mapped[int | None] = Column(Integer, ForeignKey("users.id"))
    created_at: Mapped[datetime] = Column(DateTime, nullable=False, default=datetime.utcnow)
    group: Mapped[Group] = relationship("Group")


class PreparationSheetRow(Base):
    """The student's written preparation for one scenario (``content``: the JSON of
    :class:`bot.assessment.preparation_sheet.PreparationSheet`).

    A draft is saved as often as the student likes; ``submitted_at`` marks it handed in. The sheet
    is tied to the session it prepared (``session_id``, one sheet per session) when that session is
    scored; until then it is the learner's current sheet for the scenario (``session_id`` empty).
    """

    __tablename__ = "preparation_sheets"
    id: Mapped[int] = Column(Integer, primary_key=True)
    learner_id: Mapped[str] = Column(String(255), ForeignKey("learners.id"), nullable=False, index=True)
    scenario_id: Mapped[str] = Column(String(64), nullable=False, index=True)
    session_id: Mapped[str | None] = Column(
        String(64), ForeignKey("sessions.id", ondelete="CASCADE"), unique=True, nullable=True
    )
    content: Mapped[dict] = Column(JSON, nullable=False, default=dict)
    created_at: Mapped[datetime] = Column(DateTime, nullable=False, default=datetime.utcnow)
    updated_at: Mapped[datetime] = Column(DateTime, nullable=False, default=datetime.utcnow)
    submitted_at: Mapped[datetime | None] = Column(DateTime)
