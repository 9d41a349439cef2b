"""The client understands, remembers and counts (issue 11): one test per behaviour, played move by move.

Moves are given as the NLU would label them; the engine reads the words (bot.language.understanding).
"""

from __future__ import annotations

import pytest

from bot.engine import simulation
from bot.engine.routing import client_move
from bot.engine.state import Move


class Meeting:
    def __init__(self, library, scenario_id: str, seed: int = 3):
        self.library = library
        self.scenario = library.scenario(scenario_id)
        self.state = simulation.start(library, scenario_id, seed=seed)
        self.events: list[str] = []
        self.last = None

    def say(self, intent: str, text: str):
        self.last = simulation.step(self.library, self.state, Move(intent, text, 0.95))
        self.events += self.last.events
        return self.last

    @property
    def client(self) -> str:
        return " ".join(u.text for u in self.last.utterances if u.speaker == "client")

    @property
    def coach(self) -> str:
        return " ".join(u.text for u in self.last.utterances if u.speaker == "coach")

    def ask(self, *questions: str, intent: str = "ask_closed_question"):
        """Several discovery questions in a row (a meeting brought to a point of the scenario)."""
        for question in questions:
            self.say(intent, question)
        return self.last

    def answered(self) -> set[str]:
        prefixes = ("fact_revealed:", "fact_deepened:", "fact_repeated:")
        return {e.split(":", 1)[1] for e in self.last.events if e.startswith(prefixes)}

    def open_meeting(self):
        self.say("greet", f"Bonjour {self.scenario.main_persona.name}")
        self.say("introduce_self", "Je suis Camille Martin, technico-commerciale, merci de me recevoir.")
        return self


# ------------------------------------------------------------------ understanding
@pytest.mark.parametrize(
    "scenario_id, question, fact",
    [
        ("air-plasturgie", "Quand pourriez-vous couper l'air pour qu'on installe ?", "fermeture_aout"),
        ("air-plasturgie", "Et une heure d'arrêt, ça vous coûte combien ?", "carnet_commandes"),
        ("cvc-ehpad", "Quand se réunit le prochain comité d'investissement ?", "circuit"),
        ("cvc-ehpad", "Le décret tertiaire, ça vous impose quoi exactement ?", "decret_tertiaire"),
        ("agri-cuma", "Qui décide de l'achat à la CUMA ?", "circuit_decision"),
        ("info-cabinet", "Combien de postes faut-il renouveler ?", "effectif_postes"),
    ],
)  # fmt: skip
def test_the_question_asked_gets_its_fact(library, scenario_id, question, fact):
    m = Meeting(library, scenario_id).open_meeting()
    m.say("ask_open_question", question)
    assert m.answered() == {fact}, m.client


def test_a_figure_asked_in_a_closed_question_is_given(library):
    m = Meeting(library, "air-plasturgie").open_meeting()
    m.say("ask_closed_question", "Et une heure d'arrêt, ça vous coûte combien ?")
    assert "3 500" in m.client


def test_a_date_asked_in_a_closed_question_is_given_even_when_the_fact_was_told(library):
    m = Meeting(library, "cvc-ehpad").open_meeting()
    m.say("ask_closed_question", "Le comité d'investissement se réunit quand ?")
    assert m.answered() == {"circuit"} and "15 avril" in m.client, m.client  # the short answer has no date
    m = Meeting(library, "cvc-ehpad").open_meeting()
    m.say("ask_closed_question", "C'est le comité qui décide ?")
    assert m.answered() == {"circuit"} and "15 avril" not in m.client, m.client  # a yes or no: the short answer
    m.say("ask_closed_question", "Et il se réunit quand, ce comité ?")
    assert "fact_deepened:circuit" in m.last.events and "15 avril" in m.client, m.client
    m = Meeting(library, "cvc-ehpad").open_meeting()
    m.say("ask_open_question", "Comment se prend la décision chez vous ?")
    assert m.answered() == {"circuit"}, m.client
    m.say("ask_closed_question", "Et il se réunit quand, ce comité ?")  # told in full: said again with the date
    assert "fact_repeated:circuit" in m.last.events and "15 avril" in m.client, m.client


def test_an_answered_fact_is_answered_again_not_replaced(library):
    m = Meeting(library, "cvc-ehpad").open_meeting()
    m.say("ask_open_question", "Quel budget avez-vous prévu ?")
    assert m.answered() == {"enveloppe"}
    m.say("ask_closed_question", "Et donc, le budget, c'est combien déjà ?")
    assert m.answered() == {"enveloppe"} and "fact_repeated:enveloppe" in m.last.events
    assert "120 000" in m.client


