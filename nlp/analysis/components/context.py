"""ConText-style modifiers: negation, hypothetical, the person's own choice, history.

After Chapman et al.'s ConText and medspaCy's ``ConTextComponent``: rules are
data (``resources/context.json``), each a trigger phrase with a category, a
direction and a maximum scope; a scope stops at a terminator. The component
stores triggers in ``doc.spans["context"]`` and their scopes in
``doc.spans["context_scope"]``; :func:`modifiers` tells which categories cover a
target span.
"""

from __future__ import annotations

from spacy.language import Language
from spacy.tokens import Doc, Span

from nlp.analysis.components.data_component import DataComponent
from nlp.analysis.components.phrases import overlaps, phrase_matcher, set_group

SCOPE_PUNCT = {".", ";", "!", "?", "\n"}
NEGATION_STOPS = {","}


@Language.factory(
    "careaudit_context", default_config={"resource": "context"}, assigns=["doc.spans"]
)
def make_context(nlp: Language, name: str, resource: str) -> ContextComponent:
    return ContextComponent(nlp, name, resource)


class ContextComponent(DataComponent):
    """Find context triggers and the token ranges they modify."""

    def _build(self, data: dict) -> None:
        self.rules: list[dict] = data["rules"]
        self.terminators = {t.lower() for t in data["terminators"] if " " not in t}
        self.matcher = phrase_matcher(
            self.nlp.vocab,
            {f"ctx{i}": [rule["phrase"]] for i, rule in enumerate(self.rules)},
            self.nlp.tokenizer,
        )

    def __call__(self, doc: Doc) -> Doc:
        self.require_data()
        triggers: list[Span] = []
        scopes: list[Span] = []
        for match_id, start, end in self.matcher(doc):
            rule = self.rules[int(doc.vocab.strings[match_id][3:])]
            tag = rule.get("tag")
            if tag and doc.has_annotation("TAG") and doc[start].tag_ != tag:
                continue
            category = rule["category"]
            trigger = Span(doc, start, end, label=category)
            trigger.id_ = rule["phrase"]
            triggers.append(trigger)
            for lo, hi in self._scopes(doc, start, end, rule):
                if hi > lo:
                    scope = Span(doc, lo, hi, label=category)
                    scope.id_ = rule["phrase"]
                    scopes.append(scope)
        set_group(doc, "context", triggers)
        set_group(doc, "context_scope", scopes)
        return doc

    def _stops(self, token, category: str) -> bool:
        if token.text in SCOPE_PUNCT or token.is_space:
            return True
        if category == "NEGATED" and token.text in NEGATION_STOPS:
            return True
        return token.lower_ in self.terminators

    def _scopes(self, doc: Doc, start: int, end: int, rule: dict) -> list[tuple[int, int]]:
        direction, limit, category = rule["direction"], int(rule["max_scope"]), rule["category"]
        out: list[tuple[int, int]] = []
        if direction in ("forward", "bidirectional"):
            hi = end
            while hi < len(doc) and hi - end < limit and not self._stops(doc[hi], category):
                hi += 1
            out.append((end, hi))
        if direction in ("backward", "bidirectional"):
            lo = start
            while lo > 0 and start - lo < limit and not self._stops(doc[lo - 1], category):
                lo -= 1
            out.append((lo, start))
        return out


def modifiers(span: Span, own_words: frozenset[str] = frozenset()) -> set[str]:
    """Context categories whose scope covers ``span``.

    A trigger inside the span itself counts too (``kitchen is never locked``),
    unless its word is part of what the span's own pattern requires
    (``own_words``: the ``not`` of ``not allowed``, the ``if`` of a threat).
    """
    doc = span.doc
    found: set[str] = set()
    for scope in doc.spans.get("context_scope", []):
        if overlaps(scope, span) and not _trigger_is_own(doc, scope, span, own_words):
            found.add(scope.label_)
    for trigger in doc.spans.get("context", []):
        inside = span.start <= trigger.start and trigger.end <= span.end
        if inside and trigger.label_ == "NEGATED" and trigger.text.lower() not in own_words:
            found.add("NEGATED")
    return found


def _trigger_is_own(doc: Doc, scope: Span, span: Span, own_words: frozenset[str]) -> bool:
    """Whether the scope's trigger lies inside the target span and is one of its own words."""
    for trigger in doc.spans.get("context", []):
        if trigger.id_ != scope.id_ or trigger.label_ != scope.label_:
            continue
        adjacent = trigger.end == scope.start or trigger.start == scope.end
        if adjacent and span.start <= trigger.start and trigger.end <= span.end:
            return trigger.text.lower() in own_words or trigger.label_ != "NEGATED"
    return False
