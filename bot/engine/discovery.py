"""Discovery: the client answers the question that was asked, and remembers what he already said.

A question is matched to one fact of the scenario (:mod:`bot.language.matching`); the client answers
with it, in full for an open question and briefly for a closed one. A fact already given is answered
again (« comme je vous le disais… ») and deepened when an open question follows a short answer; a
vague follow-up (« et sinon ? ») deepens the fact under discussion once, then asks the learner to be
precise; a question that matches no fact gets « c'est-à-dire ? », never another fact; small talk gets a
polite redirection in character. The learner's own statements are remembered too: a fact the learner
establishes himself counts as known at the close.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import TYPE_CHECKING, List, Mapping, Sequence, Tuple

from bot.engine.scenario import Fact, Scenario
from bot.language.facets import asked_facets, told_facets
from bot.language.intents import QUESTIONS, Intent
from bot.language.matching import FactIndex, FactView, stems
from bot.language.text import has_keyword, lower_first, normalize, proper_nouns
from bot.language.topics import SATISFACTION, topic_scores
from bot.language.understanding import Question, name_words, titled_names

if TYPE_CHECKING:  # pragma: no cover
    from bot.engine.simulation import Simulation

#: how sure the topic classifier must be that a question without a fact is a vague follow-up / small talk
VAGUE_MIN = 0.45
OFF_TOPIC_MIN = 0.45
#: a question whose words are this much in the scenario's facts is never small talk (« Le technicien est arrivé
#: à quelle heure, finalement ? »: the client asks what is meant instead of calling the learner back to the point)
BUSINESS_OVERLAP_MIN = 0.6
#: how sure a match must be when the move is not a question (a greeting, an agenda that asks something)
CARRIED_QUESTION_MIN = 0.8
#: a question of a message with fewer content words than this borrows the previous question's words
SHORT_FOLLOW_UP = 2
#: a question that refers back to what was said takes the likeliest fact already given, if it is at least this
#: likely; when the ranker has a fact of its own, only among its first choices and with this share of its probability
RECALL_MIN_PROBABILITY = 0.02
RECALL_MAX_RANK = 3
RECALL_SHARE_OF_BEST = 0.5
#: at most this many facts in one answer (a double question gets both)
MAX_FACTS_PER_ANSWER = 2


def fact_view(fact: Fact) -> FactView:
    return FactView(
        id=fact.id,
        topics=(fact.topic, *fact.also_topics),
        keywords=tuple(fact.keywords),
        text=" ".join([fact.label, *fact.open, *fact.closed]),
        label=fact.label,
        texts=(fact.label, *fact.open, *fact.closed),
    )


@lru_cache(maxsize=64)
def _index(scenario_id: str, key: int, facts: Tuple[FactView, ...]) -> FactIndex:
    return FactIndex(facts)


def fact_index(scenario: Scenario) -> FactIndex:
    """The scenario's facts prepared for matching (cached per scenario version)."""
    views = tuple(fact_view(f) for f in scenario.facts)
    return _index(scenario.id, hash(views), views)


def needs_known(sim: Simulation) -> int:
    """Needs the client has expressed or the learner has established."""
    known = set(sim.state.revealed) | set(sim.state.established)
    return sum(1 for f in sim.scenario.facts if f.need and f.id in known)


def known(sim: Simulation, fact_id: str) -> bool:
    return fact_id in sim.state.revealed or fact_id in sim.state.established


