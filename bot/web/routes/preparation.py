"""The student's preparation sheet on the web: the form before the chat, and its JSON API.

The form (``/eleve/scenarios/<id>/preparation``) works without JavaScript and on a 390 px phone; a
draft is saved as often as wanted and the sheet is then submitted. The same sheet is read and written
as JSON by ``GET``/``PUT /eleve/api/preparation/<id>`` (login cookie + ``X-CSRF-Token``) and by
``/widget/api/preparation/<id>`` (the widget's bearer token). An exam does not start before the
sheet is submitted (:mod:`bot.web.exam`); in training the sheet is optional.
"""

from __future__ import annotations

from typing import Any, Dict, List

from fastapi import APIRouter, Depends, HTTPException, Request
from fastapi.responses import JSONResponse, RedirectResponse, Response
from sqlalchemy.orm import Session

from bot.assessment.preparation_sheet import (
    PreparationSheet,
    SheetError,
    missing_for_submission,
    parse_sheet,
    sheet_vocabulary,
)
from bot.storage import authored
from bot.storage.models import PreparationSheetRow, User
from bot.storage.sheets import save_sheet, sheet_to_edit
from bot.web.deps import get_db, student_user
from bot.web.exam import EXAM_NEEDS_SHEET
from bot.web.routes.student import read_json
from bot.web.routes.widget import _payload, widget_learner
from bot.web.security import csrf_ok
from bot.web.templating import render

router = APIRouter()
#: empty lines the form adds under the filled ones, per section
BLANK_ROWS = {"questions": 3, "arguments": 1, "objections": 1, "concessions": 1, "documents": 2}
#: the fields of one line of each list section, in the form's order
ROW_FIELDS = {
    "questions": ("topic", "question"),
    "arguments": ("need", "motive", "characteristic", "advantage", "proof"),
    "objections": ("objection", "answer"),
    "concessions": ("concession", "counterpart"),
    "documents": ("document",),
}


def scenario_or_404(request: Request, db: Session, scenario_id: str):
    """A scenario the student may play (never a teacher's draft: its briefing is not theirs to read)."""
    library = request.app.state.library()
    if not authored.playable(db, library, scenario_id):
        raise HTTPException(status_code=404, detail="Scénario inconnu.")
    return library.scenario(scenario_id)


def sheet_json(db: Session, learner_id: str, scenario_id: str) -> Dict[str, Any]:
    sheet, row = sheet_to_edit(db, learner_id, scenario_id)
    return {
        "scenario_id": scenario_id,
        "sheet": sheet.to_json(),
        "status": status_of(row),
        "updated_at": row.updated_at.isoformat() if row else None,
        "submitted_at": row.submitted_at.isoformat() if row and row.submitted_at else None,
        "missing": missing_for_submission(sheet),
    }


def status_of(row: PreparationSheetRow | None) -> str:
    return "nouvelle" if row is None else ("validée" if row.submitted_at else "brouillon")


def put_sheet(db: Session, learner_id: str, scenario_id: str, payload: Dict[str, Any]) -> JSONResponse:
    """``{"sheet": {...}, "submit": true|false}``: save a draft or submit; 422 lists what is wrong."""
    try:
        sheet = parse_sheet(payload.get("sheet"))
    except SheetError as err:
        return JSONResponse({"detail": "Fiche de préparation invalide.", "errors": err.errors}, status_code=422)
    submit = payload.get("submit") is True
    missing = missing_for_submission(sheet) if submit else []
    save_sheet(db, learner_id, scenario_id, sheet, submit=submit and not missing)
    if missing:
        return JSONResponse({"detail": "Brouillon enregistré, fiche incomplète.", "errors": missing}, status_code=422)
    return JSONResponse(sheet_json(db, learner_id, scenario_id))


@router.get("/eleve/api/preparation/{scenario_id}")
def api_get(scenario_id: str, request: Request, user: User = Depends(student_user), db: Session = Depends(get_db)):
    scenario_or_404(request, db, scenario_id)
    return JSONResponse(sheet_json(db, user.learner_id, scenario_id))


@router.put("/eleve/api/preparation/{scenario_id}")
async def api_put(
    scenario_id: str, request: Request, user: User = Depends(student_user), db: Session = Depends(get_db)
) -> JSONResponse:
    scenario_or_404(request, db, scenario_id)
    return put_sheet(db, user.learner_id, scenario_id, await read_json(request))