def test_vague_questions_deepen_once_then_ask_to_be_precise(library):
    m = Meeting(library, "air-plasturgie").open_meeting()
    m.say("ask_closed_question", "Vous avez eu des pannes ?")
    assert m.answered() == {"pannes_fuites"} and m.state.revealed["pannes_fuites"] == "partial"
    m.say("ask_open_question", "Pouvez-vous m'en dire plus ?")
    assert m.answered() == {"pannes_fuites"} and m.state.revealed["pannes_fuites"] == "full"
    revealed = dict(m.state.revealed)
    for _ in range(6):
        m.say("ask_open_question", "Pouvez-vous m'en dire plus ?")
        assert not m.answered()
    assert m.state.revealed == revealed  # seven vague questions never reveal seven facts


def test_small_talk_reveals_nothing_and_is_redirected_in_character(library):
    m = Meeting(library, "agri-cuma").open_meeting()
    m.say("out_of_scope", "Que pensez-vous de la météo cette semaine ?")
    assert not m.answered() and not m.state.revealed
    assert m.last.utterances[0].speaker == "client" and m.state.off_topic == 1


def test_a_question_without_a_fact_gets_a_clarification(library):
    m = Meeting(library, "air-plasturgie").open_meeting()
    m.say("ask_closed_question", "Vous avez un parking pour les visiteurs ?")
    assert not m.answered() and not m.state.revealed
    assert m.last.utterances[-1].speaker == "client"  # « c'est-à-dire ? » or back to the point, never a fact


def test_a_double_question_gets_both_answers(library):
    m = Meeting(library, "air-plasturgie").open_meeting()
    m.say("ask_open_question", "Qui décide de l'investissement, et quand pourriez-vous arrêter les lignes ?")
    assert m.answered() == {"circuit", "fermeture_aout"}


def test_a_question_labelled_as_another_move_is_still_answered(library):
    m = Meeting(library, "cvc-ehpad").open_meeting()
    m.say("check_agreement", "C'est quand, la prochaine réunion du comité qui doit valider ?")
    assert m.answered() == {"circuit"}


def test_two_learners_get_different_words_for_the_same_facts(library):
    wordings = set()
    for seed in range(6):
        m = Meeting(library, "air-plasturgie", seed=seed).open_meeting()
        m.say("ask_open_question", "Quels problèmes avez-vous avec le compresseur ?")
        assert m.answered() == {"pannes_fuites"}
        wordings.add(m.client)
    assert len(wordings) >= 3


# ------------------------------------------------------------------------ memory
def present_and_price(m: Meeting, price: str):
    m.ask(
        "Quels problèmes rencontrez-vous avec le compresseur ?",
        "Qu'attendez-vous d'une nouvelle installation ?",
        "Combien consommez-vous d'électricité pour l'air comprimé ?",
        "Quelles exigences de qualité d'air avez-vous pour l'alimentaire ?",
        "Quand pourriez-vous arrêter les lignes pour l'installation ?",
        intent="ask_open_question",
    )
    m.say("present_solution", "Je vous propose le compresseur VSD-45 avec le sécheur SECH-F et la filtration FILT-SEP.")
    m.say("state_price", price)


def test_a_legal_payment_term_given_early_means_no_90_days_request(library):
    m = Meeting(library, "air-plasturgie").open_meeting()
    present_and_price(m, "L'ensemble revient à 39 150 € HT, acompte de 30 % et solde à 45 jours fin de mois.")
    for _ in range(12):
        item = simulation.Simulation(library, m.state).pending_objection()
        if item is None or m.state.outcome != "open":
            break
        m.say("handle_objection", "Justement : " + " ".join(item.resolved_by.keywords) + ".")
    assert m.state.objections["paiement_90_jours"] == "preempted"
    assert "objection_raised:paiement_90_jours" not in m.events


def test_an_objection_answered_before_it_comes_is_never_raised(library):
    m = Meeting(library, "cvc-ehpad").open_meeting()
    m.say(
        "argue_benefit", "Par grand froid, la chaudière gaz prend le relais en relève : vos résidents ne risquent rien."
    )
    assert m.state.objections["pac_grand_froid"] == "preempted"


def test_a_signal_never_asks_for_what_the_learner_brought(library):
    m = Meeting(library, "cvc-ehpad").open_meeting()
    m.say("present_solution", "Nous pouvons phaser le projet en deux tranches pour rester dans l'enveloppe.")
    tranches = next(i for i, s in enumerate(m.scenario.signals) if "tranches" in s.text)
    assert tranches in m.state.signals_done


