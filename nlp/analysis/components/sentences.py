"""``careaudit_sentences``: sentence boundaries for care notes on a blank tokenizer.

Like spaCy's ``sentencizer`` (a sentence ends after ``.``, ``!`` or ``?``), but a
line break also ends a sentence, because app-style notes and lists put one
entry per line without punctuation.
"""

from __future__ import annotations

from spacy.language import Language
from spacy.tokens import Doc

ENDERS = frozenset({".", "!", "?", "...", "…", ";"})


@Language.component("careaudit_sentences")
def set_sentences(doc: Doc) -> Doc:
    previous_ends = True
    for token in doc:
        token.is_sent_start = previous_ends
        if (
            (token.is_space and "\n" in token.text)
            or token.text in ENDERS
            or (token.is_punct and token.text.endswith("."))
        ):
            previous_ends = True
        else:
            previous_ends = previous_ends and token.is_space
    return doc
