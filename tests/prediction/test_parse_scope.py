"""What lets the audit skip parses: the scope check never says "impossible" for a finding
the parse makes, and the indexed attribute ruler tags exactly like spaCy's."""

from __future__ import annotations

from pathlib import Path

import pytest

from nlp.analysis.analyzer import Analyzer, SentenceEvidence
from nlp.analysis.english import load_english
from nlp.analysis.parse_scope import (
    DECISION_KEYS,
    DOING_FOR_KEYS,
    ROUTINE_CHECKS,
    scope_key,
    solo_scope_keys,
)
from nlp.prediction.features import evidence_features
from nlp.records.corpus import read_gold
from nlp.records.exports import read_notes

ROOT = Path(__file__).resolve().parents[2]


def _found(ev: SentenceEvidence) -> set[str]:
    """Scope keys of what the parse found in a sentence."""
    keys: set[str] = set()
    for f in ev.doing_for:
        keys.add("doing_for.shorthand" if f.rule.endswith("shorthand") else "doing_for.verb")
    for f in ev.restrictions + ev.dropped:
        keys.update(("restriction", f"restriction={f.label}"))
    for f in ev.decisions:
        keys.add("restriction" if f.rule == "decision.restriction" else f.rule)
    keys.update(f"context={c}" for c in ev.context if not c.startswith("decision_"))
    return keys


@pytest.fixture(scope="module")
def parsed(analyzer: Analyzer):
    gold = read_gold(ROOT / "annotations/dev.jsonl")
    notes = [g.note for g in gold] + read_notes(ROOT / "examples/sample_notes.csv").notes
    return list(analyzer.analyse(notes))


def test_every_parsed_finding_lies_in_its_sentence_scope(parsed):
    checked = 0
    for analysis in parsed:
        for ev in analysis.sentences:
            if not ev.candidate:
                continue
            assert ev.scope is not None
            missing = _found(ev) - ev.scope
            assert not missing, (ev.text, missing)
            checked += bool(_found(ev))
    assert checked > 300


def test_every_parse_feature_of_a_sentence_parsed_alone_meets_its_further_keys(parsed):
    """The tighter bound on sentences parsed as their own Doc never rules out a feature
    the parse gives: each meets scope_key and every condition of solo_scope_keys."""
    checked = dropped = 0
    for analysis in parsed:
        if analysis.whole:
            continue
        for i, ev in enumerate(analysis.sentences):
            if not ev.candidate:
                continue
            for feature, value in evidence_features(analysis, i).items():
                keys = scope_key(feature)
                if not value or keys is None or "*" in keys:
                    continue
                assert not keys.isdisjoint(ev.scope), (ev.text, feature)
                for condition in solo_scope_keys(feature):
                    assert not condition.isdisjoint(ev.scope), (ev.text, feature, condition)
                checked += 1
                dropped += feature.startswith("dropped")
    assert checked > 1000 and dropped > 50, (checked, dropped)


@pytest.mark.parametrize(
    ("feature", "conditions"),
    [
        ("dropped:negated", [{"context=NEGATED"}]),
        ("dropped:own_choice", [{"context=OWN_CHOICE"}]),
        ("dropped:routine_checks", [{ROUTINE_CHECKS}]),
        ("context:decision_hypothetical", [{"context=HYPOTHETICAL"}]),
        ("dropped_type=physical", []),  # may be the person's own action: no further key
        ("rule:restriction", []),
        ("p:doing_for", []),
    ],
)
def test_further_keys_of_a_sentence_parsed_alone(feature, conditions):
    assert [set(c) for c in solo_scope_keys(feature)] == conditions


def test_a_dropped_type_needs_some_reason_to_drop(analyzer):
    (condition,) = solo_scope_keys("dropped_type=routine_rule")
    assert ROUTINE_CHECKS in condition and "context=NEGATED" in condition
    scope = analyzer.parse_scope
    assert ROUTINE_CHECKS in scope(analyzer.full.make_doc("Two-hourly checks overnight."))
    assert ROUTINE_CHECKS not in scope(analyzer.full.make_doc("Door locked overnight."))


