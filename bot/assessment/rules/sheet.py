"""C1.1 scored from the student's written preparation sheet, the chat used only as evidence.

When the student filled in a preparation sheet (:mod:`bot.assessment.preparation_sheet`), C1.1.1-a,
C1.1.1-b and C1.1.2-a are read from what was *written before* the meeting, as a teacher grades the CCF
preparation: the plan earns levels 0–2, and the top level needs the chat to show the plan applied or
adapted (planned topics actually asked, planned answers and concessions with counterparts actually
used). The chat can also pull a level down when it shows the plan was not followed (an illegal payment
term accepted, prices invented). Without a sheet the chat rules of :mod:`preparation` score these
criteria as before. Every level comes with its reason, in French, naming what the sheet contains.
"""

from __future__ import annotations

import re
from typing import Callable, Dict, List, Set

from bot.assessment.preparation_sheet import PreparationSheet, sheet_vocabulary
from bot.assessment.rules.context import Context, Score, TurnRecord
from bot.assessment.rules.preparation import ENV_TOPICS, OFFERING, OPPORTUNITY_TOPICS, catalogue_errors
from bot.language.intents import QUESTIONS
from bot.language.intents import Intent as I  # noqa: E741 - the short name of the lead's groups
from bot.language.numbers import numbers
from bot.language.terms import figures
from bot.language.text import normalize

SheetRule = Callable[[Context, PreparationSheet], Score]
SHEET_RULES: Dict[str, SheetRule] = {}
#: discovery topics that plan the client's risk (financing, payment, volumes, decision)
RISK_TOPICS = ("financement", "budget", "volume", "decision")
#: planned concessions with a counterpart needed for a graduated concession plan
GRADUATED = 2
#: a question is the planned one when it repeats this share of its content words (4 letters or more)
PLANNED_OVERLAP = 0.6
CONTENT_WORD = 4


def sheet_rule(criterion_id: str) -> Callable[[SheetRule], SheetRule]:
    def register(fn: SheetRule) -> SheetRule:
        SHEET_RULES[criterion_id] = fn
        return fn

    return register


def labels(topics: List[str]) -> str:
    vocab = sheet_vocabulary().topics
    return ", ".join(vocab.get(t, t) for t in topics)


def content_words(text: str) -> Set[str]:
    return {w for w in re.findall(r"[a-z0-9]+", normalize(text)) if len(w) >= CONTENT_WORD}


def asked_as_planned(ctx: Context, sheet: PreparationSheet, topics: List[str]) -> List[TurnRecord]:
    """Chat evidence of the discovery plan: questions that made the client reveal a fact of a planned
    topic, or that repeat most of the words of a planned question of these topics."""
    wanted = set(topics)
    planned = [content_words(q.question) for q in sheet.questions if q.topic in wanted]
    planned = [words for words in planned if words]

    def as_planned(t: TurnRecord) -> bool:
        if wanted & set(ctx.topics_revealed_in(t)):
            return True
        said = content_words(t.text)
        return any(len(words & said) >= PLANNED_OVERLAP * len(words) for words in planned)

    return ctx.where(lambda t: t.has(*QUESTIONS) and as_planned(t))


def measurable(text: str) -> bool:
    """An objective is measurable when it states an amount, a percentage, a date or a quantity."""
    norm = normalize(text)
    found = figures(norm)
    return bool(found.money or found.percents or found.discounts or found.dates.dated or numbers(norm))


@sheet_rule("C1.1.1-a")
def environment(ctx: Context, sheet: PreparationSheet) -> Score:
    """Variables d'environnement: the discovery plan covers constraints and opportunities; level 3 when the
    planned topics were actually explored in the meeting and reused in the arguments (CAP for a need)."""
    planned = [t for t in sheet.planned_topics if t in ENV_TOPICS]
    if not planned:
        return Score.of(
            0, "Fiche de préparation : aucune question prévue sur l'environnement du client (contraintes, projets)."
        )
    constraint = "contrainte" in planned
    opportunity = bool(set(planned) & OPPORTUNITY_TOPICS)
    if not (constraint and opportunity):
        missing = "les opportunités (projets, financement, activité)" if constraint else "les contraintes"
        return Score.of(1, f"Fiche de préparation : {labels(planned)} prévu(s), mais pas {missing}.")
    asked = asked_as_planned(ctx, sheet, planned)
    if asked and sheet.arguments:
        return Score.of(
            3,
            f"Fiche de préparation : contraintes et opportunités prévues ({labels(planned)}), explorées pendant "
            "l'entretien et reprises dans l'argumentaire CAP.",
            asked,
        )
    why = "sans argument CAP qui les exploite" if asked else "mais non explorées pendant l'entretien"
    return Score.of(2, f"Fiche de préparation : contraintes et opportunités prévues ({labels(planned)}), {why}.")


