"""``careaudit_lemmatizer``: the English rule lemmatizer, one cache lookup per token.

spaCy's ``EnglishLemmatizer`` caches its rule results per (word, POS, morphology),
but still builds a Python ``Token`` and sets ``token.lemma_`` one token at a time:
measured here, 7-8 % of the audit's time. This subclass reads those three values
for the whole doc in one ``Doc.to_array`` call, looks each key up in its own cache
(computing a miss with the inherited rules, on that token) and writes every lemma
back in one ``Doc.from_array`` call. Same tables, same rules, same lemmas;
``tests/prediction/test_parse_scope.py`` compares the tags and lemmas with spaCy's.

A miss runs spaCy's own ``rule_lemmatize``, but over tables whose word index per POS
is a set: the packaged index is a list (57,528 nouns), so spaCy's ``form in index``
scanned it for every rule that applied, about 0.3 ms a word (a few % of the audit
while the vocabulary grows). The saved tables are left as they are.

The cache holds lemma *strings*, never string ids: ids of strings first seen inside a
spaCy memory zone are gone once the zone ends.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy
from spacy.attrs import LEMMA, MORPH, ORTH, POS
from spacy.errors import Errors
from spacy.lang.en.lemmatizer import EnglishLemmatizer
from spacy.language import Language
from spacy.strings import get_string_id
from spacy.tokens import Doc, Token
from thinc.api import Model

FACTORY = "careaudit_lemmatizer"
CACHE_LIMIT = 50_000  # distinct (word, POS, morphology) keys kept


@Language.factory(
    FACTORY,
    assigns=["token.lemma"],
    default_config={
        "model": None,
        "mode": "rule",
        "overwrite": False,
        "scorer": {"@scorers": "spacy.lemmatizer_scorer.v1"},
    },
)
def make_array_lemmatizer(
    nlp: Language,
    model: Model | None,
    name: str,
    mode: str,
    overwrite: bool,
    scorer: Callable | None,
) -> ArrayLemmatizer:
    return ArrayLemmatizer(nlp.vocab, model, name, mode=mode, overwrite=overwrite, scorer=scorer)


class ArrayLemmatizer(EnglishLemmatizer):
    """``EnglishLemmatizer`` reading and writing a doc's lemmas as arrays."""

    _lemmas: dict[tuple[int, int, int], str]

    def __call__(self, doc: Doc) -> Doc:
        if self.mode != "rule" or not len(doc):
            return super().__call__(doc)
        if not self._validated:
            self._validate_tables(Errors.E1004)
        lemmas = getattr(self, "_lemmas", None)
        if lemmas is None:
            lemmas = self._lemmas = {}
        strings = doc.vocab.strings
        rows = doc.to_array([ORTH, POS, MORPH, LEMMA])
        out = rows[:, 3].copy()
        for i, (orth, pos, morph, lemma) in enumerate(rows.tolist()):
            if lemma != 0 and not self.overwrite:
                continue
            key = (orth, pos, morph)
            text = lemmas.get(key)
            if text is None:
                text = self.lemmatize(doc[i])[0]
                if len(lemmas) >= CACHE_LIMIT:
                    lemmas.clear()
                    self.cache.clear()  # spaCy's own cache, filled by lemmatize()
                lemmas[key] = text
            out[i] = strings.add(text)
        doc.from_array([LEMMA], numpy.asarray(out, dtype="uint64").reshape(-1, 1))
        return doc

    def rule_lemmatize(self, token: Token) -> list[str]:
        """spaCy's rule lemmatizer on the same tables, its word index read as sets."""
        tables = self.lookups
        fast = getattr(self, "_set_tables", None)
        if fast is None or fast.source is not tables:
            fast = self._set_tables = _SetIndexTables(tables)
        self.lookups = fast  # type: ignore[assignment]
        try:
            return super().rule_lemmatize(token)
        finally:
            self.lookups = tables


class _SetIndexTables:
    """``Lookups.get_table`` for ``rule_lemmatize``: the same tables, ``lemma_index``'s
    word lists as sets (membership is all the rules ask of it)."""

    def __init__(self, source: Any) -> None:
        self.source = source
        index = source.get_table("lemma_index", {})
        self.index = {pos: frozenset(words) for pos, words in index.items()}

    def get_table(self, name: str, default: Any = None) -> Any:
        if name == "lemma_index":
            return _ByPos(self.index)
        return self.source.get_table(name, default)


class _ByPos:
    """A table keyed by POS name, as spaCy's ``Table.get`` is (string keys hashed)."""

    def __init__(self, by_hash: dict[Any, frozenset[str]]) -> None:
        self.by_hash = by_hash

    def get(self, key: str, default: Any = None) -> Any:
        return self.by_hash.get(get_string_id(key), default)


def use_array_lemmatizer(nlp: Language, name: str = "lemmatizer") -> None:
    """Swap an English pipeline's rule lemmatizer for :class:`ArrayLemmatizer` (same tables)."""
    if name not in nlp.pipe_names or type(nlp.get_pipe(name)) is not EnglishLemmatizer:
        return
    old = nlp.get_pipe(name)
    if old.mode != "rule":
        return
    new = nlp.replace_pipe(name, FACTORY, config={"mode": old.mode, "overwrite": old.overwrite})
    new.initialize(lookups=old.lookups)
