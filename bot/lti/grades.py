"""Assignment and Grade Services: the grade /20 and the levels per block in the LMS gradebook.

The gradebook holds one score per learner and activity: that of the learner's latest ended
session of the activity's scenario and mode. It is sent when that session is recorded as
ended, and sent again when a teacher's override changes its grade or comment
(:func:`send_for_learner` compares with what was last sent, :class:`LtiGrade`).
"""

from __future__ import annotations

import logging
import threading
from datetime import datetime, timezone
from typing import Callable, List

import requests
from pylti1p3.assignments_grades import AssignmentsGradesService
from pylti1p3.exception import LtiException
from pylti1p3.grade import Grade
from pylti1p3.service_connector import ServiceConnector
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from bot.assessment.grading import final_grade, gradebook_comment
from bot.assessment.rubric import Rubric, default_rubric
from bot.lti.registry import registration
from bot.storage.lti_models import LtiActivity, LtiAttempt, LtiGrade, LtiPlatform
from bot.storage.models import CriterionScore, SimSession
from bot.storage.results import effective_scores

logger = logging.getLogger(__name__)
SCORE_SCOPE = "https://purl.imsglobal.org/spec/lti-ags/scope/score"
#: the scenario's kind of situation (its weights), when the scenario is known: id -> kind
KindOf = Callable[[str], str | None]


def _no_kind(scenario_id: str) -> str | None:
    return None


def scenario_kind(library) -> KindOf:
    """The :data:`KindOf` of a scenario library (``bot.engine.library.Library``)."""
    return lambda sid: library.scenarios[sid].kind if sid in library.scenarios else None


def latest_session(db: Session, activity: LtiActivity, learner_id: str) -> SimSession | None:
    return db.scalar(
        select(SimSession)
        .where(
            SimSession.learner_id == learner_id,
            SimSession.scenario_id == activity.scenario_id,
            SimSession.mode == activity.mode,
            SimSession.ended_at.is_not(None),
            SimSession.grade_20.is_not(None),
        )
        .order_by(SimSession.ended_at.desc())
    )


def graded(db: Session, session: SimSession, rubric: Rubric, kind_of: KindOf = _no_kind) -> tuple:
    """(grade /20, comment) of a session as the teacher leaves it (overrides included)."""
    automatic = {
        s.criterion_id: s.score
        for s in db.scalars(select(CriterionScore).where(CriterionScore.session_id == session.id))
    }
    effective = effective_scores(db, [session.id]).get(session.id, automatic)
    grade = final_grade(
        rubric, session.scenario_id, kind_of(session.scenario_id), session.grade_20, automatic, effective
    ).final
    return grade, gradebook_comment(rubric, grade, effective)


def _put(db: Session, activity: LtiActivity, subject: str, grade: float, comment: str, http: requests.Session | None):
    platform = db.get(LtiPlatform, activity.platform_id)
    connector = ServiceConnector(registration(db, platform), http)
    service = AssignmentsGradesService(connector, {"scope": activity.ags_scopes, "lineitem": activity.lineitem_url})
    score = (
        Grade()
        .set_score_given(grade)
        .set_score_maximum(20)
        .set_timestamp(datetime.now(timezone.utc).isoformat(timespec="milliseconds"))
        .set_activity_progress("Completed")
        .set_grading_progress("FullyGraded")
        .set_user_id(subject)
        .set_comment(comment)
    )
    service.put_grade(score)


def send_for_learner(
    db: Session,
    learner_id: str,
    rubric: Rubric | None = None,
    kind_of: KindOf = _no_kind,
    http: requests.Session | None = None,
) -> List[LtiGrade]:
    """Send the learner's grades that the gradebook does not have yet; the rows written (sent or failed)."""
    rubric = rubric or default_rubric()
    written = []
    attempts = db.execute(
        select(LtiAttempt, LtiActivity)
        .join(LtiActivity, LtiActivity.id == LtiAttempt.activity_id)
        .where(LtiAttempt.learner_id == learner_id, LtiActivity.lineitem_url.is_not(None))
    ).all()
    for attempt, activity in attempts:
        if SCORE_SCOPE not in (activity.ags_scopes or []):
            continue
        session = latest_session(db, activity, learner_id)
        if session is None:
            continue
        grade, comment = graded(db, session, rubric, kind_of)
        row = db.scalar(select(LtiGrade).where(LtiGrade.session_id == session.id, LtiGrade.activity_id == activity.id))
        if row is not None and row.sent_at and row.grade_20 == grade and row.comment == comment:
            continue
        row = row or LtiGrade(session_id=session.id, activity_id=activity.id)
        row.grade_20, row.comment = grade, comment
        try:
            _put(db, activity, attempt.subject, grade, comment, http)
            row.sent_at, row.error = datetime.utcnow(), ""
        except (LtiException, requests.RequestException, ValueError) as exc:
            logger.warning("grade of %s not sent to %s: %s", session.id, activity.lineitem_url, exc)
            row.sent_at, row.error = None, str(exc)[:500]
        db.add(row)
        written.append(row)
    db.commit()
    return written


def learner_of(db: Session, session_id: str) -> str | None:
    return db.scalar(select(SimSession.learner_id).where(SimSession.id == session_id))


def send_in_background(sessions: sessionmaker, learner_id: str, kind_of: KindOf = _no_kind) -> threading.Thread:
    """:func:`send_for_learner` in a thread: the chat or the teacher's page never waits for the LMS."""

    def run() -> None:
        try:
            with sessions() as db:
                send_for_learner(db, learner_id, kind_of=kind_of)
        except Exception:  # noqa: BLE001 - the LMS being down must not break anything else
            logger.exception("grade passback of %s failed", learner_id)

    thread = threading.Thread(target=run, name=f"lti-grades-{learner_id}", daemon=True)
    thread.start()
    return thread
