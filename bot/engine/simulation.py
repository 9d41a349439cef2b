"""The client persona: how the scenario's client reacts to each learner move.

Pure Python, no Rasa: :func:`start` opens a simulation, :func:`step` plays one
learner message and returns what the client (and the coach) answer. The outcome
follows only from what the learner did (discovery, solution, objections handled,
adaptation to the change, behaviour), never from a turn count.
"""

from __future__ import annotations

import random
import re
import zlib
from dataclasses import dataclass, field
from typing import List

from bot.engine import coach
from bot.engine.library import Library
from bot.engine.scenario import Fact, Objection, Scenario
from bot.engine.state import Move, SimulationState, Utterance
from bot.language.intents import (
    CLIENT_MOVES,
    CONTENT_MOVES,
    OBJECTION_REPLIES,
    QUESTIONS,
)
from bot.language.lexicon import lexicon
from bot.language.questions import last_question_form
from bot.language.text import any_keyword, catalogue_refs, count_keywords, is_tutoiement, normalize, percentages

QUESTION_INTENTS = QUESTIONS


@dataclass
class Reply:
    """What the bot says after one learner message, plus what happened."""

    utterances: List[Utterance] = field(default_factory=list)
    events: List[str] = field(default_factory=list)


class Simulation:
    """One scenario played for one learner; wraps a :class:`SimulationState`."""

    def __init__(self, library: Library, state: SimulationState):
        self.library = library
        self.state = state
        self.scenario: Scenario = library.scenario(state.scenario_id)
        self.reply = Reply()
        self._rng = random.Random(state.seed * 7919 + state.turn)

    # ----------------------------------------------------------------- helpers
    def _line(self, key: str, **values: str) -> str:
        options = self.library.lines(self.scenario, key)
        return self._pick(key, options).format_map(_Defaults(values))

    def _pick(self, key: str, options: List[str]) -> str:
        """A variant, never the previous one for this situation nor the last line said."""
        last = self.state.last_lines.get(key, -1)
        indices = [i for i in range(len(options)) if i != last and options[i] != self.state.last_text]
        index = self._rng.choice(indices) if indices else 0
        self.state.last_lines[key] = index
        return options[index]

    def say(self, text: str, persona_id: str | None = None) -> None:
        if not text:
            return
        persona = self.scenario.persona(persona_id or self.state.speaker or None)
        self.state.active_persona = persona.id
        if persona.id not in self.state.present_personas:
            self.state.present_personas.append(persona.id)
        self.state.last_text = text
        self.reply.utterances.append(Utterance("client", text, name=persona.name))

    def say_line(self, key: str, persona_id: str | None = None, **values: str) -> None:
        self.say(self._line(key, **values), persona_id)

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

    # ------------------------------------------------------------------- facts
    def _matching_facts(self, norm: str, move: Move) -> List[Fact]:
        topics = set(move.entity_values("topic"))
        topics |= {t for t, keys in self.library.topics.items() if any_keyword(norm, keys)}
        scored = []
        for order, fact in enumerate(self.scenario.facts):
            hits = count_keywords(norm, fact.keywords)
            if hits or fact.topic in topics:
                scored.append((-(hits * 2 + (fact.topic in topics)), order, fact))
        return [f for _, _, f in sorted(scored, key=lambda item: item[:2])]

    def _revealed_facts(self) -> List[Fact]:
        return [f for f in self.scenario.facts if f.id in self.state.revealed]

    def needs_revealed(self) -> int:
        return sum(1 for f in self._revealed_facts() if f.need)

    def answer_question(self, move: Move, norm: str) -> None:
        state = self.state
        # the form of the question decides how much the client says, whatever the label
        is_open = move.intent in {"ask_open_question", "check_satisfaction"} or last_question_form(norm) == "open"
        state.questions += 1
        state.open_questions += int(is_open)
        state.advance("discovery")
        matches = self._matching_facts(norm, move)
        fresh = [
            f for f in matches if state.revealed.get(f.id) != "full" and not (not is_open and f.id in state.revealed)
        ]
        if not matches and is_open:
            fresh = [f for f in self.scenario.facts if f.id not in state.revealed][:1]
        if fresh:
            if is_open:
                chosen = fresh[:2]
                for fact in chosen:
                    state.revealed[fact.id] = "full"
                self.say(" ".join(f.open for f in chosen))
            else:
                fact = fresh[0]
                state.revealed.setdefault(fact.id, "partial")
                self.say(fact.closed)
            self.event("fact_revealed")
            return
        if matches:
            self.say_line("already_said", answer=matches[0].closed)
            return
        self.say_line("open_unknown" if is_open else "closed_unknown")

    # ---------------------------------------------------------- reformulation
    def reformulate(self, norm: str) -> None:
        state = self.state
        state.reformulations += 1
        revealed = self._revealed_facts()
        if not revealed:
            self.say_line("reformulation_wrong")
            return
        covered = [f for f in revealed if any_keyword(norm, f.keywords)]
        missed = [f for f in revealed if f not in covered]
        missed.sort(key=lambda f: (not f.key, not f.need))
        important = [f for f in revealed if f.key or f.need] or revealed
        ratio = sum(1 for f in important if f in covered) / len(important)
        if covered and (ratio >= 0.6 or not any(f.key for f in missed)):
            if not state.reformulation_confirmed:
                self.warm(1)
            state.reformulation_confirmed = True
            self.event("reformulation_confirmed")
            self.say_line("reformulation_confirm")
        elif covered:
            self.event("reformulation_partial")
            self.say_line("reformulation_partial", missing=_lower_first(missed[0].closed))
        else:
            self.event("reformulation_wrong")
            self.say_line("reformulation_wrong")

    # --------------------------------------------------------------- proposal
    def _products_in(self, norm: str, text: str, move: Move) -> List[str]:
        found = [p.ref for p in self.scenario.catalogue if any_keyword(norm, p.keywords) or p.ref.lower() in norm]
        for value in move.entity_values("product"):
            value_norm = normalize(value)
            found += [p.ref for p in self.scenario.catalogue if any_keyword(value_norm, p.keywords)]
        return list(dict.fromkeys(found))

    def _unknown_refs(self, text: str) -> List[str]:
        return unknown_refs(self.scenario, text)

    def present_solution(self, move: Move, norm: str) -> None:
        state = self.state
        products = self._products_in(norm, move.text, move)
        unknown = self._unknown_refs(move.text)
        state.products = list(dict.fromkeys(state.products + products))
        if unknown and not products:
            self.event("unknown_product")
            self.say_line("solution_unknown_product")
            return
        if not state.revealed:
            self._premature()
            return
        if self.needs_revealed() < self.scenario.outcome.min_needs:
            self.event("solution_unfit")
            self.say_line("solution_unfit")
            return
        first = not state.solution_presented
        state.solution_presented = True
        state.advance("proposal")
        self.event("solution_presented")
        if first or products:
            self.say_line("solution_fit")
        else:
            self.say_line("argument_reply")

    def _premature(self) -> None:
        self.warm(-1)
        self.state.flag("premature_argument")
        self.say_line("premature_argument")
        self.nudge("premature_argument")

    def argue(self, move: Move, norm: str) -> None:
        state = self.state
        products = self._products_in(norm, move.text, move)
        state.products = list(dict.fromkeys(state.products + products))
        if not state.revealed:
            self._premature()
            return
        core = {p.ref for p in self.scenario.catalogue if p.core}
        if not state.solution_presented and core & set(products):
            # An argued proposal of catalogue products is a proposal, whatever its label.
            self.present_solution(move, norm)
            return
        proof = any(ch.isdigit() for ch in norm) or lexicon()["proof"].found_in(norm)
        self.say_line("argument_reply" if proof else "argument_weak")

    def state_price(self, move: Move, norm: str) -> None:
        state = self.state
        state.products = list(dict.fromkeys(state.products + self._products_in(norm, move.text, move)))
        if not state.solution_presented:
            if state.revealed and self.needs_revealed() >= self.scenario.outcome.min_needs and state.products:
                state.solution_presented = True
            else:
                self.event("premature_price")
                self.say_line("premature_price")
                return
        first = not state.price_stated
        state.price_stated = True
        state.advance("proposal")
        self.event("price_stated")
        if first:
            self.say_line("price_reply")
        else:
            self.say_line("argument_reply")

    # ------------------------------------------------------------- objections
    def _objection(self, objection_id: str | None) -> Objection | None:
        return next((o for o in self.scenario.objections if o.id == objection_id), None)

    def pending_objection(self) -> Objection | None:
        current = self._objection(self.state.current_objection)
        if current and self.state.objections.get(current.id) == "pending":
            return current
        return None

    def check_preemption(self, norm: str, move: Move) -> None:
        """An objection the learner answers before it comes up will not be raised."""
        if move.intent not in {
            "argue_benefit",
            "present_solution",
            "inform",
            "handle_objection",
            "state_price",
            "offer_concession",
        }:
            return
        for objection in self.scenario.objections:
            status = self.state.objections.get(objection.id, "waiting")
            if status == "waiting" and objection.preempted_by and any_keyword(norm, objection.preempted_by):
                self.state.objections[objection.id] = "preempted"
                self.event(f"objection_preempted:{objection.id}")

    def _trigger_reached(self, trigger: str) -> bool:
        state = self.state
        return {
            "start": True,
            "proposal": state.solution_presented,
            "price": state.price_stated,
            "change": state.change in ("announced", "adapted"),
            "close": False,
        }[trigger]

    def raise_next_objection(self, trigger: str | None = None) -> bool:
        if self.pending_objection():
            return False
        for objection in self.scenario.objections:
            if self.state.objections.get(objection.id, "waiting") != "waiting":
                continue
            if (trigger and objection.trigger == trigger) or (not trigger and self._trigger_reached(objection.trigger)):
                self.state.objections[objection.id] = "pending"
                self.state.current_objection = objection.id
                self.state.advance("objections")
                self.event(f"objection_raised:{objection.id}")
                self.say(self._pick(f"objection:{objection.id}", objection.text), objection.persona)
                return True
        return False

    def answer_objection(self, objection: Objection, move: Move, norm: str) -> None:
        state = self.state
        persona = objection.persona
        if objection.illegal and self._accepts_illegal(move, norm):
            state.objections[objection.id] = "conceded"
            state.flag("illegal_accepted")
            self.event(f"objection_conceded:{objection.id}")
            self.say(self._line("objection_conceded"), persona)
            self.nudge("illegal_accepted")
            return
        keywords_ok = not objection.resolved_by.keywords or any_keyword(norm, objection.resolved_by.keywords)
        substantive = keywords_ok and len(norm.split()) >= 10
        if (move.intent == "acknowledge_objection" and not substantive) or (
            move.intent == "reformulate" and not keywords_ok
        ):
            if objection.id not in state.acknowledged:
                state.acknowledged.append(objection.id)
            self.say(self._pick(f"clarification:{objection.id}", objection.clarification), persona)
            return
        # The NLU often hesitates between answering moves: the content decides.
        moves_ok = move.intent in objection.resolved_by.moves or move.intent in CONTENT_MOVES | {"state_price"}
        if move.intent == "offer_concession":
            self.concession(move, norm, quiet=True)
            if state.ended:
                return
        if moves_ok and keywords_ok:
            state.objections[objection.id] = "resolved"
            state.current_objection = None
            self.warm(1)
            self.event(f"objection_resolved:{objection.id}")
            self.say(self._pick(f"resolved:{objection.id}", objection.resolved), persona)
            if objection.then_persona:
                state.speaker = objection.then_persona
                self.event(f"persona_switch:{objection.then_persona}")
            if state.change == "none" and self.scenario.parameter_change.trigger == "first_objection_resolved":
                self.announce_change()
            return
        attempts = state.objection_attempts.get(objection.id, 0) + 1
        state.objection_attempts[objection.id] = attempts
        if attempts % 3 == 0:
            self.warm(-1)
        self.event(f"objection_insist:{objection.id}")
        if objection.max_attempts and attempts >= objection.max_attempts:
            self.say(self._pick(f"insist:{objection.id}", objection.insist), persona)
            self.lose("le client a mis fin à l'échange face à l'insistance", "walkout")
            return
        self.say(self._pick(f"insist:{objection.id}", objection.insist), persona)

    def resolves(self, objection: Objection, norm: str) -> bool:
        keywords = objection.resolved_by.keywords
        return bool(keywords) and any_keyword(norm, keywords)

    def _accepts_illegal(self, move: Move, norm: str) -> bool:
        if lexicon()["refuse"].found_in(norm) or move.intent == "deny":
            return False
        if move.intent == "affirm":
            return True
        return (
            move.intent in {"offer_concession", "inform", "handle_objection"}
            and "90" in norm
            and lexicon()["accept"].found_in(norm)
        )

    # --------------------------------------------------------------- change
    def change_due(self) -> bool:
        trigger = self.scenario.parameter_change.trigger
        return (trigger == "proposal" and self.state.solution_presented) or (
            trigger == "price" and self.state.price_stated
        )

    def announce_change(self) -> None:
        change = self.scenario.parameter_change
        self.state.change = "announced"
        if change.persona and change.persona not in self.state.present_personas:
            self.event(f"persona_joined:{change.persona}")
        self.event("parameter_change")
        self.say(self._pick("change", change.text), change.persona)
        if change.takes_over and change.persona:
            self.state.speaker = change.persona
            self.event(f"persona_switch:{change.persona}")

    def check_change_adapted(self, move: Move, norm: str) -> bool:
        change = self.scenario.parameter_change
        if self.state.change != "announced":
            return False
        if (move.intent in change.adapted_by.moves or move.intent in CONTENT_MOVES | {"state_price"}) and (
            not change.adapted_by.keywords or any_keyword(norm, change.adapted_by.keywords)
        ):
            self.state.change = "adapted"
            self.warm(1)
            self.event("change_adapted")
            self.say(self._pick("change_adapted", change.adapted), change.persona)
            return True
        return False

    # ------------------------------------------------------------ concessions
    def concession(self, move: Move, norm: str, quiet: bool = False) -> None:
        state = self.state
        pcts = percentages(move.text)
        trade = lexicon()["counterpart"].found_in(norm)
        beyond = any(p > self.scenario.cgv.max_discount_pct for p in pcts)
        state.concessions.append(
            {"turn": state.turn, "percent": max(pcts) if pcts else None, "trade": trade, "beyond": beyond}
        )
        if beyond:
            state.flag("beyond_margin")
            self.nudge("beyond_margin", max=_fmt(self.scenario.cgv.max_discount_pct))
            if self.scenario.outcome.beyond_margin_loses:
                lines = self.scenario.outcome.overruled or self.library.lines(self.scenario, "close_lost")
                self.say(self._pick("overruled", lines))
                self.lose("engagement hors marge désavoué par la hiérarchie", "close_lost")
                return
        if not trade:
            state.flag("unilateral_concession")
            self.nudge("unilateral_concession")
        if quiet:
            return
        if beyond:
            self.say_line("concession_beyond_margin")
        elif trade:
            self.warm(1)
            self.say_line("concession_trade")
        else:
            self.say_line("concession_unilateral")

    # ----------------------------------------------------------------- close
    def missing_for_close(self) -> List[str]:
        state, outcome = self.state, self.scenario.outcome
        texts = self.library.coach["missing"]
        missing: List[str] = []
        if self.needs_revealed() < outcome.min_needs:
            missing.append(texts["needs"])
        for fact_id in outcome.required_facts:
            if fact_id not in state.revealed:
                fact = next(f for f in self.scenario.facts if f.id == fact_id)
                missing.append(texts["fact"].format(label=_lower_first(fact.label)))
        if not state.solution_presented:
            missing.append(texts["solution"])
        elif outcome.requires_price and not state.price_stated:
            missing.append(texts["price"])
        if state.change == "announced":
            missing.append(texts["change"])
        if state.warmth < outcome.min_warmth:
            missing.append(texts["warmth"])
        return missing

    def close(self, norm: str = "") -> None:
        state = self.state
        state.advance("closing")
        state.signal_pending = False
        if state.outcome == "won":
            self.say_line("affirm_reply")
            return
        pending = self.pending_objection()
        if pending:
            state.failed_closes += 1
            self.say_line("close_pending_objection", objection=_lower_first(_short(pending.text[0])))
        else:
            if (
                not state.solution_presented
                and not self.scenario.outcome.requires_price
                and state.revealed
                and self.needs_revealed() >= self.scenario.outcome.min_needs
            ):
                # In a prospecting call, asking for a dated meeting is the proposal itself.
                state.solution_presented = True
                self.event("solution_presented")
            missing = self.missing_for_close()
            # The last objections (« je dois passer par le groupe ») come when the deal is otherwise ready.
            if not missing and self.raise_next_objection(trigger="close"):
                return
            required = self.scenario.outcome.close_requires
            if not missing and required and not any_keyword(norm, required):
                state.failed_closes += 1
                self.event("close_vague")
                lines = self.scenario.outcome.close_vague or self.library.lines(self.scenario, "close_not_ready")
                self.say(self._pick("close_vague", lines).format_map(_Defaults(missing="")))
                if state.failed_closes >= self.scenario.outcome.max_failed_closes:
                    self.lose("le client a refusé de conclure après plusieurs tentatives", "close_lost")
                return
            if not missing:
                state.outcome = "won"
                state.outcome_reason = "accord obtenu"
                self.warm(1)
                self.event("deal_won")
                self.say_line("close_won")
                return
            state.failed_closes += 1
            self.warm(-1)
            self.event("close_refused")
            self.say_line("close_not_ready", missing=missing[0])
        if state.failed_closes >= self.scenario.outcome.max_failed_closes:
            self.lose("le client a refusé de conclure après plusieurs tentatives", "close_lost")

    def lose(self, reason: str, line: str) -> None:
        self.state.outcome = "lost"
        self.state.outcome_reason = reason
        self.state.ended = True
        self.state.advance("leave_taking")
        self.event("deal_lost")
        self.say_line(line)

    def maybe_signal(self) -> None:
        state = self.state
        if (
            state.outcome == "open"
            and state.solution_presented
            and (state.price_stated or not self.scenario.outcome.requires_price)
            and not self.pending_objection()
            and state.change != "announced"
            and state.warmth >= self.scenario.outcome.min_warmth
            and self.needs_revealed() >= self.scenario.outcome.min_needs
            and not state.signal_pending
            and state.signals_given < len(self.scenario.signals)
        ):
            waiting = [
                o
                for o in self.scenario.objections
                if state.objections.get(o.id, "waiting") == "waiting" and o.trigger != "close"
            ]
            if waiting:
                return
            state.signals_given += 1
            state.signal_pending = True
            self.event("acceptance_signal")
            self.say(self._pick("signal", self.scenario.signals))


