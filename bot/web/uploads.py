"""Limits on what teachers upload: scenario YAML files and CSV rosters.

A 6.7 KB YAML file with nested aliases (a "billion laughs") expanded to 360,000
validation errors, 23 s and 834 MB (issue 14). Before the scenario parser sees a file,
its YAML events are read one by one with libyaml: any anchor, alias or merge key is
refused (no scenario needs them) and so is a file of more than ``MAX_YAML_EVENTS``
nodes, so nothing can expand. The errors shown are capped too.
"""

from __future__ import annotations

from typing import List

import yaml

MAX_SCENARIO_BYTES = 300_000
#: the largest scenario file has about 1,700 events
MAX_YAML_EVENTS = 20_000
MAX_ERRORS_SHOWN = 30
MAX_ROSTER_BYTES = 200_000

_Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def yaml_problems(text: str) -> List[str]:
    """Why ``text`` may not be parsed as a scenario (French), or ``[]``; stops at the first problem."""
    if len(text.encode("utf-8")) > MAX_SCENARIO_BYTES:
        return [f"Fichier trop volumineux ({MAX_SCENARIO_BYTES // 1000} Ko au plus)."]
    count = 0
    try:
        for event in yaml.parse(text, Loader=_Loader):
            count += 1
            if count > MAX_YAML_EVENTS:
                return [f"Fichier trop complexe (plus de {MAX_YAML_EVENTS} éléments YAML) : est-ce bien un scénario ?"]
            if isinstance(event, yaml.AliasEvent) or getattr(event, "anchor", None):
                line = event.start_mark.line + 1 if event.start_mark else "?"
                return [
                    f"Ligne {line} : les ancres et alias YAML (&nom, *nom) ne sont pas acceptés ; "
                    "écrivez chaque valeur en entier."
                ]
            if isinstance(event, yaml.ScalarEvent) and event.value == "<<" and not event.style:
                line = event.start_mark.line + 1 if event.start_mark else "?"
                return [f"Ligne {line} : la fusion YAML (<<) n'est pas acceptée ; écrivez chaque valeur en entier."]
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"ligne {mark.line + 1}" if mark else "fichier"
        return [f"YAML illisible ({where}) : vérifiez l'indentation et les deux-points."]
    return []


def capped(problems: List[str], limit: int = MAX_ERRORS_SHOWN) -> List[str]:
    """The first ``limit`` problems, then how many more there are (in French)."""
    if len(problems) <= limit:
        return list(problems)
    return list(problems[:limit]) + [f"… et {len(problems) - limit} autre(s) erreur(s) non affichée(s)."]
