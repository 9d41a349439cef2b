"""The client persona: how the scenario's client reacts to each learner message.

Pure Python, no Rasa: :func:`start` opens a simulation, :func:`step` plays one learner message and
returns what the client (and the coach) answer. The message is understood once
(:func:`bot.language.understanding.understand`); the modules of this package then decide: which fact
answers a question (:mod:`.discovery`), how the proposal and its price land (:mod:`.proposal`), which
objection comes and what lifts it (:mod:`.objections`), what a discount or a payment term is worth
against the scenario (:mod:`.negotiation`), the change of parameters (:mod:`.change`) and the close
(:mod:`.closing`). The outcome follows only from what the learner did, never from a turn count.
"""

from __future__ import annotations

import random
import zlib
from dataclasses import dataclass, field
from typing import Dict, List

from bot.engine import coach, desk
from bot.engine.desk_schema import is_desk
from bot.engine.library import Library
from bot.engine.negotiation import OfferNews
from bot.engine.play_schema import LEVELS
from bot.engine.scenario import Limits, Scenario
from bot.engine.state import Move, SimulationState, Utterance
from bot.language.intents import CLIENT_MOVES, QUESTIONS, Intent
from bot.language.text import lower_first as lower_clause
from bot.language.understanding import PersonaName, Understanding, understand

#: how sure a match must be before a message the NLU took for a request to the coach is played as a question
CLEAR_QUESTION = 0.8
#: a price this close above the budget is within it (rounding, « environ 61 000 € »)
BUDGET_TOLERANCE = 1.005


@dataclass
class Reply:
    """What the bot says after one learner message, plus what happened."""

    utterances: List[Utterance] = field(default_factory=list)
    events: List[str] = field(default_factory=list)


class Simulation:
    """One scenario played for one learner: the state, the scenario, the message understood, the reply."""

    def __init__(self, library: Library, state: SimulationState, understanding: Understanding | None = None):
        self.library = library
        self.state = state
        self.scenario: Scenario = library.of(state)
        self.u: Understanding = understanding or Understanding(text="", normalized="")
        self.reply = Reply()
        self._rng = random.Random(state.seed * 7919 + state.turn)
        #: what this message changed in the offer (set when the turn is read: :func:`bot.engine.turn.remember`)
        self.news = OfferNews()
        #: the best fact of each question of this message (:func:`bot.engine.discovery.matched_facts`)
        self.ranked: Dict[tuple, tuple | None] = {}

    # ----------------------------------------------------------------- budget
    @property
    def limits(self) -> Limits:
        """The client's limits now (the change of parameters may bring new ones)."""
        changed = self.scenario.parameter_change.limits
        if changed is not None and self.state.change != "none":
            return changed
        return self.scenario.limits

    def over_budget(self) -> bool | None:
        """Whether the price on the table is above the budget (None: no budget, or no price yet)."""
        limits, state = self.limits, self.state
        checks = []
        if limits.budget_max and state.offer_total:
            checks.append(state.offer_total <= limits.budget_max * BUDGET_TOLERANCE)
        if limits.budget_max_monthly and state.offer_monthly:
            checks.append(state.offer_monthly <= limits.budget_max_monthly * BUDGET_TOLERANCE)
        if limits.budget_max_yearly and state.offer_yearly:
            checks.append(state.offer_yearly <= limits.budget_max_yearly * BUDGET_TOLERANCE)
        return None if not checks else not any(checks)

    def budget_values(self) -> Dict[str, str]:
        """Placeholders of the budget lines: {budget} (the limit) and {amount} (the price on the table)."""
        limits, state = self.limits, self.state
        if limits.budget_max_yearly and state.offer_yearly and not (limits.budget_max and state.offer_total):
            yearly = {"budget": limits.budget_max_yearly, "amount": state.offer_yearly}
            return {key: f"{fmt(value)} € par an" for key, value in yearly.items()}
        if limits.budget_max_monthly and state.offer_monthly and not (limits.budget_max and state.offer_total):
            return {
                "budget": f"{fmt(limits.budget_max_monthly)} € par mois",
                "amount": f"{fmt(state.offer_monthly)} € par mois",
            }
        budget = f"{fmt(limits.budget_max)} €" if limits.budget_max else "notre budget"
        amount = f"{fmt(state.offer_total)} €" if state.offer_total else "votre prix"
        return {"budget": budget, "amount": amount}

    # ------------------------------------------------------------------ lines
    def line(self, key: str, persona_id: str | None = None, **values: str) -> str:
        return self.fill(self.pick(key, self.library.lines(self.scenario, key)), persona_id, **values)

    def fill(self, template: str, persona_id: str | None = None, **values: str) -> str:
        """A line with its placeholders; ``{e}`` agrees with the speaking persona (« convaincu{e} »)."""
        persona = self.scenario.persona(self.voice(persona_id))
        return template.format_map(_Defaults({"e": "e" if persona.gender == "f" else "", **values}))

    def pick(self, key: str, options: List[str]) -> str:
        """A variant drawn from the learner's seed, never the previous one for this situation nor the last line."""
        last = self.state.last_lines.get(key, -1)
        indices = [i for i in range(len(options)) if i != last and options[i] != self.state.last_text]
        index = self._rng.choice(indices) if indices else 0
        self.state.last_lines[key] = index
        return options[index] if options else ""

    def voice(self, persona_id: str | None = None) -> str:
        """Who speaks: the persona asked for, else the one the learner addresses (if present), else the speaker."""
        if persona_id:
            return persona_id
        addressed = self.u.addressee
        if addressed and addressed in self.state.present_personas:
            return addressed
        return self.state.speaker or self.scenario.main_persona.id

    def say(self, text: str, persona_id: str | None = None) -> None:
        if not text:
            return
        persona = self.scenario.persona(self.voice(persona_id))
        self.state.active_persona = persona.id
        if persona.id not in self.state.present_personas:
            self.state.present_personas.append(persona.id)
        self.state.last_text = text
        previous = self.reply.utterances[-1] if self.reply.utterances else None
        if previous is not None and previous.speaker == "client" and previous.name == persona.name:
            previous.text = f"{previous.text} {text}"  # one persona, one message
            return
        self.reply.utterances.append(Utterance("client", text, name=persona.name))

    def say_line(self, key: str, persona_id: str | None = None, **values: str) -> None:
        self.say(self.line(key, persona_id, **values), persona_id)

    def nudge(self, name: str, **values: str) -> None:
        """A coach remark on a clear mistake (never in exam mode)."""
        self.event(name)
        if self.state.mode == "exam":
            return
        text = coach.nudge(self.library, name, **values)
        if text:
            self.reply.utterances.append(Utterance("coach", text, name="Coach", kind="nudge"))

    def event(self, name: str) -> None:
        self.reply.events.append(name)

    def warm(self, delta: int) -> None:
        self.state.warmth = max(-6, min(6, self.state.warmth + delta))

    # ------------------------------------------------- views used by the coach
    def needs_revealed(self) -> int:
        from bot.engine.discovery import needs_known

        return needs_known(self)

    def pending_objection(self):
        from bot.engine.objections import pending

        return pending(self)

    def missing_for_close(self) -> List[str]:
        from bot.engine.closing import missing_for_close

        return missing_for_close(self)


