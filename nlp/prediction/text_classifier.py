"""The scikit-learn sentence classifier behind the ``sklearn`` and ``hybrid`` models.

Stage 1 (``sklearn``): word and character n-gram TF-IDF of the sentence plus
word TF-IDF of its previous and next sentence; one calibrated logistic
regression per head (sigmoid calibration, 3-fold) and a multinomial one for the
restriction type.

Stage 2 (``hybrid``, ``stack=True``): a second logistic regression per head
over the stage-1 probabilities of the sentence *and its neighbours*
(out-of-fold on the training notes, so stage 2 learns how far to trust them)
together with the rule evidence — which patterns fired, negation, whose action
it is, reasons and authorities nearby — and their interactions with the
stage-1 scores. Missing rationale is exactly such an interaction: a decision
here and no reason next door.

Shaped like a scikit-learn estimator: ``__init__`` stores parameters, ``fit``
returns ``self``, learned state ends in ``_``; :meth:`get_state` exposes only
scikit-learn objects so the model can be saved with skops and loaded without
executing arbitrary code.
"""

from __future__ import annotations

import numpy as np
from scipy import sparse
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.calibration import CalibratedClassifierCV
from sklearn.feature_extraction import DictVectorizer
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import GroupKFold

from nlp.prediction.base import LABELS as HEADS  # one list of heads everywhere
from nlp.prediction.features import SentenceRecord, stack_features

STACK_FOLDS = 3
MAX_WORD_FEATURES = 20_000  # caps keep the saved model small (a few MB)
MAX_CHAR_FEATURES = 25_000


