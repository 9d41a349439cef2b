"""The debrief a learner reads at the end of a session (French, plain text).

Built like a teacher's debrief: the grade, then the strengths first, the three priorities with advice
fitted to the scenario, every key fact not discovered with the question that would have revealed it,
every objection with what the learner answered and the expected answer (the objection's ``hint``),
the hints used, then the detail per criterion. Message numbers are the learner's own (« votre
message n°3 » is the learner's third message, the client's and the coach's lines are not counted).
"""

from __future__ import annotations

from typing import List, Mapping

from bot.assessment import teaching
from bot.assessment.grading import french
from bot.assessment.rubric import Rubric
from bot.assessment.rules import Assessment
from bot.engine.scenario import Scenario
from bot.engine.simulation import fmt
from bot.language.text import clip

OUTCOME = {"won": "✅ Affaire conclue", "lost": "❌ Affaire perdue", "open": "⏳ Entretien non terminé"}
#: reactivity, a criterion of the exam read on its own (it also counts in T-1): how the learner met the
#: change of parameters, when it came (« none »: the session ended before it, nothing to say)
REACTIVITY = {
    "adapted": "Réactivité au changement de paramètres : vous avez adapté votre proposition.",
    "announced": "Réactivité au changement de paramètres : à travailler, le changement n'a pas été pris en compte.",
}


def _quote(assessment: Assessment, turn: int, text: str, size: int = 160) -> str:
    return f"votre message n°{teaching.learner_number(assessment, turn)} : « {clip(text, size)} »"


def _hints(count: int) -> str:
    if count == 0:
        return "Indices demandés au coach : aucun."
    return f"Indices demandés au coach : {count}."


def _strengths(rubric: Rubric, scenario: Scenario, assessment: Assessment) -> List[str]:
    lines = ["", "👍 Vos points forts :"]
    ids = teaching.strengths(assessment)
    if not ids:
        return [*lines, "• Pas encore de point fort net : appuyez-vous sur les priorités ci-dessous."]
    for cid in ids:
        result = assessment.scores[cid]
        line = f"• {rubric.criterion(cid).label} ({result.level}) : {result.explanation}"
        if result.evidence:
            line += " – " + _quote(assessment, *result.evidence[0], size=120)
        lines.append(line)
    preempted = [r for r in teaching.objection_reports(scenario, assessment) if r.status == "preempted"]
    if preempted:
        lines.append("• Objections anticipées : " + " ; ".join(f"« {r.objection.text[0]} »" for r in preempted))
    return lines


def _priorities(rubric: Rubric, scenario: Scenario, assessment: Assessment) -> List[str]:
    if not assessment.priorities:
        return []
    lines = ["", "🎯 Vos trois priorités pour la prochaine fois :"]
    for i, cid in enumerate(assessment.priorities, 1):
        lines.append(f"{i}. {rubric.criterion(cid).label} – {teaching.advice(rubric, cid, scenario, assessment)}")
    return lines


def _missed_facts(scenario: Scenario, assessment: Assessment, topic_hints: Mapping[str, str]) -> List[str]:
    missed = teaching.missed_key_facts(scenario, assessment)
    if not missed:
        return ["", "🔎 Informations clés : toutes découvertes."]
    lines = ["", "🔎 Informations clés non découvertes :"]
    for fact in missed:
        question = teaching.question_for(fact, topic_hints)
        lines.append(f"• {fact.label}" + (f" – pour la faire dire : {question}" if question else ""))
    return lines


def _objections(scenario: Scenario, assessment: Assessment) -> List[str]:
    reports = teaching.objection_reports(scenario, assessment)
    lines = ["", "🗣 Objections :"]
    for report in [r for r in reports if r.raised]:
        lines.append(f"• « {report.objection.text[0]} » – {teaching.status_label(report)}.")
        if report.answer:
            lines.append("  Vous avez répondu (" + _quote(assessment, *report.answer) + ").")
        if report.expected:
            lines.append(f"  Réponse attendue : {report.expected}")
    not_raised = [r for r in reports if not r.raised]
    if not_raised:
        lines.append("Objections que vous n'avez pas rencontrées, à préparer :")
        for report in not_raised:
            lines.append(f"• « {report.objection.text[0]} » – réponse attendue : {report.expected}")
    return lines if len(lines) > 2 else []


def _euros(value: float) -> str:
    return f"{fmt(round(value))} €"