# ------------------------------------------------------------------ questions
def matched_facts(sim: Simulation, min_probability: float = 0.0) -> Tuple[List[Tuple[Fact, str]], bool, bool]:
    """(fact, question) pairs the message asks about, and whether it is a vague follow-up / small talk.

    ``min_probability``: how sure the match must be (a question inside a greeting or an agenda, such as
    « vous avez une demi-heure ? », is answered with a fact only when it clearly asks for one)."""
    index = fact_index(sim.scenario)
    facts: List[Tuple[Fact, str]] = []
    vague = off_topic = False
    previous = ""
    for question in sim.u.questions[:3]:
        words = question.words or question.text
        if previous and len(stems(question.text)) < SHORT_FOLLOW_UP:
            words = f"{previous} {words}"  # « Combien de postes, et pour quand ? »: « pour quand » is about the posts
        previous = question.words or question.text
        ranked, none = rank_once(sim, index, words, question.topics)
        taken = {f.id for f, _ in facts}
        best = next(((f, p) for f, p in ranked if p > none and f not in taken), None)
        best = _recalled(sim, ranked, taken, best) or best
        if best is None and _judges_us(sim):
            best = _satisfaction_fact(sim, ranked, taken)
        if best is not None and best[1] >= min_probability:
            fact = sim.scenario.fact(best[0])
            if fact is not None:
                facts.append((fact, question.words or question.text))
        elif question.vague_score >= VAGUE_MIN:
            vague = True
        elif _small_talk(sim, index, question, words):
            off_topic = True
    if not facts and len(sim.u.questions) > 1:
        whole = _whole_message(sim, index)  # « combien de chariots, et ils roulent à quoi ? » asks about one fact
        if whole is not None and whole[1] >= min_probability:
            return [whole[0]], False, False
    return facts[:MAX_FACTS_PER_ANSWER], vague, off_topic


def _judges_us(sim: Simulation) -> bool:
    """A satisfaction check on the learner's own firm (« Globalement, comment s'est passée cette année avec nous ? »,
    « vous nous mettriez quelle note ? »): what the client thinks of his supplier is asked, even in words no fact
    has (the opening question of every account review)."""
    return sim.u.intent == Intent.CHECK_SATISFACTION and sim.u.has("judges_us")


def _satisfaction_fact(sim: Simulation, ranked: Sequence[Tuple[str, float]], taken: set) -> Tuple[str, float] | None:
    """The likeliest fact filed under the satisfaction topic, if the scenario has one."""
    for fact_id, probability in ranked:
        fact = sim.scenario.fact(fact_id)
        if fact is not None and fact.topic == SATISFACTION and fact_id not in taken:
            return fact_id, probability
    return None


#: a scenario name this long is a name, not a word of small talk (« Thermocuisine », not « Val » or « Pro »)
NAME_MIN_LENGTH = 5


def _small_talk(sim: Simulation, index: FactIndex, question: Question, words: str) -> bool:
    """Small talk is likelier than any business topic, and the question neither speaks of what the scenario
    speaks of nor names one of its firms, products or places: « Thermocuisine est donc toujours dans la course ? »
    or « vous pouvez me présenter le pulvé que vous avez ? » are unclear when no fact answers them, never small talk."""
    if question.off_topic_score < max(OFF_TOPIC_MIN, question.business_score):
        return False
    if index.best_overlap(words) >= BUSINESS_OVERLAP_MIN:
        return False
    normalized = normalize(words)
    people = titled_names(normalized) | {w for p in sim.scenario.personas for w in name_words(p.name)}
    tokens = set(re.findall(r"[\w-]+", normalized)) - people
    names = (normalize(name) for name in scenario_names(sim.scenario) if len(name) >= NAME_MIN_LENGTH)
    return not any(name in tokens for name in names)


def rank_once(sim: Simulation, index: FactIndex, words: str, topics: Mapping[str, float]) -> tuple:
    """The ranking of ``words`` with ``topics``: a message is ranked once, however many rules ask."""
    key = (words, sim.scenario.id, tuple(sorted(topics.items())))
    if key not in sim.ranked:
        sim.ranked[key] = index.rank(words, topics)
    return sim.ranked[key]


def _whole_message(sim: Simulation, index: FactIndex) -> Tuple[Tuple[Fact, str], float] | None:
    """The fact the questions of a message ask about together, when none of them alone names one."""
    words = " ".join(q.words or q.text for q in sim.u.questions)
    # its own topics: a short follow-up (« et ils roulent à quoi ? ») was ranked with the same words and its own
    ranked, none = rank_once(sim, index, words, topic_scores(words))
    if not ranked or ranked[0][1] <= none:
        return None
    fact = sim.scenario.fact(ranked[0][0])
    return ((fact, words), ranked[0][1]) if fact is not None else None


