"""The final grade /20 (issue 12 item 5): one function, the teacher's scores win, the automatic grade kept."""

from __future__ import annotations

from bot.assessment.grading import ELIMINATORY_CAP, final_grade, french
from bot.assessment.grading import scores_grade as weighted_grade
from bot.assessment.rubric import default_rubric

RUBRIC = default_rubric()
IDS = [c.id for c in RUBRIC.criteria]


def test_without_override_the_final_grade_is_the_automatic_one():
    scores = {cid: 2 for cid in IDS}
    auto = weighted_grade(RUBRIC, "air-plasturgie", "negotiation", scores)
    grade = final_grade(RUBRIC, "air-plasturgie", "negotiation", auto, scores, {})
    assert grade.final == grade.automatic == auto and not grade.changed and grade.overridden == 0
    # an override that repeats the automatic score changes nothing
    same = final_grade(RUBRIC, "air-plasturgie", "negotiation", auto, scores, {"C1.2.1-b": 2})
    assert same.final == auto and same.overridden == 0


def test_a_teacher_score_recomputes_the_grade_and_the_difference_is_visible():
    scores = {cid: 1 for cid in IDS}
    auto = weighted_grade(RUBRIC, "air-plasturgie", "negotiation", scores)
    raised = final_grade(RUBRIC, "air-plasturgie", "negotiation", auto, scores, {"C1.2.1-b": 3, "C1.2.2-c": 3})
    assert raised.final > auto and raised.difference == round(raised.final - auto, 1) > 0
    assert raised.final == weighted_grade(
        RUBRIC, "air-plasturgie", "negotiation", {**scores, "C1.2.1-b": 3, "C1.2.2-c": 3}
    )
    assert raised.overridden == 2
    lowered = final_grade(RUBRIC, "air-plasturgie", "negotiation", auto, scores, {"C1.2.1-b": 0})
    assert lowered.final < auto and lowered.difference < 0


def test_a_criterion_set_to_na_hands_its_weight_to_the_others():
    scores = {cid: 3 for cid in IDS}
    scores["C1.2.1-b"] = 0
    auto = weighted_grade(RUBRIC, "air-plasturgie", "negotiation", scores)
    grade = final_grade(RUBRIC, "air-plasturgie", "negotiation", auto, scores, {"C1.2.1-b": None})
    assert grade.final == 20.0 and auto < 20.0


def test_the_eliminatory_cap_stays_on_the_final_grade():
    scores = {cid: 3 for cid in IDS}
    uncapped = weighted_grade(RUBRIC, "air-plasturgie", "negotiation", scores)
    assert uncapped > ELIMINATORY_CAP
    grade = final_grade(RUBRIC, "air-plasturgie", "negotiation", ELIMINATORY_CAP, scores, {"C1.2.1-b": 2})
    assert grade.final == ELIMINATORY_CAP
    lower = final_grade(RUBRIC, "air-plasturgie", "negotiation", ELIMINATORY_CAP, scores, {c: 0 for c in IDS[:12]})
    assert lower.final < ELIMINATORY_CAP


def test_an_open_session_has_no_grade_and_the_kind_weights_apply():
    assert final_grade(RUBRIC, "x", None, None, {}, {"C1.2.1-b": 3}).final is None
    scores = {cid: 0 for cid in IDS}
    scores["C2.3-b"] = 3
    prospecting = weighted_grade(RUBRIC, "prospection-rdv", "prospecting", scores)
    review = weighted_grade(RUBRIC, "revue-compte", "account_review", scores)
    assert prospecting != review  # the kind of situation weights the grade
    assert french(12.45) in ("12,4", "12,5") and french(None) == "-"


def test_the_grade_is_labelled_with_the_exam_it_corresponds_to():
    assert RUBRIC.grade_label == "Note proposée – situation de négociation"
    assert "NDRC" in RUBRIC.grade_correspondence and "CCST" in RUBRIC.grade_correspondence
