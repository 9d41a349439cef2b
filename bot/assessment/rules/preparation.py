"""Préparation (C1.1): the client's environment, the risks, the preparation of the meeting.

Each rule quotes its line of ``data/assessment/rubric.yml`` (label and 0–3 scale), then says how
the learner's words and the client's reactions are read against it.
"""

from __future__ import annotations

from typing import List

from bot.assessment.rules.context import Context, RuleBook, Score, TurnRecord, distinct
from bot.engine.proposal import unknown_refs
from bot.language.intents import QUESTIONS
from bot.language.intents import Intent as I  # noqa: E741 - the short name of the lead's groups
from bot.language.text import any_keyword

RULES = RuleBook()

#: fact topics (``data/scenarios/_topics.yml``) that describe the client's environment
ENV_TOPICS = ("contrainte", "financement", "activite", "projet")
#: environment topics that are opportunities (the others are constraints)
OPPORTUNITY_TOPICS = {"financement", "projet", "activite"}
#: moves where an environment variable can be reused, an argument
ARGUING = (I.PRESENT_SOLUTION, I.ARGUE_BENEFIT, I.HANDLE_OBJECTION)
#: moves that can carry a parade to a risk (deposit, financing, phasing, trial)
OFFERING = (
    I.PRESENT_SOLUTION,
    I.HANDLE_OBJECTION,
    I.OFFER_CONCESSION,
    I.STATE_PRICE,
    I.SUMMARIZE_DEAL,
    I.INFORM,
    I.ARGUE_BENEFIT,
)
#: an announced unit price this far below the catalogue's (2 %), on an item of 100 € or more, is an error
PRICE_TOLERANCE = 0.02
PRICE_CHECKED_FROM = 100


@RULES("C1.1.1-a")
def environment(ctx: Context) -> Score:
    """Identifier les variables d'environnement du client.

    0: aucune variable; 1: 1 variable évoquée sans exploitation; 2: contraintes ET opportunités identifiées;
    3: variables identifiées et réutilisées dans la solution.

    A variable is a fact of an environment topic revealed to a question, or the learner naming one (its
    keywords); it is reused when its words come back in an argument.
    """
    env_words = ctx.fact_keywords(ENV_TOPICS)
    asked = ctx.where(lambda t: t.has(*QUESTIONS) and bool(t.new_facts))
    env_turns = [t for t in asked if any(topic in ENV_TOPICS for topic in ctx.topics_revealed_in(t))]
    mentioned = ctx.where(lambda t: any_keyword(t.normalized, env_words))
    env = distinct(env_turns + mentioned, limit=4)
    topics = {topic for t in env_turns for topic in ctx.topics_revealed_in(t)}
    reused = [t for t in ctx.where(lambda t: t.has(*ARGUING)) if any_keyword(t.normalized, env_words)]
    if not env:
        return Score.of(0, "Aucune variable d'environnement du client (contraintes, opportunités) n'a été abordée.")
    constraint_words = ctx.fact_keywords(("contrainte",))
    constraint = "contrainte" in topics or any(any_keyword(t.normalized, constraint_words) for t in env)
    opportunity = bool(topics & OPPORTUNITY_TOPICS) or any(ctx.says(t, "opportunity") for t in env)
    if constraint and opportunity and reused:
        return Score.of(
            3, "Contraintes et opportunités identifiées puis réutilisées dans la proposition.", env + reused
        )
    if constraint and opportunity or len(topics) >= 2:
        return Score.of(2, "Contraintes et opportunités du client identifiées.", env, limit=4)
    return Score.of(1, "Une variable de l'environnement évoquée, sans exploitation.", env, limit=4)


