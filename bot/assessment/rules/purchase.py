"""Négociation d'achat (C4.1.1, the learner is the buyer: scenarios of ``kind: purchase``).

Each rule quotes its line of ``data/assessment/rubric.yml`` (label and 0–3 scale), then reads what the
salesperson engine recorded (:mod:`bot.engine.purchase`, the state's ``purchase``): the facts of the
offer revealed, the competitor quotes cited and whether their price was right, the concession steps
obtained and the counterparts given, the payment terms asked, the agreement and what its closing message
stated. One vocabulary: nothing here re-reads the learner's text.
"""

from __future__ import annotations

from typing import Any, Dict, List

from bot.assessment.rules.context import Context, RuleBook, Score, TurnRecord

RULES = RuleBook()


def _book(data: Dict[str, Any]) -> Dict[str, Any]:
    return data.get("purchase") or {}


def _turns_where(ctx: Context, key: str) -> List[TurnRecord]:
    """Turns after which the purchase memory ``key`` grew (a quote cited, a step obtained…)."""

    def grew(t: TurnRecord) -> bool:
        before, after = _book(t.before).get(key), _book(t.after).get(key)
        size = len if isinstance(after, list) else (lambda v: v or 0)
        return after is not None and size(after) > size(before if before is not None else type(after)())

    return ctx.where(grew)


@RULES("C4.1.1-a")
def compare_offers(ctx: Context) -> Score:
    """Analyser et comparer les offres au regard du cahier des charges.

    0: aucune vérification de l'offre ni comparaison; 1: vérification partielle, comparaison sans chiffres ou
    prix concurrent faux; 2: points clés vérifiés et devis concurrent cité avec son vrai prix; 3: offre vérifiée
    point par point au regard du cahier des charges et comparée à tous les devis, chiffres exacts.

    The key facts (``facts[].key``) are the must-haves of the specification the offer must meet; a quote
    cited at a wrong price (contested by the salesperson) discredits the comparison and caps at 1.
    """
    key = [f.id for f in ctx.scenario.facts if f.key]
    checked = [fid for fid in key if fid in ctx.revealed]
    cited = _book(ctx.final).get("cited") or []
    right = {c["quote"] for c in cited if c.get("right")}
    wrong = [c for c in cited if c.get("right") is False]
    asking = ctx.where(lambda t: bool(t.new_facts))
    citing = _turns_where(ctx, "cited")
    evidence = asking[:2] + citing[:1]
    if not checked and not cited:
        return Score.of(0, "Aucune vérification de l'offre au regard du cahier des charges, aucun devis comparé.")
    if wrong:
        return Score.of(1, "Un devis concurrent cité avec un prix faux : la comparaison perd sa crédibilité.", citing)
    if len(checked) == len(key) and len(right) >= 2:
        return Score.of(
            3, "Offre vérifiée point par point et comparée aux devis concurrents, chiffres exacts.", evidence
        )
    if len(checked) * 2 >= len(key) and right:
        return Score.of(2, "Points clés de l'offre vérifiés et devis concurrent cité avec son prix exact.", evidence)
    return Score.of(1, "Vérification partielle de l'offre ou comparaison sans chiffres.", evidence)


@RULES("C4.1.1-b")
def bargain(ctx: Context) -> Score:
    """Négocier les conditions d'achat (prix, délai, paiement) contre des contreparties, sans dépasser le prix
    maximum.

    0: aucune concession obtenue ou accord au-dessus du prix maximum; 1: une concession, ou des demandes
    répétées sans contrepartie; 2: concessions obtenues contre contreparties, dans le prix maximum; 3: prix
    cible atteint par paliers, chaque demande assortie d'une contrepartie, délai sécurisé.

    The engine counts the steps obtained (one per counterpart granted), the requests made without a
    counterpart, the price on the table and, when the change of parameters was a delivery issue, whether
    the buyer obtained a solution (``change``).
    """
    spec = ctx.scenario.purchase
    book = _book(ctx.final)
    agreement = book.get("agreement")
    price = (agreement or {}).get("price") or book.get("price") or spec.list_price
    steps, unilateral = book.get("steps", 0), book.get("unilateral", 0)
    conceded = _turns_where(ctx, "steps")
    if agreement and price > spec.max_price + 0.5:
        turn = ctx.first(lambda t: t.went("outcome", "open", "won"))
        return Score.of(0, "Accord conclu au-dessus du prix maximum fixé par la direction.", [turn])
    if steps == 0:
        return Score.of(0, "Aucune concession obtenue du vendeur.")
    if steps == 1 or unilateral > 2 or price > spec.max_price + 0.5:
        return Score.of(1, "Une concession obtenue, mais trop de demandes sans contrepartie ou prix encore trop haut.",
                        conceded)  # fmt: skip
    top = price <= spec.target_price + 0.5 or steps >= len(spec.steps)
    if top and unilateral <= 1 and ctx.final.get("change") != "announced":
        return Score.of(3, "Concessions obtenues palier par palier contre des contreparties, prix cible atteint, "
                        "délai sécurisé.", conceded)  # fmt: skip
    return Score.of(2, "Concessions obtenues contre des contreparties, dans la limite du prix maximum.", conceded)


@RULES("C4.1.1-c")
def conclude(ctx: Context) -> Score:
    """Conclure et formaliser l'accord d'achat dans le respect de la loi (délais de paiement), engagement écrit.

    0: aucun accord; 1: accord sans récapitulatif complet, ou délai de paiement illégal exigé; 2: prix, délai de
    livraison et paiement récapitulés; 3: récapitulatif complet dans la loi (60 jours date de facture ou 45
    jours fin de mois) et engagement écrit (bon de commande).

    The engine records the agreement and what the buyer's closing messages stated (price, delivery,
    payment, a document); a payment term beyond the law asked by the buyer (refused by the seller,
    ``illegal_terms``) caps at 1.
    """
    book = _book(ctx.final)
    agreement = book.get("agreement")
    won = ctx.first(lambda t: t.went("outcome", "open", "won"))
    illegal = bool(book.get("illegal_terms"))
    if not agreement:
        return Score.of(0, "Aucun accord d'achat conclu.")
    recap = agreement.get("recap") or {}
    stated = sum(1 for k in ("price", "delivery", "payment") if recap.get(k))
    if illegal:
        return Score.of(1, "Accord conclu, mais un délai de paiement illégal a été exigé en cours d'entretien.", [won])
    if stated == 3 and recap.get("written"):
        return Score.of(3, "Accord récapitulé (prix, livraison, paiement légal) et formalisé par un bon de commande.",
                        [won])  # fmt: skip
    if stated == 3:
        return Score.of(2, "Accord récapitulé (prix, livraison, paiement), engagement écrit à annoncer.", [won])
    return Score.of(1, "Accord conclu sans récapitulatif des conditions (délai, paiement).", [won])
