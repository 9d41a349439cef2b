"""The C2 criteria of a prospecting call, read for what the call is for (« lecture propre » by kind).

A prospecting call (a scenario of ``kind: prospecting``) sells no product: its C2 criterion
C2.3-b (anticipate, individual plan, potential) is read as ``scenarios-c2.md`` says: the
prospect's potential identified (fleet, contract end, building…) and followed by dated actions
(meeting, audit, call back). The rules apply to every scenario of that kind, so that a new
prospecting scenario is scored with its own C2 id, not with the sale's reading or with C1 ids only.
"""

from __future__ import annotations

from typing import Dict

from bot.assessment.rules.context import Context, Rule, Score
from bot.language.intents import Intent as I  # noqa: E741 - the short name of the lead's groups

#: moves that carry a dated action with a prospect (a meeting, an audit, a call back)
ACTING = (I.PROPOSE_CLOSE, I.PLAN_FOLLOW_UP, I.SUMMARIZE_DEAL, I.PRESENT_SOLUTION, I.SAY_GOODBYE)
#: facts the prospect revealed: from this many, the potential is identified; twice as many, it is mapped
POTENTIAL_FACTS = 3


def prospect_potential(ctx: Context) -> Score:
    """C2.3-b in a prospecting call: Anticiper les attentes et plan d'action individualisé.

    0: absent; 1: mention vague; 2: potentiel identifié + action;
    3: plan individualisé daté, lié au potentiel CA/marge du compte.

    The potential is what the prospect told (facts revealed by the learner's questions); the plan is
    the dated actions proposed (meeting, audit or trial, call back), tied to the potential when the
    action names what was found out (the scenario's ``meeting_object`` cues). Nothing learnt about the
    prospect is 0, whatever was proposed: a plan tied to no potential is no plan.
    """
    revealing = ctx.where(lambda t: len(t.after.get("revealed") or {}) > len(t.before.get("revealed") or {}))
    revealed = len(ctx.final.get("revealed") or {})
    actions = ctx.where(lambda t: t.has(*ACTING) and t.analysis.dated)
    tied = [t for t in actions if ctx.says(t, "meeting_object")]
    if not revealed or (revealed < POTENTIAL_FACTS and not actions):
        return Score.of(0, "Potentiel du prospect non identifié, aucune action datée.", revealing)
    if revealed < POTENTIAL_FACTS or not actions:
        return Score.of(1, "Potentiel à peine esquissé ou action sans date.", revealing[:1] + actions[:1])
    if revealed >= 2 * POTENTIAL_FACTS and len(actions) >= 2 and tied:
        return Score.of(3, "Potentiel du prospect identifié et plan d'actions datées qui s'y rattache.", [tied[0]])
    return Score.of(2, "Potentiel identifié et action datée proposée.", revealing[:1] + actions[:1])


#: kind of situation → criterion id → its reading in that kind
BY_KIND: Dict[str, Dict[str, Rule]] = {"prospecting": {"C2.3-b": prospect_potential}}
