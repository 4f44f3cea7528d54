"""Build training sets from gold corpora, fit models, tune thresholds on dev."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

import numpy as np
from sklearn.metrics import f1_score

from nlp.analysis.analyzer import Analyzer, NoteAnalysis
from nlp.prediction.features import SentenceRecord, note_records
from nlp.prediction.text_classifier import HEADS
from nlp.records.corpus import GoldNote

THRESHOLD_GRID = np.round(np.arange(0.1, 0.91, 0.025), 3)


UNKNOWN = -1  # a label nobody gave (``null`` in the gold file): masked, never a 0


@dataclass
class Dataset:
    analyses: list[NoteAnalysis]
    records: list[SentenceRecord]
    y: np.ndarray  # (n, len(HEADS)): 1, 0 or UNKNOWN
    types: list[str | None]
    weights: np.ndarray | None = None  # per sentence; None = all 1

    @property
    def known(self) -> np.ndarray:
        """(n, len(HEADS)) bool: which labels are known (train and score on these only)."""
        return self.y != UNKNOWN

    def sample_weights(self) -> np.ndarray:
        return np.ones(len(self.records)) if self.weights is None else self.weights


def _label(value: int | None) -> int:
    return UNKNOWN if value is None else int(value)


def unauthorised_target(restriction: int | None, authorised_in_text: int | None) -> int:
    """The ``unauthorised`` head: a restriction with no authority cited in the text."""
    if restriction == 0 or authorised_in_text == 1:
        return 0
    if restriction == 1 and authorised_in_text == 0:
        return 1
    return UNKNOWN


def gold_targets(g: GoldNote) -> tuple[list[list[int]], list[str | None]]:
    """Per sentence, the four head labels (UNKNOWN where the gold is null) and its type."""
    rows, types = [], []
    for s in g.sentences:
        rows.append(
            [
                _label(s.doing_for),
                _label(s.restriction),
                unauthorised_target(s.restriction, s.authorised_in_text),
                _label(s.missing_rationale),
            ]
        )
        types.append(s.restriction_type if s.restriction == 1 else None)
    return rows, types


def concat_datasets(*parts: Dataset) -> Dataset:
    """One dataset from several (records keep their note groups; weights carried)."""
    return Dataset(
        [a for d in parts for a in d.analyses],
        [r for d in parts for r in d.records],
        np.vstack([d.y.reshape(-1, len(HEADS)) for d in parts]).astype(int),
        [t for d in parts for t in d.types],
        np.concatenate([d.sample_weights() for d in parts]),
    )


def split_by_service(
    gold: list[GoldNote], dev_fraction: float = 0.2
) -> tuple[list[GoldNote], list[GoldNote]]:
    """(train, dev): whole services to one side, about ``dev_fraction`` of the services to dev.

    Deterministic (services are ordered by a hash of their name). With fewer than two
    services everything goes to train: no honest held-out measure is possible then.
    """
    services = sorted(
        {g.note.service for g in gold},
        key=lambda name: hashlib.sha256(name.encode()).hexdigest(),
    )
    if len(services) < 2 or dev_fraction <= 0:
        return list(gold), []
    n_dev = min(len(services) - 1, max(1, round(len(services) * dev_fraction)))
    dev_services = set(services[:n_dev])
    return (
        [g for g in gold if g.note.service not in dev_services],
        [g for g in gold if g.note.service in dev_services],
    )


def build_dataset(gold: list[GoldNote], analyzer: Analyzer, weight: float = 1.0) -> Dataset:
    """Analyse gold notes on their gold sentence boundaries and pair features with labels.

    ``weight`` is every sentence's sample weight (reviewed data may count more).
    """
    analyses = analyzer.analyse_segmented(
        [g.note for g in gold], [[(s.start, s.end) for s in g.sentences] for g in gold]
    )
    records: list[SentenceRecord] = []
    rows: list[list[int]] = []
    types: list[str | None] = []
    for g, analysis in zip(gold, analyses, strict=True):
        by_start = {ev.start: k for k, ev in enumerate(analysis.sentences)}
        recs = note_records(analysis)
        target_rows, target_types = gold_targets(g)
        for s, row, rtype in zip(g.sentences, target_rows, target_types, strict=True):
            lead = len(g.note.text[s.start : s.end]) - len(g.note.text[s.start : s.end].lstrip())
            k = by_start.get(s.start + lead)
            if k is None:
                continue  # whitespace-only gold sentence
            records.append(recs[k])
            rows.append(row)
            types.append(rtype)
    y = np.asarray(rows, dtype=int).reshape(-1, len(HEADS))
    return Dataset(analyses, records, y, types, np.full(len(records), float(weight)))


def tune_thresholds(probs: np.ndarray, y: np.ndarray) -> dict[str, float]:
    """Per head, the threshold on the grid with the best F1 (ties: the lower threshold).

    Unknown labels are skipped; a head with no known label keeps 0.5.
    """
    out: dict[str, float] = {}
    for j, head in enumerate(HEADS):
        known = y[:, j] != UNKNOWN
        if not known.any():
            out[head] = 0.5
            continue
        truth, p = y[known, j], probs[known, j]
        scores = [f1_score(truth, p >= t, zero_division=0) for t in THRESHOLD_GRID]
        out[head] = float(THRESHOLD_GRID[int(np.argmax(scores))])
    return out


def dev_metrics(probs: np.ndarray, y: np.ndarray, thresholds: dict[str, float]) -> dict:
    """Per head precision/recall/F1 over the known labels (``support`` = known positives)."""
    from sklearn.metrics import precision_recall_fscore_support

    out = {}
    for j, head in enumerate(HEADS):
        known = y[:, j] != UNKNOWN
        p, r, f = 0.0, 0.0, 0.0
        if known.any():
            p, r, f, _ = precision_recall_fscore_support(
                y[known, j], probs[known, j] >= thresholds[head], average="binary", zero_division=0
            )
        out[head] = {
            "precision": round(float(p), 3),
            "recall": round(float(r), 3),
            "f1": round(float(f), 3),
            "support": int((y[known, j] == 1).sum()),
            "known": int(known.sum()),
        }
    return out
