"""Accounts after their creation: everyone's password change, the admin's reset and deactivation."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Form, HTTPException, Request
from fastapi.responses import RedirectResponse, Response
from sqlalchemy.orm import Session

from bot.storage import account_changes
from bot.storage.accounts import AccountError
from bot.storage.models import User
from bot.web.deps import PASSWORD_PAGE, admin_user, current_user, get_db
from bot.web.routes.auth import home_for
from bot.web.routes.teacher import require_csrf
from bot.web.security import off_loop
from bot.web.sessions import SCOPE_KEY
from bot.web.templating import render

router = APIRouter()
TEACHERS_PAGE = "/admin/enseignants"


@router.get(PASSWORD_PAGE)
def password_page(request: Request, user: User = Depends(current_user)) -> Response:
    return render(request, "account/password.html", {"temporary": user.must_change_password})


@router.post(PASSWORD_PAGE)
async def change_password(
    request: Request,
    current: str = Form(""),
    new: str = Form(""),
    confirm: str = Form(""),
    user: User = Depends(current_user),
    db: Session = Depends(get_db),
) -> Response:
    await require_csrf(request)
    try:
        await off_loop(
            account_changes.change_password, db, user, current[:200], new, confirm, request.scope.get(SCOPE_KEY)
        )
    except AccountError as exc:
        context = {"temporary": user.must_change_password, "error": str(exc)}
        return render(request, "account/password.html", context, 400)
    request.session["pw"] = user.password_hash[-16:]  # this session stays; the others have ended
    request.session["notice"] = "Mot de passe modifié. Vos autres sessions ont été fermées."
    return RedirectResponse(home_for(user), status_code=303)


def _target(db: Session, user_id: int) -> User:
    target = db.get(User, user_id)
    if target is None:
        raise HTTPException(status_code=404, detail="Compte introuvable.")
    return target


@router.post("/admin/comptes/{user_id}/reinitialiser")
async def reset_password(
    user_id: int, request: Request, admin: User = Depends(admin_user), db: Session = Depends(get_db)
) -> Response:
    await require_csrf(request)
    target = _target(db, user_id)
    try:
        temporary = await off_loop(account_changes.reset_password, db, admin, target)
    except AccountError as exc:
        raise HTTPException(status_code=400, detail=str(exc)) from None
    request.session["reset_password"] = {"username": target.username, "password": temporary}
    return RedirectResponse(TEACHERS_PAGE, status_code=303)


@router.post("/admin/comptes/{user_id}/{action}")
async def set_active(
    user_id: int, action: str, request: Request, admin: User = Depends(admin_user), db: Session = Depends(get_db)
) -> Response:
    await require_csrf(request)
    if action not in ("desactiver", "reactiver"):
        raise HTTPException(status_code=404, detail="Action inconnue.")
    try:
        account_changes.set_active(db, admin, _target(db, user_id), action == "reactiver")
    except AccountError as exc:
        raise HTTPException(status_code=400, detail=str(exc)) from None
    return RedirectResponse(TEACHERS_PAGE, status_code=303)
