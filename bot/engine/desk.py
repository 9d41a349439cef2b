"""A desk task played: the sales manager who asked for the report, and the hand-in.

Why a persona and not a form: in a company the report is asked for, handed in and sent back when
something essential is missing. The manager (the task's main persona, « responsable commercial·e »)
gives the brief with the meeting record at the start; the student writes the report in one or several
messages; a hand-in phrase (cue list ``move.hand_in`` of ``data/lexicon/desk.yml``) hands it in. The
manager then checks it (:mod:`bot.engine.report`) and, once, asks for the one essential element that
is missing (a fact, a next step or its date, a wrong figure); the next hand-in, or the end command,
closes the task and the debrief follows. Every message is understood once by
:func:`bot.language.understanding.understand`; the lines are data (``desk_lines`` of ``_defaults.yml``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, List

from bot.engine import report
from bot.engine.desk_schema import DeskTask, is_desk
from bot.engine.inputs import asks_debrief
from bot.engine.play_schema import LEVELS
from bot.engine.state import Move, SimulationState, Utterance
from bot.language.lexicon import lexicon
from bot.language.text import lower_first, normalize
from bot.language.understanding import Understanding, understand

if TYPE_CHECKING:  # pragma: no cover
    from bot.engine.library import Library
    from bot.engine.simulation import Reply

#: a message this short that asks a question is a question to the manager, not a part of the report
QUESTION_WORDS = 25
#: a hand-in message longer than this also carries a part of the report
HAND_IN_WORDS = 14
#: the flag of the one follow-up the manager may ask for
FOLLOWED_UP = "desk_follow_up"
#: the event that tells the actions to close the task with the debrief
ENDED = "desk_end"
#: a request to end (« j'ai fini, je veux mon bilan ») is this short; a longer message is a part of the report
END_REQUEST_WORDS = 12


def start(library: Library, task_id: str, seed: int, mode: str, level: str, variant: int) -> SimulationState:
    level = level if level in LEVELS else "standard"
    task = library.scenarios[task_id]
    state = SimulationState(scenario_id=task_id, seed=seed, mode=mode, level=level, variant=0)
    state.active_persona = state.speaker = task.main_persona.id
    state.present_personas = [task.main_persona.id]
    return state


def _line(library: Library, task: DeskTask, state: SimulationState, key: str, **values: str) -> str:
    options = library.lines(task, key)
    text = options[(state.seed + state.turn) % len(options)]
    return text.format(name=task.main_persona.name, **values)


def _manager(task: DeskTask, text: str) -> Utterance:
    return Utterance("client", text, name=task.main_persona.name)


def _coach(text: str, kind: str = "info") -> Utterance:
    return Utterance("coach", text, name="Coach", kind=kind)


def briefing(task: DeskTask) -> str:
    """The task and the meeting record, as the coach shows them at the start (Markdown-light text)."""
    meeting = task.meeting
    manager = task.main_persona
    heading = "Transcription de l'entretien" if meeting.record_kind == "transcript" else "Vos notes de l'entretien"
    lines: List[str] = [
        f"📝 Tâche de rédaction : {task.title}",
        f"Date : {task.date}",
        f"Vous êtes : {task.learner}",
        f"Votre entreprise : {task.vendor}",
        f"Le client : {task.client}",
        f"Demandé par : {manager.name}, {manager.role}.",
        f"Le rendez-vous : {meeting.title}, {meeting.date}" + (f", {meeting.place}" if meeting.place else "") + ".",
        "Participants :",
        *[f"• {p}" for p in meeting.participants],
        f"Contexte : {meeting.context}",
        f"{heading} :",
        *[f"{line.speaker} : {line.text}" for line in meeting.record],
    ]
    return "\n".join(lines)


def opening(library: Library, task: DeskTask, state: SimulationState) -> List[Utterance]:
    """What the student reads at the start: the briefing, the manager's request, how to hand in."""
    level = library.desk_level(task, state.level)
    out = [_coach(briefing(task), "briefing"), _manager(task, " ".join(task.brief))]
    welcome = _line(library, task, state, "welcome")
    if level.checklist:
        welcome += (
            "\n" + _line(library, task, state, "checklist") + "\n" + "\n".join(f"• {s.label}" for s in task.sections)
        )
    if level.max_messages:
        welcome += "\n" + _line(library, task, state, "time_budget", count=str(level.max_messages))
    out.append(_coach(welcome, "welcome"))
    return out


def read(text: str, intent: str = "", confidence: float = 1.0) -> Understanding:
    return understand(text, intent, confidence)


def hands_in(u: Understanding) -> bool:
    """The message hands the report in (« je vous remets mon compte rendu »)."""
    return u.has("move.hand_in")


