"""Trained models: save/load gives identical predictions; tampered or untrusted files are
refused; evaluate runs on any gold file; the transformer path trains on a small slice."""

import json
import shutil
from pathlib import Path

import numpy as np
import pytest
import skops.io as sio
from typer.testing import CliRunner

from cli.main import app
from nlp.analysis.analyzer import Analyzer
from nlp.prediction.features import note_records
from nlp.prediction.registry import ModelNotFound, load_sentence_model
from nlp.prediction.store import UnsafeModel, sha256_file
from tests.tampering import flip_a_byte

ROOT = Path(__file__).resolve().parents[2]
TEXTS = [
    "Staff washed and dressed Mary. Kitchen locked after 9pm. She chose porridge.",
    "PRN lorazepam given. Trip to town cancelled due to staff shortage.",
]


class NotAllowed:
    """A type no careaudit model may contain."""


@pytest.fixture(scope="module")
def records():
    analyzer = Analyzer()
    return [r for t in TEXTS for r in note_records(analyzer.analyse_one(t))]


@pytest.mark.parametrize("name", ["hybrid", "sklearn"])
def test_shipped_model_round_trips(tmp_path, records, name):
    model = load_sentence_model(name)
    before = model.clf.predict_proba(records)
    model.save(tmp_path / name)
    again = load_sentence_model(str(tmp_path / name))
    assert np.array_equal(before, again.clf.predict_proba(records))
    assert again.thresholds == model.thresholds


def test_tampered_weights_are_refused(tmp_path):
    folder = Path(shutil.copytree(ROOT / "models" / "hybrid", tmp_path / "hybrid"))
    flip_a_byte(folder / "weights.npz")
    with pytest.raises(UnsafeModel, match="checksum"):
        load_sentence_model(str(folder))


def test_untrusted_type_is_refused_even_with_a_matching_checksum(tmp_path):
    """A model folder in the earlier skops format (still loadable) with a foreign type."""
    folder = Path(shutil.copytree(ROOT / "models" / "sklearn", tmp_path / "m"))
    sio.dump({"heads": NotAllowed()}, folder / "model.skops")
    meta = json.loads((folder / "model.json").read_text())
    for key in ("format", "text_features"):
        meta.pop(key)
    meta["files"] = {"model.skops": sha256_file(folder / "model.skops")}
    (folder / "model.json").write_text(json.dumps(meta))
    with pytest.raises(UnsafeModel, match="untrusted types"):
        load_sentence_model(str(folder))


def test_missing_model_folder_says_how_to_train(tmp_path):
    with pytest.raises(ModelNotFound, match="careaudit train"):
        load_sentence_model("hybrid", models_dir=tmp_path)


def test_evaluate_accepts_any_gold_file_and_prints_json(tmp_path):
    gold = tmp_path / "mine.jsonl"
    text = "Staff washed and dressed Mary. Kitchen locked after 9pm."
    gold.write_text(
        json.dumps(
            {
                "note_id": "X1",
                "person_id": "P-9",
                "date": "2026-01-05",
                "text": text,
                "sentences": [
                    {"start": 0, "end": 30, "doing_for": 1},
                    {
                        "start": 31,
                        "end": 56,
                        "restriction": 1,
                        "restriction_type": "environmental",
                        "missing_rationale": 1,
                    },
                ],
            }
        )
        + "\n"
    )
    result = CliRunner().invoke(app, ["evaluate", str(gold), "--model", "rules", "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert data["flags"]["doing_for"]["tp"] == 1
    assert data["flags"]["unrecorded_restriction"]["recall"] == 1.0
    assert data["restriction_type_recall"]["environmental"]["recall"] == 1.0


def test_evaluate_rejects_malformed_gold(tmp_path):
    gold = tmp_path / "bad.jsonl"
    gold.write_text(
        json.dumps(
            {
                "note_id": "X",
                "person_id": "P",
                "text": "Hi there.",
                "sentences": [{"start": 0, "end": 40}],
            }
        )
        + "\n"
    )
    result = CliRunner().invoke(app, ["evaluate", str(gold), "--model", "rules"])
    assert result.exit_code == 2 and "outside text" in result.output


def test_keyword_baseline_runs(tmp_path):
    model = load_sentence_model("keyword")
    preds = model.predict_notes([Analyzer().analyse_one("Staff washed him. Door locked.")])
    assert preds[0][0].positive("doing_for") and preds[0][1].positive("unauthorised")


@pytest.mark.transformer
def test_transformer_trains_on_a_slice_and_round_trips(tmp_path, records):
    pytest.importorskip("torch", reason="transformer extra not installed")
    from nlp.prediction.training import train

    out = tmp_path / "transformer"
    model, report = train(
        "transformer",
        ROOT / "annotations/train.jsonl",
        ROOT / "annotations/dev.jsonl",
        out,
        limit=400,
    )
    assert report["train_sentences"] >= 400 and (out / "README.md").exists()
    loaded = load_sentence_model(str(out))
    assert np.allclose(model.predict_proba(records), loaded.predict_proba(records))
    preds = loaded.predict_notes([Analyzer().analyse_one(TEXTS[0])])
    assert len(preds[0]) == 3


@pytest.mark.transformer
def test_finetuned_transformer_trains_on_a_slice_and_round_trips(tmp_path, records):
    pytest.importorskip("torch", reason="transformer extra not installed")
    from nlp.prediction.training import train

    out = tmp_path / "ft"
    model, _ = train("transformer-ft", ROOT / "annotations/train.jsonl", None, out, limit=64)
    assert (out / "encoder" / "model.safetensors").exists()
    assert (out / "heads.safetensors").exists() and (out / "README.md").exists()
    loaded = load_sentence_model(str(out))
    assert np.allclose(model.predict_proba(records), loaded.predict_proba(records), atol=1e-5)
    assert len(loaded.predict_notes([Analyzer().analyse_one(TEXTS[1])])[0]) == 2
