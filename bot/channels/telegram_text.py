"""What the Telegram channel says and how it reads commands: French texts, client and coach
marks, messages split under Telegram's limit, ``/scenario 2`` turned into the project's intent.

Plain functions without aiogram or Sanic, tested on their own; ``bot.channels.telegram`` is
the channel that uses them.
"""

from __future__ import annotations

import json
import re
import unicodedata
from dataclasses import dataclass
from typing import List, Mapping

from bot.config import get_settings
from bot.engine.play_schema import MAX_FIXED_VARIANT, start_options

#: the channel's name: Rasa's input channel, and the key of the learners' Telegram links
CHANNEL = "telegram"
#: Telegram's limit, in UTF-16 code units (an emoji counts for two)
MAX_MESSAGE_CHARS = 4096

CLIENT_MARK = "🧑‍💼"
COACH_MARK = "🎓"

# --------------------------------------------------------------------------- texts (French)

WELCOME = """Bonjour{name} ! Je suis votre simulateur d'entretien de vente.

Vous jouez le commercial ; je joue votre client B2B ({client} client) et un coach vous conseille ({coach} Coach).

Comment jouer :
1. /scenarios : la liste des scénarios.
2. /scenario <id> <niveau> : démarrer, par exemple /scenario air-plasturgie découverte.
   Trois niveaux : découverte (un client qui se confie, peu d'objections), standard (par défaut),
   examen (toutes les objections, un temps limité, sans indice).
   Lisez la fiche de préparation, puis ouvrez l'entretien.
3. Écrivez comme dans un vrai rendez-vous : saluez, présentez-vous, posez vos questions, proposez, négociez, concluez.
4. /indice : un conseil du coach si vous êtes bloqué·e.
5. /bilan : terminer et recevoir votre évaluation.

{account}"""

ACCOUNT_GUEST = (
    "Vous jouez en invité : vos simulations sont enregistrées et visibles par l'équipe pédagogique. "
    "Pour les retrouver dans votre espace web, affichez le code de liaison sur le site puis tapez /lier CODE."
)
ACCOUNT_LINKED = (
    "Compte lié : vos simulations sont enregistrées dans votre espace web ({learner}). /delier pour annuler."
)

HELP = """Commandes :
/scenarios : liste des scénarios
/scenario <id> <niveau> : démarrer un scénario au niveau découverte, standard (par défaut)
   ou examen (mode examen, sans indice) ; ajoutez « variante N » pour la variante fixée par votre enseignant
/indice : un conseil du coach
/bilan : terminer la simulation et recevoir le bilan
/lier CODE : lier ce compte Telegram à votre espace web
/delier : annuler la liaison
/start : présentation

En dehors des commandes, écrivez simplement ce que vous diriez à votre client."""

UNKNOWN_COMMAND = "Je ne connais pas la commande « {command} ».\n\n" + HELP
SCENARIO_MENU_HEAD = "Scénarios disponibles :"
SCENARIO_MENU_TAIL = (
    "Pour démarrer : /scenario <id> <niveau> (découverte, standard ou examen), "
    "par exemple /scenario {example} découverte"
)
SCENARIO_MISSING = "Indiquez le scénario à démarrer."
SCENARIO_UNKNOWN = "Je ne connais pas le scénario « {scenario_id} »."
LEVEL_UNKNOWN = (
    "Je ne comprends pas « {word} » après le scénario. Niveaux : découverte, standard ou examen ; "
    "variante fixée par votre enseignant : « variante N » (N de 0 à {max_variant}). "
    "Par exemple /scenario {scenario_id} découverte"
)
LINK_USAGE = (
    "Pour lier votre compte : connectez-vous au site, affichez votre code de liaison, "
    "puis tapez /lier suivi du code (par exemple /lier K7QM3XPD)."
)
LINK_OK = (
    "✅ Compte lié : vos prochaines simulations sont enregistrées dans votre espace web ({learner}). "
    "Les simulations faites en invité restent visibles par l'équipe pédagogique. "
    "Démarrez un scénario avec /scenarios."
)
LINK_FAILED = (
    "❌ Ce code n'est pas valable : il est inconnu, déjà utilisé ou expiré (15 minutes). "
    "Affichez un nouveau code sur le site et réessayez."
)
LINK_TOO_MANY = "Trop d'essais de code. Patientez quelques minutes avant de réessayer."
UNLINK_OK = "Liaison annulée : vous jouez de nouveau en invité."
UNLINK_NONE = "Ce compte Telegram n'est lié à aucun espace web."
PRIVATE_ONLY = "Je ne joue qu'en conversation privée : écrivez-moi directement."
TEXT_ONLY = "Je ne lis que les messages écrits : tapez votre réponse au client."