def _concessions(scenario: Scenario, assessment: Assessment) -> List[str]:
    summary = teaching.concession_summary(scenario, assessment)
    if not summary.concessions:
        return ["", "💶 Concessions : aucune, votre marge est intacte."]
    lines = ["", "💶 Concessions et leur coût :"]
    for c in summary.concessions:
        what = f"{c.percent:g} %".replace(".", ",") if c.percent is not None else "remise"
        cost = f", soit {_euros(c.euros)} HT" if c.euros is not None else ""
        counterpart = "contre une contrepartie" if c.traded else "sans contrepartie"
        where = f" (votre message n°{c.turn})" if c.turn else ""
        lines.append(f"• {what}{cost}, {counterpart}{where}" + (" – hors marge !" if c.beyond else "."))
    if summary.margin_euros is not None and summary.spent is not None:
        share = summary.spent / summary.margin_euros * 100 if summary.margin_euros else 0
        lines.append(
            f"Au total : {_euros(summary.spent)} HT cédés, soit {share:.0f} % de votre marge de "
            f"{_euros(summary.margin_euros)} HT – au plus {scenario.cgv.max_discount_pct:g} % "
            f"sur le {scenario.cgv.discount_scope}."
        )
    return lines


def _purchase(scenario: Scenario, assessment: Assessment) -> List[str]:
    """The buyer's deal against his brief: price obtained, counterparts given, quotes cited, payment."""
    spec, book = scenario.purchase, assessment.purchase
    agreement = book.get("agreement")
    price = (agreement or {}).get("price") or book.get("price") or spec.list_price
    labels = {c.id: c.label for c in spec.counterparts}
    suppliers = {q.id: q.supplier for q in spec.quotes}
    lines = ["", "🧾 Votre négociation d'achat :"]
    head = "Accord conclu" if agreement else "Pas d'accord ; dernier prix de la vendeuse"
    lines.append(
        f"• {head} : {_euros(price)} HT (devis initial {_euros(spec.list_price)}, votre cible "
        f"{_euros(spec.target_price)}, votre maximum {_euros(spec.max_price)})"
        + (" – au-dessus de votre prix maximum !" if price > spec.max_price else ".")
    )
    given = [labels.get(c, c) for c in book.get("given") or []]
    lines.append("• Contreparties accordées : " + ("; ".join(given) if given else "aucune") + ".")
    if book.get("unilateral"):
        lines.append(f"• Demandes de baisse sans contrepartie : {book['unilateral']}.")
    for item in book.get("cited") or []:
        verdict = {True: "prix exact", False: "prix faux, contesté", None: "sans prix"}[item.get("right")]
        lines.append(f"• Devis cité : {suppliers.get(item['quote'], item['quote'])} ({verdict}).")
    if agreement:
        lines.append(f"• Paiement : {agreement['payment']} ; livraison : {agreement['delivery']}.")
    for term in book.get("illegal_terms") or []:
        lines.append(f"• Délai illégal demandé : {term} (plafond : 60 jours date de facture ou 45 jours fin de mois).")
    return lines


def _criteria(rubric: Rubric, scenario: Scenario, assessment: Assessment) -> List[str]:
    lines = ["", "Par critère :"]
    for criterion in rubric.criteria:
        result = assessment.scores.get(criterion.id)
        if result is None:
            continue  # outside the grid of this kind of situation (a buyer is not graded as a seller, C3 in a sale)
        head = f"• {criterion.id} {criterion.label} : {result.level}"
        if result.score is not None:
            head += f" ({result.score}/3)"
        lines.append(head)
        lines.append(f"  {result.explanation}")
        if result.evidence:
            quote = _quote(assessment, *result.evidence[0])
            lines.append("  " + quote[:1].upper() + quote[1:])
        if result.score is not None and result.score < 3:
            lines.append(f"  Conseil : {teaching.advice(rubric, criterion.id, scenario, assessment)}")
    return lines


def debrief(
    scenario: Scenario,
    rubric: Rubric,
    assessment: Assessment,
    outcome_reason: str = "",
    topic_hints: Mapping[str, str] | None = None,
) -> str:
    """The whole debrief; ``topic_hints`` (the coach's advice per topic) says how to ask for a missed fact."""
    level = f"niveau {assessment.level} ({rubric.level_labels[assessment.level]})"
    lines = [
        f"📊 Bilan – {scenario.title}",
        f"Issue : {OUTCOME.get(assessment.outcome, assessment.outcome)}"
        + (f" ({outcome_reason})" if outcome_reason else ""),
        f"{rubric.grade_label} : {french(assessment.grade_20)}/20 – {level}",
        "Compétences : " + ", ".join(f"{c} {lvl}" for c, lvl in assessment.competence_levels.items() if lvl != "na"),
        _hints(assessment.hints_used),
    ]
    if assessment.change in REACTIVITY:
        lines.append(REACTIVITY[assessment.change])
    if assessment.eliminatory:
        lines.append("⚠ Note plafonnée au niveau I : " + ", ".join(assessment.eliminatory) + ".")
    lines += _strengths(rubric, scenario, assessment)
    lines += _priorities(rubric, scenario, assessment)
    lines += _missed_facts(scenario, assessment, topic_hints or {})
    lines += _objections(scenario, assessment)
    lines += _purchase(scenario, assessment) if scenario.purchase is not None else _concessions(scenario, assessment)
    lines += _criteria(rubric, scenario, assessment)
    return "\n".join(lines)
