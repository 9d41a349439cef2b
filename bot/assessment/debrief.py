"""The debrief a learner reads at the end of a session (French, plain text)."""

from __future__ import annotations

from bot.assessment.rubric import Rubric
from bot.assessment.rules import Assessment
from bot.engine.scenario import Scenario
from bot.language.text import clip

OUTCOME = {"won": "✅ Affaire conclue", "lost": "❌ Affaire perdue", "open": "⏳ Entretien non terminé"}


def debrief(scenario: Scenario, rubric: Rubric, assessment: Assessment, outcome_reason: str = "") -> str:
    lines = [
        f"📊 Bilan – {scenario.title}",
        f"Issue : {OUTCOME.get(assessment.outcome, assessment.outcome)}"
        + (f" ({outcome_reason})" if outcome_reason else ""),
        f"Note : {assessment.grade_20:.1f}/20 – niveau {assessment.level} ({rubric.level_labels[assessment.level]})",
        "Compétences : " + ", ".join(f"{c} {lvl}" for c, lvl in assessment.competence_levels.items()),
    ]
    if assessment.eliminatory:
        lines.append("⚠ Note plafonnée au niveau I : " + ", ".join(assessment.eliminatory) + ".")
    lines.append("")
    lines.append("Par critère :")
    for criterion in rubric.criteria:
        result = assessment.scores[criterion.id]
        head = f"• {criterion.id} {criterion.label} : {result.level}"
        if result.score is not None:
            head += f" ({result.score}/3)"
        lines.append(head)
        lines.append(f"  {result.explanation}")
        if result.evidence:
            n, quote = result.evidence[0]
            lines.append(f"  Votre message n°{n} : « {clip(quote, 160)} »")
        if result.score is not None and result.score < 3:
            lines.append(f"  Conseil : {criterion.advice}")
    if assessment.priorities:
        lines.append("")
        lines.append("Vos trois priorités pour la prochaine fois :")
        for i, cid in enumerate(assessment.priorities, 1):
            lines.append(f"{i}. {rubric.criterion(cid).label} – {rubric.criterion(cid).advice}")
    return "\n".join(lines)
