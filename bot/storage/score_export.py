"""The scores CSV of the teacher's exports: one row per session × criterion, automatic and teacher
scores side by side, ``note_20`` the final grade (the teacher's scores win) beside ``note_20_auto``,
then the student's self-assessment, one column per competence block (``autoevaluation_<bloc>``, TI to
TS, empty when the student did not rate themself): it is per block, so every row of a session repeats it.

Built from plain rows, not ORM objects: a class's export is some 14,000 rows, and loading the
sessions as objects, reading the scores twice (once for the cells, once for the grades) and
neutralising every cell one by one cost ~700 ms of CPU per request (scripts/bench_teacher.py).
Here the sessions, their learner's class and the scores are read once as tuples, the grades are
computed from the scores already read, and the file is written as text, not through
``csv.writer``: the cells a session's 19 rows share (session, learner, grades, self-assessment) are
quoted and joined once per session, a criterion's id and label once per export, so a row is a
handful of string concatenations. The quoting is the ``csv`` module's (``;`` delimiter, minimal
quoting, ``\r\n``): tests/unit/test_score_export.py compares the file byte for byte with one written
by ``csv.writer``.

Everything is read from the database before the first line is produced (:func:`scores_csv`), so a
route can stream the lines after its database session is closed.
"""

from __future__ import annotations

import gc
import json
from collections import defaultdict
from contextlib import contextmanager
from typing import Any, Callable, Dict, Iterable, Iterator, List, Mapping

from sqlalchemy import Text, cast, select
from sqlalchemy.orm import Session

from bot.assessment.grading import final_grade
from bot.assessment.rubric import Rubric
from bot.storage.models import CriterionScore, Group, Learner, ScoreOverride, SelfAssessment, SimSession
from bot.storage.results import LEVELS, SessionFilter, by_session, filtered_sessions, first_values, iso

HEADER = [
    "session_id", "eleve", "classe", "scenario", "debut", "fin", "issue", "note_20", "note_20_auto",
    "critere", "libelle",
    "score_auto", "niveau_auto", "score_enseignant", "niveau_enseignant", "commentaire_enseignant", "preuves",
]  # fmt: skip
#: the self-assessment columns follow, one per competence block of the grid (:func:`header`)
SELF_PREFIX = "autoevaluation_"

#: what a spreadsheet reads as the start of a formula
FORMULA_START = frozenset("=+-@\t\r")
#: as many sessions as an export holds at most
EXPORT_LIMIT = 100_000


def csv_safe(value: Any) -> str:
    """The cell as text, with no formula injection when the CSV is opened in a spreadsheet."""
    if isinstance(value, (int, float)):  # most cells of an export: never a formula
        return str(value)
    text = "" if value is None else str(value)
    return "'" + text if text[:1] in FORMULA_START and not _is_number(text) else text


def _is_number(text: str) -> bool:
    try:
        float(text)
        return True
    except ValueError:
        return False


def csv_field(value: Any) -> str:
    """The cell as it is written in the file: neutralised (:func:`csv_safe`), then quoted as
    ``csv.writer`` quotes with ``;`` (only when it holds ``;``, ``"`` or a line break, ``"`` doubled)."""
    text = csv_safe(value)
    if ";" in text or '"' in text or "\n" in text or "\r" in text:
        return '"' + text.replace('"', '""') + '"'
    return text


def csv_line(values: Iterable[Any]) -> str:
    """One line of the file, its cells written by :func:`csv_field`."""
    return ";".join(map(csv_field, values)) + "\r\n"


class _Fields(dict):
    """value -> :func:`csv_field` of it, computed once: scores, levels and comments repeat a lot.
    For columns of one type only (``1`` and ``1.0`` are the same key)."""

    def __missing__(self, value: Any) -> str:
        text = self[value] = csv_field(value)
        return text


def header(rubric: Rubric) -> List[str]:
    """The column names: :data:`HEADER`, then one self-assessment column per competence block."""
    return HEADER + [SELF_PREFIX + block for block in rubric.groups]


