"""Issue 14: scenario uploads and roster imports are bounded (size, YAML aliases, rows, errors).

Before: a 6.7 KB YAML file with nested aliases gave 360,000 errors, 23 s and 834 MB on
the event loop; a roster had no row limit (one argon2 hash per row).
"""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from sqlalchemy import func, select

from bot.storage import accounts, db
from bot.storage.models import User
from bot.web import uploads
from tests.web.conftest import web  # noqa: F401 - the web app (in process) on a throw-away database

pytestmark = pytest.mark.security
ROOT = Path(__file__).resolve().parents[2]


def billion_laughs(levels: int = 9) -> str:
    lines = ['a0: &a0 ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]']
    for n in range(1, levels):
        refs = ", ".join([f"*a{n - 1}"] * 9)
        lines.append(f"a{n}: &a{n} [{refs}]")
    return "id: bombe\ntitle: Bombe\n" + "\n".join(lines) + "\n"


def test_yaml_aliases_anchors_and_merge_keys_are_refused():
    started = time.perf_counter()
    problems = uploads.yaml_problems(billion_laughs())
    assert time.perf_counter() - started < 0.5
    assert len(problems) == 1 and "ancres et alias" in problems[0]
    assert "fusion" in uploads.yaml_problems("base: {a: 1}\nautre:\n  <<: {a: 2}\n")[0]
    assert "ancres" in uploads.yaml_problems("a: &x 1\n")[0]
    assert uploads.yaml_problems("a: '<<'\nb: '*pas un alias'\n") == []


def test_huge_or_deep_yaml_is_refused_before_parsing():
    many = "\n".join(f"k{i}: v" for i in range(uploads.MAX_YAML_EVENTS))
    assert "trop complexe" in uploads.yaml_problems(many)[0]
    assert "trop volumineux" in uploads.yaml_problems("x" * (uploads.MAX_SCENARIO_BYTES + 1))[0]
    assert "illisible" in uploads.yaml_problems("a: [1, 2\n")[0]


def test_the_real_scenarios_pass_the_upload_check():
    files = sorted((ROOT / "data" / "scenarios").glob("*.yml"))
    assert files
    for path in files:
        assert uploads.yaml_problems(path.read_text(encoding="utf-8")) == [], path.name


def test_errors_are_capped_and_the_rest_counted_in_french():
    shown = uploads.capped([f"erreur {i}" for i in range(100)])
    assert len(shown) == uploads.MAX_ERRORS_SHOWN + 1
    assert shown[-1] == "… et 70 autre(s) erreur(s) non affichée(s)."
    assert uploads.capped(["une"]) == ["une"]


def test_a_roster_over_the_row_limit_imports_nobody(tmp_path):
    url = f"sqlite:///{tmp_path / 'r.db'}"
    db.upgrade(url)
    with db.session_factory(url)() as s:
        teacher = accounts.create_user(s, "prof", "motdepasse-solide", "teacher")
        group = accounts.create_group(s, "NDRC", teacher)
        text = "\n".join(f"Nom{i};Prenom{i}" for i in range(accounts.MAX_ROSTER_ROWS + 1))
        started = time.perf_counter()
        with pytest.raises(accounts.AccountError, match="Trop de lignes"):
            accounts.import_roster(s, group, text)
        assert time.perf_counter() - started < 1  # refused before any argon2 hash
        assert s.scalar(select(func.count(User.id))) == 1


def upload(web, http, path, field, name, content: bytes, token: str = ""):  # noqa: F811
    token = token or web.csrf(http, "/enseignant/scenarios")
    return http.post(web.url + path, data={"csrf_token": token}, files={field: (name, content)}, timeout=30)


def test_the_web_app_refuses_a_yaml_bomb_quickly(web):  # noqa: F811
    http = web.login("prof.martin")
    token = web.csrf(http, "/enseignant/scenarios")
    bomb = billion_laughs().encode()
    started = time.perf_counter()
    resp = upload(web, http, "/enseignant/scenarios/verifier", "scenario_file", "bombe.yml", bomb, token)
    assert time.perf_counter() - started < 2
    assert resp.status_code == 200 and "ancres et alias" in resp.text
    assert http.get(web.url + "/health").status_code == 200


def test_the_web_app_refuses_big_rosters_and_big_bodies(web):  # noqa: F811
    http = web.login("prof.martin")
    path = f"/enseignant/classes/{web.ids['group1']}/import"
    rows = "\n".join(f"Nom{i};Prenom{i}" for i in range(accounts.MAX_ROSTER_ROWS + 5)).encode()
    resp = upload(web, http, path, "roster", "classe.csv", rows)
    assert resp.status_code == 400 and "Trop de lignes" in resp.text
    resp = upload(web, http, path, "roster", "classe.csv", b"x" * (uploads.MAX_ROSTER_BYTES + 10))
    assert resp.status_code == 400 and "trop volumineux" in resp.text.lower()
    resp = upload(web, http, path, "roster", "classe.csv", b"x" * 1_200_000)
    assert resp.status_code == 413 and "trop volumineuse" in resp.json()["detail"]
    with web.db() as s:
        assert s.scalar(select(func.count(User.id)).where(User.username.like("prenom%"))) == 0
    assert web.session().get(web.url + "/health", timeout=5).status_code == 200
