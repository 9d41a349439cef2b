"""One learner message, understood once: the typed result every reader uses.

:func:`understand` turns the text (and the NLU's intent) into an :class:`Understanding`: its questions
with their form and topics, the figures (amounts, discounts, payment terms, dates), the catalogue
products named, the persona addressed, and the cues of the lexicon the client reacts to. The client
persona, the coach and the assessment read this value; none of them re-parses the text.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Dict, FrozenSet, List, Sequence, Tuple

from bot.language.lexicon import lexicon
from bot.language.questions import QuestionForm, question_form, question_spans
from bot.language.terms import Figures, figures
from bot.language.text import (
    CLAUSE_STOP,
    any_keyword,
    catalogue_refs,
    is_tutoiement,
    normalize,
    normalize_aligned,
    original_span,
)
from bot.language.topics import OFF_TOPIC, VAGUE, business_score, topic_scores

#: cue lists of the lexicon the client persona reacts to, read once per message
REACTION_CUES = (
    "counterpart", "accept", "refuse", "close", "denigrate", "proof", "urgency", "familiar_words", "reformulation",
    "check_question", "time_check", "move.state_agenda", "move.say_goodbye", "move.introduce_self", "move.greet",
    "move.plan_follow_up", "law_citation", "illegal_practice", "negation", "proposal", "move.hand_in", "price_request",
    "document",
    "delivery_context", "payment_context", "recall", "price_increase", "judges_us", "savings",
)  # fmt: skip
#: where a second question starts: « …, et qui… », « … et pour quand ? », « …, puis combien… », « … et il a déjà
#: eu des pannes ? » (without a comma, only before a question word or a subject and its verb)
_SECOND_QUESTION = re.compile(
    r",\s*(?:et|puis|ou bien)\s+|,\s*(?=(?:qui|quand|quels?|quelles?|combien|comment|pourquoi|est-ce)\b)"
    r"|\s+(?:et|puis)\s+(?=(?:qui|quand|quel|quelle|quels|quelles|combien|comment|ou|"
    r"pourquoi|est-ce|avez|etes|a quel|a quelle|qu'|que |c'est|y a|pour quand|pour qui|depuis quand|jusqu'a quand|"
    r"a partir de quand|de combien|avec qui|aupres de qui|dans quel|sur quel|en quoi|de quoi|"
    r"il y a|il a|elle a|ils ont|elles ont|il est|elle est|ils sont|elles sont|il faut|on a|"
    r"vous avez|vous etes|vous comptez|vous pensez|vous voulez|vous souhaitez|vous utilisez)\b)"
)


@dataclass(frozen=True)
class Question:
    """One question of the message: its words, its form and what it is about."""

    text: str
    form: QuestionForm
    topics: Dict[str, float] = field(default_factory=dict, compare=False)
    #: the learner's own words (accents, case), for what reads meaning rather than letters
    words: str = ""

    @property
    def vague_score(self) -> float:
        return self.topics.get(VAGUE, 0.0)

    @property
    def off_topic_score(self) -> float:
        return self.topics.get(OFF_TOPIC, 0.0)

    @property
    def business_score(self) -> float:
        """The score of the likeliest business topic (« vous pouvez me présenter le pulvé que vous avez ? »
        is a question on the situation before it is small talk)."""
        return business_score(self.topics)


@dataclass(frozen=True)
class PersonaName:
    """How a persona can be addressed: id, the words of the name, and the gender (« f », « m » or « »)."""

    id: str
    name: str
    gender: str = ""


@dataclass(frozen=True)
class Understanding:
    text: str
    normalized: str
    intent: str = ""
    confidence: float = 1.0
    questions: Tuple[Question, ...] = ()
    figures: Figures = Figures()
    products: Tuple[str, ...] = ()
    unknown_refs: Tuple[str, ...] = ()
    addressee: str | None = None
    tutoiement: bool = False
    cues: FrozenSet[str] = frozenset()
    #: where the message names a persona of the meeting (left out of its questions): :func:`name_spans`
    names: Tuple[Tuple[int, int], ...] = ()
    #: the message's clauses in the learner's own words (« votre pulvé de 2009 est usé », « il vous faut plus de
    #: débit »): what a recap or a reformulation says, point by point (:func:`clauses`)
    clauses: Tuple[str, ...] = ()

    def has(self, cue: str) -> bool:
        """One of :data:`REACTION_CUES` is in the message."""
        return cue in self.cues

    @property
    def question_share(self) -> float:
        """How much of the message its questions are (1.0: the message only asks)."""
        said = len(self.normalized) - sum(b - a for a, b in self.names)  # « Monsieur Lounis, » is no content
        if said <= 0:
            return 0.0
        return min(1.0, sum(len(q.text) for q in self.questions) / said)


def split_questions(normalized: str) -> Tuple[str, ...]:
    """The questions of a message; « combien de postes et quel budget ? » is two questions."""
    return tuple(_clause(normalized[a:b]) for a, b in question_parts(normalized))


def _clause(part: str) -> str:
    """A question part as a clause of its own: no stray comma, its question mark."""
    clause = part.strip(" ,")
    return clause if clause.endswith("?") else clause + " ?"


def question_parts(normalized: str) -> List[Tuple[int, int]]:
    """Spans of the questions of a normalized message (a sentence with two questions gives two spans)."""
    out: List[Tuple[int, int]] = []
    for start, end in question_spans(normalized):
        cuts = [(m.start(), m.end()) for m in _SECOND_QUESTION.finditer(normalized, start, end)]
        bounds, left = [], start
        for cut_start, cut_end in cuts:
            joined = normalized[cut_start:cut_end].strip(" ,") != ""  # « , et », « puis »: a second question
            if not joined and _leads_into_question(normalized[left:cut_start]):
                continue  # « les primes CEE, qui va monter le dossier ? » is one question about its topic
            bounds.append((left, cut_start))
            left = cut_end
        bounds.append((left, end))
        parts = [(a, b) for a, b in bounds if len(normalized[a:b].strip(" ,?").split()) >= 2]
        out += parts if len(parts) > 1 else [(start, end)]
    return out


#: a noun phrase put before its question (« ce manque de salles, quelles conséquences… ? »): a determiner first,
#: no subject of a verb, a few words
_FRONTED = re.compile(r"^(?:et |alors |du coup )?(?:les?|la|l'|ce|cet|cette|ces|vos|votre|nos|notre|leurs?)\b")
_PRONOUNS = ("vous", "il", "ils", "elle", "elles", "on", "je", "nous", "tu")
_SUBJECTS = frozenset(_PRONOUNS) | {"j'", "c'est", "y"}
FRONTED_MAX_WORDS = 6


#: a clause of time or condition put before its question (« quand l'alarme sonne la nuit, qui est prévenu ? »),
#: not a question itself (« quand démarrez-vous ? » inverts its verb)
_LEADING_CLAUSE = re.compile(r"^(?:et |alors )?(?:quand|lorsque|lorsqu'|si|s'il|s'ils|une fois que)\b")
_INVERSION = re.compile(rf"-(?:t-)?(?:{'|'.join(_PRONOUNS)})\b")


def _leads_into_question(part: str) -> bool:
    """The words before a comma are the topic or the circumstance of the question after it, not a question."""
    part = part.strip(" ,")
    words = part.split()
    if not words or "?" in part:
        return False
    if _LEADING_CLAUSE.match(part):
        return not _INVERSION.search(part)
    if len(words) > FRONTED_MAX_WORDS or not _FRONTED.match(part):
        return False
    return not any(w in _SUBJECTS or w.startswith(("j'", "c'", "qu'")) for w in words)


#: titles before a name, as the learner writes them (normalized)
_TITLES = r"(?:monsieur|madame|mademoiselle|maitre|mme|mlle|me|m\.?)"


def name_words(name: str) -> List[str]:
    """The words of a persona's name, without its title (« M. Yann Le Bihan » → yann, le, bihan)."""
    words = re.findall(r"[a-z][a-z'-]*", normalize(name))
    while words and re.fullmatch(_TITLES, words[0]):
        words = words[1:]
    return words


