"""The project's French cue words, loaded once from ``data/lexicon/*.yml``.

One definition per notion (a close, a counterpart, a reformulation...): the client persona, the coach
and the assessment all ask this module, so they can no longer disagree. A cue list says how its cues
match (``stem``: starts a word; ``phrase``: anywhere, tolerant of a missing apostrophe; ``word``: a
whole word), so that a teacher can read and extend the files without reading Python.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Dict, Iterable, List, Literal, Tuple

import yaml

from bot.language.text import contains, has_keyword, has_word, normalize

Match = Literal["stem", "phrase", "word"]
LEXICON_DIR = Path(__file__).resolve().parents[2] / "data" / "lexicon"


@dataclass(frozen=True)
class CueList:
    """A named list of cues and the way they match a normalized text."""

    name: str
    cues: Tuple[str, ...]
    match: Match = "stem"
    doc: str = ""

    def _hit(self, normalized: str, cue: str) -> bool:
        if self.match == "phrase":
            return contains(normalized, cue)
        if self.match == "word":
            return has_word(normalized, cue)
        return has_keyword(normalized, cue)

    def found_in(self, normalized: str) -> bool:
        """True when one cue is in the (normalized) text."""
        return any(self._hit(normalized, cue) for cue in self.cues)

    def which(self, normalized: str) -> List[str]:
        """The cues found, in the list's order."""
        return [cue for cue in self.cues if self._hit(normalized, cue)]

    def __iter__(self):
        return iter(self.cues)


class LexiconError(ValueError):
    """A lexicon file that cannot be used (named, with the problem)."""


class Lexicon:
    """All cue lists by name (names are unique across the files)."""

    def __init__(self, lists: Dict[str, CueList]):
        self._lists = lists

    def __getitem__(self, name: str) -> CueList:
        try:
            return self._lists[name]
        except KeyError:
            raise KeyError(f"no cue list named {name!r} in data/lexicon/") from None

    def __contains__(self, name: str) -> bool:
        return name in self._lists

    @property
    def names(self) -> List[str]:
        return sorted(self._lists)

    def found_in(self, name: str, normalized: str) -> bool:
        return self[name].found_in(normalized)


def _read(path: Path) -> Iterable[CueList]:
    data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    for name, block in (data.get("cues") or {}).items():
        if not isinstance(block, dict) or not isinstance(block.get("cues"), list):
            raise LexiconError(f"{path.name}: « {name} » needs a list « cues »")
        match = block.get("match", "stem")
        if match not in ("stem", "phrase", "word"):
            raise LexiconError(f"{path.name}: « {name} »: match must be stem, phrase or word, not {match!r}")
        cues = tuple(str(c) for c in block["cues"])
        bad = [c for c in cues if c.strip() and normalize(c) != c.strip() and match != "phrase"]
        if bad:
            raise LexiconError(f"{path.name}: « {name} »: write cues without accents, in lower case: {bad[:3]}")
        yield CueList(str(name), cues, match, str(block.get("doc", "")))


def load_lexicon(directory: Path = LEXICON_DIR) -> Lexicon:
    lists: Dict[str, CueList] = {}
    for path in sorted(directory.glob("*.yml")):
        for cue_list in _read(path):
            if cue_list.name in lists:
                raise LexiconError(f"{path.name}: « {cue_list.name} » is already defined in another file")
            lists[cue_list.name] = cue_list
    return Lexicon(lists)


@lru_cache(maxsize=1)
def lexicon() -> Lexicon:
    """The lexicon of ``data/lexicon/``, loaded once per process."""
    return load_lexicon()
