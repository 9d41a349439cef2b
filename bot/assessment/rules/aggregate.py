"""From the criterion scores to the assessment: caps, grade /20, eliminatory reasons, priorities.

The rules of each competence block score one criterion each (or a scenario's reading replaces
one); here they are run in the order of the rubric, capped when the learner invented something,
weighted by ``data/assessment/rubric.yml`` into a grade /20, capped at 9 for an eliminatory fault,
and the three criteria that would gain the most become the learner's priorities.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Dict, List, Sequence, Tuple

from bot.assessment.preparation_sheet import PreparationSheet
from bot.assessment.rubric import CRITERION_IDS, Rubric
from bot.assessment.rules import argumentation, closing, discovery, preparation, purchase, relationship
from bot.assessment.rules.context import Context, Finding, Rule, TurnRecord
from bot.assessment.rules.prospecting import BY_KIND
from bot.assessment.rules.readings import READINGS
from bot.assessment.rules.sheet import SHEET_RULES
from bot.engine.scenario import Scenario
from bot.language.intents import Intent
from bot.language.text import clip

#: every criterion's rule, by competence block
ALL_RULES: Dict[str, Rule] = {
    **preparation.RULES,
    **discovery.RULES,
    **argumentation.RULES,
    **closing.RULES,
    **relationship.RULES,
    **purchase.RULES,
}
#: a score above this is capped when the criterion rests on invented information
INVENTED_CAP = 1
#: the grade an eliminatory fault cannot exceed (level I)
ELIMINATORY_CAP = 9.0
#: grade /20 thresholds of the levels I, S and TS (below the first: TI)
GRADE_LEVELS = ((15, "TS"), (10, "S"), (5, "I"))


@dataclass
class CriterionResult:
    criterion_id: str
    score: int | None
    level: str
    explanation: str
    evidence: List[Tuple[int, str]] = field(default_factory=list)
    advice: str = ""
    capped: bool = False


@dataclass
class Assessment:
    scores: Dict[str, CriterionResult]
    findings: List[Finding]
    grade_20: float
    level: str
    eliminatory: List[str]
    outcome: str
    competence_levels: Dict[str, str] = field(default_factory=dict)
    priorities: List[str] = field(default_factory=list)
    #: what the debrief teaches from (see :mod:`bot.assessment.teaching`): the learner's own number of
    #: each message (turn n → « votre message n° »), the hints asked, the facts revealed, and for each
    #: objection its final status, the unconvincing answers and the learner's last answer (turn n, text)
    learner_numbers: Dict[int, int] = field(default_factory=dict)
    hints_used: int = 0
    revealed: List[str] = field(default_factory=list)
    objections: Dict[str, str] = field(default_factory=dict)
    objection_attempts: Dict[str, int] = field(default_factory=dict)
    objection_answers: Dict[str, Tuple[int, str]] = field(default_factory=dict)
    #: the change of parameters: none, announced (not taken into account) or adapted
    change: str = "none"
    #: the concessions the engine recorded (percent, amount, traded or not, beyond the margin or not),
    #: the total of the offer on the table and its references: what the debrief prices in €
    concessions: List[Dict[str, Any]] = field(default_factory=list)
    offer_total: float | None = None
    products: List[str] = field(default_factory=list)
    #: a desk task: the check of the report (:class:`bot.engine.report.ReportCheck`), what its debrief lists
    report: Any = None
    #: a purchase (the learner buys): what the salesperson engine recorded (price, steps, agreement)
    purchase: Dict[str, Any] = field(default_factory=dict)


def assess(
    scenario: Scenario,
    rubric: Rubric,
    turns: Sequence[TurnRecord],
    final: Dict[str, Any] | None = None,
    na: Sequence[str] = (),
    sheet: PreparationSheet | None = None,
) -> Assessment:
    """Score a finished session on the criteria of its kind, apply caps, compute the grade /20.

    With the student's preparation ``sheet``, the C1.1 criteria it covers are scored from it
    (:mod:`bot.assessment.rules.sheet`), the chat serving as evidence; without it, from the chat.
    """
    ctx = Context(scenario, turns, final or {})
    results: Dict[str, CriterionResult] = {}
    invented = invented_information(ctx)
    foreign = set(rubric.not_applicable(scenario.kind))
    for criterion in rubric.criteria:
        if criterion.id in foreign:
            continue  # outside this kind's grid (a buyer is not graded as a seller): not scored, not shown
        if criterion.id in na:
            results[criterion.id] = CriterionResult(criterion.id, None, "na", "Situation absente de ce scénario.")
            continue
        reading = scenario.readings.get(criterion.id)
        by_kind = BY_KIND.get(scenario.kind, {}).get(criterion.id)
        if sheet is not None and criterion.id in SHEET_RULES:
            result = SHEET_RULES[criterion.id](ctx, sheet)
        else:
            result = (READINGS[reading] if reading else by_kind or ALL_RULES[criterion.id])(ctx)
        score, explanation, capped = result.score, result.explanation, False
        if criterion.id in invented and score > INVENTED_CAP:
            score, capped = INVENTED_CAP, True
            explanation += " Plafonné à I : information inventée (hors catalogue ou hors marge)."
        results[criterion.id] = CriterionResult(
            criterion.id,
            score,
            rubric.level(score),
            explanation,
            [(t.n, clip(t.text, 240)) for t in result.evidence],
            criterion.advice,
            capped,
        )
        for t in result.evidence:
            ctx.note(t, criterion.id, explanation.split(":")[0].rstrip("."), score >= 2)
    weights = rubric.weights(scenario.id, list(na), scenario.kind)
    grade = weighted_grade(weights, {cid: r.score for cid, r in results.items()})
    eliminatory = eliminatory_faults(ctx)
    if eliminatory:
        grade = min(grade, ELIMINATORY_CAP)
    return Assessment(
        scores=results,
        findings=_distinct_findings(ctx.findings),
        grade_20=grade,
        level=grade_level(grade),
        eliminatory=eliminatory,
        outcome=ctx.final.get("outcome", "open"),
        competence_levels=competence_levels(rubric, results),
        priorities=priorities(weights, results),
        learner_numbers={t.n: i for i, t in enumerate(ctx.turns, 1)},
        hints_used=sum(1 for t in ctx.turns if t.intent == Intent.ASK_HINT),
        revealed=list(ctx.final.get("revealed") or {}),
        objections=dict(ctx.final.get("objections") or {}),
        objection_attempts=dict(ctx.final.get("objection_attempts") or {}),
        objection_answers=objection_answers(ctx),
        change=str(ctx.final.get("change") or "none"),
        concessions=list(ctx.final.get("concessions") or []),
        offer_total=ctx.final.get("offer_total"),
        products=list(ctx.final.get("products") or []),
        purchase=dict(ctx.final.get("purchase") or {}),
    )


def objection_answers(ctx: Context) -> Dict[str, Tuple[int, str]]:
    """The learner's last message on each objection: while it was pending, or the one that preempted it."""
    answers: Dict[str, Tuple[int, str]] = {}
    for t in ctx.turns:
        pending = t.before.get("current_objection")
        if pending and (t.before.get("objections") or {}).get(pending) == "pending":
            answers[pending] = (t.n, clip(t.text, 240))
        for oid, status in (t.after.get("objections") or {}).items():
            if status == "preempted" and (t.before.get("objections") or {}).get(oid) != "preempted":
                answers[oid] = (t.n, clip(t.text, 240))
    return answers


