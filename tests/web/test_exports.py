"""CSV and PDF exports, overrides and agreement, move corrections as NLU data, scenario checks."""

from __future__ import annotations

import csv
import io
import subprocess
import sys

import pypdf
import yaml

from bot import cli
from bot.assessment.rubric import default_rubric


def test_csv_has_one_row_per_session_and_criterion(web):
    teacher = web.login("prof.martin")
    resp = teacher.get(web.url + f"/enseignant/export.csv?classe={web.ids['group1']}")
    assert resp.status_code == 200 and resp.headers["content-type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(resp.content.decode("utf-8-sig")), delimiter=";"))
    header, body = rows[0], rows[1:]
    assert header[:3] == ["session_id", "eleve", "classe"]
    rubric = default_rubric()
    assert len(body) == len([c for c in rubric.criteria if rubric.applies(c.id, "negotiation")])  # a sale's grid
    by_criterion = {r[header.index("critere")]: r for r in body}
    assert by_criterion["C1.2.1-b"][header.index("score_auto")] == "1"
    assert by_criterion["C2.2-a"][header.index("niveau_auto")] == "na"
    # spreadsheet formula injection is neutralised
    assert all(not cell.startswith(("=", "@")) for row in body for cell in row)


def test_override_is_kept_apart_and_counted_in_agreement(web):
    teacher = web.login("prof.martin")
    page = f"/enseignant/seances/{web.ids['session']}"
    token = web.csrf(teacher, page)
    for criterion, score in (("C1.2.1-b", "3"), ("C1.2.1-a", "2")):
        resp = teacher.post(
            web.url + page + "/correction-note",
            data={"criterion_id": criterion, "score": score, "comment": "Très bonnes questions", "csrf_token": token},
            follow_redirects=False,
        )
        assert resp.status_code == 303
    html = teacher.get(web.url + page).text
    assert "Très bonnes questions" in html
    rows = list(
        csv.reader(
            io.StringIO(teacher.get(web.url + "/enseignant/export.csv").content.decode("utf-8-sig")), delimiter=";"
        )
    )
    header = rows[0]
    row = next(r for r in rows[1:] if r[header.index("critere")] == "C1.2.1-b")
    assert row[header.index("score_auto")] == "1" and row[header.index("score_enseignant")] == "3"
    dashboard = teacher.get(web.url + f"/enseignant/classes/{web.ids['group1']}").text
    # C1.2.1-a: same level (exact); C1.2.1-b: 1 vs 3 (neither exact nor within one)
    assert "<tr><td>C1.2.1-a</td><td>1</td>\n<td>100 %</td>\n<td>100 %</td></tr>" in dashboard
    assert "<tr><td>C1.2.1-b</td><td>1</td>\n<td>0 %</td>\n<td>0 %</td></tr>" in dashboard


def test_pdf_fiche_reads_like_the_paper_grid(web):
    teacher = web.login("prof.martin")
    resp = teacher.get(web.url + f"/enseignant/seances/{web.ids['session']}/fiche.pdf")
    assert resp.status_code == 200 and resp.content.startswith(b"%PDF")
    text = "\n".join(page.extract_text() for page in pypdf.PdfReader(io.BytesIO(resp.content)).pages)
    assert "Fiche d'évaluation" in text and "Alice Dupont" in text and "NDRC 1 A" in text
    rubric = default_rubric()
    for criterion in rubric.criteria:  # the grid of a sale, without the purchasing criteria
        assert (criterion.id in text) == rubric.applies(criterion.id, "negotiation")
    assert "12,5 / 20" in text and "TI" in text and "TS" in text


def test_move_corrections_export_as_rasa_training_data(web, tmp_path):
    teacher = web.login("prof.martin")
    page = f"/enseignant/seances/{web.ids['session']}"
    html = teacher.get(web.url + page).text
    token = web.csrf(teacher, page)
    import re

    turn_id = re.findall(r"/enseignant/tours/(\d+)/mouvement", html)[1]
    resp = teacher.post(
        web.url + f"/enseignant/tours/{turn_id}/mouvement",
        data={"intent": "ask_open_question", "csrf_token": token},
        follow_redirects=False,
    )
    assert resp.status_code == 303
    bad = teacher.post(
        web.url + f"/enseignant/tours/{turn_id}/mouvement", data={"intent": "pirate", "csrf_token": token}
    )
    assert bad.status_code == 400
    assert "corrigé : ask_open_question" in teacher.get(web.url + page).text
    out = tmp_path / "corrections.yml"
    subprocess.run(
        [sys.executable, "-m", "bot.cli", "export-corrections", "--out", str(out)],
        env={**cli.environment(), "DATABASE_URL": web.db_url},
        cwd=cli.ROOT,
        check=True,
        capture_output=True,
    )
    data = yaml.safe_load(out.read_text(encoding="utf-8"))
    assert data["nlu"][0]["intent"] == "ask_open_question"
    from rasa.shared.nlu.training_data.loading import load_data

    examples = load_data(str(out)).intent_examples
    assert len(examples) == 1 and "Quels sont vos besoins" in examples[0].get("text")


def test_scenario_page_shows_readable_validation_errors(web):
    teacher = web.login("prof.martin")
    token = web.csrf(teacher, "/enseignant/scenarios")
    broken = "id: mon-scenario\ntitle: Essai\ncompetences: []\n"
    resp = teacher.post(
        web.url + "/enseignant/scenarios/verifier",
        data={"csrf_token": token},
        files={"scenario_file": ("mon-scenario.yml", broken.encode("utf-8"), "application/x-yaml")},
    )
    assert resp.status_code == 200 and "erreur(s)" in resp.text
    assert "mon-scenario.yml" in resp.text
    valid = (cli.ROOT / "data" / "scenarios" / "agri-cuma.yml").read_bytes()
    resp = teacher.post(
        web.url + "/enseignant/scenarios/verifier",
        data={"csrf_token": token},
        files={"scenario_file": ("agri-cuma.yml", valid, "application/x-yaml")},
    )
    assert "Fichier valide" in resp.text


def _csv(http, url: str) -> tuple[list, list]:
    rows = list(csv.reader(io.StringIO(http.get(url).content.decode("utf-8-sig")), delimiter=";"))
    return rows[0], rows[1:]


def test_both_csv_exports_carry_the_self_assessment_per_block(web):
    """One column per competence block, empty until the student rated themself, then TI…TS on every
    row of the session, in the plain and the pseudonymised export alike."""
    from tests.web.test_debrief_pages import _self_assess

    teacher = web.login("prof.martin")
    exports = [
        web.url + f"/enseignant/export.csv?classe={web.ids['group1']}",
        web.url + f"/enseignant/export-pseudonymise.csv?classe={web.ids['group1']}",
    ]
    rubric = default_rubric()
    columns = [f"autoevaluation_{block}" for block in rubric.groups]
    # the blocks a sale is graded on (a student rates those; C3 and C4 are other situations')
    sale_blocks = {c.group for c in rubric.criteria if rubric.applies(c.id, "negotiation")}
    for url in exports:
        header, body = _csv(teacher, url)
        assert header[-len(columns) :] == columns and body
        assert {row[header.index(name)] for row in body for name in columns} == {""}
    assert _self_assess(web, web.login("alice.dupont"), web.ids["session"], "3").status_code == 303
    for url in exports:
        header, body = _csv(teacher, url)
        assert header[-len(columns) :] == columns
        rated = {f"autoevaluation_{block}" for block in sale_blocks}
        assert {row[header.index(name)] for row in body for name in rated} == {"TS"}
        assert {row[header.index(name)] for row in body for name in set(columns) - rated} == {""}  # C3, C4
        assert len(body) == len(
            [c for c in rubric.criteria if rubric.applies(c.id, "negotiation")]
        )  # one per criterion
