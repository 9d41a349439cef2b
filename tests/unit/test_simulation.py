"""The client persona, played move by move without Rasa (moves given as intents)."""

from __future__ import annotations

import pytest

from bot.engine import coach, simulation
from bot.engine.state import Move, SimulationState

SCENARIOS = ["cvc-ehpad", "info-cabinet", "agri-cuma", "air-plasturgie"]


class Player:
    """Drives one simulation and keeps what the client said."""

    def __init__(self, library, scenario_id: str, mode: str = "training"):
        self.library = library
        self.scenario = library.scenario(scenario_id)
        self.state: SimulationState = simulation.start(library, scenario_id, seed=7, mode=mode)
        self.events: list[str] = []
        self.client: list[str] = []
        self.coach: list[str] = []

    def play(self, intent: str, text: str = "", entities=None):
        reply = simulation.step(self.library, self.state, Move(intent, text, 0.99, entities or []))
        self.events += reply.events
        self.client += [u.text for u in reply.utterances if u.speaker == "client"]
        self.coach += [u.text for u in reply.utterances if u.speaker == "coach"]
        return reply

    def sim(self):
        return simulation.Simulation(self.library, self.state)

    def pending(self):
        return self.sim().pending_objection()


def play_good_negotiation(p: Player) -> None:
    """A learner who does everything the method asks, using the scenario's own words."""
    s = p.scenario
    p.play("greet", f"Bonjour {s.main_persona.name}")
    p.play("introduce_self", "Je suis Camille Martin, technico-commerciale, merci de me recevoir.")
    p.play("state_agenda", "Je vous propose de faire le point sur vos besoins puis une solution, cela vous va ?")
    for fact in s.facts:
        p.play("ask_open_question", f"Pouvez-vous me parler de {fact.label} ?")
    summary = " ".join(f.keywords[0] for f in s.facts if f.id in p.state.revealed)
    p.play("reformulate", f"Si je résume : {summary}. C'est bien cela ?")
    core = [prod for prod in s.catalogue if prod.core]
    p.play("present_solution", "Je vous propose " + ", ".join(prod.label for prod in core) + ".")
    p.play("state_price", f"L'ensemble revient à {sum(prod.price for prod in core):.0f} € HT.")
    for _ in range(30):
        if p.state.outcome != "open":
            break
        objection = p.pending()
        budget = p.sim().limits.budget_max
        if objection is not None and objection.condition == "over_budget":
            p.play("state_price", f"Je vous propose une version à {budget * 0.95:.0f} € HT, dans votre budget.")
        elif p.state.change == "announced":
            change = s.parameter_change
            p.play(change.adapted_by.moves[0], "Entendu, je m'adapte : " + " ".join(change.adapted_by.keywords))
        elif objection:
            p.play("acknowledge_objection", "Je comprends tout à fait votre remarque.")
            words = " ".join(objection.resolved_by.keywords)
            move = (
                "handle_objection"
                if "handle_objection" in objection.resolved_by.moves
                else objection.resolved_by.moves[0]
            )
            text = f"Justement : {words}."
            if objection.illegal:
                move, text = "handle_objection", f"Ce n'est pas possible, la loi l'interdit ; en revanche {words}."
            p.play(move, text)
        else:
            p.play("propose_close", "On valide la commande pour une installation à la date prévue ?")


@pytest.mark.parametrize("scenario_id", SCENARIOS)
def test_a_good_negotiation_is_won(library, scenario_id):
    p = Player(library, scenario_id)
    play_good_negotiation(p)
    assert p.state.outcome == "won", (p.state.outcome_reason, p.events[-12:], p.client[-4:])
    raised = [e for e in p.events if e.startswith("objection_raised:")]
    resolved = [e for e in p.events if e.startswith("objection_resolved:")]
    assert len(raised) >= 3 and len(resolved) == len(raised)
    assert "parameter_change" in p.events and "change_adapted" in p.events
    assert any(e.startswith("fact_revealed:") for e in p.events)
    # objections only after the proposal and the price
    first_objection = p.events.index(raised[0])
    assert p.events.index("solution_presented") < first_objection
    # never the same client line twice in a row
    assert all(a != b for a, b in zip(p.client, p.client[1:], strict=False))
    p.play("summarize_deal", "Récapitulatif de la commande.")
    p.play("plan_follow_up", "Je vous envoie le devis ce soir.")
    p.play("say_goodbye", "Merci, au revoir.")
    assert p.state.ended and p.state.phase == "leave_taking"


@pytest.mark.parametrize("scenario_id", SCENARIOS)
def test_a_poor_negotiation_is_lost(library, scenario_id):
    p = Player(library, scenario_id)
    s = p.scenario
    p.play("present_solution", f"Salut, j'ai un super {s.catalogue[0].label} à vous vendre !")
    assert "premature_argument" in p.state.flags
    p.play("state_price", "C'est pas cher, 10 000 euros.")
    p.play("denigrate_competitor", "Les autres vendeurs, c'est de la camelote.")
    for _ in range(6):
        if p.state.outcome != "open":
            break
        p.play("propose_close", "Bon, vous signez ?")
    assert p.state.outcome == "lost"
    assert p.state.ended


