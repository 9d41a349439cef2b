"""The grade /20 a session ends with once the teacher has had their say, and its levels per block.

In the exam the commission decides the grade; here the automatic assessment *proposes* one and the
teacher's word is final. The automatic grade (``assess``) is kept as computed; when a teacher
overrides criterion scores, the grade is the same weighted mean over the scores that now stand, and
the eliminatory cap the automatic grade carried still applies. Every surface asks :func:`final_grade`
(debrief page, PDF fiche, CSV, results API, the LMS gradebook) and none recomputes it on its own; the
automatic grade is kept beside the final one, with the difference.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Dict, Mapping

from bot.assessment.rubric import Rubric
from bot.assessment.rules.aggregate import ELIMINATORY_CAP, weighted_grade

#: how far the stored automatic grade may sit below the weighted mean before it reads as capped
ROUNDING = 0.05


def scores_grade(rubric: Rubric, scenario_id: str, kind: str | None, scores: Mapping[str, int | None]) -> float:
    """The weighted mean of the scored criteria on /20 (a criterion scored None is ``na``)."""
    na = [c.id for c in rubric.criteria if scores.get(c.id) is None]
    return weighted_grade(rubric.weights(scenario_id, na, kind), dict(scores))


@dataclass(frozen=True)
class FinalGrade:
    """The automatic grade, the final grade (the teacher's scores winning) and whether they differ."""

    automatic: float | None
    final: float | None
    #: how many criteria the teacher scored differently from the automatic assessment
    overridden: int = 0

    @property
    def difference(self) -> float | None:
        if self.automatic is None or self.final is None:
            return None
        return round(self.final - self.automatic, 1)

    @property
    def changed(self) -> bool:
        return bool(self.difference)


def final_grade(
    rubric: Rubric,
    scenario_id: str,
    kind: str | None,
    automatic_grade: float | None,
    automatic: Mapping[str, int | None],
    teacher: Mapping[str, int | None],
) -> FinalGrade:
    """The grade /20 once the teacher's scores (``teacher``: the overrides, or every score as it now
    stands, criterion → 0-3 or None for na) replace the automatic ones. An eliminatory cap on the
    automatic grade (a fault the teacher does not score criterion by criterion) stays on the final
    grade. Without a grade (session open) both are None."""
    if automatic_grade is None:
        return FinalGrade(None, None)
    changed = {cid: s for cid, s in teacher.items() if automatic.get(cid, "missing") != s}
    if not changed:
        return FinalGrade(automatic_grade, automatic_grade)
    before = scores_grade(rubric, scenario_id, kind, automatic)
    after = scores_grade(rubric, scenario_id, kind, {**automatic, **changed})
    if automatic_grade < before - ROUNDING and automatic_grade <= ELIMINATORY_CAP:
        grade = min(after, ELIMINATORY_CAP)  # the eliminatory cap stays
    else:
        grade = automatic_grade + after - before  # = after, the stored grade being the weighted mean
    return FinalGrade(automatic_grade, round(min(max(grade, 0.0), 20.0), 1), len(changed))


def french(grade: float | None) -> str:
    """« 12,5 » (« - » without a grade), as the fiche and the pages print it."""
    return "-" if grade is None else f"{grade:.1f}".replace(".", ",")


def block_levels(rubric: Rubric, scores: Dict[str, int | None]) -> Dict[str, str]:
    """Block label → level (TI, I, S, TS) of the rounded mean of its scored criteria; na when none."""
    levels: Dict[str, str] = {}
    for group, spec in rubric.groups.items():
        if not any(c.id in scores for c in rubric.criteria if c.group == group):
            continue  # a block outside this session's grid (the purchase block of a sale)
        scored = [scores[c.id] for c in rubric.criteria if c.group == group and scores.get(c.id) is not None]
        levels[spec.get("label", group)] = rubric.level(round(sum(scored) / len(scored))) if scored else "na"
    return levels


def gradebook_comment(rubric: Rubric, grade: float, scores: Dict[str, int | None]) -> str:
    """The French comment beside the grade in the LMS gradebook."""
    lines = [f"Note : {french(grade)}/20"]
    for label, level in block_levels(rubric, scores).items():
        shown = "non évalué" if level == "na" else f"{level} ({rubric.level_labels.get(level, level)})"
        lines.append(f"{label} : {shown}")
    return "\n".join(lines)