def start(library: Library, scenario_id: str, seed: int = 0, mode: str = "training") -> SimulationState:
    """A fresh state for ``scenario_id`` (which must exist in the library)."""
    scenario = library.scenario(scenario_id)
    state = SimulationState(scenario_id=scenario_id, seed=seed, mode=mode)
    opening = scenario.persona(scenario.opening_persona)
    state.active_persona = opening.id
    state.speaker = opening.id
    state.present_personas = [opening.id]
    state.warmth = scenario.outcome.start_warmth
    state.objections = {o.id: "waiting" for o in scenario.objections}
    return state


def unknown_refs(scenario: Scenario, text: str) -> List[str]:
    """References shaped like the catalogue's (same prefix) but absent from it: invented."""
    refs = {p.ref.upper() for p in scenario.catalogue}
    prefixes = {r.split("-")[0] for r in refs}
    return [r for r in catalogue_refs(text) if r.upper() not in refs and r.split("-")[0].upper() in prefixes]


def finish(state: SimulationState) -> None:
    """End the simulation (debrief asked): without an agreement, the deal is lost."""
    if state.outcome == "open":
        state.outcome = "lost"
        state.outcome_reason = "entretien terminé sans accord"
    state.ended = True
    state.advance("leave_taking")


def seed_for(sender_id: str) -> int:
    return zlib.crc32(sender_id.encode("utf-8"))


