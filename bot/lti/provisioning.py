"""LMS users and courses as accounts and classes of the web app.

An LMS user is known by the platform and the id token's ``sub`` (:class:`LtiAccount`); the
first launch creates their account (a student with a learner record, or a teacher), named
after the LMS's display name. A teacher stays a teacher and a student never becomes one by
a launch: the LMS role only chooses the role of a *new* account. A course becomes a class
owned by the teacher who first opens it; its roster (Names and Role Provisioning) creates
the students' accounts, so that the class page lists them before they play.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Dict, Iterable, List, Mapping

from pylti1p3.roles import DesignerRole, TeacherRole, TeachingAssistantRole
from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.storage import accounts
from bot.storage.links import move_sessions
from bot.storage.lti_models import LtiAccount, LtiActivity, LtiAttempt, LtiCourse, LtiPlatform
from bot.storage.models import Group, Learner, User

ROLES_CLAIM = "https://purl.imsglobal.org/spec/lti/claim/roles"
CONTEXT_CLAIM = "https://purl.imsglobal.org/spec/lti/claim/context"
MODES = ("training", "exam")


@dataclass(frozen=True)
class LmsPerson:
    """Who the id token (or a roster entry) describes."""

    subject: str
    name: str
    roles: tuple

    @property
    def teaches(self) -> bool:
        body = {ROLES_CLAIM: list(self.roles)}
        return any(role(body).check() for role in (TeacherRole, TeachingAssistantRole, DesignerRole))

    @classmethod
    def from_claims(cls, claims: Mapping[str, Any]) -> LmsPerson:
        """An id token's or an NRPS member's claims (same names: ``sub``/``user_id``, ``name``, ``roles``)."""
        name = claims.get("name") or " ".join(filter(None, (claims.get("given_name"), claims.get("family_name"))))
        roles = claims.get(ROLES_CLAIM, claims.get("roles")) or ()
        return cls(str(claims.get("sub") or claims.get("user_id")), (name or "").strip(), tuple(roles))


def linked_user(db: Session, platform: LtiPlatform, subject: str) -> User | None:
    return db.scalar(
        select(User)
        .join(LtiAccount, LtiAccount.user_id == User.id)
        .where(LtiAccount.platform_id == platform.id, LtiAccount.subject == subject)
    )


def _new_user(db: Session, person: LmsPerson, group: Group | None) -> User:
    base = accounts.slug(person.name) if person.name else ("prof" if person.teaches else "eleve")
    username = accounts.free_username(db, base)
    # nobody knows this password: the account is opened from the LMS (a teacher may reset it)
    return accounts.create_user(
        db,
        username,
        secrets.token_urlsafe(24),
        "teacher" if person.teaches else "student",
        display_name=person.name or username,
        group=group,
    )


def account(db: Session, platform: LtiPlatform, person: LmsPerson, group: Group | None = None) -> User:
    """The account of this LMS user, created on first sight (never a role change for an existing one)."""
    user = linked_user(db, platform, person.subject)
    if user is None:
        user = _new_user(db, person, group)
        db.add(LtiAccount(platform_id=platform.id, subject=person.subject, user_id=user.id))
        db.flush()
    if group is not None and user.learner is not None and user.learner.group_id is None:
        user.learner.group_id = group.id
    return user


def relink(db: Session, platform: LtiPlatform, subject: str, user: User) -> None:
    """The LMS user is ``user`` (a student who logged in on the web app first and confirmed it).

    The account the LMS had opened for them is left empty: its sessions move to ``user``, so
    the teacher sees one history.
    """
    link = db.scalar(select(LtiAccount).where(LtiAccount.platform_id == platform.id, LtiAccount.subject == subject))
    if link is None:
        db.add(LtiAccount(platform_id=platform.id, subject=subject, user_id=user.id))
    elif link.user_id != user.id:
        previous = db.get(User, link.user_id)
        if previous is not None and previous.learner_id and user.learner_id:
            move_sessions(db, previous.learner_id, user.learner_id, commit=False)
            mine = set(db.scalars(select(LtiAttempt.activity_id).where(LtiAttempt.learner_id == user.learner_id)))
            for attempt in db.scalars(select(LtiAttempt).where(LtiAttempt.learner_id == previous.learner_id)):
                if attempt.activity_id in mine:
                    db.delete(attempt)
                else:
                    attempt.learner_id = user.learner_id
            if previous.learner and user.learner and user.learner.group_id is None:
                user.learner.group_id = previous.learner.group_id
        link.user_id = user.id
    db.flush()


def course_class(db: Session, platform: LtiPlatform, context: Mapping[str, Any], teacher: User | None) -> Group | None:
    """The class of the launch's course (created, owned by ``teacher``, the first time a teacher opens it)."""
    context_id = str(context.get("id") or "")
    if not context_id:
        return None
    course = db.scalar(
        select(LtiCourse).where(LtiCourse.platform_id == platform.id, LtiCourse.context_id == context_id)
    )
    if course is not None:
        group = db.get(Group, course.group_id)
        if group is not None and group.teacher_id is None and teacher is not None:
            group.teacher_id = teacher.id
        return group
    title = str(context.get("title") or context.get("label") or "Cours Moodle")[:120]
    group = accounts.create_group(db, title, teacher) if teacher is not None else Group(name=title)
    db.add(group)
    db.flush()
    db.add(LtiCourse(platform_id=platform.id, context_id=context_id, group_id=group.id))
    db.flush()
    return group


