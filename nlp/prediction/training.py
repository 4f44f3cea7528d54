"""``careaudit train``: fit a model on a gold corpus, tune thresholds on dev, save it."""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from nlp.analysis.analyzer import Analyzer
from nlp.prediction.datasets import (
    UNKNOWN,
    Dataset,
    build_dataset,
    concat_datasets,
    dev_metrics,
    split_by_service,
    tune_thresholds,
)
from nlp.prediction.model_card import write_model_card
from nlp.prediction.registry import TRAINED_KINDS
from nlp.prediction.text_classifier import HEADS
from nlp.records.corpus import GoldNote, read_gold


def _limit(gold: list[GoldNote], limit: int | None) -> list[GoldNote]:
    """The first notes up to ``limit`` sentences (learning curves, CI slices)."""
    if not limit:
        return gold
    out, total = [], 0
    for g in gold:
        if total >= limit:
            break
        out.append(g)
        total += len(g.sentences)
    return out


def strong_reason_rate(data: Dataset) -> float:
    """P(missing_rationale | the sentence states an explicit cause), Laplace-smoothed.

    Only sentences whose missing_rationale label is known count.
    """
    idx = [
        i
        for i, r in enumerate(data.records)
        if r.evidence.get("self:strong_reason", 0.0) > 0 and data.y[i, 3] != UNKNOWN
    ]
    return round((float((data.y[idx, 3] == 1).sum()) + 1.0) / (len(idx) + 2.0), 4)


@dataclass
class ReviewedData:
    """Gold notes made from review decisions (labels may be null) and where they came from.

    ``source`` goes into the model card (store URL without password, counts).
    Reviewed notes are split by service: ``dev_fraction`` of the services are held
    out of training and only measured (thresholds stay tuned on ``--dev``).
    """

    gold: list[GoldNote]
    weight: float = 1.0
    dev_fraction: float = 0.2
    source: dict[str, Any] = field(default_factory=dict)


def fit_model(
    kind: str,
    train_set: Dataset,
    dev_set: Dataset | None,
    epochs: int = 1,
    lr: float = 5e-5,
) -> tuple[Any, dict]:
    """Fit ``kind`` on ``train_set`` and tune its thresholds on ``dev_set``: (model, metrics).

    Unknown labels (-1) are left out per head; ``hybrid`` and ``sklearn`` only.
    """
    if kind not in TRAINED_KINDS:
        raise ValueError(f"--model must be one of {', '.join(TRAINED_KINDS)}")
    if kind.startswith("transformer") and not train_set.known.all():
        raise ValueError(
            f"--model {kind} cannot train on unknown (null) labels; use hybrid or sklearn"
        )
    if kind == "transformer":
        from nlp.prediction.transformer_model import TransformerModel

        model = TransformerModel().fit(train_set.records, train_set.y, train_set.types)
        probs_fn = model.predict_proba
    elif kind == "transformer-ft":
        from nlp.prediction.finetune_model import FineTunedModel

        model = FineTunedModel().fit(
            train_set.records, train_set.y, train_set.types, epochs=epochs, lr=lr
        )
        probs_fn = model.calibrate if dev_set is not None else model.predict_proba
    else:
        from nlp.prediction.sklearn_models import SklearnModel
        from nlp.prediction.text_classifier import SklearnSentenceClassifier

        clf = SklearnSentenceClassifier(stack=kind == "hybrid")
        clf.fit(train_set.records, train_set.y, train_set.types, train_set.weights)
        model = SklearnModel(clf, {}, name=kind)
        if kind == "hybrid":
            model.meta["strong_reason_mr_rate"] = strong_reason_rate(train_set)
        probs_fn = clf.predict_proba
    metrics = {}
    if dev_set is not None:
        dev_probs = model_probs(kind, model, dev_set, probs_fn)
        model.thresholds = tune_thresholds(dev_probs, dev_set.y)
        metrics = dev_metrics(dev_probs, dev_set.y, model.thresholds)
    else:
        model.thresholds = dict.fromkeys(HEADS, 0.5)
    return model, metrics


