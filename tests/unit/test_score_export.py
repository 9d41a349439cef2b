"""The scores CSV built from plain rows is, byte for byte, the one a straightforward export writes:
ORM objects, a second query for the grades, every cell neutralised on its own (SQLite and PostgreSQL)."""

from __future__ import annotations

import csv
import io
from datetime import datetime, timedelta

from sqlalchemy import select

from bot.assessment.rubric import default_rubric
from bot.engine.library import default_library
from bot.storage import db
from bot.storage.models import CriterionScore, Group, Learner, ScoreOverride, SelfAssessment, SimSession
from bot.storage.results import SessionFilter, iso, list_sessions, session_grades
from bot.storage.score_export import HEADER, chunked, csv_text, scores_csv
from tests.unit.test_storage import url  # noqa: F401 - SQLite, and PostgreSQL with TEST_DATABASE_URL

T0 = datetime(2026, 3, 2, 9, 0, 0)
#: a cell the csv module quotes for every reason at once: a ``;``, quotes, a lone carriage return
COMMENT = 'dit « oui » ; puis\r"non"'


def _reference_safe(value) -> str:
    """The neutralisation rule written out again: a text starting like a formula gets a quote."""
    if isinstance(value, (int, float)):
        return str(value)
    text = "" if value is None else str(value)
    if text[:1] in ("=", "+", "-", "@", "\t", "\r"):
        try:
            float(text)
        except ValueError:
            return "'" + text
    return text


def _reference_csv(s, flt: SessionFilter, rubric, kinds) -> str:
    """The export as written before it was made fast: one object per score, the grades read again."""
    sessions = list_sessions(s, flt, limit=100_000)
    grades = session_grades(s, sessions, rubric, kinds)
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";")
    blocks = list(rubric.groups)
    writer.writerow([_reference_safe(v) for v in HEADER + [f"autoevaluation_{b}" for b in blocks]])
    for session in sessions:
        autos = {a.criterion_id: a for a in session.scores}
        overrides = {
            o.criterion_id: o for o in s.scalars(select(ScoreOverride).where(ScoreOverride.session_id == session.id))
        }
        learner = session.learner
        final = grades[session.id].final
        own = {
            a.block: a.score for a in s.scalars(select(SelfAssessment).where(SelfAssessment.session_id == session.id))
        }
        self_cells = [["TI", "I", "S", "TS"][own[b]] if b in own else "" for b in blocks]
        for criterion in rubric.criteria:
            if not rubric.applies(criterion.id, kinds.get(session.scenario_id)):
                continue  # outside the grid of the session's kind (a sale has no purchasing criteria)
            auto, override = autos.get(criterion.id), overrides.get(criterion.id)
            evidence = auto.evidence_turns if auto else []
            row = [
                session.id, session.learner_id, learner.group.name if learner and learner.group else "",
                session.scenario_id, iso(session.started_at) or "", iso(session.ended_at) or "", session.outcome,
                "" if final is None else final, "" if session.grade_20 is None else session.grade_20,
                criterion.id, criterion.label,
                "" if auto is None or auto.score is None else auto.score, auto.level if auto else "",
                "" if override is None or override.score is None else override.score,
                override.level if override else "", override.comment if override else "",
                " | ".join(f"tour {e.get('turn')}: {e.get('text')}" for e in evidence),
                *self_cells,
            ]  # fmt: skip
            writer.writerow([_reference_safe(v) for v in row])
    return "\ufeff" + buffer.getvalue()


def _school(s) -> list[str]:
    """Two classes (one named like a formula), a learner without a class, a learner of another
    class left out of the export; scored, overridden, open and unscored sessions; self-assessed
    sessions (one on two blocks only, one on a block the grid no longer has)."""
    criteria = [c.id for c in default_rubric().criteria if default_rubric().applies(c.id, "negotiation")]  # a sale's
    formula_class, plain_class = Group(name='=HYPERLINK("x")'), Group(name="BTS NDRC; 1re année")
    s.add_all([formula_class, plain_class])
    s.flush()
    learners = [
        Learner(id="-eleve.moins", display_name="Moins", group_id=formula_class.id),
        Learner(id="alice.dupont", display_name="Alice", group_id=plain_class.id),
        Learner(id="sans.classe", display_name="Sans classe"),
        Learner(id="autre.eleve", display_name="Autre", group_id=plain_class.id),
    ]
    s.add_all(learners)
    scenarios = ["air-plasturgie", "hausse-tarifaire", "agri-cuma"]
    for n in range(9):
        learner = learners[n % 4]
        ended = n % 5 != 4  # every fifth session still open: no grade, no score
        session = SimSession(
            id=f"s{n:02d}",
            learner_id=learner.id,
            scenario_id=scenarios[n % 3],
            started_at=T0 + timedelta(hours=n),
            ended_at=T0 + timedelta(hours=n, minutes=12) if ended else None,
            outcome=("won", "lost")[n % 2] if ended else "open",
            grade_20=(7.5, 12.0, 15.3, 3.0)[n % 4] if ended else None,
            scored_at=T0 + timedelta(hours=n, minutes=13) if ended else None,
        )
        s.add(session)
        s.flush()  # no relationship orders the overrides after their session
        if not ended:
            continue
        for i, criterion in enumerate(criteria[:-1]):  # the last criterion has no score: empty cells
            score = None if (n + i) % 6 == 0 else (n + i) % 4
            evidence = [] if i % 3 == 0 else [{"turn": i, "text": 'Bonjour ; « prix » "net"'}]
            if i == 1:
                evidence.append({"turn": 4, "text": "=2+2 ou -5 %\nretour à la ligne"})
            s.add(
                CriterionScore(
                    session_id=session.id,
                    criterion_id=criterion,
                    score=score,
                    level="na" if score is None else ["TI", "I", "S", "TS"][score],
                    evidence_turns=evidence,
                )
            )
        if n % 2 == 0:  # the student rated themself: every block, two blocks, or an unknown block
            blocks = list(default_rubric().groups) if n % 4 == 0 else ["argumentation", "decouverte", "ancien-bloc"]
            s.add_all(SelfAssessment(session_id=session.id, block=b, score=(n + i) % 4) for i, b in enumerate(blocks))
        if n % 3 == 0:  # the teacher changed two scores, one to na, and commented like a formula
            s.add_all(
                [
                    ScoreOverride(session_id=session.id, criterion_id=criteria[0], score=3, level="TS", comment="-5"),
                    ScoreOverride(
                        session_id=session.id, criterion_id=criteria[2], score=None, level="na", comment="@SOMME(A1)"
                    ),
                    ScoreOverride(
                        session_id=session.id, criterion_id=criteria[-1], score=1, level="I", comment=COMMENT
                    ),
                ]
            )
    s.commit()
    return [learner.id for learner in learners[:3]]


