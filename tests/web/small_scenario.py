"""A small scenario a teacher writes in the editor (tests of the editor, the store and the browser)."""

from __future__ import annotations

import copy
from typing import Any, Dict

SMALL: Dict[str, Any] = {
    "id": "vente-imprimantes",
    "title": "Imprimantes pour une agence immobilière",
    "competences": ["C1.2"],
    "date": "mardi 12 janvier, 10 h",
    "vendor": "Bureau Plus, fournitures et matériel de bureau",
    "client": "Agence Horizon, agence immobilière de 8 salariés",
    "derived_demand": "L'agence veut remplacer ses imprimantes.",
    "decision_circuit": ["Mme Lefort décide seule"],
    "motivations": {"fiabilite": "ne plus perdre de temps avec les pannes"},
    "budget": "inconnu de l'élève",
    "personas": [{"id": "lefort", "name": "Mme Lefort", "role": "gérante", "main": True}],
    "briefing": {
        "learner": "Vous êtes commercial(e) chez Bureau Plus.",
        "context": "Mme Lefort vous reçoit pour parler de ses imprimantes.",
        "known": ["L'agence a deux vieilles imprimantes."],
        "objectives": {"optimal": "vendre deux imprimantes", "realiste": "vendre une imprimante", "repli": "obtenir un second rendez-vous"},
        "room_for_manoeuvre": ["remise de 5 % au plus"],
    },
    "facts": [
        {"id": "pannes", "topic": "probleme", "label": "les pannes", "keywords": ["panne", "probleme", "souci", "difficult", "incident"],
         "open": "Elles tombent en panne chaque semaine, c'est usant.", "closed": "Oui, souvent."},
        {"id": "volume", "topic": "situation", "label": "le volume", "keywords": ["volume", "page", "combien", "quantit", "mois"],
         "open": "Nous imprimons environ 3 000 pages par mois.", "closed": "Beaucoup, oui."},
        {"id": "attente", "topic": "besoin", "label": "l'attente", "keywords": ["attente", "attend", "besoin", "souhait", "cherch", "important", "futur"],
         "open": "Je veux du matériel fiable et un dépannage rapide.", "closed": "La fiabilité.", "need": True},
    ],
    "objections": [
        {"id": "prix", "type": "prix", "nature": "sincère", "trigger": "price",
         "text": ["C'est plus cher que prévu."], "clarification": ["Je pensais payer moins."],
         "insist": ["Ça reste cher."], "resolved": ["Vu comme ça, d'accord."],
         "resolved_by": {"moves": ["handle_objection", "argue_benefit"]},
         "hint": "Rappelez le coût des pannes."},
    ],
    "signals": [{"text": "Et la livraison, c'est rapide ?"}],
    "catalogue": [
        {"ref": "IMP-1", "label": "imprimante laser réseau", "price": 890, "keywords": ["imprimante"], "core": True},
    ],
    "cgv": {"payment": "30 jours fin de mois", "max_discount_pct": 5, "terms": ["livraison sous 5 jours"]},
    "parameter_change": {
        "trigger": "price", "text": ["Mon associé veut aussi un scanner."],
        "adapted_by": {"moves": ["present_solution", "inform"]}, "adapted": ["Bien, cela nous convient."],
        "hint": "Proposez un modèle avec scanner.",
    },
}  # fmt: skip


def small(**changes: Any) -> Dict[str, Any]:
    """A fresh copy (tests change it)."""
    body = copy.deepcopy(SMALL)
    body.update(changes)
    return body
