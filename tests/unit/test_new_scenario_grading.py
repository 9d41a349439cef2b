"""A scenario written for the tests (another sector, in tests/scenarios/) is graded like the built-in ones.

No scenario word is written in Python: what a reading needs to know about a scenario (where a meeting
can take place, what it is about, what would blame the client) is in the scenario's ``assessment_cues``.
So the same learner behaviour gets the same scores in a sector the code has never seen, and the words
of one scenario do nothing for another.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest
import yaml

from bot.assessment.analysis import analyse
from bot.assessment.replay import replay
from bot.assessment.rubric import default_rubric
from bot.assessment.rules import Context, TurnRecord, assess
from bot.assessment.rules.readings import READINGS
from bot.engine.scenario import AssessmentCues, parse_scenario
from bot.engine.simulation import seed_for

TESTS = Path(__file__).resolve().parents[1]
NEW_SCENARIO = TESTS / "scenarios" / "prospection-solaire.yml"
NEW_TRANSCRIPT = TESTS / "scenarios" / "transcripts" / "prospection-solaire-excellent.yml"


@pytest.fixture(scope="module")
def library_with_new(library):
    scenario = parse_scenario(NEW_SCENARIO)
    assert scenario.id not in library.scenarios
    return dataclasses.replace(library, scenarios={**library.scenarios, scenario.id: scenario})


def graded(library, path: Path, seed_name: str):
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    scenario = library.scenario(data["scenario"])
    # the same seed as the built-in transcript: the same learner meets the same dice
    records, state = replay(library, scenario.id, [tuple(t) for t in data["turns"]], seed=seed_for(seed_name))
    return state, assess(scenario, default_rubric(), records, state.to_dict(), na=scenario.na_criteria)


def test_the_same_learner_in_another_sector_gets_the_same_scores(library_with_new):
    twin = yaml.safe_load(NEW_TRANSCRIPT.read_text(encoding="utf-8"))["same_as"]
    built_in_state, built_in = graded(library_with_new, TESTS / "transcripts" / f"{twin}.yml", twin)
    new_state, new = graded(library_with_new, NEW_TRANSCRIPT, twin)
    assert new_state.outcome == built_in_state.outcome == "won"
    assert {c: r.score for c, r in new.scores.items()} == {c: r.score for c, r in built_in.scores.items()}
    assert new.grade_20 == built_in.grade_20
    # the readings proper to prospecting were used, and found a tailored meeting and a complete recap
    assert new.scores["C1.2.2-a"].score == new.scores["C1.2.3-b"].score == 3


def _turn(intent: str, text: str, n: int = 1) -> TurnRecord:
    return TurnRecord(n, text, intent, analyse(text), {}, {})


#: the same proposal and recap, each naming only its own scenario's places, objects and documents
PROPOSAL = {
    "prospection-rdv": "Je vous propose un rendez-vous d'une heure à Carquefou, autour de votre parc, mardi ou jeudi ?",
    "prospection-solaire": "Je vous propose un rendez-vous d'une heure à Lamballe, autour de votre toiture, mardi ou jeudi ?",
}
RECAP = {
    "prospection-rdv": "Je récapitule : jeudi 23 avril à 14 h, à Carquefou, avec M. Guérin, pour votre parc ; "
    "pensez aux plans et aux heures, je vous envoie l'invitation par mail.",
    "prospection-solaire": "Je récapitule : jeudi 23 avril à 14 h, à Lamballe, avec M. Hénaff, pour votre toiture ; "
    "pensez aux factures et aux relevés, je vous envoie l'invitation par mail.",
}


@pytest.mark.parametrize("scenario_id", sorted(PROPOSAL))
def test_a_meeting_is_read_with_the_words_of_its_own_scenario(library_with_new, scenario_id):
    own = library_with_new.scenario(scenario_id)
    other_id = next(s for s in PROPOSAL if s != scenario_id)

    def reading(name: str, intent: str, text: str, scenario=own) -> int:
        return READINGS[name](Context(scenario, [_turn(intent, text)], {})).score

    assert reading("meeting_proposal", "present_solution", PROPOSAL[scenario_id]) == 3
    assert reading("meeting_recap", "summarize_deal", RECAP[scenario_id]) == 3
    # another scenario's place, object and documents mean nothing here
    assert reading("meeting_proposal", "present_solution", PROPOSAL[other_id]) == 1
    assert reading("meeting_recap", "summarize_deal", RECAP[other_id]) == 2
    ctx = Context(own, [], {})
    for cue in ("meeting_place", "meeting_object", "meeting_preparation"):
        assert ctx.says(_turn("summarize_deal", RECAP[scenario_id]), cue), cue
        assert not ctx.says(_turn("summarize_deal", RECAP[other_id]), cue), cue
    # and without its own words, the scenario's proposal loses its object and its place
    bare = own.copy(update={"assessment_cues": AssessmentCues()})
    assert reading("meeting_proposal", "present_solution", PROPOSAL[scenario_id], bare) == 1


def test_blaming_the_client_is_read_with_the_words_of_the_scenario(library):
    """Complaint handling: what blames the client comes from the scenario (its goods, its staff)."""
    built_in = library.scenario("reclamation-maintenance")
    other_sector = built_in.copy(update={"assessment_cues": AssessmentCues(blame=["vos cartons"])})
    apology = _turn("acknowledge_objection", "Je suis vraiment désolée, vous avez raison d'être en colère.", 1)

    def blamed(scenario, text: str) -> bool:
        ctx = Context(scenario, [apology, _turn("handle_objection", text, 3)], {})
        return READINGS["complaint_handling"](ctx).score == 0

    assert blamed(built_in, "Avec vos palettes contre la grille, le groupe ne pouvait pas respirer.")
    assert not blamed(other_sector, "Avec vos palettes contre la grille, le groupe ne pouvait pas respirer.")
    assert blamed(other_sector, "Avec vos cartons empilés devant la porte, le livreur ne pouvait pas passer.")
    # generic blame needs no scenario word
    assert blamed(other_sector, "Honnêtement, c'est aussi votre faute.")
