"""LTI 1.3 endpoints (contract §7): OIDC login, launch, JWKS, the teacher's deep-linking choice.

The protocol is pylti1p3's (through :mod:`bot.lti.adapters`); these routes read the request,
run the library in a worker thread (it fetches the platform's keys over HTTP), then turn
what the launch says into a logged-in account: a student lands on the simulation of the
activity, a teacher on the class of the course (its roster read from the LMS), and a teacher
adding the activity picks its scenario and mode.
"""

from __future__ import annotations

import logging
import secrets
from typing import Any, Dict
from urllib.parse import urlencode, urlsplit

from fastapi import APIRouter, Depends, Form, HTTPException, Request
from fastapi.responses import JSONResponse, RedirectResponse, Response
from pylti1p3.deep_link_resource import DeepLinkResource
from pylti1p3.exception import LtiException, OIDCException
from pylti1p3.lineitem import LineItem
from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool

from bot.lti import adapters, grades, keys, provisioning
from bot.lti.refusals import explain
from bot.lti.registry import DatabaseToolConf, find_platform
from bot.storage.accounts import STAFF_ROLES
from bot.storage.lti_models import LtiActivity, LtiPlatform
from bot.storage.models import Group, User
from bot.web.deps import get_db
from bot.web.security import csrf_ok
from bot.web.templating import render

router = APIRouter()
logger = logging.getLogger(__name__)
CUSTOM_CLAIM = "https://purl.imsglobal.org/spec/lti/claim/custom"
RESOURCE_CLAIM = "https://purl.imsglobal.org/spec/lti/claim/resource_link"
DEEP_LINKING_CLAIM = "https://purl.imsglobal.org/spec/lti-dl/claim/deep_linking_settings"
AGS_CLAIM = "https://purl.imsglobal.org/spec/lti-ags/claim/endpoint"
TICKET_PREFIX = "lti1p3-ticket-"
TICKET_TTL_S = 120
MODE_LABELS = {"training": "Entraînement", "exam": "Examen"}


class Refused(Exception):
    """A launch the tool will not honour; ``message`` is French, for the person in front of the page."""

    def __init__(self, message: str, status: int = 403):
        super().__init__(message)
        self.message, self.status = message, status


def refusal_page(request: Request, message: str, detail: str = "", status: int = 403) -> Response:
    return render(request, "lti/refused.html", {"message": message, "detail": detail}, status)


def launch_url(request: Request) -> str:
    return str(request.url_for("lti_launch"))


def _lti_request(request: Request, params: Dict[str, Any]) -> adapters.FastApiRequest:
    return adapters.FastApiRequest(params, request.cookies, request.session, request.url.scheme == "https")


def log_in(request: Request, user: User) -> None:
    """The same session as the password login (``auth.login``): the LMS vouched for the person."""
    request.session.clear()
    request.session.update(uid=user.id, pw=user.password_hash[-16:])


@router.api_route("/lti/login", methods=["GET", "POST"], name="lti_login")
async def login(request: Request) -> Response:
    """OIDC third-party initiated login: store a nonce and a state, send the browser back to the platform."""
    params: Dict[str, Any] = dict(request.query_params)
    if request.method == "POST":
        params.update({k: v for k, v in (await request.form()).items() if isinstance(v, str)})
    lti_request, sessions, target = _lti_request(request, params), request.app.state.sessions, launch_url(request)

    def run() -> Response:
        with sessions() as db:
            return adapters.oidc_login(lti_request, DatabaseToolConf(db), sessions).redirect(target)

    try:
        return await run_in_threadpool(run)
    except (OIDCException, LtiException) as exc:
        return refusal_page(request, explain(str(exc)), str(exc), 400)


@router.get("/lti/jwks", name="lti_jwks")
def jwks(db: Session = Depends(get_db)) -> JSONResponse:
    return JSONResponse(keys.jwks(db), headers={"Cache-Control": "max-age=300"})