def test_the_addressed_persona_answers_or_hands_over(library):
    """The circuit is M. Garnier's fact (« Moi je prescris… »): Mme Roussel, addressed, speaks first and
    lets him answer; she never says his words."""
    m = Meeting(library, "air-plasturgie").open_meeting()
    m.state.present_personas.append("roussel")
    m.say("ask_open_question", "Madame Roussel, comment se passe le choix d'un fournisseur chez vous ?")
    speakers = [u.name for u in m.last.utterances if u.speaker == "client"]
    assert speakers == ["Mme Nathalie Roussel", "M. Olivier Garnier"], m.client
    assert "Garnier" in m.last.utterances[0].text and m.answered() == {"circuit"}


def test_a_fact_the_learner_establishes_counts_at_the_close(library):
    m = Meeting(library, "air-plasturgie").open_meeting()
    m.say(
        "inform", "Je sais que votre DAF exige un retour sur investissement de moins de 3 ans, un ROI sous trois ans."
    )
    assert "critere_roi" in m.state.established
    sim = simulation.Simulation(library, m.state)
    assert not any("ROI" in item for item in sim.missing_for_close())


# ----------------------------------------------------------------------- amounts
def test_a_price_above_the_budget_is_refused_until_one_fits(library):
    m = Meeting(library, "info-cabinet").open_meeting()
    for question in ("Comment travaillent vos collaborateurs ?", "Quelles exigences de sécurité ?", "Quel budget ?"):
        m.say("ask_open_question", question)
    m.say("present_solution", "Je vous propose 35 portables NP-14i5 avec station d'accueil et écran 24 pouces.")
    m.say("state_price", "L'ensemble revient à 58 520 € HT pour les 35 postes.")
    assert m.state.objections.get("_budget") == "pending"
    assert "50000" in m.client.replace("\u202f", "").replace(" ", "")
    m.say("handle_objection", "Les portables sont robustes et garantis trois ans sur site.")
    assert m.state.objections["_budget"] == "pending"
    m.say("state_price", "En gardant vos écrans 22 pouces, le pack revient à 48 272 € HT.")
    assert m.state.objections["_budget"] == "resolved"


def test_the_close_is_refused_above_the_budget(library):
    m = Meeting(library, "info-cabinet")
    m.state.solution_presented = m.state.price_stated = True
    m.state.offer_total = 66863
    m.state.change = "adapted"
    assert simulation.Simulation(library, m.state).over_budget() is True  # 61 000 € after the change


def test_discounts_against_the_margin_and_the_scope(library):
    m = Meeting(library, "air-plasturgie").open_meeting()
    m.state.products = ["VSD-45", "INST-AIR"]
    m.state.offer_total = 39150
    m.say("offer_concession", "Je vous fais 8 % sur tout, installation comprise, si vous signez avant le 19 juin.")
    assert "discount_scope" in m.state.flags and "beyond_margin" not in m.state.flags
    assert "remisable" in m.coach or "non remisables" in m.coach


def test_refusing_the_competitors_discount_is_not_beyond_the_margin(library):
    m = Meeting(library, "air-plasturgie").open_meeting()
    m.say("offer_concession", "Je ne m'aligne pas sur leurs 12 %, mais je vous accorde 5 % si vous signez le contrat.")
    assert m.state.concessions[-1]["percent"] == 5
    assert "beyond_margin" not in m.state.flags and "unilateral_concession" not in m.state.flags


def test_a_discount_in_euros_is_weighed_against_the_margin(library):
    m = Meeting(library, "air-plasturgie").open_meeting()
    m.state.products = ["VSD-45", "SECH-F", "FILT-SEP", "INST-AIR"]
    m.state.offer_total = 39150
    m.say("offer_concession", "Si vous signez avant fin juin, je vous fais 5 000 € de remise.")
    assert "beyond_margin" in m.state.flags  # 5 000 € on 35 550 € of equipment is 14 %, the margin is 8 %


@pytest.mark.parametrize(
    "text",
    [
        "Pas de souci, vous paierez le solde après la moisson.",
        "Paiement à 90 jours, on peut faire, d'accord.",
        "Réglez quand vous aurez reçu la subvention, ça ira.",
        "Paiement à quatre-vingt-dix jours, aucun problème.",
    ],
)
def test_illegal_payment_terms_in_several_forms(library, text):
    m = Meeting(library, "agri-cuma").open_meeting()
    m.say("offer_concession", text)
    assert "illegal_term" in m.state.flags, m.events
    assert "L441-10" in m.coach


