"""The admin registers an LMS (platform) and reads, on the same page, what to paste into Moodle."""

from __future__ import annotations

from fastapi import APIRouter, Depends, HTTPException, Request
from fastapi.responses import RedirectResponse, Response
from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.lti import keys
from bot.lti.registry import PlatformError, save_platform
from bot.storage.lti_models import LtiPlatform
from bot.storage.models import User
from bot.web.deps import admin_user, get_db
from bot.web.security import csrf_ok
from bot.web.templating import render

router = APIRouter()
FIELDS = ("name", "issuer", "client_id", "deployment_ids", "auth_login_url", "auth_token_url", "key_set_url")


def _page(request: Request, db: Session, form: dict | None = None, error: str = "", status: int = 200) -> Response:
    tool = {
        "launch": str(request.url_for("lti_launch")),
        "login": str(request.url_for("lti_login")),
        "jwks": str(request.url_for("lti_jwks")),
    }
    platforms = list(db.scalars(select(LtiPlatform).order_by(LtiPlatform.name)))
    context = {
        "tool": tool,
        "platforms": platforms,
        "form": form or {},
        "error": error,
        "kid": keys.signing_key(db).kid,
    }
    return render(request, "lti/admin.html", context, status)


@router.get("/admin/lti")
def platforms_page(request: Request, user: User = Depends(admin_user), db: Session = Depends(get_db)) -> Response:
    return _page(request, db)


@router.post("/admin/lti")
async def register_platform(
    request: Request, user: User = Depends(admin_user), db: Session = Depends(get_db)
) -> Response:
    if not await csrf_ok(request):
        raise HTTPException(status_code=400, detail="Formulaire expiré : rechargez la page.")
    raw = await request.form()
    form = {name: str(raw.get(name, ""))[:500] for name in FIELDS}
    try:
        save_platform(db, **form)
    except PlatformError as exc:
        return _page(request, db, form, str(exc), 400)
    return RedirectResponse("/admin/lti", status_code=303)


@router.post("/admin/lti/cle")
async def rotate_key(request: Request, user: User = Depends(admin_user), db: Session = Depends(get_db)) -> Response:
    """A new signing key; the previous one stays published until the next rotation."""
    if not await csrf_ok(request):
        raise HTTPException(status_code=400, detail="Formulaire expiré : rechargez la page.")
    keys.rotate(db)
    return RedirectResponse("/admin/lti", status_code=303)
