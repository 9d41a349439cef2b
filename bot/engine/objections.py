"""Objections: raised when their moment comes, open until the learner answers them in substance.

An objection the learner has already answered — before it came up (its ``preempted_by`` words, or two
of the words that lift it) — is never raised: the client remembers. A budget objection
(``condition: over_budget``, or the client's default one when the scenario has none) is raised only
while the price on the table is above the budget, and lifted by a price within it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, List

from bot.engine.scenario import Objection, Resolution
from bot.language.intents import ANSWERING_MOVES, CONTENT_MOVES, OBJECTION_REPLIES, QUESTIONS, Intent
from bot.language.matching import stems
from bot.language.text import any_keyword, count_keywords, normalize

if TYPE_CHECKING:  # pragma: no cover
    from bot.engine.simulation import Simulation

#: the client's own budget objection, used when the scenario has no ``condition: over_budget`` one
BUDGET_OBJECTION_ID = "_budget"
#: words of ``resolved_by`` that answer an objection in substance before it is raised
PREEMPT_MIN_KEYWORDS = 3
#: ...or one of them in a message that takes up this many of the objection's own words (its concern, answered)
PREEMPT_ECHO_WORDS = 2
#: moves that can bring a price within the budget
BUDGET_ANSWERS = ANSWERING_MOVES | {Intent.STATE_PRICE.value, Intent.OFFER_CONCESSION.value}
#: statements whose content can answer an objection before it is raised
PREEMPTING_MOVES = (CONTENT_MOVES | {Intent.STATE_PRICE.value, Intent.STATE_AGENDA.value}) - {Intent.REFORMULATE.value}


def budget_objection(sim: Simulation) -> Objection | None:
    """The objection that holds the budget, when the scenario has a budget."""
    declared = next((o for o in sim.scenario.objections if o.condition == "over_budget"), None)
    if declared is not None:
        return declared
    if not (sim.limits.budget_max or sim.limits.budget_max_monthly or sim.limits.budget_max_yearly):
        return None
    lines = sim.library.lines
    return Objection(
        id=BUDGET_OBJECTION_ID,
        type="prix",
        nature="vraie",
        trigger="price",
        condition="over_budget",
        text=sim.limits.over_budget or lines(sim.scenario, "over_budget"),
        clarification=lines(sim.scenario, "over_budget_clarify"),
        insist=lines(sim.scenario, "over_budget_insist"),
        resolved=lines(sim.scenario, "budget_ok"),
        resolved_by=Resolution(
            moves=sorted(ANSWERING_MOVES | {Intent.STATE_PRICE.value, Intent.OFFER_CONCESSION.value})
        ),
        hint=sim.library.coach["hints"]["over_budget"],
    )


def say(sim: Simulation, item: Objection, kind: str, lines: List[str]) -> None:
    """One of the objection's lines (a variant), said by its persona, with the budget placeholders."""
    sim.say(sim.fill(sim.pick(f"{kind}:{item.id}", lines), item.persona, **sim.budget_values()), item.persona)


def objection(sim: Simulation, objection_id: str | None) -> Objection | None:
    if objection_id == BUDGET_OBJECTION_ID:
        return budget_objection(sim)
    return sim.scenario.objection(objection_id)


def pending(sim: Simulation) -> Objection | None:
    current = objection(sim, sim.state.current_objection)
    if current and sim.state.objections.get(current.id) == "pending":
        return current
    return None


def preempt(sim: Simulation) -> None:
    """An objection the learner answers before it comes up will not be raised."""
    if sim.u.intent not in PREEMPTING_MOVES:
        return
    norm = sim.u.normalized
    for item in sim.scenario.objections:
        if sim.state.objections.get(item.id, "waiting") != "waiting" or item.condition:
            continue
        hits = count_keywords(norm, set(item.resolved_by.keywords))
        answered = hits >= PREEMPT_MIN_KEYWORDS or (hits and _echoes(sim, item) >= PREEMPT_ECHO_WORDS)
        legal_cap = item.illegal and (sim.news.legal_term or sim.u.has("law_citation"))
        if any_keyword(norm, item.preempted_by) or answered or legal_cap:
            sim.state.objections[item.id] = "preempted"
            sim.event(f"objection_preempted:{item.id}")


def _said(sim: Simulation, item: Objection) -> set:
    """The content-word stems of an objection, in any of its wordings, as the client would say it."""
    return set(stems(" ".join(normalize(sim.fill(t, item.persona, **sim.budget_values())) for t in item.text)))


def _echoes(sim: Simulation, item: Objection) -> int:
    """How many content words of the objection (any of its wordings) the message takes up: « le pilotage dynamique
    garantit que les lignes ne disjoncteront pas » answers « huit points, ça risque de faire disjoncter les lignes »."""
    return len(_said(sim, item) & set(stems(sim.u.normalized)))


def _trigger_reached(sim: Simulation, trigger: str) -> bool:
    state = sim.state
    return {
        "start": True,
        "proposal": state.solution_presented,
        "price": state.price_stated,
        "change": state.change in ("announced", "adapted"),
        "close": False,
    }[trigger]


def raise_objection(sim: Simulation, item: Objection) -> None:
    state = sim.state
    state.objections[item.id] = "pending"
    state.current_objection = item.id
    state.advance("objections")
    sim.event(f"objection_raised:{item.id}")
    say(sim, item, "objection", item.text)


def raise_next(sim: Simulation, trigger: str | None = None) -> bool:
    """Raise the next objection whose moment has come (or of ``trigger``); True if one was raised."""
    if pending(sim):
        return False
    for item in sim.scenario.objections:
        if sim.state.objections.get(item.id, "waiting") != "waiting" or item.condition:
            continue
        if (trigger and item.trigger == trigger) or (not trigger and _trigger_reached(sim, item.trigger)):
            raise_objection(sim, item)
            return True
    return False


