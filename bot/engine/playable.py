"""Whether every version of a scenario can be played: the three levels × the first variants.

Why: a teacher who declares ranges (``variants:``) or overrides a level must learn at once, from
``make scenarios``, that a drawn version breaks (an unknown temperament, a placeholder without a value,
no objection left) or that its briefing gives away a hidden fact (a drawn budget equal to a figure of
the briefing), not from a student in the middle of an exam.
"""

from __future__ import annotations

import re
from typing import List

from bot.content.spoilers import drawn_leaks
from bot.engine.desk_schema import is_desk
from bot.engine.library import Library
from bot.engine.play_schema import LEVELS
from bot.engine.state import Move

#: variants checked besides 0 (the scenario as written)
CHECKED_VARIANTS = 12
#: a placeholder of ``variants.values`` left in a text: a value the scenario forgot to declare
_LEFT = re.compile(r"\{[a-z][a-z0-9_]*\.raw\}")


def problems(library: Library, scenario_id: str, variants: int = CHECKED_VARIANTS) -> List[str]:
    """What is wrong with the versions of ``scenario_id``, in French (empty: all playable)."""
    from bot.engine import simulation

    found: List[str] = []
    if is_desk(library.scenarios[scenario_id]):
        return desk_problems(library, scenario_id)
    declared = library.scenarios[scenario_id].variants.temperaments
    unknown = [name for name in declared if name not in library.temperaments]
    if unknown:
        return [f"tempérament inconnu : {', '.join(unknown)} ; possibles : {', '.join(sorted(library.temperaments))}"]
    for level in LEVELS:
        for variant in range(variants + 1):
            where = f"niveau {level}, variante {variant}"
            try:
                version = library.version(scenario_id, level, variant)
                state = simulation.start(library, scenario_id, seed=variant, level=level, variant=variant)
                reply = simulation.step(library, state, Move("greet", "Bonjour, merci de me recevoir."))
            except Exception as exc:  # noqa: BLE001 - every failure is reported to the teacher
                found.append(f"{where} : {exc}")
                continue
            if _LEFT.search(version.json()):
                found.append(f"{where} : une valeur « {{….raw}} » n'est pas déclarée dans variants.values")
            if not any(u.speaker == "client" for u in reply.utterances):
                found.append(f"{where} : le client ne répond pas au bonjour")
    if not found:  # the briefing of each drawn version, not only the file's
        found += [
            f"variante {n} : {leak.message()}" for n, leak in drawn_leaks(library, scenario_id, variants) if leak.error
        ]
    return found


def desk_problems(library: Library, task_id: str) -> List[str]:
    """A desk task at each level: the opening, a part of the report answered by the manager, the hand-in
    checked; and its model report (« corrigé »), when written, accepted by the manager."""
    from bot.engine import desk, report, simulation

    found: List[str] = []
    task = library.scenarios[task_id]
    for level in LEVELS:
        try:
            state = simulation.start(library, task_id, level=level)
            opening = desk.opening(library, task, state)
            reply = simulation.step(library, state, Move("inform", task.meeting.context))
            ended = simulation.step(library, state, Move("inform", "Je vous remets mon compte rendu."))
        except Exception as exc:  # noqa: BLE001 - every failure is reported to the teacher
            found.append(f"niveau {level} : {exc}")
            continue
        if len(opening) < 2 or not any(u.speaker == "client" for u in reply.utterances + ended.utterances):
            found.append(f"niveau {level} : la ou le responsable ne répond pas")
    if task.model_transcript and not report.check(task, [line.text for line in task.model_transcript]).acceptable:
        found.append(
            "le corrigé (model_transcript) ne serait pas accepté : vérifiez les chiffres, les dates et l'essentiel"
        )
    return found
