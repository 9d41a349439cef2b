"""Screening of raw learner input before it reaches the client persona."""

from __future__ import annotations

import re
import unicodedata

from bot.config import get_settings
from bot.language.text import normalize

_LETTER = re.compile(r"[^\W\d_]", re.UNICODE)
_FRENCH_HINTS = re.compile(
    r"\b(le|la|les|de|des|du|un|une|et|est|vous|nous|je|pour|que|qui|avec|sur|pas|oui|non|votre|vos|bonjour|merci|ca|c'est|on)\b"
)
#: frequent words of other languages written in the Latin alphabet, none of them French
_FOREIGN_HINTS = [
    re.compile(r"\b(the|and|you|your|is|are|what|how|hello|please|thanks|with|for|this|that|we|can)\b"),
    re.compile(
        r"\b(ich|und|nicht|sie|ihnen|ist|das|der|die|mit|für|wir|guten|möchte|heute|unser\w*|haben|bitte|danke)\b"
    ),
    re.compile(
        r"\b(hola|usted\w*|quiero|nuestr[oa]s?|gracias|por|los|el|está|tengo|buenos|buenas|somos|estamos|muy)\b"
    ),
    re.compile(r"\b(buongiorno|vorrei|nostr[oaie]|grazie|sono|della|siamo|questo|questa|molto|anche|perché)\b"),
]
#: words that ask to end the simulation (normalized: lowercase, no accents)
_DEBRIEF_CUES = re.compile(
    r"\b(bilan|debrief\w*|notes?|noter|notez|evalu\w*|termin\w*|fini[rse]?|fin|arret\w*|stop|resultats?|score|"
    r"retour|feedback|quitt\w*|clotur\w*|clot|clos|grille|copie|corrig\w*|sorti|reussi|rate|prestation|"
    r"perf\w*|simu\w*|exercice|abandon\w*|compte rendu|amelior\w*|nego\w*|points? (forts?|faibles?)|axes?|"
    r"erreurs?|autrement|combien j'ai|(bien|mal) fait)\b"
)
_NOT_FINISHED = re.compile(r"\b(pas|plus|jamais)\s+(encore\s+)?(fini|termine|fin)\b")


def screen(text: str) -> str | None:
    """A coach message key when the input cannot be played as is, else None.

    ``empty`` (nothing readable), ``too_long`` (read but clipped), ``other_language``.
    """
    visible = "".join(c for c in (text or "") if unicodedata.category(c)[0] not in "CZ")
    if not _LETTER.search(visible) and not re.search(r"\d", visible):
        return "empty"
    if len(text) > get_settings().analysed_max_chars:
        return "too_long"
    lowered = text.lower()
    letters = _LETTER.findall(lowered)
    latin = sum(1 for c in letters if "a" <= unicodedata.normalize("NFKD", c)[0] <= "z")
    if letters and latin / len(letters) < 0.5:
        return "other_language"
    words = re.findall(r"[\w']+", lowered)
    foreign = any(len(hints.findall(lowered)) >= 2 for hints in _FOREIGN_HINTS)
    if len(words) >= 4 and foreign and not _FRENCH_HINTS.search(lowered):
        return "other_language"
    return None


def asks_debrief(text: str) -> bool:
    """True when the words of the message ask to end the simulation (« bilan », « j'arrête »…).

    The NLU sometimes hears a request for the debrief in a sentence of the meeting;
    ending a simulation cannot be undone, so the words must say it too.
    """
    norm = normalize(text)
    return bool(_DEBRIEF_CUES.search(norm)) and not _NOT_FINISHED.search(norm)
