"""The coach voice: briefing, hints fitted to the phase and nudges on clear mistakes."""

from __future__ import annotations

from typing import TYPE_CHECKING, List

from bot.engine.state import SimulationState

if TYPE_CHECKING:  # pragma: no cover
    from bot.engine.library import Library
    from bot.engine.scenario import Scenario


def nudge(library: Library, name: str, **values: str) -> str:
    template = library.coach.get("nudges", {}).get(name, "")
    return template.format(**values) if template else ""


def _money(value: float) -> str:
    text = f"{value:,.2f}".replace(",", "\u202f").replace(".", ",")
    return text[:-3] if text.endswith(",00") else text


def briefing(scenario: Scenario) -> str:
    """The fiche de préparation shown when a simulation starts (Markdown-light text)."""
    if scenario.purchase is not None:
        return purchase_briefing(scenario)
    b = scenario.briefing
    persona = scenario.main_persona
    lines: List[str] = [
        f"📋 Fiche de préparation : {scenario.title}",
        f"Date : {scenario.date}",
        f"Vous êtes : {b.learner}",
        f"Votre entreprise : {scenario.vendor}",
        f"Le client : {scenario.client}",
        f"Votre interlocuteur : {persona.name}, {persona.role}.",
        f"Contexte : {b.context}",
        "Ce que vous savez déjà :",
        *[f"• {item}" for item in b.known],
        "Vos objectifs :",
        *[f"• {key.replace('realiste', 'réaliste').capitalize()} : {value}" for key, value in b.objectives.items()],
        "Votre marge de manœuvre :",
        *[f"• {item}" for item in b.room_for_manoeuvre],
        "Extrait du catalogue (prix HT) :",
        *[f"• {p.ref} – {p.label} : {_money(p.price)} {p.unit}" for p in scenario.catalogue],
        "Conditions générales de vente :",
        *[f"• {term}" for term in scenario.cgv.terms],
    ]
    return "\n".join(lines)


def purchase_briefing(scenario: Scenario) -> str:
    """The buyer's brief (``kind: purchase``): his company, the supplier met, the specification, the
    comparison of the three quotes, his target and maximum price, his objectives and what he can give."""
    b, spec = scenario.briefing, scenario.purchase
    persona = scenario.main_persona
    unit = spec.price_unit
    lines: List[str] = [
        f"📋 Fiche de préparation (achat) : {scenario.title}",
        f"Date : {scenario.date}",
        f"Vous êtes l'acheteur ou l'acheteuse : {b.learner}",
        f"Votre entreprise : {scenario.client}",
        f"Le fournisseur que vous rencontrez : {scenario.vendor}",
        f"Votre interlocuteur : {persona.name}, {persona.role}.",
        f"Contexte : {b.context}",
        "Cahier des charges :",
        *[f"• {'Impératif' if r.must else 'Souhaité'} : {r.label}" for r in spec.specification],
        "Comparaison des devis reçus (prix HT) :",
    ]
    labels = {r.id: r.label for r in spec.specification}
    for q in spec.quotes:
        misses = "; ".join(labels[m] for m in q.misses)
        lines += [
            f"• {q.supplier}{' (le fournisseur rencontré)' if q.ours else ''} : {_money(q.price)} {unit}",
            f"  Livraison : {q.delivery} – Paiement : {q.payment} – Garantie : {q.warranty}",
        ]
        if q.includes:
            lines.append(f"  Compris : {', '.join(q.includes)}")
        lines.append(f"  Ne respecte pas : {misses}" if misses else "  Respecte tout le cahier des charges.")
    lines += [
        f"Votre prix cible : {_money(spec.target_price)} {unit} ; "
        f"votre prix maximum : {_money(spec.max_price)} {unit}.",
        "Ce que vous savez déjà :",
        *[f"• {item}" for item in b.known],
        "Vos objectifs :",
        *[f"• {key.replace('realiste', 'réaliste').capitalize()} : {value}" for key, value in b.objectives.items()],
        "Votre marge de manœuvre (ce que vous pouvez accorder en contrepartie) :",
        *[f"• {item}" for item in b.room_for_manoeuvre],
        "Rappel de la loi : délai de paiement de 60 jours date de facture ou 45 jours fin de mois au plus "
        "(article L441-10 du Code de commerce).",
    ]
    return "\n".join(lines)