def _handle_launch(request: Request, lti_request: adapters.FastApiRequest, db: Session) -> Dict[str, Any]:
    """Validate the launch (worker thread) and provision; what the response must do."""
    sessions = request.app.state.sessions
    launch = adapters.message_launch(lti_request, DatabaseToolConf(db), sessions)
    data = launch.get_launch_data()  # every check: state, nonce, signature, audience, expiry, deployment
    platform = find_platform(db, data["iss"], launch.get_client_id())
    person = provisioning.LmsPerson.from_claims(data)
    context = data.get(provisioning.CONTEXT_CLAIM) or {}
    if launch.is_deep_link_launch():
        if not person.teaches:
            raise Refused("Seul un enseignant peut ajouter cette activité.")
        user = provisioning.account(db, platform, person)
        provisioning.course_class(db, platform, context, user)
        db.commit()
        return {"user": user.id, "deep_link": launch.get_launch_id()}
    if not launch.is_resource_launch():
        raise Refused("Ce type de lancement n'est pas pris en charge.", 400)
    resource = data.get(RESOURCE_CLAIM) or {}
    activity = provisioning.record_activity(
        db, platform, str(resource.get("id") or ""), data.get(CUSTOM_CLAIM) or {}, data.get(AGS_CLAIM)
    )
    if person.teaches:
        user = provisioning.account(db, platform, person)
        group = provisioning.course_class(db, platform, context, user)
        if group is not None and launch.has_nrps():
            provisioning.sync_roster(db, platform, group, launch.get_nrps().get_members())
        db.commit()
        return {"user": user.id, "next": f"/enseignant/classes/{group.id}" if group else "/enseignant"}
    if activity is None:
        raise Refused("Cette activité n'a pas de scénario : l'enseignant doit la configurer dans Moodle.", 400)
    group = provisioning.course_class(db, platform, context, None)
    db.commit()
    # the account is chosen on the next (same-site) request, which carries the web app's session cookie
    return {"student": {"platform": platform.id, "subject": person.subject, "name": person.name,
                        "group": group.id if group else None, "activity": activity.id}}  # fmt: skip


def _simulation(activity) -> str:
    return "/eleve/simulation?" + urlencode({"scenario": activity.scenario_id, "mode": activity.mode})


def _browser_student(request: Request, db: Session) -> User | None:
    uid = request.session.get("uid")
    user = db.get(User, uid) if isinstance(uid, int) else None
    if user is None or user.role != "student" or request.session.get("pw") != user.password_hash[-16:]:
        return None
    return user


@router.post("/lti/launch", name="lti_launch")
async def launch(request: Request) -> Response:
    form = await request.form()
    lti_request = _lti_request(request, {k: v for k, v in form.items() if isinstance(v, str)})
    sessions = request.app.state.sessions

    def run() -> Dict[str, Any]:
        with sessions() as db:
            return _handle_launch(request, lti_request, db)

    try:
        outcome = await run_in_threadpool(run)
    except Refused as exc:
        return refusal_page(request, exc.message, status=exc.status)
    except LtiException as exc:
        logger.info("LTI launch refused: %s", exc)
        return refusal_page(request, explain(str(exc)), str(exc))
    ticket = secrets.token_urlsafe(32)
    adapters.DatabaseCache(sessions).set(TICKET_PREFIX + ticket, outcome, TICKET_TTL_S)
    return RedirectResponse(f"/lti/suite?ticket={ticket}", status_code=303)


@router.get("/lti/suite")
def after_launch(request: Request, ticket: str = "", db: Session = Depends(get_db)) -> Response:
    """Second half of the launch: log the person in, or ask a logged-in student whether the Moodle user is them.

    The launch is a cross-site POST, which a browser sends without the web app's session cookie
    (SameSite=Lax); this redirect is a top-level GET, which carries it.
    """
    cache = adapters.DatabaseCache(request.app.state.sessions)
    outcome = cache.get(TICKET_PREFIX + ticket) if ticket else None
    if not outcome or not cache.consume(TICKET_PREFIX + ticket):
        raise HTTPException(
            status_code=403, detail="Ce lancement a expiré ou a déjà servi : relancez l'activité depuis Moodle."
        )
    if "student" in outcome:
        pending = outcome["student"]
        platform = db.get(LtiPlatform, pending["platform"])
        current = _browser_student(request, db)
        linked = provisioning.linked_user(db, platform, pending["subject"])
        if current is not None and (linked is None or linked.id != current.id):
            request.session["lti_pending"] = pending
            return RedirectResponse("/lti/rattacher", status_code=303)
        person = provisioning.LmsPerson(pending["subject"], pending.get("name") or "", ())
        return _enter_activity(request, db, pending, provisioning.account(db, platform, person, _group(db, pending)))
    log_in(request, db.get(User, outcome["user"]))
    if "deep_link" in outcome:
        request.session["lti_launch"] = outcome["deep_link"]
        return RedirectResponse("/lti/activite", status_code=303)
    return RedirectResponse(outcome["next"], status_code=303)


def _group(db: Session, pending: Dict[str, Any]) -> Group | None:
    return db.get(Group, pending["group"]) if pending.get("group") else None


def _enter_activity(request: Request, db: Session, pending: Dict[str, Any], user: User) -> Response:
    """The student opens the activity's simulation; their ended sessions of it will reach the gradebook."""
    activity = db.get(LtiActivity, pending["activity"])
    if user.learner is None:  # a teacher's account (Moodle's « prendre le rôle d'étudiant »): their pages
        db.commit()
        log_in(request, user)
        return RedirectResponse("/enseignant", status_code=303)
    provisioning.record_attempt(db, activity, user.learner, pending["subject"])
    db.commit()
    grades.send_in_background(request.app.state.sessions, user.learner_id)
    log_in(request, user)
    return RedirectResponse(_simulation(activity), status_code=303)


