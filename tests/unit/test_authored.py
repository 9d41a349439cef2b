"""The store of the editor's scenarios on SQLite and PostgreSQL: versions, freezing, visibility, and
the library the action server reads (re-read when a row changes, without a restart)."""

from __future__ import annotations

from datetime import datetime

import pytest

from bot.storage import accounts, authored
from bot.storage import db as storage
from bot.storage.models import SimSession
from tests.unit.test_storage import url  # noqa: F401 - the SQLite and PostgreSQL databases
from tests.web.small_scenario import small

BUILTIN = frozenset({"air-plasturgie"})


def test_versions_visibility_and_library(url):  # noqa: F811 - the fixture
    with storage.session_factory(url)() as db:
        martin = accounts.create_user(db, "prof.martin", "motdepasse-solide", "teacher")
        durand = accounts.create_user(db, "prof.durand", "motdepasse-solide", "teacher")
        alice = accounts.create_user(db, "alice", "motdepasse-solide", "student")
        first = authored.save(db, martin, small(), "private", BUILTIN)
        db.commit()
        assert (first.slug, first.version) == ("vente-imprimantes", 1)
        assert authored.visible(db, durand) == [] and [r.slug for r in authored.visible(db, martin)] == [first.slug]
        with pytest.raises(authored.AuthoringError, match="déjà utilisé par un autre enseignant"):
            authored.save(db, durand, small(), "school", BUILTIN)
        with pytest.raises(authored.AuthoringError, match="scénario intégré"):
            authored.save(db, martin, small(id="air-plasturgie"), "private", BUILTIN)

        authored.forget(url)
        scenarios, listed = authored.authored_scenarios(url)
        assert set(scenarios) == {"vente-imprimantes@1"} and listed == frozenset()
        assert scenarios["vente-imprimantes@1"].id == "vente-imprimantes@1"

        authored.publish(db, martin, "vente-imprimantes")
        db.add(
            SimSession(
                id="s1", learner_id=alice.learner_id, scenario_id="vente-imprimantes@1", started_at=datetime.utcnow()
            )
        )
        second = authored.save(db, martin, small(title="Deuxième"), "school", BUILTIN)
        db.commit()
        assert second.version == 2 and authored.frozen(db, first) and not authored.frozen(db, second)
        assert [r.version for r in authored.visible(db, durand)] == [2]

    authored.forget(url)
    library = authored.current_library(url)
    assert "vente-imprimantes@1" in library.scenario_ids and "vente-imprimantes@2" not in library.scenario_ids
    assert library.scenario("vente-imprimantes@2").title == "Deuxième"
    assert "air-plasturgie" in library.scenario_ids
    assert authored.split_key("vente-imprimantes@2") == ("vente-imprimantes", 2)
    assert authored.split_key("air-plasturgie") is None


def test_a_missing_table_leaves_the_built_in_library(tmp_path):
    empty = f"sqlite:///{tmp_path / 'empty.db'}"
    authored.forget(empty)
    library = authored.current_library(empty)
    assert "air-plasturgie" in library.scenario_ids and not any("@" in s for s in library.scenarios)
