"""The sentence classifier as plain arrays: loads in milliseconds, runs on numpy alone.

A trained :class:`~nlp.prediction.text_classifier.SklearnSentenceClassifier` is
exported (:func:`export_state`) to two files:

- ``vocab.json``: the TF-IDF vocabularies (terms in column order), the stage-2
  feature names and the restriction-type classes;
- ``weights.npz``: idf vectors and the coefficients, intercepts and sigmoid
  calibration of every logistic regression (numeric arrays only).

:class:`CompiledClassifier` computes exactly what scikit-learn computes for the same
model — the same TF-IDF values, the same sums in the same order — without
importing scikit-learn, scipy or skops at audit time. Text is featurised per
whitespace-separated chunk with a cache (TF-IDF word and ``char_wb`` n-grams never
cross whitespace), so a word seen before costs one dictionary lookup.

:mod:`nlp.prediction.array_store` saves and loads the two files safely.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from dataclasses import dataclass
from itertools import pairwise
from typing import Any

import numpy as np

from nlp.prediction.array_store import FORMAT
from nlp.prediction.base import LABELS as HEADS
from nlp.prediction.features import RESTRICTION_INTERACTIONS, SentenceRecord

SMALL_PRODUCT = 20_000  # fewer stored values than this: numpy alone (no scipy import)
CACHE_LIMIT = 20_000  # distinct chunks remembered per block before the cache is reset
# Stage-2 features that only the dependency parse can set (rule findings, context cues).
PARSE_PREFIXES = ("rule:", "dropped:", "dropped_type=", "context:")
LEXICAL_RULE_FEATURES = frozenset({"rule:reason_nearby"})


def is_parse_feature(name: str) -> bool:
    """Whether a stage-2 feature depends on the parse (absent for unparsed sentences)."""
    return name.startswith(PARSE_PREFIXES) and name not in LEXICAL_RULE_FEATURES


def sigmoid(z: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-z))


class TfidfBlock:
    """One fitted ``TfidfVectorizer`` (word 1-2-grams or ``char_wb`` n-grams), L2-normalised.

    Supports exactly the settings careaudit trains with: lower-casing, no stop
    words, ``sublinear_tf``, ``norm="l2"``, and for words ``ngram_range`` (1, 1) or
    (1, 2); :meth:`from_config` refuses anything else.
    """

    def __init__(
        self,
        terms: Sequence[str],
        idf: np.ndarray,
        analyzer: str,
        ngram_range: tuple[int, int],
        token_pattern: str = r"(?u)\b\w\w+\b",
    ) -> None:
        self.analyzer = analyzer
        self.ngram_range = ngram_range
        self.idf = np.asarray(idf, dtype=np.float64)
        self.size = len(terms)
        if len(self.idf) != self.size:
            raise ValueError("vocabulary and idf differ in length")
        self._cache: dict[str, Any] = {}
        if analyzer == "char_wb":
            self._index = {t: i for i, t in enumerate(terms)}
            return
        if analyzer != "word" or ngram_range not in ((1, 1), (1, 2)):
            raise ValueError(f"unsupported text features: {analyzer} {ngram_range}")
        self._pattern = re.compile(token_pattern)
        tokens: dict[str, int] = {}
        unigram: dict[int, int] = {}
        bigram: dict[int, int] = {}
        for j, term in enumerate(terms):
            parts = term.split(" ")
            ids = [tokens.setdefault(p, len(tokens) + 1) for p in parts]
            if len(parts) == 1:
                unigram[ids[0]] = j
            elif len(parts) == 2:
                bigram[ids[0] * (1 << 32) + ids[1]] = j
            else:
                raise ValueError(f"unsupported n-gram {term!r}")
        self._tokens = tokens
        self._unigram = np.full(len(tokens) + 1, -1, dtype=np.int64)
        for t, j in unigram.items():
            self._unigram[t] = j
        keys = np.array(sorted(bigram), dtype=np.int64)
        self._bigram_keys = keys
        self._bigram_cols = np.array([bigram[k] for k in keys.tolist()], dtype=np.int64)

    @classmethod
    def from_config(cls, config: dict[str, Any], terms: Sequence[str], idf: np.ndarray):
        """A block from its saved settings; refuses settings this code cannot reproduce."""
        expected = {"lowercase": True, "sublinear_tf": True, "norm": "l2", "stop_words": None}
        for key, value in expected.items():
            if config.get(key) != value:
                raise ValueError(f"unsupported text-feature setting {key}={config.get(key)!r}")
        return cls(
            terms,
            idf,
            config["analyzer"],
            tuple(config["ngram_range"]),
            config.get("token_pattern") or r"(?u)\b\w\w+\b",
        )

    # -- one whitespace-separated chunk ------------------------------------------
    def _chunk(self, chunk: str) -> Any:
        """Token ids (word) or n-gram columns with repeats (char_wb) of one lower-cased chunk."""
        found = self._cache.get(chunk)
        if found is not None:
            return found
        if len(self._cache) >= CACHE_LIMIT:
            self._cache.clear()
        if self.analyzer == "word":
            get = self._tokens.get
            found = [get(t, 0) for t in self._pattern.findall(chunk)]
        else:
            found = self._char_columns(chunk)
        self._cache[chunk] = found
        return found

    def _char_columns(self, word: str) -> list[int]:
        """scikit-learn's ``_char_wb_ngrams`` for one word, as vocabulary columns."""
        w = " " + word + " "
        w_len = len(w)
        index = self._index
        cols: list[int] = []
        for n in range(self.ngram_range[0], self.ngram_range[1] + 1):
            offset = 0
            j = index.get(w[0:n])
            if j is not None:
                cols.append(j)
            while offset + n < w_len:
                offset += 1
                j = index.get(w[offset : offset + n])
                if j is not None:
                    cols.append(j)
            if offset == 0:
                break
        return cols

    # -- a batch of texts ----------------------------------------------------------
    def transform(self, texts: Sequence[str]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(rows, columns, values) of the TF-IDF matrix, sorted by row then column."""
        items, lengths = self._items(texts)
        r = np.repeat(np.arange(len(texts), dtype=np.int64), lengths)
        t = np.asarray(items, dtype=np.int64)
        if self.analyzer == "char_wb":
            return self._tfidf(r, t, len(texts))
        return self._tfidf(*self._word_columns(r, t), len(texts))

    def _items(self, texts: Sequence[str]) -> tuple[list[int], list[int]]:
        """Token ids (word) or n-gram columns (char_wb) of every text, and how many per text."""
        items: list[int] = []
        lengths: list[int] = []
        get = self._cache.get
        chunk = self._chunk
        for text in texts:
            n0 = len(items)
            for piece in text.lower().split():
                found = get(piece)
                items.extend(found if found is not None else chunk(piece))
            lengths.append(len(items) - n0)
        return items, lengths

    def _word_columns(self, r: np.ndarray, t: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Unigram and bigram columns of a row-sorted token-id sequence."""
        uni = self._unigram[t] if len(t) else np.zeros(0, dtype=np.int64)
        keep = uni >= 0
        out_r, out_c = [r[keep]], [uni[keep]]
        if self.ngram_range[1] == 2 and len(t) > 1 and len(self._bigram_keys):
            same = r[1:] == r[:-1]
            a, b = t[:-1][same], t[1:][same]
            keys = a * (1 << 32) + b
            pos = np.searchsorted(self._bigram_keys, keys)
            pos = np.minimum(pos, len(self._bigram_keys) - 1)
            hit = (self._bigram_keys[pos] == keys) & (a > 0) & (b > 0)
            out_r.append(r[1:][same][hit])
            out_c.append(self._bigram_cols[pos[hit]])
        return np.concatenate(out_r), np.concatenate(out_c)

    def _tfidf(
        self, rows: np.ndarray, cols: np.ndarray, n: int
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Counts → (1 + log tf) · idf → L2 per row, summed in scikit-learn's order."""
        if not len(rows):
            empty = np.zeros(0, dtype=np.int64)
            return empty, empty, np.zeros(0)
        keys, counts = np.unique(rows * self.size + cols, return_counts=True)
        r, c = keys // self.size, keys % self.size
        values = (np.log(counts.astype(np.float64)) + 1.0) * self.idf[c]
        norms = np.sqrt(np.bincount(r, weights=values * values, minlength=n))
        values = values / norms[r]
        return r, c, values


def _linear(
    n: int, parts: list[tuple[np.ndarray, np.ndarray, np.ndarray]], coef: np.ndarray
) -> np.ndarray:
    """X @ coef for X given as row-sorted blocks of (rows, columns, values), in CSR order.

    Either way each row's products are summed in the same order (CSR order), so the
    results are identical; scipy's sparse product is faster on large batches, and
    small ones (a few notes) skip importing it.
    """
    r = np.concatenate([p[0] for p in parts])
    c = np.concatenate([p[1] for p in parts])
    v = np.concatenate([p[2] for p in parts])
    order = np.argsort(r, kind="stable")  # blocks are column-ordered; keep that within rows
    r, c, v = r[order], c[order], v[order]
    if len(v) < SMALL_PRODUCT:
        out = np.empty((n, coef.shape[1]))
        for k in range(coef.shape[1]):
            out[:, k] = np.bincount(r, weights=v * coef[c, k], minlength=n)
        return out
    from scipy import sparse  # sparse products in C (imported on first use)

    indptr = np.zeros(n + 1, dtype=np.int64)
    np.cumsum(np.bincount(r, minlength=n), out=indptr[1:])
    X = sparse.csr_matrix((v, c, indptr), shape=(n, coef.shape[0]))
    return np.asarray(X @ coef)


def _take_rows(
    block: tuple[np.ndarray, np.ndarray, np.ndarray], n: int, picks: list[int]
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Rows ``picks`` of a row-sorted (rows, columns, values) block, renumbered 0.."""
    r, c, v = block
    starts = np.searchsorted(r, np.arange(n + 1))
    idx = np.asarray(picks, dtype=np.int64)
    lengths = starts[idx + 1] - starts[idx]
    total = int(lengths.sum())
    rows = np.repeat(np.arange(len(idx)), lengths)
    first = np.repeat(starts[idx] - (np.cumsum(lengths) - lengths), lengths)
    offsets = first + np.arange(total)
    return rows, c[offsets], v[offsets]


@dataclass(slots=True)
class Stage1:
    """Stage-1 output for a list of sentence records (text only; no parse needed)."""

    p1: np.ndarray  # (n, len(HEADS)) calibrated text-model probabilities
    types: list[str | None]


def _possible(
    scope: frozenset[str], keys: frozenset[str], further: tuple[frozenset[str], ...]
) -> bool:
    """Whether a feature needing one of ``keys``, and one of each of ``further``, may fire."""
    if "*" not in keys and keys.isdisjoint(scope):
        return False
    return not any(c.isdisjoint(scope) for c in further)


class CompiledClassifier:
    """Predicts exactly as the exported scikit-learn classifier, from plain arrays."""

    def __init__(
        self, params: dict[str, Any], config: dict[str, Any], vocab: dict, arrays: dict
    ) -> None:
        self.params = dict(params)
        self.config = {"format": FORMAT, "text_features": config["text_features"]}
        self.vocab = vocab
        self.arrays = arrays
        self.stack = bool(params.get("stack", True))
        self.calibrate = bool(params.get("calibrate", True))
        text = config["text_features"]
        self.word = TfidfBlock.from_config(text["word"], vocab["word"], arrays["word_idf"])
        self.char = TfidfBlock.from_config(text["char"], vocab["char"], arrays["char_idf"])
        self.context = TfidfBlock.from_config(
            text["context"], vocab["context"], arrays["context_idf"]
        )
        self.offsets = np.cumsum(
            [0, self.word.size, self.char.size, self.context.size, self.context.size]
        )
        width = int(self.offsets[-1])
        self.heads_coef = arrays["heads_coef"]
        self.heads_intercept = arrays["heads_intercept"]
        if self.heads_coef.shape != (width, len(HEADS)):
            raise ValueError("stage-1 coefficients do not match the vocabularies")
        self.calib_a = arrays.get("calib_a")
        self.calib_b = arrays.get("calib_b")
        self.types: list[str] = list(vocab.get("types") or [])
        self.type_coef = arrays.get("type_coef")
        self.type_intercept = arrays.get("type_intercept")
        n_type_cols = 1 if len(self.types) == 2 else len(self.types)
        if self.types and (self.type_coef is None or self.type_coef.shape != (width, n_type_cols)):
            raise ValueError("restriction-type coefficients do not match the vocabularies")
        self.stack_names: list[str] = list(vocab.get("stack") or [])
        self.stack_index = {name: i for i, name in enumerate(self.stack_names)}
        self.stack_coef = arrays.get("stack_coef")
        self.stack_intercept = arrays.get("stack_intercept")
        if self.stack and (
            self.stack_coef is None or self.stack_coef.shape != (len(self.stack_names), len(HEADS))
        ):
            raise ValueError("stage-2 coefficients do not match the stage-2 features")
        if self.stack:
            self.parse_mask = np.array([is_parse_feature(n) for n in self.stack_names], dtype=bool)
            self._gains = self._parse_gains()
            self._bounds: dict[tuple[frozenset[str] | None, bool], np.ndarray] = {}

    # -- what the parse could add ------------------------------------------------------
    def _parse_gains(
        self,
    ) -> list[tuple[frozenset[str], tuple[frozenset[str], ...], np.ndarray]]:
        """Per group of parse features that need the same scope keys (and, on a sentence
        parsed alone, the same further keys): the sum, per head, of their positive
        stage-2 weights (the most they can add; every one is 0/1)."""
        from nlp.analysis.parse_scope import scope_key, solo_scope_keys

        gains: dict[tuple[frozenset[str], tuple[frozenset[str], ...]], np.ndarray] = {}
        for j, name in enumerate(self.stack_names):
            keys = scope_key(name)
            if keys is None:
                continue
            gain = gains.setdefault((keys, solo_scope_keys(name)), np.zeros(len(HEADS)))
            gain += np.maximum(self.stack_coef[j], 0.0)
        return [(keys, solo, gain) for (keys, solo), gain in gains.items()]

    def parse_gain_bound(self, scope: frozenset[str] | None, solo: bool = False) -> np.ndarray:
        """The most a sentence's parse can add to each head's stage-2 decision value.

        ``scope``: what the parse could find there (:mod:`nlp.analysis.parse_scope`);
        None means anything. ``solo``: the sentence is parsed as its own Doc, so a
        feature's further conditions (:func:`~nlp.analysis.parse_scope.solo_scope_keys`)
        hold too. Exact: a sum of the positive weights of every parse feature whose
        scope keys the sentence has.
        """
        bound = self._bounds.get((scope, solo))
        if bound is None:
            bound = np.zeros(len(HEADS))
            for keys, further, gain in self._gains:
                if scope is None or _possible(scope, keys, further if solo else ()):
                    bound += gain
            if len(self._bounds) < 10_000:
                self._bounds[(scope, solo)] = bound
        return bound

    # -- stage 1 ---------------------------------------------------------------------
    def stage1(self, records: Sequence[SentenceRecord]) -> Stage1:
        """Text-model probabilities and restriction types."""
        n = len(records)
        if not n:
            return Stage1(np.zeros((0, len(HEADS))), [])
        texts = [r.text for r in records]
        blocks = [self.word.transform(texts), self.char.transform(texts)]
        # neighbours' texts are mostly other records' texts: featurise each text once
        unique: dict[str, int] = {}
        for r in records:
            unique.setdefault(r.prev, len(unique))
            unique.setdefault(r.next, len(unique))
        context = self.context.transform(list(unique))
        for side in ([r.prev for r in records], [r.next for r in records]):
            r, c, v = _take_rows(context, len(unique), [unique[t] for t in side])
            blocks.append((r, c, v * 0.5))
        parts = [(r, c + self.offsets[k], v) for k, (r, c, v) in enumerate(blocks)]
        coef = self.heads_coef
        if self.types:
            coef = np.hstack([coef, self.type_coef])
        scores = _linear(n, parts, coef)
        d = scores[:, : len(HEADS)] + self.heads_intercept
        if self.calibrate:
            p1 = sigmoid(-(self.calib_a * d + self.calib_b))
            p1[(p1 > 1.0) & (p1 <= 1.0 + 1e-5)] = 1.0
        else:
            p1 = sigmoid(d)
        types: list[str | None] = [None] * n
        if self.types:
            t = scores[:, len(HEADS) :] + self.type_intercept
            if t.shape[1] == 1:  # two classes: one decision value
                picks = (t[:, 0] > 0).astype(int).tolist()
            else:
                picks = t.argmax(axis=1).tolist()
            types = [self.types[i] for i in picks]
        return Stage1(p1, types)

    # -- stage 2 ---------------------------------------------------------------------
    def stage2_logits(
        self, records: Sequence[SentenceRecord], p1: np.ndarray, known_only: bool = False
    ) -> np.ndarray:
        """Stage-2 decision values; ``known_only`` leaves out the parse-dependent features.

        The same features as :func:`~nlp.prediction.features.stack_features` (the
        evidence dict of each record, then the stage-1 scores of it and its
        neighbours and their interactions, computed here as arrays).
        """
        n = len(records)
        coef = self.stack_coef
        index = self.stack_index
        parse = self.parse_mask
        rows: list[int] = []
        cols: list[int] = []
        vals: list[float] = []
        for i, rec in enumerate(records):
            for name, value in rec.evidence.items():
                j = index.get(name)
                if j is not None and not (known_only and parse[j]):
                    rows.append(i)
                    cols.append(j)
                    vals.append(value)
        r = np.asarray(rows, dtype=np.int64)
        c = np.asarray(cols, dtype=np.int64)
        v = np.asarray(vals, dtype=np.float64)
        out = np.empty((n, len(HEADS)))
        for k in range(len(HEADS)):
            out[:, k] = np.bincount(r, weights=v * coef[c, k], minlength=n)
        if not n:
            return out + self.stack_intercept
        groups = [rec.group for rec in records]
        same_prev = np.array([False] + [a == b for a, b in pairwise(groups)])
        same_next = np.append(same_prev[1:], False)
        reason_near = np.array([rec.evidence.get("rule:reason_nearby", 0.0) for rec in records])
        prev_p = np.where(same_prev[:, None], np.roll(p1, 1, axis=0), 0.0)
        next_p = np.where(same_next[:, None], np.roll(p1, -1, axis=0), 0.0)

        def add(name: str, values: np.ndarray) -> None:
            j = index.get(name)
            if j is not None:
                out[:] += values[:, None] * coef[j]

        for k, head in enumerate(HEADS):
            add(f"p:{head}", p1[:, k])
            add(f"p:{head}:no_reason_near", p1[:, k] * (1.0 - reason_near))
            add(f"p:{head}:prev", prev_p[:, k])
            add(f"p:{head}:next", next_p[:, k])
        for key in RESTRICTION_INTERACTIONS:
            evidence = np.array([rec.evidence.get(key, 0.0) for rec in records])
            add(f"p:restriction*{key}", p1[:, 1] * evidence)
        return out + self.stack_intercept

    def predict_with_types(
        self, records: Sequence[SentenceRecord], stage1: Stage1 | None = None
    ) -> tuple[np.ndarray, list[str | None]]:
        """Head probabilities and restriction types (as the scikit-learn classifier)."""
        s1 = stage1 if stage1 is not None else self.stage1(records)
        if not self.stack or not len(records):
            return s1.p1, s1.types
        return sigmoid(self.stage2_logits(records, s1.p1)), s1.types

    def predict_proba(self, records: Sequence[SentenceRecord]) -> np.ndarray:
        return self.predict_with_types(records)[0]


def logit(p: float) -> float:
    """The decision value whose sigmoid is ``p`` (thresholds as decision values)."""
    p = min(max(p, 1e-12), 1 - 1e-12)
    return math.log(p / (1.0 - p))


def export_state(clf: Any) -> tuple[dict[str, Any], dict[str, Any], dict[str, np.ndarray]]:
    """(config, vocab, arrays) of a fitted ``SklearnSentenceClassifier``."""

    def terms(vec: Any) -> list[str]:
        out = [""] * len(vec.vocabulary_)
        for term, j in vec.vocabulary_.items():
            out[int(j)] = term
        return out

    def settings(vec: Any) -> dict[str, Any]:
        return {
            "analyzer": vec.analyzer,
            "ngram_range": list(vec.ngram_range),
            "token_pattern": vec.token_pattern if vec.analyzer == "word" else None,
            "lowercase": vec.lowercase,
            "sublinear_tf": vec.sublinear_tf,
            "norm": vec.norm,
            "stop_words": vec.stop_words,
        }

    config = {
        "format": FORMAT,
        "text_features": {
            "word": settings(clf.word_),
            "char": settings(clf.char_),
            "context": settings(clf.context_),
        },
    }
    vocab: dict[str, Any] = {
        "word": terms(clf.word_),
        "char": terms(clf.char_),
        "context": terms(clf.context_),
    }
    arrays: dict[str, np.ndarray] = {
        "word_idf": clf.word_.idf_,
        "char_idf": clf.char_.idf_,
        "context_idf": clf.context_.idf_,
    }
    coef, intercept, cal_a, cal_b = [], [], [], []
    for head in HEADS:
        model = clf.heads_[head]
        if clf.calibrate:
            (cc,) = model.calibrated_classifiers_
            base, (calibrator,) = cc.estimator, cc.calibrators
            cal_a.append(calibrator.a_)
            cal_b.append(calibrator.b_)
        else:
            base = model
        coef.append(base.coef_[0])
        intercept.append(base.intercept_[0])
    arrays["heads_coef"] = np.column_stack(coef)
    arrays["heads_intercept"] = np.asarray(intercept, dtype=np.float64)
    if clf.calibrate:
        arrays["calib_a"] = np.asarray(cal_a, dtype=np.float64)
        arrays["calib_b"] = np.asarray(cal_b, dtype=np.float64)
    if clf.type_ is not None:
        vocab["types"] = [str(c) for c in clf.type_.classes_]
        arrays["type_coef"] = np.ascontiguousarray(clf.type_.coef_.T)
        arrays["type_intercept"] = np.asarray(clf.type_.intercept_, dtype=np.float64)
    if clf.stack_vec_ is not None:
        vocab["stack"] = list(clf.stack_vec_.feature_names_)
        arrays["stack_coef"] = np.column_stack([clf.stack_heads_[h].coef_[0] for h in HEADS])
        arrays["stack_intercept"] = np.asarray(
            [clf.stack_heads_[h].intercept_[0] for h in HEADS], dtype=np.float64
        )
    return config, vocab, arrays
