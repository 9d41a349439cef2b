"""The assessment of a desk task (C3): the report scored against the meeting it reports.

Why its own path beside :func:`bot.assessment.rules.aggregate.assess`: the seller's criteria read a
conversation (questions, objections, close) that a desk task does not have; they are ``na`` here, and
the C3 criteria and written communication (T-1) are scored from :func:`bot.engine.report.check`, the
check the manager used at the hand-in. The result is the same :class:`Assessment`, weighted by the
rubric's ``kind_weights`` of the task's kind, so the storage, the debrief pages, the fiche, the results
API and :func:`bot.assessment.grading.final_grade` read it like any session.

Grid rules applied (pedagogie.md part 3): invented information caps the criterion at 1 (an amount
or a percentage known nowhere, a wrong essential figure); only what the student wrote is scored, each
score quoting the messages that prove it.
"""

from __future__ import annotations

from typing import Any, Callable, Dict, List, Sequence

from bot.assessment.rubric import Rubric
from bot.assessment.rules.aggregate import (
    Assessment,
    CriterionResult,
    competence_levels,
    grade_level,
    priorities,
    weighted_grade,
)
from bot.assessment.rules.context import Score, TurnRecord, distinct
from bot.engine.desk_schema import DeskTask
from bot.engine.report import ReportCheck, asked_in, check
from bot.language.intents import Intent
from bot.language.text import clip

#: the categories a specification must cover (C3.1-c), when the task has facts of them
SPECIFICATION_PARTS = ("contexte", "besoin", "contrainte", "volume", "budget", "delai", "critere")
#: a report shorter than this (words) is no report
MIN_WORDS = 40
#: this many facts restituted are « quelques faits isolés » (C3.1-a level 1), fewer is no restitution
FEW_FACTS = 2
#: the share of the expected sections a well-structured report has
STRUCTURED = 0.8


class Desk:
    """The report and its check, with the turn of each report message (for the evidence)."""

    def __init__(self, task: DeskTask, turns: Sequence[TurnRecord], final: Dict[str, Any]):
        self.task = task
        self.turns = list(turns)
        #: the turns that added a part of the report, in order (message i of the check is parts[i])
        self.parts = [t for t in self.turns if t.grew("written")]
        self.check: ReportCheck = check(task, [t.text for t in self.parts], asked_in(final.get("flags") or []))

    def turn(self, message: int | None) -> TurnRecord | None:
        return self.parts[message] if message is not None and 0 <= message < len(self.parts) else None

    def turns_of(self, messages: Sequence[int | None]) -> List[TurnRecord]:
        return distinct(self.turn(m) for m in messages)


def restitution(d: Desk) -> Score:
    """C3.1-a: facts, needs and objections restituted (essentials first).

    Rendre compte de l'entretien : faits, besoins et objections restitués fidèlement.
    0: compte rendu absent ou sans rapport avec l'entretien
    1: quelques faits isolés, l'essentiel manque
    2: l'essentiel restitué (situation, besoins, objections, décision), quelques oublis
    3: restitution fidèle et complète, hiérarchisée, rien d'inventé
    """
    c = d.check
    facts = d.task.facts
    essentials = [f for f in facts if f.essential] or facts
    found = [f for f in essentials if f.id in c.covered]
    missing = [f.label for f in essentials if f.id not in c.covered]
    evidence = d.turns_of([c.covered[f.id] for f in found])
    head = f"{len(found)}/{len(essentials)} informations essentielles restituées"
    tail = f" ; manquent : {'; '.join(missing[:3])}{' …' if len(missing) > 3 else ''}" if missing else ""
    if not d.parts or c.words < MIN_WORDS:
        return Score.of(0, "Compte rendu absent ou trop court pour restituer l'entretien.", d.parts)
    if c.essential_share >= 0.9 and c.fact_share >= 0.8:
        return Score.of(3, f"Restitution fidèle et complète : {head}{tail}.", evidence)
    if c.essential_share >= 0.7:
        return Score.of(2, f"L'essentiel est restitué : {head}{tail}.", evidence)
    restituted = [f for f in facts if f.id in c.covered]
    if len(restituted) >= FEW_FACTS or c.essential_share >= 0.35:  # « quelques faits isolés »
        return Score.of(1, f"Restitution partielle : {head}{tail}.", evidence)
    return Score.of(0, f"L'entretien n'est pas restitué : {head}{tail}.", evidence or d.parts)