def step(library: Library, state: SimulationState, move: Move) -> Reply:
    """Play one learner message; mutate ``state`` and return the bot's answer."""
    state.turn += 1
    sim = Simulation(library, state)
    if state.ended:
        sim.reply.utterances.append(Utterance("coach", library.coach["ended"], name="Coach", kind="info"))
        return sim.reply
    norm = normalize(move.text)
    intent = move.intent if move.intent in CLIENT_MOVES else "inform"
    if intent == "say_goodbye" and "?" in norm:
        # a message that asks something is not a leave-taking (« Bonjour…, comment… ? »)
        intent = "ask_open_question" if last_question_form(norm) == "open" else "ask_closed_question"
    if intent == "denigrate_competitor" and move.confidence < 0.6 and not lexicon()["denigrate"].found_in(norm):
        intent = "inform"  # an uncertain label is not enough to blame the learner
    if (
        intent in {"present_solution", "ask_closed_question", "plan_follow_up", "check_agreement", "state_price"}
        and state.solution_presented
        and (state.price_stated or not sim.scenario.outcome.requires_price)
        and "?" in norm
        and lexicon()["close"].found_in(norm)
    ):
        intent = "propose_close"  # « on valide ? », « je vous prépare le bon de commande ? »
    move = Move(intent, move.text, move.confidence, move.entities)
    _check_register(sim, norm)
    if state.signal_pending and intent not in {
        "propose_close",
        "summarize_deal",
        "inform",
        "affirm",
        "plan_follow_up",
        "check_agreement",
        "reformulate",
    }:
        sim.nudge("signal_ignored")
    if intent not in {"propose_close", "summarize_deal"}:
        state.signal_pending = state.signal_pending and intent in {"inform", "affirm", "check_agreement", "reformulate"}
    opening = state.turn == 1 or not (state.greeted or state.introduced or state.questions)
    if opening and intent not in {"greet", "introduce_self", "state_agenda"} and not state.greeted:
        sim.warm(-1)
        sim.event("no_greeting")
        sim.say_line("no_greeting")
    warmth_before = state.warmth
    _dispatch(sim, intent, move, norm)
    if state.outcome == "open" and not state.ended:
        if state.warmth <= sim.scenario.outcome.walkout_warmth:
            sim.lose("le client a mis fin à l'entretien", "walkout")
        else:
            if not sim.pending_objection() and state.change == "none" and sim.change_due():
                sim.announce_change()
            if not sim.pending_objection() and state.change != "announced":
                sim.raise_next_objection()
            sim.maybe_signal()
            if state.warmth <= -2 and state.warmth < warmth_before and not state.ended:
                sim.event("cooling")
                sim.say_line("cooling")
    return sim.reply


