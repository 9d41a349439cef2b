"""Agreement with graded transcripts (expected scores written before any scoring run)."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from bot.assessment.replay import replay
from bot.assessment.rubric import CRITERION_IDS, default_rubric
from bot.assessment.rules import assess
from bot.engine.library import default_library
from bot.engine.simulation import seed_for

TRANSCRIPTS = sorted((Path(__file__).resolve().parents[1] / "transcripts").glob("*.yml"))
QUALITY_RANK = {"excellent": 4, "good": 3, "average": 2, "poor": 1, "abandoned": 0}


def score_transcript(library, path: Path):
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    scenario = library.scenario(data["scenario"])
    records, state = replay(library, data["scenario"], [tuple(t) for t in data["turns"]], seed=seed_for(path.stem))
    result = assess(scenario, default_rubric(), records, state.to_dict(), na=scenario.na_criteria)
    return data, state, result


@pytest.fixture(scope="module")
def graded(library):
    return {p.stem: score_transcript(library, p) for p in TRANSCRIPTS}


def test_there_are_enough_transcripts():
    assert len(TRANSCRIPTS) >= 10
    scenarios = {yaml.safe_load(p.read_text(encoding="utf-8"))["scenario"] for p in TRANSCRIPTS}
    assert {"cvc-ehpad", "info-cabinet", "agri-cuma", "air-plasturgie"} <= scenarios


@pytest.mark.parametrize("path", TRANSCRIPTS, ids=[p.stem for p in TRANSCRIPTS])
def test_transcript_is_complete_and_reaches_its_outcome(graded, path):
    data, state, _ = graded[path.stem]
    kind = default_library().scenario(data["scenario"]).kind
    # the criteria of this kind's grid (a buyer is not graded on the seller's criteria, nor a seller on C4)
    assert set(data["expected"]) == {c for c in CRITERION_IDS if default_rubric().applies(c, kind)}
    assert state.outcome == data["expected_outcome"]


def agreement(graded):
    within = exact = total = 0
    misses = []
    for name, (data, _, result) in graded.items():
        for cid, expected in data["expected"].items():
            got = result.scores[cid].score
            total += 1
            if expected == "na" or got is None:
                ok = (expected == "na") == (got is None)
                within += ok
                exact += ok
            else:
                within += abs(got - int(expected)) <= 1
                exact += got == int(expected)
            if (
                expected != "na"
                and got is not None
                and abs(got - int(expected)) > 1
                or ((expected == "na") != (got is None))
            ):
                misses.append(f"{name} {cid}: expected {expected}, got {got}")
    return within / total, exact / total, misses


def test_agreement_within_one_point_on_85_percent(graded):
    within, exact, misses = agreement(graded)
    print(f"\nagreement within one point: {within:.1%}, exact: {exact:.1%}")
    assert within >= 0.85, "\n".join(misses)


def expected_grade(data) -> float:
    rubric = default_rubric()
    na = [c for c, v in data["expected"].items() if v == "na"]
    kind = default_library().scenario(data["scenario"]).kind
    weights = rubric.weights(data["scenario"], na, kind)
    return round(sum(w * int(data["expected"][c]) for c, w in weights.items()) * 20 / 3, 1)


def test_totals_are_ordered_as_the_expert_totals(graded):
    """Within a scenario, sessions rank as the expert grades rank them (clear gaps only)."""
    by_scenario = {}
    for name, (data, _, result) in graded.items():
        by_scenario.setdefault(data["scenario"], []).append((expected_grade(data), result.grade_20, name))
    for scenario, rows in by_scenario.items():
        for exp_a, got_a, a in rows:
            for exp_b, got_b, b in rows:
                if exp_a >= exp_b + 2:
                    assert got_a > got_b, (
                        f"{scenario}: {a} (expert {exp_a}, auto {got_a}) vs {b} (expert {exp_b}, auto {got_b})"
                    )


def test_quality_levels_are_ordered(graded):
    """Excellent and good sessions always score above poor and abandoned ones."""
    for _, (data, _, result) in graded.items():
        if QUALITY_RANK[data["quality"]] >= 3:
            assert result.grade_20 >= 12, (data["scenario"], data["quality"], result.grade_20)
        if QUALITY_RANK[data["quality"]] <= 1:
            assert result.grade_20 < 10, (data["scenario"], data["quality"], result.grade_20)


def test_exact_agreement_on_the_middle_levels_does_not_fall_back(graded):
    """Partial credit (I, S) is where rules and experts disagreed most: exact agreement on the ratings the
    expert gave 1 or 2 was 53.6 % before the grid's « insuffisant » descriptors were read as rules (65 %)."""
    exact = total = 0
    for data, _, result in graded.values():
        for cid, expected in data["expected"].items():
            if expected in (1, 2, "1", "2"):
                total += 1
                exact += result.scores[cid].score == int(expected)
    assert total >= 150
    assert exact / total >= 0.63, f"{exact}/{total}"
