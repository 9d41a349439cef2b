"""The student's preparation sheet: reading it, scoring C1.1 from it, the chat as evidence, storage."""

from __future__ import annotations

import time
import uuid
from datetime import datetime, timedelta

import pytest
from sqlalchemy import select

from bot.assessment.preparation_sheet import SheetError, missing_for_submission, parse_sheet
from bot.assessment.replay import replay
from bot.assessment.rubric import default_rubric
from bot.assessment.rules import assess
from bot.storage import db
from bot.storage.models import CriterionScore, PreparationSheetRow, SimSession
from bot.storage.record import record
from bot.storage.sheets import current_sheet, save_sheet, sheet_to_edit, submitted_sheet
from tests.unit.test_scoring_rules import DISCOVERY, OPENING
from tests.unit.test_storage import _events, url  # noqa: F401 - url: SQLite and the real PostgreSQL

FULL = {
    "objectives": {
        "optimal": "Vendre le compresseur à vitesse variable à 29 800 € sans remise",
        "realistic": "Signer à 28 900 € avec le contrat de maintenance",
        "fallback": "Remise de 3 % au plus contre un engagement de maintenance de 3 ans",
        "breaking_point": "Pas en dessous de 27 500 €, ni de paiement au-delà de 60 jours",
    },
    "questions": [
        {"topic": "contrainte", "question": "Quelles exigences de qualité d'air vos clients imposent-ils ?"},
        {"topic": "financement", "question": "Comment financez-vous ce type d'investissement ?"},
        {"topic": "decision", "question": "Qui d'autre participe à la décision ?"},
    ],
    "arguments": [
        {
            "need": "Fiabilité",
            "motive": "Sécurité",
            "characteristic": "Variateur",
            "advantage": "Moins d'arrêts",
            "proof": "Référence chez un plasturgiste voisin",
        },
    ],  # fmt: skip
    "objections": [{"objection": "C'est trop cher", "answer": "Coût global sur 5 ans et économies d'énergie"}],
    "concessions": [
        {"concession": "Remise de 2 %", "counterpart": "Contrat de maintenance 3 ans"},
        {"concession": "Mise en service offerte", "counterpart": "Commande avant la fin du mois"},
    ],
    "documents": ["Fiche technique", "Étude d'économies d'énergie"],
}


def score_with(library, turns, sheet, scenario="air-plasturgie"):
    s = library.scenario(scenario)
    records, state = replay(library, scenario, turns, seed=3)
    return assess(s, default_rubric(), records, state.to_dict(), na=s.na_criteria, sheet=sheet).scores


def test_a_full_sheet_is_read_and_round_trips():
    sheet = parse_sheet(FULL)
    assert sheet.planned_topics == ["contrainte", "financement", "decision"]
    assert sheet.arguments[0].motive == "securite"
    assert parse_sheet(sheet.to_json()) == sheet
    assert missing_for_submission(sheet) == []


def test_bad_sheets_are_refused_in_french():
    with pytest.raises(SheetError) as err:
        parse_sheet({"questions": [{"topic": "meteo", "question": "Il fait beau ?"}], "documents": "x" * 3})
    assert any("thème inconnu « meteo »" in e for e in err.value.errors)
    assert any("une liste est attendue" in e for e in err.value.errors)
    with pytest.raises(SheetError, match="caractères au plus"):
        parse_sheet({"objectives": {"optimal": "x" * 5000}})
    with pytest.raises(SheetError, match="objet JSON"):
        parse_sheet(["not", "a", "sheet"])
    assert missing_for_submission(parse_sheet({})) and parse_sheet({}).is_empty


