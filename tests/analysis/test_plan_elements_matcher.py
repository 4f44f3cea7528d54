"""Plan elements with the anchored matcher: the same spans as with one spaCy Matcher."""

from __future__ import annotations

from pathlib import Path

from spacy.matcher import Matcher

from nlp.analysis.components.plan_elements import NEGATED_KEY, SPANS_KEY, expand_pattern
from nlp.analysis.pipelines import build_full
from nlp.records.corpus import read_gold

ROOT = Path(__file__).resolve().parents[2]


def _spans(doc) -> list[tuple[str, int, int]]:
    return [(s.label_, s.start, s.end) for k in (SPANS_KEY, NEGATED_KEY) for s in doc.spans[k]]


def test_anchored_plan_elements_equal_one_matcher_on_corpus_plans():
    full = build_full()
    component = full.get_pipe("careaudit_plan_elements")
    plain = Matcher(full.vocab, validate=True)
    macros = component.data.get("macros", {})
    for element, spec in component.data["elements"].items():
        patterns = [p for raw in spec.get("patterns", []) for p in expand_pattern(raw, macros)]
        if patterns:
            plain.add(element, patterns)
    plans = [
        g.note.text
        for split in ("dev", "test")
        for g in read_gold(ROOT / f"annotations/{split}.jsonl")
        if g.note.note_type == "care_plan"
    ]
    assert len(plans) > 20
    found = 0
    for doc in full.pipe(plans, disable=["careaudit_plan_elements"]):
        ours = _spans(component(doc))
        anchored, component.matcher = component.matcher, plain
        try:
            expected = _spans(component(doc))
        finally:
            component.matcher = anchored
        assert ours == expected
        found += len(ours)
    assert found > 20
