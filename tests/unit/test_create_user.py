"""``create-user`` without a terminal: says how to give the password, or reads it from stdin."""

from __future__ import annotations

import subprocess
import sys

from bot import cli
from bot.config import ROOT
from bot.storage import db


def run(args, db_url, stdin_text=None, **extra):
    """``python -m bot.cli create-user`` with stdin a pipe or /dev/null, never a terminal."""
    env = {k: v for k, v in cli.environment().items() if k != "NEW_USER_PASSWORD"}
    env.update(DATABASE_URL=db_url, **extra)
    stdin = {"input": stdin_text} if stdin_text is not None else {"stdin": subprocess.DEVNULL}
    return subprocess.run(
        [sys.executable, "-m", "bot.cli", "create-user", *args],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=120, **stdin,
    )  # fmt: skip


def test_no_terminal_says_how_to_pass_the_password(tmp_path):
    out = run(["prof.martin", "--role", "teacher"], f"sqlite:///{tmp_path / 'a.db'}")
    assert out.returncode == 2
    assert "Traceback" not in out.stderr
    assert "--password-stdin" in out.stderr and "NEW_USER_PASSWORD" in out.stderr
    assert "pas de terminal" in out.stderr


def test_password_from_stdin(tmp_path):
    url = f"sqlite:///{tmp_path / 'b.db'}"
    out = run(["prof.durand", "--role", "teacher", "--password-stdin"], url, stdin_text="motdepasse-solide\n")
    assert out.returncode == 0, out.stderr
    from bot.storage.accounts import authenticate

    with db.session_factory(url)() as session:
        assert authenticate(session, "prof.durand", "motdepasse-solide") is not None
        assert authenticate(session, "prof.durand", "motdepasse-solide\n") is None


def test_password_from_the_environment(tmp_path):
    url = f"sqlite:///{tmp_path / 'c.db'}"
    out = run(["admin2"], url, NEW_USER_PASSWORD="motdepasse-solide")
    assert out.returncode == 0, out.stderr
    assert "créé" in out.stdout
