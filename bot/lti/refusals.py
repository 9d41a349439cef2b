"""Why a login or a launch was refused, in French, for the page the teacher or student sees.

pylti1p3 raises with English messages; each known one is mapped to what a teacher can do
about it (and the technical reason is kept underneath for the administrator).
"""

from __future__ import annotations

#: (fragment of pylti1p3's message, French explanation), first match wins
REASONS = (
    (
        "Invalid Nonce",
        "Ce lien de lancement a déjà servi ou a expiré (jeton rejoué). Relancez l'activité depuis Moodle.",
    ),
    ("has expired", "Le jeton de lancement a expiré. Relancez l'activité depuis Moodle."),
    (
        "Signature verification failed",
        "La signature du jeton de lancement est invalide : il ne vient pas de la plate-forme enregistrée.",
    ),
    (
        "Unable to find public key",
        "La clé qui a signé le jeton est inconnue de la plate-forme enregistrée (clé publique introuvable).",
    ),
    (
        "Registration not found",
        "Aucune plate-forme enregistrée ne correspond à ce jeton (émetteur ou identifiant client / audience inconnus).",
    ),
    (
        "Client id not registered",
        "L'identifiant client (audience) du jeton ne correspond pas à la plate-forme enregistrée.",
    ),
    (
        "Could not find registration",
        "Cette plate-forme n'est pas enregistrée : l'administrateur doit l'ajouter dans Administration › LTI.",
    ),
    (
        "Unable to find deployment",
        "Ce déploiement de l'outil est inconnu : l'administrateur doit ajouter son identifiant (deployment ID).",
    ),
    (
        "State not found",
        "La session de lancement est introuvable (cookie bloqué ou lancement trop ancien). "
        "Ouvrez l'activité dans une nouvelle fenêtre.",
    ),
    ("Missing state", "La session de lancement est introuvable. Relancez l'activité depuis Moodle."),
    ("Missing id_token", "La requête ne contient pas de jeton de lancement (id_token)."),
    (
        "Missing",
        "La session de lancement est introuvable (cookie bloqué). Ouvrez l'activité dans une nouvelle fenêtre.",
    ),
    ("Invalid id_token", "Le jeton de lancement est mal formé."),
    ("Invalid JWT", "Le jeton de lancement est mal formé."),
    ("Could not find issuer", "La demande de connexion ne dit pas de quelle plate-forme elle vient (iss manquant)."),
    ("Could not find login hint", "La demande de connexion est incomplète (login_hint manquant)."),
    ("Launch data not found", "Ce lancement a expiré. Relancez l'activité depuis Moodle."),
)
DEFAULT = "Le lancement depuis la plate-forme a été refusé."


def explain(message: str) -> str:
    return next((french for fragment, french in REASONS if fragment in message), DEFAULT)
