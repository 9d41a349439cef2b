"""One learner message, from its understanding to the client's answer.

Order of a turn: the move is read in context (a question labelled « goodbye » is a question), the
client remembers what the message brings (facts the learner states, the price, discounts, payment
terms, promises, objections answered in advance, signals made pointless), then answers the move, then
goes on by himself (the change of parameters, the next objection, a buying signal, his mood).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from bot.engine import change, closing, discovery, negotiation, objections, proposal
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
#: below this NLU confidence, « denigrate » needs the lexicon's words to blame the learner
DENIGRATE_MIN_CONFIDENCE = 0.6


#: moves the NLU may give to a plain question, and the cue that would make the label right after all
DISGUISED_QUESTIONS = {
    Intent.PROPOSE_CLOSE: "close",
    Intent.REFORMULATE: "reformulation",
    Intent.CHECK_AGREEMENT: "check_question",
    Intent.STATE_AGENDA: "move.state_agenda",
    Intent.ACKNOWLEDGE_OBJECTION: None,
    Intent.ARGUE_BENEFIT: None,
    Intent.INFORM: None,
    Intent.PRESENT_SOLUTION: None,
    Intent.STATE_PRICE: None,
    Intent.HANDLE_OBJECTION: None,
    Intent.PLAN_FOLLOW_UP: None,
}
#: labels the NLU gives to a first proposal it does not recognise (« Je vous propose de maintenir le Grand Cru… »
#: read as a recap, a close or a concession); an unsure « nlu_fallback » is rescued to one of them
PROPOSAL_IN_DISGUISE = {
    Intent.SUMMARIZE_DEAL, Intent.PROPOSE_CLOSE, Intent.OFFER_CONCESSION, Intent.STATE_PRICE, Intent.INFORM,
    Intent.PLAN_FOLLOW_UP, Intent.PROPOSE_ADDITIONAL_SALE, Intent.HANDLE_OBJECTION, Intent.CHECK_AGREEMENT,
}  # fmt: skip
#: labels the NLU gives to a first « Bonjour …, je vous appelle au sujet de… » (a pitch stays a pitch: « Salut, j'ai un
#: super produit à vous vendre ! » is still an argument before any discovery)
GREETING_IN_DISGUISE = {
    Intent.PLAN_FOLLOW_UP, Intent.INFORM, Intent.SAY_GOODBYE, Intent.CHECK_AGREEMENT, Intent.SUMMARIZE_DEAL,
    Intent.AFFIRM, Intent.OUT_OF_SCOPE,
}  # fmt: skip
#: a message that is mostly a question is a question, whatever the NLU's label
QUESTION_SHARE_MIN = 0.6
#: ... or less, when its other words say that it comes back to what was said (« Je veux être sûre d'avoir bien
#: noté : l'enveloppe, c'est 120 000 € ? » is a question, not a price)
RECALL_QUESTION_SHARE_MIN = 0.4


def _asks(u) -> bool:
    """The message is mostly a question and says so with « ? » (a question labelled so without « ? » may offer)."""
    return "?" in u.text and u.question_share >= QUESTION_SHARE_MIN


def _question_in_disguise(sim: Simulation) -> bool:
    """The NLU gave another move to a message that only asks about a fact (« C'est quand, le comité ? »
    labelled « check_agreement »): the question form and the fact it asks about correct the label."""
    u = sim.u
    share_min = RECALL_QUESTION_SHARE_MIN if u.has("recall") else QUESTION_SHARE_MIN
    if u.intent not in DISGUISED_QUESTIONS or not u.questions or u.question_share < share_min:
        return False
    cue = DISGUISED_QUESTIONS[u.intent]
    if (cue and u.has(cue)) or (cue == "move.state_agenda" and u.has("time_check") and not u.has("recall")):
        return False  # « ça a duré combien de temps, ce souci dont vous m'avez parlé ? » is no question on the agenda
    if u.intent == Intent.ACKNOWLEDGE_OBJECTION and objections.pending(sim):
        return False
    if u.intent == Intent.PROPOSE_CLOSE and (
        any(q.form == "alternative" for q in u.questions) or u.figures.dates.dated
    ):
        return False  # « préférez-vous signer cette semaine ou la suivante ? » is an alternative close
    facts, vague, _ = discovery.matched_facts(sim)
    return bool(facts) or (vague and sim.state.last_fact is not None)


def _proposal_in_disguise(sim: Simulation) -> bool:
    """The first offer of catalogue products, whatever the NLU called it: nothing is on the table yet, the
    learner names what he offers with an offer verb, and no objection is waiting for its answer."""
    u, state = sim.u, sim.state
    if _asks(u) or state.solution_presented or not u.products or not u.has("proposal"):
        return False
    if u.intent not in PROPOSAL_IN_DISGUISE and u.intent not in QUESTIONS:
        return False
    return objections.pending(sim) is None


def _reinterpret(sim: Simulation) -> str:
    """The move, read in context when the NLU's label cannot be right."""
    u, state = sim.u, sim.state
    intent = u.intent
    if _question_in_disguise(sim):
        return Intent.ASK_OPEN_QUESTION if discovery.is_open(sim) else Intent.ASK_CLOSED_QUESTION
    if intent == Intent.SAY_GOODBYE and u.questions:
        # a message that asks something is not a leave-taking (« Bonjour…, comment… ? »)
        return Intent.ASK_OPEN_QUESTION if discovery.is_open(sim) else Intent.ASK_CLOSED_QUESTION
    if intent == Intent.SAY_GOODBYE and not u.has("move.say_goodbye"):
        # « Je suis Léa, d'AirTech : merci de me recevoir » is no leave-taking: ending a meeting needs its words
        return Intent.INTRODUCE_SELF if u.has("move.introduce_self") else Intent.INFORM
    if intent == Intent.DENIGRATE_COMPETITOR and u.confidence < DENIGRATE_MIN_CONFIDENCE and not u.has("denigrate"):
        return Intent.INFORM  # an uncertain label is not enough to blame the learner
    if _proposal_in_disguise(sim):
        return Intent.PRESENT_SOLUTION
    if not state.greeted and u.has("move.greet") and intent in GREETING_IN_DISGUISE:
        return Intent.GREET  # the first « Bonjour …, je vous appelle au sujet de… » is the greeting, not a follow-up
    ready = state.solution_presented and (state.price_stated or not sim.scenario.outcome.requires_price)
    closing_question = {
        Intent.PRESENT_SOLUTION, Intent.ASK_CLOSED_QUESTION, Intent.PLAN_FOLLOW_UP, Intent.CHECK_AGREEMENT,
        Intent.STATE_PRICE,
    }  # fmt: skip
    if intent in closing_question and ready and "?" in u.normalized and u.has("close"):
        return Intent.PROPOSE_CLOSE  # « on valide ? », « je vous prépare le bon de commande ? »
    return intent


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
    _replace_intent(sim, _reinterpret(sim))
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


def _also_questions(sim: Simulation) -> bool:
    """A contact move that also asks a clear question about a fact gets the fact as its answer."""
    if not sim.u.questions:
        return False
    facts, _, _ = discovery.matched_facts(sim, discovery.CARRIED_QUESTION_MIN)
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
    if _asks(u):
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
    Intent.REFORMULATE: discovery.reformulate,
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
