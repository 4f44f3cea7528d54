"""Small shared helpers for components that match phrase lists from data files."""

from __future__ import annotations

from collections.abc import Iterable
from functools import lru_cache

from spacy.matcher import PhraseMatcher
from spacy.tokenizer import Tokenizer
from spacy.tokens import Doc, Span
from spacy.vocab import Vocab


def phrase_matcher(
    vocab: Vocab, groups: dict[str, Iterable[str]], tokenizer: Tokenizer | None = None
) -> PhraseMatcher:
    """A lower-case PhraseMatcher with one match key per group name.

    ``tokenizer`` splits the phrases: the pipeline's own (the English rules, already
    built), else spaCy's English tokenizer built once for the purpose.
    """
    matcher = PhraseMatcher(vocab, attr="LOWER")
    tokenizer = tokenizer or _phrase_tokenizer()
    for key, phrases in groups.items():
        matcher.add(key, [tokenizer(p) for p in phrases])
    return matcher


@lru_cache(maxsize=1)
def _phrase_tokenizer() -> Tokenizer:
    """spaCy's English tokenizer, built once per process (building one takes ~0.1 s)."""
    from spacy.lang.en import English

    from nlp.analysis.spacy_import import no_entry_point_factories

    with no_entry_point_factories():
        return English().tokenizer


def set_group(doc: Doc, name: str, spans: Iterable[Span]) -> None:
    """Store spans in ``doc.spans[name]`` (replacing an earlier group of that name)."""
    doc.spans[name] = list(spans)


def overlaps(a: Span, b: Span) -> bool:
    return a.start < b.end and b.start < a.end