def exploitation(d: Desk) -> Score:
    """C3.1-b: exact figures, commitments attributed, next steps dated.

    Exploiter l'information : chiffres exacts, engagements et prochaines étapes datées.
    0: ni chiffres, ni engagements, ni suite
    1: chiffres faux ou inventés, ou suite vague et sans date
    2: chiffres essentiels exacts, engagements et étapes présents, une date manque
    3: tous les chiffres exacts, chaque engagement attribué (qui fait quoi) et chaque étape datée
    """
    c = d.check
    figures = c.figures
    exact = len(c.exact_figures) / len(figures) if figures else 1.0
    steps = c.next_steps
    dated = sum(1 for s in steps if s.status == "datee") / len(steps) if steps else 1.0
    present = sum(1 for s in steps if s.status != "absente") / len(steps) if steps else 1.0
    commitments = c.commitments
    kept = sum(1 for s in commitments if s.status != "absente") / len(commitments) if commitments else 1.0
    wrong = c.wrong_figures
    evidence = d.turns_of(
        [f.message for f in wrong] + [m for m, _ in c.invented] + [f.message for f in c.exact_figures]
        + [s.message for s in steps]
    )  # fmt: skip
    parts = [
        f"chiffres exacts {len(c.exact_figures)}/{len(figures)}",
        f"étapes datées {sum(1 for s in steps if s.status == 'datee')}/{len(steps)}",
        f"engagements repris {sum(1 for s in commitments if s.status != 'absente')}/{len(commitments)}",
    ]
    summary = ", ".join(parts)
    if not d.parts:
        return Score.of(0, "Aucun compte rendu.")
    if exact >= 0.8 and dated == 1.0 and kept >= 0.67:
        score = 3
    elif exact >= 0.5 and dated >= 0.5 and kept >= 0.5:
        score = 2
    elif exact > 0 or present > 0 or kept > 0 or wrong or c.invented:  # figures given, even wrong
        score = 1
    else:
        return Score.of(0, f"Ni chiffres, ni engagements, ni prochaines étapes ({summary}).", d.parts[:1])
    faults = []
    if any(f.figure.essential for f in wrong) or c.invented:
        score = min(score, 1)
    elif wrong:
        score = min(score, 2)
    if wrong:
        faults.append("chiffre faux : " + "; ".join(f"{f.figure.label} ({f.written})" for f in wrong[:2]))
    if c.invented:
        faults.append("chiffre inventé : " + ", ".join(v for _, v in c.invented[:3]))
    detail = f" ; {' ; '.join(faults)}" if faults else ""
    label = {3: "Chiffres exacts, engagements et étapes datées", 2: "Chiffres et suite en grande partie exacts",
             1: "Chiffres ou suite inexacts ou incomplets"}[score]  # fmt: skip
    return Score.of(score, f"{label} ({summary}){detail}.", evidence)


def specification(d: Desk) -> Score:
    """C3.1-c: the need formalised: functions, constraints, volumes, budget, deadlines, criteria.

    Formaliser le besoin dans un cahier des charges : fonctions, contraintes, critères, budget, délais.
    0: besoin non formalisé
    1: besoin décrit en vrac, plusieurs rubriques absentes
    2: rubriques principales présentes (besoins fonctionnels, contraintes, budget, délais), une ou deux manquent
    3: cahier des charges complet : contexte, besoins fonctionnels, contraintes, volumes, budget, délais
    et critères de choix chiffrés
    """
    c = d.check
    expected = [p for p in SPECIFICATION_PARTS if any(f.category == p for f in d.task.facts)]
    covered = [p for p in expected if p in c.categories_covered()]
    missing = [p for p in expected if p not in covered]
    sure = [f for f in c.figures if f.figure.kind in ("montant", "date") and f.figure.essential]
    exact = all(f.status == "exact" for f in sure)
    evidence = d.turns_of([c.sections.get(s.id) for s in d.task.sections])
    head = f"rubriques couvertes {len(covered)}/{len(expected)}"
    tail = f" ; manquent : {', '.join(missing)}" if missing else ""
    if not d.parts:
        return Score.of(0, "Aucun cahier des charges.")
    if not missing and exact:
        return Score.of(3, f"Cahier des charges complet, budget et délais exacts ({head}).", evidence)
    if len(covered) >= len(expected) - 2:
        return Score.of(2, f"Rubriques principales présentes ({head}{tail}).", evidence)
    needs = [f for f in d.task.facts if f.category == "besoin" and f.id in c.covered]
    if len(covered) >= 3 or needs:  # « besoin décrit en vrac, plusieurs rubriques absentes »
        return Score.of(1, f"Besoin décrit en partie ({head}{tail}).", evidence or d.turns_of([c.covered[needs[0].id]]))
    return Score.of(0, f"Besoin non formalisé ({head}{tail}).", evidence or d.parts[:1])


