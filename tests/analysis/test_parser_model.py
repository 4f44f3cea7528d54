"""The distilled tagger/parser under models/parser/: the switch, and its SHA-256 checks."""

from __future__ import annotations

import json
import shutil

import pytest

from nlp.analysis import english
from nlp.prediction.store import TRUSTED_MODELS_ENV, UnsafeModel
from tests.tampering import flip_a_byte

BUNDLED = sorted(q.parent.name for q in english.PARSER_MODELS_DIR.glob("*/model.json"))
needs_model = pytest.mark.skipif(not BUNDLED, reason="no parser model under models/parser/")


@pytest.fixture
def model_copy(tmp_path, monkeypatch):
    monkeypatch.setenv(TRUSTED_MODELS_ENV, "")
    folder = tmp_path / "parser"
    shutil.copytree(english.PARSER_MODELS_DIR / BUNDLED[0], folder)
    return folder


def test_choice_argument_then_environment_then_default(monkeypatch):
    monkeypatch.delenv(english.PARSER_ENV, raising=False)
    assert english.parser_choice() == english.DEFAULT_PARSER
    monkeypatch.setenv(english.PARSER_ENV, "elsewhere")
    assert english.parser_choice() == "elsewhere"
    assert english.parser_choice("sm") == "sm"


@needs_model
def test_bundled_model_loads_and_tags_parses_lemmatises(model_copy):
    nlp = english.load_parser_model(model_copy)
    assert {"tok2vec", "tagger", "parser", "attribute_ruler", "lemmatizer"} <= set(nlp.pipe_names)
    doc = nlp("Staff washed and dressed Mary before breakfast.")
    washed = doc[1]
    assert washed.tag_ == "VBD" and washed.pos_ == "VERB" and washed.lemma_ == "wash"
    assert doc[0].dep_ == "nsubj" and doc[0].head.i == washed.i


@needs_model
def test_tampered_file_is_refused(model_copy):
    flip_a_byte(model_copy / "parser" / "model")
    with pytest.raises(UnsafeModel, match="SHA-256 differs"):
        english.load_parser_model(model_copy)


@needs_model
def test_unlisted_or_missing_file_is_refused(model_copy):
    (model_copy / "parser" / "extra.bin").write_bytes(b"x")
    with pytest.raises(UnsafeModel, match=r"not in model\.json"):
        english.load_parser_model(model_copy)
    (model_copy / "parser" / "extra.bin").unlink()
    (model_copy / "tagger" / "model").unlink()
    with pytest.raises(UnsafeModel, match="missing"):
        english.load_parser_model(model_copy)


@needs_model
def test_other_model_kind_is_refused(model_copy):
    meta = json.loads((model_copy / "model.json").read_text())
    meta["kind"] = "hybrid"
    (model_copy / "model.json").write_text(json.dumps(meta))
    with pytest.raises(UnsafeModel, match="not a spacy_parser model"):
        english.load_parser_model(model_copy)


@needs_model
def test_trusted_list_applies(model_copy, tmp_path, monkeypatch):
    pins = tmp_path / "pins.txt"
    pins.write_text("0" * 64 + "\n")
    monkeypatch.setenv(TRUSTED_MODELS_ENV, str(pins))
    with pytest.raises(UnsafeModel, match="trusted-models list"):
        english.load_parser_model(model_copy)


@needs_model
def test_bundled_models_carry_no_words_of_their_training_notes():
    """Training adds every word of the training notes (names too) to the string table;
    packaging keeps only the teacher's strings (scripts/parser/package.py)."""
    teacher = set(english.load_english().vocab.strings)
    for name in BUNDLED:
        path = english.PARSER_MODELS_DIR / name / "vocab" / "strings.json"
        extra = set(json.loads(path.read_text(encoding="utf-8"))) - teacher
        assert not extra, f"{name}: {len(extra)} strings not in the teacher's vocabulary"


def test_packaging_refuses_a_target_outside_models_parser(tmp_path):
    import sys

    sys.path.insert(0, str(english.PARSER_MODELS_DIR.parents[1] / "scripts" / "parser"))
    try:
        from package import checked_target
    finally:
        sys.path.pop(0)
    with pytest.raises(SystemExit, match="directly under"):
        checked_target(english.PARSER_MODELS_DIR.parent)  # "models" itself
    with pytest.raises(SystemExit, match="directly under"):
        checked_target(tmp_path / "w64")
    other = english.PARSER_MODELS_DIR / BUNDLED[0] if BUNDLED else None
    if other is not None:
        assert checked_target(other) == other.resolve()
