"""One learner whatever the door (issue 15): guest sessions follow the account they are linked to,
and the teacher's grade (overrides included) is what the gradebook gets."""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta

from sqlalchemy import select

from bot.assessment.grading import block_levels, final_grade, gradebook_comment
from bot.assessment.rubric import default_rubric
from bot.storage import links
from bot.storage.models import Learner, SimSession
from tests.unit.test_telegram import session  # noqa: F401  (the SQLite / PostgreSQL fixture)


def _session(s, learner_id: str) -> str:
    sid = f"guest-{uuid.uuid4().hex[:12]}"
    start = datetime.utcnow() - timedelta(hours=1)
    s.add(SimSession(id=sid, learner_id=learner_id, scenario_id="air-plasturgie", started_at=start,
                     ended_at=start + timedelta(minutes=15), outcome="won", grade_20=11.0))  # fmt: skip
    s.commit()
    return sid


def test_telegram_guest_sessions_move_to_the_linked_learner(session):  # noqa: F811
    tag = uuid.uuid4().hex[:10]
    lea, tg_id = f"lea-{tag}", f"7{int(tag, 16) % 10**12}"
    guest = links.resolve_learner(session, "telegram", tg_id, "Léa (Telegram)")
    assert guest == f"tg:{tg_id}"
    played = [_session(session, guest), _session(session, guest)]
    code = links.create_link_code(session, lea)
    assert links.redeem_link_code(session, "telegram", tg_id, code) == lea
    owners = session.scalars(select(SimSession.learner_id).where(SimSession.id.in_(played))).all()
    assert owners == [lea, lea]
    assert session.get(Learner, guest) is not None  # the emptied guest record stays
    assert links.move_sessions(session, lea, lea) == 0


def test_a_code_that_fails_moves_nothing(session):  # noqa: F811
    tag = uuid.uuid4().hex[:10]
    tg_id = f"8{int(tag, 16) % 10**12}"
    guest = links.resolve_learner(session, "telegram", tg_id, "Tom (Telegram)")
    sid = _session(session, guest)
    assert links.redeem_link_code(session, "telegram", tg_id, "AAAABBBB") is None
    assert session.get(SimSession, sid).learner_id == guest


def test_final_grade_follows_the_teacher_and_keeps_the_eliminatory_cap():
    rubric = default_rubric()
    automatic = {c.id: 2 for c in rubric.criteria}
    assert final_grade(rubric, "air-plasturgie", None, 13.3, automatic, dict(automatic)).final == 13.3
    better = {**automatic, "C1.2.1-a": 3, "C1.2.1-b": 3}
    raised = final_grade(rubric, "air-plasturgie", None, 13.3, automatic, better).final
    assert raised > 13.3
    assert final_grade(rubric, "air-plasturgie", None, 9.0, automatic, better).final == 9.0  # capped stays capped
    assert final_grade(rubric, "air-plasturgie", None, None, automatic, better).final is None
    levels = block_levels(rubric, better)
    assert levels["Prise de contact et découverte"] in {"S", "TS"} and len(levels) == len(rubric.groups)
    comment = gradebook_comment(rubric, raised, better)
    assert comment.startswith(f"Note : {raised:.1f}/20".replace(".", ",")) and "Communication (T-1) : S" in comment
