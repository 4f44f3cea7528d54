"""Token patterns matched over a Doc's attribute arrays, as spaCy's ``Matcher`` matches them.

spaCy's ``Matcher`` makes a Python ``Token`` for every position of a doc on every call
(twice), and one call per pattern group is what :class:`AnchoredMatcher` makes: on long
care plans that was most of the matching time. :func:`compile_pattern` turns a pattern
into steps (quantifier, token test) and :func:`find_matches` runs them over integer
columns from one ``Doc.to_array`` call, with ``Matcher``'s own state machine
(``find_matches``/``transition_states``/``finish_states`` in spaCy's ``matcher.pyx``,
ported action for action), so the matches are the same ``(match id, start, end)`` set.
Starts where none of a pattern's leading tests holds are skipped (spaCy rejects them on
the first token). Patterns with anything else (extensions, fuzzy, comparison
operators, other attributes) are not compiled: their group keeps spaCy's ``Matcher``.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from spacy.strings import StringStore, get_string_id

# quantifiers, as spaCy's matcher.pxd names them
ONE, ZERO, ZERO_ONE, ZERO_PLUS = "1", "!", "?", "*"
_OPS: dict[str, tuple[str, ...]] = {
    "*": (ZERO_PLUS,),
    "+": (ONE, ZERO_PLUS),
    "?": (ZERO_ONE,),
    "1": (ONE,),
    "!": (ZERO,),
}
# attributes a test may read (all in ``Doc.to_array``); TEXT is ORTH, as in the Matcher
STRING_ATTRS = frozenset({"ORTH", "LOWER", "NORM", "LEMMA", "POS", "TAG", "DEP", "SHAPE"})
FLAG_ATTRS = frozenset(
    {"IS_ALPHA", "IS_DIGIT", "IS_PUNCT", "IS_SPACE", "IS_STOP", "LIKE_NUM", "IS_TITLE"}
)
# attributes whose missing annotation makes spaCy's Matcher raise E155
ANNOTATED = frozenset({"TAG", "POS", "MORPH", "LEMMA", "DEP"})

TokenTest = tuple[tuple[str, Any], ...]  # ((attr, frozenset of ids | ("RE", pattern)), ...)


@dataclass(frozen=True, slots=True)
class CompiledPattern:
    """A pattern as ``Matcher`` compiles it: per step a quantifier, a token test (its id in a
    :class:`TokenTestTable`) and whether it is the last step."""

    steps: tuple[tuple[str, int, bool], ...]
    required: tuple[int, ...]  # tests of steps that must match a token (not the empty test)
    lead: tuple[int, ...]  # the tests one of which must hold where a match starts
    attrs: frozenset[str]  # attributes its tests read
    annotated: frozenset[str]  # plain-valued attributes the Matcher checks annotation for


class TokenTestTable:
    """Token tests by id, each stored once (patterns share them: 'his|her|the', 'done')."""

    def __init__(self) -> None:
        self.tests: list[TokenTest] = []
        self._ids: dict[TokenTest, int] = {}

    def id(self, test: TokenTest) -> int:
        found = self._ids.get(test)
        if found is None:
            found = self._ids[test] = len(self.tests)
            self.tests.append(test)
        return found


def pattern_attrs(pattern: Sequence[dict[str, Any]]) -> frozenset[str]:
    """The readable attributes a pattern's specs name (before compiling it)."""
    names = {k.upper() for spec in pattern if isinstance(spec, dict) for k in spec}
    names = {"ORTH" if n == "TEXT" else n for n in names}
    return frozenset(names & (STRING_ATTRS | FLAG_ATTRS))


def _operators(op: Any) -> tuple[str, ...] | None:
    """``Matcher``'s expansion of an ``OP`` value; None when not understood."""
    if op is None:
        return (ONE,)
    if not isinstance(op, str):
        return None
    if op in _OPS:
        return _OPS[op]
    if not (op.startswith("{") and op.endswith("}")):
        return None
    body = op[1:-1] if "," in op else f"{op[1:-1]},{op[1:-1]}"
    n, m = body.split(",", 1)
    if (not n.isdecimal() and not m.isdecimal()) or (
        n.isdecimal() and m.isdecimal() and int(n) > int(m)
    ):
        return None
    head = (ONE,) * int(n or 0)
    return head + ((ZERO_ONE,) * (int(m) - int(n or 0)) if m else (ZERO_PLUS,))


def _test(attr: str, value: Any, strings: StringStore) -> tuple[str, Any] | None:
    """One attribute test of a token spec, on the attribute's integer value."""
    if attr in FLAG_ATTRS:
        return (attr, frozenset({int(value)})) if isinstance(value, bool) else None
    if attr not in STRING_ATTRS:
        return None
    if isinstance(value, str):
        return attr, frozenset({strings.add(value)})
    if isinstance(value, dict) and len(value) == 1:
        ((op, arg),) = value.items()
        if op in ("IN", "NOT_IN") and isinstance(arg, list | tuple):
            if not all(isinstance(v, str) for v in arg):
                return None
            ids = frozenset(get_string_id(v) for v in arg)
            return attr, ids if op == "IN" else ("NOT", ids)
        if op == "REGEX" and isinstance(arg, str):
            return attr, ("RE", re.compile(arg))
    return None