@RULES("C1.1.1-b")
def risk(ctx: Context) -> Score:
    """Évaluer le risque client et le risque affaire.

    0: risque ignoré ou condition illégale acceptée; 1: risque évoqué sans parade; 2: risque identifié + parade;
    3: risque client ET affaire traités, parade intégrée à l'offre.

    The risk is asked about (financing, payment, feasibility), an illegal condition is refused (its
    objection goes from pending to resolved), a parade is offered (deposit, financing, phasing, trial).
    """
    if "illegal_accepted" in ctx.flags:
        accepted = ctx.first(lambda t: t.flagged("illegal_accepted"))
        return Score.of(0, "Un délai de paiement illégal a été accepté : le risque client est ignoré.", [accepted])
    illegal = next((o for o in ctx.scenario.objections if o.illegal), None)
    refused = None
    if illegal and ctx.final.get("objections", {}).get(illegal.id) == "resolved":
        refused = ctx.first(
            lambda t: t.objection_before(illegal.id) == "pending" and t.objection_after(illegal.id) == "resolved"
        )
    finance_q = ctx.where(lambda t: t.has(*QUESTIONS) and ctx.says(t, "risk_question"))
    parades = ctx.where(lambda t: t.analysis.parade and t.has(*OFFERING))
    evidence = [refused, *finance_q[:1], *parades[:2]]
    legal_ok = refused is not None or illegal is None
    if legal_ok and len(parades) >= 2 and (finance_q or refused):
        refusal = " : condition illégale refusée" if refused else ""
        return Score.of(3, f"Risques client et affaire traités{refusal}, parades intégrées à l'offre.", evidence)
    if (refused or finance_q) and parades:
        return Score.of(2, "Risque identifié et parade proposée (acompte, financement, phasage...).", evidence)
    if refused or finance_q or parades:
        return Score.of(1, "Risque évoqué sans véritable parade.", evidence)
    return Score.of(0, "Le risque client et le risque affaire n'ont pas été abordés.")


@RULES("C1.1.2-a")
def preparation(ctx: Context) -> Score:
    """Préparer la négociation (objectifs, supports).

    0: improvisation visible, erreurs de prix; 1: objectif flou, supports absents; 2: objectif clair, supports cités;
    3: préparation exploitée tout au long (chiffres, références, concessions graduées).

    The objective is the agenda stated, supports are documents cited, figures are used in arguments; a
    price or a reference absent from the catalogue is the descriptor's « erreurs de prix » (level 0). A
    discount beyond the room for manoeuvre is not scored 0 here: the grid caps a criterion resting on a
    « remise non autorisée » at 1 (« plafonnent le critère concerné à 1 »), which the aggregation does
    (:func:`bot.assessment.rules.aggregate.invented_information`); experts grade such a learner « insuffisant ».
    """
    errors = catalogue_errors(ctx)
    agenda = ctx.first(lambda t: t.has(I.STATE_AGENDA))
    supports = ctx.where(lambda t: bool(t.analysis.supports))
    figures = ctx.where(lambda t: t.analysis.figures and t.has(*ARGUING, I.STATE_PRICE))
    if errors:
        return Score.of(0, "Prix ou références incohérents avec le catalogue : préparation insuffisante.", errors)
    if not ctx.turns:
        return Score.of(0, "Aucun message.")
    shown = [agenda, *supports[:1], *figures[:1]]
    if agenda and supports and len(figures) >= 3:
        return Score.of(
            3, "Objectif annoncé, supports cités et chiffres exacts utilisés tout au long de l'entretien.", shown
        )
    if agenda and (supports or figures):
        return Score.of(2, "Objectif clair et supports ou chiffres mobilisés.", shown)
    if agenda or supports or figures:
        return Score.of(1, "Préparation peu visible : objectif flou ou supports absents.", shown)
    return Score.of(0, "Aucune trace de préparation (objectif, supports, chiffres).")


def price_errors(ctx: Context) -> List[TurnRecord]:
    """Turns that name a reference absent from the catalogue, announce a unit price below the catalogue's,
    or promise beyond the room for manoeuvre (each noted as a negative finding)."""
    return catalogue_errors(ctx) + margin_breaches(ctx)


def margin_breaches(ctx: Context) -> List[TurnRecord]:
    """Turns that promised a discount beyond the room for manoeuvre (an invented, unauthorised term)."""
    if "beyond_margin" not in ctx.flags:
        return []
    return ctx.where(lambda t: t.flagged("beyond_margin"))


def catalogue_errors(ctx: Context) -> List[TurnRecord]:
    """Turns that name a reference absent from the catalogue or announce a unit price below the
    catalogue's (each noted as a negative finding): the preparation was visibly not done."""
    catalogue = ctx.scenario.catalogue
    bad = []
    for t in ctx.turns:
        if unknown_refs(ctx.scenario, t.text):
            ctx.note(t, "C1.1.2-a", "référence absente du catalogue", False)
            bad.append(t)
        elif t.intent == I.STATE_PRICE and t.analysis.amounts and not ctx.before_solution(t):
            products = ctx.products_in(t)
            if len(products) == 1 and len(t.analysis.amounts) == 1:
                price = next(p.price for p in catalogue if p.ref == products[0])
                amount = t.analysis.amounts[0]
                if price >= PRICE_CHECKED_FROM and abs(amount - price) > PRICE_TOLERANCE * price and amount < price:
                    ctx.note(t, "C1.1.2-a", f"prix annoncé {amount:g} € au lieu de {price:g} €", False)
                    bad.append(t)
    return bad
