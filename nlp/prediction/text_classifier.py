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
from nlp.prediction.features import SentenceRecord

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

    def _fit_heads(self, X: sparse.csr_matrix, y: np.ndarray) -> dict:
        heads = {}
        for j, head in enumerate(HEADS):
            base = LogisticRegression(C=self.C, max_iter=2000, solver="liblinear")
            model = (
                CalibratedClassifierCV(base, method="sigmoid", cv=3, ensemble=False)
                if self.calibrate
                else base
            )
            heads[head] = model.fit(X, y[:, j])
        return heads

    @staticmethod
    def _heads_proba(heads: dict, X: sparse.csr_matrix) -> np.ndarray:
        return np.column_stack([heads[h].predict_proba(X)[:, 1] for h in HEADS])

    # -- stage 2: stacking with rule evidence -----------------------------------
    @staticmethod
    def _stack_dicts(records: list[SentenceRecord], p1: np.ndarray) -> list[dict[str, float]]:
        """Stage-2 features: own and neighbours' stage-1 scores, evidence, interactions."""
        out: list[dict[str, float]] = []
        n = len(records)
        for i, rec in enumerate(records):
            same_prev = i > 0 and records[i - 1].group == rec.group
            same_next = i + 1 < n and records[i + 1].group == rec.group
            f = dict(rec.evidence)
            reason_near = rec.evidence.get("rule:reason_nearby", 0.0)
            for j, head in enumerate(HEADS):
                p = float(p1[i, j])
                f[f"p:{head}"] = p
                f[f"p:{head}:no_reason_near"] = p * (1.0 - reason_near)
                f[f"p:{head}:prev"] = float(p1[i - 1, j]) if same_prev else 0.0
                f[f"p:{head}:next"] = float(p1[i + 1, j]) if same_next else 0.0
            for key in (
                "prev:reason",
                "next:reason",
                "self:reason",
                "prev:authority",
                "next:authority",
                "self:authority",
                "self:non_reason",
            ):
                v = rec.evidence.get(key, 0.0)
                f[f"p:restriction*{key}"] = float(p1[i, 1]) * v
            out.append(f)
        return out

    def _oof_stage1(self, X: sparse.csr_matrix, y: np.ndarray, groups: list[str]) -> np.ndarray:
        oof = np.zeros((X.shape[0], len(HEADS)))
        for tr, te in GroupKFold(n_splits=STACK_FOLDS).split(X, y, groups):
            oof[te] = self._heads_proba(self._fit_heads(X[tr], y[tr]), X[te])
        return oof

    # -- estimator API -------------------------------------------------------
    def fit(
        self, records: list[SentenceRecord], y: np.ndarray, types: list[str | None] | None = None
    ) -> SklearnSentenceClassifier:
        """``y``: (n_sentences, len(HEADS)) 0/1; ``types``: restriction type or None."""
        y = np.asarray(y)
        self._fit_vectorizers(records)
        X = self._text_matrix(records)
        self.heads_ = self._fit_heads(X, y)
        self.stack_vec_, self.stack_heads_ = None, None
        if self.stack:
            oof = self._oof_stage1(X, y, [r.group for r in records])
            dicts = self._stack_dicts(records, oof)
            self.stack_vec_ = DictVectorizer().fit(dicts)
            Z = self.stack_vec_.transform(dicts)
            self.stack_heads_ = {
                h: LogisticRegression(C=self.stack_C, max_iter=3000).fit(Z, y[:, j])
                for j, h in enumerate(HEADS)
            }
        typed = [i for i, t in enumerate(types or []) if t]
        self.type_ = None
        if typed:
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
