"""A spaCy ``Matcher`` split by anchor word: run only the patterns a doc can match.

spaCy's ``Matcher`` steps every pattern at every token, so hundreds of patterns cost
milliseconds per sentence even when the sentence holds none of their words. Most of
our patterns need a fixed word somewhere (``{"LEMMA": "lock"}``, ``{"LOWER": {"IN":
["sensor", "pressure"]}}``). :class:`AnchoredMatcher` picks, for each pattern, one
required token with such a word list (its *anchor*), groups patterns by anchor into
small ``Matcher`` objects, and runs on a doc only the groups whose anchor words occur
in it (looked up from one ``Doc.to_array`` call); a group is keyed by up to two
such tokens, and runs only when both occur. Which groups qualify is found with set
operations on two word indexes (first and second anchor), not a test per group: the
task-shorthand patterns form thousands of groups, dozens per common word. A pattern
with no anchor runs on every doc.

The matches are exactly those of one ``Matcher`` holding every pattern (a pattern
that cannot match is simply not run), in one fixed order: by end token, then the
later start first, then the order the keys were added. That is ``Matcher``'s own
order except, rarely, among matches of different patterns that end together.

The selected groups run together over the doc's attribute columns
(:mod:`nlp.analysis.components.token_patterns`: ``Matcher``'s state machine without a
Python ``Token`` per position and group); a group with a pattern that module cannot
read runs on its own spaCy ``Matcher``.
"""

from __future__ import annotations

from spacy.attrs import IDS
from spacy.errors import Errors
from spacy.matcher import Matcher
from spacy.tokens import Doc
from spacy.vocab import Vocab

from nlp.analysis.components.token_patterns import (
    Columns,
    CompiledPattern,
    TokenTestTable,
    compile_pattern,
    find_matches,
    pattern_attrs,
)

ANCHOR_ATTRS: tuple[str, ...] = ("LOWER", "LEMMA", "NORM", "ORTH", "TEXT")
REQUIRED_OPS = (None, "+")  # a token that must be present in every match


Anchor = tuple[str, frozenset[str]]  # (token attribute, words one of which must occur)


def anchors_of(pattern: list[dict], limit: int = 2) -> tuple[Anchor, ...]:
    """Up to ``limit`` required tokens' word lists, shortest first (each must occur)."""
    found: list[Anchor] = []
    for spec in pattern:
        if spec.get("OP") not in REQUIRED_OPS:
            continue
        best: Anchor | None = None
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
        if best is not None and best not in found:
            found.append(best)
    found.sort(key=lambda a: len(a[1]))  # stable: earlier tokens first among equals
    return tuple(found[:limit])