def csv_text(lines: Iterable[str]) -> str:
    """The whole file, as :func:`scores_csv` writes it (for tests and small exports)."""
    return "".join(lines)


def chunked(lines: Iterable[str], size: int = 1 << 20) -> Iterator[str]:
    """The lines gathered into pieces of about ``size`` characters: what a streamed response sends.
    Each piece crosses a thread hop and two middlewares: in 64 KB pieces a class export (3.4 MB)
    cost ~35 ms more web CPU than sent whole, in 1 MB pieces the same as whole, while a teacher's
    export of every session (70 MB) is still never held at once (scripts/bench_teacher.py)."""
    pending: List[str] = []
    length = 0
    for line in lines:
        pending.append(line)
        length += len(line)
        if length >= size:
            yield "".join(pending)
            pending, length = [], 0
    if pending:
        yield "".join(pending)


def scores_csv(
    db: Session,
    flt: SessionFilter,
    rubric: Rubric,
    kinds: Mapping[str, str | None],
    alias: Callable[[str, str], str] | None = None,
) -> Iterator[str]:
    """The file the teacher downloads, in pieces: a BOM (Excel reads UTF-8), the header, then the
    rows of each session ``flt`` selects, newest first, one row per criterion, columns of
    :func:`header`, ``;``-separated (French spreadsheets), every cell neutralised (:func:`csv_safe`).
    ``kinds`` gives each scenario's kind of situation (its weights) for the final grade.

    ``alias(prefix, value)``, when given, pseudonymises the export: the learner becomes ``E-…``
    (column ``pseudonyme``) and the session ``S-…``.

    The database is read here, before the first piece; the pieces are produced as they are sent:
    the rows of a class are never all held at once."""
    query = filtered_sessions(
        select(
            SimSession.id, SimSession.learner_id, Group.name, SimSession.scenario_id, SimSession.started_at,
            SimSession.ended_at, SimSession.outcome, SimSession.grade_20,
        )
        .outerjoin(Learner, Learner.id == SimSession.learner_id)
        .outerjoin(Group, Group.id == Learner.group_id),
        flt,
    )  # fmt: skip
    with _collector_paused():
        sessions = db.connection().execute(query.limit(EXPORT_LIMIT)).all()
        ids = [row[0] for row in sessions]
        fields = _Fields()
        autos = _automatic_cells(db, ids, fields)
        overrides = by_session(db, ids, ScoreOverride.score, ScoreOverride.level, ScoreOverride.comment)
        own_levels = _self_assessment_cells(db, ids, list(rubric.groups))
    columns = header(rubric)
    if alias is not None:
        columns[columns.index("eleve")] = "pseudonyme"
    return _lines(rubric, kinds, alias, columns, sessions, autos, overrides, own_levels, fields)


