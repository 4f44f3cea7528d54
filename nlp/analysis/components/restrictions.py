"""``careaudit_restrictions``: restrictive practices, typed by ``restriction_type``.

Token patterns per type live in ``resources/restrictions.json``. A match is
dropped when context removes it: negated ("the kitchen is never locked"),
hypothetical outside a care plan ("if he becomes distressed staff may ..."),
historical, the person's own action ("John locked the kitchen door himself")
or the person being supported to do it ("supported John to lock his door").
Results: ``doc.spans["restrictions"]``, ``span.label_`` = restriction type,
``span.id_`` = the rule (``type:index``).
"""

from __future__ import annotations

from spacy.language import Language
from spacy.tokens import Doc, Span
from spacy.util import filter_spans

from nlp.analysis import agency, lexicon
from nlp.analysis.components.anchored_matcher import AnchoredMatcher
from nlp.analysis.components.context import modifiers
from nlp.analysis.components.data_component import DataComponent
from nlp.analysis.components.phrases import set_group
from nlp.analysis.extensions import declare as declare_extensions

declare_extensions()
ENABLING_HEADS = frozenset(lexicon.load("doing_for")["enabling_verbs"]) - {"let", "allow"}
# Types whose matched verb is the imposing act itself (lock, take, hold, send): when the
# person is its active subject, it is their own action. For threats, rules and
# supervision the verb in the span is the person's activity being limited.
AGENCY_CHECKED = frozenset(
    {
        "environmental",
        "physical",
        "mechanical",
        "possessions_finance",
        "seclusion",
        "contact_communication",
    }
)


ROUTINE_CHECK_WORDS = frozenset({"hourly", "hour", "hours"})
# Why a match is dropped (``span._.drop_reason``) -> the ConText category that drops it.
DROP_CONTEXT = {
    "negated": "NEGATED",
    "historical": "HISTORICAL",
    "hypothetical": "HYPOTHETICAL",
    "own_choice": "OWN_CHOICE",
}


@Language.factory(
    "careaudit_restrictions",
    default_config={"resource": "restrictions"},
    assigns=["doc.spans", "span._.drop_reason"],
)
def make_restrictions(nlp: Language, name: str, resource: str) -> Restrictions:
    return Restrictions(nlp, name, resource)


def _pattern_words(pattern: list[dict]) -> frozenset[str]:
    words: set[str] = set()
    for spec in pattern:
        for key in ("LOWER", "LEMMA", "TEXT"):
            value = spec.get(key)
            if isinstance(value, str):
                words.add(value.lower())
            elif isinstance(value, dict):
                words.update(w.lower() for w in value.get("IN", []))
    return frozenset(words)


class Restrictions(DataComponent):
    """Match restriction patterns and filter them by context and agency."""

    def _build(self, data: dict) -> None:
        self.matcher = AnchoredMatcher(self.nlp.vocab)  # only patterns whose words occur
        self.own_words: dict[str, frozenset[str]] = {}
        for rtype, patterns in data["patterns"].items():
            for i, pattern in enumerate(patterns):
                key = f"{rtype}:{i}"
                self.matcher.add(key, [pattern])
                self.own_words[key] = _pattern_words(pattern)

    def __call__(self, doc: Doc) -> Doc:
        self.require_data()
        kept: list[Span] = []
        dropped: list[Span] = []
        for match_id, start, end in self.matcher(doc):
            key = doc.vocab.strings[match_id]
            span = Span(doc, start, end, label=key.split(":")[0])
            span.id_ = key
            reason = self._drop_reason(doc, span, key)
            if reason:
                span._.drop_reason = reason
                dropped.append(span)
            else:
                kept.append(span)
        set_group(doc, "restrictions", filter_spans(kept))  # longest span wins
        set_group(doc, "restrictions_dropped", dropped)
        return doc

    def _drop_reason(self, doc: Doc, span: Span, key: str) -> str:
        if _routine_night_checks(doc, span):
            return "routine_checks"
        mods = modifiers(span, self.own_words[key])
        for why, category in DROP_CONTEXT.items():  # in this order
            if category in mods and not (why == "hypothetical" and doc._.note_type == "care_plan"):
                return why
        verb = _anchor_verb(span) if span.label_ in AGENCY_CHECKED else None
        if verb is not None:
            if not agency.is_passive(verb) and agency.agent(verb) == agency.PERSON:
                return "own_action"
            for head in agency.governing_verbs(verb):
                if head.lemma_.lower() in ENABLING_HEADS:
                    return "enabled"
        return ""


def is_routine_check_word(lower: str) -> bool:
    """A word a routine-checks span starts with (``hourly``, ``two-hourly``, ``hours``)."""
    return lower in ROUTINE_CHECK_WORDS or lower.endswith("-hourly")


def _routine_night_checks(doc: Doc, span: Span) -> bool:
    """Two-hourly (or rarer) checks are not a restriction (guidelines, Clarifications)."""
    first = span[0].lower_
    if not is_routine_check_word(first):
        return False
    k = span.start - 1
    if k >= 0 and doc[k].text == "-":  # "two - hourly" tokenised apart
        k -= 1
    prev = doc[k].lower_ if k >= 0 else ""
    number = first.split("-")[0] if "-" in first else prev.rstrip("-")
    return number in {"2", "3", "4", "two", "three", "four", "2hr", "two-"}


def _anchor_verb(span: Span):
    """The verb that carries the restriction, when the span has one."""
    verbs = [t for t in span if t.pos_ == "VERB"]
    return verbs[0] if verbs else None
