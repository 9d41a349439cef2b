"""Teacher pages of assignments and attempts: set work for a class, follow it, compare attempts."""

from __future__ import annotations

from datetime import datetime
from typing import List

from fastapi import APIRouter, Depends, HTTPException, Request
from fastapi.responses import RedirectResponse, Response
from sqlalchemy.orm import Session

from bot.storage import accounts
from bot.storage import assignments as work
from bot.storage.attempts import class_progression, compare, scored_attempts
from bot.storage.models import Assignment, Learner, User
from bot.web.deps import get_db, teacher_user
from bot.web.grades import grades_for
from bot.web.routes.teacher import own_group, require_csrf
from bot.web.templating import render

router = APIRouter()


def parse_moment(value: str) -> datetime | None:
    """A ``datetime-local`` field (``2026-12-03T08:00``); ``None`` when empty or malformed."""
    try:
        return datetime.fromisoformat(value.strip()) if value.strip() else None
    except ValueError:
        return None


def scenario_choices(request: Request) -> List:
    library = request.app.state.library()
    return [library.scenarios[s] for s in library.scenario_ids]


def with_final_grades(request: Request, db: Session, follows: List[work.Follow]) -> List[work.Follow]:
    """The « best grade » is the best *final* grade: a teacher's override wins, as on every page."""
    progress = [p for f in follows for _, p in f.rows]
    grades = grades_for(request, db, [s for p in progress for s in p.submitted])
    for p in progress:
        p.finals = {s.id: grades[s.id].final for s in p.submitted}
    return follows


def assignments_context(request: Request, db: Session, group, **extra) -> dict:
    return {
        "group": group,
        "scenarios": scenario_choices(request),
        "follows": with_final_grades(
            request, db, [work.follow_up(db, a) for a in work.group_assignments(db, group.id)]
        ),
        "MODE_LABELS": work.MODE_LABELS,
        "titles": {sid: s.title for sid, s in request.app.state.library().scenarios.items()},
        **extra,
    }


@router.get("/enseignant/classes/{group_id}/devoirs")
def assignments_page(
    group_id: int, request: Request, user: User = Depends(teacher_user), db: Session = Depends(get_db)
) -> Response:
    group = own_group(db, user, group_id)
    return render(request, "teacher/assignments.html", assignments_context(request, db, group))


@router.post("/enseignant/classes/{group_id}/devoirs")
async def create_assignments(
    group_id: int, request: Request, user: User = Depends(teacher_user), db: Session = Depends(get_db)
) -> Response:
    await require_csrf(request)
    group = own_group(db, user, group_id)
    form = await request.form()
    attempts = str(form.get("attempts_allowed", "")).strip()
    try:
        work.create_assignments(
            db,
            group,
            [str(s) for s in form.getlist("scenario_id")],
            request.app.state.library().scenario_ids,
            str(form.get("mode", "")),
            parse_moment(str(form.get("opens_at", ""))),
            parse_moment(str(form.get("due_at", ""))),
            int(attempts) if attempts.isdigit() else 0,
            user,
        )
    except work.AssignmentError as exc:
        context = assignments_context(request, db, group, error=str(exc))
        return render(request, "teacher/assignments.html", context, 400)
    return RedirectResponse(f"/enseignant/classes/{group.id}/devoirs", status_code=303)


@router.post("/enseignant/devoirs/{assignment_id}/supprimer")
async def delete_assignment(
    assignment_id: int, request: Request, user: User = Depends(teacher_user), db: Session = Depends(get_db)
) -> Response:
    await require_csrf(request)
    assignment = db.get(Assignment, assignment_id)
    if assignment is None:
        raise HTTPException(status_code=404, detail="Devoir introuvable.")
    group = own_group(db, user, assignment.group_id)
    db.delete(assignment)
    return RedirectResponse(f"/enseignant/classes/{group.id}/devoirs", status_code=303)


@router.get("/enseignant/classes/{group_id}/progression")
def progression_page(
    group_id: int, request: Request, user: User = Depends(teacher_user), db: Session = Depends(get_db)
) -> Response:
    group = own_group(db, user, group_id)
    library = request.app.state.library()
    scenario_id = request.query_params.get("scenario", "")
    if scenario_id not in library.scenarios:
        scenario_id = ""
    trends = class_progression(db, group.learners, request.app.state.rubric(), scenario_id)
    names = {lr.id: lr.display_name for lr in group.learners}
    context = {"group": group, "trends": trends, "names": names, "chosen": scenario_id}
    return render(request, "teacher/progression.html", {**context, "scenarios": scenario_choices(request)})


@router.get("/enseignant/eleves/{learner_id}/comparer")
def compare_page(
    learner_id: str, request: Request, user: User = Depends(teacher_user), db: Session = Depends(get_db)
) -> Response:
    learner = db.get(Learner, learner_id)
    if learner is None or not accounts.can_see_learner(db, user, learner_id):
        raise HTTPException(status_code=404, detail="Élève introuvable.")
    library = request.app.state.library()
    q = request.query_params
    scenario_id = q.get("scenario", "")
    attempts = scored_attempts(db, learner_id, scenario_id) if scenario_id else []
    context = {"learner": learner, "scenarios": scenario_choices(request), "chosen": scenario_id, "attempts": attempts}
    if scenario_id and scenario_id not in library.scenarios and not attempts:
        raise HTTPException(status_code=404, detail="Scénario inconnu.")
    if len(attempts) >= 2:
        numbered = {s.id: i for i, s in enumerate(attempts, 1)}
        before_id, after_id = q.get("a", attempts[0].id), q.get("b", attempts[-1].id)
        if before_id not in numbered or after_id not in numbered:
            raise HTTPException(status_code=404, detail="Tentative introuvable pour cet élève et ce scénario.")
        before, after = (next(s for s in attempts if s.id == i) for i in (before_id, after_id))
        if before.started_at > after.started_at:
            before, after = after, before
        context.update(
            before=before,
            after=after,
            numbered=numbered,
            grades=grades_for(request, db, [before, after]),
            changes=compare(db, before, after, request.app.state.rubric()),
        )
    return render(request, "teacher/compare.html", context)
