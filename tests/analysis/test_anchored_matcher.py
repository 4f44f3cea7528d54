"""AnchoredMatcher: the same matches as one spaCy Matcher, running only relevant groups."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import spacy
from spacy.matcher import Matcher

from nlp.analysis.components.anchored_matcher import AnchoredMatcher, anchors_of

TAKEN = {"LOWER": "taken"}
PATTERNS = {
    "locked": [[{"LOWER": {"IN": ["kitchen", "front"]}}, {"LOWER": "door"}, {"LOWER": "locked"}]],
    "taken": [[{"LOWER": "phone"}, {"LOWER": {"IN": ["was", "were"]}, "OP": "?"}, TAKEN]],
    "door": [[{"LOWER": "door"}]],
    "any_two": [[{"IS_DIGIT": True}, {"LOWER": "pm", "OP": "?"}]],  # no anchor: always run
    "many": [[{"LOWER": "sensor", "OP": "?"}, {"LOWER": "mat"}, {"OP": "*"}, {"LOWER": "on"}]],
}
TEXTS = [
    "The kitchen door locked at 9 pm and his phone was taken.",
    "Front door locked, door alarm on, sensor mat on.",
    "Mary made a cup of tea.",
    "",
    "mat mat on on 10",
]


@pytest.fixture(scope="module")
def nlp():
    return spacy.blank("en")


def both(nlp):
    plain, anchored = Matcher(nlp.vocab), AnchoredMatcher(nlp.vocab)
    for key, patterns in PATTERNS.items():
        plain.add(key, patterns)
        anchored.add(key, patterns)
    return plain, anchored


def test_anchors_are_the_shortest_required_word_lists():
    assert anchors_of(PATTERNS["locked"][0], 1) == (("LOWER", frozenset({"door"})),)
    assert anchors_of(PATTERNS["taken"][0], 1) == (("LOWER", frozenset({"phone"})),)
    assert anchors_of(PATTERNS["many"][0], 1) == (("LOWER", frozenset({"mat"})),)
    assert anchors_of(PATTERNS["any_two"][0]) == ()  # optional words never anchor
    assert anchors_of(PATTERNS["locked"][0]) == (
        ("LOWER", frozenset({"door"})),
        ("LOWER", frozenset({"locked"})),
    )


@pytest.mark.parametrize("text", TEXTS)
def test_same_matches_as_one_matcher(nlp, text):
    plain, anchored = both(nlp)
    doc = nlp(text)
    assert set(anchored(doc)) == set(plain(doc))


def test_only_groups_with_their_words_run(nlp):
    _, anchored = both(nlp)
    assert anchored.anchors_in(nlp("Mary made a cup of tea.")) == {()}  # unanchored only
    phone = (("LOWER", frozenset({"phone"})), ("LOWER", frozenset({"taken"})))
    assert phone not in anchored.anchors_in(nlp("his phone"))  # both words must occur
    assert phone in anchored.anchors_in(nlp("his phone was taken"))


def test_restriction_patterns_match_as_before_on_corpus_sentences(nlp):
    """Every shipped restriction pattern, on lexical attributes, over real corpus sentences."""
    data = json.loads(Path("nlp/analysis/resources/restrictions.json").read_text())
    plain, anchored = Matcher(nlp.vocab), AnchoredMatcher(nlp.vocab)
    lexical = 0
    for rtype, patterns in data["patterns"].items():
        for i, pattern in enumerate(patterns):
            if any(k in spec for spec in pattern for k in ("LEMMA", "POS", "TAG", "DEP")):
                continue  # needs the parser: covered by the evaluation check in docs/speed.md
            plain.add(f"{rtype}:{i}", [pattern])
            anchored.add(f"{rtype}:{i}", [pattern])
            lexical += 1
    assert lexical > 20
    texts = []
    for line in Path("annotations/dev.jsonl").read_text(encoding="utf-8").splitlines()[:150]:
        texts.append(json.loads(line)["text"])
    matched = 0
    for doc in nlp.pipe(texts):
        expected = set(plain(doc))
        assert set(anchored(doc)) == expected
        matched += len(expected)
    assert matched > 0


def test_lemma_patterns_need_lemmas_as_in_spacy(nlp):
    anchored = AnchoredMatcher(nlp.vocab)
    anchored.add("lock", [[{"LOWER": "door"}, {"LEMMA": "lock"}]])
    with pytest.raises(ValueError, match="E155"):
        anchored(nlp.make_doc("door locked"))  # no lemmatizer ran: spaCy's Matcher raises too


def test_every_shipped_pattern_group_compiles():
    """Groups compile lazily; a bad pattern in the data must fail here, not mid-audit."""
    from nlp.analysis.pipelines import build_full

    full = build_full()
    matchers = [
        full.get_pipe("careaudit_restrictions").matcher,
        full.get_pipe("careaudit_doing_for").task_shorthand,
    ]
    for matcher in matchers:
        for group in list(matcher._groups):
            assert len(matcher._matcher(group)) >= 1


def _groups_by_test(matcher: AnchoredMatcher, doc) -> set:
    """anchors_in as first written: every group's anchors tested one by one."""
    present = {
        attr: {getattr(t, attr.lower()) for t in doc} for attr in ("LOWER", "LEMMA", "NORM", "ORTH")
    }
    found = {()} if () in matcher._groups else set()
    for group in matcher._groups:
        if group and all(
            any(matcher.vocab.strings.add(w) in present[attr] for w in words)
            for attr, words in group
        ):
            found.add(group)
    return found


def test_indexed_group_lookup_equals_testing_every_group():
    """The two word indexes pick exactly the groups whose anchors all occur (thousands of
    task-shorthand groups and the restriction groups, on parsed corpus sentences)."""
    from nlp.analysis.pipelines import build_full

    full = build_full()
    matchers = [
        full.get_pipe("careaudit_restrictions").matcher,
        full.get_pipe("careaudit_doing_for").task_shorthand,
    ]
    lines = Path("annotations/dev.jsonl").read_text(encoding="utf-8").splitlines()[:60]
    texts = [json.loads(line)["text"] for line in lines] + ["PC done and breakfast made", ""]
    hits = 0
    for doc in full.pipe(texts, disable=["careaudit_restrictions", "careaudit_doing_for"]):
        for matcher in matchers:
            found = matcher.anchors_in(doc)
            assert found == _groups_by_test(matcher, doc)
            hits += len(found - {()})
    assert hits > 10
