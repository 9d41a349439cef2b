"""The tables of the LTI 1.3 tool (issue 15): platforms, tool keys, LMS accounts, courses, activities, grades.

Kept apart from :mod:`bot.storage.models` (same declarative ``Base``) because only the
LTI layer (:mod:`bot.lti`) reads them. Migration ``0003_lti_tables``.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, Column, DateTime, Float, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped

from bot.storage.models import Base


class LtiPlatform(Base):
    """An LMS (a Moodle site) registered by the admin: what it gave us when adding the tool."""

    __tablename__ = "lti_platforms"
    __table_args__ = (UniqueConstraint("issuer", "client_id", name="uq_lti_platform"),)
    id: Mapped[int] = Column(Integer, primary_key=True)
    name: Mapped[str] = Column(String(120), nullable=False, default="")
    issuer: Mapped[str] = Column(String(255), nullable=False, index=True)
    client_id: Mapped[str] = Column(String(255), nullable=False)
    #: the deployment ids this platform may launch with (Moodle: one per tool registration)
    deployment_ids: Mapped[list] = Column(JSON, nullable=False, default=list)
    auth_login_url: Mapped[str] = Column(String(500), nullable=False)
    auth_token_url: Mapped[str] = Column(String(500), nullable=False)
    key_set_url: Mapped[str] = Column(String(500), nullable=False)
    created_at: Mapped[datetime] = Column(DateTime, nullable=False, default=datetime.utcnow)


class LtiKey(Base):
    """A tool signing key. The newest unretired one signs; every unretired one is in the JWKS."""

    __tablename__ = "lti_keys"
    id: Mapped[int] = Column(Integer, primary_key=True)
    kid: Mapped[str] = Column(String(64), nullable=False, unique=True)
    private_pem: Mapped[str] = Column(Text, nullable=False)
    created_at: Mapped[datetime] = Column(DateTime, nullable=False, default=datetime.utcnow)
    retired_at: Mapped[datetime | None] = Column(DateTime)


class LtiAccount(Base):
    """An LMS user (the id token's ``sub``) and the account of the web app it is."""

    __tablename__ = "lti_accounts"
    __table_args__ = (UniqueConstraint("platform_id", "subject", name="uq_lti_account"),)
    id: Mapped[int] = Column(Integer, primary_key=True)
    platform_id: Mapped[int] = Column(Integer, ForeignKey("lti_platforms.id", ondelete="CASCADE"), nullable=False)
    subject: Mapped[str] = Column(String(255), nullable=False)
    user_id: Mapped[int] = Column(Integer, ForeignKey("users.id", ondelete="CASCADE"), nullable=False, index=True)
    created_at: Mapped[datetime] = Column(DateTime, nullable=False, default=datetime.utcnow)


class LtiCourse(Base):
    """An LMS course (the launch's ``context``) and the class it fills."""

    __tablename__ = "lti_courses"
    __table_args__ = (UniqueConstraint("platform_id", "context_id", name="uq_lti_course"),)
    id: Mapped[int] = Column(Integer, primary_key=True)
    platform_id: Mapped[int] = Column(Integer, ForeignKey("lti_platforms.id", ondelete="CASCADE"), nullable=False)
    context_id: Mapped[str] = Column(String(255), nullable=False)
    group_id: Mapped[int] = Column(Integer, ForeignKey("groups.id"), nullable=False, index=True)
    roster_synced_at: Mapped[datetime | None] = Column(DateTime)


class LtiActivity(Base):
    """A resource link: one activity of a course, the scenario and mode it opens, its gradebook column."""

    __tablename__ = "lti_activities"
    __table_args__ = (UniqueConstraint("platform_id", "resource_link_id", name="uq_lti_activity"),)
    id: Mapped[int] = Column(Integer, primary_key=True)
    platform_id: Mapped[int] = Column(Integer, ForeignKey("lti_platforms.id", ondelete="CASCADE"), nullable=False)
    resource_link_id: Mapped[str] = Column(String(255), nullable=False)
    scenario_id: Mapped[str] = Column(String(64), nullable=False)
    mode: Mapped[str] = Column(String(16), nullable=False, default="training")
    lineitem_url: Mapped[str | None] = Column(String(500))
    ags_scopes: Mapped[list] = Column(JSON, nullable=False, default=list)


class LtiAttempt(Base):
    """A learner who opened an activity: their ended sessions of its scenario are graded there."""

    __tablename__ = "lti_attempts"
    __table_args__ = (UniqueConstraint("activity_id", "learner_id", name="uq_lti_attempt"),)
    id: Mapped[int] = Column(Integer, primary_key=True)
    activity_id: Mapped[int] = Column(Integer, ForeignKey("lti_activities.id", ondelete="CASCADE"), nullable=False)
    learner_id: Mapped[str] = Column(String(255), ForeignKey("learners.id"), nullable=False, index=True)
    subject: Mapped[str] = Column(String(255), nullable=False)
    launched_at: Mapped[datetime] = Column(DateTime, nullable=False, default=datetime.utcnow)


class LtiGrade(Base):
    """What was last sent to the gradebook for one session, so a changed grade is sent again."""

    __tablename__ = "lti_grades"
    __table_args__ = (UniqueConstraint("session_id", "activity_id", name="uq_lti_grade"),)
    id: Mapped[int] = Column(Integer, primary_key=True)
    session_id: Mapped[str] = Column(String(64), ForeignKey("sessions.id", ondelete="CASCADE"), nullable=False)
    activity_id: Mapped[int] = Column(Integer, ForeignKey("lti_activities.id", ondelete="CASCADE"), nullable=False)
    grade_20: Mapped[float] = Column(Float, nullable=False)
    comment: Mapped[str] = Column(Text, nullable=False, default="")
    sent_at: Mapped[datetime | None] = Column(DateTime)
    error: Mapped[str] = Column(String(500), nullable=False, default="")


class LtiCache(Base):
    """pylti1p3's launch data between two requests (nonces, launch ids), shared by the web workers."""

    __tablename__ = "lti_cache"
    key: Mapped[str] = Column(String(255), primary_key=True)
    value: Mapped[object] = Column(JSON)
    expires_at: Mapped[datetime] = Column(DateTime, nullable=False, index=True)
