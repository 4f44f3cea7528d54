"""The learned name decision: a logistic regression over :mod:`nlp.deid.features`.

Stored in ``models/deid/`` as plain data that cannot run code: ``model.json`` (kind
``deid-names``, cutoffs, figures, SHA-256 of each file), ``vocab.json`` (the feature
strings) and ``weights.npz`` (numeric arrays ``coef`` and ``intercept``, read with
``allow_pickle=False``). Loading refuses a file whose checksum differs from
``model.json``, a non-regular or oversized file, an archive holding anything but those
two numeric arrays, and, with ``$CAREAUDIT_TRUSTED_MODELS`` set, any file not on the
pinned list (:func:`nlp.prediction.store.check_model_folder`). Predicting needs numpy only.
A model trained with the name tagger's votes (:mod:`nlp.deid.name_tagger`) records that
tagger's ``model.json`` SHA-256 under ``tagger``; it is used only with that tagger.
Likewise MiniLM's name head (:mod:`nlp.deid.name_encoder`) under ``encoder``.
"""

from __future__ import annotations

import hashlib
import json
import math
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from nlp.prediction.array_store import read_checked, read_numeric_arrays
from nlp.prediction.store import UnsafeModel, check_model_folder, read_model_meta

KIND = "deid-names"
VOCAB = "vocab.json"
WEIGHTS = "weights.npz"
ARRAYS = frozenset(["coef", "intercept"])
DEFAULT_DIR = Path(__file__).resolve().parents[2] / "models" / "deid"
RETRAIN = "scripts/train_deid.py"
MAX_WEIGHT = 50.0  # |weight| of any feature or the intercept (trained: under 3)


@dataclass(frozen=True)
class NameModel:
    """Weights per feature string; :meth:`probability` of a candidate being a name."""

    index: dict[str, int]
    coef: np.ndarray
    intercept: float
    add: float  # a word the rules did not name becomes a name from this probability
    drop: float  # a name of the rules stops being one below this probability
    version: str = ""
    tagger: str | None = None  # SHA-256 of the name tagger's model.json it was trained with
    encoder: str | None = None  # SHA-256 of the MiniLM name head's model.json, likewise

    def probability(self, feats: Sequence[str]) -> float:
        score = self.intercept + sum(
            float(self.coef[j]) for j in (self.index.get(f) for f in feats) if j is not None
        )
        return 1.0 / (1.0 + math.exp(-max(-30.0, min(30.0, score))))

    def decide(
        self, feats: Sequence[str], named: bool, ruled_out: bool = False, protected: bool = False
    ) -> bool:
        """Name or not: a name of the rules (``named``) stays unless the model is sure it
        is none, a ``protected`` one always; another word becomes a name only when the
        model is sure, and never one the rules ``ruled_out``."""
        if named:
            return protected or self.probability(feats) >= self.drop
        return not ruled_out and self.probability(feats) >= self.add


def save(
    folder: Path, vocab: list[str], coef: np.ndarray, intercept: float, meta: dict[str, Any]
) -> dict[str, Any]:
    """Write the three files; return ``model.json``'s content."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / VOCAB).write_text(json.dumps(vocab, ensure_ascii=False), encoding="utf-8")
    with (folder / WEIGHTS).open("wb") as fh:
        np.savez_compressed(
            fh,
            coef=np.asarray(coef, dtype=np.float32),
            intercept=np.asarray([intercept], dtype=np.float64),
        )
    files = {n: hashlib.sha256((folder / n).read_bytes()).hexdigest() for n in (VOCAB, WEIGHTS)}
    meta = {**meta, "kind": KIND, "files": files}
    (folder / "model.json").write_text(json.dumps(meta, indent=2) + "\n", encoding="utf-8")
    return meta


def load(folder: Path = DEFAULT_DIR) -> NameModel:
    """Verify and read a name model folder (raises :class:`UnsafeModel`)."""
    check_model_folder(folder)
    meta = read_model_meta(folder)
    if meta["kind"] != KIND:
        raise UnsafeModel(f"{folder}/model.json: kind {meta['kind']!r}, not {KIND!r}")
    files = meta.get("files", {})
    vocab_bytes = read_checked(folder / VOCAB, files.get(VOCAB), RETRAIN)
    weight_bytes = read_checked(folder / WEIGHTS, files.get(WEIGHTS), RETRAIN)
    try:
        vocab = json.loads(vocab_bytes.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError, RecursionError) as exc:
        raise UnsafeModel(f"{folder / VOCAB}: not valid JSON ({exc})") from None
    if not isinstance(vocab, list) or not all(isinstance(v, str) for v in vocab):
        raise UnsafeModel(f"{folder / VOCAB}: not a list of strings")
    arrays = read_numeric_arrays(folder / WEIGHTS, weight_bytes, ARRAYS, 64 << 20)
    if set(arrays) != ARRAYS:
        raise UnsafeModel(f"{folder / WEIGHTS}: holds {sorted(arrays)}, not {sorted(ARRAYS)}")
    coef, intercept = arrays["coef"], arrays["intercept"]
    if (
        coef.dtype.kind != "f"
        or intercept.dtype.kind != "f"
        or coef.shape != (len(vocab),)
        or intercept.shape != (1,)
    ):
        raise UnsafeModel(f"{folder / WEIGHTS}: arrays do not match vocab.json")
    # a weight of -inf (or NaN) would quietly switch name removal off (or on) for every
    # word: refuse weights that no training run produces
    if not (np.isfinite(coef).all() and np.isfinite(intercept).all()) or max(
        float(np.abs(coef).max(initial=0.0)), float(np.abs(intercept).max())
    ) > MAX_WEIGHT:
        raise UnsafeModel(f"{folder / WEIGHTS}: weights not finite or beyond ±{MAX_WEIGHT:g}")
    cutoffs = meta.get("cutoffs")
    if not isinstance(cutoffs, dict) or not all(
        isinstance(cutoffs.get(k), float | int) and 0.0 < cutoffs[k] < 1.0
        for k in ("add", "drop")
    ) or not cutoffs["drop"] < cutoffs["add"]:
        raise UnsafeModel(
            f"{folder}/model.json: cutoffs add, drop must be numbers in (0, 1), drop < add"
        )
    return NameModel(
        index={f: n for n, f in enumerate(vocab)},
        coef=coef.astype(np.float64),
        intercept=float(intercept.reshape(-1)[0]),
        add=float(cutoffs["add"]),
        drop=float(cutoffs["drop"]),
        version=files.get(WEIGHTS, "")[:12],
        tagger=_bound_digest(folder, meta, "tagger"),
        encoder=_bound_digest(folder, meta, "encoder"),
    )


def _bound_digest(folder: Path, meta: dict[str, Any], key: str) -> str | None:
    """The ``model.json`` SHA-256 of the voter (``tagger``, ``encoder``) recorded under
    ``key`` in ``model.json`` (or None: trained without it)."""
    voter = meta.get(key)
    if voter is None:
        return None
    digest = voter.get("sha256") if isinstance(voter, dict) else None
    if not isinstance(digest, str) or len(digest) != 64:
        raise UnsafeModel(f"{folder}/model.json: {key!r} must hold the {key}'s sha256")
    return digest
