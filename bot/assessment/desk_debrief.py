"""The debrief of a desk task (French, plain text): what the report restitutes, and what it gets wrong.

Built like the negotiation debrief (:mod:`bot.assessment.debrief`: grade, strengths, priorities, the
detail per criterion) but about a document: the essential elements missing by their ``label`` (as the
contract asks of the key facts), each wrong figure with the expected value, each next step without its
date, each figure invented, then the criteria the task scores with their evidence and advice.
"""

from __future__ import annotations

from typing import List

from bot.assessment import teaching
from bot.assessment.grading import french
from bot.assessment.rubric import Rubric
from bot.assessment.rules import Assessment
from bot.engine.desk_schema import DeskTask
from bot.engine.report import ReportCheck
from bot.engine.simulation import fmt
from bot.language.text import clip

OUTCOME = {"won": "✅ Document validé", "lost": "❌ Document à reprendre", "open": "⏳ Document non remis"}
STEP_STATUS = {
    "sans_date": "sans date",
    "date_vague": "date vague",
    "mauvaise_date": "mauvaise date",
    "absente": "absente",
}


def _value(check: ReportCheck, figure_id: str) -> str:
    figure = next(f.figure for f in check.figures if f.figure.id == figure_id)
    if figure.kind == "date":
        year, month, day = str(figure.value).split("-")
        return f"{day}/{month}/{year}"
    unit = {"montant": " €", "pourcentage": " %"}.get(figure.kind, "")
    return f"{fmt(float(figure.value))}{unit}"


def _report_lines(task: DeskTask, check: ReportCheck) -> List[str]:
    lines: List[str] = []
    missing = [e for e in task.facts if e.essential and e.id not in check.covered]  # the steps come below
    if missing:
        lines += ["", "🔎 Éléments essentiels absents de votre document :"]
        lines += [f"• {e.label}" for e in missing]
    else:
        lines += ["", "🔎 Éléments essentiels : tous restitués."]
    wrong = check.wrong_figures
    absent = [f for f in check.figures if f.status == "absent"]
    if wrong or absent or check.invented:
        lines += ["", "🔢 Chiffres et dates :"]
        for f in wrong:
            lines.append(
                f"• {f.figure.label} : vous avez écrit {f.written}, le bon chiffre est {_value(check, f.figure.id)}."
            )
        for f in absent:
            lines.append(f"• {f.figure.label} : absent ({_value(check, f.figure.id)}).")
        for _, value in check.invented:
            lines.append(f"• {value} : ce chiffre n'a été dit nulle part dans l'entretien (information inventée).")
    else:
        lines += ["", "🔢 Chiffres et dates : tous exacts."]
    undated = [s for s in check.steps if s.status != "datee" and (s.step.date or s.status == "absente")]
    if undated:
        lines += ["", "📅 Engagements et prochaines étapes à compléter :"]
        for s in undated:
            lines.append(f"• {s.step.label} – {STEP_STATUS.get(s.status, s.status)}.")
    return lines


def desk_debrief(task: DeskTask, rubric: Rubric, assessment: Assessment, outcome_reason: str = "") -> str:
    """The whole debrief of a desk task."""
    level = f"niveau {assessment.level} ({rubric.level_labels[assessment.level]})"
    lines = [
        f"📊 Bilan – {task.title}",
        f"Issue : {OUTCOME.get(assessment.outcome, assessment.outcome)}"
        + (f" ({outcome_reason})" if outcome_reason else ""),
        f"Note proposée – tâche de rédaction : {french(assessment.grade_20)}/20 – {level}",
        f"Indices demandés au coach : {assessment.hints_used or 'aucun'}.",
    ]
    strengths = teaching.strengths(assessment)
    if strengths:
        lines += ["", "👍 Vos points forts :"]
        lines += [f"• {rubric.criterion(c).label} ({assessment.scores[c].level})" for c in strengths]
    if assessment.report is not None:
        lines += _report_lines(task, assessment.report)
    lines += ["", "Par critère :"]
    for criterion in rubric.criteria:
        result = assessment.scores.get(criterion.id)  # absent: outside the task's grid (C3.1-c in a visit report)
        if result is None or result.score is None:
            continue
        lines.append(f"• {criterion.id} {criterion.label} : {result.level} ({result.score}/3)")
        lines.append(f"  {result.explanation}")
        if result.evidence:
            turn, text = result.evidence[0]
            lines.append(f"  Votre message n°{teaching.learner_number(assessment, turn)} : « {clip(text, 140)} »")
        if result.score < 3:
            lines.append(f"  Conseil : {criterion.advice}")
    return "\n".join(lines)
