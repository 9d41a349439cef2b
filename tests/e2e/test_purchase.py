"""The role swap over REST (issue 16, C4.1.1): the learner buys, the bot sells. A good buyer gets an
agreement within his maximum price, recorded in the state; a poor one leaves without agreement."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from tests.e2e.test_negotiation import play_poor

pytestmark = pytest.mark.e2e
SCRIPT = yaml.safe_load(
    (Path(__file__).parent / "scripts_purchase" / "achat-chariots-biscuiterie.yml").read_text(encoding="utf-8")
)
SCENARIO = SCRIPT["scenario"]


def test_a_good_buyer_concludes_within_his_maximum_price(rasa_stack, library):
    sender = "purchase-good"
    start = rasa_stack.send(sender, f'/start_scenario{{"scenario_id": "{SCENARIO}"}}')
    assert "Fiche de préparation (achat)" in start[0]["custom"]["text"]
    assert "Cahier des charges" in start[0]["custom"]["text"]
    for text in SCRIPT["steps"]:
        rasa_stack.send(sender, text)
        if rasa_stack.state(sender)["change"] == "announced":
            rasa_stack.send(sender, SCRIPT["change"])
    state = rasa_stack.state(sender)
    assert state["change"] == "adapted"
    price = state["purchase"]["price"]
    spec = library.scenario(SCENARIO).purchase
    assert spec.floor_price <= price <= spec.max_price
    reply = rasa_stack.send(sender, SCRIPT["close"].format(price=f"{price:,.0f}".replace(",", " ")))
    state = rasa_stack.state(sender)
    assert state["outcome"] == "won", [m["custom"]["text"][:120] for m in reply]
    assert state["purchase"]["agreement"]["price"] == price
    assert state["purchase"]["agreement"]["counterparts"] == ["maintenance", "paiement_30", "reference"]
    names = {m["custom"]["name"] for m in reply if m["custom"]["speaker"] == "client"}
    assert names == {"Mme Nadia Berthelot"}
    debrief = rasa_stack.send(sender, "/request_debrief")[0]["custom"]["text"]
    assert "Affaire conclue" in debrief and "Votre négociation d'achat" in debrief
    assert "C4.1.1-b" in debrief and "C1.2.2-a" not in debrief  # a buyer is not graded as a seller


def test_a_poor_buyer_leaves_without_agreement(rasa_stack):
    sender = "purchase-poor"
    assert play_poor(rasa_stack, sender, SCENARIO, SCRIPT["poor"]) == "lost"
    state = rasa_stack.state(sender)
    assert state["purchase"]["agreement"] is None and state["purchase"]["illegal_terms"]
    assert state["purchase"]["steps"] == 0
