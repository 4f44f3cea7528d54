"""Save and load a model as plain arrays and JSON: nothing in the files can run code.

A model folder in this format holds ``model.json`` (kind, parameters,
thresholds, metrics, ``"format"`` and the SHA-256 of each weight file),
``vocab.json`` (strings and lists only) and ``weights.npz`` (numeric arrays,
read with ``allow_pickle=False``). Loading refuses, with
:class:`~nlp.prediction.store.UnsafeModel`: a weight file that is missing, not a
regular file or over the size cap (both via :func:`nlp.prediction.store.read_model_file`),
or whose SHA-256 differs from ``model.json``; an archive that unpacks to too much,
or a member that is not a plain numeric array (an object array needs pickle and
is never loaded) or not on the expected list; and JSON of the wrong shape. Like
the skops files it replaces, the checksum catches accidents and half-copied
folders; it is not a signature (see :mod:`nlp.prediction.store` for pinned hashes).

Nothing here imports scikit-learn, scipy or skops, so the default audit starts
quickly; skops files stay for the ``transformer`` kind and older model folders.
"""

from __future__ import annotations

import hashlib
import io
import json
import zipfile
from pathlib import Path
from typing import Any

import numpy as np

from nlp.prediction.store import UnsafeModel, read_model_file

FORMAT = "careaudit-arrays/1"  # ``model.json``'s "format" for this layout
VOCAB = "vocab.json"
WEIGHTS = "weights.npz"
MAX_UNPACKED_BYTES = 1 << 30  # declared size of everything inside weights.npz
# Every array a careaudit arrays model may contain, and the dtype kinds allowed.
ARRAY_NAMES: frozenset[str] = frozenset(
    {
        "word_idf",
        "char_idf",
        "context_idf",
        "heads_coef",
        "heads_intercept",
        "calib_a",
        "calib_b",
        "type_coef",
        "type_intercept",
        "stack_coef",
        "stack_intercept",
    }
)
VOCAB_KEYS: frozenset[str] = frozenset({"word", "char", "context", "types", "stack"})
NUMERIC_KINDS = frozenset("fiub")


def read_numeric_arrays(
    path: Path, data: bytes, allowed: frozenset[str], max_unpacked: int | None = None
) -> dict[str, np.ndarray]:
    """The numeric arrays in ``data``, the bytes of the ``.npz`` file ``path``, read
    without pickle; :class:`UnsafeModel` for an archive too large once unpacked (default
    :data:`MAX_UNPACKED_BYTES`), with arrays not in ``allowed``, or anything but numbers."""
    max_unpacked = MAX_UNPACKED_BYTES if max_unpacked is None else max_unpacked
    arrays: dict[str, np.ndarray] = {}
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            members = archive.infolist()
        unpacked = sum(m.file_size for m in members)
        if len(members) > 4 * len(allowed) or unpacked > max_unpacked:
            raise UnsafeModel(f"{path}: unpacks to too much data; not loaded")
        with np.load(io.BytesIO(data), allow_pickle=False) as npz:
            unexpected = set(npz.files) - allowed
            if unexpected:
                raise UnsafeModel(f"{path}: holds unexpected arrays {sorted(unexpected)}")
            for name in npz.files:
                value = npz[name]
                if value.dtype.kind not in NUMERIC_KINDS:
                    raise UnsafeModel(f"{path}: {name} is {value.dtype}, not numeric")
                arrays[name] = value
    except (ValueError, OSError, zipfile.BadZipFile, EOFError) as exc:
        raise UnsafeModel(
            f"{path}: not a plain numeric array archive ({exc}); not loaded"
        ) from None
    return arrays


def read_checked(
    path: Path, expected_sha256: str | None, retrain: str = "`careaudit train`"
) -> bytes:
    """The bytes of a weight file, after the regular-file, size and checksum checks."""
    data = read_model_file(path)
    if not expected_sha256 or hashlib.sha256(data).hexdigest() != expected_sha256:
        raise UnsafeModel(
            f"{path}: checksum does not match model.json — the file was changed after "
            f"training; retrain with {retrain} rather than loading it"
        )
    return data


def save_arrays(
    folder: Path, meta: dict[str, Any], vocab: dict[str, Any], arrays: dict[str, np.ndarray]
) -> dict[str, Any]:
    """Write ``vocab.json``, ``weights.npz`` and ``model.json``; return the written meta."""
    unknown = set(arrays) - ARRAY_NAMES or set(vocab) - VOCAB_KEYS
    if unknown:
        raise ValueError(f"not part of the arrays format: {sorted(unknown)}")
    folder.mkdir(parents=True, exist_ok=True)
    (folder / VOCAB).write_text(json.dumps(vocab, ensure_ascii=False), encoding="utf-8")
    clean = {k: np.ascontiguousarray(v) for k, v in arrays.items()}
    for name, value in clean.items():
        if value.dtype.kind not in NUMERIC_KINDS:
            raise ValueError(f"{name}: only numeric arrays can be saved, not {value.dtype}")
    with (folder / WEIGHTS).open("wb") as fh:
        np.savez_compressed(fh, **clean)
    files = {
        name: hashlib.sha256((folder / name).read_bytes()).hexdigest() for name in (VOCAB, WEIGHTS)
    }
    meta = {**meta, "files": files}
    (folder / "model.json").write_text(json.dumps(meta, indent=2), encoding="utf-8")
    return meta


def load_arrays(folder: Path, meta: dict[str, Any]) -> tuple[dict[str, Any], dict[str, np.ndarray]]:
    """Verify and read ``vocab.json`` and ``weights.npz`` of a model folder."""
    files = meta.get("files")
    if not isinstance(files, dict):
        raise UnsafeModel(f"{folder}/model.json: no checksums for the weight files; not loaded")
    vocab_bytes = read_checked(folder / VOCAB, files.get(VOCAB))
    weight_bytes = read_checked(folder / WEIGHTS, files.get(WEIGHTS))
    try:
        vocab = json.loads(vocab_bytes.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError, RecursionError) as exc:
        raise UnsafeModel(f"{folder / VOCAB}: not valid JSON ({exc}); not loaded") from None
    if not isinstance(vocab, dict) or set(vocab) - VOCAB_KEYS:
        raise UnsafeModel(f"{folder / VOCAB}: unexpected content; not loaded")
    for key, terms in vocab.items():
        if not isinstance(terms, list) or not all(isinstance(t, str) for t in terms):
            raise UnsafeModel(f"{folder / VOCAB}: {key!r} is not a list of strings; not loaded")
    arrays = read_numeric_arrays(folder / WEIGHTS, weight_bytes, ARRAY_NAMES)
    return vocab, arrays
