"""Readings proper to a kind of situation (« lecture propre »): a criterion read differently.

A scenario names them in ``readings:`` (criterion id → reading name). In a prospecting call the
« solution » is the meeting proposal and the formalisation is the recap of the meeting; in a
complaint, satisfaction is the handling of the complaint. The words they look for are the generic
lists of ``data/lexicon/assessment.yml`` plus what the scenario adds in its ``assessment_cues:``
(its own meeting places, what would blame its client): no scenario word is written here.
"""

from __future__ import annotations

import re

from bot.assessment.rules.context import Context, RuleBook, Score, TurnRecord
from bot.language.intents import QUESTIONS
from bot.language.intents import Intent as I  # noqa: E741 - the short name of the lead's groups

READINGS = RuleBook()

#: a clock time (« 14 h », « 9h »)
_CLOCK_TIME = re.compile(r"\d{1,2} ?h")
#: parts of a complete meeting recap: date, hour, place, participants, object, invitation, preparation
RECAP_COMPLETE, RECAP_MAIN = 6, 4


@READINGS("meeting_proposal")
def meeting_proposal(ctx: Context) -> Score:
    """C1.2.2-a in a prospecting call: the « solution » is the meeting proposal.

    0: no meeting proposed (a product pitch instead); 1: a meeting without a clear object or benefit;
    2: a meeting with an object and a benefit or a duration; 3: tailored as well (a place, with an alternative).
    """
    proposals = ctx.where(
        lambda t: t.has(I.PRESENT_SOLUTION, I.PROPOSE_CLOSE) and (t.analysis.dated or ctx.says(t, "meeting"))
    )
    if not proposals:
        pitch = ctx.where(lambda t: t.has(I.PRESENT_SOLUTION, I.ARGUE_BENEFIT))
        if pitch:
            return Score.of(0, "Aucune proposition de rendez-vous (argumentaire produit à la place).", pitch)
        return Score.of(0, "Aucune proposition de rendez-vous.")
    best = max(
        proposals,
        key=lambda t: (
            t.analysis.benefit + ctx.says(t, "meeting_object") + ctx.says(t, "meeting_place") + t.analysis.alternative
        ),
    )
    a = best.analysis
    has_object = ctx.says(best, "meeting_object")
    sized = a.benefit or ctx.says(best, "meeting_duration")
    tailored = ctx.says(best, "meeting_place") and (a.alternative or ctx.says(best, "either_or"))
    if has_object and tailored and sized:
        return Score.of(3, "Rendez-vous sur mesure (objet, lieu, participants) avec une alternative.", [best])
    if has_object and sized:
        return Score.of(2, "Rendez-vous proposé avec un objet, un bénéfice et une durée.", [best])
    return Score.of(1, "Rendez-vous proposé sans objet ni bénéfice clairs.", [best])


@READINGS("meeting_recap")
def meeting_recap(ctx: Context) -> Score:
    """C1.2.3-b in a prospecting call: the recap of the meeting.

    0: no recap; 1: a partial recap (the date only); 2: date, hour, place and participants;
    3: also the object, what to prepare and the written invitation.
    """
    recaps = ctx.where(
        lambda t: t.has(I.SUMMARIZE_DEAL, I.PLAN_FOLLOW_UP, I.PROPOSE_CLOSE, I.SAY_GOODBYE) and t.analysis.dated
    )
    if not recaps:
        return Score.of(0, "Aucun récapitulatif du rendez-vous.")

    def parts(t: TurnRecord) -> int:
        return sum([
            t.analysis.dated,
            ctx.says(t, "meeting_hour") or bool(_CLOCK_TIME.search(t.normalized)),
            ctx.says(t, "meeting_place"),
            ctx.says(t, "meeting_participants"),
            ctx.says(t, "meeting_object"),
            t.analysis.written and ctx.says(t, "invitation"),
            ctx.says(t, "meeting_preparation"),
        ])  # fmt: skip

    best = max(recaps, key=parts)
    found = parts(best)
    if found >= RECAP_COMPLETE:
        return Score.of(
            3,
            "Rendez-vous récapitulé : date, heure, lieu, participants, objet, préparation et invitation écrite.",
            [best],
        )
    if found >= RECAP_MAIN:
        return Score.of(2, "Rendez-vous récapitulé : date, heure, lieu et participants.", [best])
    return Score.of(1, "Récapitulatif partiel du rendez-vous (date seule).", [best])


@READINGS("complaint_handling")
def complaint_handling(ctx: Context) -> Score:
    """C2.2-a in a complaint: welcome, apologise, qualify, solve, measure satisfaction, prevent.

    0: dissatisfaction ignored or the blame put on the client; 1: apologies without a qualified
    dissatisfaction or a dated solution; 2: dissatisfaction qualified and a dated solution;
    3: also a dated measure of satisfaction and a prevention action.
    """
    blame = ctx.where(lambda t: ctx.says(t, "blame"))
    apology = ctx.where(lambda t: t.has(I.ACKNOWLEDGE_OBJECTION) or ctx.says(t, "apology"))
    qualify = ctx.where(lambda t: t.has(*QUESTIONS) and ctx.before_solution(t))
    solution = ctx.where(
        lambda t: t.has(I.PRESENT_SOLUTION, I.HANDLE_OBJECTION, I.OFFER_CONCESSION) and t.analysis.dated
    )
    measure = ctx.where(
        lambda t: (
            t.analysis.measure
            and t.analysis.dated
            and t.has(I.PLAN_FOLLOW_UP, I.CHECK_SATISFACTION, I.SAY_GOODBYE, I.SUMMARIZE_DEAL, I.PRESENT_SOLUTION)
        )
    )
    prevention = ctx.where(lambda t: ctx.says(t, "prevention", "complaint_prevention"))
    if blame or not apology:
        return Score.of(0, "Insatisfaction ignorée ou responsabilité rejetée sur le client.", blame or ctx.turns[:1])
    if not (qualify and solution):
        return Score.of(1, "Excuses sans insatisfaction qualifiée ni solution datée.", apology)
    if measure and prevention:
        return Score.of(
            3,
            "Insatisfaction qualifiée, solution datée, mesure de satisfaction et prévention.",
            [solution[0], measure[0], prevention[0]],
        )
    return Score.of(2, "Insatisfaction qualifiée et solution proposée.", [apology[0], solution[0]])
