"""Suivi et relation client (C1.2.4, C2) and communication (T-1).

Each rule quotes its line of ``data/assessment/rubric.yml`` (label and 0–3 scale), then says how
the learner's words and the client's reactions are read against it.
"""

from __future__ import annotations

from bot.assessment.rules.context import Context, RuleBook, Score
from bot.language.intents import Intent as I  # noqa: E741 - the short name of the lead's groups

RULES = RuleBook()

#: moves that can carry a dated measure of satisfaction
MEASURING = (I.PLAN_FOLLOW_UP, I.CHECK_SATISFACTION, I.SAY_GOODBYE, I.PROPOSE_ADDITIONAL_SALE)
#: moves that conclude with a plan (follow-up, add-on, recap, leave-taking)
PLANNING = (I.PLAN_FOLLOW_UP, I.PROPOSE_ADDITIONAL_SALE, I.SAY_GOODBYE, I.SUMMARIZE_DEAL)
#: moves where the client's future needs can come up
LOOKING_AHEAD = (*PLANNING, I.ASK_OPEN_QUESTION, I.ASK_CLOSED_QUESTION, I.INFORM, I.PRESENT_SOLUTION)
#: a message this long in one or two sentences is a wall of text
WALL_WORDS = 120


@RULES("C1.2.4-a")
def follow_up(ctx: Context) -> Score:
    """Exécuter et suivre le contrat (engagements de suivi, prise de congé).

    0: aucun engagement; 1: engagement vague; 2: étapes datées;
    3: plan de suivi complet, responsabilités et jalons clairs.

    Steps are follow-up moves (or a written, dated recap or leave-taking); complete means dated steps,
    a written confirmation and thanks at the leave-taking.
    """
    steps = ctx.where(
        lambda t: (
            t.has(I.PLAN_FOLLOW_UP)
            or (t.has(I.SAY_GOODBYE, I.SUMMARIZE_DEAL) and t.analysis.written and t.analysis.dated)
        )
    )
    if not steps:
        return Score.of(0, "Aucun engagement de suivi.")
    dated = [t for t in steps if t.analysis.dated]
    written = [t for t in steps if t.analysis.written]
    thanks = ctx.first(lambda t: t.has(I.SAY_GOODBYE) and t.analysis.thanks)
    if len(dated) >= 2 or (dated and written and thanks and len(steps) >= 2):
        return Score.of(
            3, "Plan de suivi complet : étapes datées, confirmation écrite, remerciements.", [*dated[:2], thanks]
        )
    if dated:
        return Score.of(2, "Prochaines étapes datées.", dated)
    return Score.of(1, "Engagement de suivi vague, sans date.", steps)


@RULES("C2.2-a")
def satisfaction(ctx: Context) -> Score:
    """Gérer la satisfaction (critères, mesure, insatisfactions, avenants).

    na: aucune occasion dans le scénario; 0: ignorée ou rejet de responsabilité; 1: excuse sans solution;
    2: insatisfaction qualifiée + solution; 3: solution + mesure de satisfaction + prévention.

    Outside a complaint (see ``readings.complaint_handling``): satisfaction checked, a dated measure
    (a call at D+30, a survey), a prevention action.
    """
    checks = ctx.where(lambda t: t.has(I.CHECK_SATISFACTION))
    measures = ctx.where(lambda t: t.analysis.measure and t.analysis.dated and t.has(*MEASURING))
    prevention = ctx.where(lambda t: ctx.says(t, "prevention"))
    if not checks and not measures:
        return Score.of(0, "La satisfaction du client n'a pas été vérifiée.")
    if checks and measures and prevention:
        return Score.of(
            3,
            "Satisfaction vérifiée, mesure datée proposée et action de prévention.",
            [checks[0], measures[0], prevention[0]],
        )
    if checks and measures:
        return Score.of(2, "Satisfaction vérifiée et mesure de suivi proposée.", [checks[0], measures[0]])
    return Score.of(1, "Satisfaction évoquée sans mesure ni suite.", checks or measures)


