"""``careaudit_decisions``: decisions and interventions that call for a rationale.

A decision is something staff or the service decided, refused, stopped,
changed, cancelled or gave "as required": a verb from ``decision_lemmas`` whose
agent is not the person, a medication intervention (``give``/``administer``
with a drug or PRN), a decision phrase ("in his best interests", "1:1 in
place"), or any restriction found by ``careaudit_restrictions``. Negated,
hypothetical and person's-own decisions do not count. ``doc.spans["decisions"]``.
"""

from __future__ import annotations

from spacy.language import Language
from spacy.tokens import Doc, Span
from spacy.util import filter_spans

from nlp.analysis import agency
from nlp.analysis.components.context import modifiers
from nlp.analysis.components.data_component import DataComponent
from nlp.analysis.components.phrases import set_group

BLOCKING = {"NEGATED", "HYPOTHETICAL", "OWN_CHOICE", "HISTORICAL"}


@Language.factory(
    "careaudit_decisions", default_config={"resource": "rationale"}, assigns=["doc.spans"]
)
def make_decisions(nlp: Language, name: str, resource: str) -> Decisions:
    return Decisions(nlp, name, resource)


class Decisions(DataComponent):
    """Find decisions and interventions (needs the parse and the evidence groups)."""

    def _build(self, data: dict) -> None:
        self.decision_lemmas = frozenset(data["decision_lemmas"])
        self.intervention_lemmas = frozenset(data["intervention_lemmas"])
        self.medication_words = frozenset(data["medication_words"])

    def __call__(self, doc: Doc) -> Doc:
        self.require_data()
        found: list[Span] = []
        has_med = any(t.lower_ in self.medication_words for t in doc)
        standard_med_only = bool(doc.spans.get("standard_med")) and not any(
            t.lower_ in {"prn", "p.r.n", "covert", "covertly"} for t in doc
        )
        for token in doc:
            lemma = token.lemma_.lower()
            if token.pos_ != "VERB":
                continue
            if lemma in self.decision_lemmas:
                rule = "decision.verb"
            elif lemma in self.intervention_lemmas and has_med and not standard_med_only:
                rule = "decision.medication"
            else:
                continue
            if any(c.dep_ == "neg" for c in token.children):
                continue
            if agency.agent(token) == agency.PERSON and not agency.is_passive(token):
                continue
            found.append(self._span(doc, token.i, token.i + 1, rule))
        for span in doc.spans.get("decision_phrase", []):
            if span.text.lower() in {"withheld", "removed", "stopped"} or not standard_med_only:
                found.append(self._span(doc, span.start, span.end, "decision.phrase"))
        for span in doc.spans.get("restrictions", []):
            found.append(self._span(doc, span.start, span.end, "decision.restriction"))
        kept = [
            s for s in found if not (modifiers(s) & BLOCKING) or s.id_ == "decision.restriction"
        ]
        set_group(doc, "decisions", filter_spans(kept))
        return doc

    @staticmethod
    def _span(doc: Doc, start: int, end: int, rule: str) -> Span:
        span = Span(doc, start, end, label="decision")
        span.id_ = rule
        return span
