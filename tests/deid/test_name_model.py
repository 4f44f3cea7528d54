"""The learned name decision (models/deid/): safe loading, and the issue's must-haves with it."""

from __future__ import annotations

import hashlib
import io
import json
import re
import shutil
from pathlib import Path

import numpy as np
import pytest

from nlp.deid import Pseudonymiser, name_model
from nlp.deid.analyzer import DeidAnalyzer
from nlp.prediction.store import TRUSTED_MODELS_ENV, UnsafeModel

SHIPPED = name_model.DEFAULT_DIR


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    copy = tmp_path / "deid"
    shutil.copytree(SHIPPED, copy)
    return copy


def _rehash(folder: Path, name: str) -> None:
    """Make model.json agree with a changed file (an attacker who edits both)."""
    meta = json.loads((folder / "model.json").read_text())
    meta["files"][name] = hashlib.sha256((folder / name).read_bytes()).hexdigest()
    (folder / "model.json").write_text(json.dumps(meta))


def test_shipped_model_loads_and_is_used(deid_analyzer: DeidAnalyzer) -> None:
    model = name_model.load(SHIPPED)
    assert model.coef.shape == (len(model.index),) and 0 < model.drop < model.add < 1
    assert deid_analyzer.names.model is not None
    meta = json.loads((SHIPPED / "model.json").read_text())
    assert meta["kind"] == name_model.KIND and "command" in meta
    assert (SHIPPED / "README.md").exists()