# --------------------------------------------------------------------------- pure helpers


def utf16_len(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


def _hard_cut(text: str, limit: int) -> List[str]:
    """Last resort for one « word » longer than the limit (a URL…)."""
    chunks: List[str] = []
    current, size = "", 0
    for char in text:
        width = utf16_len(char)
        if size + width > limit:
            chunks.append(current)
            current, size = "", 0
        current += char
        size += width
    return chunks + ([current] if current else [])


def split_message(text: str, limit: int = MAX_MESSAGE_CHARS) -> List[str]:
    """Pieces of at most ``limit`` UTF-16 units, cut at blank lines, else at line ends, else between words."""
    text = text.strip("\n")
    if not text.strip():
        return []
    if utf16_len(text) <= limit:
        return [text]
    for sep in ("\n\n", "\n", " "):
        parts = text.split(sep)
        if len(parts) > 1:
            break
    else:
        return _hard_cut(text, limit)
    chunks: List[str] = []
    current = ""
    for part in parts:
        candidate = f"{current}{sep}{part}" if current else part
        if utf16_len(candidate) <= limit:
            current = candidate
            continue
        if current:
            chunks.append(current)
        if utf16_len(part) <= limit:
            current = part
        else:
            pieces = split_message(part, limit)
            chunks.extend(pieces[:-1])
            current = pieces[-1] if pieces else ""
    if current:
        chunks.append(current)
    return [c.strip("\n").rstrip() for c in chunks if c.strip()]


_START_SCENARIO = re.compile(r'/start_scenario\{\s*"scenario_id"\s*:\s*"([^"]*)"\s*\}')


def adapt_text(text: str) -> str:
    """Telegram spelling of what the coach suggests typing (``/scenario air-plasturgie``)."""
    return _START_SCENARIO.sub(r"/scenario \1", text)


def render(text: str, speaker: str | None = None, name: str | None = None, body: str | None = None) -> str:
    """One bot utterance as a plain-text Telegram message, speaker marked."""
    if not speaker:
        head, sep, rest = text.partition(" : ")
        if sep and head == "Coach":
            speaker, body = "coach", rest
        else:
            return adapt_text(text)
    body = body if body is not None else text
    if speaker == "coach":
        body = re.sub(r"^\s*Coach\s*:\s*", "", body)  # some coach lines carry their own prefix
        return adapt_text(f"{COACH_MARK} Coach : {body}")
    if speaker == "client":
        label = f"{name} (client)" if name else "Client"
        return adapt_text(f"{CLIENT_MARK} {label} : {body}")
    return adapt_text(f"{name} : {body}" if name else body)


def _fold(word: str) -> str:
    """Lower case without accents: ``Scénarios`` → ``scenarios``."""
    return "".join(c for c in unicodedata.normalize("NFD", word.lower()) if unicodedata.category(c) != "Mn")


@dataclass
class Command:
    """What to do with one Telegram text.

    ``kind``: ``forward`` (``text`` goes to Rasa), ``reply`` (``text`` is the answer),
    ``start`` (welcome; ``arg``: deep-link payload), ``link`` (``arg``: the code), ``unlink``.
    """

    kind: str
    text: str = ""
    arg: str = ""


ALIASES = {
    "start": "start",
    "aide": "help",
    "help": "help",
    "commandes": "help",
    "scenarios": "scenarios",
    "scenario": "scenario",
    "jouer": "scenario",
    "indice": "hint",
    "aidez-moi": "hint",
    "bilan": "debrief",
    "fin": "debrief",
    "lier": "link",
    "delier": "unlink",
}
#: the project's own intent syntax, still accepted (the REST channel's examples use it)
PASSTHROUGH = ("start_scenario", "ask_hint", "request_debrief")
_COMMAND_NAME = re.compile(r"^/([^\s@{]*)")
_COMMAND = re.compile(r"^/([^\s@{]+)(?:@\w+)?(?:\s+(.*))?$", re.DOTALL)


def scenario_menu(scenarios: Mapping[str, str]) -> str:
    ids = sorted(scenarios)
    lines = [SCENARIO_MENU_HEAD]
    lines += [f"{i}. {sid} – {scenarios[sid]}" for i, sid in enumerate(ids, 1)]
    lines += ["", SCENARIO_MENU_TAIL.format(example=ids[0] if ids else "air-plasturgie")]
    return "\n".join(lines)


def interpret(text: str, scenarios: Mapping[str, str]) -> Command:
    """Commands → answers or project intents; anything else goes to Rasa as it is.

    ``scenarios``: scenario id → title (from the scenario library).
    """
    text = (text or "").strip()
    if not text.startswith("/"):
        return Command("forward", text[: get_settings().message_max_chars])
    raw = _COMMAND_NAME.match(text).group(1)
    if raw in PASSTHROUGH:
        return Command("forward", text[: get_settings().message_max_chars])
    match = _COMMAND.match(text)
    if not match:
        return Command("reply", UNKNOWN_COMMAND.format(command=text.split()[0][:40]))
    command = ALIASES.get(_fold(raw))
    arg = (match.group(2) or "").strip()
    if command == "start":
        return Command("start", arg=arg)
    if command == "help":
        return Command("reply", HELP)
    if command == "scenarios":
        return Command("reply", scenario_menu(scenarios))
    if command == "scenario":
        return _start_scenario(arg, scenarios)
    if command == "hint":
        return Command("forward", "/ask_hint")
    if command == "debrief":
        return Command("forward", "/request_debrief")
    if command == "link":
        return Command("link", arg=arg) if arg else Command("reply", LINK_USAGE)
    if command == "unlink":
        return Command("unlink")
    return Command("reply", UNKNOWN_COMMAND.format(command="/" + raw[:40]))


#: the words after ``/scenario <id>`` that choose the level (folded); « examen » is also the exam mode
LEVEL_WORDS = {"decouverte": "decouverte", "standard": "standard", "examen": "examen", "exam": "examen"}


def _start_scenario(arg: str, scenarios: Mapping[str, str]) -> Command:
    """``/scenario <id> [découverte|standard|examen] [variante N]`` → the start message, with the level and
    the variant in the ``mode`` entity as the web app sends them (a new variant drawn for every attempt,
    unless the teacher fixed one for the class)."""
    words = arg.split()
    if not words:
        return Command("reply", f"{SCENARIO_MISSING}\n\n{scenario_menu(scenarios)}")
    wanted = _fold(words[0])
    ids = sorted(scenarios)
    if wanted.isdigit() and 1 <= int(wanted) <= len(ids):
        wanted = ids[int(wanted) - 1]
    if wanted not in scenarios:
        unknown = SCENARIO_UNKNOWN.format(scenario_id=words[0][:60])
        return Command("reply", f"{unknown}\n\n{scenario_menu(scenarios)}")
    level, variant = "standard", "auto"
    rest = [_fold(w) for w in words[1:]]
    while rest:
        word = rest.pop(0)
        if word in LEVEL_WORDS:
            level = LEVEL_WORDS[word]
        elif word in ("variante", "variant") and rest and rest[0].isdigit() and int(rest[0]) <= MAX_FIXED_VARIANT:
            variant = int(rest.pop(0))
        else:
            text = LEVEL_UNKNOWN.format(word=word[:40], max_variant=MAX_FIXED_VARIANT, scenario_id=wanted)
            return Command("reply", text)
    options = start_options("exam" if level == "examen" else "training", level, variant)
    return Command("forward", "/start_scenario" + json.dumps({"scenario_id": wanted, "mode": options}))
