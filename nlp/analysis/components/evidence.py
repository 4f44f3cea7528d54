"""``careaudit_evidence``: authorities, reasons and non-reasons (lexical, no parse needed).

Runs on the cheap blank pipeline as well as on the full one, so every sentence
of a note (not only the parsed candidates) is known to give a reason or cite an
authority — the rationale check looks at neighbouring sentences. Span groups:
``authority``, ``reason`` (minus those inside a non-reason such as "as usual"),
``non_reason``, ``pain_prn``, ``standard_med``, ``decision_phrase`` and ``strong_reason``
(explicit causal connectives: "because", "due to", "in order to", "as per" ...).
"""

from __future__ import annotations

from spacy.language import Language
from spacy.tokens import Doc, Span

from nlp.analysis.components.data_component import DataComponent
from nlp.analysis.components.phrases import overlaps, phrase_matcher, set_group

GROUPS = {
    "authority": "authority_phrases",
    "reason": "reason_phrases",
    "non_reason": "non_reasons",
    "pain_prn": "pain_prn",
    "standard_med": "standard_medication",
    "decision_phrase": "decision_phrases",
    "strong_reason": "strong_reasons",
}


@Language.factory(
    "careaudit_evidence", default_config={"resource": "rationale"}, assigns=["doc.spans"]
)
def make_evidence(nlp: Language, name: str, resource: str) -> Evidence:
    return Evidence(nlp, name, resource)


class Evidence(DataComponent):
    """Phrase evidence for authority and rationale."""

    def _build(self, data: dict) -> None:
        self.matcher = phrase_matcher(
            self.nlp.vocab, {g: data[key] for g, key in GROUPS.items()}, self.nlp.tokenizer
        )

    def __call__(self, doc: Doc) -> Doc:
        self.require_data()
        found: dict[str, list[Span]] = {g: [] for g in GROUPS}
        for match_id, start, end in self.matcher(doc):
            group = doc.vocab.strings[match_id]
            found[group].append(Span(doc, start, end, label=group))
        non = found["non_reason"]
        for group in ("reason", "strong_reason"):
            found[group] = [r for r in found[group] if not any(overlaps(r, n) for n in non)]
        for group, spans in found.items():
            set_group(doc, group, spans)
        return doc
