"""What a session teaches: strengths, missed key facts, objections with their model answers, advice.

A teacher's debrief says what went well, what the learner did not find out and how to ask for it,
what was answered to each objection and what the expected answer was, and advice fitted to *this*
scenario. Everything here is read from the scenario file (labels, objections' ``hint``, terms of
sale, the change of parameters) and from the assessment: no scenario word is written in Python.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import List, Mapping, Tuple

from bot.assessment.rubric import Rubric
from bot.assessment.rules import Assessment
from bot.engine.negotiation import discountable_share_of
from bot.engine.scenario import Fact, Objection, Scenario

#: an objection answered in substance on the first try (more tries: badly handled)
FIRST_TRY = 1
#: how many strengths the debrief shows
MAX_STRENGTHS = 4
#: objection statuses as the learner reads them
STATUS = {
    "resolved": "levée",
    "preempted": "anticipée avant d'être soulevée",
    "pending": "restée sans réponse convaincante",
    "conceded": "cédée (condition illégale acceptée)",
}
#: the criteria whose scenario advice is about the discovery (the missed key facts)
DISCOVERY = ("C1.1.1-a", "C1.2.1-b", "C1.2.1-e")


@dataclass(frozen=True)
class ConcessionReport:
    """One concession and what it cost: ``euros`` against the margin the scenario allows (``margin_euros``)."""

    turn: int
    percent: float | None
    euros: float | None
    traded: bool
    beyond: bool


@dataclass(frozen=True)
class ConcessionSummary:
    concessions: List[ConcessionReport]
    #: the discountable part of the offer on the table (€ HT), None when no price was given
    base: float | None
    #: the most the margin allows on it (€ HT)
    margin_euros: float | None

    @property
    def spent(self) -> float | None:
        known = [c.euros for c in self.concessions if c.euros is not None]
        return sum(known) if known else None


@dataclass(frozen=True)
class ObjectionReport:
    objection: Objection
    #: « waiting » when the session ended before the objection came up
    status: str
    #: the learner's last answer (turn n, text), if any
    answer: Tuple[int, str] | None
    #: the model answer to show (the objection's ``hint``) when it was badly handled or not raised
    expected: str | None

    @property
    def raised(self) -> bool:
        return self.status != "waiting"


def strengths(assessment: Assessment) -> List[str]:
    """Criteria scored TS, else S (the best ones first): what the learner should keep doing."""
    scored = [(cid, r.score) for cid, r in assessment.scores.items() if r.score is not None and r.score >= 2]
    best = [cid for cid, score in scored if score == 3] or [cid for cid, _ in scored]
    return best[:MAX_STRENGTHS]


def missed_key_facts(scenario: Scenario, assessment: Assessment) -> List[Fact]:
    """Every key fact of the scenario the learner did not find out, in the scenario's order."""
    return [f for f in scenario.facts if f.key and f.id not in assessment.revealed]


def question_for(fact: Fact, topic_hints: Mapping[str, str]) -> str:
    """How to make the client say it: the coach's advice for the fact's topic."""
    return topic_hints.get(fact.topic, "")


def objection_reports(scenario: Scenario, assessment: Assessment) -> List[ObjectionReport]:
    """Each objection of the scenario, what the learner answered, and the model answer when needed."""
    reports = []
    for item in scenario.objections:
        status = assessment.objections.get(item.id, "waiting")
        attempts = assessment.objection_attempts.get(item.id, 0)
        well_handled = status == "preempted" or (status == "resolved" and attempts < FIRST_TRY)
        reports.append(
            ObjectionReport(
                item, status, assessment.objection_answers.get(item.id), None if well_handled else item.hint
            )
        )
    return reports


def concession_summary(scenario: Scenario, assessment: Assessment) -> ConcessionSummary:
    """The concessions the engine recorded, each priced in € on the discountable part of the offer."""
    share = discountable_share_of(scenario, assessment.products)
    base = assessment.offer_total * share if assessment.offer_total else None
    margin = base * scenario.cgv.max_discount_pct / 100 if base else None
    reports = []
    for c in assessment.concessions:
        percent, amount = c.get("percent"), c.get("amount")
        euros = amount if amount else (base * percent / 100 if base and percent is not None else None)
        traded, beyond = bool(c.get("trade")), bool(c.get("beyond"))
        reports.append(ConcessionReport(int(c.get("turn") or 0), percent, euros, traded, beyond))
    return ConcessionSummary(reports, base, margin)


def scenario_advice(criterion_id: str, scenario: Scenario, assessment: Assessment) -> str:
    """Advice on one criterion fitted to this scenario and to what this learner missed ("" if none)."""
    missed = missed_key_facts(scenario, assessment)
    if criterion_id in DISCOVERY and missed:
        return "Ici, il vous manquait : " + " ; ".join(f.label for f in missed) + "."
    if criterion_id == "C1.2.1-d":
        motives = [f for f in scenario.facts if f.motivation and f.id not in assessment.revealed]
        if motives:
            return "Ici, vous n'avez pas fait dire : " + " ; ".join(f.label for f in motives) + "."
    if criterion_id == "C1.2.1-c":
        circuit = [f for f in scenario.facts if f.topic == "decision" and f.id not in assessment.revealed]
        if circuit:
            return "Ici, vous n'avez pas fait dire : " + " ; ".join(f.label for f in circuit) + "."
    if criterion_id == "C1.2.2-c":
        bad = [r for r in objection_reports(scenario, assessment) if r.raised and r.expected]
        if bad:
            return f"Par exemple, sur « {bad[0].objection.text[0]} » : {bad[0].expected}"
    if criterion_id == "C1.2.2-d":
        cgv = scenario.cgv
        return (
            f"Ici, votre marge : {cgv.max_discount_pct:g} % au plus sur le {cgv.discount_scope} ; "
            "chaque concession contre une contrepartie."
        )
    if criterion_id in ("C1.2.2-a", "C1.2.2-b"):
        core = [p for p in scenario.catalogue if p.core]
        if core:
            return "Ici, la solution attendue part de : " + ", ".join(f"{p.ref} ({p.label})" for p in core) + "."
    if criterion_id == "C1.2.3-b":
        cgv = scenario.cgv
        return (
            f"Ici, le récapitulatif reprend aussi le paiement ({cgv.payment}) "
            f"et la validité ({cgv.validity_days} jours)."
        )
    if criterion_id == "T-1" and assessment.change == "announced":
        return "Face au changement de paramètres : " + scenario.parameter_change.hint
    return ""


def advice(rubric: Rubric, criterion_id: str, scenario: Scenario, assessment: Assessment) -> str:
    """The grid's advice, then what it means in this scenario for this learner."""
    generic = rubric.criterion(criterion_id).advice
    specific = scenario_advice(criterion_id, scenario, assessment)
    return f"{generic} {specific}".strip()


def learner_number(assessment: Assessment, turn: int) -> int:
    """The learner's own number of a message (the bot's lines are not counted)."""
    return assessment.learner_numbers.get(turn, turn)


def status_label(report: ObjectionReport) -> str:
    """How the objection ended, as the learner reads it (« levée après relance » when it took more than one answer)."""
    if report.status == "resolved" and report.expected:
        return "levée après relance"
    return STATUS.get(report.status, "non soulevée")
