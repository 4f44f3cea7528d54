"""``careaudit_attribute_ruler``: spaCy's ``AttributeRuler`` with an indexed matcher.

The English model's attribute ruler (tag map, morphology and lemma exceptions:
179 one- and two-token rules) matches with spaCy's general ``Matcher``, which
calls a Python predicate for every ``IN``/``NOT_IN``/``REGEX`` value at every
token: measured here it cost as much as the tagger and parser together. This
subclass finds the same matches by memoising, per distinct tuple of the token
attributes the rules read, which one-token rules match (a handful of multi-token
rules are checked in place); it sorts them and applies them exactly as
``AttributeRuler`` does (same rule precedence, same attributes). Rules it cannot
read (operators, other attributes or predicates) make it use the ``Matcher``.
``tests/prediction/test_parse_scope.py`` compares both on the annotated corpus.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from spacy import attrs
from spacy.language import Language
from spacy.pipeline import AttributeRuler
from spacy.tokens import Doc, Token

FACTORY = "careaudit_attribute_ruler"
ATTRS: dict[str, Callable[[Token], Any]] = {
    "LOWER": lambda t: t.lower_,
    "TAG": lambda t: t.tag_,
    "DEP": lambda t: t.dep_,
    "ORTH": lambda t: t.text,
    "TEXT": lambda t: t.text,
    "POS": lambda t: t.pos_,
    "LEMMA": lambda t: t.lemma_,
    "IS_SPACE": lambda t: t.is_space,
    "IS_PUNCT": lambda t: t.is_punct,
}

# attributes read in one Doc.to_array call: (spaCy attribute id, whether it is a string)
ARRAY_ATTRS: dict[str, tuple[int, bool]] = {
    "LOWER": (attrs.LOWER, True),
    "TAG": (attrs.TAG, True),
    "DEP": (attrs.DEP, True),
    "ORTH": (attrs.ORTH, True),
    "TEXT": (attrs.ORTH, True),
    "LEMMA": (attrs.LEMMA, True),
    "IS_SPACE": (attrs.IS_SPACE, False),
    "IS_PUNCT": (attrs.IS_PUNCT, False),
}
ValueTest = Callable[[Any], bool]


@Language.factory(
    FACTORY,
    default_config={
        "validate": False,
        "scorer": {"@scorers": "spacy.attribute_ruler_scorer.v1"},
    },
)
def make_indexed_attribute_ruler(
    nlp: Language, name: str, validate: bool, scorer: Callable | None
) -> IndexedAttributeRuler:
    return IndexedAttributeRuler(nlp.vocab, name, validate=validate, scorer=scorer)


def _test(value: Any) -> ValueTest | None:
    """A test of one attribute value of a token spec (str/bool, IN, NOT_IN, REGEX)."""
    if isinstance(value, dict):
        if len(value) != 1:
            return None
        ((op, arg),) = value.items()
        if op == "IN":
            allowed = frozenset(arg)
            return lambda x: x in allowed
        if op == "NOT_IN":
            banned = frozenset(arg)
            return lambda x: x not in banned
        if op == "REGEX":
            regex = re.compile(arg)
            return lambda x: regex.search(x) is not None
        return None
    if isinstance(value, str | bool):
        return lambda x: x == value
    return None


class _Rule:
    """One pattern of one attribute rule: per token, tests on attribute values."""

    def __init__(self, attr_id: int, match_id: int, pattern: list[dict[str, Any]]) -> None:
        self.attr_id = attr_id
        self.match_id = match_id
        self.pattern = pattern
        self.length = len(pattern)
        self.specs: list[list[tuple[str, ValueTest]]] = []
        self.supported = bool(pattern)
        for spec in pattern:
            tests = []
            for attr, value in spec.items():
                test = _test(value)
                if attr not in ATTRS or test is None:
                    self.supported = False
                    return
                tests.append((attr, test))
            self.specs.append(tests)

    def bind(self, attrs: list[str]) -> None:
        """Resolve attribute names to positions in the token keys."""
        self.bound = [[(attrs.index(a), t) for a, t in spec] for spec in self.specs]

    def matches_key(self, k: int, key: tuple[Any, ...]) -> bool:
        return all(test(key[i]) for i, test in self.bound[k])


class IndexedAttributeRuler(AttributeRuler):
    """An ``AttributeRuler`` whose matches come from memoised token keys, not the ``Matcher``.

    A one-token rule matches a token or not by the values of the attributes the
    rules read (``LOWER``, ``TAG``, ``DEP``, ...), so its result is memoised per
    distinct tuple of those values; the few multi-token rules are checked in place.
    """

    _index_size = -1

    def clear(self) -> None:
        super().clear()
        self._index_size = -1  # rules changed: rebuild the index before the next match

    def add(self, *args: Any, **kwargs: Any) -> None:
        super().add(*args, **kwargs)
        self._index_size = -1

    def _build_index(self) -> None:
        rules: list[_Rule] = []
        self._fallback = False
        for attr_id in range(len(self.attrs)):
            key = str(attr_id)
            match_id = self.vocab.strings.add(key)
            for pattern in self.matcher.get(key)[1]:
                rule = _Rule(attr_id, match_id, pattern)
                if not rule.supported:
                    self._fallback = True
                    return
                rules.append(rule)
        self._attrs = sorted({a for rule in rules for spec in rule.specs for a, _ in spec})
        self._getters = [ATTRS[a] for a in self._attrs]
        self._array_attrs = (
            [ARRAY_ATTRS[a][0] for a in self._attrs]
            if all(a in ARRAY_ATTRS for a in self._attrs)
            else None
        )
        for rule in rules:
            rule.bind(self._attrs)
        self._patterns_for: dict[str, tuple[frozenset[int], list[re.Pattern]]] = {}
        self._reduce = self._reducible(rules)
        self._single = [r for r in rules if r.length == 1]
        self._multi = [r for r in rules if r.length > 1]
        # per token key: the one-token rules it matches, and the longer rules it can start
        self._memo: dict[tuple[Any, ...], tuple[list[tuple[int, int]], list[_Rule], tuple]] = {}
        self._index_size = len(self.attrs)

    def _reducible(self, rules: list[_Rule]) -> list[dict[int, int] | None]:
        """Per key position, a memo mapping a string id to itself or to 0.

        Where every rule tests an attribute by equality, ``IN`` or ``REGEX`` (not
        ``NOT_IN``), a value no rule names and no regex matches matches no rule at
        all: it is replaced by 0 (the empty string, which no rule names either), so
        every such word shares one key and the memo stays small. None: keep values.
        """
        if self._array_attrs is None:
            return [None] * len(self._attrs)
        named: dict[str, set[str] | None] = {a: set() for a in self._attrs}
        regexes: dict[str, list[re.Pattern]] = {a: [] for a in self._attrs}
        for rule in rules:
            for spec in rule.pattern:
                for attr, value in spec.items():
                    if named.get(attr) is None:
                        continue
                    if isinstance(value, str):
                        named[attr].add(value)
                    elif isinstance(value, dict) and set(value) == {"IN"}:
                        named[attr].update(value["IN"])
                    elif isinstance(value, dict) and set(value) == {"REGEX"}:
                        regexes[attr].append(re.compile(value["REGEX"]))
                    else:
                        named[attr] = None  # NOT_IN, flags: every value may matter
        out: list[dict[int, int] | None] = []
        for attr in self._attrs:
            words = named[attr]
            matches_empty = any(rx.search("") for rx in regexes[attr])
            if words is None or not ARRAY_ATTRS[attr][1] or "" in words or matches_empty:
                out.append(None)
            else:
                self._patterns_for[attr] = (
                    frozenset(self.vocab.strings.add(w) for w in words),
                    regexes[attr],
                )
                out.append({})
        return out

    def _reduced(self, pos: int, value: int, strings: Any) -> int:
        """``value`` if some rule may match it at key position ``pos``, else 0 (memoised)."""
        memo = self._reduce[pos]
        if memo is None:
            return value
        kept = memo.get(value)
        if kept is None:
            ids, regexes = self._patterns_for[self._attrs[pos]]
            keep = value in ids or any(rx.search(strings[value]) for rx in regexes)
            kept = value if keep else 0
            if len(memo) < 200_000:
                memo[value] = kept
        return kept

    def _decode(self, key: tuple[Any, ...], strings: Any) -> tuple[Any, ...]:
        """Attribute values from the ints of ``Doc.to_array`` (strings and flags)."""
        if self._array_attrs is None:
            return key
        return tuple(
            strings[v] if ARRAY_ATTRS[a][1] else bool(v)
            for a, v in zip(self._attrs, key, strict=True)
        )

    def _entry(
        self, key: tuple[Any, ...], strings: Any
    ) -> tuple[list[tuple[int, int]], list[_Rule], tuple[Any, ...]]:
        """For one token key: the one-token rules it matches, the longer rules it can
        start, and its decoded attribute values (memoised per key)."""
        entry = self._memo.get(key)
        if entry is None:
            values = self._decode(key, strings)
            entry = (
                [(r.attr_id, r.match_id) for r in self._single if r.matches_key(0, values)],
                [r for r in self._multi if r.matches_key(0, values)],
                values,
            )
            if len(self._memo) < 100_000:
                self._memo[key] = entry
        return entry

    def match(self, doc: Doc) -> list[tuple[int, int, int, int]]:
        """The matches ``AttributeRuler.match`` returns: (rule, match id, start, end), sorted."""
        if self._index_size != len(self.attrs):
            self._build_index()
        if self._fallback:
            return super().match(doc)
        if self._array_attrs is not None:  # the values as ints, in one call
            codes = doc.to_array(self._array_attrs).tolist() if len(doc) else []
            width = len(self._attrs)
            rows = codes if width > 1 else [[c] for c in codes]
            strings = doc.vocab.strings
            reduce = [k for k in range(width) if self._reduce[k] is not None]
            keys = []
            for row in rows:
                for k in reduce:
                    row[k] = self._reduced(k, row[k], strings)
                keys.append(tuple(row))
        else:
            getters = self._getters
            keys = [tuple(get(t) for get in getters) for t in doc]
        strings = doc.vocab.strings
        found: set[tuple[int, int, int, int]] = set()
        entries = [self._entry(key, strings) for key in keys]
        for i, (hits, starts, _) in enumerate(entries):
            for attr_id, match_id in hits:
                found.add((attr_id, match_id, i, i + 1))
            for rule in starts:
                end = i + rule.length
                if end <= len(keys) and all(
                    rule.matches_key(k, entries[i + k][2]) for k in range(1, rule.length)
                ):
                    found.add((rule.attr_id, rule.match_id, i, end))
        return sorted(found)


def use_indexed_attribute_ruler(nlp: Language, name: str = "attribute_ruler") -> None:
    """Swap a pipeline's ``AttributeRuler`` for the indexed one, with the same rules."""
    if name not in nlp.pipe_names or type(nlp.get_pipe(name)) is not AttributeRuler:
        return
    patterns = nlp.get_pipe(name).patterns
    ruler = nlp.replace_pipe(name, FACTORY)
    ruler.add_patterns(patterns)
    ruler._build_index()  # now, not inside a caller's spaCy memory zone
