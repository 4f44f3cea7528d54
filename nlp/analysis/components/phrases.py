"""Small shared helpers for components that match phrase lists from data files."""

from __future__ import annotations

from collections.abc import Iterable

from spacy.matcher import PhraseMatcher
from spacy.tokens import Doc, Span
from spacy.vocab import Vocab


def phrase_matcher(vocab: Vocab, groups: dict[str, Iterable[str]]) -> PhraseMatcher:
    """A lower-case PhraseMatcher with one match key per group name."""
    matcher = PhraseMatcher(vocab, attr="LOWER")
    from spacy.lang.en import English

    tokenizer = English().tokenizer
    for key, phrases in groups.items():
        matcher.add(key, [tokenizer(p) for p in phrases])
    return matcher


def set_group(doc: Doc, name: str, spans: Iterable[Span]) -> None:
    """Store spans in ``doc.spans[name]`` (replacing an earlier group of that name)."""
    doc.spans[name] = list(spans)


def overlaps(a: Span, b: Span) -> bool:
    return a.start < b.end and b.start < a.end
