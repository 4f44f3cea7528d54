"""Compiled token patterns: the same matches as spaCy's ``Matcher``, from attribute arrays."""

from __future__ import annotations

import json
import random
from pathlib import Path

import pytest
import spacy
from spacy.attrs import IDS
from spacy.matcher import Matcher

from nlp.analysis.components.anchored_matcher import AnchoredMatcher
from nlp.analysis.components.token_patterns import (
    Columns,
    TokenTestTable,
    compile_pattern,
    find_matches,
)

WORDS = ["a", "b", "c", "A", "1"]
OPS = [None, None, "?", "*", "+", "!", "{0,2}", "{1,3}", "{2}", "{,2}", "{1,}"]


@pytest.fixture(scope="module")
def nlp():
    return spacy.blank("en")


def _spec(rng: random.Random) -> dict:
    kind = rng.randrange(6)
    spec: dict = {}
    if kind == 0:
        spec["LOWER"] = rng.choice(WORDS).lower()
    elif kind == 1:
        spec["LOWER"] = {"IN": rng.sample(["a", "b", "c"], 2)}
    elif kind == 2:
        spec["TEXT"] = {"NOT_IN": [rng.choice(WORDS)]}
    elif kind == 3:
        spec["LIKE_NUM"] = rng.random() < 0.5
    elif kind == 4:
        spec["ORTH"] = {"REGEX": rng.choice(["^[ab]", "A|1"])}
    op = rng.choice(OPS)
    if op is not None:
        spec["OP"] = op
    return spec


def _columns(doc, patterns, table: TokenTestTable) -> Columns:
    attrs = sorted({a for p in patterns for a in p.attrs})
    values = doc.to_array([IDS[a] for a in attrs]) if attrs and len(doc) else None
    rows = [] if values is None else values.T.tolist() if values.ndim == 2 else [values.tolist()]
    return Columns(dict(zip(attrs, rows, strict=False)), len(doc), doc.vocab.strings, table)


def test_random_patterns_match_as_spacy_matcher(nlp):
    """Every operator, empty specs, IN / NOT_IN / REGEX / flags, on random word sequences."""
    rng = random.Random(7)
    docs = [nlp(" ".join(rng.choices(WORDS, k=rng.randrange(0, 9)))) for _ in range(40)]
    compared = matched = 0
    for _ in range(250):
        pattern = [_spec(rng) for _ in range(rng.randrange(1, 5))]
        table = TokenTestTable()
        compiled = compile_pattern(pattern, nlp.vocab.strings, table)
        assert compiled is not None
        matcher = Matcher(nlp.vocab)
        matcher.add("P", [pattern])
        key = nlp.vocab.strings["P"]
        for doc in docs:
            expected = set(matcher(doc))
            got = find_matches([(key, compiled)], _columns(doc, [compiled], table))
            assert got == expected, (
                pattern,
                doc.text,
            )
            compared += 1
            matched += len(expected)
    assert compared == 10_000 and matched > 2_000


def test_unreadable_patterns_keep_spacys_matcher(nlp):
    fuzzy = [{"LOWER": {"FUZZY": "door"}}]
    extension = [{"_": {"flag": True}}]
    assert compile_pattern(fuzzy, nlp.vocab.strings, TokenTestTable()) is None
    assert compile_pattern(extension, nlp.vocab.strings, TokenTestTable()) is None
    anchored = AnchoredMatcher(nlp.vocab)
    anchored.add("fuzzy", [fuzzy])
    anchored.add("door", [[{"LOWER": "front"}, {"LOWER": "door"}]])
    plain = Matcher(nlp.vocab)
    plain.add("fuzzy", [fuzzy])
    plain.add("door", [[{"LOWER": "front"}, {"LOWER": "door"}]])
    doc = nlp("the front dor and the front door")
    assert set(anchored(doc)) == set(plain(doc)) and len(plain(doc)) == 3


def test_pos_patterns_need_tags_as_in_spacy(nlp):
    anchored = AnchoredMatcher(nlp.vocab)
    anchored.add("verb", [[{"LOWER": "door"}, {"POS": "VERB"}]])
    with pytest.raises(ValueError, match="E155"):
        anchored(nlp.make_doc("door locked"))


def test_shipped_patterns_match_as_their_spacy_matchers():
    """Restrictions (lemmas, POS), task shorthand and plan elements on parsed corpus text:
    the compiled path gives what each selected group's own ``Matcher`` gives."""
    from nlp.analysis.pipelines import build_full

    full = build_full()
    matchers = [
        full.get_pipe("careaudit_restrictions").matcher,
        full.get_pipe("careaudit_doing_for").task_shorthand,
        full.get_pipe("careaudit_plan_elements").matcher,
    ]
    assert all(m.compiled(g) is not None for m in matchers for g in m._groups)  # no fallback
    lines = Path("annotations/dev.jsonl").read_text(encoding="utf-8").splitlines()[:120]
    texts = [json.loads(line)["text"] for line in lines]
    texts += [t.lower() for t in texts[:40]] + ["PC done, breakfast made, took him to bed", ""]
    skip = ["careaudit_restrictions", "careaudit_doing_for", "careaudit_plan_elements"]
    matched = 0
    for doc in full.pipe(texts, disable=skip):
        for matcher in matchers:
            expected: set = set()
            for group in matcher.anchors_in(doc):
                expected.update(matcher._matcher(group)(doc))
            assert set(matcher(doc)) == expected, doc.text
            matched += len(expected)
    assert matched > 100
