"""One learner message, from its understanding to the client's answer.

Order of a turn: the move is read in context (a question labelled « goodbye » is a question), the
client remembers what the message brings (facts the learner states, the price, discounts, payment
terms, promises, objections answered in advance, signals made pointless), then answers the move, then
goes on by himself (the change of parameters, the next objection, a buying signal, his mood).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from bot.engine import change, closing, discovery, negotiation, objections, proposal, reading, reformulation
from bot.language.intents import CLOSING_MOVES, CONTACT_MOVES, QUESTIONS, Intent

if TYPE_CHECKING:  # pragma: no cover
    from bot.engine.simulation import Simulation

#: moves that may follow a buying signal without ignoring it
SIGNAL_FOLLOW_UPS = {
    Intent.PROPOSE_CLOSE, Intent.SUMMARIZE_DEAL, Intent.INFORM, Intent.AFFIRM, Intent.PLAN_FOLLOW_UP,
    Intent.CHECK_AGREEMENT, Intent.REFORMULATE,
}  # fmt: skip
#: moves that may carry a question the client should answer as well (« Je comprends. Et qui décide ? »)
QUESTION_CARRIERS = {Intent.GREET, Intent.INTRODUCE_SELF, Intent.STATE_AGENDA, Intent.AFFIRM, Intent.INFORM}


def _replace_intent(sim: Simulation, intent: str) -> None:
    from dataclasses import replace

    if intent != sim.u.intent:
        sim.u = replace(sim.u, intent=str(intent))


def _register(sim: Simulation) -> None:
    if sim.u.tutoiement or sim.u.has("familiar_words"):
        first = "register" not in sim.state.flags
        sim.state.flag("register")
        if first:
            sim.nudge("register")


def _signals(sim: Simulation) -> None:
    state, intent = sim.state, sim.u.intent
    if state.signal_pending and intent not in SIGNAL_FOLLOW_UPS:
        sim.nudge("signal_ignored")
    if intent not in CLOSING_MOVES:
        follow = {Intent.INFORM, Intent.AFFIRM, Intent.CHECK_AGREEMENT, Intent.REFORMULATE}
        state.signal_pending = state.signal_pending and intent in follow


def _opening(sim: Simulation) -> None:
    state = sim.state
    opening = state.turn == 1 or not (state.greeted or state.introduced or state.questions)
    if sim.u.has("move.greet"):
        state.greeted = True  # « Bonjour Madame Pichon, … je vous appelle au sujet du devis » greets anyway
    if opening and sim.u.intent not in CONTACT_MOVES and not state.greeted:
        sim.warm(-1)
        sim.event("no_greeting")
        sim.say_line("no_greeting")


def remember(sim: Simulation) -> None:
    """What the message brings, kept whatever the move: the client's memory of the learner."""
    if sim.u.addressee:
        sim.state.addressee = sim.u.addressee
    proposal.note_products(sim)
    discovery.note_established(sim)
    sim.news = negotiation.read_offer(sim)
    objections.preempt(sim)
    closing.note_signals_done(sim)
    proposal.note_price(sim)


def play(sim: Simulation) -> None:
    state = sim.state
    _replace_intent(sim, reading.reinterpret(sim))
    _register(sim)
    _signals(sim)
    _opening(sim)
    warmth_before = state.warmth
    remember(sim)
    if not _overruled(sim):
        _dispatch(sim)
    if state.outcome == "open" and not state.ended:
        if state.warmth <= sim.scenario.outcome.walkout_warmth:
            closing.lose(sim, _walkout_reason(sim), "walkout")
            return
        if not objections.pending(sim):
            objections.check_budget(sim)
        if not objections.pending(sim) and state.change == "none" and change.due(sim):
            change.announce(sim)
        if not objections.pending(sim) and state.change != "announced":
            objections.raise_next(sim)
        closing.maybe_signal(sim)
        if state.warmth <= -2 and state.warmth < warmth_before and not state.ended:
            sim.event("cooling")
            sim.say_line("cooling")


