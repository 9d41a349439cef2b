"""Text primitives: accent-free normal form, keyword stems, numbers, references, register."""

from __future__ import annotations

import re
import unicodedata
from typing import Iterable, List, Tuple

_SPACES = re.compile(r"\s+")
_CATALOGUE_REF = re.compile(r"\b[A-Z]{2,5}-[A-Za-z0-9]{1,6}(?:-[A-Za-z0-9]{1,4})?\b")


#: a full stop or a comma that ends a clause: not one between two digits, a decimal mark (« 0,99 € », « 1.5 k€ »)
CLAUSE_STOP = r"(?<!\d)[.,]|[.,](?!\d)"
#: a full stop that ends a sentence, on the same terms
SENTENCE_STOP = r"(?<!\d)\.|\.(?!\d)"


def normalize(text: str) -> str:
    """Lowercase, strip accents and control characters, collapse spaces.

    Keywords in scenario files are written in this form (``"releve"``, ``"decid"``).
    """
    decomposed = unicodedata.normalize("NFKD", text or "")
    stripped = "".join(c for c in decomposed if not unicodedata.combining(c) and unicodedata.category(c)[0] != "C")
    stripped = stripped.lower().replace("\u2019", "'").replace("œ", "oe").replace("æ", "ae")
    return _SPACES.sub(" ", stripped).strip()


def normalize_aligned(text: str) -> Tuple[str, List[int]]:
    """:func:`normalize` of ``text`` and, for each character of the result, its position in ``text``.

    A span found in the normalized text (a question) maps back to the learner's own words, accents
    included, for what reads the original (word vectors).
    """
    out: List[str] = []
    where: List[int] = []
    for index, char in enumerate(text or ""):
        for piece in normalize_char(char):
            if piece.isspace():
                if not out or out[-1] == " ":
                    continue
                piece = " "
            out.append(piece)
            where.append(index)
    while out and out[-1] == " ":
        out.pop()
        where.pop()
    return "".join(out), where


def normalize_char(char: str) -> str:
    """One character in normal form (possibly none, or two: « œ » is « oe »)."""
    decomposed = unicodedata.normalize("NFKD", char)
    kept = "".join(c for c in decomposed if not unicodedata.combining(c) and unicodedata.category(c)[0] != "C")
    return kept.lower().replace("\u2019", "'").replace("œ", "oe").replace("æ", "ae")


def original_span(text: str, where: List[int], start: int, end: int) -> str:
    """The words of ``text`` behind the normalized span [start, end)."""
    if start >= end or not where:
        return ""
    return text[where[start] : where[min(end, len(where)) - 1] + 1]


def has_keyword(normalized: str, keyword: str) -> bool:
    """True when ``keyword`` starts a word of the normalized text (stems match)."""
    key = normalize(keyword)
    if not key:
        return False
    start = 0
    while True:
        idx = normalized.find(key, start)
        if idx < 0:
            return False
        if idx == 0 or not normalized[idx - 1].isalnum():
            return True
        start = idx + 1


def count_keywords(normalized: str, keywords: Iterable[str]) -> int:
    return sum(1 for k in keywords if has_keyword(normalized, k))


def any_keyword(normalized: str, keywords: Iterable[str]) -> bool:
    return any(has_keyword(normalized, k) for k in keywords)


def catalogue_refs(text: str) -> List[str]:
    """Things that look like catalogue references (``VSD-45``, ``PAC-HT65``)."""
    return _CATALOGUE_REF.findall(text or "")


def clip(text: str, limit: int = 300) -> str:
    text = _SPACES.sub(" ", text or "").strip()
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def contains(normalized: str, phrase: str) -> bool:
    """``phrase`` (already normalized; spaces count) anywhere, tolerant of a missing apostrophe."""
    if not phrase.strip():
        return False
    return phrase in normalized or phrase.replace("'", " ") in normalized.replace("'", " ")