@pytest.mark.parametrize("name", [name_model.WEIGHTS, name_model.VOCAB])
def test_a_tampered_file_is_refused(folder: Path, name: str) -> None:
    data = bytearray((folder / name).read_bytes())
    data[len(data) // 2] ^= 0x01
    (folder / name).write_bytes(bytes(data))
    with pytest.raises(UnsafeModel, match="checksum"):
        name_model.load(folder)


class _Touch:
    """Unpickling this creates a file: proof that a loader ran pickle."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def __reduce__(self):  # type: ignore[no-untyped-def]
        return (Path.touch, (self.path,))


def test_an_archive_that_needs_pickle_is_refused_without_unpickling(
    folder: Path, tmp_path: Path
) -> None:
    marker = tmp_path / "unpickled"
    buffer = io.BytesIO()
    payload = np.array([_Touch(marker)], dtype=object)
    np.savez(buffer, coef=payload, intercept=np.zeros(1))
    (folder / name_model.WEIGHTS).write_bytes(buffer.getvalue())
    _rehash(folder, name_model.WEIGHTS)
    with pytest.raises(UnsafeModel):
        name_model.load(folder)
    assert not marker.exists()  # refused before anything was unpickled


def test_unexpected_arrays_and_wrong_shapes_are_refused(folder: Path) -> None:
    buffer = io.BytesIO()
    np.savez(buffer, coef=np.zeros(3), intercept=np.zeros(1), extra=np.zeros(1))
    (folder / name_model.WEIGHTS).write_bytes(buffer.getvalue())
    _rehash(folder, name_model.WEIGHTS)
    with pytest.raises(UnsafeModel, match=r"unexpected members|holds"):
        name_model.load(folder)
    buffer = io.BytesIO()
    np.savez(buffer, coef=np.zeros(3), intercept=np.zeros(1))
    (folder / name_model.WEIGHTS).write_bytes(buffer.getvalue())
    _rehash(folder, name_model.WEIGHTS)
    with pytest.raises(UnsafeModel, match="do not match"):
        name_model.load(folder)


def _write_weights(folder: Path, coef: np.ndarray, intercept: np.ndarray) -> None:
    buffer = io.BytesIO()
    np.savez(buffer, coef=coef, intercept=intercept)
    (folder / name_model.WEIGHTS).write_bytes(buffer.getvalue())
    _rehash(folder, name_model.WEIGHTS)


@pytest.mark.parametrize("bad", [-np.inf, np.nan, 1e6])
def test_weights_that_would_switch_name_removal_off_are_refused(folder: Path, bad: float) -> None:
    """A checksum matching an edited file is easy to make; the values are checked too:
    one weight of -inf on the bias would drop every name the rules found."""
    model = name_model.load(folder)
    coef = model.coef.astype(np.float32).copy()
    coef[0] = bad
    _write_weights(folder, coef, np.array([model.intercept], dtype=np.float32))
    with pytest.raises(UnsafeModel, match="not finite or beyond"):
        name_model.load(folder)


def test_an_empty_intercept_is_refused_not_a_traceback(folder: Path) -> None:
    model = name_model.load(folder)
    _write_weights(folder, model.coef.astype(np.float32), np.zeros(0, dtype=np.float32))
    with pytest.raises(UnsafeModel, match="do not match"):
        name_model.load(folder)


def test_pinned_hashes_guard_the_name_model(
    folder: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    pins = tmp_path / "pins.txt"
    listed = [p for p in folder.iterdir() if p.name != "README.md"]
    digests = [f"{hashlib.sha256(p.read_bytes()).hexdigest()}  {p.name}\n" for p in listed]
    pins.write_text("".join(digests))
    monkeypatch.setenv(TRUSTED_MODELS_ENV, str(pins))
    name_model.load(folder)
    pins.write_text(pins.read_text().splitlines()[0] + "\n")
    with pytest.raises(UnsafeModel, match="trusted-models"):
        name_model.load(folder)


# -- the must-haves, decided by the learned model ---------------------------------
def _words(text: str) -> set[str]:
    return set(re.findall(r"[^\W\d_]+", text))


@pytest.mark.parametrize(
    "text",
    [
        "Calm. Went to Spar for milk, then the Wifi was down.",
        "Calm and settled all day. Spar shut early so went to Tesco. Wifi fixed.",
    ],
)
def test_common_words_that_are_names_survive(deid_analyzer: DeidAnalyzer, text: str) -> None:
    assert deid_analyzer.names.model is not None
    p = Pseudonymiser(deid_analyzer, seed=3)
    p.learn([text])
    assert p.pseudonymise(text).text == text


def test_a_lower_case_name_recurring_in_a_note_is_replaced_everywhere(
    deid_analyzer: DeidAnalyzer,
) -> None:
    text = (
        "Supported Tariq Mahmood with breakfast. later tariq went to the garden. "
        "tariq had a good day, TARIQ laughing at tea."
    )
    p = Pseudonymiser(deid_analyzer, seed=5)
    p.learn([text])
    out = p.pseudonymise(text).text
    assert not {"Tariq", "tariq", "TARIQ", "Mahmood"} & _words(out), out


def test_pseudonyms_keep_gender_and_kind(deid_analyzer: DeidAnalyzer) -> None:
    p = Pseudonymiser(deid_analyzer, seed=1)
    out = p.pseudonymise("Mrs Adaeze Okoro visited from Harrogate and she brought flowers.").text
    female = {n for n, g in p.lex.pseudo_first if g == "f"}
    assert out.split()[1] in female, out
    assert "from Harrogate" in out, out  # towns are no PII (annotations/pii/README.md)


@pytest.mark.parametrize(
    "sentence",
    ["kobina had tea", "Spoke with kobina about it", "KOBINA REFUSED MEDS",
     "asked if kobina wanted a bath", "Kobina.", "bought Kobina crisps", "nowak's tea"],
)
def test_a_name_the_caller_supplies_is_replaced_whatever_the_model_says(
    deid_analyzer: DeidAnalyzer, sentence: str
) -> None:
    """Names given by the caller (a column, --also-name) or found earlier in the batch
    are protected from the learned decision: a name found once is a name everywhere."""
    assert deid_analyzer.names.model is not None
    out = Pseudonymiser(deid_analyzer, seed=1, extra_names=["Kobina Nowak"]).pseudonymise(sentence)
    assert "kobina" not in out.text.lower() and "nowak" not in out.text.lower(), out.text


def test_feature_status_names_follow_the_name_finders_order() -> None:
    from nlp.deid import features, names

    order = (names.NONE, names.SUR_AFTER, names.SUR, names.NAME, names.STRONG, names.PLACE)
    assert order == tuple(range(len(features.STATUS_NAMES)))
    assert features.STATUS_NAMES[names.NAME] == "name" and features.NAME_MIN == names.NAME


def test_training_refuses_held_out_sets() -> None:
    import sys

    scripts = Path(__file__).resolve().parents[2] / "scripts"
    sys.path.insert(0, str(scripts))
    try:
        import train_deid
    finally:
        sys.path.remove(str(scripts))
    with pytest.raises(SystemExit) as stopped:
        train_deid.main(["--sets", "dev", "holdout3", "--loso-only"])
    assert stopped.value.code == 2


def _cli_with_name_model(folder: Path, args: list[str], monkeypatch: pytest.MonkeyPatch) -> str:
    """Run ``careaudit ARGS`` with ``folder`` as the name model; the output, one line."""
    from typer.testing import CliRunner

    from cli.main import app
    from nlp.deid import shared_analyzer

    monkeypatch.setattr(name_model, "DEFAULT_DIR", folder)
    shared_analyzer.cache_clear()
    try:
        result = CliRunner().invoke(app, args)
    finally:
        shared_analyzer.cache_clear()
    output = " ".join(result.output.split())
    assert "Traceback" not in output
    return f"exit {result.exit_code}: {output}"


def _notes_file(tmp_path: Path) -> Path:
    src = tmp_path / "notes.jsonl"
    row = {"note_id": "N-1", "person_id": "P-1", "date": "2026-03-01", "text": "Mary was calm."}
    src.write_text(json.dumps(row) + "\n")
    return src


def test_deidentify_refuses_a_tampered_name_model(
    folder: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    weights = folder / name_model.WEIGHTS
    weights.write_bytes(weights.read_bytes() + b"\0")
    out = tmp_path / "o.jsonl"
    args = ["deidentify", str(_notes_file(tmp_path)), "--out", str(out), "--no-progress"]
    said = _cli_with_name_model(folder, args, monkeypatch)
    assert said.startswith("exit 2:") and "checksum" in said
    assert not out.exists()


def test_export_teaching_refuses_a_tampered_name_model(
    folder: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The trainer's export says what is wrong in one line, and writes nothing."""
    weights = folder / name_model.WEIGHTS
    weights.write_bytes(weights.read_bytes() + b"\0")
    out = tmp_path / "teaching.jsonl"
    args = ["export", "teaching", str(out), "--db", f"sqlite:///{tmp_path / 'review.db'}"]
    said = _cli_with_name_model(folder, args, monkeypatch)
    assert said.startswith("exit 1:") and "checksum" in said
    assert not out.exists()


def test_deidentify_without_the_name_model_says_so(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """No silent fall-back to the rules alone (they leak more names): a one-line error."""
    out = tmp_path / "o.jsonl"
    args = ["deidentify", str(_notes_file(tmp_path)), "--out", str(out), "--no-progress"]
    said = _cli_with_name_model(tmp_path / "absent", args, monkeypatch)
    assert not said.startswith("exit 0:") and "name decision is missing" in said
    assert not out.exists()