@sheet_rule("C1.1.1-b")
def risk(ctx: Context, sheet: PreparationSheet) -> Score:
    """Risque client et affaire: the breaking point bounds the deal, risk questions are planned, the
    objections have planned answers and the concessions counterparts (the parades); level 3 when the
    chat shows a parade used. An illegal condition accepted in the meeting is level 0 whatever the sheet."""
    if "illegal_accepted" in ctx.flags:
        accepted = ctx.first(lambda t: t.flagged("illegal_accepted"))
        return Score.of(
            0,
            "Un délai de paiement illégal a été accepté pendant l'entretien : la préparation n'a pas été appliquée.",
            [accepted],
        )
    business = bool(sheet.objectives.breaking_point)
    client = [t for t in sheet.planned_topics if t in RISK_TOPICS]
    parades = [o for o in sheet.objections if o.answer] + [c for c in sheet.concessions if c.counterpart]
    if not (business or client or sheet.objections):
        return Score.of(0, "Fiche de préparation : ni point de rupture, ni question de risque, ni objection prévue.")
    if not parades:
        return Score.of(1, "Fiche de préparation : risque évoqué, mais aucune réponse ni contrepartie prévue.")
    if not (business and client):
        missing = "le risque client (financement, paiement, volumes)" if business else "le point de rupture"
        return Score.of(2, f"Fiche de préparation : parades prévues, mais {missing} n'est pas traité.")
    used = ctx.where(lambda t: t.analysis.parade and t.has(*OFFERING))
    traded = ctx.where(lambda t: t.grew("concessions") and (t.after.get("concessions") or [{}])[-1].get("trade"))
    if used or traded:
        return Score.of(
            3,
            f"Fiche de préparation : risque client ({labels(client)}) et risque affaire (point de rupture) traités, "
            "parades prévues puis utilisées pendant l'entretien.",
            used + traded,
        )
    return Score.of(
        2, "Fiche de préparation : risques client et affaire traités, mais aucune parade utilisée pendant l'entretien."
    )


@sheet_rule("C1.1.2-a")
def objectives(ctx: Context, sheet: PreparationSheet) -> Score:
    """Objectifs et supports: four measurable objectives (SMART) and documents to bring; level 3 when the
    concessions are graduated with counterparts and the meeting used the preparation (documents cited,
    concessions traded). Prices or references absent from the catalogue are level 0: the preparation was not
    used; a discount beyond the margin caps the criterion at 1 in the aggregation, as the grid says."""
    errors = catalogue_errors(ctx)
    if errors:
        return Score.of(
            0,
            "Prix ou références incohérents avec le catalogue pendant l'entretien : préparation non exploitée.",
            errors,
        )
    vocab = sheet_vocabulary()
    written = [key for key, text in sheet.objectives.items() if text]
    vague = [vocab.objectives[key] for key, text in sheet.objectives.items() if text and not measurable(text)]
    if not written:
        return Score.of(0, "Fiche de préparation : aucun objectif écrit.")
    if len(written) < len(vocab.objectives) or vague or not sheet.documents:
        reasons = []
        if len(written) < len(vocab.objectives):
            reasons.append("objectifs incomplets")
        if vague:
            reasons.append("sans chiffre : " + ", ".join(vague))
        if not sheet.documents:
            reasons.append("aucun document prévu")
        return Score.of(1, "Fiche de préparation : objectif flou (" + " ; ".join(reasons) + ").")
    graduated = [c for c in sheet.concessions if c.counterpart]
    cited = ctx.where(lambda t: bool(t.analysis.supports))
    traded = ctx.where(lambda t: t.has(I.OFFER_CONCESSION) or t.grew("concessions"))
    unilateral = [c for c in ctx.final.get("concessions", []) if not c.get("trade")]
    if len(graduated) >= GRADUATED and cited and not unilateral:
        return Score.of(
            3,
            "Fiche de préparation : objectifs SMART, documents et concessions graduées avec contreparties, "
            "exploités pendant l'entretien (documents cités, concessions échangées).",
            cited[:1] + traded[:2],
        )
    why = (
        "concessions non graduées ou sans contrepartie"
        if len(graduated) < GRADUATED
        else "préparation peu exploitée pendant l'entretien"
    )
    return Score.of(2, f"Fiche de préparation : objectifs SMART chiffrés et documents prévus ; {why}.")