def written_communication(d: Desk) -> Score:
    """T-1 in a desk task: a structured, professional, precise document.

    Communication écrite claire, vocabulaire technique approprié, réactivité.
    0: inadaptée
    1: compréhensible mais désorganisée ou imprécise
    2: claire et professionnelle
    3: claire, précise, adaptée à l'interlocuteur, réactive
    """
    c = d.check
    if not d.parts or c.words < MIN_WORDS:
        return Score.of(0, "Document absent ou réduit à quelques mots.", d.parts)
    familiar = [t for t in d.parts if t.familiar]
    if familiar:
        return Score.of(0, "Registre inadapté à un document professionnel (tutoiement, familiarités).", familiar)
    share = len(c.sections) / len(d.task.sections)
    fillers = [t for t in d.parts if t.analysis.oral_fillers or t.analysis.empty_claims]
    evidence = d.turns_of(list(c.sections.values()))
    found = f"{len(c.sections)}/{len(d.task.sections)} rubriques attendues"
    if share >= STRUCTURED and not fillers:
        return Score.of(3, f"Document clair, structuré et précis ({found}).", evidence)
    if share >= 0.5:
        return Score.of(2, f"Document clair et professionnel ({found}).", evidence)
    return Score.of(1, f"Compréhensible mais peu structuré ({found}).", fillers or d.parts[:2])


DESK_RULES: Dict[str, Callable[[Desk], Score]] = {
    "C3.1-a": restitution,
    "C3.1-b": exploitation,
    "C3.1-c": specification,
    "T-1": written_communication,
}


def assess_desk(
    task: DeskTask, rubric: Rubric, turns: Sequence[TurnRecord], final: Dict[str, Any] | None = None
) -> Assessment:
    """Score a finished desk task: its C3 criteria and T-1; the seller's criteria are na."""
    final = final or (turns[-1].after if turns else {})
    d = Desk(task, turns, final)
    results: Dict[str, CriterionResult] = {}
    na: List[str] = []
    foreign = set(rubric.not_applicable(task.kind))
    for criterion in rubric.criteria:
        if criterion.id in foreign:
            continue  # another kind's criterion (C4 of a purchase, C3.1-c in a visit report): not scored, not shown
        rule = DESK_RULES.get(criterion.id)
        if rule is None or not criterion.applies(task.kind) or criterion.id in task.na_criteria:
            na.append(criterion.id)
            why = "Critère de l'entretien de vente : sans objet dans une tâche de rédaction."
            results[criterion.id] = CriterionResult(criterion.id, None, "na", why)
            continue
        result = rule(d)
        results[criterion.id] = CriterionResult(
            criterion.id,
            result.score,
            rubric.level(result.score),
            result.explanation,
            [(t.n, clip(t.text, 240)) for t in result.evidence],
            criterion.advice,
            capped=criterion.id == "C3.1-b" and bool(d.check.invented or d.check.wrong_figures),
        )
    weights = rubric.weights(task.id, na, task.kind)
    grade = weighted_grade(weights, {cid: r.score for cid, r in results.items()})
    return Assessment(
        scores=results,
        findings=[],
        grade_20=grade,
        level=grade_level(grade),
        eliminatory=[],
        outcome=final.get("outcome", "open"),
        competence_levels=competence_levels(rubric, results),
        priorities=priorities(weights, results),
        learner_numbers={t.n: i for i, t in enumerate(turns, 1)},
        hints_used=sum(1 for t in turns if t.intent == Intent.ASK_HINT),
        revealed=sorted(d.check.covered),
        report=d.check,
    )