def test_sheet_levels_are_explained_and_need_the_chat_for_the_top(library):
    """The plan earns up to S; TS needs the chat to show it applied (planned topics asked, parades used)."""
    planned_only = score_with(library, OPENING, parse_sheet(FULL))
    assert planned_only["C1.1.1-a"].score == 2
    assert "non explorées" in planned_only["C1.1.1-a"].explanation
    assert planned_only["C1.1.1-b"].score == 2
    assert planned_only["C1.1.2-a"].score == 2
    assert all(planned_only[c].explanation.startswith("Fiche de préparation") for c in ("C1.1.1-a", "C1.1.2-a"))
    applied = score_with(library, OPENING + DISCOVERY, parse_sheet(FULL))
    assert applied["C1.1.1-a"].score == 3 and applied["C1.1.1-a"].evidence
    # the planned question asked as written counts, whatever the client revealed
    verbatim = [("ask_open_question", FULL["questions"][0]["question"])]
    asked = score_with(library, OPENING + verbatim, parse_sheet(FULL))["C1.1.1-a"]
    assert asked.score == 3 and asked.evidence[-1][1] == FULL["questions"][0]["question"]


def test_a_poor_sheet_scores_low_whatever_the_chat(library):
    vague = parse_sheet({"objectives": {"optimal": "Vendre le plus possible"}, "questions": [
        {"topic": "besoin", "question": "Qu'attendez-vous ?"}]})  # fmt: skip
    scores = score_with(library, OPENING + DISCOVERY, vague)
    assert scores["C1.1.1-a"].score == 0
    assert scores["C1.1.1-b"].score == 0
    assert scores["C1.1.2-a"].score == 1 and "aucun document" in scores["C1.1.2-a"].explanation


def test_the_agenda_alone_no_longer_earns_objectives_with_a_sheet(library):
    """Issue 12: announcing an agenda earned « objectifs »; with a sheet the objectives are the written ones."""
    empty = parse_sheet({"documents": ["Fiche technique"]})
    without = score_with(library, OPENING, None)
    with_sheet = score_with(library, OPENING, empty)
    assert without["C1.1.2-a"].score >= 1
    assert with_sheet["C1.1.2-a"].score == 0 and "aucun objectif" in with_sheet["C1.1.2-a"].explanation


def test_an_invented_price_in_the_meeting_overrides_the_sheet(library):
    invented = [("present_solution", "Je vous propose notre compresseur VSD-99, le plus adapté à votre atelier.")]
    scores = score_with(library, OPENING + invented, parse_sheet(FULL))
    assert scores["C1.1.2-a"].score == 0 and "pendant l'entretien" in scores["C1.1.2-a"].explanation


def test_drafts_submission_and_the_session_it_prepared(url, library):  # noqa: F811
    sender = f"learner-{uuid.uuid4().hex[:8]}"
    with db.session_factory(url)() as s:
        save_sheet(s, sender, "air-plasturgie", parse_sheet({"documents": ["Fiche technique"]}))
        save_sheet(s, sender, "air-plasturgie", parse_sheet(FULL))  # the draft is overwritten
        assert submitted_sheet(s, sender, "air-plasturgie") is None
        row = save_sheet(s, sender, "air-plasturgie", parse_sheet(FULL), submit=True)
        row.submitted_at = datetime.utcnow() - timedelta(minutes=5)
        s.commit()
        assert s.scalars(select(PreparationSheetRow)).all() == [row]
        record(s, library, sender, _events(sender))
    with db.session_factory(url)() as s:
        session = s.scalars(select(SimSession).where(SimSession.learner_id == sender)).one()
        tied = s.scalars(select(PreparationSheetRow)).one()
        assert tied.session_id == session.id
        c112 = s.scalars(
            select(CriterionScore).where(
                CriterionScore.session_id == session.id, CriterionScore.criterion_id == "C1.1.2-a"
            )
        ).one()
        assert c112.explanation.startswith("Fiche de préparation")
        # the next attempt starts from a copy of the sheet, as a draft
        assert current_sheet(s, sender, "air-plasturgie") is None
        sheet, current = sheet_to_edit(s, sender, "air-plasturgie")
        assert current is None and sheet == parse_sheet(FULL)


def test_a_sheet_submitted_after_the_start_does_not_score_that_session(url, library):  # noqa: F811
    sender = f"learner-{uuid.uuid4().hex[:8]}"
    events = _events(sender)
    with db.session_factory(url)() as s:
        row = save_sheet(s, sender, "air-plasturgie", parse_sheet(FULL), submit=True)
        row.submitted_at = datetime.utcfromtimestamp(time.time() + 3600)
        s.commit()
        record(s, library, sender, events)
        assert s.scalars(select(PreparationSheetRow)).one().session_id is None