def titled_names(normalized: str) -> set:
    """The words written right after a title (« m. roche », « madame haddad »): names of people."""
    return set(re.findall(rf"\b{_TITLES}\s+([\w-]+)", normalized))


def addressee(normalized: str, personas: Sequence[PersonaName]) -> str | None:
    """The persona the learner speaks to by name (« Madame Roussel »), or by title when only one fits."""
    for persona in personas:
        words = [w for w in name_words(persona.name) if len(w) > 2]
        if any(re.search(rf"\b{re.escape(w)}\b", normalized) for w in words):
            return persona.id
    for title, gender in (("madame", "f"), ("mme", "f"), ("monsieur", "m")):
        if re.search(rf"\b{title}\b", normalized):
            fitting = [p for p in personas if p.gender == gender]
            if len(fitting) == 1:
                return fitting[0].id
    return None


def name_spans(normalized: str, personas: Sequence[PersonaName]) -> List[Tuple[int, int]]:
    """Where the message names a persona in the meeting (« Monsieur Lounis, … », « …, Karim ? »).

    A name is how the learner turns to someone, not what he asks about: the question is read without it,
    so that « Lounis » is never taken for a fact's keyword (:func:`bot.engine.simulation.read` passes the
    personas present; the addressee is found apart, by :func:`addressee`)."""
    spans: List[Tuple[int, int]] = []
    for persona in personas:
        words = name_words(persona.name)
        if not words:
            continue
        *given, last = words
        full = (
            rf"\b(?:{_TITLES}\s+|m\.)?" + "".join(rf"(?:{re.escape(w)}\s+)?" for w in given) + rf"{re.escape(last)}\b"
        )
        patterns = [full]
        if given and len(given[0]) > 2:  # a first name alone is a name only when the learner calls out with it
            patterns.append(rf"\b{re.escape(given[0])}(?=\s*,)|(?<=, ){re.escape(given[0])}(?=\s*[?!.]|$)")
        for pattern in patterns:
            spans += [m.span() for m in re.finditer(pattern, normalized)]
    merged: List[Tuple[int, int]] = []
    for start, end in sorted(spans):
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
        else:
            merged.append((start, end))
    return merged


