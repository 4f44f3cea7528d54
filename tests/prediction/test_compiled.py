"""The array-format model: predicts what scikit-learn predicts, loads safely, and lets the
audit skip parses that cannot change a flag."""

from __future__ import annotations

import io
import json
import os
import shutil
import zipfile
from pathlib import Path

import numpy as np
import pytest

from nlp.audit.auditor import Auditor
from nlp.prediction.array_store import VOCAB, WEIGHTS
from nlp.prediction.compiled import CompiledClassifier, TfidfBlock, export_state
from nlp.prediction.datasets import build_dataset
from nlp.prediction.registry import load_sentence_model
from nlp.prediction.sklearn_models import SklearnModel
from nlp.prediction.store import UnsafeModel
from nlp.prediction.text_classifier import SklearnSentenceClassifier
from nlp.records.corpus import read_gold
from nlp.records.exports import read_notes

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def small(analyzer):
    """A hybrid fitted on a slice of the training corpus, and dev records to score."""
    train = build_dataset(read_gold(ROOT / "annotations/train.jsonl")[:70], analyzer)
    dev = build_dataset(read_gold(ROOT / "annotations/dev.jsonl")[:20], analyzer)
    clf = SklearnSentenceClassifier(stack=True).fit(train.records, train.y, train.types)
    return clf, train, dev


def test_compiled_predicts_what_scikit_learn_predicts(small):
    clf, _, dev = small
    compiled = CompiledClassifier(clf.get_params(), *export_state(clf))
    probs, types = compiled.predict_with_types(dev.records)
    ref_probs, ref_types = clf.predict_with_types(dev.records)
    assert np.allclose(probs, ref_probs, rtol=0, atol=1e-12)
    assert types == list(ref_types)


@pytest.mark.parametrize("analyzer_kind", ["word", "char_wb"])
def test_tfidf_block_matches_the_vectorizer(small, analyzer_kind):
    clf, _, dev = small
    vec = clf.word_ if analyzer_kind == "word" else clf.char_
    config, vocab, arrays = export_state(clf)
    name = "word" if analyzer_kind == "word" else "char"
    settings = config["text_features"][name]
    block = TfidfBlock.from_config(settings, vocab[name], arrays[f"{name}_idf"])
    texts = [r.text for r in dev.records] + ["", "  Ünïcode  -- a/b  x:y  "]
    rows, cols, values = block.transform(texts)
    dense = np.zeros((len(texts), block.size))
    dense[rows, cols] = values
    assert np.array_equal(dense, vec.transform(texts).toarray())


def test_arrays_round_trip(small, tmp_path):
    clf, _, dev = small
    heads = ("doing_for", "restriction", "unauthorised", "missing_rationale")
    model = SklearnModel(clf, dict.fromkeys(heads, 0.5), name="hybrid")
    model.save(tmp_path / "m")
    assert {p.name for p in (tmp_path / "m").iterdir()} == {"model.json", VOCAB, WEIGHTS}
    again = load_sentence_model(str(tmp_path / "m"))
    assert np.array_equal(
        again.clf.predict_proba(dev.records), model.compiled.predict_proba(dev.records)
    )


def test_parse_gain_bound_is_the_most_the_parse_adds(small):
    clf, train, _ = small
    compiled = CompiledClassifier(clf.get_params(), *export_state(clf))
    p1 = compiled.stage1(train.records).p1
    added = compiled.stage2_logits(train.records, p1) - compiled.stage2_logits(
        train.records, p1, known_only=True
    )
    everything = compiled.parse_gain_bound(None)
    assert (added <= everything + 1e-9).all()
    assert (compiled.parse_gain_bound(frozenset()) == 0).all()
    # alone, a dropped match needs its reason's trigger too: never a looser bound
    restriction = frozenset({"restriction", "restriction=routine_rule"})
    alone = compiled.parse_gain_bound(restriction, solo=True)
    assert (alone <= compiled.parse_gain_bound(restriction) + 1e-12).all()
    negated = restriction | {"context=NEGATED"}
    assert (compiled.parse_gain_bound(negated, solo=True) >= alone).all()


