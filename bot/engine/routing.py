"""Who answers a message: the client persona, or the coach.

The NLU's label routes a message (Rasa rules: a hint to the coach, the debrief, small talk, an uncertain
label). The words decide in the end, because ending a simulation or leaving the role cannot be undone:
a question the client can answer is played as a question even when the NLU heard a call for help or a
request for the debrief; a request for help needs words that ask for it; an uncertain label is rescued
when a client move is plausible. The actions and ``make eval-dialogue`` route with this one function.
"""

from __future__ import annotations

from typing import Dict, Sequence

from bot.engine.inputs import asks_debrief
from bot.engine.library import Library
from bot.engine.simulation import CLEAR_QUESTION, question_move
from bot.engine.state import SimulationState
from bot.language.intents import CLIENT_MOVES, Intent
from bot.language.lexicon import lexicon
from bot.language.text import normalize

#: below this, a yes or a no must also be heard in the words (« azerty » was read as « affirm » at 0.32)
CLEAR_SHORT_MOVE = 0.5
#: moves whose whole meaning is a short word, with the lexicon entry that hears it
SHORT_MOVES = {Intent.AFFIRM.value: "move.affirm", Intent.DENY.value: "move.deny"}

#: below this, even the best guess of the NLU is not played as a move. Set on the linear classifier's
#: scale with scripts/calibrate_fallback.py (docs/nlu.md): 1 right held-out answer in 658 is below 0.2
RESCUE_MIN_CONFIDENCE = 0.2


def rescued_move(ranking: Sequence[Dict]) -> str | None:
    """The NLU's best guess behind an ``nlu_fallback``, if it is a plausible client move."""
    for ranked in ranking:
        name = ranked.get("name")
        if name == Intent.NLU_FALLBACK:
            continue
        if name in CLIENT_MOVES and float(ranked.get("confidence") or 0) >= RESCUE_MIN_CONFIDENCE:
            return str(name)
        return None
    return None


def next_client_move(ranking: Sequence[Dict]) -> str | None:
    """The NLU's best guess among the client moves, if plausible enough."""
    for ranked in ranking:
        name = ranked.get("name")
        if name in CLIENT_MOVES and float(ranked.get("confidence") or 0) >= RESCUE_MIN_CONFIDENCE:
            return str(name)
    return None


def asks_hint(text: str) -> bool:
    """The words ask the coach for help (« un indice », « je suis bloqué »)."""
    return lexicon()["hint_request"].found_in(normalize(text))


def heard(text: str, move: str | None, ranking: Sequence[Dict]) -> bool:
    """False for a yes or a no the NLU is unsure of and the words do not carry (keyboard mashing)."""
    if move not in SHORT_MOVES:
        return True
    confidence = max((float(r.get("confidence") or 0) for r in ranking if r.get("name") == move), default=0.0)
    return confidence >= CLEAR_SHORT_MOVE or lexicon()[SHORT_MOVES[move]].found_in(normalize(text))


def client_move(
    library: Library, state: SimulationState, text: str, intent: str, ranking: Sequence[Dict] = ()
) -> str | None:
    """The move the client answers for this NLU result, or None when the coach answers instead."""
    if text.lstrip().startswith("/"):
        return None  # a command (start, debrief, a button, a forged « /restart »): the coach's
    if intent in CLIENT_MOVES or intent == Intent.OUT_OF_SCOPE:
        return intent if heard(text, intent, ranking) else None
    if intent == Intent.NLU_FALLBACK:
        rescued = rescued_move(ranking)
        return (rescued if heard(text, rescued, ranking) else None) or question_move(library, state, text)
    if intent == Intent.ASK_HINT:
        question = question_move(library, state, text)
        return question if question and not asks_hint(text) else None
    if intent == Intent.REQUEST_DEBRIEF:
        question = question_move(library, state, text, CLEAR_QUESTION)
        if question:
            return question
        return None if asks_debrief(text) else next_client_move(ranking) or Intent.INFORM.value
    return None
