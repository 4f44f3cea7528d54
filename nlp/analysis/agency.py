"""Who does what to whom: agent and patient of a verb from the dependency parse.

Records are written by staff, so a verb with no stated subject ("Washed and
dressed Mary") has staff as its agent. Nouns are sorted into ``staff``,
``person`` (the person supported, named or by pronoun) and ``other``.
"""

from __future__ import annotations

from spacy.tokens import Token

from nlp.analysis import lexicon

STAFF, PERSON, OTHER, NONE = "staff", "person", "other", "none"
_DF = lexicon.load("doing_for")
STAFF_WORDS = frozenset(_DF["staff_agents"])
PERSON_WORDS = frozenset(_DF["person_nouns"]) - {"them"}
# Common nouns that a sentence-initial capital can make look like names ("Wifi switched off").
THINGS = frozenset(_DF["care_objects"]) | frozenset(
    w
    for pats in lexicon.load("restrictions")["patterns"].values()
    for pat in pats
    for spec in pat
    for w in (spec.get("LOWER", {}).get("IN", []) if isinstance(spec.get("LOWER"), dict) else [])
)
PERSON_PRONOUNS = frozenset({"he", "she", "him", "her", "his", "hers", "himself", "herself"})
REFLEXIVES = frozenset({"himself", "herself", "themselves"})
SUBJECT_DEPS = frozenset({"nsubj", "csubj"})
PASSIVE_SUBJECT_DEPS = frozenset({"nsubjpass", "csubjpass"})


def classify(token: Token) -> str:
    """Sort a noun or pronoun into staff, person or other."""
    low = token.lower_
    if low in STAFF_WORDS:
        return STAFF
    if low in PERSON_PRONOUNS or low in PERSON_WORDS:
        return PERSON
    if low in THINGS:
        return OTHER
    if token.pos_ == "PROPN" or (token.is_title and token.pos_ in {"NOUN", "X"} and token.i > 0):
        if _is_staff_name(token):
            return STAFF
        return PERSON
    if low in {"they", "them"}:
        return STAFF
    return OTHER


def _is_staff_name(token: Token) -> bool:
    """A name followed by a role in brackets or apposition ('Dee (carer)')."""
    for right in token.rights:
        if right.lower_ in STAFF_WORDS or right.lower_ in {"carer", "nurse", "sw", "hca"}:
            return True
    return False


def is_passive(verb: Token) -> bool:
    deps = {c.dep_ for c in verb.children}
    return bool(deps & PASSIVE_SUBJECT_DEPS) or "auxpass" in deps


def subject(verb: Token) -> Token | None:
    """The grammatical subject of a verb, inherited through coordination."""
    seen = 0
    node: Token | None = verb
    while node is not None and seen < 4:
        for child in node.children:
            if child.dep_ in SUBJECT_DEPS | PASSIVE_SUBJECT_DEPS:
                return child
        node = node.head if node.dep_ == "conj" and node.head is not node else None
        seen += 1
    return None


def agent(verb: Token) -> str:
    """Who performs the verb: staff, person, other, or none (unstated)."""
    if is_passive(verb) or (verb.dep_ == "conj" and is_passive(verb.head)):
        for child in verb.children:
            if child.dep_ == "agent":
                objs = [g for g in child.children if g.dep_ == "pobj"]
                return classify(objs[0]) if objs else NONE
        return NONE
    subj = subject(verb)
    if subj is None:
        return NONE
    return classify(subj)


def objects(verb: Token) -> list[Token]:
    """Direct objects, datives and objects of 'for' (shared across coordinated verbs)."""
    found: list[Token] = []
    nodes = [verb, *(c for c in verb.conjuncts)]
    for node in nodes:
        for child in node.children:
            if child.dep_ in {"dobj", "dative", "oprd"}:
                found.append(child)
            elif child.dep_ == "prep" and child.lower_ in {"for", "to"}:
                found.extend(g for g in child.children if g.dep_ == "pobj")
    return found


def passive_patient(verb: Token) -> Token | None:
    subj = subject(verb)
    if subj is not None and subj.dep_ in PASSIVE_SUBJECT_DEPS:
        return subj
    if verb.dep_ == "conj":
        return passive_patient(verb.head) if verb.head is not verb else None
    return None


def possessor(noun: Token) -> Token | None:
    for child in noun.children:
        if child.dep_ == "poss":
            return child
    return None


def governing_verbs(verb: Token, depth: int = 3) -> list[Token]:
    """Verbs this one is an open/clausal complement of ('supported X to *wash*')."""
    chain: list[Token] = []
    node = verb
    for _ in range(depth):
        if (
            node.dep_ in {"xcomp", "ccomp", "conj", "advcl", "relcl", "acl"}
            and node.head is not node
        ):
            node = node.head
            chain.append(node)
        else:
            break
    return chain
