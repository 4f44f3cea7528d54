"""Model folders as untrusted input: non-regular files, sizes, malformed model.json, pinned hashes.

Small folders written by :func:`save_state` keep these fast; each bad case must end
in :class:`UnsafeModel` (or, through the CLI, an error line and exit code) quickly,
never in a hang or a traceback.
"""

from __future__ import annotations

import hashlib
import json
import os
import signal
from collections.abc import Callable, Iterator
from pathlib import Path

import numpy as np
import pytest
from typer.testing import CliRunner

from cli.main import app
from nlp.prediction import store
from nlp.prediction.registry import load_model_dir
from nlp.prediction.store import (
    TRUSTED_MODELS_ENV,
    UnsafeModel,
    check_model_folder,
    load_state,
    save_state,
)

runner = CliRunner()
THRESHOLDS = {"doing_for": 0.5, "restriction": 0.5, "unauthorised": 0.5, "missing_rationale": 0.5}


@pytest.fixture(autouse=True)
def no_hang() -> Iterator[None]:
    """Fail instead of blocking forever if a FIFO or device is ever read."""

    def stop(*_: object) -> None:
        raise TimeoutError("model loading blocked")

    old = signal.signal(signal.SIGALRM, stop)
    signal.alarm(120)  # generous: the first skops import is slow
    yield
    signal.alarm(0)
    signal.signal(signal.SIGALRM, old)


@pytest.fixture
def folder(tmp_path: Path, monkeypatch) -> Path:
    """A tiny skops model folder with a model card (kind sklearn, no real classifier)."""
    # empty = no pinned list; set (not deleted) so that teardown removes whatever
    # `--trusted-models` writes into os.environ during a test
    monkeypatch.setenv(TRUSTED_MODELS_ENV, "")
    out = tmp_path / "model"
    save_state(out, {"weights": np.arange(6.0)}, {"kind": "sklearn", "thresholds": THRESHOLDS})
    (out / "README.md").write_text("# model card\n")
    return out


def _meta(folder: Path) -> dict:
    return json.loads((folder / "model.json").read_text())


def _write_meta(folder: Path, text: str) -> None:
    (folder / "model.json").write_text(text)


def test_a_good_folder_loads(folder: Path) -> None:
    state, meta = load_state(folder)
    assert np.array_equal(state["weights"], np.arange(6.0)) and meta["kind"] == "sklearn"


def test_weights_linked_to_dev_zero_are_refused(folder: Path) -> None:
    (folder / "model.skops").unlink()
    (folder / "model.skops").symlink_to("/dev/zero")
    with pytest.raises(UnsafeModel, match="not a regular file \\(a character device\\)"):
        load_state(folder)
    with pytest.raises(UnsafeModel, match="not a regular file"):
        load_model_dir(folder)


@pytest.mark.parametrize("name", ["model.skops", "model.json", "README.md"])
def test_a_fifo_anywhere_in_the_folder_is_refused(folder: Path, name: str) -> None:
    (folder / name).unlink()
    os.mkfifo(folder / name)
    with pytest.raises(UnsafeModel, match="named pipe"):
        load_model_dir(folder)


def test_sizes_are_capped_before_hashing(folder: Path, monkeypatch) -> None:
    monkeypatch.setattr(store, "MAX_MODEL_FILE_BYTES", 100)
    with pytest.raises(UnsafeModel, match="over the 100-byte limit"):
        load_state(folder)
    with pytest.raises(UnsafeModel, match="over the size limit"):
        check_model_folder(folder)


def test_model_json_is_capped(folder: Path) -> None:
    with (folder / "model.json").open("a") as fh:  # sparse: 2 MB of nothing
        fh.truncate(2 << 20)
    with pytest.raises(UnsafeModel, match="over the 1,048,576-byte limit"):
        load_model_dir(folder)


def test_declared_unpacked_size_is_capped(folder: Path, monkeypatch) -> None:
    monkeypatch.setattr(store, "MAX_SKOPS_UNPACKED", 10)
    with pytest.raises(UnsafeModel, match="unpacks to too much data"):
        load_state(folder)