def _recalled(
    sim: Simulation, ranked: List[Tuple[str, float]], taken: set, best: Tuple[str, float] | None
) -> Tuple[str, float] | None:
    """The fact a learner comes back to (« vous m'aviez parlé d'une enveloppe, c'était combien déjà ? »).

    A question that refers to what was said is about something the client already told: when the ranker
    alone would have asked « c'est-à-dire ? », the likeliest fact already given is answered again; when it
    has a fact of its own, a fact already given among its first choices wins unless clearly less likely."""
    if not sim.u.has("recall") or not sim.state.revealed:
        return None
    candidates = ranked if best is None else ranked[:RECALL_MAX_RANK]
    given = next((item for item in candidates if item[0] in sim.state.revealed and item[0] not in taken), None)
    if given is None or given[1] < RECALL_MIN_PROBABILITY:
        return None
    return given if best is None or given[1] >= RECALL_SHARE_OF_BEST * best[1] else None


def is_open(sim: Simulation) -> bool:
    """The form of the question decides how much the client says, whatever the NLU's label."""
    forms = [q.form for q in sim.u.questions]
    if forms:
        return "open" in forms
    return sim.u.intent in (Intent.ASK_OPEN_QUESTION, Intent.CHECK_SATISFACTION)


def answer_questions(sim: Simulation, min_probability: float = 0.0) -> None:
    """The client's answer to the message's questions (``min_probability``: see :func:`matched_facts`)."""
    state = sim.state
    open_form = is_open(sim)
    state.questions += 1
    state.open_questions += int(open_form)
    state.advance("discovery")
    facts, vague, off_topic = matched_facts(sim, min_probability)
    if facts:
        state.vague_streak = 0
        for fact, question in facts:
            detail = _needs_full_answer(fact, question)
            answer_fact(sim, fact, open_form or detail, detail)
        return
    if vague:
        deepen(sim)
        return
    state.vague_streak = 0
    if off_topic:
        state.off_topic += 1
        sim.event("off_topic")
        sim.say_line("off_topic")
        return
    sim.event("question_unclear")
    sim.say_line("open_unknown" if open_form else "closed_unknown")


def _needs_full_answer(fact: Fact, question: str) -> bool:
    """A closed question whose words, or what it asks for, only the detailed answer covers gets the detailed
    answer (« une heure d'arrêt vous coûte combien ? » is answered with the figure, not with « oui »; « le
    comité se réunit quand ? » with the date)."""
    question = normalize(question)
    asked = set(stems(question))
    short_text, full_text = normalize(" ".join(fact.closed)), normalize(" ".join(fact.open))
    short, full = set(stems(short_text)), set(stems(full_text))
    if not (asked & short) and bool(asked & (full - short)):
        return True
    in_short, in_full = told_facets(short_text), told_facets(full_text)
    return any(f not in in_short and f in in_full for f in asked_facets(question))


def _owner_absent(sim: Simulation, fact: Fact) -> str | None:
    """The name of the persona who alone knows this fact, when she is not in the meeting."""
    if fact.persona and fact.persona not in sim.state.present_personas:
        return sim.scenario.persona(fact.persona).name
    return None


def answerer(sim: Simulation, fact: Fact) -> str:
    """Who answers a fact, in whose voice it is written: its owner (``persona:``) when she is in the
    meeting; a fact without an owner is the main persona's (« c'est moi qui décide »), so she answers it
    when she is there, whoever the learner addresses; before she has joined, whoever leads."""
    present = sim.state.present_personas
    if fact.persona and fact.persona in present:
        return fact.persona
    main = sim.scenario.main_persona.id
    if main in present:
        return main
    return sim.state.speaker or main


def hand_over(sim: Simulation, persona_id: str) -> None:
    """The learner asked a colleague in the meeting about someone else's fact: the colleague hands over in
    one short line (« Je laisse Mme Fabre vous répondre. ») instead of answering in the other's words."""
    addressed = sim.u.addressee
    if not addressed or addressed == persona_id or addressed not in sim.state.present_personas:
        return
    event = f"fact_handover:{persona_id}"
    if event in sim.reply.events:  # once a message: two facts of hers are one hand-over
        return
    sim.event(event)
    sim.say_line("fact_handover", addressed, name=sim.scenario.persona(persona_id).name)