@router.get("/widget/api/preparation/{scenario_id}")
def widget_get(scenario_id: str, request: Request, user: User = Depends(widget_learner), db: Session = Depends(get_db)):
    scenario_or_404(request, db, scenario_id)
    return JSONResponse(sheet_json(db, user.learner_id, scenario_id))


@router.put("/widget/api/preparation/{scenario_id}")
async def widget_put(
    scenario_id: str, request: Request, user: User = Depends(widget_learner), db: Session = Depends(get_db)
) -> JSONResponse:
    scenario_or_404(request, db, scenario_id)
    return put_sheet(db, user.learner_id, scenario_id, await _payload(request))


def form_payload(form: Any) -> Dict[str, Any]:
    """The form's fields (``objectives.optimal``, ``questions.2.topic``...) as the sheet's JSON."""
    payload: Dict[str, Any] = {"objectives": {}}
    rows: Dict[str, Dict[int, Dict[str, str]]] = {section: {} for section in ROW_FIELDS}
    for key, value in form.multi_items():
        parts = key.split(".")
        if len(parts) == 2 and parts[0] == "objectives":
            payload["objectives"][parts[1]] = value
        elif len(parts) == 3 and parts[0] in ROW_FIELDS and parts[1].isdigit() and parts[2] in ROW_FIELDS[parts[0]]:
            rows[parts[0]].setdefault(int(parts[1]), {})[parts[2]] = value
    for section, by_index in rows.items():
        filled = [by_index[i] for i in sorted(by_index)]
        payload[section] = [r for r in filled if any(v.strip() for k, v in r.items() if k not in ("topic", "motive"))]
    return payload


def form_rows(sheet: PreparationSheet) -> Dict[str, List[Dict[str, str]]]:
    """The lines the form shows: the filled ones, then a few empty ones to add more."""
    data = sheet.to_json()
    shown: Dict[str, List[Dict[str, str]]] = {}
    for section, fields in ROW_FIELDS.items():
        filled = [{"document": d} for d in data["documents"]] if section == "documents" else data[section]
        limit = sheet_vocabulary().items
        shown[section] = (filled + [dict.fromkeys(fields, "") for _ in range(BLANK_ROWS[section])])[:limit]
    return shown


def form_page(
    request: Request, scenario, sheet: PreparationSheet, status: str, messages: List[str], code: int = 200
) -> Response:
    return render(
        request,
        "student/preparation.html",
        {
            "scenario": scenario,
            "sheet": sheet,
            "rows": form_rows(sheet),
            "vocab": sheet_vocabulary(),
            "status": status,
            "messages": messages,
        },
        status_code=code,
    )


@router.get("/eleve/scenarios/{scenario_id}/preparation")
def form_get(
    scenario_id: str,
    request: Request,
    examen: str = "",
    user: User = Depends(student_user),
    db: Session = Depends(get_db),
) -> Response:
    scenario = scenario_or_404(request, db, scenario_id)
    sheet, row = sheet_to_edit(db, user.learner_id, scenario_id)
    return form_page(request, scenario, sheet, status_of(row), [EXAM_NEEDS_SHEET] if examen else [])


@router.post("/eleve/scenarios/{scenario_id}/preparation")
async def form_post(
    scenario_id: str, request: Request, user: User = Depends(student_user), db: Session = Depends(get_db)
) -> Response:
    scenario = scenario_or_404(request, db, scenario_id)
    if not await csrf_ok(request):
        raise HTTPException(status_code=403, detail="Jeton de sécurité invalide : rechargez la page.")
    form = await request.form()
    try:
        sheet = parse_sheet(form_payload(form))
    except SheetError as err:
        _, row = sheet_to_edit(db, user.learner_id, scenario_id)
        return form_page(request, scenario, PreparationSheet(), status_of(row), err.errors, 422)
    submit = form.get("action") == "submit"
    missing = missing_for_submission(sheet) if submit else []
    row = save_sheet(db, user.learner_id, scenario_id, sheet, submit=submit and not missing)
    if missing:
        return form_page(request, scenario, sheet, status_of(row), ["Brouillon enregistré.", *missing], 422)
    if submit:
        return RedirectResponse(f"/eleve/scenarios/{scenario_id}?fiche=validee", status_code=303)
    return form_page(request, scenario, sheet, status_of(row), ["Brouillon enregistré."])
