"""The annotated corpus conforms to the guidelines' format and its split holds."""

import json
from collections import Counter
from pathlib import Path

import pytest

from nlp.records.corpus import read_gold, validate_gold_note

ANN = Path(__file__).resolve().parents[2] / "annotations"
SPLITS = ("train", "dev", "test")


@pytest.mark.parametrize("split", SPLITS)
def test_every_note_validates(split):
    lines = (ANN / f"{split}.jsonl").read_text(encoding="utf-8").splitlines()
    problems = [
        p for i, line in enumerate(lines, 1) for p in validate_gold_note(json.loads(line), i)
    ]
    assert problems == []


def test_no_service_in_two_splits():
    services = {s: {g.note.service for g in read_gold(ANN / f"{s}.jsonl")} for s in SPLITS}
    assert not services["train"] & services["dev"]
    assert not services["train"] & services["test"]
    assert not services["dev"] & services["test"]


def test_sizes_required_by_the_corpus_issue():
    gold = [g for s in SPLITS for g in read_gold(ANN / f"{s}.jsonl")]
    sentences = [s for g in gold for s in g.sentences]
    assert len(gold) >= 1200 and len(sentences) >= 6000
    for label in ("doing_for", "restriction", "missing_rationale"):
        assert sum(getattr(s, label) for s in sentences) >= 500, label
    types = Counter(s.restriction_type for s in sentences if s.restriction)
    assert len(types) == 10


def test_validator_catches_bad_notes():
    good = {
        "note_id": "N",
        "person_id": "P",
        "text": "Kitchen locked. Fine.",
        "sentences": [
            {"start": 0, "end": 15, "restriction": 1, "restriction_type": "environmental"},
            {"start": 16, "end": 21},
        ],
    }
    assert validate_gold_note(good) == []
    gap = {**good, "sentences": good["sentences"][:1]}
    assert any("not covered" in p for p in validate_gold_note(gap))
    bad_type = {
        **good,
        "sentences": [
            {"start": 0, "end": 15, "restriction": 1, "restriction_type": "cupboard"},
            good["sentences"][1],
        ],
    }
    assert any("restriction_type" in p for p in validate_gold_note(bad_type))
    outside = {**good, "sentences": [{"start": 0, "end": 99}]}
    assert any("outside text" in p for p in validate_gold_note(outside))


def test_registers_exist_for_each_split():
    for split in SPLITS:
        header = (ANN / f"{split}_register.csv").read_text().splitlines()[0]
        assert (
            header == "person_id,restriction,restriction_type,authorised_by,start_date,review_date"
        )