def personas_present(scenario: Scenario, state: SimulationState) -> List[PersonaName]:
    return [PersonaName(p.id, p.name, p.gender) for p in scenario.personas if p.id in state.present_personas]


def read(library: Library, state: SimulationState, move: Move) -> Understanding:
    """Understand a learner message in the context of this simulation (the scenario, who is present)."""
    scenario = library.of(state)
    negotiating = state.price_stated or any(
        s == "pending" and (o := scenario.objection(oid)) is not None and o.trigger in ("price", "close")
        for oid, s in state.objections.items()
    )
    return understand(
        move.text,
        move.intent,
        move.confidence,
        catalogue=[(p.ref, p.keywords) for p in scenario.catalogue],
        personas=personas_present(scenario, state),
        negotiating=negotiating,
        questions_expected=move.intent in QUESTIONS or move.intent == "check_satisfaction",
    )


def question_move(library: Library, state: SimulationState, text: str, min_probability: float = 0.0) -> str | None:
    """The question move for ``text`` when it asks the client about a fact of the scenario (or is a vague
    follow-up « vous pouvez préciser ? »), else None. The actions use it when the NLU heard a request to the
    coach (a hint, the debrief) in what is a question to the client (« on pourrait arrêter la production
    quand ? » is no request to stop the simulation)."""
    from bot.engine import discovery

    if state.ended or not text.strip() or text.lstrip().startswith("/"):
        return None
    sim = Simulation(library, state, read(library, state, Move(Intent.ASK_OPEN_QUESTION.value, text)))
    if not sim.u.questions:
        return None
    facts, vague, _ = discovery.matched_facts(sim, min_probability)
    if not (facts or (vague and sim.state.last_fact)):
        return None
    return (Intent.ASK_OPEN_QUESTION if discovery.is_open(sim) else Intent.ASK_CLOSED_QUESTION).value


