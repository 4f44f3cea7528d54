"""``careaudit_candidates``: the cheap pass that decides which sentences get parsed.

On a blank tokenizer with a sentencizer: a sentence is a candidate when it has
one of the trigger words in ``resources/candidates.json``, a task shorthand or
decision phrase ("PC done", "best interests"), or a generic verb ("made",
"got") together with a task word ("breakfast", "up"). Candidate
sentences go to the parser; the rest stop here. ``doc.spans["candidates"]``
holds the candidate sentences.
"""

from __future__ import annotations

from bisect import bisect_left

from spacy.attrs import LOWER
from spacy.language import Language
from spacy.strings import get_string_id
from spacy.tokens import Doc

from nlp.analysis import lexicon
from nlp.analysis.components.data_component import DataComponent
from nlp.analysis.components.phrases import phrase_matcher, set_group


@Language.factory(
    "careaudit_candidates",
    default_config={"resource": "candidates"},
    assigns=["doc.spans", "token.is_sent_start"],
)
def make_candidates(nlp: Language, name: str, resource: str) -> Candidates:
    return Candidates(nlp, name, resource)


class Candidates(DataComponent):
    """Mark sentences worth parsing."""

    def default_data(self) -> dict:
        """The candidate words plus the shorthand and decision phrases of the parsed pass."""
        phrases = (
            lexicon.load("doing_for")["shorthand"] + lexicon.load("rationale")["decision_phrases"]
        )
        return {**lexicon.load(self.resource), "phrases": phrases}

    def _build(self, data: dict) -> None:
        self.phrases = phrase_matcher(
            self.nlp.vocab, {"phrase": data["phrases"]}, self.nlp.tokenizer
        )
        self.words = frozenset(w.lower() for w in data["words"])
        self.generic_verbs = frozenset(data["generic_verbs"])
        self.generic_objects = frozenset(data["generic_objects"])
        # the same word lists as string hashes, tested against a doc's LOWER array
        self.word_ids, self.verb_ids, self.object_ids = (
            frozenset(get_string_id(w) for w in words)
            for words in (self.words, self.generic_verbs, self.generic_objects)
        )

    def is_candidate(self, lowers: set[str]) -> bool:
        if lowers & self.words:
            return True
        return bool(lowers & self.generic_verbs) and bool(lowers & self.generic_objects)

    def is_candidate_ids(self, lowers: set[int]) -> bool:
        """:meth:`is_candidate` on the words' lower-case hashes."""
        if not lowers.isdisjoint(self.word_ids):
            return True
        return not lowers.isdisjoint(self.verb_ids) and not lowers.isdisjoint(self.object_ids)

    def __call__(self, doc: Doc) -> Doc:
        self.require_data()
        # sorted match starts: one bisect per sentence (a scan per sentence was quadratic)
        phrase_starts = sorted({start for _, start, _ in self.phrases(doc)})
        lowers = doc.to_array(LOWER).tolist() if len(doc) else []  # no Token per word
        keep = [
            s
            for s in doc.sents
            if self.is_candidate_ids(set(lowers[s.start : s.end]))
            or bisect_left(phrase_starts, s.start) < bisect_left(phrase_starts, s.end)
        ]
        set_group(doc, "candidates", keep)
        return doc
