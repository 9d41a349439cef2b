"""Issue 14: a new account does not take over an existing learner record.

Learner records also come from the REST channel, Telegram guests and ``rebuild``; before,
``create_user`` reused a record of the same id, and the new account saw (and added to)
someone else's sessions and scores.
"""

from __future__ import annotations

from datetime import datetime

import pytest
from sqlalchemy import select

from bot.storage import accounts, db
from bot.storage.models import Learner, SimSession, User

pytestmark = pytest.mark.security


@pytest.fixture()
def session(tmp_path):
    url = f"sqlite:///{tmp_path / 'a.db'}"
    db.upgrade(url)
    with db.session_factory(url)() as s:
        s.add(Learner(id="lea.martin", display_name="Léa (REST)"))
        s.add(SimSession(id="s-lea", learner_id="lea.martin", scenario_id="air-plasturgie",
                         started_at=datetime(2026, 11, 20, 9), outcome="won", grade_20=15.0))  # fmt: skip
        s.commit()
        yield s


def test_creating_an_account_with_an_existing_learner_id_is_refused(session):
    with pytest.raises(accounts.AccountError, match="déjà pris"):
        accounts.create_user(session, "lea.martin", "motdepasse-solide", "student", display_name="Intrus")
    session.rollback()
    assert session.scalar(select(User).where(User.username == "lea.martin")) is None
    assert session.get(Learner, "lea.martin").display_name == "Léa (REST)"


def test_a_roster_row_with_an_existing_learner_id_is_reported_not_merged(session):
    teacher = accounts.create_user(session, "prof", "motdepasse-solide", "teacher")
    group = accounts.create_group(session, "NDRC", teacher)
    rows = accounts.import_roster(session, group, "Martin;Léa;lea.martin\nDurand;Tom;tom.durand\n")
    assert [(r.username, r.created) for r in rows] == [("lea.martin", False), ("tom.durand", True)]
    assert "déjà pris" in rows[0].problem
    assert session.get(Learner, "lea.martin").group_id is None


def test_joining_a_class_picks_an_id_free_of_accounts_and_learners(session):
    assert accounts.free_username(session, "lea.martin") == "lea.martin2"
    accounts.create_user(session, "lea.martin2", "motdepasse-solide", "student")
    assert accounts.free_username(session, "lea.martin") == "lea.martin3"
    assert accounts.free_username(session, "tom.durand") == "tom.durand"