def start(
    library: Library, scenario_id: str, seed: int = 0, mode: str = "training", level: str = "standard", variant: int = 0
) -> SimulationState:
    """A fresh state for ``scenario_id`` (which must exist in the library) at ``level``, in ``variant``
    (0: the scenario as written; see :mod:`bot.engine.variants`)."""
    if is_desk(library.scenarios[scenario_id]):
        return desk.start(library, scenario_id, seed, mode, level, variant)
    level = level if level in LEVELS else "standard"
    state = SimulationState(scenario_id=scenario_id, seed=seed, mode=mode, level=level, variant=max(0, variant))
    scenario = library.of(state)
    opening = scenario.persona(scenario.opening_persona)
    state.active_persona = opening.id
    state.speaker = opening.id
    state.present_personas = [opening.id] + [p.id for p in scenario.personas if p.present and p.id != opening.id]
    state.warmth = scenario.outcome.start_warmth
    state.objections = {o.id: "waiting" for o in scenario.objections}
    return state


def start_attempt(
    library: Library,
    scenario_id: str,
    seed: int,
    mode: str,
    options: List[str],
    previous: SimulationState | None = None,
) -> SimulationState:
    """A new attempt from the start message's options (« level:examen », « variant:3 », « variant:auto »).

    No variant option: variant 0, the scenario as written (the scripts and graded transcripts). « auto »:
    drawn from the learner's seed and the number of this attempt. A fixed number (a teacher's, for the
    whole class) also fixes the wording: the same variant and the same messages give the same conversation.
    """
    from bot.engine.variants import variant_for

    attempts = dict(previous.attempts) if previous is not None else {}
    attempts[scenario_id] = attempts.get(scenario_id, -1) + 1
    level = next((o.split(":", 1)[1] for o in options if o.startswith("level:")), "standard")
    chosen = next((o.split(":", 1)[1] for o in options if o.startswith("variant:")), "0")
    if chosen == "auto":
        variant = variant_for(seed, attempts[scenario_id])
    else:
        variant = int(chosen) if chosen.isdigit() and len(chosen) <= 6 else 0
        seed = seed if variant == 0 else variant
    state = start(library, scenario_id, seed=seed, mode=mode, level=level, variant=variant)
    state.attempts = attempts
    return state


def warm_up(library: Library) -> None:
    """Load now what the first learner message would wait for: the topic model, the facts of every scenario."""
    from bot.engine.discovery import fact_index
    from bot.language.topics import topic_model

    topic_model()
    for scenario in library.scenarios.values():
        if not is_desk(scenario):
            fact_index(scenario)


def seed_for(sender_id: str) -> int:
    return zlib.crc32(sender_id.encode("utf-8"))


def step(library: Library, state: SimulationState, move: Move, understanding: Understanding | None = None) -> Reply:
    """Play one learner message; mutate ``state`` and return the bot's answer."""
    from bot.engine import timing, turn

    if is_desk(library.scenarios.get(state.scenario_id)):
        return desk.step(library, state, move, understanding)
    state.turn += 1
    if state.ended:
        reply = Reply()
        reply.utterances.append(Utterance("coach", library.coach["ended"], name="Coach", kind="info"))
        return reply
    intent = move.intent if move.intent in CLIENT_MOVES | {Intent.OUT_OF_SCOPE.value} else Intent.INFORM.value
    move = Move(intent, move.text, move.confidence, move.entities)
    sim = Simulation(library, state, understanding or read(library, state, move))
    if sim.scenario.kind == "purchase":
        from bot.engine import purchase

        purchase.play(sim)  # the learner buys: the bot is the salesperson
    else:
        turn.play(sim)
    timing.check(sim)
    return sim.reply


def finish(state: SimulationState) -> None:
    """End the simulation (debrief asked): without an agreement, the deal is lost."""
    if state.outcome == "open":
        state.outcome = "lost"
        state.outcome_reason = state.outcome_reason or "entretien terminé sans accord"
    state.ended = True
    state.advance("leave_taking")


def lower_first(text: str) -> str:
    """A client line quoted inside a sentence (« votre objection : le prix reste trop élevé »):
    no final period, first letter lowered by the one rule of :func:`bot.language.text.lower_first`."""
    return lower_clause(text.strip().rstrip("."))


def short(text: str, limit: int = 90) -> str:
    text = text.strip().strip('«»"').strip()
    return text if len(text) <= limit else text[: limit - 1].rsplit(" ", 1)[0] + "…"


def fmt(value: float) -> str:
    """A number as a French reader writes it (« 61 000 », « 7,5 »)."""
    if abs(value - round(value)) < 0.005:
        return f"{round(value):,}".replace(",", "\u202f")
    return f"{value:,.2f}".replace(",", "\u202f").replace(".", ",")


class _Defaults(dict):
    def __missing__(self, key: str) -> str:
        return ""


__all__ = ["Reply", "Simulation", "start", "step", "seed_for", "finish", "read"]
