"""Trained sentence models as :class:`~nlp.prediction.SentenceModel`: ``sklearn`` and ``hybrid``.

``sklearn`` reads the sentence and its neighbours only; ``hybrid`` also reads the
rule evidence (which patterns fired, negation, whose action it is, reasons and
authorities nearby). In both, the flag's span comes from the rules when they
found one, else it is the whole sentence; ``source`` names the parts that fired.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import ClassVar

import numpy as np

from nlp.analysis.analyzer import NoteAnalysis, SentenceEvidence
from nlp.analysis.rule_labels import primary_restriction
from nlp.prediction.base import SentencePrediction
from nlp.prediction.features import note_records
from nlp.prediction.registry import model_kind
from nlp.prediction.store import load_state, save_state
from nlp.prediction.text_classifier import HEADS, SklearnSentenceClassifier

RULE_SOURCE = {
    "doing_for": lambda ev: ev.doing_for,
    "restriction": lambda ev: ev.restrictions,
    "unauthorised": lambda ev: ev.restrictions,
    "missing_rationale": lambda ev: ev.decisions,
}


def make_prediction(
    name: str,
    ev: SentenceEvidence,
    probs: np.ndarray,
    rtype: str | None,
    thresholds: dict[str, float],
    strong_reason_rate: float | None = None,
) -> SentencePrediction:
    """One sentence's prediction, with the rule type preferred when the rules found one.

    ``strong_reason_rate`` (hybrid only): when the sentence itself states an explicit
    cause ("because", "due to", "as per ..."), the missing-rationale probability is
    capped at the rate measured on the training corpus for such sentences.
    """
    prob = {h: float(p) for h, p in zip(HEADS, probs, strict=True)}
    if strong_reason_rate is not None and ev.strong_reason:
        prob["missing_rationale"] = min(prob["missing_rationale"], strong_reason_rate)
    source: dict[str, str] = {}
    for head in HEADS:
        found = RULE_SOURCE[head](ev)
        rule = f"+rules:{found[0].rule}" if found else ""
        source[head] = f"{name} p={prob[head]:.2f}{rule}"
    return SentencePrediction(
        probs=prob,
        restriction_type=primary_restriction(ev) or rtype,
        source=source,
        thresholds=thresholds,
    )


def predictions_by_note(
    name: str,
    analyses: list[NoteAnalysis],
    probs: np.ndarray,
    types: list[str | None],
    thresholds: dict[str, float],
    strong_reason_rate: float | None = None,
) -> list[list[SentencePrediction]]:
    """Regroup flat per-sentence scores (in note order) into per-note predictions."""
    out: list[list[SentencePrediction]] = []
    k = 0
    for analysis in analyses:
        preds = []
        for ev in analysis.sentences:
            preds.append(
                make_prediction(name, ev, probs[k], types[k], thresholds, strong_reason_rate)
            )
            k += 1
        out.append(preds)
    return out


@model_kind("hybrid", "sklearn")
class SklearnModel:
    """A trained :class:`SklearnSentenceClassifier` with its decision thresholds."""

    descriptions: ClassVar[dict[str, str]] = {
        "hybrid": (
            "Stacked model (careaudit's default): stage 1 is the `sklearn` text model (word "
            "1-2-gram and char 2-5-gram TF-IDF of the sentence, word TF-IDF of the previous and "
            "next sentence, calibrated logistic regression per head); stage 2 is a logistic "
            "regression per head over the stage-1 scores of the sentence and its neighbours "
            "(out-of-fold on the training notes) plus the spaCy rule evidence (patterns fired, "
            "negation/hypothetical/own choice, agent of the verb, reasons and authorities nearby)."
        ),
        "sklearn": (
            "Text-only model: word 1-2-gram and char 2-5-gram TF-IDF of the sentence and word "
            "TF-IDF of the previous and next sentence, one sigmoid-calibrated logistic regression "
            "per head."
        ),
    }

    def __init__(
        self,
        clf: SklearnSentenceClassifier,
        thresholds: dict[str, float],
        name: str = "hybrid",
        meta: dict | None = None,
    ) -> None:
        self.clf = clf
        self.thresholds = thresholds
        self.name = name
        self.meta = meta or {}

    def predict_notes(self, analyses: list[NoteAnalysis]) -> list[list[SentencePrediction]]:
        flat = [r for a in analyses for r in note_records(a)]
        probs, types = self.clf.predict_with_types(flat)
        return predictions_by_note(
            self.name,
            analyses,
            probs,
            types,
            self.thresholds,
            self.meta.get("strong_reason_mr_rate"),
        )

    def save(self, folder: Path, extra_meta: dict | None = None) -> None:
        meta = {
            "kind": self.name,
            "params": self.clf.get_params(),
            "thresholds": self.thresholds,
            "created": datetime.now(UTC).isoformat(timespec="seconds"),
            **(extra_meta or {}),
        }
        save_state(folder, self.clf.get_state(), meta)

    @classmethod
    def load(cls, folder: Path) -> SklearnModel:
        state, meta = load_state(folder)
        clf = SklearnSentenceClassifier.from_state(meta["params"], state)
        return cls(clf, meta["thresholds"], name=meta["kind"], meta=meta)
