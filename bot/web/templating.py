"""The Jinja templates of the web app and the French labels they show.

Kept apart from ``app.py`` so that the routes can render pages without importing the
application factory (which imports the routes).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Dict

from fastapi import Request
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates

from bot.engine.coach import _money
from bot.web.security import csrf_token

HERE = Path(__file__).resolve().parent
templates = Jinja2Templates(directory=str(HERE / "templates"))
templates.env.globals.update(csrf_token=csrf_token)
LEVEL_LABELS = {
    "TI": "très insuffisant",
    "I": "insuffisant",
    "S": "satisfaisant",
    "TS": "très satisfaisant",
    "na": "non évalué",
}
OUTCOMES = {"won": "gagnée", "lost": "perdue", "open": "en cours"}
PHASE_LABELS = {
    "contact": "Prise de contact",
    "discovery": "Découverte",
    "proposal": "Proposition",
    "objections": "Objections",
    "closing": "Conclusion",
    "leave_taking": "Prise de congé",
}
COMMANDS = {
    "start_scenario": "(début de la simulation)",
    "ask_hint": "(a demandé un indice)",
    "request_debrief": "(a terminé et demandé le bilan)",
}
templates.env.globals.update(LEVEL_LABELS=LEVEL_LABELS, OUTCOMES=OUTCOMES, PHASE_LABELS=PHASE_LABELS, COMMANDS=COMMANDS)
templates.env.filters["dt"] = lambda d: d.strftime("%d/%m/%Y %H:%M") if d else "—"
templates.env.filters["euros"] = _money  # the briefing's own French money format
templates.env.filters["grade"] = lambda g: "—" if g is None else f"{g:.1f}".replace(".", ",")


def render(request: Request, name: str, context: Dict[str, Any] | None = None, status_code: int = 200) -> HTMLResponse:
    ctx = {"request": request, "user": getattr(request.state, "user", None)}
    ctx.update(context or {})
    return templates.TemplateResponse(request, name, ctx, status_code=status_code)