def test_export_matches_the_straightforward_one(url):  # noqa: F811
    rubric, kinds = default_rubric(), default_library().kinds
    with db.session_factory(url)() as s:
        learner_ids = _school(s)
        for flt in (
            SessionFilter(learner_ids=learner_ids),
            SessionFilter(learner_ids=learner_ids, scenario_id="air-plasturgie"),
            SessionFilter(learner_ids=None, outcome="won"),
            SessionFilter(learner_ids=[]),
        ):
            expected = _reference_csv(s, flt, rubric, kinds)
            assert csv_text(scores_csv(s, flt, rubric, kinds)) == expected

        text = csv_text(scores_csv(s, SessionFilter(learner_ids=learner_ids), rubric, kinds))
    assert text.startswith("\ufeffsession_id;eleve;classe;")
    rows = list(csv.DictReader(io.StringIO(text[1:]), delimiter=";"))
    sale = [c for c in rubric.criteria if rubric.applies(c.id, "negotiation")]
    assert len(rows) == 7 * len(sale)  # 7 sessions (sales) of the three learners, one row per criterion of a sale
    assert {r["eleve"] for r in rows} == {"'-eleve.moins", "alice.dupont", "sans.classe"}
    assert {r["classe"] for r in rows} == {'\'=HYPERLINK("x")', "BTS NDRC; 1re année", ""}
    overridden = [r for r in rows if r["commentaire_enseignant"]]
    assert {r["commentaire_enseignant"] for r in overridden} == {
        "-5",
        "'@SOMME(A1)",
        COMMENT,
    }  # a number stays a number
    assert any("tour 1: '=2+2" not in r["preuves"] and "tour 4: =2+2 ou -5 %\nretour" in r["preuves"] for r in rows)
    # the teacher's scores moved the final grade away from the automatic one on the overridden sessions
    assert any(r["note_20"] != r["note_20_auto"] for r in overridden)
    assert {r["note_20"] for r in rows if r["issue"] == "open"} == {""}
    # the self-assessment: one column per block, repeated on every row of the session, empty when not rated
    assert [name for name in rows[0] if name.startswith("autoevaluation_")] == [
        f"autoevaluation_{b}" for b in rubric.groups
    ]
    by_session = {r["session_id"]: r for r in rows}
    assert by_session["s00"]["autoevaluation_preparation"] == "TI"  # every block rated
    assert by_session["s00"]["autoevaluation_decouverte"] == "I"
    assert by_session["s02"]["autoevaluation_argumentation"] == "S"  # two blocks rated, the others empty
    assert by_session["s02"]["autoevaluation_preparation"] == ""
    assert all(by_session["s01"][f"autoevaluation_{b}"] == "" for b in rubric.groups)  # not rated


def test_streamed_pieces_pseudonyms_and_a_closed_database(url):  # noqa: F811
    """The pieces a route streams are the file; they are produced after the database session is
    closed (everything was read before the first one); the pseudonymised export is the plain one
    with ``E-…``/``S-…`` in place of the learner and the session, stable within the file."""
    rubric, kinds = default_rubric(), default_library().kinds
    with db.session_factory(url)() as s:
        learner_ids = _school(s)
        expected = csv_text(scores_csv(s, SessionFilter(learner_ids=learner_ids), rubric, kinds))
        lines = scores_csv(s, SessionFilter(learner_ids=learner_ids), rubric, kinds)
        aliased = scores_csv(
            s, SessionFilter(learner_ids=learner_ids), rubric, kinds, alias=lambda prefix, value: prefix + value[::-1]
        )
    pieces = list(chunked(lines, size=2_000))
    assert len(pieces) > 3 and "".join(pieces) == expected
    plain = list(csv.reader(io.StringIO(expected[1:]), delimiter=";"))
    pseudo = list(csv.reader(io.StringIO(csv_text(aliased)[1:]), delimiter=";"))
    assert pseudo[0] == ["pseudonyme" if name == "eleve" else name for name in plain[0]]
    assert len(pseudo) == len(plain)
    for mine, theirs in zip(pseudo[1:], plain[1:], strict=True):
        assert mine[0] == "S-" + theirs[0][::-1] and mine[1] == "E-" + theirs[1][::-1] and mine[2:] == theirs[2:]
