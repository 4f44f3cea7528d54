"""Pick a sentence model by name: ``rules``, ``sklearn``, ``transformer`` or ``hybrid``."""

from __future__ import annotations

from pathlib import Path

from nlp.prediction import RulesModel, SentenceModel

MODEL_NAMES = ("hybrid", "sklearn", "transformer", "transformer-ft", "rules", "keyword")
MODELS_DIR = Path(__file__).resolve().parent.parent / "models"


class ModelNotFound(RuntimeError):
    """A trained model was asked for but its files are not there."""


def load_sentence_model(name: str = "hybrid", models_dir: Path | None = None) -> SentenceModel:
    """Load a model by name, or from a directory written by ``careaudit train``."""
    base = models_dir or MODELS_DIR
    if name == "rules":
        return RulesModel()
    if name == "keyword":
        from nlp.classifiers.keyword_model import KeywordModel

        return KeywordModel()
    path = Path(name)
    if path.is_dir():
        return _load_dir(path)
    if name not in MODEL_NAMES:
        raise ModelNotFound(
            f"unknown model {name!r}; choose one of {', '.join(MODEL_NAMES)} or give a model folder"
        )
    return _load_dir(base / name)


def _load_dir(path: Path) -> SentenceModel:
    from nlp.classifiers.store import load_model_dir

    if not (path / "model.json").exists():
        raise ModelNotFound(
            f"{path}: no trained model here (model.json missing). Train one with "
            f"`careaudit train --model sklearn --out {path}` or use --model rules."
        )
    return load_model_dir(path)
