"""Session lists a page at a time (the class page and the sessions page)."""

from __future__ import annotations

from typing import Dict

from fastapi import Request
from sqlalchemy.orm import Session

from bot.storage.results import SessionFilter, list_sessions

#: sessions per page of a list: a class holds hundreds (a year: ~750), and a page of 500 rows
#: took most of the class page's time (scripts/bench_teacher.py)
SESSIONS_PER_PAGE = 100


def session_page(db: Session, request: Request, flt: SessionFilter) -> Dict:
    """One page of the filtered sessions, with the links to the newer and older pages."""
    raw = request.query_params.get("page", "1")
    page = int(raw) if raw.isdigit() and 0 < int(raw) < 10_000 else 1
    rows = list_sessions(db, flt, limit=SESSIONS_PER_PAGE + 1, offset=(page - 1) * SESSIONS_PER_PAGE)

    def link(n: int) -> str:
        return str(request.url.include_query_params(page=n)) if n > 0 else ""

    return {
        "sessions": rows[:SESSIONS_PER_PAGE],
        "newer_url": link(page - 1),
        "older_url": link(page + 1) if len(rows) > SESSIONS_PER_PAGE else "",
    }
