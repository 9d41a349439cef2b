"""The role swap in the web app (issue 16, C4.1.1): the briefing says the student is the buyer, the
catalogue lists the purchase under C4, and its debrief shows the purchasing block, not the seller's."""

from __future__ import annotations

from markupsafe import escape

from bot.engine.library import load_library
from tests.web.played import store_played

SCENARIO = "achat-chariots-biscuiterie"


def test_the_briefing_page_says_the_student_is_the_buyer(web):
    alice = web.login("alice.dupont")
    page = alice.get(web.url + f"/eleve/scenarios/{SCENARIO}")
    assert page.status_code == 200
    html = page.text
    assert "vous êtes l'acheteur ou l'acheteuse" in html
    assert "Votre cahier des charges" in html and "Comparaison des devis reçus" in html
    assert "Manutention Armor Services" in html and "Logimat Bretagne" in html and "Impératif" in html
    assert "Ce que vous pouvez accorder en contrepartie" in html
    for hidden in ("193 200", "197 400"):  # the salesperson's floor and steps are never shown
        assert hidden not in html.replace("\u202f", " ").replace("&nbsp;", " ")
    for link in ("niveau=decouverte", "niveau=standard", "mode=exam&amp;niveau=examen"):
        assert link in html
    assert "Le client</dt>" not in html
    assert "situation d'achat, elle n'est pas notée" in html


def test_the_catalogue_lists_the_purchase_under_c4_with_its_criteria(web):
    alice = web.login("alice.dupont")
    c4 = alice.get(web.url + "/catalogue", params={"competence": "C4"}).text
    assert f'id="sc-{SCENARIO}"' in c4 and 'id="sc-cvc-ehpad"' not in c4
    assert "C4.1.1-b" in c4 and "C1.2.2-a" not in c4.split(f'id="sc-{SCENARIO}"')[1].split('class="card"')[0]
    c1 = alice.get(web.url + "/catalogue", params={"competence": "C1"}).text
    assert f'id="sc-{SCENARIO}"' not in c1


def test_the_purchase_debrief_shows_the_buyers_grid(web):
    library = load_library()
    with web.db() as s:
        played = store_played(s, library, "alice.dupont", f"{SCENARIO}-excellent", "achat-good")
    assert played.assessment.outcome == "won"
    alice = web.login("alice.dupont")
    page = "/eleve/seances/achat-good"
    html = alice.get(web.url + page).text
    assert 'name="bloc-achat"' in html and 'name="bloc-argumentation"' not in html
    data = {"bloc-decouverte": "2", "bloc-achat": "3", "bloc-communication": "2", "csrf_token": web.csrf(alice, page)}
    assert alice.post(web.url + page + "/auto-evaluation", data=data, follow_redirects=False).status_code == 303
    html = alice.get(web.url + page).text
    assert "C4.1.1-a" in html and "C4.1.1-c" in html and "crit-C1.2.2-a" not in html
    assert "Votre négociation d" in html and escape("Négociation d'achat (C4.1.1)") in html
    teacher = web.login("prof.martin").get(web.url + "/enseignant/seances/achat-good")
    assert teacher.status_code == 200 and "C4.1.1-b" in teacher.text
    fiche = web.login("prof.martin").get(web.url + "/enseignant/seances/achat-good/fiche.pdf")
    assert fiche.status_code == 200 and fiche.headers["content-type"].startswith("application/pdf")