def test_weights_that_are_not_a_skops_file(folder: Path) -> None:
    data = b"this is not a zip archive"
    (folder / "model.skops").write_bytes(data)
    meta = _meta(folder)
    meta["files"]["model.skops"] = hashlib.sha256(data).hexdigest()
    _write_meta(folder, json.dumps(meta))
    with pytest.raises(UnsafeModel, match="not a readable skops file"):
        load_state(folder)


def _set(key: str, value: object) -> Callable[[dict], dict]:
    """An edit of model.json: set ``key`` to ``value`` (or delete it)."""

    def edit(meta: dict) -> dict:
        if value is _DELETE:
            meta.pop(key)
        else:
            meta[key] = value
        return meta

    return edit


_DELETE = object()


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ('{"kind": "sklearn", ', "not valid JSON (line 1, column 21"),
        ("[1, 2, 3]", "must be a JSON object, not list"),
        ('"hybrid"', "must be a JSON object, not str"),
        ("\xff\xfe{}", "not UTF-8 text"),
        ('{"kind": 5}', "no model 'kind'"),
        ("{}", "no model 'kind'"),
        ('{"kind": "sklearn", "n": ' + "7" * 5000 + "}", "not a careaudit model description"),
        ("[" * 100_000 + "]" * 100_000, "not a careaudit model description"),
        ('{"kind": "magic"}', "unknown model kind 'magic'"),
    ],
)
def test_malformed_model_json_gives_a_clear_error(folder: Path, text: str, message: str) -> None:
    raw = text.encode("latin-1") if text.startswith("\xff") else text.encode()
    (folder / "model.json").write_bytes(raw)
    with pytest.raises(UnsafeModel, match=message.replace("(", "\\(")):
        load_model_dir(folder)


@pytest.mark.parametrize(
    ("edit", "message"),
    [
        (_set("files", ["model.skops"]), "'files' must map file names to SHA-256 strings"),
        (_set("files", {"model.skops": 42}), "'files' must map"),
        (_set("files", _DELETE), "checksum does not match"),
        (_set("thresholds", _DELETE), "model.json"),
        (_set("thresholds", "high"), "model.json"),
        (_set("params", _DELETE), "not what a sklearn model needs"),
    ],
)
def test_wrong_keys_or_types_give_a_clear_error(folder: Path, edit, message: str) -> None:
    meta = _meta(folder)
    meta["params"] = {}
    _write_meta(folder, json.dumps(edit(meta)))
    with pytest.raises(UnsafeModel, match=message):
        load_model_dir(folder)


def test_cli_reports_a_malformed_folder_without_a_traceback(folder: Path, tmp_path: Path) -> None:
    _write_meta(folder, '{"kind": "hybrid", "files": [')
    gold = tmp_path / "gold.jsonl"
    gold.write_text("{}\n")
    result = runner.invoke(app, ["evaluate", str(gold), "--model", str(folder)])
    assert result.exit_code == 2
    assert "notvalidJSON" in "".join(result.output.split()) and "Traceback" not in result.output
    assert isinstance(result.exception, SystemExit)


# --- pinned hashes --------------------------------------------------------------------------


def _pins(folder: Path, skip: tuple[str, ...] = ()) -> str:
    """``sha256sum`` output for the folder's files (the README is not needed)."""
    lines = [
        f"{hashlib.sha256(p.read_bytes()).hexdigest()}  {p}"
        for p in sorted(folder.rglob("*"))
        if p.is_file() and p.name != "README.md" and p.name not in skip
    ]
    return "# models approved for production\n" + "\n".join(lines) + "\n"


def test_self_declared_checksum_only_catches_accidents(folder: Path) -> None:
    """Whoever can swap the weights can update model.json too: that loads without pins."""
    save_state(folder, {"weights": np.arange(9.0)}, {"kind": "sklearn", "thresholds": THRESHOLDS})
    state, _ = load_state(folder)
    assert len(state["weights"]) == 9


