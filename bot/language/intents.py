"""Learner moves (the Rasa intents of ``shared/spec/moves.yml``) and the groups the project reasons with.

An intent is a ``str`` enum, so ``Intent.GREET == "greet"`` and a value read from a tracker compares equal.
Groups are defined here once; the engine, the coach and the assessment use these names.
"""

from __future__ import annotations

from enum import Enum
from typing import FrozenSet


class Intent(str, Enum):
    # contact
    GREET = "greet"
    INTRODUCE_SELF = "introduce_self"
    STATE_AGENDA = "state_agenda"
    # discovery
    ASK_OPEN_QUESTION = "ask_open_question"
    ASK_CLOSED_QUESTION = "ask_closed_question"
    REFORMULATE = "reformulate"
    # proposal
    PRESENT_SOLUTION = "present_solution"
    ARGUE_BENEFIT = "argue_benefit"
    STATE_PRICE = "state_price"
    CHECK_AGREEMENT = "check_agreement"
    # objections
    ACKNOWLEDGE_OBJECTION = "acknowledge_objection"
    HANDLE_OBJECTION = "handle_objection"
    OFFER_CONCESSION = "offer_concession"
    DENIGRATE_COMPETITOR = "denigrate_competitor"
    # closing
    PROPOSE_CLOSE = "propose_close"
    SUMMARIZE_DEAL = "summarize_deal"
    PROPOSE_ADDITIONAL_SALE = "propose_additional_sale"
    PLAN_FOLLOW_UP = "plan_follow_up"
    CHECK_SATISFACTION = "check_satisfaction"
    SAY_GOODBYE = "say_goodbye"
    # generic
    INFORM = "inform"
    AFFIRM = "affirm"
    DENY = "deny"
    # meta (the coach, not the client, answers these)
    ASK_HINT = "ask_hint"
    REQUEST_DEBRIEF = "request_debrief"
    OUT_OF_SCOPE = "out_of_scope"
    START_SCENARIO = "start_scenario"
    NLU_FALLBACK = "nlu_fallback"

    def __str__(self) -> str:  # f-strings and logs show the plain id
        return self.value


I = Intent  # noqa: E741 - short alias for the group definitions below


def _ids(*intents: Intent) -> FrozenSet[str]:
    """A group as plain intent ids (what trackers and stored turns hold)."""
    return frozenset(i.value for i in intents)


#: the moves of a meeting: the client persona answers them (everything but the meta commands)
CLIENT_MOVES: FrozenSet[str] = _ids(
    *(i for i in Intent if i not in (I.ASK_HINT, I.REQUEST_DEBRIEF, I.OUT_OF_SCOPE, I.START_SCENARIO, I.NLU_FALLBACK))
)
#: questions of discovery (their form, not their label, decides how much the client says)
QUESTIONS: FrozenSet[str] = _ids(I.ASK_OPEN_QUESTION, I.ASK_CLOSED_QUESTION)
#: statements that answer an objection or a change, whatever the NLU's exact label among them
ANSWERING_MOVES: FrozenSet[str] = _ids(I.HANDLE_OBJECTION, I.ARGUE_BENEFIT, I.INFORM, I.PRESENT_SOLUTION, I.REFORMULATE)
#: replies to a pending objection (answers, empathy, yes/no, a concession)
OBJECTION_REPLIES: FrozenSet[str] = ANSWERING_MOVES | _ids(
    I.ACKNOWLEDGE_OBJECTION, I.AFFIRM, I.DENY, I.OFFER_CONCESSION
)
#: any statement with content: when it carries what lifts a pending objection, it lifts it
CONTENT_MOVES: FrozenSet[str] = ANSWERING_MOVES | _ids(
    I.OFFER_CONCESSION, I.PLAN_FOLLOW_UP, I.PROPOSE_CLOSE, I.SUMMARIZE_DEAL, I.DENY
)
#: the moves of the opening of a meeting
CONTACT_MOVES: FrozenSet[str] = _ids(I.GREET, I.INTRODUCE_SELF, I.STATE_AGENDA)
#: moves that conclude or formalise
CLOSING_MOVES: FrozenSet[str] = _ids(I.PROPOSE_CLOSE, I.SUMMARIZE_DEAL)