def _overruled(sim: Simulation) -> bool:
    """A discount beyond the margin, where management overrules the learner, ends the deal at once."""
    news = sim.news.concession
    if news and news["beyond"] and sim.scenario.outcome.beyond_margin_loses:
        lines = sim.scenario.outcome.overruled or sim.library.lines(sim.scenario, "close_lost")
        sim.say(sim.pick("overruled", lines))
        closing.lose(sim, "une remise hors de la marge autorisée a été désavouée par la hiérarchie", "close_lost", True)
        return True
    return False


def _walkout_reason(sim: Simulation) -> str:
    flags = sim.state.flags
    for flag, reason in (
        ("denigrate", "le client a mis fin à l'entretien après le dénigrement d'un concurrent"),
        ("premature_argument", "le client a mis fin à l'entretien : argumentation sans découverte de ses besoins"),
        ("false_urgency", "le client a mis fin à l'entretien face à une pression commerciale abusive"),
        ("register", "le client a mis fin à l'entretien : registre trop familier"),
    ):
        if flag in flags:
            return reason
    return "le client a mis fin à l'entretien, lassé de ne pas avancer"


def _dispatch(sim: Simulation) -> None:
    intent = sim.u.intent
    if change.check_adapted(sim) and intent not in CLOSING_MOVES:
        return
    item = objections.pending(sim)
    if item is not None and intent in QUESTIONS and _question_on_objection(sim, item):
        return
    if item is not None and _fact_question_aside(sim, item):
        return
    if item is not None and objections.concerns(sim, item):
        objections.answer(sim, item)
        if sim.state.objections.get(item.id) == "resolved" and sim.state.outcome == "open":
            _also_questions(sim)  # « Vous avez raison. Que s'est-il passé avec cette PAC ? »: the fact too
        return
    handler = HANDLERS.get(intent)
    if handler is not None:
        handler(sim)
    else:
        sim.say_line("inform_reply")
    change.remind_if_ignored(sim)


def _question_on_objection(sim: Simulation, item) -> bool:
    """A question while an objection is open: it may lift it (« questionnez-moi d'abord »), it qualifies it
    when it asks about a fact (« racontez-moi ce qui s'est passé samedi »), and the fact is answered."""
    lifted = sim.u.intent in item.resolved_by.moves and objections.lifts(sim, item)
    if lifted:
        objections.resolve(sim, item)
    elif objections.asked_about(sim, item) and objections.question_on_pending(sim, item):
        return True  # a question on the objection qualifies it; a fact sharing a name with it is not asked
    facts, _, _ = discovery.matched_facts(sim)
    if facts:
        sim.state.remember(sim.state.acknowledged, item.id)
        discovery.answer_questions(sim)
        return True
    return lifted or objections.question_on_pending(sim, item)


def _fact_question_aside(sim: Simulation, item) -> bool:
    """A plain question about a fact while an objection waits, whatever the NLU called it (« 154 postes, c'est
    bien ça ? » heard as a reformulation, « et votre trésorerie ? » as a check): the client answers the fact and
    the objection stays open; a message that takes up the objection or carries what lifts it is its answer."""
    if sim.u.intent in QUESTIONS or not reading.asks(sim.u) or reading.proposes_an_action(sim.u):
        return False  # « On valide le socle dès janvier ? » is a close, with its words: no question aside
    if objections.lifts(sim, item) or objections.asked_about(sim, item):
        return False
    return _also_questions(sim, min_probability=0.0)


def _greet(sim: Simulation) -> None:
    state = sim.state
    first = not state.greeted
    state.greeted = True
    if first and state.turn <= 2:
        sim.warm(1)
    if not _also_questions(sim):
        sim.say_line("greet_reply")


def _introduce(sim: Simulation) -> None:
    sim.state.greeted = True
    sim.state.introduced = True
    if not _also_questions(sim):
        sim.say_line("intro_reply")


def _agenda(sim: Simulation) -> None:
    sim.state.agenda = True  # its question is about the time and the plan of the meeting, not a fact
    sim.say_line("agenda_reply")


