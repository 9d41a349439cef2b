"""Scripted learners for the built-in scenarios, read from ``data/learner_scripts/learners.yml``.

The end-to-end tests, the scale tests and the benchmarks play the same learners; the
sentences are data (French, per scenario), not Python.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any, Dict, List, NamedTuple

import yaml

LEARNERS_FILE = Path(__file__).resolve().parents[2] / "data" / "learner_scripts" / "learners.yml"


class Learners(NamedTuple):
    #: scenario id -> opening, discovery, reformulate, solution, price, answers (objection id -> text), change, close
    scripts: Dict[str, Dict[str, Any]]
    #: what a good learner says after the deal
    follow_up: List[str]
    #: a pushy, poor learner (any scenario)
    poor: List[str]


@cache
def learners(path: Path = LEARNERS_FILE) -> Learners:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    return Learners(data["scripts"], list(data["follow_up"]), list(data["poor"]))
