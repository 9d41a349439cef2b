"""Everything the engine reads from ``data/``: scenarios, default lines, coach."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from functools import lru_cache
from pathlib import Path
from typing import Any, Dict, FrozenSet, List, Sequence, Tuple

import yaml
from pydantic import ValidationError

from bot.config import ROOT, get_settings
from bot.engine import variants
from bot.engine.desk_schema import DESK_LINE_KEYS, DeskLevel, DeskTask, is_desk
from bot.engine.play_schema import LEVELS, Level, Temperament
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
    #: the three default levels and the temperaments a variant draws (``_defaults.yml``)
    levels: Dict[str, Level] = field(default_factory=dict)
    temperaments: Dict[str, Temperament] = field(default_factory=dict)
    #: the levels and the manager's lines of the desk tasks (``desk_levels``, ``desk_lines``)
    desk_levels: Dict[str, DeskLevel] = field(default_factory=dict)
    desk_lines: Dict[str, List[str]] = field(default_factory=dict)
    _versions: Dict[Tuple[str, str, int], Scenario] = field(default_factory=dict, repr=False)

    def lines(self, scenario: Scenario, key: str) -> List[str]:
        defaults = self.desk_lines if is_desk(scenario) else self.default_lines
        return scenario.lines.get(key) or defaults.get(key) or [""]

    def scenario(self, scenario_id: str) -> Scenario:
        return self.scenarios[scenario_id]

    @property
    def scenario_ids(self) -> List[str]:
        return sorted(set(self.scenarios) - self.hidden)

    def with_scenarios(self, extra: Dict[str, Scenario], hidden: Sequence[str] = ()) -> Library:
        """This library plus ``extra`` (scenarios kept elsewhere than ``data/``; those of ``hidden``
        can be played by id but are not listed)."""
        # a cache of its own: a draft edited in place keeps its id, its drawn versions must not outlive it
        return replace(
            self, scenarios={**self.scenarios, **extra}, hidden=self.hidden | frozenset(hidden), _versions={}
        )

    @property
    def negotiations(self) -> Dict[str, Scenario]:
        """The scenarios played against a client persona (the desk tasks left out)."""
        return {sid: s for sid, s in self.scenarios.items() if not is_desk(s)}

    @property
    def kinds(self) -> Dict[str, str | None]:
        """scenario id → its kind of situation (which weights its grade)."""
        return {sid: scenario.kind for sid, scenario in self.scenarios.items()}

    def level(self, scenario: Scenario, name: str) -> Level:
        """Level ``name`` of ``scenario``: the default with what the scenario overrides."""
        if is_desk(scenario):
            return self.desk_level(scenario, name)  # type: ignore[return-value]
        return variants.level_of(self.levels, scenario.levels, name)

    def desk_level(self, task: DeskTask, name: str) -> DeskLevel:
        """Level ``name`` of a desk task: the default of ``desk_levels`` with what the task overrides."""
        name = name if name in LEVELS else "standard"
        base = self.desk_levels.get(name) or DeskLevel()
        own = task.levels.get(name)
        return base.copy(update=own.dict(exclude_unset=True)) if own is not None else base

    def version(self, scenario_id: str, level: str = "standard", variant: int = 0) -> Scenario:
        """The scenario played at ``level`` in ``variant`` (``standard``, 0: as written); cached."""
        key = (scenario_id, level if level in LEVELS else "standard", max(0, int(variant)))
        if key not in self._versions:
            written = self.scenarios[scenario_id]
            # built in code (nothing to draw from), or a desk task (no variant; its level is read apart)
            if not written._source or is_desk(written):
                self._versions[key] = written
            else:
                data = variants.draw(written._source, key[2], self.temperaments)
                data = variants.apply_level(data, self.level(written, key[1]))
                version = Scenario.parse_obj(data)
                version._source = written._source
                self._versions[key] = version
        return self._versions[key]

    def of(self, state: Any) -> Scenario:
        """The version a simulation plays (a :class:`SimulationState` or its stored dictionary)."""
        get = state.get if isinstance(state, dict) else lambda name, default: getattr(state, name, default)
        return self.version(get("scenario_id", ""), get("level", "standard") or "standard", get("variant", 0) or 0)


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
    levels, temperaments = _play_defaults(scenario_dir / "_defaults.yml")
    desk_levels, desk_lines = _desk_defaults(scenario_dir / "_defaults.yml")
    return Library(
        scenarios=scenarios,
        default_lines=defaults,
        coach=_read_yaml(data_dir / "coach.yml"),
        levels=levels,
        temperaments=temperaments,
        desk_levels=desk_levels,
        desk_lines=desk_lines,
    )


def _desk_defaults(path: Path) -> Tuple[Dict[str, DeskLevel], Dict[str, List[str]]]:
    """The desk tasks' default levels and manager's lines (``desk_levels``, ``desk_lines``), validated."""
    data = _read_yaml(path)
    try:
        levels = {name: DeskLevel.parse_obj(value or {}) for name, value in (data.get("desk_levels") or {}).items()}
    except ValidationError as exc:
        raise ScenarioError(path, [f"niveaux des tâches de rédaction invalides : {exc}"]) from None
    unknown = set(levels) - set(LEVELS)
    if unknown:
        raise ScenarioError(path, [f"niveau inconnu : {', '.join(sorted(unknown))} ; niveaux : {', '.join(LEVELS)}"])
    lines = {
        key: [value] if isinstance(value, str) else list(value) for key, value in (data.get("desk_lines") or {}).items()
    }
    missing = [key for key in DESK_LINE_KEYS if not lines.get(key)]
    if missing:
        raise ScenarioError(path, [f"répliques des tâches de rédaction manquantes : {', '.join(missing)}"])
    return levels, lines


def _play_defaults(path: Path) -> Tuple[Dict[str, Level], Dict[str, Temperament]]:
    """The default levels and temperaments of ``_defaults.yml``, validated (errors in French)."""
    data = _read_yaml(path)
    try:
        levels = {name: Level.parse_obj(value or {}) for name, value in (data.get("levels") or {}).items()}
        temperaments = {name: Temperament.parse_obj(v) for name, v in (data.get("temperaments") or {}).items()}
    except ValidationError as exc:
        raise ScenarioError(path, [f"niveaux ou tempéraments invalides : {exc}"]) from None
    unknown = set(levels) - set(LEVELS)
    if unknown:
        raise ScenarioError(path, [f"niveau inconnu : {', '.join(sorted(unknown))} ; niveaux : {', '.join(LEVELS)}"])
    return levels, temperaments


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
