"""``careaudit_doing_for``: staff doing an everyday task for or to the person.

Three routes, each a rule id on ``span.id_``:

- ``active``: a daily-living verb whose agent is staff (or unstated) and whose
  object is the person or something of theirs ("I made his breakfast");
- ``passive``: the person as passive subject ("Mary was washed and dressed");
- ``shorthand``: task-completion shorthand with the person absent ("PC done").

Enabling wording, the person directing the help, negation and hypotheticals
remove a finding (see :mod:`nlp.components.context`).
"""

from __future__ import annotations

from spacy.language import Language
from spacy.tokens import Doc, Span, Token
from spacy.util import filter_spans

from nlp.analysis import agency
from nlp.analysis.components.context import modifiers
from nlp.analysis.components.data_component import DataComponent
from nlp.analysis.components.phrases import phrase_matcher, set_group

BLOCKING_CONTEXT = {"NEGATED", "HYPOTHETICAL", "ENABLING", "OWN_CHOICE", "HISTORICAL"}
PETS = frozenset(
    {"cat", "cats", "dog", "dogs", "fish", "budgie", "rabbit", "hamster", "birds", "pet"}
)


@Language.factory(
    "careaudit_doing_for", default_config={"resource": "doing_for"}, assigns=["doc.spans"]
)
def make_doing_for(nlp: Language, name: str, resource: str) -> DoingFor:
    return DoingFor(nlp, name, resource)


class DoingFor(DataComponent):
    """Find doing-for language; results in ``doc.spans["doing_for"]``."""

    def _build(self, data: dict) -> None:
        self.care_verbs = frozenset(data["care_verbs"])
        self.care_objects = frozenset(data["care_objects"])
        self.needs_phrase = {k: frozenset(v) for k, v in data["needs_object_phrase"].items()}
        self.objectless_ok = frozenset(data["objectless_ok"])
        self.enabling_verbs = frozenset(data["enabling_verbs"])
        self.lemma_aliases: dict[str, str] = data.get("lemma_aliases", {})
        self.shorthand = phrase_matcher(self.nlp.vocab, {"shorthand": data["shorthand"]})

    def __call__(self, doc: Doc) -> Doc:
        self.require_data()
        found: list[Span] = []
        for token in doc:
            if self._lemma(token) in self.care_verbs and token.pos_ in {"VERB", "AUX", "ADJ"}:
                span = self._verb_finding(doc, token)
                if span is not None:
                    found.append(span)
        for _, start, end in self.shorthand(doc):
            span = Span(doc, start, end, label="doing_for")
            span.id_ = "doing_for.shorthand"
            if not (modifiers(span) & BLOCKING_CONTEXT) and not self._enabled(doc[start]):
                found.append(span)
        set_group(doc, "doing_for", filter_spans(found))
        return doc

    def _lemma(self, token: Token) -> str:
        """The lemma, corrected where the lemmatizer mangles care words ('toileted')."""
        lemma = token.lemma_.lower()
        return self.lemma_aliases.get(lemma, self.lemma_aliases.get(token.lower_, lemma))

    # -- verbs ---------------------------------------------------------------
    def _verb_finding(self, doc: Doc, verb: Token) -> Span | None:
        if any(c.dep_ == "neg" for c in verb.children) or self._enabled(verb):
            return None
        lemma = self._lemma(verb)
        if lemma in self.needs_phrase and not self._has_task_phrase(verb, self.needs_phrase[lemma]):
            return None
        if agency.is_passive(verb) or (verb.dep_ == "conj" and agency.is_passive(verb.head)):
            patient = agency.passive_patient(verb)
            if patient is None or agency.classify(patient) != agency.PERSON:
                return None
            if agency.agent(verb) == agency.PERSON:
                return None
            rule, tokens = "doing_for.passive", [patient, verb]
        else:
            if agency.agent(verb) not in {agency.STAFF, agency.NONE}:
                return None
            target = self._person_target(verb)
            if target is None:
                return None
            rule, tokens = "doing_for.active", [verb, target]
        span = Span(doc, min(t.i for t in tokens), max(t.i for t in tokens) + 1, label="doing_for")
        span.id_ = rule
        if modifiers(span) & BLOCKING_CONTEXT:
            return None
        return span

    def _person_target(self, verb: Token) -> Token | None:
        """The person (or the person's thing) the verb acts on, if any."""
        for obj in agency.objects(verb):
            if obj.lower_ in agency.REFLEXIVES or obj.lower_ in PETS:
                return None
            if agency.classify(obj) == agency.PERSON:
                return obj
            owner = agency.possessor(obj)
            if owner is not None and agency.classify(owner) == agency.PERSON:
                return obj
        return None

    def _has_task_phrase(self, verb: Token, words: frozenset[str]) -> bool:
        nodes = [verb, *verb.conjuncts]
        for node in nodes:
            for tok in node.subtree:
                if tok.lower_ in words and tok.i != node.i:
                    return True
        return False

    def _enabled(self, verb: Token) -> bool:
        """Governed by an enabling verb ('supported X to wash') or by the person's request."""
        for head in agency.governing_verbs(verb):
            lemma = head.lemma_.lower()
            if lemma in self.enabling_verbs:
                return True
            if (
                lemma in {"ask", "want", "request", "choose", "prefer", "like"}
                and agency.agent(head) == agency.PERSON
            ):
                return True
        return False
