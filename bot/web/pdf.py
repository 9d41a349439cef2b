"""The « fiche d'évaluation » of one session as a PDF, laid out like the paper CCF grids."""

from __future__ import annotations

from typing import Any, Dict, List, Sequence, Tuple

from fpdf import FPDF

from bot.assessment.grading import FinalGrade, french
from bot.assessment.rubric import Rubric
from bot.storage.models import CriterionScore, ScoreOverride, SimSession

LEVELS = ("TI", "I", "S", "TS")
_REPLACE = {"’": "'", "‘": "'", "“": '"', "”": '"', "…": "...", "œ": "oe", "Œ": "OE", "–": "-", "—": "-", "€": "EUR"}


def latin1(text: str) -> str:
    """The core PDF fonts speak Latin-1: map the usual French typography, drop the rest."""
    for a, b in _REPLACE.items():
        text = text.replace(a, b)
    return text.encode("latin-1", "replace").decode("latin-1").replace("\u00a0", " ")


def fiche_pdf(
    session: SimSession,
    rubric: Rubric,
    scenario_title: str,
    learner_name: str,
    group_name: str,
    overrides: Dict[str, ScoreOverride],
    sheet: List[Tuple[str, List[str]]] | None = None,
    *,
    grade: FinalGrade,
    self_assessment: Sequence[Dict[str, Any]] = (),
    kind: str | None = None,
) -> bytes:
    """The CCF grid of the session; ``grade`` is the final grade (the teacher's scores win), the automatic
    one beside it; ``sheet``: the student's preparation sheet (titled sections), on its own page;
    ``self_assessment``: per competence block, the student's own level beside the automatic one
    (:func:`bot.web.debrief_view.blocks`), printed once the student has rated themself."""
    pdf = FPDF(orientation="P", unit="mm", format="A4")
    pdf.set_auto_page_break(auto=True, margin=15)
    pdf.add_page()
    pdf.set_font("Helvetica", "B", 14)
    pdf.cell(0, 8, latin1("Fiche d'évaluation - Négociation-vente (E4 / CCF)"), new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("Helvetica", "", 10)
    started = session.started_at.strftime("%d/%m/%Y %H:%M") if session.started_at else ""
    for label, value in (
        ("Candidat", f"{learner_name} ({session.learner_id})"),
        ("Classe", group_name or "-"),
        ("Situation", scenario_title),
        ("Date", started),
        ("Issue", {"won": "affaire conclue", "lost": "affaire perdue"}.get(session.outcome, "en cours")),
    ):
        pdf.cell(35, 6, latin1(label + " :"))
        pdf.multi_cell(0, 6, latin1(value), new_x="LMARGIN", new_y="NEXT")
    pdf.ln(2)
    scores: Dict[str, CriterionScore] = {s.criterion_id: s for s in session.scores}
    widths = [22, 70, 9, 9, 9, 9, 62]
    pdf.set_font("Helvetica", "B", 9)
    pdf.set_fill_color(230, 233, 240)
    for w, title in zip(widths, ("Critère", "Indicateur", "TI", "I", "S", "TS", "Preuves / commentaire"), strict=True):
        pdf.cell(w, 7, latin1(title), border=1, align="C", fill=True)
    pdf.ln()
    groups: Dict[str, List] = {}
    for c in rubric.criteria:
        if not rubric.applies(c.id, kind):
            continue  # outside the grid of this session's kind (a buyer is not graded as a seller)
        groups.setdefault(c.group, []).append(c)
    for group, criteria in groups.items():
        pdf.set_font("Helvetica", "B", 9)
        pdf.cell(sum(widths), 6, latin1(rubric.groups.get(group, {}).get("label", group)), border=1, fill=True)
        pdf.ln()
        pdf.set_font("Helvetica", "", 8)
        for c in criteria:
            auto = scores.get(c.id)
            over = overrides.get(c.id)
            level = over.level if over else (auto.level if auto else "na")
            evidence = "; ".join(f"t{e.get('turn')}: {e.get('text')}" for e in (auto.evidence_turns if auto else []))
            note = evidence[:220]
            if over:
                note = f"Enseignant ({over.level}, auto {auto.level if auto else '-'}) : {over.comment} " + note
            if level == "na":
                note = "Non évalué dans cette situation. " + note
            lines_needed = max(
                len(pdf.multi_cell(widths[1], 4, latin1(c.label), dry_run=True, output="LINES")),
                len(pdf.multi_cell(widths[6], 4, latin1(note), dry_run=True, output="LINES")),
                1,
            )
            h = 4 * lines_needed + 2
            if pdf.will_page_break(h):
                pdf.add_page()
            x, y = pdf.get_x(), pdf.get_y()
            pdf.multi_cell(widths[0], h, c.id, border=1)
            pdf.set_xy(x + widths[0], y)
            pdf.multi_cell(widths[1], 4, latin1(c.label), border=0)
            pdf.rect(x + widths[0], y, widths[1], h)
            cx = x + widths[0] + widths[1]
            for i, name in enumerate(LEVELS):
                pdf.set_xy(cx + i * 9, y)
                pdf.cell(9, h, "X" if level == name else "", border=1, align="C")
            nx = cx + 4 * 9
            pdf.set_xy(nx, y)
            pdf.multi_cell(widths[6], 4, latin1(note), border=0)
            pdf.rect(nx, y, widths[6], h)
            pdf.set_xy(x, y + h)
    pdf.ln(4)
    pdf.set_font("Helvetica", "B", 12)
    pdf.cell(0, 8, latin1(f"{rubric.grade_label} : {french(grade.final)} / 20"), new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("Helvetica", "", 9)
    if grade.overridden:
        difference = f"{grade.difference:+.1f}".replace(".", ",") if grade.difference is not None else "-"
        automatic = (
            f"Note automatique : {french(grade.automatic)} / 20 ; écart après les niveaux de "
            f"l'enseignant ({grade.overridden} critère(s) corrigé(s)) : {difference}."
        )
    else:
        automatic = "Note calculée automatiquement ; aucun niveau corrigé par l'enseignant."
    pdf.multi_cell(0, 5, latin1(automatic), new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("Helvetica", "", 8)
    pdf.multi_cell(
        0,
        4,
        latin1(
            rubric.grade_correspondence + " "
            "TI : très insuffisant - I : insuffisant - S : satisfaisant - TS : très satisfaisant. "
            "Signature de l'évaluateur :"
        ),
    )
    if any(row["self"] for row in self_assessment):
        self_assessment_table(pdf, self_assessment)
    if sheet:
        preparation_page(pdf, sheet)
    return bytes(pdf.output())


def self_assessment_table(pdf: FPDF, rows: Sequence[Dict[str, Any]]) -> None:
    """The student's self-assessment per competence block, made before seeing any score, beside the
    automatic level: the debrief's first step, kept on the fiche for the teacher's interview."""
    pdf.ln(3)
    pdf.set_font("Helvetica", "B", 10)
    pdf.cell(0, 7, latin1("Auto-évaluation de l'élève (avant de voir ses résultats)"), new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("Helvetica", "", 9)
    for row in rows:
        line = f"{row['label']} : l'élève {row['self'] or '-'} ; évaluation {row['auto']}"
        pdf.multi_cell(0, 5, latin1(line), new_x="LMARGIN", new_y="NEXT")


def preparation_page(pdf: FPDF, sections: List[Tuple[str, List[str]]]) -> None:
    """The written preparation the C1.1 criteria were scored from, as the student wrote it."""
    pdf.add_page()
    pdf.set_font("Helvetica", "B", 13)
    pdf.cell(0, 8, latin1("Fiche de préparation rédigée par le candidat"), new_x="LMARGIN", new_y="NEXT")
    for title, lines in sections:
        pdf.set_font("Helvetica", "B", 10)
        pdf.cell(0, 7, latin1(title), new_x="LMARGIN", new_y="NEXT")
        pdf.set_font("Helvetica", "", 9)
        for line in lines:
            pdf.multi_cell(
                0, 5, latin1("- " + line.replace("→", "->").replace("↔", "<->")), new_x="LMARGIN", new_y="NEXT"
            )