def check_budget(sim: Simulation) -> None:
    """Raise the budget objection when the price on the table is above the budget; lift it when within."""
    item = budget_objection(sim)
    if item is None or sim.over_budget() is None:
        return
    status = sim.state.objections.get(item.id, "waiting")
    if sim.over_budget():
        if status in ("waiting", "resolved", "preempted") and not pending(sim):
            sim.state.flag("over_budget")
            raise_objection(sim, item)
    elif status == "pending":
        resolve(sim, item)


def resolve(sim: Simulation, item: Objection) -> None:
    state = sim.state
    state.objections[item.id] = "resolved"
    if state.current_objection == item.id:
        state.current_objection = None
    sim.warm(1)
    sim.event(f"objection_resolved:{item.id}")
    say(sim, item, "resolved", item.resolved)
    if item.then_persona:
        state.speaker = item.then_persona
        sim.event(f"persona_switch:{item.then_persona}")
    change_due = sim.scenario.parameter_change.happens
    if change_due and state.change == "none" and sim.scenario.parameter_change.trigger == "first_objection_resolved":
        from bot.engine.change import announce

        announce(sim)


def lifts(sim: Simulation, item: Objection) -> bool:
    """The message carries what lifts the objection (its words; a price within the budget)."""
    if item.condition == "over_budget":
        return sim.over_budget() is False
    keywords = item.resolved_by.keywords
    return not keywords or any_keyword(sim.u.normalized, keywords)


def concerns(sim: Simulation, item: Objection) -> bool:
    """The message is an answer to the pending objection (its move or its content)."""
    intent = sim.u.intent
    if item.condition == "over_budget" and (sim.news.price_given or intent in item.resolved_by.moves):
        return True  # a new price answers the budget objection, whatever the move
    if intent != Intent.STATE_PRICE and intent in set(item.resolved_by.moves) | OBJECTION_REPLIES:
        return True
    return intent in CONTENT_MOVES | {Intent.STATE_PRICE.value} and bool(item.resolved_by.keywords) and lifts(sim, item)


def accepts_illegal(sim: Simulation) -> bool:
    """The learner gives in to an illegal request: says yes, or offers a term beyond the law."""
    if sim.u.has("refuse") or sim.u.intent == Intent.DENY:
        return False
    if sim.news.illegal_term:
        return True
    return sim.u.intent == Intent.AFFIRM or (sim.u.has("accept") and not sim.news.legal_term)


def answer(sim: Simulation, item: Objection) -> None:
    """The learner's message while ``item`` is pending."""
    from bot.engine.closing import lose

    state = sim.state
    persona = item.persona
    intent = sim.u.intent
    if item.illegal and accepts_illegal(sim):
        state.objections[item.id] = "conceded"
        state.current_objection = None
        state.flag("illegal_accepted")
        sim.event(f"objection_conceded:{item.id}")
        sim.say(sim.line("objection_conceded", persona), persona)
        sim.nudge("illegal_accepted")
        return
    content = lifts(sim, item) or (item.illegal and sim.news.legal_term)
    substantive = content and len(sim.u.normalized.split()) >= 10
    if (intent == Intent.ACKNOWLEDGE_OBJECTION and not substantive) or (intent == Intent.REFORMULATE and not content):
        state.remember(state.acknowledged, item.id)
        sim.say(
            sim.fill(sim.pick(f"clarification:{item.id}", item.clarification), persona, **sim.budget_values()), persona
        )
        return
    # « Je comprends… » followed by the answer in substance is the textbook way to handle an
    # objection (accueillir puis traiter): the NLU may label it either way, the content decides
    moves_ok = (
        intent in item.resolved_by.moves
        or intent in CONTENT_MOVES | {Intent.STATE_PRICE.value}
        or (intent == Intent.ACKNOWLEDGE_OBJECTION and substantive)
    )
    if moves_ok and content:
        resolve(sim, item)
        return
    attempts = state.objection_attempts.get(item.id, 0) + 1
    state.objection_attempts[item.id] = attempts
    if attempts % 3 == 0:
        sim.warm(-1)
    sim.event(f"objection_insist:{item.id}")
    if item.condition == "over_budget" and sim.news.price_given:
        # a new price, still above: « Toujours 67 099 € ? » would deny that the learner moved
        say(sim, item, "insist_new_price", sim.library.lines(sim.scenario, "over_budget_new_price"))
    else:
        say(sim, item, "insist", item.insist)
    if item.max_attempts and attempts >= item.max_attempts:
        lose(sim, "le client a mis fin à l'échange : ses réserves sont restées sans réponse", "walkout")


#: the share of a question's content words the objection itself uses for the question to be about it
ABOUT_OBJECTION_SHARE = 0.6


def asked_about(sim: Simulation, item: Objection) -> bool:
    """The question takes up the objection's own words (« qu'est-ce qui amène M. Roche à envisager un appel
    d'offres ? » after « M. Roche envisage un appel d'offres »): it asks about the objection, not a fact."""
    words = set()
    for question in sim.u.questions:
        words |= set(stems(normalize(question.words or question.text)))
    if not words:
        return False
    return len(words & _said(sim, item)) / len(words) >= ABOUT_OBJECTION_SHARE


def question_on_pending(sim: Simulation, item: Objection) -> bool:
    """« Qu'entendez-vous par là ? »: questioning an objection qualifies it (once)."""
    if sim.u.intent in QUESTIONS and item.id not in sim.state.acknowledged:
        sim.state.acknowledged.append(item.id)
        sim.say(
            sim.fill(sim.pick(f"clarification:{item.id}", item.clarification), item.persona, **sim.budget_values()),
            item.persona,
        )
        return True
    return False
