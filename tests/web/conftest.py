"""The web app on a throw-away database, with seeded accounts.

The page, security, API and export tests drive the app in process through FastAPI's
``TestClient`` (no server, no port; one event loop shared by every client of a module,
as a single uvicorn worker would). The browser test alone (tests/e2e/test_web_browser.py)
serves it with uvicorn (``start_web``), once per session, beside the shared Rasa stack.
"""

from __future__ import annotations

import re
import subprocess
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any, Dict

import pytest
import requests
from fastapi.testclient import TestClient
from sqlalchemy import select

from bot import cli, devstack
from bot.storage import accounts, db
from bot.storage.models import CriterionScore, Evidence, Group, SimSession, Turn, User

PASSWORD = "motdepasse-solide"
CSRF_RE = re.compile(r'name="csrf_token" value="([^"]+)"')
XSS_SCRIPT = "<script>window.__xss = 1</script>Bonjour"
XSS_IMG = '<img src=x onerror="window.__xss = 2">'


@dataclass
class WebApp:
    """``url`` + a path is what a client requests; ``session()`` is a new browser (own cookies):
    a ``TestClient`` in process (``client`` set) or a ``requests.Session`` against uvicorn."""

    url: str
    db_url: str
    ids: Dict[str, str]
    process: subprocess.Popen | None = None
    client: TestClient | None = None

    def session(self):
        if self.client is None:
            return requests.Session()
        http = TestClient(self.client.app, base_url=self.url)
        http.portal = self.client.portal  # the event loop of the app (its relay and locks live there)
        return http

    def csrf(self, http: Any, path: str = "/connexion") -> str:
        match = CSRF_RE.search(http.get(self.url + path).text)
        assert match, f"no CSRF token on {path}"
        return match.group(1)

    def login(self, username: str, password: str = PASSWORD) -> Any:
        http = self.session()
        token = self.csrf(http)
        resp = http.post(
            self.url + "/connexion",
            data={"username": username, "password": password, "csrf_token": token},
            **{"follow_redirects" if self.client else "allow_redirects": False},
        )
        assert resp.status_code == 303, resp.text[:500]
        return http

    def db(self):
        return db.session_factory(self.db_url)()


def seed(db_url: str) -> Dict[str, str]:
    """Two teachers, one class each, two students, one scored session with hostile text.

    Once per database: the browser tests share the Rasa stack's database and each starts a web app on it."""
    db.upgrade(db_url)
    with db.session_factory(db_url)() as s:
        admin = s.scalar(select(User).where(User.username == "admin"))
        if admin is not None:
            groups = {g.name: str(g.id) for g in s.scalars(select(Group))}
            return {"admin": str(admin.id), "group1": groups["NDRC 1 A"], "group2": groups["NDRC 1 B"],
                    "session": "seeded-session-alice"}  # fmt: skip
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


def start_web(tmp: Path, rasa_port: int | None = None, db_url: str = "", **extra: str) -> WebApp:
    """The web app as a real uvicorn process on a seeded database; ``extra`` adds or overrides settings."""
    db_url = db_url or f"sqlite:///{tmp / 'web.db'}"
    ids = seed(db_url)
    env = cli.environment()
    port = devstack.free_port()
    env.update(
        DATABASE_URL=db_url,
        WEB_PORT=str(port),
        RASA_URL=f"http://127.0.0.1:{rasa_port or devstack.free_port()}",
        SECRET_KEY="test-secret-key",
        WIDGET_SECRET="test-widget-secret",
    )
    env.update(extra)
    process = devstack.start_web(env, log_dir=tmp)
    return WebApp(f"http://127.0.0.1:{port}", db_url, ids, process=process)


@pytest.fixture(scope="module")
def web(tmp_path_factory):
    """The web app alone (Rasa unreachable), in process: pages, security, API, exports."""
    tmp = tmp_path_factory.mktemp("web")
    db_url = f"sqlite:///{tmp / 'web.db'}"
    ids = seed(db_url)
    settings = {
        "DATABASE_URL": db_url,
        "RASA_URL": f"http://127.0.0.1:{devstack.free_port()}",
        "SECRET_KEY": "test-secret-key",
        "WIDGET_SECRET": "test-widget-secret",
    }
    with pytest.MonkeyPatch.context() as mp:
        for key, value in settings.items():
            mp.setenv(key, value)
        from bot.web.app import create_app

        with TestClient(create_app(), base_url="http://testserver") as client:
            yield WebApp(str(client.base_url).rstrip("/"), db_url, ids, client=client)
