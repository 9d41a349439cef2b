"""The linear intent classifier (bot/nlu): trains on a tiny data set, survives its model storage, ranks."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import scipy.sparse as sp
from rasa.engine.graph import ExecutionContext, GraphSchema
from rasa.engine.storage.local_model_storage import LocalModelStorage
from rasa.engine.storage.resource import Resource
from rasa.nlu.featurizers.sparse_featurizer.count_vectors_featurizer import CountVectorsFeaturizer
from rasa.nlu.tokenizers.whitespace_tokenizer import WhitespaceTokenizer
from rasa.shared.nlu.constants import FEATURE_TYPE_SENTENCE, TEXT
from rasa.shared.nlu.training_data.features import Features
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from bot.nlu.component import LinearIntentClassifier
from bot.nlu.linear import LinearIntentModel, LinearSettings, design_matrix

EXAMPLES = {
    "greet": ["bonjour madame", "bonjour monsieur", "bonsoir", "salut à vous", "bonjour à tous"],
    "state_price": ["le prix est de 500 euros", "cela coûte 300 euros", "le tarif est de 80 euros par mois"],
    "ask_open_question": ["comment faites-vous aujourd'hui ?", "pourquoi ce choix ?", "comment décidez-vous ?"],
}


def make(cls, storage: LocalModelStorage, name: str, config: dict | None = None):
    context = ExecutionContext(GraphSchema({}), node_name=name)
    return cls.create({**cls.get_default_config(), **(config or {})}, storage, Resource(name), context)


class Pipeline:
    """A whitespace tokenizer and two count vectorizers (words, characters), as in config.yml without spaCy."""

    def __init__(self, storage: LocalModelStorage) -> None:
        self.tokenizer = make(WhitespaceTokenizer, storage, "tok")
        self.featurizers = [
            make(CountVectorsFeaturizer, storage, "words", {"min_ngram": 1, "max_ngram": 2}),
            make(CountVectorsFeaturizer, storage, "chars", {"analyzer": "char_wb", "min_ngram": 2, "max_ngram": 4}),
        ]

    def fit(self, data: TrainingData) -> None:
        self.tokenizer.process_training_data(data)
        for featurizer in self.featurizers:
            featurizer.train(data)
            featurizer.process_training_data(data)

    def messages(self, *texts: str) -> list[Message]:
        messages = [Message(data={TEXT: t}) for t in texts]
        self.tokenizer.process(messages)
        for featurizer in self.featurizers:
            featurizer.process(messages)
        return messages


@pytest.fixture
def trained(tmp_path: Path):
    storage = LocalModelStorage(tmp_path)
    data = TrainingData([Message(data={TEXT: t, "intent": i}) for i, texts in EXAMPLES.items() for t in texts])
    pipeline = Pipeline(storage)
    pipeline.fit(data)
    classifier = make(LinearIntentClassifier, storage, "linear", {"C": 10.0})
    resource = classifier.train(data)
    return storage, resource, pipeline, classifier


def test_learns_the_tiny_data_set(trained):
    _, _, pipeline, classifier = trained
    messages = classifier.process(pipeline.messages("bonjour madame Martin", "le prix est de 900 euros"))
    assert [m.get("intent")["name"] for m in messages] == ["greet", "state_price"]


def test_ranking_is_sorted_and_sums_to_at_most_one(trained):
    _, _, pipeline, classifier = trained
    for message in classifier.process(pipeline.messages("bonjour", "xyz qwerty", "comment ?", "")):
        ranking = message.get("intent_ranking")
        confidences = [r["confidence"] for r in ranking]
        assert confidences == sorted(confidences, reverse=True)
        assert sum(confidences) <= 1 + 1e-9
        assert {r["name"] for r in ranking} <= set(EXAMPLES)
        assert message.get("intent") == ranking[0]


def test_ranking_length_cuts_the_ranking(trained):
    storage, resource, pipeline, classifier = trained
    short = LinearIntentClassifier({**classifier.config, "ranking_length": 2}, storage, resource, classifier.model)
    short.origins = classifier.origins
    (message,) = short.process(pipeline.messages("bonjour"))
    assert len(message.get("intent_ranking")) == 2
    assert sum(r["confidence"] for r in message.get("intent_ranking")) < 1


def test_persist_and_load_give_the_same_ranking(trained):
    storage, resource, pipeline, classifier = trained
    texts = ("bonjour monsieur", "combien ça coûte en euros", "pourquoi pas ?")
    before = [m.get("intent_ranking") for m in classifier.process(pipeline.messages(*texts))]
    context = ExecutionContext(GraphSchema({}), node_name="linear")
    loaded = LinearIntentClassifier.load(classifier.config, storage, resource, context)
    after = [m.get("intent_ranking") for m in loaded.process(pipeline.messages(*texts))]
    assert [[r["name"] for r in rank] for rank in after] == [[r["name"] for r in rank] for rank in before]
    assert np.allclose(
        [[r["confidence"] for r in rank] for rank in after], [[r["confidence"] for r in rank] for rank in before]
    )


def test_loading_without_a_trained_model_sets_no_intent(tmp_path):
    storage = LocalModelStorage(tmp_path)
    context = ExecutionContext(GraphSchema({}), node_name="linear")
    empty = LinearIntentClassifier.load({}, storage, Resource("nothing"), context)
    (message,) = empty.process([Message(data={TEXT: "bonjour"})])
    assert message.get("intent") is None


def test_a_missing_block_is_read_as_zeros(trained):
    """A message without one featurizer's block (an empty text) is classified, not shifted nor crashed."""
    _, _, pipeline, classifier = trained
    message = pipeline.messages("bonjour")[0]
    message.features = [f for f in message.features if f.origin != classifier.origins[0]]
    (message,) = classifier.process([message])
    assert message.get("intent")["name"] in EXAMPLES


def test_a_dense_block_is_used(tmp_path):
    """A dense sentence vector (spaCy's) alone is enough to separate two intents."""
    storage = LocalModelStorage(tmp_path)
    rng = np.random.default_rng(0)
    messages = []
    for intent, centre in (("affirm", 1.0), ("deny", -1.0)):
        for _ in range(10):
            message = Message(data={TEXT: intent, "intent": intent})
            vector = centre + 0.3 * rng.standard_normal((1, 8))
            message.features.append(Features(vector, FEATURE_TYPE_SENTENCE, TEXT, "spacy"))
            messages.append(message)
    classifier = make(LinearIntentClassifier, storage, "linear")
    classifier.train(TrainingData(messages))
    probe = Message(data={TEXT: "?"})
    probe.features.append(Features(-np.ones((1, 8)), FEATURE_TYPE_SENTENCE, TEXT, "spacy"))
    (probe,) = classifier.process([probe])
    assert probe.get("intent")["name"] == "deny"


def test_blocks_are_normalised_and_weighted():
    """A long message's counts do not outweigh the other blocks: each block has the norm of its weight."""
    long_counts = sp.csr_matrix(np.array([[40.0, 0.0, 12.0]]))
    dense = np.array([[3.0, 4.0]])
    row = design_matrix([[long_counts, dense]], weights=[2.0, 0.5], sparse=[True, False]).toarray()[0]
    assert np.linalg.norm(row[:3]) == pytest.approx(2.0)
    assert np.linalg.norm(row[3:]) == pytest.approx(0.5)
    assert row[0] / row[2] == pytest.approx(np.log1p(40) / np.log1p(12))  # sublinear counts


def test_one_intent_is_refused():
    with pytest.raises(ValueError):
        LinearIntentModel.fit([[sp.csr_matrix([[1.0]])]] * 2, ["greet", "greet"], LinearSettings())
