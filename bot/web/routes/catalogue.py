"""The catalogue page (students and teachers): situations by competence, situation, sector, level, duration."""

from __future__ import annotations

from fastapi import APIRouter, Depends, HTTPException, Request
from fastapi.responses import Response

from bot.engine.play_schema import LEVELS, MAX_FIXED_VARIANT
from bot.storage.accounts import STAFF_ROLES
from bot.storage.models import User
from bot.web.catalogue import DURATION_LABELS, Filters, choices, rows
from bot.web.deps import current_user
from bot.web.templating import render

router = APIRouter()


@router.get("/catalogue")
def catalogue(
    request: Request,
    competence: str = "",
    situation: str = "",
    secteur: str = "",
    niveau: str = "",
    duree: str = "",
    lien: str = "",
    variante: str = "",
    user: User = Depends(current_user),
) -> Response:
    """``lien`` + ``variante`` (teachers): the link that makes the whole class play that variant."""
    library = request.app.state.library()
    if niveau and niveau not in LEVELS:
        raise HTTPException(status_code=400, detail="Niveau inconnu : découverte, standard ou examen.")
    if duree and duree not in DURATION_LABELS:
        raise HTTPException(status_code=400, detail="Durée inconnue.")
    filters = Filters(competence, situation, secteur, niveau, duree)
    class_link = class_command = ""
    if lien and user.role in STAFF_ROLES:
        if lien not in library.scenarios:
            raise HTTPException(status_code=404, detail="Scénario inconnu.")
        if not variante.isdigit() or int(variante) > MAX_FIXED_VARIANT:
            detail = f"Variante invalide : un nombre entre 0 et {MAX_FIXED_VARIANT}."
            raise HTTPException(status_code=400, detail=detail)
        class_link = f"/eleve/simulation?scenario={lien}&mode=exam&niveau=examen&variante={int(variante)}"
        class_command = f"/scenario {lien} examen variante {int(variante)}"  # the same start on Telegram
    context = {
        "rows": rows(library, request.app.state.rubric(), filters),
        "filters": filters,
        "choices": choices(library),
        "levels": [(name, library.levels.get(name)) for name in LEVELS],
        "durations": DURATION_LABELS,
        "class_link": class_link,
        "class_command": class_command,
        "link_scenario": lien,
        "max_variant": MAX_FIXED_VARIANT,
    }
    return render(request, "catalogue.html", context)
