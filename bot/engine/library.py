"""Everything the engine reads from ``data/``: scenarios, default lines, coach."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from functools import lru_cache
from pathlib import Path
from typing import Any, Dict, FrozenSet, List, Sequence

import yaml

from bot.config import ROOT, get_settings
from bot.engine.scenario import LINE_KEYS, Scenario, ScenarioError, load_scenarios

#: the data folder the project ships (its tests read it); the running code reads ``NEGO_DATA_DIR``
DATA_DIR = ROOT / "data"


@dataclass
class Library:
    scenarios: Dict[str, Scenario]
    default_lines: Dict[str, List[str]]
    coach: Dict[str, Any]
    #: playable but not listed: drafts and older versions of scenarios written in the editor
    hidden: FrozenSet[str] = field(default_factory=frozenset)

    def lines(self, scenario: Scenario, key: str) -> List[str]:
        return scenario.lines.get(key) or self.default_lines.get(key) or [""]

    def scenario(self, scenario_id: str) -> Scenario:
        return self.scenarios[scenario_id]

    @property
    def scenario_ids(self) -> List[str]:
        return sorted(set(self.scenarios) - self.hidden)

    def with_scenarios(self, extra: Dict[str, Scenario], hidden: Sequence[str] = ()) -> Library:
        """This library plus ``extra`` (scenarios kept elsewhere than ``data/``; those of ``hidden``
        can be played by id but are not listed)."""
        return replace(self, scenarios={**self.scenarios, **extra}, hidden=self.hidden | frozenset(hidden))

    @property
    def kinds(self) -> Dict[str, str | None]:
        """scenario id → its kind of situation (which weights its grade)."""
        return {sid: scenario.kind for sid, scenario in self.scenarios.items()}


def _read_yaml(path: Path) -> Dict[str, Any]:
    data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    if not isinstance(data, dict):
        raise ScenarioError(path, ["le fichier doit contenir un dictionnaire"])
    return data


def load_library(data_dir: Path | None = None, extra_scenario_dirs: Sequence[Path] = ()) -> Library:
    """The library of ``data_dir`` (default ``NEGO_DATA_DIR``); ``extra_scenario_dirs`` add scenarios
    kept elsewhere (held-out tests)."""
    data_dir = data_dir or get_settings().data_dir
    scenario_dir = data_dir / "scenarios"
    defaults = _read_yaml(scenario_dir / "_defaults.yml").get("lines", {})
    missing = [k for k in LINE_KEYS if not defaults.get(k)]
    if missing:
        raise ScenarioError(scenario_dir / "_defaults.yml", [f"répliques manquantes : {', '.join(missing)}"])
    scenarios = load_scenarios(scenario_dir)
    for directory in extra_scenario_dirs:
        scenarios.update(load_scenarios(Path(directory)))
    return Library(scenarios=scenarios, default_lines=defaults, coach=_read_yaml(data_dir / "coach.yml"))


def _signature(data_dir: Path) -> tuple:
    files = sorted((data_dir / "scenarios").glob("*.yml")) + [data_dir / "coach.yml"]
    return tuple((f.name, f.stat().st_mtime_ns) for f in files if f.exists())


@lru_cache(maxsize=4)
def _cached(data_dir: Path, signature: tuple) -> Library:
    return load_library(data_dir)


def default_library(data_dir: Path | None = None) -> Library:
    """The library, reloaded when a file of ``data/`` changes (a teacher adds a scenario)."""
    data_dir = data_dir or get_settings().data_dir
    return _cached(data_dir, _signature(data_dir))
