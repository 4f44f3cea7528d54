"""ArrayLemmatizer: spaCy's English lemmas, also across spaCy memory zones."""

from __future__ import annotations

import pytest

from nlp.analysis.english import load_english
from nlp.analysis.pipelines import build_full

TEXTS = [
    "Zbigniewa was hoisted into the Flumbertons' minibus and fed her porridge.",
    "Staff washed and dressed Mary; she was taken to bed at 9pm.",
    "The Flumbertons were visiting; Zbigniewa hoisted herself up.",
]


@pytest.fixture(scope="module")
def pipelines():
    return load_english(), build_full()


def lemmas(nlp, text):
    return [(t.text, t.lemma_) for t in nlp(text)]


def test_same_lemmas_as_spacy_inside_and_after_memory_zones(pipelines):
    plain, full = pipelines
    assert type(full.get_pipe("lemmatizer")).__name__ == "ArrayLemmatizer"
    expected = [lemmas(plain, t) for t in TEXTS]
    with full.memory_zone():  # unseen words' strings are freed when the zone ends
        assert [lemmas(full, t) for t in TEXTS] == expected
    with full.memory_zone():  # the cache must not hand back ids of freed strings
        assert [lemmas(full, t) for t in TEXTS] == expected
    assert [lemmas(full, t) for t in TEXTS] == expected


def test_rule_lemmatize_with_set_index_equals_spacys(pipelines):
    """A cache miss reads the word index as sets: the same forms, in the same order, as
    spaCy's rule_lemmatize on the packaged lists; the tables themselves stay as shipped."""
    from spacy.lang.en.lemmatizer import EnglishLemmatizer

    _, full = pipelines
    lemmatizer = full.get_pipe("lemmatizer")
    words = 0
    for doc in full.pipe([*TEXTS, "The carers were helping; she's walking, he'd fallen."]):
        for token in doc:
            lemmatizer.cache.clear()
            ours = lemmatizer.rule_lemmatize(token)
            lemmatizer.cache.clear()
            assert ours == EnglishLemmatizer.rule_lemmatize(lemmatizer, token)
            words += 1
    assert words > 40
    assert type(lemmatizer.lookups).__name__ == "Lookups"
    index = lemmatizer.lookups.get_table("lemma_index")
    assert all(isinstance(v, list) for v in index.values())  # still serialisable as shipped
    assert lemmatizer.to_bytes()