class AnchoredMatcher:
    """Same matches as one ``Matcher`` over all patterns, only relevant groups run."""

    def __init__(self, vocab: Vocab, validate: bool = False) -> None:
        self.vocab = vocab
        self.validate = validate  # as Matcher's: check each pattern against spaCy's schema
        self._groups: dict[tuple[Anchor, ...], list[tuple[str, list]]] = {}
        self._matchers: dict[tuple[Anchor, ...], Matcher] = {}
        self._key_order: dict[int, int] = {}
        self._index: dict[str, dict[int, set]] = {}  # attr -> word id -> groups (1st anchor)
        self._second: dict[str, dict[int, set]] = {}  # the same for groups' second anchors
        self._single: set[tuple[Anchor, ...]] = set()  # groups with one anchor
        self._attrs: list[str] = []  # every attribute an anchor reads
        # per group, compiled when first run: its patterns for find_matches (None: its
        # spaCy Matcher runs instead)
        self._compiled: dict[tuple[Anchor, ...], list[tuple[int, CompiledPattern]] | None] = {}
        self._tests = TokenTestTable()
        self._columns: list[str] = []  # every attribute an anchor or compiled pattern reads

    def __len__(self) -> int:
        return sum(len(entries) for entries in self._groups.values())

    def add(self, key: str, patterns: list[list[dict]]) -> None:
        """Add ``patterns`` under match key ``key`` (as ``Matcher.add``)."""
        strings = self.vocab.strings
        self._key_order.setdefault(strings.add(key), len(self._key_order))
        for pattern in patterns:
            group = anchors_of(pattern)
            self._groups.setdefault(group, []).append((key, pattern))
            self._matchers.pop(group, None)  # recompiled when next needed
            self._compiled.pop(group, None)
            self._columns = sorted({*self._columns, *pattern_attrs(pattern)})
            if group:
                self._attrs = sorted({*self._attrs, *(attr for attr, _ in group)})
                self._columns = sorted({*self._columns, *self._attrs})
                if len(group) == 1:
                    self._single.add(group)
                for (attr, words), index in zip(group, (self._index, self._second), strict=False):
                    by_word = index.setdefault(attr, {})
                    for word in words:
                        by_word.setdefault(strings.add(word), set()).add(group)

    def _matcher(self, group: tuple[Anchor, ...]) -> Matcher:
        matcher = self._matchers.get(group)
        if matcher is None:
            matcher = self._matchers[group] = Matcher(self.vocab, validate=self.validate)
            for key, pattern in self._groups[group]:
                matcher.add(key, [pattern])
        return matcher

    def compiled(self, group: tuple[Anchor, ...]) -> list[tuple[int, CompiledPattern]] | None:
        """The group's patterns compiled for ``find_matches``; None: one is not readable."""
        if group in self._compiled:
            return self._compiled[group]
        strings = self.vocab.strings
        entries: list[tuple[int, CompiledPattern]] | None = []
        for key, pattern in self._groups[group]:
            compiled = compile_pattern(pattern, strings, self._tests)
            if compiled is None:
                entries = None
                break
            entries.append((strings.add(key), compiled))
        self._compiled[group] = entries
        return entries

    def compile(self) -> None:
        """Build every group's ``Matcher`` now (a bad pattern fails here, not mid-audit)."""
        for group in self._groups:
            self._matcher(group)

    def anchors_in(self, doc: Doc) -> set:
        """The groups whose anchor words all occur in ``doc`` (plus unanchored patterns)."""
        return self._anchors(doc, self._read(doc))

    def _read(self, doc: Doc) -> dict[str, list[int]]:
        """The doc's values of every attribute an anchor or a compiled pattern reads."""
        if not len(doc) or not self._columns:
            return {}
        attrs = self._columns
        values = doc.to_array([IDS[a] for a in attrs])
        columns = values.T.tolist() if values.ndim == 2 else [values.tolist()]
        return dict(zip(attrs, columns, strict=True))

    def _anchors(self, doc: Doc, columns: dict[str, list[int]]) -> set:
        found: set = {()} if () in self._groups else set()
        if not len(doc) or not self._index:
            return found
        if "LEMMA" in self._attrs and not doc.has_annotation("LEMMA"):
            raise ValueError(Errors.E155.format(pipe="lemmatizer", attr="LEMMA"))
        present = {a: set(columns[a]) for a in self._attrs}
        first = _groups_with(self._index, present)
        if not first:
            return found
        found |= first & self._single
        found |= first & _groups_with(self._second, present)
        return found

    def __call__(self, doc: Doc) -> list[tuple[int, int, int]]:
        """(match id, start, end) in ``Matcher`` order: end, later start, key added first."""
        columns = self._read(doc)
        found: set[tuple[int, int, int]] = set()
        patterns: list[tuple[int, CompiledPattern]] = []
        for group in self._anchors(doc, columns):
            compiled = self.compiled(group)
            if compiled is None:
                found.update(self._matcher(group)(doc))
            else:
                patterns.extend(compiled)
        if patterns:
            for attr in sorted({a for _, p in patterns for a in p.annotated}):
                if not doc.has_annotation(attr):  # as spaCy's Matcher would
                    raise ValueError(Errors.E155.format(pipe=_PIPES[attr], attr=attr))
            found |= find_matches(
                patterns, Columns(columns, len(doc), doc.vocab.strings, self._tests)
            )
        order = self._key_order
        return sorted(found, key=lambda m: (m[2], -m[1], order.get(m[0], len(order))))


_PIPES = {
    "TAG": "tagger",
    "POS": "morphologizer or tagger+attribute_ruler",
    "MORPH": "morphologizer or tagger+attribute_ruler",
    "LEMMA": "lemmatizer",
    "DEP": "parser",
}


def _groups_with(index: dict[str, dict[int, set]], present: dict[str, set[int]]) -> set:
    """The groups of ``index`` one of whose words (per attribute) is in ``present``."""
    groups: set = set()
    for attr, by_word in index.items():
        for value in present[attr]:
            hit = by_word.get(value)
            if hit:
                groups |= hit
    return groups
