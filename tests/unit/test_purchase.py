"""The salesperson of a purchase (kind: purchase, C4.1.1): the learner buys, the bot sells.

She concedes only against a counterpart, never below her floor, contests a competitor's quote cited at a
wrong price, refuses a payment term beyond the law, and the outcome follows from what the buyer did.
"""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from bot.engine import simulation
from bot.engine.coach import briefing
from bot.engine.scenario import Purchase
from bot.engine.state import Move

SCENARIO = "achat-chariots-biscuiterie"
OPENING = [
    ("greet", "Bonjour Madame Berthelot, je suis Camille Le Bris, acheteuse à la Biscuiterie Guillou."),
    ("ask_open_question", "Quel est votre délai de livraison et quand pourriez-vous mettre les chariots en service ?"),
]
MAINTENANCE = ("offer_concession", "Si nous prenons votre contrat de maintenance préventive sur trois ans, que pouvez-vous faire sur le prix ?")  # fmt: skip
PAY_30 = ("offer_concession", "Nous pouvons vous payer à 30 jours date de facture, quel effort faites-vous ?")
REFERENCE = (
    "offer_concession",
    "Si nous servons de site de référence avec une visite de notre entrepôt, vous descendez ?",
)
GERBEURS = ("offer_concession", "Et si nous ajoutons les deux gerbeurs à la commande, pouvez-vous faire 150 000 € ?")
SIGNATURE = (
    "offer_concession",
    "Si la directrice signe le bon de commande avant le 27 novembre, vous faites un geste ?",
)
ADAPT = ("inform", "Il nous faut alors deux chariots de prêt dès le 1er février et des pénalités de retard.")
CLOSE = ("summarize_deal", "C'est d'accord : {price} € HT, mise en service mi-février avec deux chariots prêtés, paiement à 30 jours date de facture. Je vous envoie le bon de commande signé.")  # fmt: skip


def play(library, turns, level="standard", seed=3):
    state = simulation.start(library, SCENARIO, seed=seed, level=level)
    replies = [simulation.step(library, state, Move(intent, text)) for intent, text in turns]
    return state, replies


def said(reply) -> str:
    return " ".join(u.text for u in reply.utterances if u.speaker == "client").replace("\u202f", " ")


def test_no_concession_without_a_counterpart(library):
    spec = library.scenario(SCENARIO).purchase
    state, replies = play(library, OPENING + [
        ("inform", "Votre prix est trop élevé, faites un effort."),
        ("inform", "Baissez votre prix, je vous propose 190 000 €."),
    ])  # fmt: skip
    assert state.purchase["price"] == spec.list_price and state.purchase["steps"] == 0
    assert state.purchase["unilateral"] == 2
    assert "price_without_counterpart" in state.flags
    assert "211 200" in said(replies[-2])  # she holds her price and asks for something in return
    assert any(c.id in state.purchase["asked"] for c in spec.counterparts)


def test_each_counterpart_buys_one_step_and_the_floor_is_never_crossed(library):
    spec = library.scenario(SCENARIO).purchase
    state, replies = play(library, OPENING + [MAINTENANCE, ADAPT, PAY_30, REFERENCE, SIGNATURE, GERBEURS])
    prices = [spec.steps[0], spec.steps[1], spec.steps[2], spec.steps[3]]
    assert state.purchase["steps"] == len(spec.steps)
    assert state.purchase["price"] == spec.floor_price == prices[-1]
    assert "193 200" in said(replies[-2])
    # a fifth counterpart and a price far below the floor: she stays at her last price
    assert state.purchase["price"] >= spec.floor_price
    assert "dernier prix" in said(replies[-1]) or "plus loin" in said(replies[-1])


def test_a_proposal_within_a_step_is_taken_as_is(library):
    spec = library.scenario(SCENARIO).purchase
    state, _ = play(library, OPENING + [
        ("offer_concession", "Si nous prenons le contrat de maintenance préventive sur trois ans, vous faites 208 000 € HT ?"),
    ])  # fmt: skip
    assert spec.steps[0] <= state.purchase["price"] == 208000 < spec.list_price


def test_the_exam_level_grants_fewer_steps(library):
    spec = library.version(SCENARIO, "examen", 0).purchase
    state, _ = play(library, OPENING + [MAINTENANCE, ADAPT, PAY_30, REFERENCE, SIGNATURE], level="examen")
    assert len(spec.steps) == 3
    assert state.purchase["price"] == spec.steps[-1] > library.scenario(SCENARIO).purchase.floor_price


def test_the_discovery_level_has_no_shortage_and_the_exam_a_time_budget(library):
    state, _ = play(library, OPENING + [MAINTENANCE, PAY_30], level="decouverte")
    assert state.purchase["steps"] == 2 and state.change == "none"
    assert library.version(SCENARIO, "examen", 0).time_budget is not None
    assert library.version(SCENARIO, "standard", 0).time_budget is None


def test_an_illegal_payment_term_is_refused(library):
    state, replies = play(library, OPENING + [("inform", "Chez nous, c'est un paiement à 90 jours, c'est la règle.")])
    assert state.purchase["illegal_terms"] == ["90 jours"]
    assert state.purchase["payment"] is None
    assert "L441-10" in said(replies[-1])
    state, _ = play(library, OPENING + [("inform", "Nous réglons à 45 jours fin de mois.")])
    assert state.purchase["payment"]["label"] == "45 jours fin de mois" and not state.purchase["illegal_terms"]


