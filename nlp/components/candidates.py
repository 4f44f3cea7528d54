"""``careaudit_candidates``: the cheap pass that decides which sentences get parsed.

On a blank tokenizer with a sentencizer: a sentence is a candidate when it has
one of the trigger words in ``resources/candidates.json``, or a generic verb
("made", "got") together with a task word ("breakfast", "up"). Candidate
sentences go to the parser; the rest stop here. ``doc.spans["candidates"]``
holds the candidate sentences.
"""

from __future__ import annotations

from spacy.language import Language
from spacy.tokens import Doc

from nlp import lexicon
from nlp.components.phrases import set_group

STOPWORDS = frozenset(
    [
        "the",
        "his",
        "her",
        "their",
        "him",
        "them",
        "he",
        "she",
        "they",
        "a",
        "an",
        "to",
        "in",
        "on",
        "at",
        "of",
        "for",
        "and",
        "or",
        "by",
        "with",
        "from",
        "be",
        "is",
        "was",
        "were",
        "are",
        "not",
        "no",
        "off",
        "up",
        "out",
        "back",
        "down",
        "away",
        "one",
        "two",
        "all",
        "every",
        "each",
        "only",
        "own",
        "can",
        "could",
        "would",
        "will",
        "must",
        "should",
        "may",
        "have",
        "has",
        "had",
    ]
)


def restriction_words() -> frozenset[str]:
    """Every literal word of the restriction patterns, stop words aside (keeps the filter
    in step with the patterns it guards)."""
    words: set[str] = set()
    for patterns in lexicon.load("restrictions")["patterns"].values():
        for pattern in patterns:
            for spec in pattern:
                value = spec.get("LOWER")
                values = value.get("IN", []) if isinstance(value, dict) else [value]
                words.update(w.lower() for w in values if isinstance(w, str))
    return frozenset(w for w in words if w not in STOPWORDS and len(w) > 2)


@Language.factory("careaudit_candidates", default_config={"resource": "candidates"})
def make_candidates(nlp: Language, name: str, resource: str) -> Candidates:
    return Candidates(name, resource)


class Candidates:
    """Mark sentences worth parsing."""

    def __init__(self, name: str, resource: str = "candidates") -> None:
        data = lexicon.load(resource)
        self.name = name
        self.words = frozenset(w.lower() for w in data["words"]) | restriction_words()
        self.generic_verbs = frozenset(data["generic_verbs"])
        self.generic_objects = frozenset(data["generic_objects"])

    def is_candidate(self, lowers: set[str]) -> bool:
        if lowers & self.words:
            return True
        return bool(lowers & self.generic_verbs) and bool(lowers & self.generic_objects)

    def __call__(self, doc: Doc) -> Doc:
        keep = [s for s in doc.sents if self.is_candidate({t.lower_ for t in s})]
        set_group(doc, "candidates", keep)
        return doc
