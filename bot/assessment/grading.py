"""The grade /20: one function turns criterion scores into it, the teacher's scores included.

In the exam the commission decides the grade; here the automatic assessment *proposes* one and the
teacher's word is final. A teacher who overrides a criterion changes the grade wherever it is shown
(debrief page, PDF fiche, CSV, results API), so every surface asks :func:`final_grade` and none
recomputes it on its own. The automatic grade is kept beside the final one, with the difference.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Mapping

from bot.assessment.rubric import Rubric

#: the grade an eliminatory fault cannot exceed (level I)
ELIMINATORY_CAP = 9.0
#: how far the stored automatic grade may sit below the weighted mean before it reads as capped
ROUNDING = 0.05


def weighted_grade(rubric: Rubric, scenario_id: str, kind: str | None, scores: Mapping[str, int | None]) -> float:
    """The weighted mean of the scored criteria on /20 (a criterion scored None is ``na``)."""
    na = [cid for cid, score in scores.items() if score is None]
    weights = rubric.weights(scenario_id, na, kind)
    mean = sum(weight * (scores.get(cid) or 0) for cid, weight in weights.items())
    return round(mean * 20 / 3, 1)


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
    automatic_scores: Mapping[str, int | None],
    overrides: Mapping[str, int | None],
) -> FinalGrade:
    """The grade /20 once the teacher's scores (``overrides``, criterion → 0-3 or None for na) replace
    the automatic ones. An eliminatory cap on the automatic grade (a fault the teacher does not score
    criterion by criterion) stays on the final grade. Without a grade (session open) both are None."""
    if automatic_grade is None:
        return FinalGrade(None, None)
    changed = {cid: s for cid, s in overrides.items() if automatic_scores.get(cid, "missing") != s}
    if not changed:
        return FinalGrade(automatic_grade, automatic_grade)
    before = weighted_grade(rubric, scenario_id, kind, automatic_scores)
    after = weighted_grade(rubric, scenario_id, kind, {**automatic_scores, **changed})
    if automatic_grade < before - ROUNDING and automatic_grade <= ELIMINATORY_CAP:
        grade = min(after, ELIMINATORY_CAP)  # the eliminatory cap stays
    else:
        grade = automatic_grade + after - before  # = after, the stored grade being the weighted mean
    return FinalGrade(automatic_grade, round(min(max(grade, 0.0), 20.0), 1), len(changed))


def french(grade: float | None) -> str:
    """« 12,5 » (« - » without a grade), as the fiche and the pages print it."""
    return "-" if grade is None else f"{grade:.1f}".replace(".", ",")
