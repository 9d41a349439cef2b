"""The learner's move read in context, where the NLU's label cannot be right.

The NLU labels a message alone; the engine knows what it says (its questions, cues, products) and where
the meeting stands. A message that only asks is a question whatever its label (« C'est quand, le comité ? »
labelled « check_agreement »), a first offer of catalogue products is a proposal, a first « Bonjour …, je
vous appelle au sujet de… » is a greeting. The moves keep the vocabulary of ``bot.language.intents``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from bot.engine import discovery, objections
from bot.language.intents import QUESTIONS, Intent
from bot.language.lexicon import lexicon

if TYPE_CHECKING:  # pragma: no cover
    from bot.engine.simulation import Simulation


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
    Intent.PLAN_FOLLOW_UP: "move.plan_follow_up",
    Intent.DENIGRATE_COMPETITOR: "denigrate",
}
#: guesses of an unsure NLU that a message which only asks is read as a question instead (see _unsure_guess)
UNSURE_QUESTIONS = {*DISGUISED_QUESTIONS, Intent.PROPOSE_ADDITIONAL_SALE, Intent.SUMMARIZE_DEAL}
#: labels a message that only asks cannot have without their cue, even when it asks about nothing the scenario
#: knows: « qu'est-ce qui vous fera dire que c'était une réussite ? » is no reformulation to confirm, « vos
#: collaborateurs travaillent-ils depuis chez eux ? » no denigration to blame (the client asks « c'est-à-dire ? »)
QUESTION_WITHOUT_CUE = {Intent.REFORMULATE, Intent.DENIGRATE_COMPETITOR}
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
#: the FallbackClassifier's threshold (config.yml; test_client_routing checks they agree): a label at or below it
#: is the NLU's rescued guess, not its reading
RESCUED_LABEL_MAX = 0.3
#: a message that is mostly a question is a question, whatever the NLU's label
QUESTION_SHARE_MIN = 0.6
#: ... or less, when its other words say that it comes back to what was said (« Je veux être sûre d'avoir bien
#: noté : l'enveloppe, c'est 120 000 € ? » is a question, not a price)
RECALL_QUESTION_SHARE_MIN = 0.4


def mostly_asks(u, recall: bool = True) -> bool:
    """The message is mostly a question; less of it is enough when its other words come back to what was said
    (« …, c'est bien ça ? Je veux être sûr »)."""
    share_min = RECALL_QUESTION_SHARE_MIN if recall and u.has("recall") else QUESTION_SHARE_MIN
    return u.question_share >= share_min


def asks(u, recall: bool = True) -> bool:
    """The message is mostly a question and says so with « ? » (a question labelled so without « ? » may offer)."""
    return "?" in u.text and mostly_asks(u, recall)


def only_follows_up(u) -> bool:
    """Every question of the message is a bare follow-up (« Ah oui ? », « et alors ? »)."""
    return bool(u.questions) and all(q.vague_score >= discovery.VAGUE_MIN for q in u.questions)


def _unsure_guess(sim: Simulation) -> bool:
    """A move the NLU was unsure of (its guess behind « nlu_fallback ») on a message that only asks, names no
    product and gives no amount: a question (« Côté trésorerie, où en êtes-vous ? » is no « d'accord ? »,
    « et le réseau d'air, il tient le coup ? » no additional sale)."""
    u = sim.u
    if u.confidence > RESCUED_LABEL_MAX or u.intent not in UNSURE_QUESTIONS or not asks(u):
        return False
    return not (u.products or u.figures.money or u.figures.discounts or u.has("proposal"))


def says_its_move(u) -> bool:
    """The message has the words of the move the NLU gave it (« on valide ? » for a close, « je vous envoie le
    devis » for a follow-up): a question in its form, that move in substance."""
    cue = DISGUISED_QUESTIONS.get(u.intent)
    return bool(cue) and u.has(cue)


#: moves that do something (close, plan, set the agenda) rather than check what was said (« c'est bien ça ? »)
ACTION_MOVES = {Intent.PROPOSE_CLOSE, Intent.PLAN_FOLLOW_UP, Intent.STATE_AGENDA}


def proposes_an_action(u) -> bool:
    """An action move said with its words (« On valide le socle dès janvier ? »), whatever its question form."""
    return u.intent in ACTION_MOVES and says_its_move(u)


def _question_in_disguise(sim: Simulation) -> bool:
    """The NLU gave another move to a message that only asks about a fact (« C'est quand, le comité ? »
    labelled « check_agreement »): the question form and the fact it asks about correct the label."""
    u = sim.u
    if u.intent not in UNSURE_QUESTIONS or not u.questions:
        return False
    if says_its_move(u):
        return False
    cue = DISGUISED_QUESTIONS.get(u.intent)
    if _unsure_guess(sim):
        return True  # the client answers the question, or asks what it means
    if u.intent not in DISGUISED_QUESTIONS or not mostly_asks(u):
        return False
    if cue == "move.state_agenda" and u.has("time_check") and not u.has("recall"):
        # « vous avez combien de temps ? » is about the meeting; « combien de temps votre assistante passe à tout
        # ressaisir ? » about a fact, and « ça a duré combien de temps, ce souci dont vous m'avez parlé ? » too
        return bool(discovery.matched_facts(sim, discovery.CARRIED_QUESTION_MIN)[0])
    if u.intent in QUESTION_WITHOUT_CUE and asks(u):
        return True
    if u.intent == Intent.ACKNOWLEDGE_OBJECTION:
        # with an objection open, « je comprends… ? » may take it up; with none, there is nothing to acknowledge
        # and a message that asks is a question (« Monsieur Lounis, en cuisine, qu'est-ce qui vous gêne le plus ? »)
        return objections.pending(sim) is None and asks(u)
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
    if asks(u, recall=False) or state.solution_presented or not u.products or not u.has("proposal"):
        return False
    if u.intent not in PROPOSAL_IN_DISGUISE and u.intent not in QUESTIONS:
        return False
    return objections.pending(sim) is None


def _increase_in_disguise(sim: Simulation) -> bool:
    """« Je dois vous annoncer une hausse de 6 % » heard as a concession: a price stated, which gives nothing (no
    discount, no payment term, no counterpart); « je lisse la hausse : 3 % en mars, 3 % en septembre » gives."""
    u = sim.u
    if u.intent != Intent.OFFER_CONCESSION or not u.has("price_increase"):
        return False
    return not (u.figures.discounts or u.figures.payment_terms or u.has("counterpart") or u.has("proposal"))


def _savings_in_disguise(sim: Simulation) -> bool:
    """« Avec EC-ZIP2, vous gagnez 11 secondes par colis, soit 11 000 € par an » heard as a price: an argument
    with figures. Its amounts are what the client saves, none is said with a price word or an offer verb, and
    no discount or payment term is given: the price on the table stays where it was."""
    u = sim.u
    if u.intent != Intent.STATE_PRICE or not u.has("savings") or not u.figures.money:
        return False
    if u.figures.discounts or u.figures.payment_terms or u.has("proposal"):
        return False
    lex = lexicon()
    return all(
        m.saved and not (lex["price_words_offer"].found_in(m.clause) or lex["offer_verbs"].found_in(m.clause))
        for m in u.figures.money
    )


def reinterpret(sim: Simulation) -> str:
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
    if _increase_in_disguise(sim):
        return Intent.STATE_PRICE
    if _savings_in_disguise(sim):
        return Intent.ARGUE_BENEFIT
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
