"""Save and load trained models without executing arbitrary code.

A model folder holds ``model.json`` (kind, parameters, thresholds, metrics and
the SHA-256 of each weight file), ``model.skops`` (scikit-learn objects, saved
with skops) and ``README.md`` (the model card). Loading refuses a folder whose
weight file does not match its recorded checksum, and a skops file that holds
any type outside :data:`ALLOWED_TYPES` — skops never unpickles arbitrary
objects, and we trust only the types we put there.

The SHA-256 in ``model.json`` is written by whoever wrote the folder, so it only
catches accidents (a truncated copy, a stray edit); anyone who can change the
weights can change it too. Deployments that must load only known models set
``$CAREAUDIT_TRUSTED_MODELS`` (or ``careaudit --trusted-models FILE``) to a file of
SHA-256 lines (``sha256sum`` output works): then every file of a model folder but
its ``README.md`` must be listed, or the model is refused
(:func:`check_model_folder`). Every file is opened without following it into a
FIFO or device and read up to a size cap, so a ``model.skops`` that links to
``/dev/zero`` or is a named pipe is refused instead of hanging the checksum.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import re
import stat
import zipfile
from pathlib import Path
from typing import Any

# skops (and with it scikit-learn) is imported only when a skops file is saved or loaded
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


class MetaMismatch(UnsafeModel):
    """A model folder's ``model.json`` is not the one its caller was bound to."""

    def __init__(self, found: str, expected: str) -> None:
        self.found, self.expected = found, expected
        super().__init__(f"model.json SHA-256 {found[:12]}, expected {expected[:12]}")


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


MAX_MODEL_FILE_BYTES = 1 << 30  # any one file of a model folder
MAX_META_BYTES = 1 << 20  # model.json and the trusted-models list
MAX_FOLDER_ENTRIES = 2000
MAX_SKOPS_UNPACKED = 4 << 30  # declared size of everything inside model.skops
TRUSTED_MODELS_ENV = "CAREAUDIT_TRUSTED_MODELS"
_SHA256 = re.compile(r"[0-9a-f]{64}")


def read_model_file(path: Path, limit: int | None = None) -> bytes:
    """The bytes of a regular file of at most ``limit`` bytes, else :class:`UnsafeModel`.

    Opened non-blocking and checked on the open descriptor, so a FIFO, a device (also
    behind a symlink) or a folder is refused at once and never read. ``limit``
    defaults to :data:`MAX_MODEL_FILE_BYTES`.
    """
    limit = MAX_MODEL_FILE_BYTES if limit is None else limit
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0))
    except FileNotFoundError:
        raise UnsafeModel(f"{path}: missing") from None
    except OSError as exc:
        raise UnsafeModel(f"{path}: cannot be opened ({exc.strerror}); refused") from None
    with os.fdopen(fd, "rb") as fh:
        info = os.fstat(fh.fileno())
        if not stat.S_ISREG(info.st_mode):
            raise UnsafeModel(f"{path}: not a regular file ({_kind(info.st_mode)}); refused")
        if info.st_size > limit:
            raise UnsafeModel(f"{path}: {info.st_size:,} bytes, over the {limit:,}-byte limit")
        data = fh.read(info.st_size + 1)  # not read(limit + 1): that reserves a 1 GiB buffer
        if len(data) > info.st_size:  # still growing: read on, up to the limit
            data += fh.read(limit + 1 - len(data))
    if len(data) > limit:
        raise UnsafeModel(f"{path}: grew past the {limit:,}-byte limit while being read")
    return data


def _kind(mode: int) -> str:
    for test, name in (
        (stat.S_ISFIFO, "a named pipe"),
        (stat.S_ISCHR, "a character device"),
        (stat.S_ISBLK, "a block device"),
        (stat.S_ISSOCK, "a socket"),
        (stat.S_ISDIR, "a folder"),
    ):
        if test(mode):
            return name
    return "not a file"


def read_model_meta(folder: Path, raw: bytes | None = None) -> dict[str, Any]:
    """``model.json`` as a dict with a string ``kind``; a clear :class:`UnsafeModel` if not.

    ``raw``: its bytes, already read (and checked) by the caller; else read here.
    """
    path = folder / "model.json"
    raw = read_model_file(path, MAX_META_BYTES) if raw is None else raw
    try:
        meta = json.loads(raw.decode("utf-8"))
    except UnicodeDecodeError:
        raise UnsafeModel(f"{path}: not UTF-8 text; not a careaudit model") from None
    except json.JSONDecodeError as exc:
        raise UnsafeModel(
            f"{path}: not valid JSON (line {exc.lineno}, column {exc.colno}: {exc.msg})"
        ) from None
    except (RecursionError, ValueError) as exc:  # too deep; a 5,000-digit number
        raise UnsafeModel(f"{path}: not a careaudit model description ({exc})") from None
    if not isinstance(meta, dict):
        raise UnsafeModel(f"{path}: must be a JSON object, not {type(meta).__name__}")
    if not isinstance(meta.get("kind"), str):
        raise UnsafeModel(f"{path}: no model 'kind' (a string such as \"hybrid\")")
    files = meta.get("files", {})
    if not isinstance(files, dict) or not all(
        isinstance(k, str) and isinstance(v, str) for k, v in files.items()
    ):
        raise UnsafeModel(f"{path}: 'files' must map file names to SHA-256 strings")
    return meta


