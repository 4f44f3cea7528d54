"""Analyzer.memory_zones: the vocabulary settles first, then batches run in spaCy zones."""

from __future__ import annotations

import nlp.analysis.analyzer as analyzer_module
from nlp.analysis.analyzer import Analyzer
from nlp.schema import Note


def _note(words: list[str]) -> Note:
    text = "Staff locked the kitchen because " + " ".join(words) + " was agitated."
    return Note(note_id="n", person_id="p", date="2026-01-01", text=text)


def _strings(a: Analyzer) -> int:
    stores = {id(nlp.vocab.strings): nlp.vocab.strings for nlp in (a.cheap, a.full)}
    return sum(len(strings) for strings in stores.values())  # the pipelines share one


def _findings(a: Analyzer, note: Note) -> list[tuple]:
    analyses = a.cheap_pass([note])
    a.parse(analyses)
    return [
        (ev.text, ev.candidate, [f.label for f in ev.restrictions], ev.reasons)
        for ev in analyses[0].sentences
    ]


def test_vocabulary_settles_then_batches_free_their_strings(analyzer, monkeypatch):
    monkeypatch.setattr(analyzer_module, "SETTLE_STRINGS", 15)
    a = Analyzer(full=analyzer.full, cheap=analyzer.cheap)  # fresh settle state
    first = _note([f"zorblat{i}qua" for i in range(20)])
    later = _note([f"quimbrel{i}zet" for i in range(20)])

    before = _strings(a)
    with a.memory_zones():  # not settled yet: the words stay
        _findings(a, first)
    settled = _strings(a)
    assert settled - before >= 15

    with a.memory_zones():  # settled: new words are freed when the zone ends
        zoned = _findings(a, later)
    assert _strings(a) == settled
    assert zoned == _findings(a, later)  # the same findings as outside a zone
    assert _strings(a) > settled  # (outside a zone the words do stay)


def test_small_batches_never_grow_past_the_settle_bound(analyzer, monkeypatch):
    monkeypatch.setattr(analyzer_module, "SETTLE_STRINGS", 15)
    a = Analyzer(full=analyzer.full, cheap=analyzer.cheap)
    start = _strings(a)
    grown = []
    for batch in range(6):
        with a.memory_zones():
            _findings(a, _note([f"vexil{batch}x{i}orn" for i in range(20)]))
        grown.append(_strings(a) - start)
    assert grown[0] >= 15  # the first batch settles the vocabulary...
    assert grown[1:] == [grown[0]] * 5  # ...and no later batch adds to it
