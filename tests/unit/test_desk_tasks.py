"""The C3 desk tasks (issue 16): the schema, the report checker, the manager's hand-in and the grade.

The checker is what both the manager and the grade read (bot/engine/report.py), so the tests feed it
whole reports: the model report, the same report with one wrong amount, without its next steps, with a
figure the meeting never gave. The graded reports of tests/transcripts/desk carry expected scores
written from the grid before any scoring run.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from bot.assessment.desk_debrief import desk_debrief
from bot.assessment.replay import replay
from bot.assessment.rubric import default_rubric
from bot.assessment.rules import assess
from bot.assessment.rules.desk import assess_desk
from bot.engine import desk, report, simulation
from bot.engine.desk_schema import DeskTask, is_desk
from bot.engine.playable import problems
from bot.engine.scenario import ScenarioError, parse_situation
from bot.engine.state import Move
from bot.language.understanding import understand

VISIT, SPEC = "cr-visite-ehpad", "cdc-facturation-electronique"
GRADED = sorted((Path(__file__).resolve().parents[1] / "transcripts" / "desk").glob("*.yml"))
HAND_IN = "Je vous remets mon compte rendu."


def model(library, task_id):
    return [line.text for line in library.scenario(task_id).model_transcript]


def play(library, task_id, messages, level="standard"):
    """Replay messages through the engine; the turns and the final state, as the recorder stores them."""
    records, state = replay(library, task_id, [("inform", m) for m in messages])
    return records, state


# ------------------------------------------------------------------ schema and library
def test_both_tasks_are_desk_tasks_of_the_library_and_playable_at_three_levels(library):
    for task_id, kind in ((VISIT, "visit_report"), (SPEC, "specification")):
        task = library.scenario(task_id)
        assert isinstance(task, DeskTask) and task.kind == kind and is_desk(task)
        assert task_id in library.scenario_ids and task_id not in library.negotiations
        assert problems(library, task_id) == []
        assert library.version(task_id, "examen", 7) is task  # no variant
    assert library.desk_level(library.scenario(VISIT), "decouverte").checklist
    assert library.desk_level(library.scenario(VISIT), "examen").max_messages == 10  # the task's own override


def test_a_broken_desk_task_is_reported_in_french(tmp_path):
    source = Path(__file__).resolve().parents[2] / "data" / "scenarios" / f"{VISIT}.yml"
    data = yaml.safe_load(source.read_text(encoding="utf-8"))
    data["personas"][0]["main"] = False
    data["next_steps"][0]["date"] = "2 avril"
    path = tmp_path / f"{VISIT}.yml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    with pytest.raises(ScenarioError) as error:
        parse_situation(path)
    assert "AAAA-MM-JJ" in str(error.value)
    data["next_steps"][0]["date"] = "2026-04-02"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    with pytest.raises(ScenarioError, match="main: true"):
        parse_situation(path)


# ----------------------------------------------------------------------- the checker
def test_the_model_reports_are_complete_and_exact(library):
    for task_id in (VISIT, SPEC):
        task = library.scenario(task_id)
        check = report.check(task, model(library, task_id))
        assert check.acceptable and check.missing_essential() is None, task_id
        assert not check.wrong_figures and not check.invented
        assert {f.status for f in check.figures} == {"exact"}
        assert all(s.status == "datee" for s in check.next_steps)


def test_a_wrong_amount_is_found_and_lowers_c3_1_b(library):
    task = library.scenario(VISIT)
    messages = model(library, VISIT)
    wrong = [m.replace("Enveloppe votée : 120 000 € HT", "Enveloppe votée : 110 000 € HT") for m in messages]
    assert wrong != messages
    check = report.check(task, wrong)
    assert [(f.figure.id, f.written) for f in check.wrong_figures] == [("enveloppe_montant", "110\u202f000")]
    assert not check.acceptable and check.missing_essential()[0] == "follow_up_figure"
    good, bad = (assess_desk(task, default_rubric(), play(library, VISIT, m + [HAND_IN])[0]) for m in (messages, wrong))
    assert good.scores["C3.1-b"].score == 3 and bad.scores["C3.1-b"].score == 1
    assert bad.scores["C3.1-b"].capped and bad.grade_20 < good.grade_20


def test_a_report_without_next_steps_scores_lower(library):
    task = library.scenario(VISIT)
    messages = model(library, VISIT)
    without = [m for m in messages if not m.startswith("Prochaines étapes")]
    check = report.check(task, without)
    assert {s.step.id for s in check.next_steps if s.status == "absente"} >= {"visite_technique", "appel"}
    assert check.missing_essential() == ("follow_up", task.next_steps[0].label)
    good = assess_desk(task, default_rubric(), play(library, VISIT, messages + [HAND_IN])[0])
    poor = assess_desk(task, default_rubric(), play(library, VISIT, without + [HAND_IN])[0])
    assert poor.scores["C3.1-b"].score < good.scores["C3.1-b"].score and poor.grade_20 < good.grade_20


def test_a_figure_the_meeting_never_gave_is_invented_but_a_computed_one_is_not(library):
    task = library.scenario(VISIT)
    computed = report.check(task, ["Objection prix : l'offre complète à 140 200 € HT dépasse l'enveloppe de 20 200 €."])
    assert computed.invented == []
    invented = report.check(task, ["Le client nous accorde une avance de 7 500 € sur les travaux."])
    assert [value for _, value in invented.invented] == ["7\u202f500"]


def test_an_undated_or_misdated_step_is_told_apart(library):
    task = library.scenario(VISIT)
    statuses = {
        text: next(s.status for s in report.check(task, [text]).next_steps if s.step.id == "visite_technique")
        for text in (
            "Visite technique de la chaufferie par notre technicien le jeudi 2 avril à 9 h.",
            "Visite technique de la chaufferie par notre technicien le jeudi 9 avril à 9 h.",
            "Visite technique de la chaufferie par notre technicien la semaine prochaine.",
            "Visite technique de la chaufferie par notre technicien à planifier.",
        )
    }
    assert list(statuses.values()) == ["datee", "mauvaise_date", "date_vague", "sans_date"]


# ---------------------------------------------------------------- the manager and the hand-in
def test_the_opening_gives_the_task_the_meeting_record_and_the_checklist_at_decouverte(library):
    task = library.scenario(VISIT)
    state = simulation.start(library, VISIT, level="decouverte")
    opening = desk.opening(library, task, state)
    assert opening[0].speaker == "coach" and "Transcription de l'entretien" in opening[0].text
    assert "mercredi 15 avril" in opening[0].text  # the record itself
    assert opening[1].speaker == "client" and opening[1].name == "Mme Nathalie Roche"
    assert "Rubriques attendues" in opening[2].text and "Prochaines étapes datées" in opening[2].text
    standard = desk.opening(library, task, simulation.start(library, VISIT))
    assert "Rubriques attendues" not in standard[2].text


def test_hand_in_asks_once_for_the_missing_element_then_closes(library):
    task = library.scenario(VISIT)
    state = simulation.start(library, VISIT)
    assert understand(HAND_IN).has("move.hand_in") and not understand("Voici mon compte rendu :").has("move.hand_in")
    nothing = simulation.step(library, state, Move("inform", HAND_IN))
    assert "rien transmis" in nothing.utterances[0].text and not state.ended
    simulation.step(library, state, Move("inform", model(library, VISIT)[0]))
    first = simulation.step(library, state, Move("inform", HAND_IN))
    assert not state.ended and any(e.startswith("desk_follow_up") for e in first.events)
    assert "situation du client" not in first.utterances[0].text.lower()  # a label, lowered in the sentence
    assert task.facts[0].label[1:40] in first.utterances[0].text
    second = simulation.step(library, state, Move("inform", HAND_IN))
    assert state.ended and desk.ENDED in second.events and state.outcome == "lost"
    assert state.written == [model(library, VISIT)[0]]


def test_a_complete_report_is_accepted_at_once_and_the_exam_takes_no_follow_up(library):
    state = simulation.start(library, VISIT)
    for text in model(library, VISIT):
        simulation.step(library, state, Move("inform", text))
    reply = simulation.step(library, state, Move("inform", HAND_IN))
    assert state.ended and state.outcome == "won" and desk.ENDED in reply.events
    exam = simulation.start(library, VISIT, mode="exam", level="examen")
    simulation.step(library, exam, Move("inform", model(library, VISIT)[0]))
    simulation.step(library, exam, Move("inform", HAND_IN))
    assert exam.ended and exam.outcome == "lost" and desk.FOLLOWED_UP not in exam.flags


def test_the_end_command_and_the_words_of_the_report_are_told_apart():
    assert desk.asks_end("/request_debrief") and desk.asks_end("j'ai fini, je veux mon bilan")
    assert not desk.asks_end(HAND_IN)  # the NLU may hear a debrief in it: the manager reads the report first
    long_part = "Compte rendu de visite : la fin de la saison de chauffe impose des travaux de juin à septembre."
    assert not desk.asks_end(long_part)


# ---------------------------------------------------------------------- grade and debrief
def test_the_grade_reads_c3_and_t1_only_and_negotiations_never_show_c3(library):
    rubric = default_rubric()
    task = library.scenario(SPEC)
    result = assess_desk(task, rubric, play(library, SPEC, model(library, SPEC) + [HAND_IN])[0])
    scored = {cid for cid, r in result.scores.items() if r.score is not None}
    assert scored == {"C3.1-a", "C3.1-b", "C3.1-c", "T-1"} and result.grade_20 == 20.0
    visit = assess_desk(library.scenario(VISIT), rubric, play(library, VISIT, model(library, VISIT))[0])
    assert "C3.1-c" not in visit.scores  # a visit report is no specification: not scored, not shown
    records, state = replay(library, "air-plasturgie", [("greet", "Bonjour Monsieur Garnier.")])
    negotiation = assess(library.scenario("air-plasturgie"), rubric, records, state.to_dict())
    assert not any(c in negotiation.scores for c in ("C3.1-a", "C3.1-b", "C3.1-c"))  # outside a sale's grid
    assert not any(c.startswith("C3") for c in rubric.weights("air-plasturgie", [], "negotiation"))


def test_the_debrief_names_what_is_missing_and_the_wrong_figure(library):
    task = library.scenario(VISIT)
    messages = [
        m.replace("Enveloppe votée : 120 000 € HT", "Enveloppe votée : 110 000 € HT") for m in model(library, VISIT)
    ]
    records, state = play(library, VISIT, messages[:-1] + [HAND_IN])
    text = desk_debrief(task, default_rubric(), assess_desk(task, default_rubric(), records, state.to_dict()))
    assert "vous avez écrit 110\u202f000, le bon chiffre est 120\u202f000 €" in text
    assert task.next_steps[0].label in text and "C3.1-b" in text and "C1.2.1-a" not in text


# -------------------------------------------------------------------- graded reports
@pytest.fixture(scope="module")
def graded(library):
    out = {}
    for path in GRADED:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        records, state = replay(library, data["scenario"], [tuple(t) for t in data["turns"]])
        out[path.stem] = (data, state, assess_desk(library.scenario(data["scenario"]), default_rubric(), records))
    return out


def test_there_is_a_strong_and_a_weak_graded_report_per_task():
    names = {p.stem for p in GRADED}
    assert names == {f"{t}-{q}" for t in (VISIT, SPEC) for q in ("strong", "weak")}


def test_graded_reports_agree_with_the_expert(graded):
    exact = within = total = 0
    for name, (data, state, result) in graded.items():
        assert state.outcome == data["expected_outcome"], name
        scored = {cid for cid, r in result.scores.items() if r.score is not None}
        assert scored == set(data["expected"]), name
        for cid, expected in data["expected"].items():
            total += 1
            exact += result.scores[cid].score == expected
            within += abs(result.scores[cid].score - expected) <= 1
    print(f"\ndesk agreement: exact {exact}/{total}, within one point {within}/{total}")
    assert within == total and exact / total >= 0.85
    strong = [r.grade_20 for d, _, r in graded.values() if d["quality"] == "strong"]
    weak = [r.grade_20 for d, _, r in graded.values() if d["quality"] == "weak"]
    assert min(strong) >= 15 and max(weak) < 10


def test_the_answer_to_the_managers_request_is_read_in_its_context(library):
    task = library.scenario(VISIT)
    answer = ["Ils veulent surtout que les résidents n'aient plus froid."]
    assert "securite" not in report.check(task, answer).covered
    assert "securite" in report.check(task, answer, asked=("securite", 0)).covered
    assert report.asked_in(["desk_follow_up", "desk_asked:securite:2"]) == ("securite", 2)