def compile_pattern(
    pattern: Sequence[dict[str, Any]], strings: StringStore, table: TokenTestTable
) -> CompiledPattern | None:
    """The pattern's steps, or None when it uses anything :func:`find_matches` cannot read."""
    steps: list[tuple[str, TokenTest]] = []
    annotated: set[str] = set()
    for spec in pattern:
        if not isinstance(spec, dict):
            return None
        if not spec:  # an empty spec is any one token, whatever else
            steps.append((ONE, ()))
            continue
        if not all(isinstance(k, str) for k in spec):
            return None
        ops = _operators(next((v for k, v in spec.items() if k.upper() == "OP"), None))
        if ops is None:
            return None
        tests = []
        for key, value in spec.items():
            attr = key.upper()
            if attr == "OP":
                continue
            attr = "ORTH" if attr == "TEXT" else attr
            test = _test(attr, value, strings)
            if test is None:
                return None
            if attr in ANNOTATED and not isinstance(value, dict):
                annotated.add(attr)
            tests.append(test)
        steps.extend((op, tuple(tests)) for op in ops)
    lead: list[TokenTest] = []
    for quantifier, test in steps:
        lead.append(test)
        if quantifier in (ONE, ZERO):
            break
    if any(q == ZERO for q, _ in steps[: len(lead)]):
        lead = [()]  # a negated test may start a match on any token
    last = len(steps) - 1
    return CompiledPattern(
        steps=tuple((q, table.id(t), j == last) for j, (q, t) in enumerate(steps)),
        required=tuple(table.id(t) for q, t in steps if q == ONE and t),
        lead=tuple(table.id(t) for t in lead),
        attrs=frozenset(a for _, test in steps for a, _ in test),
        annotated=frozenset(annotated),
    )


class Columns:
    """A doc's attribute values as integer lists, and where each token test holds
    (found once per doc and test, from each attribute's value -> positions index)."""

    def __init__(
        self,
        columns: dict[str, list[int]],
        length: int,
        strings: StringStore,
        table: TokenTestTable,
    ) -> None:
        self.columns = columns
        self.length = length
        self.strings = strings
        self.tests = table.tests
        self._index: dict[str, dict[int, list[int]]] = {}
        self._hits: dict[int, frozenset[int] | None] = {}

    def _positions(self, attr: str) -> dict[int, list[int]]:
        index = self._index.get(attr)
        if index is None:
            index = self._index[attr] = {}
            for i, value in enumerate(self.columns[attr]):
                index.setdefault(value, []).append(i)
        return index

    def hits(self, test: int) -> frozenset[int] | None:
        """The positions whose token passes test ``test``; None: every token does (the
        empty test)."""
        found = self._hits.get(test, _UNSET)
        if found is not _UNSET:
            return found
        out: frozenset[int] | None = None
        for attr, values in self.tests[test]:
            index = self._positions(attr)
            if isinstance(values, frozenset):
                if len(values) < len(index):
                    keys = [v for v in values if v in index]
                else:
                    keys = [v for v in index if v in values]
            elif values[0] == "NOT":
                keys = [v for v in index if v not in values[1]]
            else:
                regex, strings = values[1], self.strings
                keys = [v for v in index if regex.search(strings[v]) is not None]
            one = frozenset(i for v in keys for i in index[v])
            out = one if out is None else out & one
        self._hits[test] = out
        return out


_UNSET: Any = object()


def find_matches(
    patterns: Sequence[tuple[int, CompiledPattern]], columns: Columns
) -> set[tuple[int, int, int]]:
    """Every ``(match id, start, end)`` spaCy's ``Matcher`` finds for these patterns."""
    n = columns.length
    found: set[tuple[int, int, int]] = set()
    if not n:
        return found
    compiled = []  # per pattern: match id, per step (quantifier, where its test holds, final)
    starts: dict[int, list[int]] = {}
    hits = columns.hits
    for match_id, pattern in patterns:
        if not all(hits(test) for test in pattern.required):
            continue  # a token it needs occurs nowhere
        compiled.append((match_id, [(q, hits(test), final) for q, test, final in pattern.steps]))
        k = len(compiled) - 1
        leads = [hits(test) for test in pattern.lead]
        positions: Any = (
            range(n) if any(h is None for h in leads) else frozenset().union(*leads)
        )
        for i in positions:
            starts.setdefault(i, []).append(k)
    states: list[tuple[int, int, int, int]] = []  # (pattern, step, start, length)
    for i in range(n):
        new = starts.get(i)
        if new:
            states.extend((k, 0, i, 0) for k in new)
        elif not states:
            continue
        kept: list[tuple[int, int, int, int]] = []
        added: list[tuple[int, int, int, int]] = []
        for k, pos, start, length in states:
            match_id, steps = compiled[k]
            while True:
                q, where, final = steps[pos]
                ok = where is None or i in where
                if q == ZERO:
                    ok, q = not ok, ONE
                if q == ONE:
                    if ok:
                        if final:
                            found.add((match_id, start, start + length + 1))
                        else:
                            kept.append((k, pos + 1, start, length + 1))
                    break
                if q == ZERO_PLUS:
                    if ok and final:  # match without this token, and go on
                        found.add((match_id, start, start + length))
                        kept.append((k, pos, start, length + 1))
                        break
                    if ok:
                        added.append((k, pos, start, length + 1))
                        pos += 1
                        continue
                    if final:
                        found.add((match_id, start, start + length))
                        break
                    pos += 1
                    continue
                # ZERO_ONE
                if ok and final:
                    found.add((match_id, start, start + length))
                    found.add((match_id, start, start + length + 1))
                    break
                if ok:
                    added.append((k, pos + 1, start, length + 1))
                    pos += 1
                    continue
                if final:
                    found.add((match_id, start, start + length))
                    break
                pos += 1
        states = kept + added
    for k, pos, start, length in states:  # states that end in zero-width steps
        match_id, steps = compiled[k]
        while steps[pos][0] in (ZERO_PLUS, ZERO_ONE):
            if steps[pos][2]:
                found.add((match_id, start, start + length))
                break
            pos += 1
    return {m for m in found if m[2] > m[1]}
