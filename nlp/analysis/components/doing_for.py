"""``careaudit_doing_for``: staff doing an everyday task for or to the person.

Five routes, each a rule id on ``span.id_``:

- ``active``: a daily-living verb whose agent is staff (or unstated) and whose
  object is the person or something of theirs ("I made his breakfast");
- ``passive``: the person as passive subject ("Mary was washed and dressed");
- ``passive_task``: the person's task or thing as passive subject, with no
  agent or a staff agent ("Breakfast made for him", "Her room cleaned", "Bed
  changed", "Lunch was fed to her by staff");
- ``fragment``: a care verb heading a subjectless record line whose object, if
  any, is a care task ("Put to bed at 8", "Fed lunch", "Washed, dressed,
  shaved", "Given breakfast") — the person is the unstated recipient;
- ``shorthand``: task-completion phrases with the person absent ("PC done").

Enabling wording, the person directing the help, negation and hypotheticals
remove a finding (see :mod:`nlp.components.context`).
"""

from __future__ import annotations

from spacy.attrs import LEMMA, LOWER, POS
from spacy.language import Language
from spacy.parts_of_speech import ADJ, AUX, VERB
from spacy.tokens import Doc, Span, Token
from spacy.util import filter_spans

from nlp.analysis import agency
from nlp.analysis.components.anchored_matcher import AnchoredMatcher
from nlp.analysis.components.context import modifiers
from nlp.analysis.components.data_component import DataComponent
from nlp.analysis.components.phrases import phrase_matcher, set_group

_VERB_ATTRS = [LEMMA, LOWER, POS]
_VERB_POS = frozenset({VERB, AUX, ADJ})
CARE_VERB_MEMO_LIMIT = 20_000  # (lemma, word) pairs remembered before the memo starts afresh
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
        self.shared_objects = frozenset(data.get("shared_objects", []))
        self.needs_phrase = {k: frozenset(v) for k, v in data["needs_object_phrase"].items()}
        self.objectless_ok = frozenset(data["objectless_ok"])
        self.enabling_verbs = frozenset(data["enabling_verbs"])
        self.lemma_aliases: dict[str, str] = data.get("lemma_aliases", {})
        self.shorthand = phrase_matcher(
            self.nlp.vocab, {"shorthand": data["shorthand"]}, self.nlp.tokenizer
        )
        self._is_care_verb: dict[tuple[int, int], bool] = {}  # (lemma, lower) hashes
        self.task_shorthand = task_shorthand_matcher(self.nlp, data.get("task_shorthand", {}))

    def __call__(self, doc: Doc) -> Doc:
        self.require_data()
        found: list[Span] = []
        for i in self._care_verb_positions(doc):
            span = self._verb_finding(doc, doc[i])
            if span is not None:
                found.append(span)
        matches = [(s, e) for _, s, e in self.shorthand(doc)]
        matches += [(s, e) for _, s, e in self.task_shorthand(doc) if _line_shorthand(doc, s, e)]
        for start, end in matches:
            span = Span(doc, start, end, label="doing_for")
            span.id_ = "doing_for.shorthand"
            if not (modifiers(span) & BLOCKING_CONTEXT) and not self._enabled(doc[start]):
                found.append(span)
        set_group(doc, "doing_for", filter_spans(found))
        return doc

    def _care_verb_positions(self, doc: Doc) -> list[int]:
        """Tokens tagged VERB, AUX or ADJ whose (aliased) lemma is a care verb.

        Read from the Doc's arrays, with the lemma test memoised per (lemma, word)
        pair, rather than by making a Token object for every word.
        """
        strings = doc.vocab.strings
        memo = self._is_care_verb
        out = []
        for i, (lemma, lower, pos) in enumerate(doc.to_array(_VERB_ATTRS).tolist()):
            if pos not in _VERB_POS:
                continue
            hit = memo.get((lemma, lower))
            if hit is None:
                hit = self._aliased(strings[lemma], strings[lower]) in self.care_verbs
                if len(memo) >= CARE_VERB_MEMO_LIMIT:  # names, typos: start afresh
                    memo.clear()
                memo[(lemma, lower)] = hit
            if hit:
                out.append(i)
        return out

    def _aliased(self, lemma: str, lower: str) -> str:
        lemma = lemma.lower()
        return self.lemma_aliases.get(lemma, self.lemma_aliases.get(lower, lemma))

    def _lemma(self, token: Token) -> str:
        """The lemma, corrected where the lemmatizer mangles care words ('toileted')."""
        return self._aliased(token.lemma_, token.lower_)

    # -- verbs ---------------------------------------------------------------
    def _verb_finding(self, doc: Doc, verb: Token) -> Span | None:
        if any(c.dep_ == "neg" for c in verb.children) or self._enabled(verb):
            return None
        lemma = self._lemma(verb)
        if lemma in self.needs_phrase and not self._has_task_phrase(verb, self.needs_phrase[lemma]):
            return None
        if agency.is_passive(verb) or (verb.dep_ == "conj" and agency.is_passive(verb.head)):
            patient = agency.passive_patient(verb)
            if patient is None or agency.agent(verb) == agency.PERSON:
                return None
            if agency.classify(patient) == agency.PERSON:
                rule, tokens = "doing_for.passive", [patient, verb]
            elif self._is_persons_task(patient, verb):
                rule, tokens = "doing_for.passive_task", [patient, verb]
            else:
                return None
        elif self._is_bare_participle(verb):
            if not self._is_persons_task(verb.head, verb):
                return None
            rule, tokens = "doing_for.passive_task", [verb.head, verb]
        else:
            if agency.agent(verb) not in {agency.STAFF, agency.NONE}:
                return None
            target = self._person_target(verb)
            if target is not None:
                rule, tokens = "doing_for.active", [verb, target]
            elif self._is_fragment(verb, lemma):
                rule, tokens = "doing_for.fragment", [verb]
            else:
                return None
        span = Span(doc, min(t.i for t in tokens), max(t.i for t in tokens) + 1, label="doing_for")
        span.id_ = rule
        if modifiers(span) & BLOCKING_CONTEXT:
            return None
        return span

    def _is_task(self, noun: Token) -> bool:
        """A care task or the person's thing ('breakfast', 'his room', 'bed')."""
        return noun.lower_ in self.care_objects or self._lemma(noun) in self.care_objects

    def _is_persons_task(self, noun: Token, verb: Token) -> bool:
        """A care task done for the person: a personal task ('bed', 'breakfast'), or a
        shared thing ('kitchen', 'dishes') only when it is the person's or done for them."""
        if not self._is_task(noun):
            return False
        if noun.lower_ not in self.shared_objects:
            return True
        owner = agency.possessor(noun)
        if owner is not None and agency.classify(owner) == agency.PERSON:
            return True
        return any(agency.classify(o) == agency.PERSON for o in agency.objects(verb))

    @staticmethod
    def _is_bare_participle(verb: Token) -> bool:
        """'Breakfast made for him': a participle modifying its noun, no clause of its own."""
        return verb.tag_ == "VBN" and verb.dep_ in {"acl", "amod"}

    def _is_fragment(self, verb: Token, lemma: str) -> bool:
        """A subjectless record line headed by a care verb ('Put to bed at 8', 'Fed lunch')."""
        head = verb
        while head.dep_ == "conj" and head.head is not head:
            head = head.head
        if head.dep_ != "ROOT" or agency.subject(verb) is not None:
            return False
        if verb.tag_ not in {"VBN", "VBD"} or head.i != head.sent.start + _lead(head.sent):
            return False
        objs = agency.objects(verb)
        if any(not self._is_task(o) for o in objs):
            return False
        return bool(objs) or lemma in self.objectless_ok or lemma in self.needs_phrase

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