def test_scope_is_selective(parsed):
    scopes = [ev.scope for a in parsed for ev in a.sentences if ev.candidate and not a.whole]
    without_restriction = sum("restriction" not in s for s in scopes)
    assert 0.2 < without_restriction / len(scopes) < 0.95


@pytest.mark.parametrize(
    ("feature", "keys"),
    [
        ("rule:doing_for", DOING_FOR_KEYS),
        ("rule:doing_for.passive", {"doing_for.verb"}),
        ("rule:restriction=chemical", {"restriction=chemical"}),
        ("dropped_type=physical", {"restriction=physical"}),
        ("dropped:negated", {"restriction"}),
        ("rule:missing_rationale", DECISION_KEYS),
        ("rule:decision.restriction", {"restriction"}),
        ("context:NEGATED", {"context=NEGATED"}),
        ("context:decision_negated", DECISION_KEYS),
        ("rule:something_new", {"*"}),
        ("rule:reason_nearby", None),
        ("p:doing_for", None),
        ("self:reason", None),
    ],
)
def test_scope_keys_of_stage2_features(feature, keys):
    assert scope_key(feature) == (frozenset(keys) if keys is not None else None)


def test_indexed_attribute_ruler_and_array_lemmatizer_tag_like_spacy(analyzer: Analyzer):
    plain = load_english()
    assert type(analyzer.full.get_pipe("attribute_ruler")).__name__ == "IndexedAttributeRuler"
    assert type(analyzer.full.get_pipe("lemmatizer")).__name__ == "ArrayLemmatizer"
    texts = [g.note.text for g in read_gold(ROOT / "annotations/test.jsonl")][:120]
    texts += ["I'm gonna go, y'all ain't gotta wait. Wo n't do it, c'mon!", "He gets it. Let's."]
    texts += ["Nothin' doin', y' know. Ain't nuthin' there."]  # the REGEX rules on LOWER
    names = [n for n in plain.pipe_names]
    indexed = analyzer.full
    for a, b in zip(
        plain.pipe(texts),
        indexed.pipe(texts, disable=[n for n in indexed.pipe_names if n not in names]),
        strict=True,
    ):
        assert [(t.pos_, str(t.morph), t.lemma_, t.tag_) for t in a] == [
            (t.pos_, str(t.morph), t.lemma_, t.tag_) for t in b
        ]


def test_indexed_attribute_ruler_rebuilds_after_its_rules_change():
    import spacy

    from nlp.analysis.attribute_ruler import FACTORY

    nlp = spacy.blank("en")
    ruler = nlp.add_pipe(FACTORY)
    ruler.add([[{"LOWER": "dog"}]], {"LEMMA": "DOG1"})
    assert [t.lemma_ for t in nlp("dog cat")] == ["DOG1", ""]
    patterns = [{"patterns": [[{"LOWER": "cat"}]], "attrs": {"LEMMA": "CAT1"}}]
    ruler.initialize(lambda: [], nlp=nlp, patterns=patterns)  # same number of rules
    assert [t.lemma_ for t in nlp("dog cat")] == ["", "CAT1"]


def test_word_memo_starts_afresh_when_full_and_answers_the_same(analyzer, monkeypatch):
    import nlp.analysis.parse_scope as parse_scope

    texts = [
        "Staff locked the kitchen door at night.",
        "Mary was washed and dressed by staff.",
        "PRN lorazepam given for agitation, no reason recorded.",
        "Phone taken off Zbigniewa until she calms down.",
    ]
    scope = analyzer.parse_scope
    expected = [scope(analyzer.full.make_doc(t)) for t in texts]
    monkeypatch.setattr(parse_scope, "WORD_MEMO_LIMIT", 5)
    scope._words.clear()
    for _ in range(2):
        got = [scope(analyzer.full.make_doc(t)) for t in texts]
        assert got == expected
        assert len(scope._words) <= 5
