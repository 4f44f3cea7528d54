"""Shared, session-scoped pipeline objects (the English model loads once)."""

from __future__ import annotations

import pytest

from nlp.analysis.analyzer import Analyzer, SentenceEvidence


@pytest.fixture(scope="session")
def analyzer() -> Analyzer:
    return Analyzer()


@pytest.fixture(scope="session")
def sentence(analyzer: Analyzer):
    """Evidence for a one-sentence note, parsed whatever the candidate filter says."""

    def run(text: str, note_type: str = "daily_note") -> SentenceEvidence:
        doc = analyzer.parse_sentence(text, note_type)
        ev = SentenceEvidence(start=0, end=len(text), text=text, candidate=True)
        from nlp.analysis.analyzer import _add_parsed

        _add_parsed(ev, doc)
        return ev

    return run
