"""Build training sets from gold corpora, fit models, tune thresholds on dev."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from sklearn.metrics import f1_score

from nlp.analysis.analyzer import Analyzer, NoteAnalysis
from nlp.prediction.features import SentenceRecord, note_records
from nlp.prediction.text_classifier import HEADS
from nlp.records.corpus import GoldNote

THRESHOLD_GRID = np.round(np.arange(0.1, 0.91, 0.025), 3)


@dataclass
class Dataset:
    analyses: list[NoteAnalysis]
    records: list[SentenceRecord]
    y: np.ndarray  # (n, len(HEADS))
    types: list[str | None]


def gold_targets(g: GoldNote) -> tuple[list[list[int]], list[str | None]]:
    rows, types = [], []
    for s in g.sentences:
        unauth = int(s.restriction == 1 and s.authorised_in_text == 0)
        rows.append([s.doing_for, s.restriction, unauth, s.missing_rationale])
        types.append(s.restriction_type if s.restriction else None)
    return rows, types


def build_dataset(gold: list[GoldNote], analyzer: Analyzer) -> Dataset:
    """Analyse gold notes on their gold sentence boundaries and pair features with labels."""
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
    return Dataset(analyses, records, np.asarray(rows, dtype=int), types)


def tune_thresholds(probs: np.ndarray, y: np.ndarray) -> dict[str, float]:
    """Per head, the threshold on the grid with the best F1 (ties: the lower threshold)."""
    out: dict[str, float] = {}
    for j, head in enumerate(HEADS):
        scores = [f1_score(y[:, j], probs[:, j] >= t, zero_division=0) for t in THRESHOLD_GRID]
        out[head] = float(THRESHOLD_GRID[int(np.argmax(scores))])
    return out


def dev_metrics(probs: np.ndarray, y: np.ndarray, thresholds: dict[str, float]) -> dict:
    from sklearn.metrics import precision_recall_fscore_support

    out = {}
    for j, head in enumerate(HEADS):
        p, r, f, _ = precision_recall_fscore_support(
            y[:, j], probs[:, j] >= thresholds[head], average="binary", zero_division=0
        )
        out[head] = {
            "precision": round(float(p), 3),
            "recall": round(float(r), 3),
            "f1": round(float(f), 3),
            "support": int(y[:, j].sum()),
        }
    return out
