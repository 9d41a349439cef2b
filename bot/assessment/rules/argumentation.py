"""Argumentation et objections (C1.2.2): the solution, the arguments, the objections, the negotiation.

Each rule quotes its line of ``data/assessment/rubric.yml`` (label and 0–3 scale), then says how
the learner's words and the client's reactions are read against it. Objections and concessions are
read from the engine state: the client, not a word count, decides whether an objection is lifted.
"""

from __future__ import annotations

from bot.assessment.rules.context import Context, RuleBook, Score
from bot.language.intents import Intent as I  # noqa: E741 - the short name of the lead's groups
from bot.language.text import any_keyword

RULES = RuleBook()

#: moves that carry an argument
ARGUING = (I.ARGUE_BENEFIT, I.HANDLE_OBJECTION, I.PRESENT_SOLUTION)
#: moves that can carry an alternative offer with its figures
OFFERING = (I.PRESENT_SOLUTION, I.STATE_PRICE, I.HANDLE_OBJECTION, I.OFFER_CONCESSION, I.INFORM, I.ARGUE_BENEFIT)


@RULES("C1.2.2-a")
def solution(ctx: Context) -> Score:
    """Élaborer et présenter une solution adaptée (avec alternative).

    0: pas de solution ou inadaptée; 1: produit cité sans lien aux besoins; 2: solution adaptée et complète;
    3: solution sur-mesure + alternative chiffrée, liens explicites besoins → options.

    Adapted means the client took it as a solution (after enough discovery) and it names a core
    product of the catalogue; the alternative comes with figures (another option, a phasing, buying or
    renting, a solution revised after the change of parameters).
    """
    presented = ctx.where(lambda t: t.has(I.PRESENT_SOLUTION))
    if not presented:
        return Score.of(0, "Aucune solution présentée.")
    fit = ctx.solution_turn
    if not fit:
        return Score.of(1, "Produit cité sans lien avec des besoins découverts.", presented)
    named = set(ctx.final.get("products", []))
    core_named = any(p.ref in named for p in ctx.scenario.catalogue if p.core)
    alternative = ctx.first(
        lambda t: (
            t.n >= fit.n
            and bool(t.analysis.amounts)
            and (
                t.analysis.alternative
                or ctx.says(t, "phased_offer")
                or len(ctx.products_in(t)) >= 2
                and ctx.says(t, "either_or")
                or t.went("change", "announced", "adapted")
            )
            and t.has(*OFFERING)
        )
    )
    linked = fit.analysis.need_link or any(
        any_keyword(fit.normalized, f.keywords) for f in ctx.revealed.values() if f.need
    )
    if core_named and alternative and linked:
        return Score.of(
            3,
            "Solution sur mesure du catalogue, reliée aux besoins, avec une alternative chiffrée.",
            [fit, alternative],
        )
    if core_named:
        return Score.of(2, "Solution adaptée, avec les références du catalogue.", [fit])
    return Score.of(1, "Solution présentée sans références précises du catalogue.", [fit])


@RULES("C1.2.2-b")
def arguments(ctx: Context) -> Score:
    """Argumenter (CAP/CAB-SONCAS, preuves, vocabulaire technique).

    0: aucun argument; 1: caractéristiques listées; 2: arguments CAP liés aux besoins;
    3: arguments ciblés SONCAS, prouvés, chiffrés, avec contrôle d'adhésion.

    A CAP argument joins an advantage (or a link to a need) to a benefit (or a proof); it is grounded
    when it comes after the solution, proved with figures, and checked by a control question.
    Level 1 is « caractéristiques listées »: a learner who named the catalogue's offer without turning it
    into an advantage attempted the argument badly, even when the message reads as a pitch rather than an
    argument; 0 is kept for a meeting where no product of the offer was presented at all (a bare price
    is not a characteristic listed).
    """
    args = ctx.where(lambda t: t.has(*ARGUING) and not ctx.before_solution(t))
    args += ctx.where(lambda t: t.has(I.ARGUE_BENEFIT) and ctx.before_solution(t))
    listed = ctx.where(lambda t: bool(ctx.products_in(t)))
    if not args:
        if listed:
            return Score.of(
                1, "Offre présentée par ses caractéristiques, sans avantage ni bénéfice pour le client.", listed
            )
        return Score.of(0, "Aucun argument.")
    cap = [
        t for t in args if (t.analysis.advantage or t.analysis.need_link) and (t.analysis.benefit or t.analysis.proof)
    ]
    proved = [t for t in cap if t.analysis.proof and t.analysis.figures]
    checks = ctx.where(lambda t: t.has(I.CHECK_AGREEMENT) or t.analysis.check_question)
    for t in cap[:3]:
        ctx.note(t, "C1.2.2-b", "argument caractéristique → avantage → bénéfice/preuve")
    if len(cap) >= 2 and proved and checks and "premature_argument" not in ctx.flags:
        return Score.of(
            3, "Arguments CAP ciblés, chiffrés et prouvés, avec contrôle d'adhésion.", [*proved[:2], checks[0]]
        )
    grounded = [t for t in cap if not ctx.before_solution(t)]
    if grounded:
        return Score.of(2, "Arguments reliant caractéristiques, avantages et bénéfices client.", grounded)
    features = [t for t in args if t.analysis.figures or ctx.products_in(t)] or listed
    if features or cap:
        return Score.of(1, "Caractéristiques listées ou arguments avancés avant la découverte.", features or cap)
    return Score.of(0, "Aucun argument réel : des affirmations sans caractéristique, bénéfice ni preuve.", args)