def sync_roster(db: Session, platform: LtiPlatform, group: Group, members: Iterable[Mapping[str, Any]]) -> List[User]:
    """Accounts for the active members of the course (NRPS); the students join ``group``."""
    users = []
    for member in members:
        if member.get("status", "Active") != "Active":
            continue
        person = LmsPerson.from_claims(member)
        if person.subject and person.subject != "None":
            users.append(account(db, platform, person, None if person.teaches else group))
    course = db.scalar(select(LtiCourse).where(LtiCourse.group_id == group.id))
    if course is not None:
        course.roster_synced_at = datetime.utcnow()
    db.flush()
    return users


def activity(db: Session, platform: LtiPlatform, resource_link_id: str) -> LtiActivity | None:
    return db.scalar(
        select(LtiActivity).where(
            LtiActivity.platform_id == platform.id, LtiActivity.resource_link_id == resource_link_id
        )
    )


def record_activity(
    db: Session, platform: LtiPlatform, resource_link_id: str, custom: Mapping[str, Any], ags: Dict[str, Any] | None
) -> LtiActivity | None:
    """The activity the launch opens: its scenario and mode (deep-linking custom parameters), its gradebook column."""
    row = activity(db, platform, resource_link_id)
    scenario = str(custom.get("scenario") or "")
    if row is None:
        if not scenario:
            return None
        row = LtiActivity(platform_id=platform.id, resource_link_id=resource_link_id, ags_scopes=[])
        db.add(row)
    if scenario:
        row.scenario_id = scenario
        row.mode = custom.get("mode") if custom.get("mode") in MODES else "training"
    if ags:
        row.lineitem_url = ags.get("lineitem") or row.lineitem_url
        row.ags_scopes = list(ags.get("scope") or [])
    db.flush()
    return row


def record_attempt(db: Session, row: LtiActivity, learner: Learner, subject: str) -> None:
    """The learner opened the activity: their ended sessions of its scenario go to its gradebook column."""
    attempt = db.scalar(select(LtiAttempt).where(LtiAttempt.activity_id == row.id, LtiAttempt.learner_id == learner.id))
    if attempt is None:
        attempt = LtiAttempt(activity_id=row.id, learner_id=learner.id, subject=subject)
        db.add(attempt)
    attempt.subject = subject
    attempt.launched_at = datetime.utcnow()
    db.flush()
