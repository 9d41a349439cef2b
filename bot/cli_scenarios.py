"""``python -m bot.cli scenarios`` (``make scenarios``): every scenario file parsed, checked for
spoilers in what the student reads, and played at the three levels × the checked variants."""

from __future__ import annotations

import argparse

from bot.config import get_settings


def cmd_scenarios(args: argparse.Namespace) -> int:
    from bot.content.spoilers import leaks
    from bot.engine.desk_schema import is_desk
    from bot.engine.scenario import ScenarioError, parse_situation

    library = _library_or_none()
    status = int(library is None)
    for path in sorted(get_settings().scenarios_dir.glob("*.yml")):
        if path.name.startswith("_"):
            continue
        try:
            scenario = parse_situation(path)
        except ScenarioError as exc:
            status = 1
            print(f"ERREUR  {path.name}")
            for problem in exc.problems:
                print(f"        - {problem}")
            continue
        found = [] if is_desk(scenario) else leaks(scenario)  # a desk task shows the whole meeting on purpose
        errors = [leak for leak in found if leak.error]
        status = status or int(bool(errors))
        print(f"{'ERREUR' if errors else 'OK':8}{scenario.id:26} {scenario.title}")
        for leak in found:
            print(f"        - {'' if leak.error else 'à vérifier : '}{leak.message()}")
        status = _check_versions(library, scenario.id) or status
    return status


def _library_or_none():
    from bot.engine.library import load_library
    from bot.engine.scenario import ScenarioError

    try:
        return load_library(get_settings().data_dir)
    except ScenarioError as exc:
        if exc.path.name.startswith("_"):  # a scenario file is reported below, with its problems
            print(f"ERREUR  {exc}")
        return None
    except OSError as exc:
        print(f"ERREUR  bibliothèque illisible, niveaux et variantes non vérifiés : {exc}")
        return None


def _check_versions(library, scenario_id: str) -> int:
    """The three levels × the checked variants of one scenario (``make scenarios``); 1 when one breaks."""
    from bot.engine.desk_schema import is_desk
    from bot.engine.playable import CHECKED_VARIANTS, problems

    if library is None or scenario_id not in library.scenarios:
        return 0
    found = problems(library, scenario_id)
    if is_desk(library.scenarios[scenario_id]):
        print(f"        3 niveaux (tâche de rédaction, sans variante) : {'ERREUR' if found else 'jouables'}")
        for problem in found:
            print(f"        - {problem}")
        return int(bool(found))
    declared = library.scenarios[scenario_id].variants
    drawn = "variantes tirées" if declared.values or declared.objections or declared.temperaments else "sans plages"
    print(f"        3 niveaux × {CHECKED_VARIANTS + 1} variantes ({drawn}) : {'ERREUR' if found else 'jouables'}")
    for problem in found:
        print(f"        - {problem}")
    return int(bool(found))
