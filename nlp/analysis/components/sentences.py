"""``careaudit_sentences``: sentence boundaries for care notes on a blank tokenizer.

Like spaCy's ``sentencizer`` (a sentence ends after ``.``, ``!`` or ``?``), but a
line break also ends a sentence, because app-style notes and lists put one
entry per line without punctuation.
"""

from __future__ import annotations

import numpy
from spacy.attrs import IS_PUNCT, IS_SPACE, ORTH, SENT_START
from spacy.language import Language
from spacy.tokens import Doc

ENDERS = frozenset({".", "!", "?", "...", "…", ";"})
MEMO_LIMIT = 50_000  # distinct words remembered before the memo starts afresh
_ENDS: dict[int, bool] = {}  # word (ORTH hash, the same in every memory zone) -> ends a sentence


def _ends_sentence(text: str, space: bool, punct: bool) -> bool:
    """Whether a token with this text (and these lexeme flags) ends a sentence."""
    return (space and "\n" in text) or text in ENDERS or (punct and text.endswith("."))


@Language.component("careaudit_sentences")
def set_sentences(doc: Doc) -> Doc:
    """Mark sentence starts in one pass.

    The starts are set with one ``Doc.from_array`` call: assigning
    ``token.is_sent_start`` token by token re-checks the whole doc each time,
    which made a 100,000-character note take 20 s (quadratic). The words are read
    the same way (one ``Doc.to_array``, whether a word ends a sentence memoised per
    word), not as a Python ``Token`` per word.
    """
    starts: list[int] = []
    previous_ends = True
    strings = doc.vocab.strings
    for orth, space, punct in doc.to_array([ORTH, IS_SPACE, IS_PUNCT]).tolist():
        starts.append(1 if previous_ends else -1)
        ends = _ENDS.get(orth)
        if ends is None:
            ends = _ends_sentence(strings[orth], bool(space), bool(punct))
            if len(_ENDS) >= MEMO_LIMIT:
                _ENDS.clear()
            _ENDS[orth] = ends
        previous_ends = ends or (previous_ends and bool(space))
    if starts:
        doc.from_array([SENT_START], numpy.array(starts, dtype="int64").astype("uint64"))
    return doc