def _masked(normalized: str, spans: Sequence[Tuple[int, int]]) -> str:
    """The text with these spans blanked out (same length: positions still map to the learner's words)."""
    chars = list(normalized)
    for start, end in spans:
        chars[start:end] = " " * (end - start)
    return "".join(chars)


#: where a point of a recap ends: a punctuation mark, or « et » / « mais » / « puis » between two points
_CLAUSE_END = re.compile(rf"[;:!?\n]|{CLAUSE_STOP}|\s(?:et|mais|puis|ensuite)\s", re.IGNORECASE)
#: a clause shorter than this is a connector (« Si je résume », « C'est bien ça »), not a point
CLAUSE_MIN_WORDS = 3


def clauses(text: str) -> Tuple[str, ...]:
    """The points of a message, in the learner's own words (« Si je résume : votre pulvé est usé, il vous faut
    plus de débit, et vous voulez baisser vos intrants. » has three)."""
    parts = (part.strip() for part in _CLAUSE_END.split(text or ""))
    return tuple(part for part in parts if len(part.split()) >= CLAUSE_MIN_WORDS)


_HANGING_COMMA = re.compile(r"\s*,\s*([?!.]|$)")


def _tidy(text: str) -> str:
    """Spaces collapsed, no comma left hanging where a name was taken out (« vos besoins, ? »)."""
    return _HANGING_COMMA.sub(r" \1", " ".join(text.split()))


def _question(
    text: str, norm: str, where: List[int], start: int, end: int, holes: Sequence[Tuple[int, int]] = ()
) -> Question:
    """One question: read in normal form, scored on the learner's own words (word vectors know accents).
    ``holes``: the names of the personas addressed, left out of both (``norm`` has them blanked)."""
    clause = _clause(_tidy(norm[start:end]))
    pieces, left = [], start
    for a, b in holes:
        if b <= start or a >= end:
            continue
        pieces.append(original_span(text, where, left, max(left, a)))
        left = min(end, b)
    pieces.append(original_span(text, where, left, end))
    words = _tidy(" ".join(pieces)).strip(" ,") or clause
    return Question(clause, question_form(clause), topic_scores(words), words)


def understand(
    text: str,
    intent: str = "",
    confidence: float = 1.0,
    catalogue: Sequence[Tuple[str, Sequence[str]]] = (),
    personas: Sequence[PersonaName] = (),
    negotiating: bool = False,
    questions_expected: bool = False,
) -> Understanding:
    """Understand one learner message.

    ``catalogue``: (reference, keywords) of the scenario's products; ``personas``: who can be addressed
    (those present); ``negotiating``: a price is being negotiated (a bare « 4 % » is a discount);
    ``questions_expected``: the NLU says the message asks something, so a message without « ? » is
    read as one question.
    """
    norm, where = normalize_aligned(text)
    holes = name_spans(norm, personas)
    asked = _masked(norm, holes)
    spans = question_parts(asked) or ([(0, len(asked))] if questions_expected and asked.strip() else [])
    questions = tuple(_question(text, asked, where, a, b, holes) for a, b in spans)
    refs = {r.upper() for r, _ in catalogue}
    named = [r for r, keywords in catalogue if any_keyword(norm, keywords) or r.lower() in norm]
    prefixes = {r.split("-")[0] for r in refs}
    unknown = [r for r in catalogue_refs(text) if r.upper() not in refs and r.split("-")[0].upper() in prefixes]
    lex = lexicon()
    cues = frozenset(name for name in REACTION_CUES if lex[name].found_in(norm))
    return Understanding(
        text=text,
        normalized=norm,
        intent=intent,
        confidence=confidence,
        questions=questions,
        figures=figures(norm, negotiating=negotiating),
        products=tuple(dict.fromkeys(named)),
        unknown_refs=tuple(unknown),
        addressee=addressee(norm, personas),
        tutoiement=is_tutoiement(norm),
        cues=cues,
        names=tuple(holes),
        clauses=clauses(text),
    )