def answer_fact(sim: Simulation, fact: Fact, open_form: bool, detail: bool = False) -> None:
    """Answer with one fact, in its owner's voice: revealed now, deepened, or said again (``detail``: in its
    detailed form, because only it has what was asked)."""
    state = sim.state
    absent = _owner_absent(sim, fact)
    if absent:
        sim.event(f"fact_elsewhere:{fact.id}")
        sim.say_line("fact_elsewhere", name=absent)
        return
    speaker = answerer(sim, fact)
    hand_over(sim, speaker)
    status = state.revealed.get(fact.id)
    state.last_fact = fact.id
    if status is None:
        state.revealed[fact.id] = "full" if open_form else "partial"
        answer = sim.pick(
            f"fact:{fact.id}:{'open' if open_form else 'closed'}", fact.open if open_form else fact.closed
        )
        sim.event(f"fact_revealed:{fact.id}")
        sim.say(frame(sim, "fact_open" if open_form else "fact_closed", answer, speaker), speaker)
    elif status == "partial" and open_form:
        state.revealed[fact.id] = "full"
        answer = sim.pick(f"fact:{fact.id}:open", fact.open)
        sim.event(f"fact_deepened:{fact.id}")
        sim.say(frame(sim, "fact_deepen", answer, speaker), speaker)
    else:
        form = "open" if detail else "closed"
        answer = sim.pick(f"fact:{fact.id}:{form}", fact.open if detail else fact.closed)
        sim.event(f"fact_repeated:{fact.id}")
        sim.say(frame(sim, "already_said", answer, speaker), speaker)


def frame(sim: Simulation, key: str, answer: str, persona_id: str | None = None) -> str:
    """The answer inside one of the client's frames (« Comme je vous le disais : … »), with French case."""
    template = sim.pick(key, sim.library.lines(sim.scenario, key))
    head = template.split("{answer}")[0].rstrip()
    if head.endswith((":", ",")) or (head and head[-1].isalpha()):
        answer = lower_first(answer, scenario_names(sim.scenario))
    return sim.fill(template, persona_id, answer=answer)


def deepen(sim: Simulation) -> None:
    """« Pouvez-vous m'en dire plus ? »: more on the fact under discussion, once; then « précisez »."""
    state = sim.state
    state.vague_streak += 1
    current = sim.scenario.fact(state.last_fact) if state.last_fact else None
    if current is not None and state.vague_streak == 1 and current.id not in state.deepened:
        state.deepened.append(current.id)
        speaker = answerer(sim, current)
        hand_over(sim, speaker)
        if state.revealed.get(current.id) == "partial":
            state.revealed[current.id] = "full"
            sim.event(f"fact_deepened:{current.id}")
            sim.say(frame(sim, "fact_deepen", sim.pick(f"fact:{current.id}:open", current.open), speaker), speaker)
            return
        # given in full already: the essentials again, in short (« pour résumer : … »)
        sim.event(f"fact_repeated:{current.id}")
        answer = sim.pick(f"fact:{current.id}:closed", current.closed)
        sim.say(frame(sim, "vague_recap", answer, speaker), speaker)
        return
    sim.event("vague_question")
    sim.say_line("vague_precise")


# ----------------------------------------------------------- learner's facts
def note_established(sim: Simulation) -> None:
    """Facts the learner states himself (« votre DAF exige un ROI de moins de 3 ans ») are known to him."""
    if sim.u.intent in QUESTIONS or not sim.u.normalized:
        return
    norm = sim.u.normalized
    for fact in sim.scenario.facts:
        if fact.id in sim.state.revealed or fact.id in sim.state.established:
            continue
        hits = sum(1 for k in fact.keywords if has_keyword(norm, k))
        if hits >= 2:
            sim.state.established.append(fact.id)
            sim.event(f"fact_established:{fact.id}")


@lru_cache(maxsize=64)
def _names(scenario_id: str, key: int, texts: Tuple[str, ...]) -> frozenset:
    return proper_nouns(texts)


def scenario_names(scenario: Scenario) -> frozenset:
    """The proper nouns of a scenario (personas, firms, places), read from its own texts."""
    texts = tuple(
        [
            scenario.client,
            scenario.vendor,
            scenario.derived_demand,
            *scenario.decision_circuit,
            *(p.name for p in scenario.personas),
        ]
        + [t for f in scenario.facts for t in (f.label, *f.open, *f.closed)]
    )
    return _names(scenario.id, hash(texts), texts)