def model_probs(kind: str, model: Any, data: Dataset, probs_fn: Any = None) -> np.ndarray:
    """Head probabilities of ``data`` as the audit sees them (hybrid: strong-reason cap)."""
    if probs_fn is None:
        probs_fn = model.clf.predict_proba if hasattr(model, "clf") else model.predict_proba
    probs = probs_fn(data.records, data.y) if kind == "transformer-ft" else probs_fn(data.records)
    rate = getattr(model, "meta", {}).get("strong_reason_mr_rate")
    if rate is not None:
        capped = [r.evidence.get("self:strong_reason", 0.0) > 0 for r in data.records]
        probs[capped, 3] = np.minimum(probs[capped, 3], rate)
    return probs


def train(
    kind: str,
    corpus: Path,
    dev: Path | None,
    out: Path,
    limit: int | None = None,
    analyzer: Analyzer | None = None,
    write: bool = True,
    epochs: int = 1,
    lr: float = 5e-5,
    reviewed: ReviewedData | None = None,
):
    """Train ``kind`` on ``corpus`` (plus ``reviewed`` notes); returns (model, report).

    ``epochs`` and ``lr`` apply to ``transformer-ft`` only.
    """
    if kind not in TRAINED_KINDS:
        raise ValueError(f"--model must be one of {', '.join(TRAINED_KINDS)}")
    analyzer = analyzer or Analyzer()
    started = time.perf_counter()
    train_gold = _limit(read_gold(corpus), limit)
    train_set = build_dataset(train_gold, analyzer)
    learned_from: list[dict[str, Any]] = [
        {
            "source": str(corpus),
            "notes": len(train_gold),
            "sentences": len(train_set.records),
            "weight": 1.0,
        }
    ]
    review_dev: Dataset | None = None
    if reviewed is not None and reviewed.gold:
        r_train, r_dev = split_by_service(reviewed.gold, reviewed.dev_fraction)
        if r_train:
            part = build_dataset(r_train, analyzer, weight=reviewed.weight)
            train_set = concat_datasets(train_set, part)
        review_dev = build_dataset(r_dev, analyzer) if r_dev else None
        learned_from.append(
            {
                **reviewed.source,
                "notes": len(r_train),
                "sentences": len(train_set.records) - learned_from[0]["sentences"],
                "weight": reviewed.weight,
                "services": sorted({g.note.service for g in r_train}),
                "held_out_services": sorted({g.note.service for g in r_dev}),
                "held_out_notes": len(r_dev),
            }
        )
    dev_set: Dataset | None = build_dataset(read_gold(dev), analyzer) if dev else None
    model, metrics = fit_model(kind, train_set, dev_set, epochs=epochs, lr=lr)
    seconds = round(time.perf_counter() - started, 1)
    report = {
        "trained_on": str(corpus),
        "dev": str(dev) if dev else "",
        "train_notes": sum(int(src["notes"]) for src in learned_from),
        "train_sentences": len(train_set.records),
        "train_positives": {
            h: int(v) for h, v in zip(HEADS, (train_set.y == 1).sum(axis=0), strict=True)
        },
        "train_known": {h: int(v) for h, v in zip(HEADS, train_set.known.sum(axis=0), strict=True)},
        "learned_from": learned_from,
        "dev_metrics": metrics,
        "train_seconds": seconds,
    }
    if review_dev is not None:
        report["review_dev_metrics"] = dev_metrics(
            model_probs(kind, model, review_dev), review_dev.y, model.thresholds
        )
    if getattr(model, "meta", {}).get("strong_reason_mr_rate") is not None:
        report["strong_reason_mr_rate"] = model.meta["strong_reason_mr_rate"]
    if write:
        model.save(out, report)
        write_model_card(out, kind, report, model.thresholds)
    return model, report
