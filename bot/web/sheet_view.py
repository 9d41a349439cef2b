"""The preparation sheet as the teacher reads it: titled sections of French lines (page and PDF fiche)."""

from __future__ import annotations

from typing import List, Tuple

from sqlalchemy.orm import Session

from bot.assessment.preparation_sheet import PreparationSheet, parse_sheet, sheet_vocabulary
from bot.storage.models import PreparationSheetRow
from bot.storage.sheets import session_sheet


def sheet_sections(sheet: PreparationSheet) -> List[Tuple[str, List[str]]]:
    """Each section's title and its lines, in the order of the form; empty sections say so."""
    vocab = sheet_vocabulary()
    topics = vocab.topics
    sections = [
        (
            vocab.sections["objectives"],
            [f"{vocab.objectives[key]} : {text}" for key, text in sheet.objectives.items() if text],
        ),
        (vocab.sections["questions"], [f"[{topics.get(q.topic, q.topic)}] {q.question}" for q in sheet.questions]),
        (
            vocab.sections["arguments"],
            [
                f"{a.need} ({vocab.motives.get(a.motive, '—')}) : C {a.characteristic} / A {a.advantage} / P {a.proof}"
                for a in sheet.arguments
            ],
        ),
        (
            vocab.sections["objections"],
            [f"« {o.objection} » → {o.answer or '(sans réponse prévue)'}" for o in sheet.objections],
        ),
        (
            vocab.sections["concessions"],
            [f"{c.concession} ↔ {c.counterpart or '(sans contrepartie)'}" for c in sheet.concessions],
        ),
        (vocab.sections["documents"], list(sheet.documents)),
    ]
    return [(title, lines or ["(vide)"]) for title, lines in sections]


def session_sheet_view(db: Session, session_id: str) -> Tuple[PreparationSheetRow | None, List[Tuple[str, List[str]]]]:
    """The sheet that prepared a session and its sections (none when the student wrote no sheet)."""
    row = session_sheet(db, session_id)
    return row, (sheet_sections(parse_sheet(row.content)) if row else [])
