"""Small pieces of the web app: charts, roster parsing, tokens, corrections YAML, PDF text."""

from __future__ import annotations

from datetime import datetime

import pytest

from bot.storage import accounts, db
from bot.storage.training import corrections_yaml
from bot.web.charts import lines, radar
from bot.web.pdf import latin1
from bot.web.ratelimit import Limiter
from bot.web.security import widget_token, widget_user


def test_radar_escapes_labels_and_draws_one_shape():
    svg = radar({"<b>Découverte</b>": 2.0, "Argumentation": None, "Conclusion": 3.0})
    assert "&lt;b&gt;" in svg and "<b>" not in svg
    assert svg.count("<polygon") == 4  # three rings + the learner's shape


def test_lines_draw_a_series_per_criterion():
    series = {"C1.2.1-b": [(datetime(2026, 11, 1), 1), (datetime(2026, 11, 8), 3)], "T-1": [(datetime(2026, 11, 8), 2)]}
    svg = lines(series)
    assert svg.count("<polyline") == 2 and "C1.2.1-b" in svg
    assert "Aucune séance notée" in lines({})


def test_rate_limiter_blocks_after_the_limit_and_resets():
    limiter = Limiter("", limit=2, window_s=60, name="unit")
    limiter.hit("k")
    assert not limiter.blocked("k")
    limiter.hit("k")
    assert limiter.blocked("k")
    limiter.reset("k")
    assert not limiter.blocked("k")


def test_widget_tokens_are_signed():
    token = widget_token("s3cret", "alice")
    assert widget_user("s3cret", token) == "alice"
    assert widget_user("other", token) is None
    assert widget_user("s3cret", token + "x") is None


def test_latin1_keeps_french_and_maps_typography():
    assert latin1("L’élève a dit « oui »… 10 €") == "L'élève a dit « oui »... 10 EUR"
    assert latin1("emoji 😀") == "emoji ?"


def test_corrections_yaml_is_clean_rasa_data():
    text = corrections_yaml([("inform", "Livraison [sous] 3 jours\\n"), ("inform", "Livraison [sous] 3 jours\\n")])
    assert text.count("- Livraison") == 1 and "[" not in text.split("nlu:")[1]


@pytest.fixture
def session(tmp_path):
    url = f"sqlite:///{tmp_path / 'acc.db'}"
    db.upgrade(url)
    with db.session_factory(url)() as s:
        yield s


def test_roster_import_handles_bom_commas_duplicates_and_weak_passwords(session):
    teacher = accounts.create_user(session, "prof", "motdepasse1", "teacher")
    group = accounts.create_group(session, "BTS", teacher)
    text = "\ufeffNom,Prénom,Identifiant,Mot_de_passe\nÉlisabeth,Zoé,,\nDurand,Léo,leo.d,court\nDurand,Léo,leo.d,assezlong1\n"
    rows = accounts.import_roster(session, group, text)
    assert [r.username for r in rows] == ["zoe.elisabeth", "leo.d", "leo.d"]
    assert rows[0].created and len(rows[0].password) >= 8
    assert not rows[1].created and "8 caractères" in rows[1].problem
    assert rows[2].created
    assert accounts.authenticate(session, "LEO.D", "assezlong1") is not None
    assert accounts.authenticate(session, "leo.d", "faux") is None
    assert accounts.authenticate(session, "personne", "faux") is None


def test_visibility_rules(session):
    t1 = accounts.create_user(session, "t1", "motdepasse1", "teacher")
    t2 = accounts.create_user(session, "t2", "motdepasse1", "teacher")
    admin = accounts.create_user(session, "root", "motdepasse1", "admin")
    g1 = accounts.create_group(session, "A", t1)
    student = accounts.create_user(session, "s1", "motdepasse1", "student", group=g1)
    assert accounts.can_see_learner(session, t1, "s1") and not accounts.can_see_learner(session, t2, "s1")
    assert accounts.can_see_learner(session, admin, "tg:42")
    assert accounts.visible_learner_ids(session, student) == ["s1"]
    token = accounts.create_api_token(session, t1)
    assert accounts.user_for_token(session, token).username == "t1"
    with pytest.raises(accounts.AccountError):
        accounts.create_user(session, "Bad Name!", "motdepasse1", "student")