@RULES("C2.3-a")
def additional_sale(ctx: Context) -> Score:
    """Vente additionnelle / complémentaire créatrice de valeur.

    0: aucune; 1: proposition non justifiée ou intempestive; 2: complément pertinent;
    3: complément pertinent, valorisé (CA/marge) et accepté ou planifié.

    Timely means after the price or the agreement; relevant means an add-on of the catalogue;
    valued means with an amount or a benefit; the engine says whether the client accepted it.
    """
    sales = ctx.where(lambda t: t.has(I.PROPOSE_ADDITIONAL_SALE))
    if not sales:
        return Score.of(0, "Aucune vente complémentaire proposée.")
    timely = [t for t in sales if t.before.get("outcome") == "won" or t.before.get("price_stated")]
    add_ons = [p for p in ctx.scenario.catalogue if p.additional]
    relevant = [t for t in timely if ctx.products_in(t, add_ons)]
    valued = [t for t in relevant if t.analysis.amounts or t.analysis.benefit]
    if valued and valued[0].after.get("additional_sale"):
        return Score.of(3, "Complément pertinent du catalogue, valorisé et accepté au bon moment.", valued[:1])
    if relevant:
        return Score.of(2, "Complément pertinent proposé après l'accord principal.", relevant)
    return Score.of(1, "Vente complémentaire intempestive ou sans lien avec un besoin.", sales)


@RULES("C2.3-b")
def anticipation(ctx: Context) -> Score:
    """Anticiper les attentes et plan d'action individualisé.

    0: absent; 1: mention vague; 2: potentiel identifié + action;
    3: plan individualisé daté, lié au potentiel CA/marge du compte.

    The client's future needs (renewal, extension, projects) come up; the plan is a dated follow-up,
    add-on, recap or leave-taking.
    """
    future = ctx.where(lambda t: t.analysis.future and t.has(*LOOKING_AHEAD))
    if not future:
        return Score.of(0, "Aucune perspective sur les besoins futurs du client.")
    planned = [t for t in future if t.analysis.dated and t.has(*PLANNING)]
    if planned and len(future) >= 2:
        return Score.of(3, "Besoins futurs anticipés et plan d'action daté.", [future[0], planned[0]])
    if planned or len(future) >= 2:
        return Score.of(2, "Potentiel identifié et action proposée.", future)
    return Score.of(1, "Mention vague de l'avenir.", future)


@RULES("T-1")
def communication(ctx: Context) -> Score:
    """Communication écrite claire, vocabulaire technique approprié, réactivité.

    0: inadaptée; 1: compréhensible mais désorganisée ou imprécise; 2: claire et professionnelle;
    3: claire, précise, adaptée à l'interlocuteur, réactive.

    Register (« tu », familiar words), walls of text, the catalogue's technical terms, and how many
    messages the learner needed to adapt to the change of parameters. Hype without content (« les
    meilleurs du marché ») and spoken tics written down (« Bon, allez ») are the descriptor's « imprécise »
    and « désorganisée »: understandable, hence 1 and not 0, but not « professionnelle ».
    """
    if not ctx.turns:
        return Score.of(0, "Aucun message.")
    register = [t for t in ctx.turns if t.familiar]
    walls = [t for t in ctx.turns if t.analysis.words > WALL_WORDS and len(t.analysis.sentences) <= 2]
    share = len(register) / len(ctx.turns)
    change_turn = ctx.first(lambda t: t.became("change", "announced"))
    adapted_turn = ctx.first(lambda t: t.went("change", "announced", "adapted"))
    ignored = change_turn is not None and adapted_turn is None
    quick = False
    if change_turn is not None and adapted_turn is not None:
        quick = len([t for t in ctx.turns if change_turn.n < t.n <= adapted_turn.n]) <= 2
    average_words = sum(t.analysis.words for t in ctx.turns) / len(ctx.turns)
    technical = [t for t in ctx.turns if ctx.products_in(t)]
    if share >= 0.3 or len(register) >= 2:
        return Score.of(
            0, "Registre inadapté (tutoiement, familiarités) dans une grande partie des messages.", register
        )
    loose = [t for t in ctx.turns if t.analysis.empty_claims or t.analysis.oral_fillers]
    if register or walls or ignored or loose:
        reason = (
            "registre relâché"
            if register
            else "pavés peu structurés"
            if walls
            else "changement de paramètres ignoré"
            if ignored
            else "formules creuses ou tics de l'oral (« les meilleurs », « bon, allez »)"
        )
        evidence = register or walls or ([change_turn] if ignored else loose)
        return Score.of(1, f"Compréhensible mais imprécis : {reason}.", evidence)
    if quick and len(technical) >= 3 and average_words >= 10:
        return Score.of(
            3,
            "Messages clairs et professionnels, vocabulaire technique exact, réactivité au changement.",
            [adapted_turn, technical[0]],
        )
    return Score.of(2, "Communication claire et professionnelle.", technical[:1] or ctx.turns[:1])