def invented_information(ctx: Context) -> Dict[str, str]:
    """Criteria capped at I because the learner invented something (a discount beyond the margin,
    a reference or a price absent from the catalogue)."""
    invented: Dict[str, str] = {}
    if "beyond_margin" in ctx.flags:
        invented["C1.2.2-d"] = "remise hors marge"
        invented["C1.1.2-a"] = "remise hors marge, non préparée"
    if preparation.price_errors(ctx):
        invented["C1.2.2-a"] = "référence ou prix inventé"
    return invented


def eliminatory_faults(ctx: Context) -> List[str]:
    """Faults that cap the grade at level I, whatever the criteria (French, shown to the learner)."""
    reasons = []
    if "denigrate" in ctx.flags or any(t.has(Intent.DENIGRATE_COMPETITOR) for t in ctx.turns):
        reasons.append("dénigrement d'un concurrent")
    if "illegal_accepted" in ctx.flags:
        reasons.append("délai de paiement illégal accepté")
    if "illegal_practice" in ctx.flags:
        reasons.append("pratique illégale proposée au client")
    if any(t.analysis.urgency for t in ctx.turns):
        reasons.append("pression abusive ou fausse urgence")
    return reasons


def weighted_grade(weights: Dict[str, float], scores: Dict[str, int | None]) -> float:
    """The grade /20 of criterion scores (0-3): their weighted mean, scaled; na scores count for nothing."""
    mean = sum(weight * scores[c] for c, weight in weights.items() if scores.get(c) is not None)
    return round(mean * 20 / 3, 1)


def grade_level(grade: float) -> str:
    return next((level for threshold, level in GRADE_LEVELS if grade >= threshold), "TI")


def competence_levels(rubric: Rubric, results: Dict[str, CriterionResult]) -> Dict[str, str]:
    """The level of each competence (C1, C2): the rounded mean of its scored criteria."""
    levels = {}
    competences = dict.fromkeys(cid.split(".")[0] for cid in CRITERION_IDS if cid.startswith("C"))
    for competence in competences:  # C1, C2, C3, C4: the grid's own, in its order
        members = [r for cid, r in results.items() if cid.startswith(f"{competence}.")]
        if not members:
            continue  # outside this kind's grid (C4 is only a purchase's, C3 only a desk task's)
        scored = [r.score for r in members if r.score is not None]
        levels[competence] = rubric.level(round(sum(scored) / len(scored))) if scored else "na"
    return levels


def priorities(weights: Dict[str, float], results: Dict[str, CriterionResult]) -> List[str]:
    """The three criteria whose progress would raise the grade the most."""
    improvable = [c for c in weights if results[c].score is not None and results[c].score < 3]
    return sorted(improvable, key=lambda c: (3 - results[c].score) * weights[c], reverse=True)[:3]


def _distinct_findings(findings: List[Finding]) -> List[Finding]:
    seen = set()
    out = []
    for f in findings:
        key = (f.turn, f.criterion_id, f.finding)
        if key not in seen:
            seen.add(key)
            out.append(f)
    return out
