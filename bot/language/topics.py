"""What a learner's question is about: a small classifier over the shared topic vocabulary.

Topics (``data/language/topics.yml``: situation, problème, impact, besoin, budget, décision, délai...)
are the shared vocabulary between the language and every scenario: each fact of a scenario carries a
topic, so a scenario a teacher writes tomorrow is understood on day one. The classifier is trained on
questions from many sectors (``data/language/topics/*.yml``), never on the scenarios' own facts, with
word and character n-grams (typos, missing accents) and spaCy's word vectors (synonyms) as features.
Two extra labels tell a question without content (``vague``: « vous pouvez m'en dire plus ? ») and
small talk (``hors_sujet``).

Training takes a few seconds; the model is kept in ``var/cache/`` under a hash of its data, so a
process trains it only when the corpus changed.
"""

from __future__ import annotations

import hashlib
import logging
import pickle
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Dict, Iterable, List, Mapping, Sequence, Tuple

import numpy as np
import yaml

from bot.language.nlp import content_vector
from bot.language.text import any_keyword, normalize

logger = logging.getLogger(__name__)

DATA_DIR = Path(__file__).resolve().parents[2] / "data" / "language"
VOCABULARY_FILE = DATA_DIR / "topics.yml"
CORPUS_DIR = DATA_DIR / "topics"
CACHE_DIR = Path(__file__).resolve().parents[2] / "var" / "cache"
VAGUE, OFF_TOPIC = "vague", "hors_sujet"
#: the topic of the client's satisfaction with what he has (a supplier's own satisfaction check asks it)
SATISFACTION = "satisfaction"
#: bump when the features or the model change, so that a cached model is not reused
MODEL_VERSION = 1


@dataclass(frozen=True)
class Topic:
    name: str
    label: str
    cues: Tuple[str, ...]


@lru_cache(maxsize=1)
def vocabulary() -> Dict[str, Topic]:
    """The shared topics, with their French label and cue stems (a prior for short questions)."""
    data = yaml.safe_load(VOCABULARY_FILE.read_text(encoding="utf-8"))
    return {
        name: Topic(name, str(entry.get("label", name)), tuple(entry.get("cues") or ()))
        for name, entry in data["topics"].items()
    }


def load_corpus(directory: Path = CORPUS_DIR) -> List[Tuple[str, Tuple[str, ...]]]:
    """(question, topics) pairs of every corpus file."""
    known = set(vocabulary()) | {VAGUE, OFF_TOPIC}
    examples: List[Tuple[str, Tuple[str, ...]]] = []
    for path in sorted(directory.glob("*.yml")):
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        for topic, questions in (data.get("topics") or {}).items():
            if topic not in known:
                raise ValueError(f"{path.name}: unknown topic {topic!r}")
            examples += [(str(q), (topic,)) for q in questions or ()]
        for item in data.get("multi") or ():
            topics = tuple(item["topics"])
            unknown = set(topics) - known
            if unknown:
                raise ValueError(f"{path.name}: unknown topic(s) {sorted(unknown)}")
            examples.append((str(item["q"]), topics))
    return examples


class TopicModel:
    """One-vs-rest logistic regressions over n-grams and word vectors."""

    def __init__(self, labels: Sequence[str], word, char, classifier):
        self.labels = list(labels)
        self._word = word
        self._char = char
        self._classifier = classifier

    @staticmethod
    def _dense(texts: Iterable[str]) -> np.ndarray:
        return np.vstack([content_vector(t) for t in texts])

    def _features(self, texts: Sequence[str]):
        from scipy.sparse import csr_matrix, hstack

        norms = [normalize(t) for t in texts]
        return hstack(
            [self._word.transform(norms), self._char.transform(norms), csr_matrix(self._dense(texts))]
        ).tocsr()

    def scores(self, text: str) -> Dict[str, float]:
        """Probability of each label for one question (independent: a question may have two topics)."""
        probs = self._classifier.predict_proba(self._features([text]))[0]
        return {label: float(p) for label, p in zip(self.labels, probs, strict=True)}

    @classmethod
    def train(cls, examples: Sequence[Tuple[str, Tuple[str, ...]]], c: float = 8.0) -> TopicModel:
        from scipy.sparse import csr_matrix, hstack
        from sklearn.feature_extraction.text import TfidfVectorizer
        from sklearn.linear_model import LogisticRegression
        from sklearn.multiclass import OneVsRestClassifier
        from sklearn.preprocessing import MultiLabelBinarizer

        texts = [t for t, _ in examples]
        norms = [normalize(t) for t in texts]
        word = TfidfVectorizer(ngram_range=(1, 2), min_df=1, sublinear_tf=True, token_pattern=r"(?u)\b\w[\w']*\b")
        char = TfidfVectorizer(analyzer="char_wb", ngram_range=(3, 5), min_df=2, sublinear_tf=True, max_features=40000)
        binarizer = MultiLabelBinarizer()
        y = binarizer.fit_transform([labels for _, labels in examples])
        x = hstack([word.fit_transform(norms), char.fit_transform(norms), csr_matrix(cls._dense(texts))]).tocsr()
        classifier = OneVsRestClassifier(
            LogisticRegression(C=c, max_iter=2000, class_weight="balanced", solver="liblinear")
        )
        classifier.fit(x, y)
        return cls(list(binarizer.classes_), word, char, classifier)


def _corpus_hash() -> str:
    digest = hashlib.sha256(f"v{MODEL_VERSION}".encode())
    for path in [VOCABULARY_FILE, *sorted(CORPUS_DIR.glob("*.yml"))]:
        digest.update(path.name.encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


@lru_cache(maxsize=1)
def topic_model() -> TopicModel:
    """The trained model: from the cache when the corpus is unchanged, else trained now (a few seconds)."""
    cache = CACHE_DIR / f"topics-{_corpus_hash()}.pkl"
    if cache.exists():
        try:
            with cache.open("rb") as handle:
                return pickle.load(handle)  # noqa: S301 - a file this process family wrote itself
        except Exception:  # noqa: BLE001 - a stale or partial cache is retrained
            logger.warning("topic model cache %s unreadable: retraining", cache)
    model = TopicModel.train(load_corpus())
    try:
        CACHE_DIR.mkdir(parents=True, exist_ok=True)
        tmp = cache.with_suffix(".tmp")
        with tmp.open("wb") as handle:
            pickle.dump(model, handle)
        tmp.replace(cache)
    except OSError:
        logger.warning("could not cache the topic model in %s", CACHE_DIR)
    return model


def cue_topics(normalized: str) -> List[str]:
    """Topics whose cue stems appear in the text (the vocabulary's prior, read by teachers)."""
    return [name for name, topic in vocabulary().items() if any_keyword(normalized, topic.cues)]


def business_score(scores: Mapping[str, float]) -> float:
    """The score of the likeliest business topic (``vague`` and ``hors_sujet`` are not topics of a scenario)."""
    return max((v for k, v in scores.items() if k not in (VAGUE, OFF_TOPIC)), default=0.0)


def topic_scores(text: str) -> Dict[str, float]:
    """Score of every topic (and of ``vague`` / ``hors_sujet``) for one question."""
    return topic_model().scores(text)