def step(library: Library, state: SimulationState, move: Move, understanding: Understanding | None = None) -> Reply:
    """One message of the student: a part of the report, a question to the manager, or the hand-in."""
    from bot.engine.simulation import Reply

    state.turn += 1
    reply = Reply()
    task = library.scenarios[state.scenario_id]
    if state.ended:
        reply.utterances.append(_coach(_line(library, task, state, "ended")))
        return reply
    u = understanding or read(move.text, move.intent, move.confidence)
    words = len(u.normalized.split())
    if hands_in(u):
        if words > HAND_IN_WORDS:
            state.written.append(move.text)
        hand_in(library, task, state, reply)
        return reply
    if u.questions and words <= QUESTION_WORDS and not state.written:
        reply.events.append("desk_question")
        reply.utterances.append(_manager(task, _line(library, task, state, "question")))
        return reply
    state.written.append(move.text)
    state.advance("discovery")
    reply.events.append("desk_written")
    level = library.desk_level(task, state.level)
    if level.max_messages and len(state.written) >= level.max_messages:
        reply.utterances.append(_manager(task, _line(library, task, state, "time_up")))
        hand_in(library, task, state, reply, forced=True)
        return reply
    reply.utterances.append(_manager(task, _line(library, task, state, "received")))
    return reply


def hand_in(library: Library, task: DeskTask, state: SimulationState, reply: Reply, forced: bool = False) -> None:
    """The manager reads the report: asks once for a missing essential element, or closes the task."""
    if not state.written:
        reply.utterances.append(_manager(task, _line(library, task, state, "nothing_written")))
        return
    result = report.check(task, state.written, report.asked_in(state.flags))
    missing = result.missing_element()
    level = library.desk_level(task, state.level)
    if missing and level.follow_up and not forced and FOLLOWED_UP not in state.flags:
        key, element_id, label = missing
        state.flag(FOLLOWED_UP)
        state.flag(f"{report.ASKED}:{element_id}:{len(state.written)}")
        state.advance("objections")
        reply.events.append(f"desk_follow_up:{key}")
        reply.utterances.append(_manager(task, _line(library, task, state, key, missing=lower_first(label))))
        return
    close(state, result)
    reply.events.append(ENDED)
    key = "accepted" if result.acceptable else "accepted_with_gaps"
    reply.utterances.append(_manager(task, _line(library, task, state, key)))


def close(state: SimulationState, result: report.ReportCheck | None) -> None:
    """The task ends: won when the manager can file the report as it is (essentials, exact, dated)."""
    if state.outcome == "open":
        if result is not None and result.acceptable:
            state.outcome = "won"
        else:
            state.outcome = "lost"
            state.outcome_reason = state.outcome_reason or (
                "aucun compte rendu remis" if result is None else "compte rendu incomplet ou inexact"
            )
    state.ended = True
    state.advance("leave_taking")


def finish(library: Library, state: SimulationState) -> None:
    """The end command (« /request_debrief »): the report is taken as it is."""
    task = library.scenarios[state.scenario_id]
    close(state, report.check(task, state.written, report.asked_in(state.flags)) if state.written else None)


def is_task(library: Library, state: SimulationState | None) -> bool:
    """The state plays a desk task (the actions branch on it)."""
    return state is not None and is_desk(library.scenarios.get(state.scenario_id))


def asks_end(text: str) -> bool:
    """The message ends the task: a command (« /request_debrief »), or a short request for the debrief;
    a part of the report that mentions « compte rendu » or « fin » does not."""
    if text.lstrip().startswith("/"):
        return True
    if lexicon()["move.hand_in"].found_in(normalize(text)):
        return False  # « je vous remets mon compte rendu »: the manager reads it first (one follow-up)
    return asks_debrief(text) and len(text.split()) <= END_REQUEST_WORDS


def asks_for_hint(text: str) -> bool:
    """The message asks the coach for help (a command or the words of ``hint_request``)."""
    return text.lstrip().startswith("/") or lexicon()["hint_request"].found_in(normalize(text))


def hint(library: Library, task: DeskTask, state: SimulationState) -> str:
    """The coach's hint: the first essential element still missing (training only)."""
    if state.ended:
        return _line(library, task, state, "ended")
    written = report.check(task, state.written, report.asked_in(state.flags)) if state.written else None
    missing = written.missing_essential() if written else None
    if missing is None and not state.written:
        missing = ("follow_up", task.sections[0].label)
    if missing is None:
        return _line(library, task, state, "hint_none")
    return _line(library, task, state, "hint", missing=lower_first(missing[1]))
