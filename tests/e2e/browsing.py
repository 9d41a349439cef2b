"""What every browser test shares: Debian's Chromium and its flags, screenshots, logging in
through the real form, sending a chat message. The ``browser`` fixture is in tests/e2e/conftest.py.

One login for all: it fills the form as a person would and waits until the app has let the
person in (the URL leaves ``/connexion``), so the next step never races the redirect."""

from __future__ import annotations

import shutil

from bot import cli
from tests.web.conftest import PASSWORD

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
SHOTS = cli.ROOT / "results" / "screenshots"
ARGS = [
    "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]  # fmt: skip
#: a phone-sized context; bypass_csp: Playwright's waits evaluate scripts (escaping alone must stop XSS)
PHONE = {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True, "bypass_csp": True}


def shot(page, name: str) -> None:
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


def login(page, url: str, username: str, password: str = PASSWORD, refused: bool = False) -> None:
    """Log in on ``url`` through the login form (the seeded accounts share ``PASSWORD``). Returns
    once the person is in; with ``refused``, once the form has answered (the page shows the error)."""
    page.goto(url + "/connexion")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", password)
    page.click("button[type=submit]")
    if refused:
        page.wait_for_selector(".error")
    else:
        page.wait_for_url(lambda address: "/connexion" not in address)


def send(page, text: str) -> None:
    """Send one chat message and wait for the answer, the composer free again."""
    before = page.locator(".msg").count()
    page.fill("#text", text)
    page.click("#send")
    # the learner bubble, then at least one answer, and the composer free again
    page.wait_for_function(f"document.querySelectorAll('.msg').length >= {before + 2}", timeout=90_000)
    page.wait_for_function("!document.getElementById('send').disabled", timeout=90_000)
