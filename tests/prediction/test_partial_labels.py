"""Training with unknown labels: each head learns from its known labels only, and
reviewed sentences can weigh more. Synthetic sentence records, no spaCy: seconds."""

from __future__ import annotations

import numpy as np
import pytest

from nlp.prediction.datasets import UNKNOWN, Dataset, concat_datasets
from nlp.prediction.features import SentenceRecord
from nlp.prediction.text_classifier import SklearnSentenceClassifier
from nlp.prediction.training import fit_model, strong_reason_rate

POS = [f"the kitchen was locked again at {h} pm" for h in range(8, 12)]
NEG = [f"we went for a walk in the park at {h} pm" for h in range(8, 12)]


def _records(texts: list[str], prefix: str) -> list[SentenceRecord]:
    return [SentenceRecord(t, "", "", {}, group=f"{prefix}{i}") for i, t in enumerate(texts)]


def _data(n: int = 12) -> tuple[list[SentenceRecord], np.ndarray]:
    records = _records(POS * n, "p") + _records(NEG * n, "n")
    y = np.array([[1, 1, 1, 1]] * (4 * n) + [[0, 0, 0, 0]] * (4 * n))
    return records, y


def test_unknown_labels_are_left_out_not_read_as_zero():
    records, y = _data()
    # many more kitchen sentences nobody reviewed: if null were 0 they would outvote the 1s
    unknown = _records(POS * 40, "u")
    y_all = np.vstack([y, np.full((len(unknown), 4), UNKNOWN)])
    clf = SklearnSentenceClassifier(stack=False, calibrate=False)
    clf.fit(records + unknown, y_all)
    probe = _records(["the kitchen was locked again at 9 pm"], "q")
    assert clf.predict_proba(probe)[0, 0] > 0.5
    as_zero = SklearnSentenceClassifier(stack=False, calibrate=False)
    as_zero.fit(records + unknown, np.where(y_all == UNKNOWN, 0, y_all))
    assert as_zero.predict_proba(probe)[0, 0] < 0.5  # what the mask prevents


def test_each_head_uses_its_own_known_rows():
    records, y = _data()
    y = y.copy()
    y[: len(y) // 2, 3] = UNKNOWN  # missing_rationale unknown on every positive
    clf = SklearnSentenceClassifier(stack=False, calibrate=False)
    with pytest.raises(ValueError, match=r"missing_rationale.*one class"):
        clf.fit(records, y)


def test_sample_weights_change_the_fit():
    records, y = _data(4)
    # contradicting labels on the same text: the heavier side wins
    extra = _records(POS * 4, "x")
    y_extra = np.zeros((len(extra), 4), dtype=int)
    probe = _records(["the kitchen was locked again at 9 pm"], "q")
    base = Dataset([], records, y, [None] * len(records))
    probs = []
    for weight in (0.2, 5.0):
        part = Dataset([], extra, y_extra, [None] * len(extra), np.full(len(extra), weight))
        data = concat_datasets(base, part)
        clf = SklearnSentenceClassifier(stack=False, calibrate=False)
        clf.fit(data.records, data.y, data.types, data.weights)
        probs.append(clf.predict_proba(probe)[0, 0])
    assert probs[0] > 0.5 > probs[1]


def test_hybrid_fits_and_tunes_with_partial_labels():
    records, y = _data()
    for r in records:
        r.evidence = {"self:strong_reason": 1.0} if "walk" in r.text else {}
    y = y.copy()
    y[::3, 2] = UNKNOWN
    types = [("environmental", "physical")[i % 2] if t[1] == 1 else None for i, t in enumerate(y)]
    train = Dataset([], records, y, types)
    dev = Dataset([], records[::2], y[::2], [None] * len(records[::2]))
    _, metrics = fit_model("sklearn", train, dev)
    assert metrics["unauthorised"]["known"] == int((y[::2, 2] != UNKNOWN).sum())
    assert metrics["doing_for"]["f1"] == 1.0
    with pytest.raises(ValueError, match="unknown"):
        fit_model("transformer", train, dev)
    # the strong-reason rate counts known missing_rationale labels only
    y2 = y.copy()
    y2[len(y) // 2 :, 3] = UNKNOWN
    assert strong_reason_rate(Dataset([], records, y2, [])) == 0.5  # (0 + 1) / (0 + 2)
