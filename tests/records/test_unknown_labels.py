"""``null`` labels mean unknown: accepted by the gold reader, masked in training, skipped in
evaluation, and never read as 0."""

from __future__ import annotations

import json

import numpy as np
import pytest

from nlp.evaluation.scoring import score
from nlp.prediction.datasets import (
    UNKNOWN,
    dev_metrics,
    gold_targets,
    split_by_service,
    tune_thresholds,
)
from nlp.records.corpus import gold_from_dicts, has_unknown_labels, read_gold, validate_gold_note
from nlp.records.exports import RecordsError
from nlp.schema import Flag

TEXT = "Kitchen locked. Staff washed him. Fine."


def _note(sentences: list[dict], **extra: object) -> dict:
    return {"note_id": "N1", "person_id": "P1", "text": TEXT, "sentences": sentences, **extra}


def _s(start: int, end: int, **labels: object) -> dict:
    base = dict.fromkeys(
        (
            "doing_for",
            "restriction",
            "restriction_type",
            "authorised_in_text",
            "in_register",
            "missing_rationale",
        )
    )
    return {"start": start, "end": end, **base, **labels}


PARTIAL = _note(
    [
        _s(
            0,
            15,
            restriction=1,
            restriction_type="environmental",
            authorised_in_text=0,
            in_register=0,
        ),
        _s(16, 33, doing_for=1),
        _s(34, 39),
    ]
)


def test_reader_keeps_null_as_unknown_and_absent_as_zero(tmp_path):
    path = tmp_path / "partial.jsonl"
    absent = _note([{"start": 0, "end": 15}, {"start": 16, "end": 33}, {"start": 34, "end": 39}])
    absent["note_id"] = "N2"
    path.write_text(json.dumps(PARTIAL) + "\n" + json.dumps(absent) + "\n")
    partial, zeros = read_gold(path)
    s0, s1, s2 = partial.sentences
    assert s0.unrecorded_restriction == 1 and s0.doing_for is None
    assert s1.doing_for == 1 and s1.restriction is None and s1.missing_rationale is None
    assert s2.doing_for is None and s2.unrecorded_restriction is None
    assert has_unknown_labels(partial)
    # the guidelines' default: a key that is not there is 0
    assert all(s.doing_for == 0 and s.unrecorded_restriction == 0 for s in zeros.sentences)
    assert not has_unknown_labels(zeros)


@pytest.mark.parametrize(
    ("sentence", "message"),
    [
        (_s(34, 39, doing_for=2), "0, 1 or null"),
        (_s(34, 39, doing_for="yes"), "0, 1 or null"),
        (_s(34, 39, in_register=1), "without restriction=1"),
        (_s(34, 39, restriction=None, restriction_type="environmental"), "without restriction=1"),
        (_s(34, 39, restriction=0, unrecorded_restriction=1), "contradicts"),
        (_s(34, 39, unrecorded_restriction=1), "needs restriction=1"),
    ],
)
def test_validator_refuses_bad_labels(sentence, message):
    note = _note([*PARTIAL["sentences"][:2], sentence])
    assert any(message in p for p in validate_gold_note(note))
    with pytest.raises(RecordsError, match="gold format"):
        gold_from_dicts([note])


def test_stated_unrecorded_restriction_when_the_fields_are_unknown():
    note = _note([*PARTIAL["sentences"][:2], _s(34, 39, unrecorded_restriction=0)])
    assert validate_gold_note(note) == []
    (gold,) = gold_from_dicts([note])
    assert gold.sentences[2].unrecorded_restriction == 0
    assert gold.sentences[2].restriction is None


def test_training_targets_mask_unknown_per_head():
    (gold,) = gold_from_dicts([PARTIAL])
    rows, types = gold_targets(gold)
    # heads: doing_for, restriction, unauthorised, missing_rationale
    assert rows[0] == [UNKNOWN, 1, 1, UNKNOWN]
    assert rows[1] == [1, UNKNOWN, UNKNOWN, UNKNOWN]
    assert rows[2] == [UNKNOWN] * 4
    assert types == ["environmental", None, None]
    authorised_elsewhere = _s(0, 15, restriction=1, restriction_type="physical", in_register=1)
    (g2,) = gold_from_dicts([_note([authorised_elsewhere, _s(16, 33), _s(34, 39, restriction=0)])])
    rows2, _ = gold_targets(g2)
    assert rows2[0][1:3] == [1, UNKNOWN]  # a restriction; whether authorised in text: unknown
    assert rows2[2][1:3] == [0, 0]  # not a restriction, so not unauthorised either


def test_thresholds_and_metrics_ignore_unknown_labels():
    probs = np.array([[0.9] * 4, [0.8] * 4, [0.2] * 4, [0.85] * 4])
    y = np.array([[1] * 4, [1] * 4, [0] * 4, [UNKNOWN] * 4])
    metrics = dev_metrics(
        probs,
        y,
        dict.fromkeys(["doing_for", "restriction", "unauthorised", "missing_rationale"], 0.5),
    )
    # read as 0, the unknown row would be a false positive (precision 0.667)
    assert metrics["doing_for"]["precision"] == 1.0
    assert metrics["doing_for"]["known"] == 3 and metrics["doing_for"]["support"] == 2
    assert tune_thresholds(probs, np.full_like(y, UNKNOWN))["doing_for"] == 0.5


def test_evaluation_skips_unknown_cells():
    (gold,) = gold_from_dicts([PARTIAL])
    flags = [
        Flag("F1", "N1", "P1", "", "", "", "daily_note", cat, lo, hi, TEXT[lo:hi], lo, hi)
        for cat, lo, hi in (
            ("doing_for", 16, 33),
            ("doing_for", 34, 39),  # unknown gold: neither a TP nor an FP
            ("missing_rationale", 0, 15),  # unknown gold
        )
    ]
    ev = score([gold], flags)
    df = ev.scores["doing_for"]
    assert (df.tp, df.fp, df.fn, df.tn, df.unknown) == (1, 0, 0, 0, 2)
    mr = ev.scores["missing_rationale"]
    assert (mr.tp, mr.fp, mr.unknown) == (0, 0, 3)
    ur = ev.scores["unrecorded_restriction"]
    assert (ur.fn, ur.unknown) == (1, 2)


def test_split_by_service_keeps_services_whole():
    notes = []
    for i in range(10):
        rec = _note(PARTIAL["sentences"], service=f"Service {i % 5}")
        rec["note_id"] = f"N{i}"
        notes.append(rec)
    train, dev = split_by_service(gold_from_dicts(notes), 0.2)
    assert len(dev) == 2 and len(train) == 8
    assert not {g.note.service for g in train} & {g.note.service for g in dev}
    assert split_by_service(gold_from_dicts(notes[:1]), 0.5)[1] == []