def hint(library: Library, scenario: Scenario, state: SimulationState) -> str:
    """The most useful advice now, from what the learner has and has not done yet."""
    from bot.engine.simulation import Simulation

    hints = library.coach["hints"]
    if state.ended:
        return hints["ended"]
    sim = Simulation(library, state)
    if scenario.kind == "purchase":
        from bot.engine.purchase import hint as purchase_hint

        return purchase_hint(sim)
    pending = sim.pending_objection()
    if pending:
        return pending.hint
    if state.change == "announced":
        return scenario.parameter_change.hint
    if not (state.greeted and state.introduced) and not state.questions:
        return hints["contact"]
    if not state.revealed:
        return hints["discovery_start"]
    if state.outcome == "won":
        return hints["follow_up"] if not (state.follow_up and state.summary) else hints["goodbye"]
    if not state.solution_presented:
        for fact in scenario.facts:
            if fact.key and fact.id not in state.revealed:
                return hints["topic"].get(fact.topic, hints["discovery_start"])
        if sim.needs_revealed() < scenario.outcome.min_needs:
            return hints["topic"]["besoin"]
        if not state.reformulation_confirmed:
            return hints["reformulate"]
        return hints["present"]
    if not state.price_stated:
        return hints["price"]
    missing = sim.missing_for_close()
    if missing and any(f not in state.revealed for f in scenario.outcome.required_facts):
        fact = next(f for f in scenario.facts if f.id in scenario.outcome.required_facts and f.id not in state.revealed)
        return hints["topic"].get(fact.topic, hints["discovery_start"])
    if state.warmth < scenario.outcome.min_warmth:
        return hints["argue"]
    return hints["close"]


def summary(library: Library, scenario: Scenario, state: SimulationState) -> str:
    """A short end-of-session summary (the full C1–C2 assessment builds on it)."""
    outcome = {"won": "✅ Affaire conclue", "lost": "❌ Affaire perdue", "open": "⏳ En cours"}[state.outcome]
    raised = [o for o in scenario.objections if state.objections.get(o.id) not in (None, "waiting")]
    resolved = [o for o in raised if state.objections.get(o.id) in ("resolved", "preempted")]
    key_facts = [f for f in scenario.facts if f.key]
    found = [f for f in key_facts if f.id in state.revealed]
    lines = [
        f"Bilan – {scenario.title}",
        f"Issue : {outcome}" + (f" ({state.outcome_reason})" if state.outcome_reason else ""),
        f"Découverte : {len(state.revealed)} information(s) obtenue(s) sur {len(scenario.facts)}, "
        f"dont {len(found)}/{len(key_facts)} essentielles.",
        f"Objections : {len(resolved)} levée(s) sur {len(raised)} soulevée(s).",
        "Changement de paramètres : "
        + {"none": "non survenu", "announced": "non pris en compte", "adapted": "pris en compte"}[state.change],
    ]
    missed = [f.label for f in key_facts if f.id not in state.revealed]
    if missed:
        lines.append("À découvrir la prochaine fois : " + ", ".join(missed) + ".")
    for flag, text in (
        ("premature_argument", "Vous avez argumenté avant la découverte."),
        ("denigrate", "Vous avez dénigré un concurrent."),
        ("illegal_accepted", "Vous avez accepté un délai de paiement illégal."),
        ("illegal_practice", "Vous avez proposé une pratique illégale."),
        ("unilateral_concession", "Vous avez fait une concession sans contrepartie."),
        ("beyond_margin", "Vous avez dépassé votre marge de manœuvre."),
        ("register", "Surveillez le registre : vouvoiement et vocabulaire professionnel."),
    ):
        if flag in state.flags:
            lines.append("⚠ " + text)
    return "\n".join(lines)
