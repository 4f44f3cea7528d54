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
import os
import zipfile
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
    """Load any trained model folder by the ``kind`` its ``model.json`` records.

    Before any loader runs: ``model.json`` must be a readable JSON object naming a
    known kind, and every file in the folder a regular file under the size cap (and,
    with ``$CAREAUDIT_TRUSTED_MODELS``, on the pinned list). A folder that still does
    not fit its kind's loader gives :class:`~nlp.prediction.store.UnsafeModel` with
    what is wrong, never a traceback.
    """
    from nlp.prediction.store import UnsafeModel, check_model_folder, read_model_meta

    if not os.path.lexists(folder / "model.json"):
        raise ModelNotFound(
            f"{folder}: no trained model here (model.json missing). Train one with "
            f"`careaudit train --model sklearn --out {folder}` or use --model rules."
        )
    kind = read_model_meta(folder)["kind"]
    if kind not in TRAINED_KINDS:
        raise UnsafeModel(f"{folder}: unknown model kind {kind!r}")
    check_model_folder(folder)
    try:
        return model_class(kind).load(folder)
    except (KeyError, TypeError, ValueError, AttributeError, IndexError, zipfile.BadZipFile) as exc:
        what = f"missing {exc.args[0]!r}" if isinstance(exc, KeyError) and exc.args else exc
        raise UnsafeModel(
            f"{folder}: model.json or the weights are not what a {kind} model needs "
            f"({type(exc).__name__}: {what}); retrain it with `careaudit train`"
        ) from exc
