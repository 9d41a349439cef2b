"""The grade a session ends with once the teacher has had their say, and its levels per block.

The automatic grade (``assess``) is kept as computed; when a teacher overrides criterion
scores, the grade is the same weighted mean over the scores that now stand, and the
eliminatory cap the automatic grade carried still applies. The gradebook (LTI) receives
this grade and a comment listing the level of each block of the grid.
"""

from __future__ import annotations

from typing import Dict

from bot.assessment.rubric import Rubric
from bot.assessment.rules.aggregate import ELIMINATORY_CAP, weighted_grade


def final_grade(
    rubric: Rubric,
    scenario_id: str,
    kind: str | None,
    automatic_grade: float | None,
    automatic: Dict[str, int | None],
    effective: Dict[str, int | None],
) -> float | None:
    """The grade /20 with the teacher's scores (``effective``) in place of the automatic ones."""
    if automatic_grade is None or effective == automatic:
        return automatic_grade

    def grade(scores: Dict[str, int | None]) -> float:
        na = [c.id for c in rubric.criteria if scores.get(c.id) is None]
        return weighted_grade(rubric.weights(scenario_id, na, kind), scores)

    capped = automatic_grade < grade(automatic) - 0.05  # an eliminatory fault capped it
    teacher = grade(effective)
    return min(teacher, ELIMINATORY_CAP) if capped else teacher


def block_levels(rubric: Rubric, scores: Dict[str, int | None]) -> Dict[str, str]:
    """Block label → level (TI, I, S, TS) of the rounded mean of its scored criteria; na when none."""
    levels: Dict[str, str] = {}
    for group, spec in rubric.groups.items():
        scored = [scores[c.id] for c in rubric.criteria if c.group == group and scores.get(c.id) is not None]
        levels[spec.get("label", group)] = rubric.level(round(sum(scored) / len(scored))) if scored else "na"
    return levels


def gradebook_comment(rubric: Rubric, grade: float, scores: Dict[str, int | None]) -> str:
    """The French comment beside the grade in the LMS gradebook."""
    lines = [f"Note : {grade:.1f}/20".replace(".", ",")]
    for label, level in block_levels(rubric, scores).items():
        shown = "non évalué" if level == "na" else f"{level} ({rubric.level_labels.get(level, level)})"
        lines.append(f"{label} : {shown}")
    return "\n".join(lines)
