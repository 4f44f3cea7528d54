"""Skipping the evidence, doing-for, restriction and decision components where a sentence's
parse scope rules them out leaves every finding as running them everywhere."""

from __future__ import annotations

from pathlib import Path

import pytest

import nlp.analysis.analyzer as analyzer_module
from nlp.analysis.analyzer import Analyzer, component_needed
from nlp.records.corpus import read_gold

ROOT = Path(__file__).resolve().parents[2]


def _findings(analyses) -> list[tuple]:
    rows = []
    for a in analyses:
        for ev in a.sentences:
            rows.append(
                (
                    ev.start,
                    [(f.start, f.end, f.label, f.rule) for f in ev.doing_for],
                    [(f.start, f.end, f.label, f.rule) for f in ev.restrictions],
                    [(f.start, f.end, f.rule, f.why) for f in ev.dropped],
                    [(f.start, f.end, f.rule) for f in ev.decisions],
                    list(ev.context),
                )
            )
    return rows


def test_component_needed_reads_the_scope():
    assert component_needed("careaudit_doing_for", None)
    assert component_needed("careaudit_doing_for", frozenset({"doing_for.shorthand"}))
    assert not component_needed("careaudit_doing_for", frozenset({"restriction"}))
    assert component_needed("careaudit_decisions", frozenset({"restriction"}))
    assert not component_needed("careaudit_restrictions", frozenset({"decision.verb"}))
    assert component_needed("careaudit_evidence", frozenset({"decision.phrase"}))
    assert not component_needed("careaudit_evidence", frozenset({"doing_for.verb"}))


def test_skipping_ruled_out_components_changes_no_finding(monkeypatch: pytest.MonkeyPatch):
    analyzer = Analyzer()
    notes = [g.note for g in read_gold(ROOT / "annotations/dev.jsonl")][:300]
    skipped = analyzer.cheap_pass(notes)
    analyzer.parse(skipped)
    monkeypatch.setattr(analyzer_module, "component_needed", lambda name, scope: True)
    everywhere = analyzer.cheap_pass(notes)
    analyzer.parse(everywhere)
    ours, expected = _findings(skipped), _findings(everywhere)
    assert ours == expected
    assert sum(len(r[1]) + len(r[2]) + len(r[4]) for r in expected) > 50
    scopes = [ev.scope for a in skipped for ev in a.sentences if ev.candidate and not a.whole]
    assert any(not component_needed("careaudit_doing_for", s) for s in scopes)  # some skipped
