"""``careaudit_candidates``: the cheap pass that decides which sentences get parsed.

On a blank tokenizer with a sentencizer: a sentence is a candidate when it has
one of the trigger words in ``resources/candidates.json``, a task shorthand or
decision phrase ("PC done", "best interests"), or a generic verb ("made",
"got") together with a task word ("breakfast", "up"). Candidate
sentences go to the parser; the rest stop here. ``doc.spans["candidates"]``
holds the candidate sentences.
"""

from __future__ import annotations

from spacy.language import Language
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
        self.phrases = phrase_matcher(self.nlp.vocab, {"phrase": data["phrases"]})
        self.words = frozenset(w.lower() for w in data["words"])
        self.generic_verbs = frozenset(data["generic_verbs"])
        self.generic_objects = frozenset(data["generic_objects"])

    def is_candidate(self, lowers: set[str]) -> bool:
        if lowers & self.words:
            return True
        return bool(lowers & self.generic_verbs) and bool(lowers & self.generic_objects)

    def __call__(self, doc: Doc) -> Doc:
        self.require_data()
        phrase_starts = {start for _, start, _ in self.phrases(doc)}
        keep = [
            s
            for s in doc.sents
            if self.is_candidate({t.lower_ for t in s})
            or any(s.start <= i < s.end for i in phrase_starts)
        ]
        set_group(doc, "candidates", keep)
        return doc
