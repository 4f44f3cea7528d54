"""A spaCy ``Matcher`` split by anchor word: run only the patterns a doc can match.

spaCy's ``Matcher`` steps every pattern at every token, so hundreds of patterns cost
milliseconds per sentence even when the sentence holds none of their words. Most of
our patterns need a fixed word somewhere (``{"LEMMA": "lock"}``, ``{"LOWER": {"IN":
["sensor", "pressure"]}}``). :class:`AnchoredMatcher` picks, for each pattern, one
required token with such a word list (its *anchor*), groups patterns by anchor into
small ``Matcher`` objects, and runs on a doc only the groups whose anchor words occur
in it (looked up from one ``Doc.to_array`` call). A pattern with no anchor runs on
every doc.

The matches are exactly those of one ``Matcher`` holding every pattern (a pattern
that cannot match is simply not run), in one fixed order: by end token, then the
later start first, then the order the keys were added. That is ``Matcher``'s own
order except, rarely, among matches of different patterns that end together.
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np
from spacy.attrs import IDS
from spacy.matcher import Matcher
from spacy.tokens import Doc
from spacy.vocab import Vocab

ANCHOR_ATTRS: tuple[str, ...] = ("LOWER", "LEMMA", "NORM", "ORTH", "TEXT")
REQUIRED_OPS = (None, "+", "1")  # a token that must be present in every match


def anchor_of(pattern: list[dict]) -> tuple[str, frozenset[str]] | None:
    """The required token whose word list is shortest: (attribute, words), or None."""
    best: tuple[str, frozenset[str]] | None = None
    for spec in pattern:
        if spec.get("OP") not in REQUIRED_OPS:
            continue
        for attr in ANCHOR_ATTRS:
            value = spec.get(attr)
            if isinstance(value, str):
                words = frozenset([value])
            elif isinstance(value, dict) and set(value) == {"IN"}:
                words = frozenset(value["IN"])
            else:
                continue
            if best is None or len(words) < len(best[1]):
                best = ("ORTH" if attr == "TEXT" else attr, words)
    return best


class AnchoredMatcher:
    """Same matches as one ``Matcher`` over all patterns, only relevant groups run."""

    def __init__(self, vocab: Vocab) -> None:
        self.vocab = vocab
        self._groups: dict[tuple[str, frozenset[str]] | None, list[tuple[str, list]]] = {}
        self._matchers: dict[tuple[str, frozenset[str]] | None, Matcher] = {}
        self._key_order: dict[int, int] = {}
        self._index: dict[str, dict[int, set]] = {}  # attr -> word hash -> anchors

    def __len__(self) -> int:
        return sum(len(patterns) for _, patterns in self._all())

    def _all(self) -> Iterable[tuple[str, list]]:
        for entries in self._groups.values():
            yield from entries

    def add(self, key: str, patterns: list[list[dict]]) -> None:
        """Add ``patterns`` under match key ``key`` (as ``Matcher.add``)."""
        self._key_order.setdefault(self.vocab.strings.add(key), len(self._key_order))
        for pattern in patterns:
            anchor = anchor_of(pattern)
            self._groups.setdefault(anchor, []).append((key, pattern))
            self._matchers.pop(anchor, None)  # recompiled when next needed
            if anchor is not None:
                attr, words = anchor
                by_word = self._index.setdefault(attr, {})
                for word in words:
                    by_word.setdefault(self.vocab.strings.add(word), set()).add(anchor)

    def _matcher(self, anchor: tuple[str, frozenset[str]] | None) -> Matcher:
        matcher = self._matchers.get(anchor)
        if matcher is None:
            matcher = self._matchers[anchor] = Matcher(self.vocab)
            for key, pattern in self._groups[anchor]:
                matcher.add(key, [pattern])
        return matcher

    def anchors_in(self, doc: Doc) -> set:
        """The groups whose anchor words occur in ``doc`` (plus unanchored patterns)."""
        found: set = {None} if None in self._groups else set()
        if not len(doc) or not self._index:
            return found
        attrs = list(self._index)
        values = doc.to_array([IDS[a] for a in attrs])
        if values.ndim == 1:
            values = values.reshape(-1, 1)
        for column, attr in enumerate(attrs):
            by_word = self._index[attr]
            for value in np.unique(values[:, column]).tolist():
                anchors = by_word.get(value)
                if anchors:
                    found |= anchors
        return found

    def __call__(self, doc: Doc) -> list[tuple[int, int, int]]:
        """(match id, start, end) in ``Matcher`` order: end, later start, key added first."""
        found: set[tuple[int, int, int]] = set()
        for anchor in self.anchors_in(doc):
            found.update(self._matcher(anchor)(doc))
        order = self._key_order
        return sorted(found, key=lambda m: (m[2], -m[1], order.get(m[0], len(order))))
