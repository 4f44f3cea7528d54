"""``careaudit_sentences``: sentence boundaries for care notes on a blank tokenizer.

Like spaCy's ``sentencizer`` (a sentence ends after ``.``, ``!`` or ``?``), but a
line break also ends a sentence, because app-style notes and lists put one
entry per line without punctuation.
"""

from __future__ import annotations

import numpy
from spacy.attrs import SENT_START
from spacy.language import Language
from spacy.tokens import Doc

ENDERS = frozenset({".", "!", "?", "...", "…", ";"})


@Language.component("careaudit_sentences")
def set_sentences(doc: Doc) -> Doc:
    """Mark sentence starts in one pass.

    The starts are set with one ``Doc.from_array`` call: assigning
    ``token.is_sent_start`` token by token re-checks the whole doc each time,
    which made a 100,000-character note take 20 s (quadratic).
    """
    starts: list[int] = []
    previous_ends = True
    for token in doc:
        starts.append(1 if previous_ends else -1)
        if (
            (token.is_space and "\n" in token.text)
            or token.text in ENDERS
            or (token.is_punct and token.text.endswith("."))
        ):
            previous_ends = True
        else:
            previous_ends = previous_ends and token.is_space
    if starts:
        doc.from_array([SENT_START], numpy.array(starts, dtype="int64").astype("uint64"))
    return doc