def _copy(tmp_path: Path) -> Path:
    return Path(shutil.copytree(ROOT / "models" / "hybrid", tmp_path / "hybrid"))


def _rehash(folder: Path, name: str) -> None:
    import hashlib

    meta = json.loads((folder / "model.json").read_text())
    meta["files"][name] = hashlib.sha256((folder / name).read_bytes()).hexdigest()
    (folder / "model.json").write_text(json.dumps(meta))


@pytest.mark.parametrize("name", [VOCAB, WEIGHTS])
def test_a_changed_file_is_refused(tmp_path, name):
    folder = _copy(tmp_path)
    data = bytearray((folder / name).read_bytes())
    data[len(data) // 2] ^= 0x01
    (folder / name).write_bytes(bytes(data))
    with pytest.raises(UnsafeModel, match="checksum"):
        load_sentence_model(str(folder))


def _npz(folder: Path, **extra) -> None:
    with np.load(folder / WEIGHTS) as npz:
        arrays = {k: npz[k] for k in npz.files}
    arrays.update(extra)
    buf = io.BytesIO()
    np.savez(buf, **arrays)  # object arrays are pickled into the archive
    (folder / WEIGHTS).write_bytes(buf.getvalue())
    _rehash(folder, WEIGHTS)


class Foreign:
    """A type no careaudit model may contain."""


def test_a_foreign_type_is_refused_even_with_a_matching_checksum(tmp_path):
    folder = _copy(tmp_path)
    _npz(folder, heads_intercept=np.array([Foreign()], dtype=object))
    with pytest.raises(UnsafeModel, match="not a plain numeric array"):
        load_sentence_model(str(folder))


def test_an_unexpected_array_is_refused(tmp_path):
    folder = _copy(tmp_path)
    _npz(folder, payload=np.zeros(3))
    with pytest.raises(UnsafeModel, match="unexpected arrays"):
        load_sentence_model(str(folder))


def test_vocab_of_the_wrong_shape_is_refused(tmp_path):
    folder = _copy(tmp_path)
    (folder / VOCAB).write_text(json.dumps({"word": [1, 2, 3]}))
    _rehash(folder, VOCAB)
    with pytest.raises(UnsafeModel, match="not a list of strings"):
        load_sentence_model(str(folder))


def test_a_weights_file_that_is_not_a_regular_file_is_refused(tmp_path):
    folder = _copy(tmp_path)
    (folder / WEIGHTS).unlink()
    os.symlink("/dev/zero", folder / WEIGHTS)
    with pytest.raises(UnsafeModel, match="not a regular file"):
        load_sentence_model(str(folder))


def test_a_zip_bomb_is_refused(tmp_path, monkeypatch):
    import nlp.prediction.array_store as array_store

    folder = _copy(tmp_path)
    with zipfile.ZipFile(folder / WEIGHTS) as archive:
        unpacked = sum(m.file_size for m in archive.infolist())
    monkeypatch.setattr(array_store, "MAX_UNPACKED_BYTES", unpacked - 1)
    with pytest.raises(UnsafeModel, match="unpacks to too much"):
        load_sentence_model(str(folder))


def test_selective_parse_gives_the_same_flags(analyzer):
    model = load_sentence_model("hybrid")
    notes = read_notes(ROOT / "examples" / "sample_notes.csv").notes
    every = Auditor(model, analyzer=analyzer, selective_parse=False).run(notes)
    gated = Auditor(model, analyzer=analyzer).run(notes)
    assert [f.to_dict() for f in gated.flags] == [f.to_dict() for f in every.flags]
    assert [r.to_dict() for r in gated.restrictions] == [r.to_dict() for r in every.restrictions]
    assert gated.parsed_sentences < every.parsed_sentences