def has_word(normalized: str, word: str) -> bool:
    """``word`` as a whole word (« mec » but not « mécanisée »)."""
    return re.search(r"(?<![\w-])" + re.escape(normalize(word)) + r"(?![\w-])", normalized) is not None


_TU = re.compile(r"(^|\W)(tu|toi|ton|ta|tes|t'(?=[a-z]))(\W|$)")


def is_tutoiement(normalized: str) -> bool:
    """The learner says « tu » to the client."""
    return bool(_TU.search(normalized))


#: words that keep their capital at the start of a clause (« Mme Colin m'a dit… »)
TITLES = frozenset({"M.", "Mme", "Mmes", "MM.", "Mlle", "Maître", "Me", "Monsieur", "Madame", "Docteur", "Dr"})
_WORD = re.compile(r"[A-Za-zÀ-ÖØ-öø-ÿ][\w'’-]*")


def proper_nouns(texts: Iterable[str]) -> frozenset:
    """Words written with a capital inside a sentence somewhere in ``texts`` (names of people,
    firms, places): evidence from the scenario itself that « Inès » or « Alsace » is a name."""
    found = set()
    for text in texts:
        for m in _WORD.finditer(text):
            word = m.group(0)
            before = text[: m.start()].rstrip()
            if word[:1].isupper() and before and before[-1] not in '.!?:;«"(—–-':
                found.add(word)
    return frozenset(found)


def lower_first(text: str, names: frozenset = frozenset()) -> str:
    """``text`` to follow « Comme je vous le disais : » — its first letter lowered unless the first
    word is an acronym, a title, a name of ``names`` or the start of a capitalised name
    (« Pneumatique Services », « Chauffage Perrin »)."""
    text = text.strip()
    words = text.split()
    if not words:
        return text
    first = words[0].rstrip(",;:")
    if first[:2].isalpha() and first[:2].isupper():  # an acronym: « PAC », « EDF »
        return text
    if first in TITLES or first in names:
        return text
    if len(words) > 1 and words[1][:1].isupper() and not words[1][:2].isupper() and "'" not in first:
        return text
    return text[:1].lower() + text[1:]


#: a fact's label that starts with a possessive speaks of the client (« sa satisfaction après trois mois », for the
#: teacher); the client says it of himself (« ma satisfaction… »). Further on, a possessive is someone else's
#: (« Xylolux et ses 5 % de remise », « la DPO donne son avis »)
_CLIENT_POSSESSIVES = {"sa": "ma", "son": "mon", "ses": "mes", "leur": "notre", "leurs": "nos"}
_POSSESSIVE = re.compile(r"^\s*(" + "|".join(_CLIENT_POSSESSIVES) + r")\b", re.IGNORECASE)


def in_client_voice(label: str) -> str:
    """A fact's label as the client says it: a third-person possessive that starts it becomes a first-person one."""

    def swap(match: re.Match) -> str:
        word = match.group(1)
        mine = _CLIENT_POSSESSIVES[word.lower()]
        return match.group(0).replace(word, mine.capitalize() if word[0].isupper() else mine)

    return _POSSESSIVE.sub(swap, label, count=1)


_COORDINATED_DE = ((" et les ", " et des "), (" et le ", " et du "), (" et la ", " et de la "), (" et l'", " et de l'"))


def de(label: str) -> str:
    """« de » + a label, contracted as French requires (« du ROI », « des pannes », « de l'enveloppe »), before
    each article of a coordination too (« du calendrier et des délais »)."""
    text = label.strip()
    lowered = text[:1].lower() + text[1:] if text and not text[:2].isupper() else text
    for article, contracted in _COORDINATED_DE:
        lowered = lowered.replace(article, contracted)
    for article, contracted in (("le ", "du "), ("les ", "des ")):
        if lowered.startswith(article):
            return contracted + lowered[len(article) :]
    return "de " + lowered