def test_facts_are_revealed_only_when_asked_and_more_to_open_questions(library):
    p = Player(library, "air-plasturgie")
    p.play("greet", "Bonjour Monsieur Garnier")
    assert not p.state.revealed
    budget = next(f for f in p.scenario.facts if f.topic == "budget" or "budget" in f.id)
    p.play("ask_closed_question", "Vous avez un budget ?", [{"entity": "topic", "value": "budget"}])
    assert p.state.revealed.get(budget.id) == "partial"
    assert any(text[1:] in p.client[-1] for text in budget.closed)  # one of the variants, whichever drawn
    p.play("ask_open_question", "Comment se décide le budget chez vous ?", [{"entity": "topic", "value": "budget"}])
    assert p.state.revealed.get(budget.id) == "full"
    assert any(text[1:] in p.client[-1] for text in budget.open)


def test_arguing_before_discovery_cools_the_client_and_the_coach_says_so(library):
    p = Player(library, "cvc-ehpad")
    p.play("greet", "Bonjour Monsieur Benali")
    warmth = p.state.warmth
    p.play("argue_benefit", "Nos pompes à chaleur sont les meilleures du marché.")
    assert p.state.warmth < warmth
    assert any("avant d'avoir découvert" in c for c in p.coach)


def test_exam_mode_has_no_nudges_and_no_hints(library):
    p = Player(library, "cvc-ehpad", mode="exam")
    p.play("argue_benefit", "Nos pompes à chaleur sont les meilleures du marché.")
    assert "premature_argument" in p.state.flags
    assert p.coach == []


def test_reformulation_confirmed_or_corrected(library):
    p = Player(library, "info-cabinet")
    p.play("reformulate", "Si je comprends bien vous voulez des portables ?")
    assert "reformulation_confirmed" not in p.events  # nothing was said yet
    facts = p.scenario.facts[:3]
    for fact in facts:
        p.play("ask_open_question", f"Parlez-moi de {fact.label} ?")
    revealed = [f for f in p.scenario.facts if f.id in p.state.revealed]
    p.play("reformulate", "Si je résume : " + ", ".join(f.keywords[0] for f in revealed) + ", c'est bien ça ?")
    assert "reformulation_confirmed" in p.events
    p.play("reformulate", "Donc en gros vous aimez le golf, c'est ça ?")
    assert p.events[-1] == "reformulation_wrong"


def test_illegal_payment_term_accepted_is_flagged(library):
    p = Player(library, "air-plasturgie")
    illegal = next(o for o in p.scenario.objections if o.illegal)
    p.state.objections[illegal.id] = "pending"
    p.state.current_objection = illegal.id
    p.play("affirm", "D'accord pour 90 jours, pas de souci.")
    assert "illegal_accepted" in p.state.flags
    assert p.state.objections[illegal.id] == "conceded"
    assert any("illégal" in c for c in p.coach)


def test_unilateral_concession_beyond_margin(library):
    p = Player(library, "air-plasturgie")
    p.play("offer_concession", "Allez, je vous fais 15 % de remise.")
    assert {"unilateral_concession", "beyond_margin"} <= set(p.state.flags)
    p2 = Player(library, "air-plasturgie")
    p2.play("offer_concession", "Si vous signez avant le 15, je vous offre l'audit fuites.")
    assert "unilateral_concession" not in p2.state.flags


def test_outcome_does_not_depend_on_turn_count(library):
    """Chatting politely for a long time neither wins nor loses the deal."""
    p = Player(library, "agri-cuma")
    p.play("greet", "Bonjour Monsieur Pasquier")
    for _ in range(40):
        p.play("affirm", "d'accord")
    assert p.state.outcome == "open"


def test_hint_follows_the_phase(library):
    p = Player(library, "cvc-ehpad")
    scenario = p.scenario
    assert "saluer" in coach.hint(library, scenario, p.state)
    p.play("greet", "Bonjour")
    p.play("introduce_self", "Je suis Paul de Climatherm")
    assert "question ouverte" in coach.hint(library, scenario, p.state)


def test_state_round_trips_through_json(library):
    import json

    p = Player(library, "info-cabinet")
    p.play("greet", "Bonjour Madame Fontaine")
    data = json.loads(json.dumps(p.state.to_dict()))
    assert SimulationState.from_dict(data) == p.state


def test_briefing_shows_what_the_learner_needs(library):
    text = coach.briefing(library.scenario("air-plasturgie"))
    for part in ("Fiche de préparation", "Vous êtes", "Vos objectifs", "marge de manœuvre", "VSD-45", "29\u202f800"):
        assert part in text
