"""What a sentence's parse could possibly find, read from its words alone.

The parsed components only fire on certain words: a restriction pattern needs each
of its fixed tokens (``LOWER``/``LEMMA`` values), a doing-for finding a care verb
or a shorthand phrase, a decision a decision or intervention verb, a decision
phrase or a restriction, a ConText modifier one of its trigger phrases.
:class:`ParseScope` turns the components' own rule data into those necessary
conditions and checks them on the tokens the parser would get (the full
pipeline's tokenizer on the sentence text), without tagging or parsing. A lemma
is taken as possible when any of the English lemmatizer's rules, exceptions or
attribute-ruler overrides could produce it from the word, so the check never
says "impossible" for something the parse could find (over-approximating only).

The result is a set of *scope keys*:

- ``doing_for.verb`` (a care verb: the active, passive, passive-task and fragment
  routes), ``doing_for.shorthand`` (shorthand phrases and task-shorthand patterns);
- ``restriction`` and ``restriction=<type>`` (any pattern of that type possible);
- ``decision.verb``, ``decision.medication``, ``decision.phrase`` (``decision.restriction``
  comes with ``restriction``);
- ``context=<CATEGORY>`` (a ConText trigger of that category).

The audit uses it twice: the model bounds what the parse could add to a
sentence's scores (:func:`scope_key` maps a stage-2 feature to the key it needs),
and the analyzer runs careaudit's parse components (doing-for, restrictions, decisions,
evidence) on a parsed sentence only where its scope allows them a finding
(``component_needed``). ``tests/prediction/test_parse_scope.py`` checks on the
annotated corpus that every parsed finding lies inside its sentence's scope.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from spacy.attrs import LOWER
from spacy.language import Language
from spacy.matcher import PhraseMatcher
from spacy.tokens import Doc

from nlp.analysis.components.phrases import phrase_matcher
from nlp.analysis.components.restrictions import (
    AGENCY_CHECKED,
    DROP_CONTEXT,
    is_routine_check_word,
)

ANCHOR_KEYS = ("LOWER", "LEMMA", "TEXT", "ORTH")
RULE_ID_KEYS = {
    "doing_for.active": "doing_for.verb",
    "doing_for.passive": "doing_for.verb",
    "doing_for.passive_task": "doing_for.verb",
    "doing_for.fragment": "doing_for.verb",
    "doing_for.shorthand": "doing_for.shorthand",
    "decision.verb": "decision.verb",
    "decision.medication": "decision.medication",
    "decision.phrase": "decision.phrase",
    "decision.restriction": "restriction",
}
DOING_FOR_KEYS = frozenset({"doing_for.verb", "doing_for.shorthand"})
DECISION_KEYS = frozenset(
    {"decision.verb", "decision.medication", "decision.phrase", "restriction"}
)
ALWAYS = "*"  # a feature whose scope is unknown: always possible
ROUTINE_CHECKS = "restriction.routine_checks"  # a word a routine-checks span starts with
# Types whose matches can be dropped as the person's own action or as enabled.
AGENCY_TYPES = frozenset(f"restriction={t}" for t in AGENCY_CHECKED)
# Keys one of which a dropped match needs, whatever its type.
ANY_DROP = frozenset({ROUTINE_CHECKS, *(f"context={c}" for c in DROP_CONTEXT.values())})


def scope_key(feature: str) -> frozenset[str] | None:
    """The scope keys of which at least one must be possible for a stage-2 feature to fire.

    None: the feature does not come from the parse. ``{"*"}``: it does, but from
    no rule this module knows (always possible).
    """
    if feature == "rule:reason_nearby" or not feature.startswith(
        ("rule:", "dropped:", "dropped_type=", "context:")
    ):
        return None
    if feature == "rule:doing_for":
        return DOING_FOR_KEYS
    if feature in ("rule:restriction", "rule:authorised") or feature.startswith("dropped:"):
        return frozenset({"restriction"})
    if feature.startswith("rule:restriction="):
        return frozenset({"restriction=" + feature.split("=", 1)[1]})
    if feature.startswith("dropped_type="):
        return frozenset({"restriction=" + feature.split("=", 1)[1]})
    if feature in ("rule:decision", "rule:missing_rationale") or feature.startswith(
        "context:decision_"
    ):
        return DECISION_KEYS
    if feature.startswith("context:"):
        return frozenset({"context=" + feature.split(":", 1)[1]})
    key = RULE_ID_KEYS.get(feature.split(":", 1)[1])
    return frozenset({key}) if key else frozenset({ALWAYS})


def solo_scope_keys(feature: str) -> tuple[frozenset[str], ...]:
    """Further conditions of a stage-2 feature on a sentence parsed as its own Doc.

    Each is a set of scope keys at least one of which must be possible, on top of
    :func:`scope_key`'s: a match dropped as negated needs a negation trigger
    (``context=NEGATED``), one dropped as routine checks an ``hourly`` word, one dropped
    as the person's own action a type whose agency is checked, and a dropped type any
    reason to drop it (:meth:`Restrictions._drop_reason`); a decision's modifier needs
    a trigger of its category. Only on a sentence parsed alone: in a care plan parsed
    whole, a trigger in one sentence may reach into the next.
    """
    if feature.startswith("dropped:"):
        why = feature.split(":", 1)[1]
        if why in DROP_CONTEXT:
            return (frozenset({"context=" + DROP_CONTEXT[why]}),)
        if why in ("own_action", "enabled"):
            return (AGENCY_TYPES,)
        return (frozenset({ROUTINE_CHECKS}),) if why == "routine_checks" else ()
    if feature.startswith("dropped_type="):
        agency_checked = "restriction=" + feature.split("=", 1)[1] in AGENCY_TYPES
        return () if agency_checked else (ANY_DROP,)
    if feature.startswith("context:decision_"):
        return (frozenset({"context=" + feature.split("_", 1)[1].upper()}),)
    return ()


class PhraseSet:
    """Phrases as word sets: whether every word of one of them occurs among some words."""

    def __init__(self, phrases: list[str]) -> None:
        self.phrases = [frozenset(p.lower().split()) for p in phrases if p.split()]

    def may_occur(self, lowers: set[str] | frozenset[str]) -> bool:
        return any(p <= lowers for p in self.phrases)


def task_shorthand_possible(family: dict[str, Any]) -> Callable[[set[str]], bool]:
    """Whether the task-shorthand patterns (``doing_for.json``) could match a doc's words.

    Each pattern needs every word of a task and a completion word, of a leading word
    and a task, or of a moving verb and a place (see
    :func:`nlp.analysis.components.doing_for.task_shorthand_matcher`).
    """
    tasks, done, lead, movers, places = (
        PhraseSet(list(family.get(k, [])))
        for k in ("tasks", "completions", "leading", "moving_verbs", "places")
    )

    def possible(lowers: set[str]) -> bool:
        if tasks.may_occur(lowers) and (done.may_occur(lowers) or lead.may_occur(lowers)):
            return True
        return movers.may_occur(lowers) and places.may_occur(lowers)

    return possible


class _Lemmas:
    """Every lemma the English pipeline could give a word (lower-cased)."""

    def __init__(self, full: Language) -> None:
        self.rules: list[tuple[str, str]] = []
        self.exceptions: dict[str, set[str]] = {}
        self.unknown = True
        if "lemmatizer" in full.pipe_names:
            lemmatizer = full.get_pipe("lemmatizer")
            if getattr(lemmatizer, "mode", "") == "rule":
                tables = lemmatizer.lookups
                for rules in tables.get_table("lemma_rules", {}).values():
                    self.rules.extend((old, new) for old, new in rules)
                for table in tables.get_table("lemma_exc", {}).values():
                    for form, lemmas in table.items():
                        self.exceptions.setdefault(form, set()).update(lemmas)
                self.unknown = False
        # lemmas the attribute ruler sets: by the exact word its rule needs, else tested
        self.override_words: dict[str, set[str]] = {}
        self.overrides: list[tuple[Any, str]] = []
        if "attribute_ruler" in full.pipe_names:
            for rule in full.get_pipe("attribute_ruler").patterns:
                lemma = rule["attrs"].get("LEMMA")
                if lemma is None:
                    continue
                for pattern in rule["patterns"]:
                    value = pattern[rule["index"]].get("LOWER")
                    words = _values(value) if value is not None else None
                    if words is None:
                        self.overrides.append((value, str(lemma).lower()))
                    else:
                        for word in words:
                            self.override_words.setdefault(word, set()).add(str(lemma).lower())

    def __call__(self, lower: str) -> frozenset[str] | None:
        """Possible lemmas of a lower-cased word; None when the lemmatizer is not understood.

        Not cached here: :meth:`ParseScope._word` memoises each word's facts.
        """
        if self.unknown:
            return None
        forms = {lower}
        for old, new in self.rules:
            if lower.endswith(old):
                form = lower[: len(lower) - len(old)] + new
                if form:
                    forms.add(form)
        forms.update(self.exceptions.get(lower, ()))
        forms.update(self.override_words.get(lower, ()))
        for value, lemma in self.overrides:
            if _value_may_match(value, lower):
                forms.add(lemma)
        return frozenset(forms)


def _value_may_match(value: Any, lower: str) -> bool:
    """Whether a Matcher value (str, {"IN": ...}, {"REGEX": ...}) may match a lower-cased word."""
    if value is None:
        return True
    if isinstance(value, str):
        return value.lower() == lower
    if isinstance(value, dict):
        if "IN" in value:
            return lower in {str(v).lower() for v in value["IN"]}
        if "REGEX" in value:
            return re.search(value["REGEX"], lower) is not None
    return True


class _TokenSpec:
    """One fixed token of a restriction pattern, as a test on a word."""

    def __init__(self, spec: dict[str, Any]) -> None:
        self.words: frozenset[str] | None = None
        self.lemmas: frozenset[str] | None = None
        for key in ("LOWER", "TEXT", "ORTH"):
            if key in spec:
                self.words = _values(spec[key])
        if "LEMMA" in spec:
            self.lemmas = _values(spec["LEMMA"])

    @property
    def anchored(self) -> bool:
        return self.words is not None or self.lemmas is not None

    def may_match(self, lowers: frozenset[str], lemmas: frozenset[str] | None) -> bool:
        """Whether the spec's word and lemma tests can each be met by some word of a sentence
        (``lemmas``: every possible lemma of its words; None: unknown)."""
        if self.words is not None and self.words.isdisjoint(lowers):
            return False
        return self.lemmas is None or lemmas is None or not self.lemmas.isdisjoint(lemmas)


def _values(value: Any) -> frozenset[str] | None:
    if isinstance(value, str):
        return frozenset({value.lower()})
    if isinstance(value, dict) and set(value) == {"IN"}:
        return frozenset(str(v).lower() for v in value["IN"])
    return None  # REGEX, NOT_IN, ...: no usable anchor


def _required(spec: dict[str, Any]) -> bool:
    op = spec.get("OP")
    if op is None or op in ("+", "!"):
        return op != "!"
    if isinstance(op, str) and op.startswith("{"):
        low = op[1:].split(",", 1)[0].rstrip("}")
        return low.isdigit() and int(low) > 0
    return False


WORD_MEMO_LIMIT = 20_000  # about 12 MB
_MISSING: Any = object()


@dataclass(frozen=True, slots=True)
class _WordFacts:
    """What one word allows, independent of the sentence it is in."""

    lower: str
    lemmas: frozenset[str]  # every lemma the English pipeline could give it
    keys: frozenset[str]  # scope keys the word alone makes possible
    intervention: bool  # an intervention verb (a medication decision needs a drug word too)
    by_word: tuple[int, ...]  # restriction patterns whose first fixed token is this word
    by_lemma: tuple[int, ...]  # ... or one of its possible lemmas


class ParseScope:
    """Scope keys of a tokenized sentence (see the module docstring)."""

    def __init__(self, full: Language) -> None:
        self.lemmas = _Lemmas(full)
        vocab = full.vocab
        restrictions = full.get_pipe("careaudit_restrictions").data
        self.patterns: list[tuple[str, list[_TokenSpec]]] = []
        # patterns by a word (or lemma) their first fixed token needs, to test only those
        self.by_word: dict[str, list[int]] = {}
        self.by_lemma: dict[str, list[int]] = {}
        self.unindexed: list[int] = []
        for rtype, patterns in restrictions["patterns"].items():
            for pattern in patterns:
                specs = [_TokenSpec(s) for s in pattern if _required(s)]
                specs = [s for s in specs if s.anchored]
                k = len(self.patterns)
                self.patterns.append((rtype, specs))
                if not specs:
                    self.unindexed.append(k)
                elif specs[0].words is not None:
                    for word in specs[0].words:
                        self.by_word.setdefault(word, []).append(k)
                else:
                    for lemma in specs[0].lemmas or ():
                        self.by_lemma.setdefault(lemma, []).append(k)
        component = full.get_pipe("careaudit_doing_for")
        doing_for = component.data
        self.task_shorthand = task_shorthand_possible(doing_for.get("task_shorthand", {}))
        # the component's own task-shorthand matcher reads words only: run it as it would
        self.task_matcher = getattr(component, "task_shorthand", None)
        self.care_verbs = frozenset(doing_for["care_verbs"])
        self.aliases: dict[str, str] = dict(doing_for.get("lemma_aliases", {}))
        decisions = full.get_pipe("careaudit_decisions").data
        self.decision_lemmas = frozenset(decisions["decision_lemmas"])
        self.intervention_lemmas = frozenset(decisions["intervention_lemmas"])
        self.medication_words = frozenset(decisions["medication_words"])
        evidence = full.get_pipe("careaudit_evidence").data
        context = full.get_pipe("careaudit_context").data
        groups: dict[str, list[str]] = {
            "doing_for.shorthand": list(doing_for["shorthand"]),
            "decision.phrase": list(evidence["decision_phrases"]),
        }
        for rule in context["rules"]:
            groups.setdefault("context=" + rule["category"], []).append(rule["phrase"])
        self.phrases: PhraseMatcher = phrase_matcher(vocab, groups, full.tokenizer)
        # per word (lower-case hash): hashes are the same in every memory zone
        self._words: dict[int, _WordFacts | None] = {}

    def __call__(self, doc: Doc) -> frozenset[str]:
        """The scope keys of ``doc`` (tokens only; nothing tagged or parsed)."""
        keys: set[str] = {doc.vocab.strings[m] for m, _, _ in self.phrases(doc)}
        facts = [self._word(h, doc) for h in doc.to_array(LOWER).tolist()]
        words = [f for f in facts if f is not None]
        lowers = frozenset(f.lower for f in words)
        if self.task_shorthand(set(lowers)) and (
            self.task_matcher is None or self.task_matcher(doc)
        ):
            keys.add("doing_for.shorthand")
        if self.lemmas.unknown:
            if words:
                keys.update(("doing_for.verb", "decision.verb", "decision.medication"))
            keys.update(ROUTINE_CHECKS for f in words if ROUTINE_CHECKS in f.keys)
            lemmas: frozenset[str] | None = None
            candidates = set(self.unindexed)
            for f in words:
                candidates.update(f.by_word)
            for indices in self.by_lemma.values():
                candidates.update(indices)
        else:
            medication = False
            for f in words:
                keys.update(f.keys)
                medication = medication or f.intervention
            if medication and not lowers.isdisjoint(self.medication_words):
                keys.add("decision.medication")
            lemmas = frozenset().union(*(f.lemmas for f in words))
            candidates = set(self.unindexed)
            for f in words:
                candidates.update(f.by_word)
                candidates.update(f.by_lemma)
        for k in sorted(candidates):
            rtype, specs = self.patterns[k]
            if f"restriction={rtype}" not in keys and all(
                s.may_match(lowers, lemmas) for s in specs
            ):
                keys.update(("restriction", f"restriction={rtype}"))
        return frozenset(keys)

    def _word(self, lower_hash: int, doc: Doc) -> _WordFacts | None:
        """What one word (by its lower-case hash) allows, memoised; None for whitespace."""
        found = self._words.get(lower_hash, _MISSING)
        if found is not _MISSING:
            return found
        lower = doc.vocab.strings[lower_hash]
        facts: _WordFacts | None = None
        if not lower.isspace():
            lemmas = self.lemmas(lower)
            keys: set[str] = set()
            intervention = False
            by_lemma: set[int] = set()
            if lemmas is not None:
                aliased = lemmas | {self.aliases[x] for x in (*lemmas, lower) if x in self.aliases}
                if aliased & self.care_verbs:
                    keys.add("doing_for.verb")
                if lemmas & self.decision_lemmas:
                    keys.add("decision.verb")
                intervention = not lemmas.isdisjoint(self.intervention_lemmas)
                for lemma in lemmas:
                    by_lemma.update(self.by_lemma.get(lemma, ()))
            if is_routine_check_word(lower):
                keys.add(ROUTINE_CHECKS)
            facts = _WordFacts(
                lower=lower,
                lemmas=lemmas or frozenset(),
                keys=frozenset(keys),
                intervention=intervention,
                by_word=tuple(self.by_word.get(lower, ())),
                by_lemma=tuple(sorted(by_lemma)),
            )
        if len(self._words) >= WORD_MEMO_LIMIT:  # names, ids, typos: start afresh
            self._words.clear()
        self._words[lower_hash] = facts
        return facts