def test_pinned_list_refuses_unlisted_files(folder: Path, tmp_path: Path, monkeypatch) -> None:
    pins = tmp_path / "trusted.txt"
    pins.write_text(_pins(folder))
    monkeypatch.setenv(TRUSTED_MODELS_ENV, str(pins))
    check_model_folder(folder)  # every file listed: accepted
    load_state(folder)
    # retrained (or swapped) weights with a matching model.json: no longer on the list
    save_state(folder, {"weights": np.arange(9.0)}, {"kind": "sklearn", "thresholds": THRESHOLDS})
    with pytest.raises(
        UnsafeModel, match=r"model\.(json|skops): SHA-256 [0-9a-f]{64} is not in the trusted"
    ):
        check_model_folder(folder)
    with pytest.raises(UnsafeModel, match="not in the trusted-models list"):
        load_model_dir(folder)


def test_pinned_list_covers_model_json(folder: Path, tmp_path: Path, monkeypatch) -> None:
    pins = tmp_path / "trusted.txt"
    pins.write_text(_pins(folder))
    monkeypatch.setenv(TRUSTED_MODELS_ENV, str(pins))
    meta = _meta(folder)
    meta["thresholds"]["doing_for"] = 0.999  # quietly switch a flag off
    _write_meta(folder, json.dumps(meta))
    with pytest.raises(UnsafeModel, match=r"model\.json: SHA-256 .* not in the trusted"):
        check_model_folder(folder)


@pytest.mark.parametrize(
    ("content", "message"),
    [(None, "missing"), ("not-a-hash  model.skops\n", "line 1: 'not-a-hash' is not a SHA-256")],
)
def test_a_broken_pin_list_refuses_every_model(
    folder: Path, tmp_path: Path, monkeypatch, content: str | None, message: str
) -> None:
    pins = tmp_path / "trusted.txt"
    if content is not None:
        pins.write_text(content)
    monkeypatch.setenv(TRUSTED_MODELS_ENV, str(pins))
    with pytest.raises(UnsafeModel, match=message):
        check_model_folder(folder)


def test_cli_option_trusted_models(folder: Path, tmp_path: Path, monkeypatch) -> None:
    pins = tmp_path / "trusted.txt"
    pins.write_text(_pins(folder, skip=("model.skops",)))
    gold = tmp_path / "gold.jsonl"
    gold.write_text("{}\n")
    result = runner.invoke(
        app, ["--trusted-models", str(pins), "evaluate", str(gold), "--model", str(folder)]
    )
    assert result.exit_code == 2, result.output
    output = "".join(result.output.split())  # rich wraps long lines anywhere
    assert "model.skops:SHA-256" in output and "notinthetrusted-modelslist" in output
    assert "Traceback" not in output


def test_pins_cover_the_shipped_arrays_format(tmp_path: Path, monkeypatch) -> None:
    """The same check guards every format (here the shipped plain-arrays hybrid)."""
    shipped = Path(__file__).resolve().parents[2] / "models" / "hybrid"
    names = sorted(p.name for p in shipped.iterdir() if p.is_file() and p.name != "README.md")
    weights = next(n for n in names if n != "model.json")  # weights.npz or model.skops
    pins = tmp_path / "trusted.txt"
    pins.write_text(_pins(shipped, skip=(weights,)))
    monkeypatch.setenv(TRUSTED_MODELS_ENV, str(pins))
    with pytest.raises(UnsafeModel, match="not in the trusted-models list"):
        load_model_dir(shipped)
    pins.write_text(_pins(shipped))
    check_model_folder(shipped)


def test_reading_a_model_file_reserves_only_its_size(tmp_path: Path) -> None:
    """A 4 KB file is read with a buffer of its own size, not one of the 1 GiB limit."""
    import tracemalloc

    path = tmp_path / "weights.bin"
    path.write_bytes(os.urandom(4096))
    tracemalloc.start()
    try:
        data = store.read_model_file(path)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert data == path.read_bytes()
    assert peak < 1 << 20
