"""``careaudit train``: fit a model on a gold corpus, tune thresholds on dev, save it."""

from __future__ import annotations

import time
from pathlib import Path

import numpy as np

from nlp.analysis.analyzer import Analyzer
from nlp.prediction.datasets import Dataset, build_dataset, dev_metrics, tune_thresholds
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
    """P(missing_rationale | the sentence states an explicit cause), Laplace-smoothed."""
    idx = [i for i, r in enumerate(data.records) if r.evidence.get("self:strong_reason", 0.0) > 0]
    return round((float(data.y[idx, 3].sum()) + 1.0) / (len(idx) + 2.0), 4)


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
):
    """Train ``kind`` on ``corpus``; returns (model, report).

    ``epochs`` and ``lr`` apply to ``transformer-ft`` only.
    """
    if kind not in TRAINED_KINDS:
        raise ValueError(f"--model must be one of {', '.join(TRAINED_KINDS)}")
    analyzer = analyzer or Analyzer()
    started = time.perf_counter()
    train_gold = _limit(read_gold(corpus), limit)
    train_set = build_dataset(train_gold, analyzer)
    dev_set: Dataset | None = build_dataset(read_gold(dev), analyzer) if dev else None
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
        clf.fit(train_set.records, train_set.y, train_set.types)
        model = SklearnModel(clf, {}, name=kind)
        if kind == "hybrid":
            model.meta["strong_reason_mr_rate"] = strong_reason_rate(train_set)
        probs_fn = clf.predict_proba
    metrics = {}
    if dev_set is not None:
        dev_probs = (
            probs_fn(dev_set.records, dev_set.y)
            if kind == "transformer-ft"
            else probs_fn(dev_set.records)
        )
        rate = getattr(model, "meta", {}).get("strong_reason_mr_rate")
        if rate is not None:
            capped = [r.evidence.get("self:strong_reason", 0.0) > 0 for r in dev_set.records]
            dev_probs[capped, 3] = np.minimum(dev_probs[capped, 3], rate)
        model.thresholds = tune_thresholds(dev_probs, dev_set.y)
        metrics = dev_metrics(dev_probs, dev_set.y, model.thresholds)
    else:
        model.thresholds = dict.fromkeys(HEADS, 0.5)
    seconds = round(time.perf_counter() - started, 1)
    report = {
        "trained_on": str(corpus),
        "dev": str(dev) if dev else "",
        "train_notes": len(train_gold),
        "train_sentences": len(train_set.records),
        "train_positives": {
            h: int(v)
            for h, v in zip(
                HEADS,
                train_set.y.sum(axis=0),
                strict=True,
            )
        },
        "dev_metrics": metrics,
        "train_seconds": seconds,
    }
    if getattr(model, "meta", {}).get("strong_reason_mr_rate") is not None:
        report["strong_reason_mr_rate"] = model.meta["strong_reason_mr_rate"]
    if write:
        model.save(out, report)
        write_model_card(out, kind, report, model.thresholds)
    return model, report