def trusted_model_hashes() -> frozenset[str] | None:
    """The pinned SHA-256 list named by ``$CAREAUDIT_TRUSTED_MODELS``; None when unset.

    One hash a line, anything after it ignored (``sha256sum`` output), ``#`` comments.
    An unreadable or malformed list refuses every model rather than trusting any.
    """
    value = os.environ.get(TRUSTED_MODELS_ENV, "").strip()
    if not value:
        return None
    try:
        text = read_model_file(Path(value), MAX_META_BYTES).decode("utf-8")
    except (UnsafeModel, UnicodeDecodeError) as exc:
        raise UnsafeModel(f"trusted-models list {value}: {exc}; no model is loaded") from None
    hashes = set()
    for lineno, line in enumerate(text.splitlines(), 1):
        line = line.split("#", 1)[0].strip()
        if not line:
            continue
        token = line.split()[0].lower()
        if not _SHA256.fullmatch(token):
            raise UnsafeModel(
                f"trusted-models list {value} line {lineno}: {token[:80]!r} is not a SHA-256"
            )
        hashes.add(token)
    return frozenset(hashes)


def model_files(folder: Path) -> list[Path]:
    """Every file of a model folder (sub-folders included), checked to be regular files."""
    found: list[Path] = []
    pending = [(folder, 0)]
    while pending:
        current, depth = pending.pop()
        try:
            entries = sorted(os.scandir(current), key=lambda e: e.name)
        except OSError as exc:
            raise UnsafeModel(f"{current}: cannot be listed ({exc.strerror})") from None
        for entry in entries:
            path = Path(entry.path)
            try:
                info = os.stat(path)  # follows links: what a loader would read
            except OSError:
                raise UnsafeModel(f"{path}: a broken link or unreadable; refused") from None
            if stat.S_ISDIR(info.st_mode) and depth < 3:
                pending.append((path, depth + 1))
            elif not stat.S_ISREG(info.st_mode):
                raise UnsafeModel(f"{path}: not a regular file ({_kind(info.st_mode)}); refused")
            elif info.st_size > MAX_MODEL_FILE_BYTES:
                raise UnsafeModel(f"{path}: {info.st_size:,} bytes, over the size limit")
            else:
                found.append(path)
            if len(found) > MAX_FOLDER_ENTRIES:
                raise UnsafeModel(f"{folder}: more than {MAX_FOLDER_ENTRIES} files; refused")
    return found


def check_model_folder(folder: Path) -> None:
    """Refuse non-regular or oversized files; with a trusted list, any unlisted file."""
    files = model_files(folder)
    pins = trusted_model_hashes()
    if pins is None:
        return
    for path in files:
        if path.parent == folder and path.name == "README.md":
            continue  # the model card: documentation, not read by any loader
        require_pinned(path, read_model_file(path), pins)


def require_pinned(path: Path, data: bytes, pins: frozenset[str]) -> None:
    """Refuse ``data`` (read from ``path``) unless its SHA-256 is in ``pins``."""
    digest = hashlib.sha256(data).hexdigest()
    if digest not in pins:
        raise UnsafeModel(
            f"{path}: SHA-256 {digest} is not in the trusted-models list "
            f"(${TRUSTED_MODELS_ENV}); model not loaded"
        )


def save_state(folder: Path, state: dict[str, Any], meta: dict[str, Any]) -> None:
    """Write ``state`` (scikit-learn objects) and ``meta`` (JSON) into ``folder``."""
    import skops.io as sio

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
    """Verify and load a model folder; raises :class:`UnsafeModel` when it is not safe.

    The weights are read once (regular file, size cap), checked and loaded from
    those bytes, so the file cannot change between the checks and the load.
    """
    import skops.io as sio

    meta = read_model_meta(folder)
    weights = folder / WEIGHTS
    data = read_model_file(weights)
    expected = meta.get("files", {}).get(WEIGHTS)
    if expected != hashlib.sha256(data).hexdigest():
        raise UnsafeModel(
            f"{weights}: checksum does not match model.json — the file was changed after "
            "training; retrain with `careaudit train` rather than loading it"
        )
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            members = archive.infolist()
        if len(members) > 100_000 or sum(m.file_size for m in members) > MAX_SKOPS_UNPACKED:
            raise UnsafeModel(f"{weights}: unpacks to too much data; not loaded")
        untrusted = set(sio.get_untrusted_types(data=data))
    except (zipfile.BadZipFile, KeyError, ValueError, TypeError) as exc:
        raise UnsafeModel(f"{weights}: not a readable skops file ({exc}); not loaded") from None
    unexpected = untrusted - ALLOWED_TYPES
    if unexpected:
        raise UnsafeModel(f"{weights}: holds untrusted types {sorted(unexpected)}; not loaded")
    try:
        return sio.loads(data, trusted=sorted(untrusted)), meta
    except (zipfile.BadZipFile, KeyError, ValueError, TypeError, AttributeError) as exc:
        raise UnsafeModel(f"{weights}: not a readable skops file ({exc}); not loaded") from None
