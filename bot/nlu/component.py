"""``LinearIntentClassifier``: the Rasa graph component around ``bot.nlu.linear`` (config.yml names it).

Thin on purpose: it collects each message's sentence-level features (one block per featurizer, keyed by
the featurizer that made it, so a block missing from a message is a row of zeros, not a shift), hands
them to ``LinearIntentModel``, and writes the intent and its ranking as Rasa's classifiers do, so the
FallbackClassifier and the engine's routing read it unchanged. It extracts no entity: the bot reads
none from free text (``scenario_id`` and ``mode`` come with the ``/start_scenario`` command).
"""

from __future__ import annotations

import logging
from typing import Any, Dict, List, Type

import numpy as np
import scipy.sparse as sp
from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.classifiers.classifier import IntentClassifier
from rasa.nlu.featurizers.featurizer import Featurizer
from rasa.shared.nlu.constants import FEATURE_TYPE_SENTENCE, INTENT, INTENT_RANKING_KEY, TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from bot.nlu.linear import LinearIntentModel, LinearSettings

logger = logging.getLogger(__name__)

#: where the featurizers' names and block shapes are kept beside the weights
LAYOUT_FILE = "feature_layout.json"


def sentence_blocks(message: Message) -> Dict[str, sp.spmatrix | np.ndarray]:
    """The message's sentence-level features of its text, one per featurizer (its origin)."""
    blocks: Dict[str, sp.spmatrix | np.ndarray] = {}
    for feature in message.features:
        if feature.attribute != TEXT or feature.type != FEATURE_TYPE_SENTENCE:
            continue
        origin = "+".join(feature.origin) if isinstance(feature.origin, list) else str(feature.origin)
        blocks[origin] = feature.features
    return blocks


def _zeros(size: int) -> sp.csr_matrix:
    """A block the message lacks (the design matrix reads a zero row of either kind)."""
    return sp.csr_matrix((1, size))


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER], is_trainable=True)
class LinearIntentClassifier(IntentClassifier, GraphComponent):
    """Multinomial logistic regression over the sentence features of the pipeline's featurizers."""

    @classmethod
    def required_components(cls) -> List[Type]:
        return [Featurizer]

    @staticmethod
    def required_packages() -> List[str]:
        return ["sklearn"]

    @staticmethod
    def get_default_config() -> Dict[str, Any]:
        defaults = LinearSettings()
        return {
            "C": defaults.c,
            "block_weights": [],
            "class_weight": defaults.class_weight,
            "max_iter": defaults.max_iter,
            "ranking_length": 10,
        }

    def __init__(
        self,
        config: Dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        model: LinearIntentModel | None = None,
        origins: List[str] | None = None,
    ) -> None:
        self.config = {**self.get_default_config(), **config}
        self._model_storage = model_storage
        self._resource = resource
        self.model = model
        self.origins = origins or []

    @classmethod
    def create(
        cls,
        config: Dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> LinearIntentClassifier:
        return cls(config, model_storage, resource)

    def settings(self) -> LinearSettings:
        return LinearSettings(
            c=float(self.config["C"]),
            block_weights=[float(w) for w in self.config["block_weights"] or []],
            class_weight=str(self.config["class_weight"] or ""),
            max_iter=int(self.config["max_iter"]),
        )

    def _aligned(self, messages: List[Message], sizes: List[int]) -> List[List[sp.spmatrix | np.ndarray]]:
        """Each message's blocks in the trained featurizers' order, zeros where one is missing."""
        rows = []
        for message in messages:
            blocks = sentence_blocks(message)
            rows.append([blocks[o] if o in blocks else _zeros(n) for o, n in zip(self.origins, sizes, strict=True)])
        return rows

    def train(self, training_data: TrainingData) -> Resource:
        examples = [e for e in training_data.intent_examples if e.get(INTENT) and e.get(TEXT)]
        if len({e.get(INTENT) for e in examples}) < 2:
            logger.warning("LinearIntentClassifier: fewer than two intents, nothing trained")
            return self._resource
        shapes: Dict[str, int] = {}
        for example in examples:
            for origin, block in sentence_blocks(example).items():
                shapes.setdefault(origin, int(block.shape[-1]))
        self.origins = list(shapes)
        rows = self._aligned(examples, list(shapes.values()))
        self.model = LinearIntentModel.fit(rows, [e.get(INTENT) for e in examples], self.settings())
        self.persist()
        return self._resource

    def process(self, messages: List[Message]) -> List[Message]:
        if self.model is None:
            return messages
        rows = self._aligned(messages, self.model.block_sizes)
        rankings = self.model.rankings(rows, int(self.config["ranking_length"]))
        for message, ranking in zip(messages, rankings, strict=True):
            message.set(INTENT, ranking[0], add_to_output=True)
            message.set(INTENT_RANKING_KEY, ranking, add_to_output=True)
        return messages

    def persist(self) -> None:
        if self.model is None:
            return
        with self._model_storage.write_to(self._resource) as directory:
            self.model.save(directory)
            (directory / LAYOUT_FILE).write_text("\n".join(self.origins), encoding="utf-8")

    @classmethod
    def load(
        cls,
        config: Dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
        **kwargs: Any,
    ) -> LinearIntentClassifier:
        try:
            with model_storage.read_from(resource) as directory:
                model = LinearIntentModel.load(directory)
                origins = (directory / LAYOUT_FILE).read_text(encoding="utf-8").splitlines()
        except (ValueError, FileNotFoundError):
            logger.warning("LinearIntentClassifier: no trained model in %s, messages get no intent", resource.name)
            return cls(config, model_storage, resource)
        return cls(config, model_storage, resource, model, origins)
