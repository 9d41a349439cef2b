"""From a question to the scenario fact it asks about.

Every scenario fact carries a topic of the shared vocabulary, keywords, a label and the client's
answers. A question is compared with each fact on scenario-independent features: the topic
classifier's score for the fact's topic, the fact's keywords found in the question, the share of the
question's rare words the fact's own text contains, and word-vector similarity. A small conditional
logit over the facts and « no fact » combines them (``data/language/fact_ranker.yml``, fitted by
``scripts/fit_fact_ranker.py`` on the development probes of the built-in scenarios). Because no
feature names a scenario word, a fact written by a teacher tomorrow is ranked the same way. When
« no fact » is likelier than any fact (small talk, a question without content, words the scenario
does not know), the client asks what the learner means instead of answering with an unrelated fact.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Dict, List, Mapping, Sequence, Tuple

import numpy as np
import yaml

from bot.language.lexicon import lexicon
from bot.language.nlp import content_vector, word_vectors
from bot.language.text import TITLES, has_keyword, normalize, proper_nouns
from bot.language.topics import OFF_TOPIC, VAGUE, business_score

RANKER_FILE = Path(__file__).resolve().parents[2] / "data" / "language" / "fact_ranker.yml"
_TOKEN = re.compile(r"[a-z0-9]+(?:'[a-z]+)?")
#: a stem is a word's first letters: enough to match « consommation » with « consomme »
STEM_LENGTH = 6


@lru_cache(maxsize=1)
def _stop_words() -> frozenset:
    from spacy.lang.fr.stop_words import STOP_WORDS

    extra = {"est-ce", "ca", "c'est", "qu'est", "bonjour", "monsieur", "madame", "merci", "d'accord", "alors"}
    return frozenset(normalize(w) for w in STOP_WORDS | extra)


def stems(normalized: str) -> List[str]:
    """Content-word stems of a normalized text (stop words and one-letter words left out)."""
    stop = _stop_words()
    out = []
    for token in _TOKEN.findall(normalized):
        word = token.split("'")[-1] if "'" in token else token
        if len(word) < 2 or word in stop or token in stop:
            continue
        out.append(word[:STEM_LENGTH])
    return out


@dataclass(frozen=True)
class FactView:
    """What the matcher reads of a fact (built by the engine from a scenario's fact)."""

    id: str
    topics: Tuple[str, ...]
    keywords: Tuple[str, ...]
    text: str
    label: str = ""
    #: the texts the fact is written in, each a sentence or more (its names are read in each: a capital that
    #: starts one of them starts a sentence)
    texts: Tuple[str, ...] = ()


FEATURES = (
    "topic",  # classifier score of the fact's main topic
    "also_topic",  # best score among the fact's other topics
    "topic_gap",  # that score minus the question's best topic score (0 when the fact's topic is the best)
    "keywords",  # fact keywords found in the question, each weighted by how specific it is (see keyword_weight)
    "overlap",  # share of the question's words (IDF-weighted; words no fact has count fully) in the fact's text
    "overlap_rel",  # that share minus the best share among the facts
    "cosine",  # word-vector similarity of question and fact
    "cosine_rel",  # that similarity minus the best one among the facts
    "soft",  # each question word's best word-vector match in the fact's words, averaged (« couacs » ~ « incidents »)
    "soft_rel",  # that alignment minus the best one among the facts
    "label",  # word-vector similarity of the question and the fact's label
    "name",  # names the fact's text writes with a capital (a firm, a product, a person) found in the question
)
#: features of the « no fact » alternative: it wins over every fact when the question is small talk,
#: has no content, or shares nothing with the scenario
NONE_FEATURES = ("bias", "off_topic", "vague", "best_overlap", "unknown_focus")


@dataclass(frozen=True)
class Ranker:
    """A conditional logit over the scenario's facts and « no fact »."""

    weights: Tuple[float, ...]
    none_weights: Tuple[float, ...]

    def probabilities(self, features: np.ndarray, none_features: np.ndarray) -> Tuple[np.ndarray, float]:
        utilities = np.append(features @ np.asarray(self.weights), none_features @ np.asarray(self.none_weights))
        utilities -= utilities.max()
        exp = np.exp(utilities)
        probs = exp / exp.sum()
        return probs[:-1], float(probs[-1])


#: hand-set weights used until ``data/language/fact_ranker.yml`` exists (same features)
DEFAULT_RANKER = Ranker(
    weights=(3.0, 1.5, 2.0, 2.0, 3.0, 2.0, 2.0, 2.0, 2.0, 2.0, 1.0, 2.0), none_weights=(4.0, 3.0, 3.0, -3.0, 2.0)
)


@lru_cache(maxsize=1)
def ranker() -> Ranker:
    if not RANKER_FILE.exists():
        return DEFAULT_RANKER
    data = yaml.safe_load(RANKER_FILE.read_text(encoding="utf-8"))
    none = [float(data["none_weights"][name]) for name in NONE_FEATURES]
    none[0] += float(data.get("prudence", 0.0))
    return Ranker(tuple(float(data["weights"][name]) for name in FEATURES), tuple(none))


#: shorter stems match longer ones (« pulve » and « pulver », « adherent » and « adhere »)
MIN_SHARED_STEM = 4


def _shares(stem: str, fact_stems: set) -> bool:
    if stem in fact_stems:
        return True
    if len(stem) < MIN_SHARED_STEM:
        return False
    return any(t.startswith(stem) or stem.startswith(t) for t in fact_stems if len(t) >= MIN_SHARED_STEM)


def _alignment(question_words: np.ndarray, fact_words: np.ndarray) -> float:
    """Mean, over the question's content words, of their best cosine with a word of the fact."""
    if not len(question_words) or not len(fact_words):
        return 0.0
    return float((question_words @ fact_words.T).max(axis=1).mean())


#: a keyword used by learners about this many topics or fewer tells a fact; about twice as many, nothing
SPECIFIC_TOPICS, GENERIC_TOPICS = 3, 8
#: the share of a topic's questions that must contain a keyword for it to count as used about that topic
TOPIC_USE_SHARE = 0.015


@lru_cache(maxsize=4096)
def keyword_weight(keyword: str) -> float:
    """How much a scenario keyword tells about a fact: 1 for a word learners use about few topics, down to
    0 for a word they use about many (« utilis » in « vous utilisez… ? », « quand »), read from the topic
    corpus of learners' questions in many sectors."""
    by_topic = _corpus_by_topic()
    if not by_topic:
        return 1.0
    used = sum(
        1
        for questions in by_topic.values()
        if sum(has_keyword(q, keyword) for q in questions) > TOPIC_USE_SHARE * len(questions)
    )
    return float(min(1.0, max(0.0, (GENERIC_TOPICS - used) / (GENERIC_TOPICS - SPECIFIC_TOPICS))))


@lru_cache(maxsize=1)
def _corpus_by_topic() -> Dict[str, Tuple[str, ...]]:
    from bot.language.topics import load_corpus

    by_topic: Dict[str, List[str]] = {}
    for question, topics in load_corpus():
        for topic in topics:
            by_topic.setdefault(topic, []).append(normalize(question))
    return {topic: tuple(questions) for topic, questions in by_topic.items()}


#: what a « combien de… ? » or « quel… ? » question asks about: the words right after its interrogative
_FOCUS = re.compile(r"\b(?:combien d(?:e |')|quel(?:le)?s? )([a-z-]+)(?: (?:de |d'|du |des )([a-z-]+))?")
#: a focus word is known to the scenario when a fact's word is this close to it (« salaries » ~ « collaborateurs »)
KNOWN_FOCUS_SIMILARITY = 0.65


def _full_word(normalized: str, stem: str) -> str:
    """The first word of ``normalized`` that starts with ``stem`` (word vectors need whole words)."""
    return next((w for w in _TOKEN.findall(normalized) if w.startswith(stem)), stem)


def focus_stems(normalized: str) -> List[str]:
    """Content stems of what a « combien de… ? » / « quel… ? » question asks about (« places de parking »)."""
    generic = lexicon()["focus_generic"]
    out: List[str] = []
    for match in _FOCUS.finditer(normalized):
        out += stems(" ".join(g for g in match.groups() if g and not generic.found_in(g)))
    return out


_NAME_TOKEN = re.compile(r"[a-z0-9][a-z0-9-]*")
#: shorter capitalised words are initials or units (« M », « kW »), not names a question can point with
FACT_NAME_MIN_LENGTH = 3


def _fact_names(texts: Sequence[str]) -> frozenset:
    """The normalized names of a fact's texts: words written with a capital inside a sentence, titles and
    grammar words (« Moi », « Notre » after a dash) left out."""
    stop = _stop_words()
    names = (normalize(word).strip("'") for word in proper_nouns(texts) if word not in TITLES)
    return frozenset(name for name in names if len(name) >= FACT_NAME_MIN_LENGTH and name not in stop)


class FactIndex:
    """The facts of one scenario, prepared once for fast comparison with questions."""

    def __init__(self, facts: Sequence[FactView]):
        self.facts = list(facts)
        self.ids = [f.id for f in self.facts]
        self._stems = [set(stems(normalize(f.text + " " + " ".join(f.keywords)))) for f in self.facts]
        df: Dict[str, int] = {}
        for fact_stems in self._stems:
            for s in fact_stems:
                df[s] = df.get(s, 0) + 1
        n = len(self.facts)
        self._idf = {s: math.log((n + 1) / (count + 0.5)) for s, count in df.items()}
        self._keywords = [tuple(normalize(k) for k in f.keywords) for f in self.facts]
        self._vectors = np.vstack([content_vector(f.text) for f in self.facts]) if self.facts else np.zeros((0, 1))
        self._words = [word_vectors(f.text + " " + " ".join(f.keywords)) for f in self.facts]
        self._all_stems = set().union(*self._stems) if self.facts else set()
        self._all_words = np.vstack(self._words) if self.facts else np.zeros((0, 1))
        self._labels = np.vstack([content_vector(f.label) for f in self.facts]) if self.facts else np.zeros((0, 1))
        self._names = [_fact_names(f.texts or (f.text,)) for f in self.facts]
        named = Counter(name for names in self._names for name in names)
        self._name_share = {name: 1 / count for name, count in named.items()}

    def _named(self, normalized: str) -> List[float]:
        """Per fact, the names of its text the question says, each counted by how few facts have it (« Et
        Fleetis, c'était à combien ? » points at the one fact that speaks of Fleetis), at most 1."""
        if not self._name_share:
            return [0.0] * len(self.facts)
        said = set(_NAME_TOKEN.findall(normalized)) & self._name_share.keys()
        return [min(1.0, sum(self._name_share[n] for n in said & names)) for names in self._names]

    def _prefix_idf(self, stem: str, default: float) -> float:
        """IDF of a question stem that only shares a prefix with the facts' stems (« pulve »)."""
        if len(stem) < MIN_SHARED_STEM:
            return default
        values = [
            v for s, v in self._idf.items() if len(s) >= MIN_SHARED_STEM and (s.startswith(stem) or stem.startswith(s))
        ]
        return max(values) if values else default

    def _overlaps(self, normalized: str) -> List[float]:
        """Per fact, the share of the question's words (IDF-weighted; words no fact has count fully) in its text."""
        top_idf = max(self._idf.values(), default=1.0)
        weights = {s: self._idf.get(s, self._prefix_idf(s, top_idf)) for s in set(stems(normalized))}
        total = sum(weights.values())
        if not total:
            return [0.0] * len(self.facts)
        return [sum(w for s, w in weights.items() if _shares(s, fact_stems)) / total for fact_stems in self._stems]

    def unknown_focus(self, normalized: str) -> float:
        """Share of what a « combien de… ? » / « quel… ? » question asks about that no fact speaks of (« Combien
        de places de parking ? » in a scenario without parking): 0 when the question has no such focus."""
        focus = focus_stems(normalized)
        if not focus:
            return 0.0
        return sum(not self._knows(stem, normalized) for stem in focus) / len(focus)

    def _knows(self, stem: str, normalized: str) -> bool:
        """A fact has the word, or one whose vector is close to it (« salariés » ~ « collaborateurs »)."""
        if _shares(stem, self._all_stems):
            return True
        vectors = word_vectors(_full_word(normalized, stem))
        if not len(vectors) or not len(self._all_words):
            return False
        return float((vectors @ self._all_words.T).max()) >= KNOWN_FOCUS_SIMILARITY

    def best_overlap(self, question: str) -> float:
        """How much of the question the scenario's facts speak about (0: none of its words)."""
        return max(self._overlaps(normalize(question)), default=0.0)

    def features(self, question: str, topic_scores: Mapping[str, float]) -> Tuple[np.ndarray, np.ndarray]:
        """One row of :data:`FEATURES` per fact, and the :data:`NONE_FEATURES` of the question."""
        norm = normalize(question)
        overlaps = self._overlaps(norm)
        best_topic = business_score(topic_scores)
        q_vec = content_vector(question)
        cosines = self._vectors @ q_vec if len(self.facts) else np.zeros(0)
        labels = self._labels @ q_vec if len(self.facts) else np.zeros(0)
        q_words = word_vectors(question)
        named = self._named(norm)
        rows = []
        for i, fact in enumerate(self.facts):
            main = topic_scores.get(fact.topics[0], 0.0) if fact.topics else 0.0
            hits = sum(keyword_weight(k) for k in self._keywords[i] if has_keyword(norm, k))
            rows.append([
                main,
                max((topic_scores.get(t, 0.0) for t in fact.topics[1:]), default=0.0),
                main - best_topic,
                min(hits, 2.0) / 2,
                overlaps[i],
                0.0,
                float(cosines[i]),
                0.0,
                _alignment(q_words, self._words[i]),
                0.0,
                float(labels[i]),
                named[i],
            ])  # fmt: skip
        matrix = np.asarray(rows, dtype=float).reshape(len(self.facts), len(FEATURES))
        if len(self.facts):
            for column in (4, 6, 8):
                matrix[:, column + 1] = matrix[:, column] - matrix[:, column].max()
        best_overlap = float(matrix[:, 4].max()) if len(self.facts) else 0.0
        # a question that names what one fact speaks of has content (« Et Fleetis, c'était combien ? »)
        vague = topic_scores.get(VAGUE, 0.0) * (1.0 - max(named, default=0.0))
        none = np.array([
            1.0, topic_scores.get(OFF_TOPIC, 0.0), vague, best_overlap, self.unknown_focus(norm)
        ])  # fmt: skip
        return matrix, none

    def rank(self, question: str, topic_scores: Mapping[str, float]) -> Tuple[List[Tuple[str, float]], float]:
        """Facts by probability of being what the question asks about (best first), and P(no fact)."""
        if not self.facts:
            return [], 1.0
        probs, none = ranker().probabilities(*self.features(question, topic_scores))
        order = np.argsort(-probs)
        return [(self.ids[i], float(probs[i])) for i in order], none

    def best(self, question: str, topic_scores: Mapping[str, float]) -> Tuple[str, float] | None:
        """The fact asked about, or None when « no fact » is the likelier answer."""
        ranked, none = self.rank(question, topic_scores)
        if ranked and ranked[0][1] > none:
            return ranked[0]
        return None
