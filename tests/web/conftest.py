"""The real web app (uvicorn process) on a throw-away database, with seeded accounts."""

from __future__ import annotations

import re
import subprocess
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Dict

import pytest
import requests

from bot import cli
from bot.storage import accounts, db
from bot.storage.models import CriterionScore, Evidence, SimSession, Turn
from tests.e2e.conftest import free_port

PASSWORD = "motdepasse-solide"
CSRF_RE = re.compile(r'name="csrf_token" value="([^"]+)"')
XSS_SCRIPT = "<script>window.__xss = 1</script>Bonjour"
XSS_IMG = '<img src=x onerror="window.__xss = 2">'


@dataclass
class WebApp:
    url: str
    db_url: str
    process: subprocess.Popen
    ids: Dict[str, str]

    def session(self) -> requests.Session:
        return requests.Session()

    def csrf(self, http: requests.Session, path: str = "/connexion") -> str:
        match = CSRF_RE.search(http.get(self.url + path).text)
        assert match, f"no CSRF token on {path}"
        return match.group(1)

    def login(self, username: str, password: str = PASSWORD) -> requests.Session:
        http = self.session()
        token = self.csrf(http)
        resp = http.post(
            self.url + "/connexion",
            data={"username": username, "password": password, "csrf_token": token},
            allow_redirects=False,
        )
        assert resp.status_code == 303, resp.text[:500]
        return http

    def db(self):
        return db.session_factory(self.db_url)()


def seed(db_url: str) -> Dict[str, str]:
    """Two teachers, one class each, two students, one scored session with hostile text."""
    db.upgrade(db_url)
    with db.session_factory(db_url)() as s:
        admin = accounts.create_user(s, "admin", PASSWORD, "admin", display_name="Admin Lycée")
        t1 = accounts.create_user(s, "prof.martin", PASSWORD, "teacher", display_name="Mme Martin")
        t2 = accounts.create_user(s, "prof.durand", PASSWORD, "teacher", display_name="M. Durand")
        g1 = accounts.create_group(s, "NDRC 1 A", t1)
        g2 = accounts.create_group(s, "NDRC 1 B", t2)
        accounts.create_user(s, "alice.dupont", PASSWORD, "student", display_name="Alice Dupont", group=g1)
        accounts.create_user(s, "bob.leroy", PASSWORD, "student", display_name="Bob Leroy", group=g2)
        accounts.create_user(s, "eve.garcia", PASSWORD, "student", display_name="Eve Garcia", group=g2)
        start = datetime(2026, 11, 20, 9, 0)
        session = SimSession(
            id="seeded-session-alice",
            learner_id="alice.dupont",
            scenario_id="air-plasturgie",
            started_at=start,
            ended_at=start + timedelta(minutes=20),
            outcome="won",
            grade_20=12.5,
            scored_at=start + timedelta(minutes=20),
        )
        s.add(session)
        texts = [
            ("learner", "", XSS_SCRIPT, "greet"),
            ("client", "M. Garnier", "Bonjour, asseyez-vous.", None),
            ("learner", "", XSS_IMG + " Quels sont vos besoins en air comprimé ?", "ask_open_question"),
            ("coach", "Coach", "Bonne question ouverte.", None),
        ]
        for n, (speaker, name, text, intent) in enumerate(texts, 1):
            s.add(
                Turn(
                    session_id=session.id, n=n, event_key=f"seed-{n}", speaker=speaker, name=name, text=text,
                    intent=intent, confidence=0.9 if intent else None, moves=[intent] if intent else None,
                    phase="discovery", at=start + timedelta(minutes=n),
                )
            )  # fmt: skip
        s.add(CriterionScore(session_id=session.id, criterion_id="C1.2.1-a", score=2, level="S",
                             explanation="Présentation et objet.", advice="Faites valider le cadre.",
                             evidence_turns=[{"turn": 1, "text": XSS_SCRIPT}]))  # fmt: skip
        s.add(CriterionScore(session_id=session.id, criterion_id="C1.2.1-b", score=1, level="I",
                             explanation="Peu de questions.", advice="Posez des questions ouvertes.",
                             evidence_turns=[{"turn": 3, "text": XSS_IMG}]))  # fmt: skip
        s.add(CriterionScore(session_id=session.id, criterion_id="C2.2-a", score=None, level="na",
                             explanation="", advice="", evidence_turns=[]))  # fmt: skip
        s.add(Evidence(session_id=session.id, turn_n=3, criterion_id="C1.2.1-b", finding="question ouverte"))
        s.commit()
        return {"admin": str(admin.id), "group1": str(g1.id), "group2": str(g2.id), "session": session.id}


def start_web(tmp: Path, rasa_port: int | None = None, db_url: str = "") -> WebApp:
    db_url = db_url or f"sqlite:///{tmp / 'web.db'}"
    ids = seed(db_url)
    env = cli.environment()
    port = free_port()
    env.update(
        DATABASE_URL=db_url,
        WEB_PORT=str(port),
        RASA_URL=f"http://127.0.0.1:{rasa_port or free_port()}",
        SECRET_KEY="test-secret-key",
        WIDGET_SECRET="test-widget-secret",
    )
    process = cli.start_web(env, log_dir=tmp)
    return WebApp(f"http://127.0.0.1:{port}", db_url, process, ids)


@pytest.fixture(scope="module")
def web(tmp_path_factory):
    """The web app alone (Rasa unreachable): pages, security, API, exports."""
    tmp = tmp_path_factory.mktemp("web")
    app = start_web(tmp)
    try:
        yield app
    finally:
        app.process.terminate()
        app.process.wait(timeout=15)