@contextmanager
def _collector_paused() -> Iterator[None]:
    """No cyclic garbage collection while the export is read. Reading a class allocates some
    100,000 objects that all stay alive (rows, decoded evidence, cells); the collections their
    allocation triggers reach the older generations, up to every object of the web process, and
    find nothing to free: measured in process on a class, 147-171 ms of CPU (median) with the
    collector, 79-92 ms without. Nothing read here forms a cycle, reference counting frees it;
    the collector runs again right after. Process-wide, so only the caller that found it
    enabled turns it back on (two exports in two threads leave it enabled)."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def _lines(rubric, kinds, alias, columns, sessions, autos, overrides, own_levels, fields) -> Iterator[str]:
    """The pieces of :func:`scores_csv` from what it read: the header, then one piece per session."""
    yield "\ufeff" + csv_line(columns)
    # a criterion's id and label, and the absent cells, are the same on every session
    criteria = [(csv_field(c.id) + ";" + csv_field(c.label) + ";", c.id) for c in rubric.criteria]
    no_auto, no_override = (";;", ""), ";;;"
    not_rated = "".join(";" for _ in rubric.groups)
    grids: Dict[str | None, list] = {}  # kind -> its criteria (a sale has no purchasing criteria, nor C3)
    for session_id, learner_id, group, scenario_id, started_at, ended_at, outcome, grade_20 in sessions:
        session_autos: Dict[str, tuple] = autos.get(session_id, {})
        session_overrides: Dict[str, tuple] = overrides.get(session_id, {})
        final = final_grade(
            rubric,
            scenario_id,
            kinds.get(scenario_id),
            grade_20,
            {criterion_id: cells[2] for criterion_id, cells in session_autos.items()},
            first_values(session_overrides),
        ).final
        session_cell, learner_cell = (
            (alias("S-", csv_safe(session_id)), alias("E-", csv_safe(learner_id)))
            if alias
            else (session_id, learner_id)
        )
        head = csv_line(
            (
                session_cell, learner_cell, group or "", scenario_id, iso(started_at) or "", iso(ended_at) or "",
                outcome, "" if final is None else final, "" if grade_20 is None else grade_20,
            )
        )[:-2] + ";"  # fmt: skip
        own = own_levels.get(session_id)
        tail = ("".join(";" + level for level in own) if own else not_rated) + "\r\n"
        piece = []
        kind = kinds.get(scenario_id)
        if kind not in grids:
            foreign = set(rubric.not_applicable(kind))
            grids[kind] = [(cells, cid) for cells, cid in criteria if cid not in foreign]
        for criterion_cells, criterion_id in grids[kind]:
            auto_cells, proof = session_autos.get(criterion_id, no_auto)[:2]
            override = session_overrides.get(criterion_id)
            override_cells = (
                no_override
                if override is None
                else fields[override[0]] + ";" + fields[override[1]] + ";" + fields[override[2]] + ";"
            )
            piece.append(head + criterion_cells + auto_cells + override_cells + proof + tail)
        yield "".join(piece)


def _automatic_cells(db: Session, session_ids: List[str], fields: _Fields) -> Dict[str, Dict[str, tuple]]:
    """session -> criterion -> the ``score_auto;niveau_auto;`` cells, the ``preuves`` cell (« tour 3: … |
    tour 5: … »), both as written in the file, then the score itself for the final grade. The
    evidence is read as JSON text and decoded as one array: one call instead of one per score,
    five times less CPU."""
    cells: Dict[str, Dict[str, tuple]] = defaultdict(dict)
    if not session_ids:
        return cells
    query = select(
        CriterionScore.session_id, CriterionScore.criterion_id, CriterionScore.score, CriterionScore.level,
        cast(CriterionScore.evidence_turns, Text),
    ).where(CriterionScore.session_id.in_(session_ids))  # fmt: skip
    rows = db.connection().execute(query).all()
    decoded = json.loads("[" + ",".join(row[4] or "null" for row in rows) + "]")
    scored: Dict[tuple, str] = {}
    for (session_id, criterion_id, score, level, _), evidence in zip(rows, decoded, strict=True):
        proof = " | ".join([f"tour {e.get('turn')}: {e.get('text')}" for e in evidence or ()])
        auto = scored.get((score, level))
        if auto is None:
            auto = scored[(score, level)] = csv_field(score) + ";" + csv_field(level) + ";"
        cells[session_id][criterion_id] = (auto, csv_field(proof) if proof else "", score)
    return cells


def _self_assessment_cells(db: Session, session_ids: List[str], blocks: List[str]) -> Dict[str, List[str]]:
    """session -> the level the student gave themself on each block, in ``blocks`` order (TI to TS,
    ``""`` for a block not rated); sessions the student did not rate are left out."""
    cells: Dict[str, List[str]] = {}
    if not session_ids:
        return cells
    query = select(SelfAssessment.session_id, SelfAssessment.block, SelfAssessment.score).where(
        SelfAssessment.session_id.in_(session_ids)
    )
    position = {block: i for i, block in enumerate(blocks)}
    for session_id, block, score in db.connection().execute(query):
        if block in position:  # a block since removed from the grid has no column
            row = cells.setdefault(session_id, [""] * len(blocks))
            row[position[block]] = LEVELS.get(score, "")
    return cells
