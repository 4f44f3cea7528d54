"""The registry of model kinds: pick a sentence model by name or folder.

Like spaCy's ``@Language.factory``, each model module registers its class with
:func:`model_kind`; :data:`KIND_MODULES` is the one list of kinds and says which
module to import for each, so the torch-based kinds are only imported when
asked for. :mod:`nlp.prediction.store` (safe files) imports no model.

A registered class provides ``name``, ``predict_notes(analyses)`` and either
``load(folder)`` (trained kinds) or a no-argument constructor (``rules``,
``keyword``), and a ``description`` used in the model card.
"""

from __future__ import annotations

import importlib
import json
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from nlp.prediction.base import SentenceModel

KIND_MODULES: dict[str, str] = {
    "hybrid": "nlp.prediction.sklearn_models",
    "sklearn": "nlp.prediction.sklearn_models",
    "transformer": "nlp.prediction.transformer_model",
    "transformer-ft": "nlp.prediction.finetune_model",
    "rules": "nlp.prediction.rules_model",
    "keyword": "nlp.prediction.keyword_model",
}
TRAINED_KINDS: tuple[str, ...] = ("hybrid", "sklearn", "transformer", "transformer-ft")
MODELS_DIR = Path(__file__).resolve().parents[2] / "models"

_CLASSES: dict[str, Any] = {}


class ModelNotFound(RuntimeError):
    """A trained model was asked for but its files are not there."""


def model_kind(*kinds: str) -> Callable[[type], type]:
    """Class decorator: register a model class under one or more kind names."""

    def register(cls: type) -> type:
        for kind in kinds:
            if kind not in KIND_MODULES:
                raise ValueError(f"model kind {kind!r} is not listed in KIND_MODULES")
            _CLASSES[kind] = cls
        return cls

    return register


def model_class(kind: str) -> Any:
    """The class registered for ``kind`` (imports its module on first use)."""
    if kind not in KIND_MODULES:
        raise ModelNotFound(
            f"unknown model {kind!r}; choose one of {', '.join(KIND_MODULES)} "
            "or give a model folder"
        )
    if kind not in _CLASSES:
        importlib.import_module(KIND_MODULES[kind])
    return _CLASSES[kind]


def load_sentence_model(name: str = "hybrid", models_dir: Path | None = None) -> SentenceModel:
    """Load a model by kind name (``models/<kind>``) or from a folder written by ``train``."""
    path = Path(name)
    if name not in KIND_MODULES and path.is_dir():
        return load_model_dir(path)
    cls = model_class(name)
    if name not in TRAINED_KINDS:
        return cls()
    return load_model_dir((models_dir or MODELS_DIR) / name)


def load_model_dir(folder: Path) -> SentenceModel:
    """Load any trained model folder by the ``kind`` its ``model.json`` records."""
    meta_path = folder / "model.json"
    if not meta_path.is_file():
        raise ModelNotFound(
            f"{folder}: no trained model here (model.json missing). Train one with "
            f"`careaudit train --model sklearn --out {folder}` or use --model rules."
        )
    kind = json.loads(meta_path.read_text(encoding="utf-8")).get("kind")
    if kind not in TRAINED_KINDS:
        from nlp.prediction.store import UnsafeModel

        raise UnsafeModel(f"{folder}: unknown model kind {kind!r}")
    return model_class(kind).load(folder)
