"""Every flag of an audit records the version (weights hash) of the model that produced it."""

from __future__ import annotations

import csv
import json
from types import SimpleNamespace

import pytest

from nlp.audit.run import AuditRequest, run_audit
from nlp.prediction.registry import load_sentence_model
from nlp.prediction.version import model_version
from nlp.schema import FLAG_COLUMNS


@pytest.fixture(scope="module")
def hybrid():
    return load_sentence_model("hybrid")


def test_model_version_is_the_kind_and_short_weights_hash(hybrid):
    (digest,) = hybrid.meta["files"].values() if len(hybrid.meta["files"]) == 1 else [None]
    version = model_version(hybrid)
    assert version.startswith("hybrid@") and len(version) == len("hybrid@") + 12
    if digest:
        assert version == f"hybrid@{digest[:12]}"
    two = SimpleNamespace(name="sklearn", meta={"files": {"a": "1" * 64, "b": "2" * 64}})
    other = SimpleNamespace(name="sklearn", meta={"files": {"a": "1" * 64, "b": "3" * 64}})
    assert model_version(two) != model_version(other)  # any weight file changes it
    assert model_version(SimpleNamespace(name="rules")) == "rules"


def test_audit_writes_the_model_version_on_every_flag(tmp_path, hybrid, monkeypatch):
    import nlp.prediction.registry as registry

    monkeypatch.setattr(registry, "load_sentence_model", lambda name: hybrid)
    records = tmp_path / "notes.csv"
    records.write_text(
        "note_id,person_id,date,text\n"
        "N1,P1,2026-01-05,Staff washed and dressed Mary. Kitchen locked after 9pm.\n"
        "N2,P2,2026-01-06,PRN lorazepam given. Trip to town cancelled.\n",
        encoding="utf-8",
    )
    out = tmp_path / "out"
    summary = run_audit(AuditRequest(records=records, out_dir=out, model="hybrid"))
    version = model_version(hybrid)
    assert summary["run"]["model_version"] == version
    assert "model_version" in FLAG_COLUMNS
    rows = list(csv.DictReader((out / "flags.csv").open(encoding="utf-8-sig")))
    assert rows and {r["model_version"] for r in rows} == {version}
    flags = [json.loads(line) for line in (out / "flags.jsonl").read_text().splitlines()]
    assert {f["model_version"] for f in flags} == {version}