def test_a_legal_term_is_not_flagged(library):
    m = Meeting(library, "agri-cuma").open_meeting()
    m.say("inform", "Le solde est payable à 45 jours fin de mois, avec un acompte de 20 %.")
    assert "illegal_term" not in m.state.flags


def test_a_promise_outside_the_terms_of_sale_is_noted(library, tmp_path):
    from pathlib import Path

    from bot.engine.library import load_library

    heldout = Path(__file__).resolve().parents[1] / "dialogue" / "heldout" / "scenarios"
    lib = load_library(extra_scenario_dirs=[heldout])
    scenario = lib.scenario("cuisine-centrale")
    term = scenario.cgv.forbidden_terms[0]
    m = Meeting(lib, "cuisine-centrale").open_meeting()
    m.say("inform", f"Pas de problème, je vous propose {term.keywords[0]}.")
    assert "outside_cgv" in m.state.flags


def test_false_urgency_cools_the_client(library):
    m = Meeting(library, "air-plasturgie").open_meeting()
    warmth = m.state.warmth
    m.say("propose_close", "C'est maintenant ou jamais, l'offre expire ce soir !")
    assert "false_urgency" in m.state.flags and m.state.warmth < warmth


# ------------------------------------------------------------------------ routing
def test_a_question_heard_as_a_debrief_request_is_answered_by_the_client(library):
    state = simulation.start(library, "air-plasturgie")
    text = "À quel moment pourrait-on arrêter la production pour installer le compresseur ?"
    assert client_move(library, state, text, "request_debrief", []) == "ask_open_question"
    assert client_move(library, state, "J'ai fini, je veux mon bilan", "request_debrief", []) is None


def test_a_question_heard_as_a_hint_request_is_answered_by_the_client(library):
    state = simulation.start(library, "agri-cuma")
    assert client_move(library, state, "Le conseil a voté quelle somme pour le nouveau pulvé ?", "ask_hint") in (
        "ask_open_question",
        "ask_closed_question",
    )
    assert client_move(library, state, "Je suis bloqué, un indice ?", "ask_hint") is None


# ------------------------------------------------------------------------ outcome
def test_a_loss_names_what_the_learner_did(library):
    m = Meeting(library, "cvc-ehpad").open_meeting()
    for _ in range(4):
        if m.state.outcome != "open":
            break
        m.say("propose_close", "Bon, on signe ?")
    assert m.state.outcome == "lost"
    assert "besoins" in m.state.outcome_reason or "proposition" in m.state.outcome_reason


def test_a_command_is_never_played_as_a_client_move(library):
    """The REST channel turns a forged « /restart » into out_of_scope: the coach answers, not the client."""
    state = simulation.start(library, "air-plasturgie")
    assert client_move(library, state, "/restart", "out_of_scope", []) is None
    assert client_move(library, state, " /ask_open_question", "ask_open_question", []) is None
    assert client_move(library, state, "Et la météo ?", "out_of_scope", []) == "out_of_scope"


def test_an_acknowledgement_with_the_answer_in_substance_handles_the_objection(library):
    """« Je comprends… » then the answer (accueillir puis traiter): resolved, whatever the NLU's label."""
    m = Meeting(library, "salon-lead")
    m.say("greet", "Bonjour Madame Dubreuil, nous nous sommes rencontrés au salon de Bordeaux.")
    assert m.state.objections["pas_le_temps"] == "pending"
    m.say("acknowledge_objection", "Je comprends tout à fait, c'est un point important.")
    assert m.state.objections["pas_le_temps"] == "pending"  # an acknowledgement alone asks for more
    m.say(
        "acknowledge_objection",
        "Je comprends tout à fait. Je vous demande seulement trois minutes pour voir si votre parking "
        "est concerné par la loi APER, ou je vous rappelle cet après-midi à 14 h, comme vous préférez ?",
    )
    assert m.state.objections["pas_le_temps"] == "resolved"


def test_a_yes_the_nlu_is_unsure_of_must_be_heard_in_the_words(library):
    """Keyboard mashing read as « affirm » at 0.32 goes to the coach; a real « oui » at 0.32 is played."""
    state = simulation.start(library, "air-plasturgie")
    unsure = [{"name": "affirm", "confidence": 0.32}, {"name": "greet", "confidence": 0.1}]
    assert client_move(library, state, "azerty", "affirm", unsure) is None
    assert client_move(library, state, "oui, d'accord", "affirm", unsure) == "affirm"
    assert client_move(library, state, "Tout à fait.", "affirm", [{"name": "affirm", "confidence": 0.9}]) == "affirm"
    assert client_move(library, state, "qsdf", "deny", [{"name": "deny", "confidence": 0.3}]) is None