@RULES("C1.2.2-c")
def objections(ctx: Context) -> Score:
    """Écouter, analyser et traiter les objections.

    0: objection ignorée, contredite ou concession immédiate; 1: réponse générique sans clarification;
    2: technique adaptée à la plupart des objections;
    3: chaque objection qualifiée, traitée par la bonne technique et vérifiée ; prétextes démasqués.

    The client says which objections were raised and lifted; an objection is welcomed when the learner
    acknowledged it, contradicted by a bare « no », given away by a concession with no counterpart.
    """
    if not ctx.raised:
        if not ctx.final.get("price_stated"):
            return Score.of(0, "La phase des objections n'a pas été atteinte.")
        return Score.of(2, "Objections anticipées : aucune n'a eu besoin d'être soulevée.")
    statuses = ctx.final.get("objections", {})
    resolved = [o for o in ctx.raised if statuses.get(o.id) == "resolved"]
    conceded = [o for o in ctx.raised if statuses.get(o.id) == "conceded"]
    ack_turns = ctx.where(lambda t: t.has(I.ACKNOWLEDGE_OBJECTION) and t.current_objection)
    # welcomed: qualified by the client, or « je comprends… » said while it was open (accueilli et traité d'un trait)
    acknowledged = set(ctx.final.get("acknowledged", [])) | {t.current_objection for t in ack_turns}
    handled_turns = ctx.where(
        lambda t: (
            t.current_objection
            and t.objection_before(t.current_objection) == "pending"
            and t.objection_after(t.current_objection) in ("resolved", "conceded")
        )
    )
    for t in handled_turns[:4]:
        ctx.note(t, "C1.2.2-c", "objection levée")
    ratio = len(resolved) / len(ctx.raised)
    checks = ctx.where(
        lambda t: (
            t.analysis.check_question
            and t.changed("objections")
            or (t.has(I.CHECK_AGREEMENT) and any(t.objection_before(o.id) == "resolved" for o in ctx.raised))
        )
    )
    evidence = [*ack_turns[:1], *handled_turns[:2]]
    if not resolved or conceded and ratio < 0.5:
        return Score.of(
            0,
            "Objections ignorées, contredites ou concédées sans traitement.",
            ack_turns or handled_turns or ctx.turns[-1:],
        )
    contradicted = ctx.where(
        lambda t: (
            t.current_objection
            and t.intent == I.DENY
            and not t.analysis.parade
            and t.objection_after(t.current_objection) == "pending"
        )
    )
    immediate = ctx.where(
        lambda t: (
            t.current_objection
            and t.has(I.OFFER_CONCESSION)
            and t.current_objection not in acknowledged
            and not (t.after.get("concessions") or [{}])[-1].get("trade", True)
        )
    )
    if (contradicted or immediate) and ratio < 1:
        return Score.of(0, "Objection contredite ou cédée par une concession immédiate.", contradicted + immediate)
    if not acknowledged and ratio < 1:
        return Score.of(1, "Réponses sans accueil ni clarification de l'objection.", evidence)
    if ratio == 1 and len(acknowledged) >= max(1, len(ctx.raised) // 2) and (checks or len(ctx.raised) <= 2):
        return Score.of(
            3, "Chaque objection accueillie, qualifiée, traitée par une technique adaptée et levée.", evidence
        )
    if ratio >= 0.6:
        return Score.of(2, "Technique adaptée pour la plupart des objections.", evidence)
    return Score.of(1, "Réponses génériques : plusieurs objections restent ouvertes.", evidence)


@RULES("C1.2.2-d")
def negotiation(ctx: Context) -> Score:
    """Négocier et réévaluer la solution en intégrant les objections.

    0: concessions unilatérales ou hors marge; 1: concession avec contrepartie floue;
    2: échange donnant-donnant dans la marge; 3: solution réévaluée créative, marge défendue, accord gagnant-gagnant.

    The engine records each concession (traded for a counterpart or not, beyond the margin or not) and
    whether the solution was revised after the change of parameters.
    """
    concessions = ctx.final.get("concessions", [])
    turns_c = ctx.where(lambda t: t.has(I.OFFER_CONCESSION) or t.grew("concessions"))
    beyond = [c for c in concessions if c.get("beyond")]
    unilateral = [c for c in concessions if not c.get("trade")]
    adapted = ctx.final.get("change") == "adapted"
    if beyond:
        return Score.of(0, "Concession hors de la marge de manœuvre autorisée.", turns_c)
    if unilateral and len(unilateral) >= len(concessions) / 2 and concessions:
        return Score.of(0, "Concessions unilatérales, sans contrepartie.", turns_c)
    if not ctx.final.get("price_stated"):
        return Score.of(0, "La négociation des conditions n'a pas été atteinte.")
    if concessions:
        pcts = [c.get("percent") for c in concessions if c.get("percent") is not None]
        decreasing = all(a >= b for a, b in zip(pcts, pcts[1:], strict=False))
        if adapted and decreasing and (ctx.won or len(concessions) <= 2):
            return Score.of(3, "Concessions données contre contreparties, dans la marge, solution réévaluée.", turns_c)
        if unilateral:
            return Score.of(1, "Concession avec une contrepartie floue.", turns_c)
        return Score.of(2, "Échange donnant-donnant dans la marge.", turns_c)
    adapted_turn = ctx.first(lambda t: t.went("change", "announced", "adapted"))
    if adapted and ctx.won:
        return Score.of(3, "Marge défendue sans concession, solution réévaluée après le changement.", [adapted_turn])
    if adapted or ctx.won:
        return Score.of(2, "Marge défendue ; solution maintenue ou réévaluée.", [adapted_turn])
    return Score.of(1, "Solution non réévaluée malgré les objections.")