def _teacher_with_launch(request: Request, db: Session) -> tuple:
    uid = request.session.get("uid")
    user = db.get(User, uid) if isinstance(uid, int) else None
    launch_id = request.session.get("lti_launch")
    if user is None or user.role not in STAFF_ROLES or not launch_id:
        raise HTTPException(status_code=403, detail="Ouvrez cette page depuis Moodle (ajout d'une activité).")
    return user, launch_id


@router.get("/lti/activite")
def pick_page(request: Request, db: Session = Depends(get_db)) -> Response:
    """Deep linking: the teacher chooses the scenario and the mode of the activity they add."""
    _teacher_with_launch(request, db)
    library = request.app.state.library()
    scenarios = [(sid, library.scenario(sid).title) for sid in library.scenario_ids]
    return render(request, "lti/pick.html", {"scenarios": scenarios, "modes": MODE_LABELS})


@router.post("/lti/activite")
async def pick(
    request: Request, scenario: str = Form(""), mode: str = Form("training"), db: Session = Depends(get_db)
) -> Response:
    """Send the choice back to the platform: a signed deep-linking response, posted by the browser."""
    if not await csrf_ok(request):
        raise HTTPException(status_code=400, detail="Formulaire expiré : relancez l'ajout depuis Moodle.")
    _, launch_id = _teacher_with_launch(request, db)
    library = request.app.state.library()
    if scenario not in library.scenarios or mode not in MODE_LABELS:
        raise HTTPException(status_code=400, detail="Choisissez un scénario et un mode de la liste.")
    title = f"{library.scenario(scenario).title} ({MODE_LABELS[mode].lower()})"
    lti_request, sessions, target = _lti_request(request, {}), request.app.state.sessions, launch_url(request)

    def run() -> tuple:
        with sessions() as db:
            restored = adapters.restored_launch(launch_id, lti_request, DatabaseToolConf(db), sessions)
            resource = (
                DeepLinkResource()
                .set_url(target)
                .set_title(title[:255])
                .set_custom_params({"scenario": scenario, "mode": mode})
                .set_lineitem(LineItem().set_score_maximum(20).set_label(title[:255]).set_tag(scenario))
            )
            settings = restored.get_launch_data()[DEEP_LINKING_CLAIM]
            return settings["deep_link_return_url"], restored.get_deep_link().get_response_jwt([resource])

    try:
        return_url, token = await run_in_threadpool(run)
    except LtiException as exc:
        return refusal_page(request, explain(str(exc)), str(exc), 400)
    request.session.pop("lti_launch", None)
    response = render(request, "lti/deep_link_return.html", {"return_url": return_url, "jwt": token, "title": title})
    origin = "{0.scheme}://{0.netloc}".format(urlsplit(return_url))
    response.headers["Content-Security-Policy"] = (
        "default-src 'self'; style-src 'self'; script-src 'self'; object-src 'none'; base-uri 'none'; "
        f"form-action 'self' {origin}; frame-ancestors *"
    )
    return response


@router.get("/lti/rattacher")
def link_page(request: Request, db: Session = Depends(get_db)) -> Response:
    pending = request.session.get("lti_pending")
    current = _browser_student(request, db)
    if not pending or current is None:
        raise HTTPException(
            status_code=403, detail="Aucun compte Moodle à rattacher : relancez l'activité depuis Moodle."
        )
    return render(request, "lti/link.html", {"lms_name": pending.get("name") or "?", "account": current})


@router.post("/lti/rattacher")
async def link_choice(request: Request, choice: str = Form(""), db: Session = Depends(get_db)) -> Response:
    """The student says whether the Moodle user is the account they are logged in with (one history)."""
    if not await csrf_ok(request):
        raise HTTPException(status_code=400, detail="Formulaire expiré : relancez l'activité depuis Moodle.")
    pending = request.session.get("lti_pending")
    current = _browser_student(request, db)
    if not pending or current is None:
        raise HTTPException(
            status_code=403, detail="Aucun compte Moodle à rattacher : relancez l'activité depuis Moodle."
        )
    platform = db.get(LtiPlatform, pending["platform"])
    group = _group(db, pending)
    request.session.pop("lti_pending", None)
    if choice == "moi":
        provisioning.relink(db, platform, pending["subject"], current)
        user = current
        if group is not None and user.learner.group_id is None:
            user.learner.group_id = group.id
    else:
        person = provisioning.LmsPerson(pending["subject"], pending.get("name") or "", ())
        user = provisioning.account(db, platform, person, group)
    return _enter_activity(request, db, pending, user)
