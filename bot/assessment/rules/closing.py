"""Conclusion et formalisation (C1.2.3): closing on the buying signals, formalising the agreement.

Each rule quotes its line of ``data/assessment/rubric.yml`` (label and 0–3 scale), then says how
the learner's words and the client's reactions are read against it.
"""

from __future__ import annotations

from bot.assessment.rules.context import Context, RuleBook, Score, TurnRecord
from bot.language.intents import Intent as I  # noqa: E741 - the short name of the lead's groups

RULES = RuleBook()


@RULES("C1.2.3-a")
def closing(ctx: Context) -> Score:
    """Repérer les signes d'acceptation et conclure.

    0: signaux ignorés, pas de conclusion; 1: conclusion tardive ou forcée; 2: conclusion au bon moment;
    3: signaux exploités, technique adaptée au profil et au circuit de décision, engagement obtenu.

    The client gives buying signals (engine state); a close right after one exploits it; the deal
    is won when the client agrees. TS needs the close that exploits the signal to be a technique (an
    alternative or a conditional close), not a weak verbal formula (« Alors, on part là-dessus ? »).
    """
    closes = ctx.where(lambda t: t.has(I.PROPOSE_CLOSE))
    if not closes:
        return Score.of(0, "Aucune tentative de conclusion.")
    signals = ctx.where(lambda t: t.grew("signals_given"))
    exploited = [t for t in closes if t.before.get("signal_pending")]
    failed = ctx.final.get("failed_closes", 0)
    won = ctx.first(lambda t: t.went("outcome", "open", "won"))
    technique = [t for t in exploited if real_close(ctx, t)]
    if ctx.won and failed == 0 and technique:
        return Score.of(
            3, "Signes d'achat saisis, technique de conclusion adaptée, engagement obtenu.", [technique[0], won]
        )
    if ctx.won and failed <= 1:
        weak = [t for t in exploited if weak_close(ctx, t)]
        if weak:
            return Score.of(
                2, "Conclusion au bon moment, mais par une formule générique plutôt qu'une technique.", [weak[0], won]
            )
        return Score.of(2, "Conclusion au bon moment.", [won])
    if signals and not exploited:
        return Score.of(1, "Conclusion forcée ou tardive : les signes d'achat n'ont pas été exploités.", closes)
    return Score.of(1, "Conclusion tentée trop tôt ou de façon forcée.", closes)


def dated_signing(ctx: Context, turn: TurnRecord) -> bool:
    """The message asks for a signature at a date (« signer l'avenant vendredi 30 janvier »)."""
    return ctx.says(turn, "signing") and turn.analysis.dated


def weak_close(ctx: Context, turn: TurnRecord) -> bool:
    """A generic formula asking for a yes (``weak_close``) without a dated signature.

    « Alors, on part là-dessus ? » closes, but is no technique; « Je vous propose de signer l'avenant
    vendredi 30 janvier : on valide ? » commits the client to a dated act and is a real close.
    """
    return ctx.says(turn, "weak_close") and not dated_signing(ctx, turn)


def real_close(ctx: Context, turn: TurnRecord) -> bool:
    """A closing technique: an alternative, a dated signature, or a conditional close that is not a weak formula."""
    if "alternative" in turn.analysis.question_types or dated_signing(ctx, turn):
        return True
    return ctx.says(turn, "close_technique") and not weak_close(ctx, turn)


@RULES("C1.2.3-b")
def formalisation(ctx: Context) -> Score:
    """Formaliser la solution dans toutes ses composantes.

    0: aucune formalisation; 1: prix seul; 2: composantes principales (technique, prix, délai, paiement);
    3: toutes les composantes (logistique, services) + document + date de signature.

    The best recap of the session is read: references, amounts, payment, delivery, services,
    validity, the contractual document and a date.
    """
    recap = ctx.where(
        lambda t: (
            t.has(I.SUMMARIZE_DEAL)
            or (t.has(I.PROPOSE_CLOSE, I.PLAN_FOLLOW_UP) and bool(t.analysis.amounts) and t.analysis.payment)
        )
    )
    if not recap:
        return Score.of(0, "Aucune formalisation de l'accord.")

    def components(t: TurnRecord) -> int:
        a = t.analysis
        named = bool(ctx.products_in(t)) or bool(a.refs)
        return sum([named, bool(a.amounts), a.payment, a.delivery, a.services, a.validity, a.document, a.dated])

    best = max(recap, key=components)
    count = components(best)
    if count >= 6 and best.analysis.document and best.analysis.dated:
        return Score.of(
            3, "Récapitulatif complet : références, prix, paiement, délais, services, document et date.", [best]
        )
    if count >= 4 and best.analysis.amounts and (best.analysis.payment or best.analysis.delivery):
        return Score.of(2, "Récapitulatif des composantes principales (technique, prix, délai, paiement).", [best])
    return Score.of(1, "Formalisation réduite au prix ou à un accord vague.", [best])