class SklearnSentenceClassifier(BaseEstimator, ClassifierMixin):
    """Multi-label sentence classifier over text, context window and (optionally) rules."""

    def __init__(
        self, stack: bool = True, C: float = 8.0, stack_C: float = 1.0, calibrate: bool = True
    ) -> None:
        self.stack = stack
        self.C = C
        self.stack_C = stack_C
        self.calibrate = calibrate

    # -- stage 1: text ---------------------------------------------------------
    def _fit_vectorizers(self, records: list[SentenceRecord]) -> None:
        texts = [r.text for r in records]
        self.word_ = TfidfVectorizer(
            ngram_range=(1, 2),
            sublinear_tf=True,
            min_df=2,
            max_features=MAX_WORD_FEATURES,
            token_pattern=r"(?u)\b\w[\w:'/-]*\b",
        )
        self.char_ = TfidfVectorizer(
            analyzer="char_wb",
            ngram_range=(2, 5),
            min_df=2,
            sublinear_tf=True,
            max_features=MAX_CHAR_FEATURES,
        )
        self.context_ = TfidfVectorizer(ngram_range=(1, 1), min_df=2, sublinear_tf=True)
        for vec in (self.word_, self.char_, self.context_):
            vec.fit(texts)
            # the pruned-term set is only for introspection and dominates the file size
            if hasattr(vec, "stop_words_"):
                del vec.stop_words_

    def _text_matrix(self, records: list[SentenceRecord]) -> sparse.csr_matrix:
        texts = [r.text for r in records]
        return sparse.hstack(
            [
                self.word_.transform(texts),
                self.char_.transform(texts),
                self.context_.transform([r.prev for r in records]) * 0.5,
                self.context_.transform([r.next for r in records]) * 0.5,
            ]
        ).tocsr()

    def _fit_heads(
        self, X: sparse.csr_matrix, y: np.ndarray, weights: np.ndarray | None = None
    ) -> dict:
        """One classifier per head, on the rows whose label for that head is known."""
        heads = {}
        for j, head in enumerate(HEADS):
            base = LogisticRegression(C=self.C, max_iter=2000, solver="liblinear")
            model = (
                CalibratedClassifierCV(base, method="sigmoid", cv=3, ensemble=False)
                if self.calibrate
                else base
            )
            rows, w = _known_rows(y, j, weights)
            heads[head] = model.fit(X[rows], y[rows, j], sample_weight=w)
        return heads

    @staticmethod
    def _heads_proba(heads: dict, X: sparse.csr_matrix) -> np.ndarray:
        return np.column_stack([heads[h].predict_proba(X)[:, 1] for h in HEADS])

    # -- stage 2: stacking with rule evidence -----------------------------------
    @staticmethod
    def _stack_dicts(records: list[SentenceRecord], p1: np.ndarray) -> list[dict[str, float]]:
        """Stage-2 features: own and neighbours' stage-1 scores, evidence, interactions."""
        return stack_features(records, p1)

    def _oof_stage1(
        self,
        X: sparse.csr_matrix,
        y: np.ndarray,
        groups: list[str],
        weights: np.ndarray | None = None,
    ) -> np.ndarray:
        oof = np.zeros((X.shape[0], len(HEADS)))
        for tr, te in GroupKFold(n_splits=STACK_FOLDS).split(X, y, groups):
            w = None if weights is None else weights[tr]
            oof[te] = self._heads_proba(self._fit_heads(X[tr], y[tr], w), X[te])
        return oof

    # -- estimator API -------------------------------------------------------
    def fit(
        self,
        records: list[SentenceRecord],
        y: np.ndarray,
        types: list[str | None] | None = None,
        sample_weight: np.ndarray | None = None,
    ) -> SklearnSentenceClassifier:
        """``y``: (n_sentences, len(HEADS)) 1, 0 or -1 (unknown: left out of that head's fit);
        ``types``: restriction type or None; ``sample_weight``: per sentence (None = 1)."""
        y = np.asarray(y)
        weights = None
        if sample_weight is not None and not np.all(np.asarray(sample_weight) == 1.0):
            weights = np.asarray(sample_weight, dtype=float)
        self._fit_vectorizers(records)
        X = self._text_matrix(records)
        self.heads_ = self._fit_heads(X, y, weights)
        self.stack_vec_, self.stack_heads_ = None, None
        if self.stack:
            oof = self._oof_stage1(X, y, stacking_groups(records), weights)
            dicts = self._stack_dicts(records, oof)
            self.stack_vec_ = DictVectorizer().fit(dicts)
            Z = self.stack_vec_.transform(dicts)
            self.stack_heads_ = {}
            for j, h in enumerate(HEADS):
                rows, w = _known_rows(y, j, weights)
                self.stack_heads_[h] = LogisticRegression(C=self.stack_C, max_iter=3000).fit(
                    Z[rows], y[rows, j], sample_weight=w
                )
        typed = [i for i, t in enumerate(types or []) if t]
        self.type_ = None
        if len({types[i] for i in typed}) > 1:  # type: ignore[index]
            self.type_ = LogisticRegression(C=self.C, max_iter=3000)
            self.type_.fit(X[typed], [types[i] for i in typed])
        return self

    def predict_proba(self, records: list[SentenceRecord]) -> np.ndarray:
        return self.predict_with_types(records)[0]

    def predict_type(self, records: list[SentenceRecord]) -> list[str | None]:
        return self.predict_with_types(records)[1]

    def predict_with_types(
        self, records: list[SentenceRecord]
    ) -> tuple[np.ndarray, list[str | None]]:
        """Head probabilities and restriction types, vectorising the text once."""
        if not records:
            return np.zeros((0, len(HEADS))), []
        X = self._text_matrix(records)
        types = list(self.type_.predict(X)) if self.type_ is not None else [None] * len(records)
        p1 = self._heads_proba(self.heads_, X)
        if not self.stack:
            return p1, types
        Z = self.stack_vec_.transform(self._stack_dicts(records, p1))
        probs = np.column_stack([self.stack_heads_[h].predict_proba(Z)[:, 1] for h in HEADS])
        return probs, types

    def predict(self, records: list[SentenceRecord]) -> np.ndarray:
        return (self.predict_proba(records) >= 0.5).astype(int)

    # -- persistence (scikit-learn objects only) ------------------------------
    def get_state(self) -> dict:
        return {
            "word": self.word_,
            "char": self.char_,
            "context": self.context_,
            "heads": self.heads_,
            "type": self.type_,
            "stack_vec": self.stack_vec_,
            "stack_heads": self.stack_heads_,
        }

    @classmethod
    def from_state(cls, params: dict, state: dict) -> SklearnSentenceClassifier:
        model = cls(**params)
        model.word_, model.char_ = state["word"], state["char"]
        model.context_, model.heads_, model.type_ = state["context"], state["heads"], state["type"]
        model.stack_vec_, model.stack_heads_ = state["stack_vec"], state["stack_heads"]
        return model


def _known_rows(
    y: np.ndarray, j: int, weights: np.ndarray | None
) -> tuple[np.ndarray, np.ndarray | None]:
    """Row indices with a known label for head ``j`` (never a null read as 0), and their weights.

    Raises ValueError when the known labels of a head are all one class.
    """
    rows = np.flatnonzero(y[:, j] >= 0)
    if len(np.unique(y[rows, j])) < 2:
        raise ValueError(
            f"head {HEADS[j]!r}: the known labels are all one class "
            f"({len(rows)} known); add data with both positives and negatives"
        )
    return rows, None if weights is None else weights[rows]


def writer_of(note_id: str) -> str:
    """The corpus writer encoded in a note id (``N-13-0001`` → ``13``), else the id."""
    parts = note_id.split("-")
    return parts[1] if len(parts) == 3 and parts[0] == "N" and parts[1].isdigit() else note_id


def stacking_groups(records: list[SentenceRecord]) -> list[str]:
    """Folds for the out-of-fold stage-1 scores the combiner learns from.

    Grouped by **writer** where the note ids say who wrote them, so every stage-1
    score the combiner sees comes from a model that never read that writer: it
    learns how far to trust the text score on unfamiliar wording, and so does not
    let a low text score silence a rule that fired. With fewer writers than folds
    (small or reviewed data) the folds are grouped by note.
    """
    writers = [writer_of(r.group) for r in records]
    if len(set(writers)) >= STACK_FOLDS and len(set(writers)) < len({r.group for r in records}):
        return writers
    return [r.group for r in records]
