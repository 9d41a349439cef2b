"""A learner's data as a readable PDF (RGPD right of access), from the JSON export.

The JSON (``bot.storage.learner_data.export_learner``) is the complete, machine-readable
copy; this document is what a pupil or a parent reads: identity, each simulation with its
scores and transcript, linked accounts, and who consulted the record.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any, Dict, List, Mapping

from fpdf import FPDF

from bot.assessment.grading import FinalGrade, french
from bot.web.pdf import latin1

OUTCOMES = {"won": "affaire conclue", "lost": "affaire perdue", "open": "en cours"}


def _day(value: Any) -> str:
    text = str(value or "")
    return f"{text[8:10]}/{text[5:7]}/{text[:4]} {text[11:16]}" if len(text) >= 16 else text or "-"


class _Doc:
    def __init__(self) -> None:
        self.pdf = FPDF(orientation="P", unit="mm", format="A4")
        self.pdf.set_auto_page_break(auto=True, margin=15)
        self.pdf.add_page()

    def title(self, text: str, size: int = 13) -> None:
        self.pdf.set_font("Helvetica", "B", size)
        self.pdf.multi_cell(0, 7, latin1(text), new_x="LMARGIN", new_y="NEXT")

    def line(self, text: str, bold: bool = False) -> None:
        self.pdf.set_font("Helvetica", "B" if bold else "", 9)
        self.pdf.multi_cell(0, 5, latin1(text), new_x="LMARGIN", new_y="NEXT")


def _grade(session: Dict[str, Any], grades: Mapping[str, FinalGrade]) -> str:
    """The final grade (a teacher's override wins, as on every page), the automatic one beside it."""
    grade = grades.get(session["id"])
    if grade is None:
        return "-" if session.get("grade_20") is None else f"{french(session['grade_20'])} / 20"
    shown = f"{french(grade.final)} / 20"
    return f"{shown} (proposée automatiquement : {french(grade.automatic)})" if grade.changed else shown


def learner_data_pdf(export: Dict[str, Any], grades: Mapping[str, FinalGrade] | None = None) -> bytes:
    """``grades``: session id -> its final grade (``bot.web.grades.grades_for``)."""
    tables: Dict[str, List[Dict[str, Any]]] = export["tables"]
    doc = _Doc()
    doc.title("Mes données - Coach de négociation", 15)
    doc.line(
        "Copie des données personnelles conservées (RGPD, article 15). "
        "La version complète et lisible par une machine est l'export JSON."
    )
    for learner in tables.get("learners", []):
        doc.line(f"Identifiant : {learner['id']} - nom affiché : {learner.get('display_name') or '-'}", bold=True)
        doc.line(f"Créé le {_day(learner.get('created_at'))}")
    for account in tables.get("users", []):
        doc.line(f"Compte : {account['username']} (dernière connexion : {_day(account.get('last_login_at'))})")
    for link in tables.get("channel_links", []):
        doc.line(f"Compte {link['channel']} lié : {link['external_id']} (depuis le {_day(link.get('created_at'))})")
    by_session: Dict[str, Dict[str, list]] = defaultdict(lambda: defaultdict(list))
    for name in ("turns", "criterion_scores", "score_overrides"):
        for row in tables.get(name, []):
            by_session[row["session_id"]][name].append(row)
    doc.title(f"Simulations ({len(tables.get('sessions', []))})")
    for session in tables.get("sessions", []):
        rows = by_session[session["id"]]
        grade = _grade(session, grades or {})
        doc.line(
            f"{session['scenario_id']} - {_day(session.get('started_at'))} - "
            f"{OUTCOMES.get(session.get('outcome'), session.get('outcome'))} - note {grade}",
            bold=True,
        )
        for score in rows["criterion_scores"]:
            doc.line(f"  {score['criterion_id']} : {score['level']} {score.get('explanation') or ''}")
        for over in rows["score_overrides"]:
            doc.line(f"  {over['criterion_id']} corrigé par l'enseignant : {over['level']} {over.get('comment') or ''}")
        for turn in rows["turns"]:
            who = {"learner": "Moi", "coach": "Coach"}.get(turn["speaker"], turn.get("name") or turn["speaker"])
            doc.line(f"  {turn['n']}. {who} : {turn.get('text') or ''}")
    audit = tables.get("audit_events", [])
    doc.title(f"Consultations et modifications enregistrées ({len(audit)})")
    for event in audit:
        doc.line(
            f"{_day(event.get('at'))} - {event.get('actor') or '-'} - {event['action']} {event.get('target') or ''}"
        )
    doc.title("Autres données")
    doc.line(f"Évènements de conversation (Rasa) : {len(tables.get('events', []))}")
    doc.line(f"Messages non enregistrés (journal) : {len(tables.get('unsaved_messages', []))}")
    return bytes(doc.pdf.output())