def _lead(sent: Span) -> int:
    """Tokens before a record line's first word: a time stamp, bullet or number ('22:00')."""
    n = 0
    for tok in sent:
        if tok.like_num or tok.is_punct or tok.lower_ in {"am", "pm", "hrs", "approx"}:
            n += 1
        else:
            break
    return n


def task_shorthand_matcher(nlp: Language, family: dict) -> AnchoredMatcher:
    """Compile the task-shorthand pattern family (see ``doing_for.json``) into a matcher."""

    def seq(phrases: list[str]) -> list[list[dict]]:
        return [[{"LOWER": w} for w in p.split()] for p in phrases]

    tasks, done = seq(family.get("tasks", [])), seq(family.get("completions", []))
    lead, places = seq(family.get("leading", [])), seq(family.get("places", []))
    movers = seq(family.get("moving_verbs", []))
    poss = {"LOWER": {"IN": ["his", "her", "their", "the"]}, "OP": "?"}
    link_words = ["to", "into", "onto", "back", "in", "on", "up", "and", "for"]
    link = {"LOWER": {"IN": link_words}, "OP": "*"}
    patterns = [
        [poss, *t, {"LOWER": {"IN": ["was", "were"]}, "OP": "?"}, *c] for t in tasks for c in done
    ]
    patterns += [[*v, poss, *t] for v in lead for t in tasks]
    patterns += [[*m, link, {"LOWER": "the", "OP": "?"}, *p] for m in movers for p in places]
    matcher = AnchoredMatcher(nlp.vocab)  # thousands of patterns: run those a doc can match
    matcher.add("task_shorthand", patterns)
    return matcher


def _line_shorthand(doc: Doc, start: int, end: int) -> bool:
    """Shorthand stands for the person only where nobody is named as doing it.

    Nothing before the match in its sentence may be a subject other than a time
    stamp, a name or the task itself ("22:00 Edna put to bed", "Pad changed"), and
    the match may not be followed by the person as agent ("by herself").
    """
    sent = doc[start].sent
    for tok in doc[sent.start : start]:
        if tok.dep_ in {"nsubj", "nsubjpass"} and tok.head.i >= start and tok.head.i < end:
            if agency.classify(tok) == agency.STAFF or tok.pos_ == "PROPN":
                continue
            if tok.lower_ in {"he", "she", "they", "i", "we"}:
                return tok.lower_ in {"i", "we"}
    tail = doc[end : min(sent.end, end + 3)].text.lower()
    return not tail.startswith(("himself", "herself", "themselves", "by himself", "by herself"))
