"""The probe files (``tests/dialogue/probes``) are well formed: a probe that names a fact the scenario
does not have, or a ``before`` move that is not a learner move, would count against the engine for
nothing (or for nothing in its favour)."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from bot.dialogue_eval import HELDOUT_SCENARIOS, PROBES_DIR
from bot.language.intents import Intent

KINDS = {"direct", "paraphrase", "repeat", "vague", "double", "offtopic", "nofact"}
FILES = sorted(PROBES_DIR.rglob("*.yml"))


@pytest.fixture(scope="module")
def scenarios():
    from bot.engine.library import load_library

    return load_library(extra_scenario_dirs=HELDOUT_SCENARIOS)


@pytest.mark.parametrize("path", FILES, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_probe_file_names_real_facts_and_moves(path: Path, scenarios):
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    scenario = scenarios.scenario(data["scenario"])
    facts = {fact.id for fact in scenario.facts}
    moves = {intent.value for intent in Intent}
    for n, probe in enumerate(data["probes"], 1):
        where = f"{path.name} #{n}"
        assert set(probe) <= {"q", "expect", "kind", "before"} and probe.get("q"), where
        kind = probe.get("kind", "direct")
        assert kind in KINDS, where
        expect = probe["expect"]
        ids = [] if expect in (None, "none") else (expect if isinstance(expect, list) else [expect])
        assert set(ids) <= facts, (where, sorted(set(ids) - facts))
        if kind in {"offtopic", "nofact"}:
            assert not ids, where
        if kind == "double":
            assert len(ids) == 2, where
        if kind == "repeat":
            assert probe.get("before"), where
        for turn in probe.get("before") or []:
            assert isinstance(turn, list) and len(turn) == 2 and turn[0] in moves, (where, turn)
