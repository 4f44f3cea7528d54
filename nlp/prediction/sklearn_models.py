"""Trained sentence models as :class:`~nlp.prediction.SentenceModel`: ``sklearn`` and ``hybrid``.

``sklearn`` reads the sentence and its neighbours only; ``hybrid`` also reads the
rule evidence (which patterns fired, negation, whose action it is, reasons and
authorities nearby). In both, the flag's span comes from the rules when they
found one, else it is the whole sentence; ``source`` names the parts that fired.

Both predict in two steps so the audit parses only what can matter
(:meth:`SklearnModel.prepare` → :meth:`~SklearnModel.parse_needed` → parse →
:meth:`~SklearnModel.finish`): stage 1 reads text alone, so it runs before any
parse; a candidate sentence is parsed only when the parse could still make one of
its heads positive — for ``sklearn`` when a stage-1 score is over its threshold
(the parse then only gives the flag's span and type), for ``hybrid`` when the
stage-2 score without the parse's features, plus the most the parse's features
could add given the sentence's words (the positive weights of every parse feature
whose rule could fire there, :mod:`nlp.analysis.parse_scope`), reaches a threshold.
Every other sentence is negative with or without its parse.

Models are stored as plain arrays (:mod:`nlp.prediction.array_store`) and run
without scikit-learn (:mod:`nlp.prediction.compiled`); folders written by earlier
versions (``model.skops``) still load, through skops and its type allowlist.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, ClassVar

import numpy as np

from nlp.analysis.analyzer import NoteAnalysis, SentenceEvidence
from nlp.analysis.rule_labels import primary_restriction
from nlp.prediction.base import LABELS as HEADS
from nlp.prediction.base import SentencePrediction
from nlp.prediction.compiled import FORMAT, CompiledClassifier, Stage1, export_state, logit
from nlp.prediction.features import SentenceRecord, note_records
from nlp.prediction.registry import model_kind

GATE_MARGIN = 1e-6  # decision values this close to a threshold count as reaching it

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


@dataclass(slots=True)
class PreparedBatch:
    """A batch between stage 1 (before the parse) and stage 2 (after it)."""

    analyses: list[NoteAnalysis]
    records: list[SentenceRecord]
    stage1: Stage1


@model_kind("hybrid", "sklearn")
class SklearnModel:
    """A trained sentence classifier with its decision thresholds."""

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
        clf: Any,
        thresholds: dict[str, float],
        name: str = "hybrid",
        meta: dict | None = None,
    ) -> None:
        self.clf = clf  # a SklearnSentenceClassifier (training) or a CompiledClassifier
        self.thresholds = thresholds
        self.name = name
        self.meta = meta or {}
        self._compiled: CompiledClassifier | None = (
            clf if isinstance(clf, CompiledClassifier) else None
        )

    @property
    def compiled(self) -> CompiledClassifier:
        """The numpy-only form of the classifier (compiled once from a fitted one)."""
        if self._compiled is None:
            config, vocab, arrays = export_state(self.clf)
            self._compiled = CompiledClassifier(self.clf.get_params(), config, vocab, arrays)
        return self._compiled

    # -- prediction in two steps ---------------------------------------------------------
    def prepare(self, analyses: list[NoteAnalysis]) -> PreparedBatch:
        """Stage 1 on the cheap pass's sentences (no parse needed)."""
        records = [r for a in analyses for r in note_records(a)]
        return PreparedBatch(analyses, records, self.compiled.stage1(records))

    def parse_needed(self, batch: PreparedBatch) -> list[list[bool]]:
        """Per note, per sentence: whether its parse could make a head positive.

        ``hybrid``: the stage-2 value without the parse's features plus the most
        those features could add given the words of the sentence
        (:meth:`CompiledClassifier.parse_gain_bound`) reaches a threshold.
        ``sklearn``: a stage-1 score is over its threshold (the parse then gives the
        flag's span and restriction type). Other sentences are negative whatever
        the parse finds, so skipping their parse changes no flag.
        """
        clf = self.compiled
        thresholds = np.array([self.thresholds[h] for h in HEADS])
        rate = self.meta.get("strong_reason_mr_rate")
        if clf.stack:
            known = clf.stage2_logits(batch.records, batch.stage1.p1)
            cut = np.array([logit(t) for t in thresholds]) - GATE_MARGIN
        out: list[list[bool]] = []
        k = 0
        for analysis in batch.analyses:
            row = []
            for ev in analysis.sentences:
                if not ev.candidate:
                    row.append(False)
                    k += 1
                    continue
                if clf.stack:
                    gain = clf.parse_gain_bound(ev.scope, solo=not analysis.whole)
                    heads = known[k] + gain >= cut
                else:
                    heads = batch.stage1.p1[k] >= thresholds
                if rate is not None and ev.strong_reason and rate < thresholds[3]:
                    heads = heads[:3]  # the explicit-cause cap keeps missing_rationale below
                row.append(bool(heads.any()))
                k += 1
            out.append(row)
        return out

    def finish(self, batch: PreparedBatch) -> list[list[SentencePrediction]]:
        """Stage 2 on the sentences' evidence after the parse.

        A note none of whose sentences was parsed has the same evidence as before the
        parse, so its stage-1 records are reused.
        """
        records: list[SentenceRecord] = []
        k = 0
        for analysis in batch.analyses:
            n = len(analysis.sentences)
            records.extend(note_records(analysis) if analysis.parsed else batch.records[k : k + n])
            k += n
        probs, types = self.compiled.predict_with_types(records, batch.stage1)
        return predictions_by_note(
            self.name,
            batch.analyses,
            probs,
            types,
            self.thresholds,
            self.meta.get("strong_reason_mr_rate"),
        )

    def predict_notes(self, analyses: list[NoteAnalysis]) -> list[list[SentencePrediction]]:
        return self.finish(self.prepare(analyses))

    # -- persistence ---------------------------------------------------------------------
    def save(self, folder: Path, extra_meta: dict | None = None) -> None:
        """Write the model as plain arrays (``vocab.json``, ``weights.npz``) and ``model.json``."""
        from nlp.prediction.array_store import save_arrays

        clf = self.compiled
        config, vocab, arrays = clf.config, clf.vocab, clf.arrays
        own = ("kind", "params", "thresholds", "files", "format", "text_features")
        kept = {k: v for k, v in self.meta.items() if k not in own}  # a re-save keeps the report
        meta = {
            "kind": self.name,
            "params": clf.params,
            "thresholds": self.thresholds,
            "created": datetime.now(UTC).isoformat(timespec="seconds"),
            **kept,
            **(extra_meta or {}),
            **config,
        }
        self.meta = save_arrays(folder, meta, vocab, arrays)

    @classmethod
    def load(cls, folder: Path) -> SklearnModel:
        """Load a model folder: plain arrays, or an earlier version's ``model.skops``."""
        from nlp.prediction.store import UnsafeModel, read_model_meta

        meta = read_model_meta(folder)
        if not isinstance(meta.get("thresholds"), dict):
            raise UnsafeModel(f"{folder}/model.json: not a careaudit model description")
        if meta.get("format") == FORMAT:
            from nlp.prediction.array_store import load_arrays

            vocab, arrays = load_arrays(folder, meta)
            try:
                clf: Any = CompiledClassifier(meta.get("params", {}), meta, vocab, arrays)
            except (KeyError, TypeError, ValueError) as exc:
                raise UnsafeModel(f"{folder}: weights do not fit model.json ({exc})") from None
        elif "format" in meta:
            raise UnsafeModel(f"{folder}: unknown model format {meta['format']!r}")
        else:
            from nlp.prediction.store import load_state
            from nlp.prediction.text_classifier import SklearnSentenceClassifier

            state, meta = load_state(folder)
            clf = SklearnSentenceClassifier.from_state(meta["params"], state)
        try:
            thresholds = {h: float(meta["thresholds"][h]) for h in HEADS}
        except (KeyError, TypeError, ValueError):
            raise UnsafeModel(f"{folder}/model.json: thresholds missing or not numbers") from None
        return cls(clf, thresholds, name=meta.get("kind", "hybrid"), meta=meta)