def test_a_quote_cited_at_a_wrong_price_is_contested_and_a_right_one_rebutted(library):
    state, replies = play(library, OPENING + [("inform", "Armor Services nous fait les six chariots à 150 000 € HT.")])
    assert state.purchase["cited"][0]["right"] is False and "quote_misquoted" in state.flags
    assert "douter" in said(replies[-1]) or "étonnerait" in said(replies[-1])
    turns = OPENING + [("inform", "Armor Services est à 186 000 € HT et Logimat Bretagne à 36 600 € le chariot.")]
    state, replies = play(library, turns)
    assert [(c["quote"], c["right"]) for c in state.purchase["cited"]] == [("armor", True), ("logimat", True)]
    assert "4,50 m" in said(replies[-1])


def test_the_won_path_records_the_agreement(library):
    spec = library.scenario(SCENARIO).purchase
    turns = OPENING + [MAINTENANCE, ADAPT, PAY_30]
    state, _ = play(library, turns)
    price = state.purchase["price"]
    close = (CLOSE[0], CLOSE[1].format(price=f"{price:,.0f}".replace(",", " ")))
    state, replies = play(library, turns + [close])
    agreement = state.purchase["agreement"]
    assert state.outcome == "won" and agreement["price"] == spec.steps[1]
    assert agreement["counterparts"] == ["maintenance", "paiement_30"]
    assert agreement["recap"] == {"price": True, "delivery": True, "payment": True, "written": True}
    assert "prêtés" in agreement["delivery"]  # the delivery as the adapted change left it
    assert agreement["payment"] == "30 jours"


def test_a_close_on_a_price_she_never_gave_is_refused(library):
    state, replies = play(library, OPENING + [MAINTENANCE, ("summarize_deal", "D'accord, on part sur 180 000 € HT, je vous envoie le bon de commande.")])  # fmt: skip
    assert state.outcome == "open" and state.purchase["agreement"] is None
    assert "206 400" in said(replies[-1])


def test_the_lost_paths(library):
    state, _ = play(library, OPENING + [("say_goodbye", "Merci, nous allons réfléchir. Au revoir.")])
    assert state.outcome == "lost" and state.purchase["agreement"] is None
    pushy = [
        ("inform", "Baissez votre prix."),
        ("inform", "Faites un effort."),
        ("inform", "Encore trop cher, baissez."),
    ]
    state, _ = play(library, OPENING + pushy * 3)
    assert state.outcome == "lost" and "vendeuse" in state.outcome_reason


def test_the_hint_follows_the_buyer(library):
    from bot.engine.coach import hint

    state, _ = play(library, OPENING[:1])
    advice = hint(library, library.scenario(SCENARIO), state)
    assert "délai" in advice or "cahier" in advice
    state, _ = play(library, OPENING + [MAINTENANCE])
    assert state.change == "announced"
    assert hint(library, library.scenario(SCENARIO), state) == library.scenario(SCENARIO).parameter_change.hint


def test_variants_draw_another_floor_with_the_same_brief(library):
    floors = {library.version(SCENARIO, "standard", v).purchase.floor_price for v in range(1, 8)}
    assert len(floors) > 1  # another attempt meets a salesperson with another floor
    for v in (0, 3):
        version = library.version(SCENARIO, "standard", v)
        assert version.purchase.list_price == 211200 and version.purchase.max_price == 204000
        assert version.purchase.steps[-1] == version.purchase.floor_price


def test_the_preparation_sheet_is_the_buyers_brief_and_hides_the_floor(library):
    text = briefing(library.scenario(SCENARIO))
    assert "acheteur" in text and "Cahier des charges" in text and "Comparaison des devis" in text
    assert "204 000" in text and "196 000" in text and "Manutention Armor Services" in text
    for hidden in ("193 200", "197 400", "201 600", "206 400"):
        assert hidden not in text


def test_the_purchase_block_is_validated():
    base = dict(
        specification=[{"id": "a", "label": "A"}, {"id": "b", "label": "B"}],
        quotes=[
            {"id": "x", "supplier": "X", "price": 100, "delivery": "d", "payment": "p", "warranty": "w", "keywords": ["x"], "ours": True},
            {"id": "y", "supplier": "Y", "price": 90, "delivery": "d", "payment": "p", "warranty": "w", "keywords": ["y"], "misses": ["a"]},
        ],
        list_price=100, floor_price=80, target_price=85, max_price=95, steps=[95, 80], payment_days=60,
        counterparts=[{"id": "c", "label": "c", "keywords": ["c"], "ask": "?"}, {"id": "d", "label": "d", "keywords": ["d"], "ask": "?"}],
    )  # fmt: skip
    Purchase.parse_obj(base)
    for broken in ({"steps": [95, 70]}, {"steps": [90, 95]}, {"list_price": 120}, {"target_price": 99},
                   {"counterparts": base["counterparts"][:1]}):  # fmt: skip
        with pytest.raises(ValidationError):
            Purchase.parse_obj({**base, **broken})