def _check_register(sim: Simulation, norm: str) -> None:
    if is_tutoiement(norm) or lexicon()["familiar_words"].found_in(norm):
        first = "register" not in sim.state.flags
        sim.state.flag("register")
        if first:
            sim.nudge("register")


PRICE_PATTERN = re.compile(r"\d[\d  .,]*\s*(€|k€|euros?\b|eur\b|ht\b|ttc\b|par mois|/mois)")


def _dispatch(sim: Simulation, intent: str, move: Move, norm: str) -> None:
    state = sim.state
    sim.check_preemption(norm, move)
    if (
        intent
        in {"inform", "summarize_deal", "argue_benefit", "present_solution", "handle_objection", "offer_concession"}
        and state.solution_presented
        and not state.price_stated
        and PRICE_PATTERN.search(norm)
    ):
        # A price given inside another move still counts as announced.
        state.price_stated = True
        sim.event("price_stated")
    if sim.check_change_adapted(move, norm) and intent not in {"propose_close", "summarize_deal"}:
        return
    pending = sim.pending_objection()
    if pending and (
        (intent != "state_price" and intent in set(pending.resolved_by.moves) | OBJECTION_REPLIES)
        or (intent in CONTENT_MOVES | {"state_price"} and sim.resolves(pending, norm))
    ):
        sim.answer_objection(pending, move, norm)
        return
    if pending and intent in QUESTION_INTENTS and pending.id not in state.acknowledged:
        # « Qu'entendez-vous par là ? » : questioning the objection qualifies it.
        state.acknowledged.append(pending.id)
        sim.say(sim._pick(f"clarification:{pending.id}", pending.clarification), pending.persona)
        return
    if intent == "greet":
        first = not state.greeted
        state.greeted = True
        if first and state.turn <= 2:
            sim.warm(1)
        sim.say_line("greet_reply")
    elif intent == "introduce_self":
        state.greeted = True
        state.introduced = True
        sim.say_line("intro_reply")
    elif intent == "state_agenda":
        state.agenda = True
        sim.say_line("agenda_reply")
    elif intent in QUESTION_INTENTS:
        sim.answer_question(move, norm)
    elif intent == "check_satisfaction":
        if state.outcome == "won":
            sim.say_line("satisfaction_reply")
        else:
            sim.answer_question(move, norm)
    elif intent == "reformulate":
        sim.reformulate(norm)
    elif intent == "present_solution":
        sim.present_solution(move, norm)
    elif intent == "argue_benefit":
        sim.argue(move, norm)
    elif intent == "state_price":
        sim.state_price(move, norm)
    elif intent == "check_agreement":
        if pending:
            sim.say_line("check_agreement_pending", objection=_lower_first(_short(pending.text[0])))
        else:
            sim.say_line("check_agreement_ok")
    elif intent == "acknowledge_objection":
        sim.say_line("acknowledge_no_objection")
    elif intent == "handle_objection":
        sim.argue(move, norm)
    elif intent == "offer_concession":
        sim.concession(move, norm)
    elif intent == "denigrate_competitor":
        sim.warm(-2)
        state.flag("denigrate")
        sim.say_line("denigrate_reaction")
        sim.nudge("denigrate")
    elif intent == "propose_close":
        sim.close(norm)
    elif intent == "summarize_deal":
        state.summary = True
        if state.outcome == "won":
            sim.say_line("summary_reply")
        else:
            sim.close(norm)
    elif intent == "propose_additional_sale":
        if state.outcome == "won" or state.signals_given:
            state.additional_sale = True
            sim.say_line("additional_sale_ok")
        else:
            sim.say_line("additional_sale_early")
    elif intent == "plan_follow_up":
        state.follow_up = True
        sim.say_line("follow_up_reply")
    elif intent == "say_goodbye":
        state.advance("leave_taking")
        state.ended = True
        if state.outcome == "won":
            sim.say_line("goodbye_won")
        else:
            state.outcome = "lost"
            state.outcome_reason = "entretien terminé sans accord"
            sim.event("deal_lost")
            sim.say_line("goodbye_open")
    elif intent == "affirm":
        sim.say_line("affirm_reply")
    elif intent == "deny":
        sim.say_line("deny_reply")
    else:
        sim.say_line("inform_reply")


def _lower_first(text: str) -> str:
    text = text.strip().rstrip(".")
    return text[:1].lower() + text[1:] if text and not text[:2].isupper() else text


def _short(text: str, limit: int = 90) -> str:
    text = text.strip().strip('«»"').strip()
    return text if len(text) <= limit else text[: limit - 1].rsplit(" ", 1)[0] + "…"


def _fmt(value: float) -> str:
    return f"{value:g}".replace(".", ",")


class _Defaults(dict):
    def __missing__(self, key: str) -> str:
        return ""


__all__ = ["Reply", "Simulation", "start", "step", "seed_for"]