def _also_questions(sim: Simulation, min_probability: float = discovery.CARRIED_QUESTION_MIN) -> bool:
    """A contact move that also asks a clear question about a fact gets the fact as its answer
    (``min_probability``: how clearly; see :func:`discovery.matched_facts`)."""
    if not sim.u.questions:
        return False
    facts, _, _ = discovery.matched_facts(sim, min_probability)
    if not facts:
        return False
    discovery.answer_questions(sim)
    return True


def _off_topic(sim: Simulation) -> None:
    """Small talk gets a polite redirection in character, unless it also asks a clear question."""
    if _also_questions(sim):
        return
    _, vague, _ = discovery.matched_facts(sim)
    if vague and sim.state.last_fact:
        discovery.deepen(sim)  # « c'est-à-dire ? » heard as off-topic by the NLU
        return
    sim.state.off_topic += 1
    sim.event("off_topic")
    sim.say_line("off_topic")


def _satisfaction(sim: Simulation) -> None:
    if sim.state.outcome == "won":
        sim.say_line("satisfaction_reply")
    else:
        discovery.answer_questions(sim)


def _check_agreement(sim: Simulation) -> None:
    from bot.engine.simulation import lower_first, short

    item = objections.pending(sim)
    if item is not None:
        sim.say_line(
            "check_agreement_pending", objection=lower_first(short(sim.fill(item.text[0], **sim.budget_values())))
        )
    else:
        sim.say_line("check_agreement_ok")


def _concession(sim: Simulation) -> None:
    negotiation.concession_reply(sim)


def _denigrate(sim: Simulation) -> None:
    sim.warm(-2)
    sim.state.flag("denigrate")
    sim.say_line("denigrate_reaction")
    sim.nudge("denigrate")


def _follow_up(sim: Simulation) -> None:
    sim.state.follow_up = True
    sim.say_line("follow_up_reply")


def _inform(sim: Simulation) -> None:
    u = sim.u
    if u.intent in QUESTION_CARRIERS and _also_questions(sim):
        return
    if reading.only_follows_up(u) and sim.state.last_fact is not None:
        discovery.answer_questions(sim)  # « Ah oui ? Racontez-moi. » heard as a yes: the point under discussion, deeper
        return
    if reading.asks(u):
        # « Ah oui ? Et ça s'est passé quand ? » heard as a yes: a question gets « c'est-à-dire ? » or a follow-up,
        # never « c'est noté » (a fact only when clearly asked: the label says the message may not be a question)
        discovery.answer_questions(sim, discovery.CARRIED_QUESTION_MIN)
        return
    sim.say_line("inform_reply")


HANDLERS = {
    Intent.GREET: _greet,
    Intent.INTRODUCE_SELF: _introduce,
    Intent.STATE_AGENDA: _agenda,
    Intent.ASK_OPEN_QUESTION: discovery.answer_questions,
    Intent.ASK_CLOSED_QUESTION: discovery.answer_questions,
    Intent.CHECK_SATISFACTION: _satisfaction,
    Intent.REFORMULATE: reformulation.reformulate,
    Intent.PRESENT_SOLUTION: proposal.present_solution,
    Intent.ARGUE_BENEFIT: proposal.argue,
    Intent.HANDLE_OBJECTION: proposal.argue,
    Intent.STATE_PRICE: proposal.state_price,
    Intent.CHECK_AGREEMENT: _check_agreement,
    Intent.ACKNOWLEDGE_OBJECTION: lambda sim: sim.say_line("acknowledge_no_objection"),
    Intent.OFFER_CONCESSION: _concession,
    Intent.DENIGRATE_COMPETITOR: _denigrate,
    Intent.PROPOSE_CLOSE: closing.close,
    Intent.SUMMARIZE_DEAL: closing.summarize,
    Intent.PROPOSE_ADDITIONAL_SALE: closing.additional_sale,
    Intent.PLAN_FOLLOW_UP: _follow_up,
    Intent.SAY_GOODBYE: closing.goodbye,
    Intent.INFORM: _inform,
    Intent.AFFIRM: lambda sim: _inform(sim) if sim.u.questions else sim.say_line("affirm_reply"),
    Intent.DENY: lambda sim: sim.say_line("deny_reply"),
    Intent.OUT_OF_SCOPE: _off_topic,
}
