"""The cheap pass reads words from Doc arrays: the same sentences, candidates and texts
as reading them token by token (the code it replaced, kept here as the reference)."""

from __future__ import annotations

from pathlib import Path

import pytest

from nlp.analysis.analyzer import _piece_evidence
from nlp.analysis.components.sentences import ENDERS
from nlp.analysis.pipelines import build_cheap
from nlp.records.corpus import read_gold

ROOT = Path(__file__).resolve().parents[2]
TRICKY = [
    "",
    "   ",
    "Fed lunch\nPC done\n\nBed at 9pm...she slept!  Then?",
    "e.g. she said no. Mr. Smith; came in … later\n  \n- toileted\t- dressed",
    "Staff made breakfast. Got him up. Locked the door",
]


@pytest.fixture(scope="module")
def cheap():
    return build_cheap()


@pytest.fixture(scope="module")
def texts() -> list[str]:
    gold = read_gold(ROOT / "annotations/dev.jsonl")
    return [g.note.text for g in gold[:400]] + TRICKY


def _starts_by_token(doc) -> list[bool]:
    """Sentence starts as set_sentences first computed them, token by token."""
    starts, previous_ends = [], True
    for token in doc:
        starts.append(previous_ends)
        if (
            (token.is_space and "\n" in token.text)
            or token.text in ENDERS
            or (token.is_punct and token.text.endswith("."))
        ):
            previous_ends = True
        else:
            previous_ends = previous_ends and token.is_space
    return starts


def test_sentence_starts_equal_the_token_path(cheap, texts):
    for doc in cheap.pipe(texts):
        assert [bool(t.is_sent_start) for t in doc] == _starts_by_token(doc)


def test_candidates_equal_the_token_path(cheap, texts):
    component = cheap.get_pipe("careaudit_candidates")
    marked = 0
    for doc in cheap.pipe(texts):
        for sent in doc.sents:
            by_id = component.is_candidate_ids({t.lower for t in sent})
            assert by_id == component.is_candidate({t.lower_ for t in sent})
        marked += len(doc.spans["candidates"])
    assert marked > 100


def test_evidence_texts_equal_span_texts(cheap, texts):
    seen = 0
    for text in texts:
        doc = cheap(text)
        sliced = _piece_evidence(doc, 0, False, False, text)
        assert [e.text for e in sliced] == [s.text.strip() for s in doc.sents if s.text.strip()]
        for ev in sliced:
            assert text[ev.start : ev.end] == ev.text
        # the same evidence read the slow way, with Span objects and Span.text
        sents = [s for s in doc.sents if s.text.strip()]
        assert len(sents) == len(sliced)
        for ev, sent in zip(sliced, sents, strict=True):
            for field, group in (("reasons", "reason"), ("authority", "authority")):
                inside = [
                    sp.text.lower()
                    for sp in doc.spans.get(group, [])
                    if sent.start <= sp.start < sent.end
                ]
                assert getattr(ev, field) == inside, (field, sent.text)
                seen += len(inside)
        for group in ("authority", "reason", "non_reason", "strong_reason"):
            for span in doc.spans.get(group, []):  # each word, as Span.text gave it
                assert text[span.start_char : span.end_char] == span.text
    assert seen > 50  # the notes hold reasons and authorities to compare
