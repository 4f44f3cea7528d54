"""Save and load trained models without executing arbitrary code.

A model folder holds ``model.json`` (kind, parameters, thresholds, metrics and
the SHA-256 of each weight file), ``model.skops`` (scikit-learn objects, saved
with skops) and ``README.md`` (the model card). Loading refuses a folder whose
weight file does not match its recorded checksum, and a skops file that holds
any type outside :data:`ALLOWED_TYPES` — skops never unpickles arbitrary
objects, and we trust only the types we put there.
"""

from __future__ import annotations

import hashlib
import json
import zipfile
from pathlib import Path
from typing import Any

import skops.io as sio

WEIGHTS = "model.skops"
# Every non-default type our models contain; anything else in a file is refused.
ALLOWED_TYPES: frozenset[str] = frozenset(
    {
        "builtins.slice",
        "numpy.dtype",
        "numpy.float64",
        "numpy.int64",
        "numpy.ndarray",
        "numpy.str_",
        "scipy.sparse._csr.csr_matrix",
        "sklearn.calibration.CalibratedClassifierCV",
        "sklearn.calibration._CalibratedClassifier",
        "sklearn.calibration._SigmoidCalibration",
        "sklearn.feature_extraction._dict_vectorizer.DictVectorizer",
        "sklearn.feature_extraction.text.TfidfTransformer",
        "sklearn.feature_extraction.text.TfidfVectorizer",
        "sklearn.linear_model._logistic.LogisticRegression",
        "sklearn.preprocessing._label.LabelEncoder",
        "sklearn.utils._metadata_requests.MetadataRequest",
    }
)


class UnsafeModel(RuntimeError):
    """A model file failed its checksum or holds types we do not trust."""


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def save_state(folder: Path, state: dict[str, Any], meta: dict[str, Any]) -> None:
    """Write ``state`` (scikit-learn objects) and ``meta`` (JSON) into ``folder``."""
    folder.mkdir(parents=True, exist_ok=True)
    weights = folder / WEIGHTS
    sio.dump(state, weights, compression=zipfile.ZIP_DEFLATED, compresslevel=9)
    untrusted = set(sio.get_untrusted_types(file=weights))
    unexpected = untrusted - ALLOWED_TYPES
    if unexpected:
        weights.unlink()
        raise UnsafeModel(f"refusing to save types outside the allowlist: {sorted(unexpected)}")
    meta = {**meta, "files": {WEIGHTS: sha256_file(weights)}}
    (folder / "model.json").write_text(json.dumps(meta, indent=2), encoding="utf-8")


def load_state(folder: Path) -> tuple[dict[str, Any], dict[str, Any]]:
    """Verify and load a model folder; raises :class:`UnsafeModel` when it is not safe."""
    meta = json.loads((folder / "model.json").read_text(encoding="utf-8"))
    weights = folder / WEIGHTS
    if not weights.exists():
        raise UnsafeModel(f"{weights}: missing")
    expected = meta.get("files", {}).get(WEIGHTS)
    if expected != sha256_file(weights):
        raise UnsafeModel(
            f"{weights}: checksum does not match model.json — the file was changed after "
            "training; retrain with `careaudit train` rather than loading it"
        )
    untrusted = set(sio.get_untrusted_types(file=weights))
    unexpected = untrusted - ALLOWED_TYPES
    if unexpected:
        raise UnsafeModel(f"{weights}: holds untrusted types {sorted(unexpected)}; not loaded")
    return sio.load(weights, trusted=sorted(untrusted)), meta
