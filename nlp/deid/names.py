"""Person names and places in a parsed note.

A token is a name when a recogniser is confident and it is not a common English
word, product, programme, medication or place, unless context says it is a person:

- listed first names that are no common word (``Ewa``, ``tahir``, ``EDNA``), any case;
- unlisted capitalised words that are no English word (``Zeke``, ``Asamoah``), unless a
  determiner, a product noun or a title verb says it is a thing (``a Toblerone``,
  ``Raizer chair``, ``watched Bargain Loving Brits in the Sun``);
- surnames, particles and capitalised words next to a name (``Tomasz Wren``, ``M
  Dunmore``, ``Ní Bhriain``, ``van der Berg``), other names in brackets or quotes after
  it (``Wisniewski (Tad)``, ``Ackroyd ("Dot" / "Dotty" to friends)``), name words joined
  to it (``Kim, Lee, Jo and Ed``, ``dawn and bill``);
- context: a title (``Mrs Kavanagh``, ``mrs lam``), a relation or role word (``daughter
  Holly``, ``son rob``, ``SW Comfort``, ``precious (carer)``), an alias (``known as
  Peggy``), a greeting opening a line (``Dear Penny``), a name learned elsewhere;
- listed first names that are also common words (``Holly``, ``penny``) unless a
  determiner, ``be``, a possessive or a verb reading says otherwise (``the heather``,
  ``rob him``, ``his dad's Will``, ``Will do``); in lower case only where a person
  stands (``ray had a good day``, ``found pat on the floor``, ``sat with summer``,
  ``the album lily left``, ``w/ bill from rm 9``), in capitals also as a signature.

Never names: acronyms (``DWP``, ``HCAs``), parts of ``X-ray`` or ``Pre-admission``, a
plain word after a job title (``NIGHT NURSE AWARE``), facilities (``Airedale General
Hospital``, ``NHS Tayside``). A lone unlisted word taken on its shape alone is a
*tentative* name: other notes treat it as a word that may be a name, not as a sure one.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from nlp.deid import beside_names as bn
from nlp.deid import context as cx
from nlp.deid import name_encoder, name_tagger
from nlp.deid.entities import Entity
from nlp.deid.features import NoteView, features, is_candidate
from nlp.deid.lexicons import Lexicons
from nlp.deid.name_model import NameModel
from nlp.deid.recognisers import POSTCODE

NONE, SUR_AFTER, SUR, NAME, STRONG, PLACE = range(6)
_ROOM_WORD = r"(?:room|rm|bed|flat|fl|bedroom)"  # fl: "fl 12 jessie" in a handover
_ROOM_AFTER = re.compile(rf"\s*(?:\(|,|-|from|in|of)?\s*{_ROOM_WORD}\.?\s?\d", re.I)
_ROOM_BEFORE = re.compile(rf"\b{_ROOM_WORD}\.?\s?\d{{1,4}}[a-z]?\s*[-:,]?\s*$", re.I)
# the model's entity types that say an unlisted word is a thing, not a person
_THING_ENTS = frozenset(["ORG", "FAC", "WORK_OF_ART", "PRODUCT", "EVENT", "LAW", "NORP"])
# words before a month that say it is the month (in June, since April)
_DATE_PREPOSITIONS = frozenset(
    [
        "in",
        "since",
        "until",
        "till",
        "during",
        "by",
        "before",
        "after",
        "from",
        "of",
        "early",
        "late",
        "mid",
        "last",
        "next",
        "this",
        "every",
        "throughout",
    ]
)
# what follows a ward's name, not a person's: "Calder Ward, bed 14", "Spencer Ward bay 2"
_BED_WORDS = frozenset(["bed", "bay"])
_WARD_HEADS = frozenset(["ward", "unit", "wing"])
# shouted words for a place or a team that the learned decision never makes a name
_SHOUTED_PLACES = frozenset(["office", "reception", "surgery", "pharmacy", "team", "staff"])
# titles that are also clinical abbreviations in capitals (multiple sclerosis, modified release)
_CLINICAL_TITLES = frozenset(["ms", "mr"])
# what follows a word to make it a possessive ("Sofia's room"): a person's
_POSSESSIVE_MARKS = frozenset(["'s", "’s", "'", "’"])
# words before a town that make it a place, not a person: "photos of Skegness", "Hereford
# FC v Kidderminster", "a quine fae Riga"
_PLACE_BEFORE = frozenset(["of", "v", "vs", "fae"])
# before which another mention of a kept town is still a place (``_only_as_a_place``)
_PLACE_PREPOSITIONS = frozenset(["in", "into", "from", "to", "at", "near", "of", "via", "lives"])
# what may close a rota or visit-log entry after a name's initial ("dorota k –", "elaine h |")
# (not "/": "Mary c/o headache", "Ann w/c to lounge" are shorthand, not initials)
_ENTRY_CLOSERS = frozenset([",", ".", ";", ":", "|", "-", "–", "—", ")"])
# nouns a town may modify and still be a person's name: "the Whitby family"
_PERSON_HEADS = frozenset(["family", "household", "children", "kids", "twins", "brothers"])
# punctuation that closes a field of a log line or header ("– cuthbert bousfield, bay a")
_FIELD_ENDS = frozenset(["–", "—", "-", ",", "(", "|", ":", ";", "."])
# short words that close a note as words, not initials
_PLAIN_SHORT = frozenset(
    [
        "ok",
        "oh",
        "ha",
        "hi",
        "ta",
        "no",
        "so",
        "am",
        "pm",
        "me",
        "us",
        "we",
        "he",
        "it",
        "is",
        "on",
        "in",
        "at",
        "to",
        "go",
        "do",
        "be",
        "by",
        "up",
        "my",
        "of",
        "or",
        "an",
        "as",
        "if",
    ]
)
# a capital letter (not I) that is a whole table cell: between the line's ends, pipes, tabs
# or two spaces or more (round 17)
_LETTER_CELL = re.compile(r"(?:^|(?<=[|\t])|(?<=[|\t] )|(?<=  ))[A-HJ-Z](?= {2,}| ?[|\t]| *$)")


def _grid_letters(doc: Any) -> set[int]:
    """Tokens that are whole one-letter cells (a capital, not ``I``) of a table line holding
    three such cells or more: a night-check grid's ``A`` and ``S`` (``4     A      S      S
    DV``), not a person's initial in prose or in a table's name column (``| 4 | J | up x3
    |``)."""
    out: set[int] = set()
    pos = 0
    for line in doc.text.split("\n"):
        letters = [m.start() for m in _LETTER_CELL.finditer(line)]
        if len(letters) >= 3:
            for at in letters:
                span = doc.char_span(pos + at, pos + at + 1)
                if span is not None:
                    out.add(span[0].i)
        pos += len(line) + 1
    return out


_NON_NAME_POS = frozenset(
    ["VERB", "AUX", "ADJ", "ADV", "ADP", "DET", "PRON", "CCONJ", "SCONJ", "PART", "NUM"]
)


_COORDINATORS = frozenset(["and", "&", "+", ","])
_NOUN_TAGS = frozenset(["NN", "NNS", "NNP", "NNPS"])


def _after_handover(doc: Any, j: int) -> bool:
    """Token ``j`` (``from``/``to``) follows a handover word: ``hand over from BW``."""
    return j >= 1 and doc[j - 1].lower_ in cx.HANDOVER


def _closes_line(doc: Any, i: int) -> bool:
    """Token ``i`` ends its line or the note, a full stop aside (``given YF.``)."""
    j = i + 1
    if j < len(doc) and doc[j].text == ".":
        j += 1
    return j >= len(doc) or "\n" in doc[j].text


def _noun_follows(doc: Any, i: int, caps: bool) -> bool:
    """A noun (or, on a line in capitals, any word) comes right after token ``i``: the
    letters then name an organisation or a rank (``MK safeguarding team``, ``DC Gemma``)."""
    nxt = doc[i + 1] if i + 1 < len(doc) else None
    if nxt is None or nxt.is_space or not nxt.is_alpha:
        return False
    return caps or nxt.tag_ in _NOUN_TAGS


def _verb_follows(doc: Any, nxt: Any | None, fixed: set[int]) -> bool:
    """``to`` or a modal and a bare verb, or a verb in the past or present, comes next
    (``TZ to clean``, ``WZ will ring``, ``KF self-harmed``, ``TJ wants``); not a label before
    an identifier that the tagger calls a verb (``BOC ref 7720154``)."""
    if nxt is None:
        return False
    after = cx.next_word(doc, nxt.i)
    if nxt.lower_ == "to" or nxt.tag_ == "MD":  # TZ to clean, WZ will ring
        return after is not None and after.tag_ == "VB"
    labels = after is not None and after.i in fixed
    if nxt.tag_ == "VBN" and nxt.dep_ == "ROOT" and any(c.dep_ == "dobj" for c in nxt.children):
        # "KM assisted Mary to the toilet": a past tense the tagger took for a participle,
        # the sentence's own verb with an object (not "WC cleaned after incident", a thing
        # done to the letters)
        return not labels
    return nxt.tag_ in ("VBD", "VBZ") and nxt.pos_ in ("VERB", "AUX") and not labels


# words after which initials that spell a word stand for a person: "reported to TO",
# "with carer AS", "Handed to HL, BY and Dr Roper", "passed to office (TO)"
_PERSON_BEFORE = frozenset(["to", "with", "by", "from", "per", "and", "&", "+", "(", ","])


def _person_after(doc: Any, i: int, nxt: Any | None) -> bool:
    """What follows token ``i`` says a person: the note or line ends, a possessive, a list
    or bracket goes on, ``to`` or a modal, a verb in the past or present (``TO to send``,
    ``AN's car``, ``TO (coordinator)``, ``AS rang``)."""
    if nxt is None or _closes_line(doc, i):
        return True
    if nxt.lower_ in (")", ",", "(", "and", "&", "/"):
        return True
    return _acts(nxt)


def _acts(nxt: Any | None) -> bool:
    """The next word makes the letters someone who acts or owns: a possessive, ``to``, a
    modal, a verb in the past, present or ``-ing`` (``TO covering Sunday``)."""
    if nxt is None:
        return False
    if nxt.lower_ in ("'s", "’s", "to") or nxt.tag_ == "MD":
        return True
    return nxt.tag_ in ("VBD", "VBZ", "VBG") and nxt.pos_ in ("VERB", "AUX")


# a postcode one or two commas or spaces after a word: "Harlow CM18 7HE", "Harlow, CM18 7HE"
_POSTCODE_AFTER = re.compile(rf"[, ]{{1,2}}(?:{POSTCODE.pattern})", POSTCODE.flags)
# a sign-off written against its dash, one token to the tokenizer: "-jb", "-kab", "-K.J."
_DASHED = re.compile(r"[-–]([A-Za-z]{2,3}|(?:[A-Za-z]\.){1,3})")


# the town of an address line: ", Hyde SK14 2ND", ", Sutton-on-Sea LN12 2RX", ", BY ELGIN IV30 8QN"
_TOWN_BEFORE_POSTCODE = re.compile(
    r",[ \t]*(?P<town>(?:[A-Z][\w'’.]*(?:-[\w'’]+)*[ \t]){0,2}[A-Z][\w'’.]*(?:-[\w'’]+)*)"
    rf"(?=[, ]{{1,2}}(?:{POSTCODE.pattern}))",
    POSTCODE.flags & ~re.IGNORECASE,
)


_ADDRESS_BEFORE_TOWN = re.compile(r"\d|(?i:\baddress\b)")


def postcode_towns(text: str) -> list[tuple[int, int]]:
    """Character spans of the towns written between a comma and a postcode on an address
    line (a house number, a flat's or an ``Address`` label before the comma): a place
    whatever else the word names in the batch (``Hyde``, ``Sutton``: surnames too). Not
    ``son, Mark Whiteside LA4 4AF`` (no address before it: a person's name and postcode)."""
    spans = []
    for m in _TOWN_BEFORE_POSTCODE.finditer(text):
        line = text[text.rfind("\n", 0, m.start()) + 1 : m.start()]
        if _ADDRESS_BEFORE_TOWN.search(line):
            spans.append(m.span("town"))
    return spans


def _before_postcode(text: str, end: int) -> bool:
    """A postcode follows ``text[:end]``, a comma aside: the words before it are a town."""
    return _POSTCODE_AFTER.match(text, end) is not None


def _capital_initials(doc: Any, fixed: set[int]) -> Callable[[int], bool]:
    """Whether token ``j`` is two or three capitals outside an identifier (``MT``, ``KLD``)."""
    return lambda j: j not in fixed and re.fullmatch(r"[A-Z]{2,3}", doc[j].text) is not None


def _initial(text: str) -> bool:
    """``M``, ``J.``, ``G.K.``, and ``A.`` or ``I.`` (the stop says initial, not the word)."""
    dotted = re.fullmatch(r"(?:[A-Z]\.){2,3}", text)
    return cx.is_initial(text) or text in ("A.", "I.") or bool(dotted)


@dataclass
class Known:
    """Names learned before this note: ``strong`` in any case, ``weak`` (common words) only
    where the reading allows."""

    strong: set[str] = field(default_factory=set)
    weak: set[str] = field(default_factory=set)
    phrases: dict[tuple[str, ...], str] = field(default_factory=dict)  # services etc.
    # initials of the staff who write this service's notes (the export's author column:
    # "Derek Rennie" -> "DR"), in capitals; see NameFinder._staff_initials
    initials: set[str] = field(default_factory=set)


@dataclass
class NameFindings:
    entities: list[Entity]
    votes: list[tuple[str, str, int]]  # (first-name key, f/m, weight)


class NameFinder:
    """Finds name and place entities in a spaCy ``Doc`` (see the module docstring).

    With a ``model`` (:mod:`nlp.deid.name_model`) the rules propose and the model
    decides over every candidate word (:func:`nlp.deid.features.is_candidate`; see
    :meth:`_decide`). ``recorder``, when set, receives each parsed note's
    candidates and their features (``id(doc)`` -> ``(doc, [(i, features)])``): training.
    """

    def __init__(self, lexicons: Lexicons, model: NameModel | None = None) -> None:
        self.lex = lexicons
        self.model = model
        self.recorder: dict[int, tuple[Any, list[tuple[int, list[str]]]]] | None = None

    @staticmethod
    def _text(doc: Any) -> str:
        """``doc.text``, built once per note (spaCy joins every token on each call);
        kept in the Doc itself, so finders shared between threads never mix notes."""
        text = doc.user_data.get("deid_text")
        if text is None:
            text = doc.user_data["deid_text"] = doc.text
        return text

    # -- word classes --------------------------------------------------------------------
    def _common(self, key: str) -> bool:
        lex = self.lex
        return lex.is_common(key) or key in lex.not_names or key in cx.MONTHS_DAYS

    def _phrase_marks(self, doc: Any, phrases: Iterable[tuple[str, ...]]) -> set[int]:
        marks: set[int] = set()
        phrase_set = set(phrases)
        if not phrase_set:
            return marks
        longest = max(len(p) for p in phrase_set)
        words = [(i, cx.fold(t.text)) for i, t in enumerate(doc) if not t.is_space]
        for a in range(len(words)):
            for n in range(min(longest, len(words) - a), 1, -1):
                if tuple(w for _, w in words[a : a + n]) in phrase_set:
                    marks.update(range(words[a][0], words[a + n - 1][0] + 1))
                    break
        return marks

    def _named(self, key: str) -> bool:
        """A listed first name or surname, or no common word, place or region."""
        lex = self.lex
        if key in lex.first_names or key in lex.surnames:
            return True
        return not self._common(key) and key not in lex.places and key not in lex.regions

    # -- context -------------------------------------------------------------------------
    def _context(self, doc: Any, i: int) -> str:
        """``title``, ``relation``, ``role`` or ``greeting`` naming token ``i``; else ''."""
        prev = cx.prev_word(doc, i)
        key = cx.fold(doc[i].text)
        if prev is not None:
            p = cx.fold(prev.text).rstrip(".")
            if p in cx.TITLES and p in cx.ROLES and not self._named(key):
                return ""  # "NIGHT NURSE AWARE": a job title before a plain word
            shouted = len(prev.text) > 1 and prev.text.isupper() and not doc[i].text.isupper()
            if p in _CLINICAL_TITLES and shouted and not self._named(key):
                return ""  # "MS Society" (multiple sclerosis), "MR tablets"; not "MS Okafor"
            if p in cx.TITLES and prev.text[:1].isupper():
                return "title"  # "Mrs Kavanagh"
            if p in cx.ABBREVIATED_TITLES and self._named(key):
                return "title"  # "mrs lam": a listed surname; not "dr informed"
            if p in cx.TITLES and key not in self.lex.common_words:
                return "title"
            before = cx.prev_word(doc, prev.i)
            if p == "as" and before is not None and before.lower_ in ("known", "referred"):
                return "alias"  # "known as Peggy", "KNOWN AS: JAG"
            if p == "is" and before is not None and before.lower_ == "name":
                return "alias"  # "my name is Cash"
            if cx.acronym(doc[i].text) and key not in self.lex.first_names:
                return ""  # "SW DWP", "from DWP": an acronym is no name
            if p in cx.RELATIONS:
                return "relation"
            if p in cx.ROLES or p in cx.ALIASES:
                return "role"
            if p in cx.GREETINGS and cx.line_position(doc, prev.i) <= 1:
                return "role"  # "Dear Penny", "Kind regards, Stuart" (not "letter from DWP")
        nxt = cx.next_word(doc, i, skip="(,")
        if nxt is not None and cx.fold(nxt.text) in cx.RELATIONS:
            after = cx.next_word(doc, nxt.i)
            if doc[i + 1].text == "(" or (after is not None and after.text in ",)"):
                return "relation"  # "Wei (son)", "Tom, her son,"
        if nxt is not None and cx.fold(nxt.text) in cx.ROLES and doc[i + 1].text == "(":
            after = cx.next_word(doc, nxt.i)
            if after is not None and after.text == ")":
                return "role"  # "precious (carer)", "Will (maintenance)"
        return ""

    def _det_blocked(self, doc: Any, i: int) -> bool:
        """``the heather``, ``a real blessing``, ``be hazel``, ``every penny``."""
        j = i - 1
        while j >= 0 and (doc[j].is_space or doc[j].pos_ == "ADJ" or doc[j].lower_ == "very"):
            j -= 1
        if j < 0:
            return False
        prev = doc[j]
        if prev.lower_ in cx.BE_FORMS or prev.lower_ in cx.POSSESSIVES:
            return True  # "be hazel", "her Will" (a legal will)
        if prev.text in ("'s", "’s"):
            return True  # "his dad's Will"
        if prev.lower_ in cx.DETERMINERS and prev.pos_ == "DET":
            return True
        return prev.lower_ in cx.QUANTIFIERS

    def _det_before(self, doc: Any, i: int) -> bool:
        """A determiner before the word, adjectives or unlisted capitalised words between:
        ``a Toblerone``, ``the Palais``, ``a Ferrero Rocher``."""

        def between(tok: Any) -> bool:
            if tok.lower_ in cx.DETERMINERS:
                return False  # "The Minch": the determiner itself
            if tok.pos_ == "ADJ" or (tok.is_space and "\n" not in tok.text):
                return True
            key = cx.fold(tok.text)
            return cx.shape(tok.text) == "title" and not self.lex.is_name_word(key)

        j = i - 1
        while j >= 0 and between(doc[j]):
            j -= 1
        if j >= 0 and doc[j].lower_ in ("the", "a", "an"):
            return True  # "The Minch", "the Boishakhi Mela" (tagged a proper noun or not)
        return j >= 0 and doc[j].lower_ in cx.DETERMINERS and doc[j].pos_ == "DET"

    def _name_position(self, doc: Any, i: int) -> bool:
        """A lower-case common word standing where a person stands: the subject opening a
        sentence (``ray had a good day``, ``holly from next door came``) or a possessor."""
        tok = doc[i]
        nxt = cx.next_word(doc, i)
        if nxt is not None and nxt.text in ("'s", "’s"):
            thing = cx.next_word(doc, nxt.i)  # "shepherd's pie": a dish, no possessor
            return thing is None or cx.fold(thing.text) not in cx.PRODUCT_NOUNS
        if tok.pos_ in ("VERB", "AUX") or not cx.line_initial(doc, i):
            return False
        if tok.dep_ in ("nsubj", "nsubjpass") or (nxt is not None and nxt.lower_ in cx.STATES):
            return True  # "ray had a good day", "síle tearful about her husband"
        return nxt is not None and nxt.pos_ in ("ADP", "VERB", "AUX")

    def _unknown_position(self, doc: Any, i: int) -> bool:
        """:meth:`_name_position` for a word in no word list, whose part-of-speech tag
        says little (``síle`` is tagged a verb)."""
        nxt = cx.next_word(doc, i)
        if nxt is not None and nxt.text in ("'s", "’s"):
            return True
        if not cx.line_initial(doc, i) or nxt is None:
            return False
        if doc[i].dep_ in ("nsubj", "nsubjpass") or nxt.lower_ in cx.STATES:
            return True
        return nxt.pos_ in ("ADP", "VERB", "AUX")

    def _beside_room(self, doc: Any, i: int) -> bool:
        """A word joined to a room number: ``bill from rm 9``, ``pat (room 4)``, ``Rm 8 ivy``."""
        tok = doc[i]
        text = self._text(doc)
        after = text[tok.idx + len(tok.text) : tok.idx + len(tok.text) + 24]
        before = text[max(0, tok.idx - 16) : tok.idx]
        return bool(_ROOM_AFTER.match(after) or _ROOM_BEFORE.search(before))

    def _person_slot(self, doc: Any, i: int, known: bool) -> bool:
        """A lower-case name word where a person stands, away from the line start.

        Any listed first name after ``w/`` or beside a room number (``w/ bill from rm
        9``); a name of this person's circle (``known``) also after a cue verb (``found
        pat on the floor``, ``told rose``), after ``sat with`` (``sat with summer``), or
        before a past-tense verb (``the album lily left``). Never before a noun it
        qualifies (``found rose petals``).
        """
        prev = cx.prev_word(doc, i, skip="")
        nxt = cx.next_word(doc, i)
        if nxt is not None and nxt.pos_ in ("NOUN", "PROPN") and nxt.text.islower():
            return False
        if (prev is not None and prev.lower_ in ("w/", "w")) or self._beside_room(doc, i):
            return True
        if not known or prev is None:
            return False
        if prev.lower_ in cx.PERSON_CUES:
            return True
        if prev.lower_ in cx.SPEECH and (nxt is None or nxt.is_punct or nxt.is_sent_start):
            return True  # "... off his food, says autumn."
        if prev.lower_ == "with":
            before = cx.prev_word(doc, prev.i, skip="")
            if before is not None and before.lower_ in cx.COMPANY:
                return True
        return nxt is not None and nxt.tag_ == "VBD" and not self._after_pronoun(doc, i)

    def _alone(self, doc: Any, i: int) -> bool:
        """The word is a line or the note's closing words by itself: a signature
        (``... CHECKED BY NURSE GRACE. WILL``, ``Thanks,\\nRose``)."""
        if not cx.line_initial(doc, i):
            return False
        for tok in doc[i + 1 :]:
            if tok.is_space:
                if "\n" in tok.text:
                    return True
                continue
            if tok.text in ".,!":
                continue
            return False
        return True

    def _brand_line(self, doc: Any, i: int) -> bool:
        """``Sky Kids``, ``Sky Sports``: a listed brand before a capitalised word that is no
        name."""
        j = self._neighbour(doc, i, +1)
        if j is None or not doc[j].text[:1].isupper():
            return False
        return not self.lex.is_name_word(doc[j].text)

    def _verb_reading(self, doc: Any, i: int) -> bool:
        """``hope to see``, ``frank chat``, ``precious little sleep``, ``pat dry``: a verb
        or an adjective, unless a finite verb follows (``rob had a good day``)."""
        tok = doc[i]
        if tok.pos_ not in ("VERB", "AUX", "ADJ", "ADV"):
            return False
        nxt = cx.next_word(doc, i)
        after = self._text(doc)[tok.idx + len(tok.text) : tok.idx + len(tok.text) + 6]
        if re.match(r"\s+c/o\b", after, re.I):
            return False  # "rose c/o dizzy": complains of
        return nxt is None or nxt.tag_ not in ("VBD", "VBZ", "VBN")

    def _title_run(self, doc: Any, i: int) -> bool:
        """The word is in the capitalised title after ``watched``, ``played``, ``sang``:
        ``watched Bargain Loving Brits in the Sun``, ``played Rummikub``."""
        j, seen = i - 1, 0
        while j >= 0 and seen < 8:
            tok = doc[j]
            if tok.is_space and "\n" in tok.text:
                return False
            if not tok.is_space:
                if cx.fold(tok.text) in cx.TITLE_VERBS:
                    return True
                small = tok.lower_ in ("the", "a", "an", "of", "in", "on", "and", "&", "to")
                if not (small or tok.text[:1].isupper()) or self.lex.is_name_word(tok.text):
                    return False
                seen += 1
            j -= 1
        return False

    def _after_pronoun(self, doc: Any, i: int) -> bool:
        """``she rose``, ``THEY MARK``: the word is a verb."""
        prev = cx.prev_word(doc, i, skip="")
        return prev is not None and prev.lower_ in cx.SUBJECTS

    def _rating(self, doc: Any, i: int) -> bool:
        """``RAG rating Amber``, ``AMBER ON RAG``: a rating word up to two words away."""
        prev = cx.prev_word(doc, i)
        nxt = cx.next_word(doc, i)
        near = [prev, nxt]
        near.append(cx.prev_word(doc, prev.i) if prev is not None else None)
        near.append(cx.next_word(doc, nxt.i) if nxt is not None else None)
        return any(t is not None and cx.fold(t.text) in cx.RATING for t in near)

    def _facility(self, doc: Any, i: int) -> bool:
        """A building, room, group or body: ``Harbourside Housing``, ``Rowan Wing``,
        ``Airedale General Hospital``, ``Ysbyty Glan Clwyd``, ``NHS Tayside`` (but
        ``Crystal Ward`` may be a person: ``Ward`` is a surname too).

        The facility noun may stand up to three capitalised common words on (``Yorkshire
        Ambulance Service``), each after one space: ``Hyacinth Brown   Room 8`` is a form,
        not a room name."""
        j = i
        for _ in range(3):
            if doc[j].whitespace_ != " " or j + 1 >= len(doc) or not doc[j + 1].text[:1].isupper():
                break
            after = cx.fold(doc[j + 1].text)
            if after in cx.FACILITY_AFTER and after not in self.lex.surnames:
                return True
            if self.lex.is_name_word(after) or not self.lex.is_common(after):
                break  # "Tomasz Wren Care plan": a name between
            j += 1
        k = i
        for _ in range(3):
            prev = cx.prev_word(doc, k, skip="")
            if prev is None or "\n" in self._text(doc)[prev.idx : doc[k].idx]:
                return False
            if cx.fold(prev.text).rstrip(".") in cx.SAINTS:
                return True  # "St Mary's", "Ysbyty Glan Clwyd", "NHS Tayside"
            if not prev.text[:1].isupper():
                return False
            k = prev.i
        return False

    def _affix_compound(self, doc: Any, i: int) -> bool:
        """Part of a hyphenated word whose other part is one letter or a prefix:
        ``X-ray``, ``Pre-admission``, ``e-mail`` (not ``Pryce-Evans``)."""

        def affix(tok: Any) -> bool:
            return (len(tok.text) == 1 and tok.is_alpha) or cx.fold(tok.text) in cx.PREFIXES

        def joined(j: int) -> bool:  # doc[j] "-" doc[j + 2], no spaces
            return not doc[j].whitespace_ and not doc[j + 1].whitespace_

        before = i + 2 < len(doc) and doc[i + 1].text == "-" and joined(i) and affix(doc[i])
        after = i >= 2 and doc[i - 1].text == "-" and joined(i - 2) and affix(doc[i - 2])
        return before or after

    # -- classification ------------------------------------------------------------------
    def _classify(
        self,
        doc: Any,
        i: int,
        known: Known,
        caps: list[bool],
        blocked: set[int],
        guesses: set[int],
    ) -> int:
        """The token's status; ``guesses`` gets the tokens taken for names on their shape
        alone (an unlisted capitalised word, no context)."""
        tok = doc[i]
        text = tok.text
        key = cx.fold(text)
        if not cx.is_alpha_word(text):
            return NONE
        if self._affix_compound(doc, i) and key not in known.strong:
            return NONE  # "X-ray", "Pre-admission" (but a known "t-Saoir")
        prev = cx.prev_word(doc, i, skip=".")
        if key in cx.SAINTS or (prev is not None and cx.fold(prev.text) in cx.SAINTS):
            return NONE  # St Mary's (church), Ysbyty Gwynedd (hospital)
        if prev is not None and prev.text == "Lady" and self._our_lady(doc, prev.i):
            return NONE  # "Our Lady Immaculate", "Our Lady Star of the Sea": a church
        form = cx.shape(text)
        lex = self.lex
        if self._context(doc, i) == "alias" and not (tok.is_stop and form == "lower"):
            return STRONG  # "known as Nan", "KNOWN AS: JAG", "my name is Cash": a person's name
        if key in cx.TITLES or key in cx.RELATIONS or key in cx.ROLES:
            return NONE
        if key in cx.PARTICLES and self._neighbour(doc, i, +1) is not None:
            return NONE  # "Ní Bhriain", "van der Berg": joined to the name in _grow
        ctx = self._context(doc, i)
        if i in blocked:
            return STRONG if ctx in ("title", "relation") else NONE
        if ctx != "title" and key not in known.strong and self._label(doc, i):
            return NONE  # "Faith: Sikh", "FAITH: MUSLIM": a form's label
        in_first = key in lex.first_names
        common = self._common(key)
        if key in cx.DAYS:
            j = self._neighbour(doc, i, +1)  # "Sunday Adeleke": a first name before a surname
            after = cx.fold(doc[j].text) if j is not None else ""
            sur = j is not None and doc[j].text[:1].isupper() and after not in cx.MONTHS_DAYS
            sur = sur and (after in lex.surnames or not self._common(after))
            return NAME if sur and form != "upper" and not doc[j].like_num else NONE
        if key in cx.MONTHS:
            if ctx in ("title", "relation", "role", "alias"):
                return STRONG
            learned = key in known.weak or key in known.strong
            if learned and key != "may" and not self._det_blocked(doc, i):  # noqa: SIM102
                if self._weak_person(doc, i, form):
                    return NAME  # "april was settled", "April's keyworker"
            if not in_first:
                return NONE
            if form == "title" and key != "may" and self._month_person(doc, i):
                return NAME  # "the dinner that Jan brought round", "with Jan."
            return SUR if form != "lower" else SUR_AFTER
        if form == "lower" and (tok.is_stop or len(key) < 3) and key not in known.strong:
            return NONE
        if key in known.strong and not (common and self._det_blocked(doc, i)):
            return NAME
        if self._bare_possessive(doc, i, known):
            return NAME  # "Tommys sensor", "mahbubs illness": a name's 's typed without '
        shouted = (key in lex.surnames or not common) and self._after_shouted_name(doc, i)
        if ctx != "title" and not caps[i] and cx.acronym(text) and not in_first and not shouted:
            return NONE  # "DWP", "TL", "HCAs": acronyms; not "ALBERT KING"
        if (
            ctx != "title"
            and not caps[i]
            and cx.acronym(text)
            and in_first
            and self._qualifies(doc, i)
        ):
            return NONE  # "TED stockings", "ROM exercises": an acronym before its noun
        named = self._named(key)  # "Appointee: Bolton Council": a place, not a name
        if ctx == "title" and not (tok.is_stop and form == "lower"):
            return STRONG
        if ctx and named and not (tok.is_stop and not in_first):
            return STRONG
        if ctx == "relation" and form == "title" and key in lex.not_names and not (
            lex.is_common(key) or self._qualifies(doc, i)
        ):
            return STRONG  # "grandson Sami", "wife Shona": a kin word names a person
        if key in known.weak and not self._det_blocked(doc, i):
            subject = tok.dep_ in ("nsubj", "nsubjpass") and tok.pos_ not in ("VERB", "AUX")
            opening = cx.line_initial(doc, i) and not self._after_pronoun(doc, i)
            opening = opening and not self._verb_reading(doc, i)
            if form == "lower" and (
                subject or opening or self._name_position(doc, i) or self._person_slot(doc, i, True)
            ):
                return NAME
            if form != "lower" and not (key in lex.not_names and self._brand_line(doc, i)):
                found = self._first_name(doc, i, form, True, caps[i], known=True)
                if found != NONE:
                    return found
        if form == "title" and not ctx and (self._modifier(doc, i) or self._shop(doc, i)):
            return SUR_AFTER  # "the Everton game", "a Jacob's cracker": a name only beside one
        if in_first and key not in lex.not_names:
            return self._first_name(doc, i, form, common, caps[i])
        if key in lex.surnames:
            if self._det_blocked(doc, i):
                return NONE  # "the Kirk", "the Hall"
            if form == "lower":
                if tok.pos_ == "PROPN" or not common:
                    return SUR
                j = self._neighbour(doc, i, -1)
                after_first = j is not None and cx.fold(doc[j].text) in lex.first_names
                return SUR_AFTER if after_first and doc[j].text.islower() else NONE  # "jimmy king"
            return SUR if common else NAME
        if common:
            if ctx and form != "lower":
                return SUR  # "father Prince Okafor": a name if a name follows
            proper = form == "title" and tok.pos_ == "PROPN" and not caps[i]
            plain = key in cx.GREETINGS or key in lex.not_names  # "Maura Keane Waterlow 18"
            return SUR_AFTER if proper and not plain else NONE
        if ctx and form != "lower" and key in lex.places and not self._facility(doc, i):
            return STRONG  # "daughter Chelsea", "Dear Lincoln": a person slot names a person
        status = self._unknown(doc, i, form, key, caps[i])
        if status == NAME:
            guesses.add(i)
        return status

    @staticmethod
    def _our_lady(doc: Any, i: int) -> bool:
        before = cx.prev_word(doc, i, skip="")
        return before is not None and before.text == "Our"  # not "our lady Kerenza": a resident

    def _bare_possessive(self, doc: Any, i: int, known: Known) -> bool:
        """A learned name with ``s`` before a noun (``Tommys sensor``, ``waynes nephew``):
        its possessive without the apostrophe, as texts and fast notes write it; not an
        English word (``Pats``) nor a clinical plural (``caths changed``, ``as per regs``)."""
        key = cx.fold(doc[i].text)
        stem = key[:-1]
        nxt = cx.next_word(doc, i)
        return (
            key.endswith("s")
            and len(stem) >= 3
            and not self._common(key)
            and stem in known.strong
            and not self._common(stem)
            and key not in self.lex.places
            and nxt is not None
            and nxt.pos_ in ("NOUN", "PROPN")
        )

    def _qualifies(self, doc: Any, i: int) -> bool:
        """A lower-case noun right after the word, which it qualifies (``TED stockings``)."""
        nxt = cx.next_word(doc, i)
        plain = nxt is not None and nxt.i == i + 1 and nxt.text.islower() and nxt.pos_ == "NOUN"
        if not plain or doc[i].whitespace_ != " " or nxt.tag_ in ("VBD", "VBZ"):
            return False
        if nxt.ent_type_ in ("DATE", "TIME"):
            return False  # "JO today"
        key = cx.fold(nxt.text)
        return not (
            key in cx.RELATIONS or key in cx.ROLES or key in cx.HOUSEHOLD or key in cx.STATES
        )

    def _after_person(self, doc: Any, i: int) -> bool:
        """Right after a title, a kin word or a listed first name (``PENNY OFFICE``)."""
        prev = cx.prev_word(doc, i, skip="")
        if prev is None:
            return False
        key = cx.fold(prev.text)
        return key in cx.TITLES or key in cx.RELATIONS or key in self.lex.first_names

    def _after_shouted_name(self, doc: Any, i: int) -> bool:
        """The word follows a first name in capitals (``ALBERT KING``, ``IVY HILL``) or, if
        an English word or surname and no listed abbreviation or thing, in title case after a
        forename that is no English word or place (``Stuart LAW``; not ``Ivy TLC``, ``Jack
        WARD round``, ``Victoria PARK trip``: round 16)."""
        j = self._neighbour(doc, i, -1)
        if j is None or cx.fold(doc[j].text) not in self.lex.first_names:
            return False
        if doc[j].text.isupper():
            return True
        key = cx.fold(doc[i].text)
        plain = key in cx.ABBREVIATIONS or key in self.lex.not_names or len(key) < 3
        worded = key in self.lex.common_words or key in self.lex.surnames  # not "TLC", "PEG"
        first = cx.fold(doc[j].text)  # not "Jack WARD round", "Ivy BELL", "Victoria PARK"
        plain_first = self.lex.is_common(first) or first in self.lex.places
        nxt = cx.next_word(doc, i)  # "Victoria PARK trip": a compound's head, not a surname
        compound = nxt is not None and nxt.text.islower() and nxt.pos_ in ("NOUN", "ADJ")
        return doc[j].text.istitle() and worded and not (plain or plain_first or compound)

    def _month_person(self, doc: Any, i: int) -> bool:
        """A month that is a first name, where no date stands: the subject of a past-tense
        verb (``that Jan brought round``) or a companion closing a sentence (``with Jan.``);
        not after a date word or a number (``in June``, ``3 Jan``)."""
        prev = cx.prev_word(doc, i, skip="")
        nxt = cx.next_word(doc, i)
        if prev is not None and (prev.lower_ in _DATE_PREPOSITIONS or prev.like_num):
            return False
        if nxt is not None and (nxt.like_num or nxt.text in ("-", "/")):
            return False  # "Jan 2026", "June 14"
        if nxt is not None and nxt.tag_ == "VBD" and nxt.text.islower():
            return True
        company = prev is not None and prev.lower_ in ("with", "and", "told", "asked", "rang")
        return company and (nxt is None or nxt.text in (".", "!", ","))

    def _label(self, doc: Any, i: int) -> bool:
        """The word labels a form field whose value is a faith, language, people or product
        (``Faith: Sikh``, ``Language: Punjabi``), not a person's entry (``Grace: settled``)."""
        if i + 2 >= len(doc) or doc[i + 1].text != ":" or doc[i].whitespace_:
            return False
        value = cx.next_word(doc, i + 1)
        if value is None or not value.text[:1].isupper():
            return False
        key = cx.fold(value.text)
        return key in self.lex.not_names and key not in self.lex.first_names

    def _weak_person(self, doc: Any, i: int, form: str) -> bool:
        """A month name of this person's circle standing where a person stands."""
        tok = doc[i]
        nxt = cx.next_word(doc, i)
        if nxt is not None and nxt.text in ("'s", "’s"):
            return True
        opening = cx.line_initial(doc, i) and nxt is not None and nxt.tag_ in ("VBD", "VBZ")
        if form != "lower":
            return opening
        subject = tok.dep_ in ("nsubj", "nsubjpass") and tok.pos_ not in ("VERB", "AUX")
        return subject or opening or self._person_slot(doc, i, True)

    def _first_name(
        self, doc: Any, i: int, form: str, common: bool, caps: bool, known: bool = False
    ) -> int:
        key = cx.fold(doc[i].text)
        if self._facility(doc, i):
            return NONE  # "Rowan Wing", "Holly Lodge"
        if not common and form == "title" and self._the_run(doc, i):
            return SUR_AFTER  # "the John Radcliffe", "the Mari Lwyd": a hospital, a custom
        if not common:
            return NONE if form == "lower" and len(key) < 3 else NAME
        blocked = self._det_blocked(doc, i) or self._after_pronoun(doc, i)
        if blocked or self._rating(doc, i):
            return NONE  # "the heather", "Rowan Wing", "RAG rating Amber"
        if form == "lower":
            return NAME if self._name_position(doc, i) or self._person_slot(doc, i, known) else NONE
        if self._alone(doc, i):
            return NAME  # a signature: "... NURSE GRACE. WILL"
        nxt = cx.next_word(doc, i)
        finite = nxt is not None and nxt.tag_ in ("VBD", "VBZ", "VBG", "VBN")
        if caps and doc[i].is_stop and not (finite and cx.line_initial(doc, i)):
            return NONE  # "WILL", "MAY"
        if caps and not cx.line_initial(doc, i) and doc[i].pos_ in ("VERB", "AUX", "ADJ", "ADV"):
            return NONE  # "SOMEONE WILL ROB HIM"
        prev = cx.prev_word(doc, i, skip="")
        shout = caps or form == "upper"
        if shout and prev is not None and prev.pos_ == "ADP" and not cx.line_initial(doc, i):
            return NONE  # "WITH PATIENCE", "DEPRIVATION OF LIBERTY"
        if not caps and cx.line_initial(doc, i):
            if doc[i].pos_ in ("VERB", "AUX", "ADV", "ADP"):
                return NAME if finite else NONE  # "Will do", "May need"; "Will coming"
            plain = nxt is not None and nxt.text.islower() and nxt.pos_ in ("NOUN", "ADJ", "PRON")
            if plain and not (known and nxt.lower_ in cx.STATES):
                return NONE  # "Summer fete", "Frank discussion"; not "Pat home"
        return NAME

    def _unknown(self, doc: Any, i: int, form: str, key: str, caps: bool) -> int:
        tok = doc[i]
        if form == "lower":
            if len(key) >= 3 and self._unknown_position(doc, i) and tok.ent_type_ in ("PERSON", ""):
                return NAME  # "zeke played his harmonica", "síle tearful about her husband"
            return SUR_AFTER if len(key) >= 4 and not tok.is_stop else NONE  # "tina shaw"
        if self._facility(doc, i):
            return NONE
        if key in self.lex.regions:  # "Oxfordshire", "Gujarat": too large to point at anyone
            return SUR_AFTER  # but "Tom Kent": a surname after a name
        if key in self.lex.places:
            return PLACE
        if key in self.lex.gazetteer:
            return SUR_AFTER  # "in Brockley", "a nail bar in Woolwich": a town of GeoNames
        if form == "upper" and not caps:  # acronyms (RGN, BIA) are no names; "DUSTIN JAGO" is
            return SUR if len(key) >= 5 or self._after_shouted_name(doc, i) else NONE
        if form == "upper":
            if len(key) >= 4:  # capitals say nothing here: the model's PERSON or a name beside
                person = tok.ent_type_ == "PERSON" or self._beside_room(doc, i)
                return NAME if person else SUR  # "FLAT 5 - DOMHNALL OUT", not "ENJOYS SHINTY"
            syllable = len(key) >= 2 and any(c in "aeiouy" for c in key)
            return SUR if syllable and key not in self.lex.not_names else NONE  # "CHEUNG KA YAN"
        if self._det_before(doc, i) or self._product(doc, i) or self._title_run(doc, i):
            return SUR_AFTER  # "a Toblerone", "Raizer chair": a name only beside a name
        if self._locative(doc, i):
            return SUR_AFTER  # "in Ludhiana", "at Glenfield": a place or a venue
        if tok.ent_type_ in ("GPE", "LOC") and tok.pos_ == "PROPN":
            return PLACE
        ent = tok.ent_type_
        alone = tok.ent_iob_ == "B" and (i + 1 >= len(doc) or doc[i + 1].ent_iob_ != "I")
        if ent in _THING_ENTS and not (alone and ent == "WORK_OF_ART"):  # not "Says "Zee""
            return SUR_AFTER  # "Bettys" (ORG), a title: a name only beside a name
        if len(key) < 3:
            return SUR  # "Aquacel Ag", "Po Chai": two letters are a name only beside one
        return NAME

    def _product(self, doc: Any, i: int) -> bool:
        """``Raizer chair``, ``Quorn nuggets``: a capitalised word before a product noun."""
        nxt = cx.next_word(doc, i)
        return nxt is not None and doc[i].whitespace_ == " " and nxt.lower_ in cx.PRODUCT_NOUNS

    # -- spans ---------------------------------------------------------------------------
    def find(
        self,
        doc: Any,
        known: Known,
        taken: Iterable[tuple[int, int]] = (),
    ) -> NameFindings:
        """Name and place entities of ``doc`` outside the ``taken`` character spans (and
        outside an address line's town: :func:`postcode_towns`)."""
        text = self._text(doc)
        taken = list(taken) + [
            (a, b) for a, b in postcode_towns(text) if not self._named_person(text[a:b])
        ]
        caps = cx.caps_lines(doc)
        blocked = self._phrase_marks(doc, self.lex.not_name_phrases)
        blocked -= self._cued_phrases(doc, blocked)
        blocked |= self._pets(doc, known)
        regions = self._phrase_marks(doc, self.lex.region_phrases)  # "North Yorkshire"
        blocked |= regions
        place_marks = self._phrase_marks(doc, self.lex.place_phrases)
        place_marks -= regions
        status = [NONE] * len(doc)
        fixed: set[int] = set()  # tokens inside identifiers, dates ...: never names
        guesses: set[int] = set()
        for tok in doc:
            lo, hi = tok.idx, tok.idx + len(tok.text)
            if any(lo < b and a < hi for a, b in taken):
                fixed.add(tok.i)
                continue
            status[tok.i] = self._classify(doc, tok.i, known, caps, blocked, guesses)
            if tok.i in place_marks and status[tok.i] != STRONG:
                status[tok.i] = PLACE  # "Milton Keynes", "Fort William": a town's words
        # the rules' first vote, before thing runs and signatures. The older rules' votes
        # some training sets carry were taken later (just before names grow); taking this
        # one there too was tried and lowered leave-one-set-out name recall (dev4 0.971 ->
        # 0.965, notes keeping a name 91 -> 96 over seven sets), so it stays here
        first = list(status)
        things = self._thing_runs(doc, status, caps, known) | self._place_compounds(doc, status)
        for j in things:
            status[j] = NONE
        initials = self._signed(doc, status, fixed) | self._signature(doc, status, fixed)
        initials |= self._attendees(doc, status, fixed)
        never = fixed | blocked | things  # no rule below may name these
        initials |= self._initials_in_person_slots(doc, status, never, caps)
        # letters that spell no word or abbreviation are named, not initials, so they are
        # learned for the batch like any name ("RP rang police" in another service's note)
        staff = self._staff_initials(doc, status, never, caps, known)
        initials |= {i for i in staff if self._spells(doc[i].text)}
        staff -= initials
        self._grow(doc, status, never, known, caps)
        initials |= self._hyphen_initials(doc, status, never)
        self._shouted_surnames(doc, status, never, caps)
        if self.model is not None or self.recorder is not None:
            view = NoteView(caps, first, list(status), known, set())
            view.tagged = name_tagger.positions(doc)
            if view.tagged is None and self.model is not None and self.model.tagger:
                raise name_tagger.TaggerMissing(
                    "the name decision weighs the name tagger's votes, but this note was "
                    "not read by it: parse notes with DeidAnalyzer.parse"
                )
            view.encoded = name_encoder.votes(doc)
            if view.encoded is None and self.model is not None and self.model.encoder:
                raise name_encoder.EncoderMissing(
                    "the name decision weighs MiniLM's votes, but this note was not read "
                    "by it: parse notes with DeidAnalyzer.parse"
                )
            out = {t.i for t in doc if self._ruled_out(doc, t.i, caps, status)}
            towns = {j for j in place_marks if status[j] == PLACE}  # "Milton Keynes"
            view.ruled_out = blocked | things | out | towns
            view.protected = initials | staff | {t.i for t in doc if status[t.i] == STRONG}
            named_texts = {t.text for t in doc if self._is_name(status, t.i)}
            for t in doc:  # a modal the note names elsewhere, as written, is that name
                again = status[t.i] == NONE and t.text in named_texts and t.tag_ == "MD"
                if again and t.i not in view.ruled_out:
                    status[t.i] = NAME  # "Will need reminding ... Will was happy"
            # also kept whatever the model says, but not a feature (the model was not
            # trained with it): names already known, given by the caller or found earlier
            # in the note or batch; a name found once is a name everywhere
            view.known_names = {
                t.i
                for t in doc
                if self._is_name(status, t.i)
                and (
                    cx.fold(t.text) in known.strong
                    or self._bare_possessive(doc, t.i, known)
                )
            }
            self._decide(doc, status, view, fixed)
        self._lower_surnames(doc, status, fixed | blocked | things)
        initials |= self._beside_found(doc, status, fixed, fixed | blocked | things)
        listed = place_marks | {t.i for t in doc if cx.fold(t.text) in self.lex.places}
        return self._spans(doc, status, guesses, initials, listed)

    def _named_person(self, words: str) -> bool:
        """A title among the words before a postcode: ``Mr R. Whiteside`` is a person, not a
        town (``ROY BRIDGE`` after an address is a town, a listed first name or not)."""
        return any(cx.fold(w) in cx.TITLES for w in re.findall(r"[^\W\d_]+", words))

    def _cued_phrases(self, doc: Any, blocked: set[int]) -> set[int]:
        """Listed not-name phrases of name words after a title or kin word: ``Husband Imran
        Khan``, ``Mrs Vera Lynn`` are people, whatever the list says."""
        out: set[int] = set()
        for i in sorted(blocked):
            if i - 1 in blocked or i in out:
                continue
            prev = cx.prev_word(doc, i)
            p = cx.fold(prev.text).rstrip(".") if prev is not None else ""
            if p not in cx.TITLES and p not in cx.RELATIONS:
                continue
            run = [i]
            while run[-1] + 1 in blocked:
                run.append(run[-1] + 1)
            words = [j for j in run if cx.is_alpha_word(doc[j].text)]
            if words and all(self.lex.is_name_word(doc[j].text) for j in words):
                out.update(run)
        return out

    def _ruled_out(self, doc: Any, i: int, caps: list[bool], status: list[int]) -> bool:
        """Words the rules never take for a name, whatever the model says: parts of
        ``X-ray``, titles, relation and role words, days, a form's label (``Faith:``),
        a lower-case closing word (``ok``, ``xx``: ``closing_word`` in context_words.tsv);
        acronyms (``DWP``, ``TV``), short plain words (``OK``), lower-case stop words and
        unlisted two letters beside a capitalised word the rules did not name (``Aquacel
        Ag``, ``Po Chai``), unless they close a line or the note (initials signing it);
        a month where a date stands (``in June``); a shouted common word after a
        preposition (``DEPRIVATION OF LIBERTY``); a common word opening a line as a modal
        before a bare verb (``Will do the form later``)."""
        tok = doc[i]
        key = cx.fold(tok.text)
        if not cx.is_alpha_word(tok.text) or self._affix_compound(doc, i):
            return True
        if key in cx.TITLES or key in cx.RELATIONS or key in cx.ROLES or key in cx.DAYS:
            return True
        if key in cx.SAINTS or key in _PLAIN_SHORT or self._label(doc, i):
            return True
        signing = self._alone(doc, i)  # a line's or the note's closing word: initials
        if tok.text.islower() and key in cx.CLOSING_WORDS:
            return True  # "... fine. ok", "... of it. xx": a word closing the note, in any place
        if tok.text.islower() and tok.is_stop:
            return not signing
        lex = self.lex
        listed = key in lex.first_names or key in lex.surnames
        if tok.text.islower() and not listed:
            if key in lex.not_names:
                return True  # "weetabix", "netflix": a thing in lower case
            if len(key) <= 3 and not re.search(r"[aeiouy]", key):
                # "watched tv", "rang gp": no vowel, no name; but initials signing ("kg") or
                # doing something ("jb helped with lunch") are a person's
                return not (signing or tok.dep_ in ("nsubj", "nsubjpass"))
        if len(key) < 3 and key not in self.lex.first_names and not cx.is_initial(tok.text):
            for step in (-1, 1):  # "Aquacel Ag", "Po Chai": beside a capitalised non-name
                j = self._neighbour(doc, i, step)
                if j is not None and doc[j].text[:1].isupper() and not self._is_name(status, j):
                    return not signing
        if not caps[i] and cx.acronym(tok.text) and key not in self.lex.first_names:
            return not (signing or self._after_shouted_name(doc, i))  # not "ALFIE JOSS"
        prev, nxt = cx.prev_word(doc, i, skip=""), cx.next_word(doc, i)
        if key in cx.MONTHS and prev is not None and not self._month_person(doc, i):
            return prev.lower_ in _DATE_PREPOSITIONS or prev.like_num  # "in June", "3 May"
        if (
            tok.tag_ == "MD"
            and nxt is not None
            and nxt.tag_ == "VB"
            and not caps[i]
            and cx.line_initial(doc, i)
            and self.lex.is_common(key)
            and not any(
                j != i and cx.fold(t.text) == key and self._is_name(status, j)
                for j, t in enumerate(doc)
            )
        ):
            # "Will do the form later", "May need a GP": a modal and a bare verb; not where
            # the note names the word elsewhere ("Will need reminding ... Will was happy")
            return True
        shouted = caps[i] or cx.shape(tok.text) == "upper"
        if shouted and prev is not None and prev.pos_ == "ADP" and self.lex.is_common(key):
            return not cx.line_initial(doc, i)  # "DEPRIVATION OF LIBERTY"
        if shouted and key in _SHOUTED_PLACES and not listed and not self._after_person(doc, i):
            return not signing  # "TOLD PENNY + OFFICE", "RANG SURGERY": a place, no person
        return nxt is not None and nxt.like_num and key in cx.MONTHS  # "June 14"

    def _decide(self, doc: Any, status: list[int], view: NoteView, fixed: set[int]) -> None:
        """The learned decision over the rules' candidates (:meth:`NameModel.decide`):
        kept whatever it says are names after a title, initials signing a note and names
        known before this note (``view.known_names``). A name the model finds is a name
        everywhere, as the rules' are (:class:`Known`)."""
        view.named_keys = {cx.fold(t.text) for t in doc if self._is_name(status, t.i)}
        rows = [
            (tok.i, features(self, doc, tok.i, view))
            for tok in doc
            if tok.i not in fixed and is_candidate(self, doc, tok.i, view)
        ]
        if self.recorder is not None:
            self.recorder[id(doc)] = (doc, rows)
        if self.model is None:
            return
        rules = list(status)
        for i, feats in rows:
            named = self._is_name(status, i)
            keep = i in view.protected or i in view.known_names
            name = self.model.decide(feats, named, i in view.ruled_out, keep)
            if name != named:
                status[i] = NAME if name else NONE
        # a letter alone is a name only beside one ("4  A  S  DV"); the grid read only then
        lone = [i for i, _ in rows if self._lone_letter(doc, status, rules, i)]
        for i in _grid_letters(doc) & set(lone) if lone else ():
            status[i] = rules[i]
        for tok in doc:  # "Jamie-Lee", "Lombardi-Ward": one name, never half kept
            i, k = tok.i, tok.i + 2
            if k >= len(doc) or doc[i + 1].text != "-" or tok.whitespace_ or doc[i + 1].whitespace_:
                continue
            if not (self._is_name(rules, i) and self._is_name(rules, k)):
                continue
            if self._is_name(status, i) or self._is_name(status, k):
                status[i], status[k] = max(status[i], NAME), max(status[k], NAME)

    def _lone_letter(self, doc: Any, status: list[int], rules: list[int], i: int) -> bool:
        """A single letter the learned decision named and the rules did not, with no name
        beside it (round 17; read only for a grid's cells, :func:`_grid_letters`)."""
        if len(doc[i].text) != 1 or not self._is_name(status, i) or self._is_name(rules, i):
            return False
        return not any(self._is_name(status, j) for j in (i - 1, i + 1) if 0 <= j < len(doc))

    # -- initials that sign a note ---------------------------------------------------------
    _SIGN_CUES = frozenset(["signed", "sig", "countersigned", "initials", "initialled"])
    _SEGMENT_ENDS = frozenset([".", "!", "?", "-", "–", "—", ":", ";", "|", ")", '"', "”"])

    def _initials_word(self, text: str, cued: bool = False) -> bool:
        """Letters that stand for a person: ``RB``, ``I.O.``, ``VT``, ``lp``; not an English
        word (``OK``, ``am``), a listed abbreviation (``PRN``, ``BP``; unless ``cued`` by
        ``signed``) or a role (``RGN``)."""
        if re.fullmatch(r"(?:[A-Z]\.){1,3}|[A-Z]{1,2}(?:Mc|Mac)[A-Z]", text):
            return True  # "I.O.", "G.K.D.", "SMcC"
        if not re.fullmatch(r"[A-Z]{2,3}|[a-z]{2}", text):
            return False
        key = text.lower()
        if key in cx.ROLES or key in cx.TITLES or key in cx.RELATIONS or key in cx.MONTHS_DAYS:
            return False
        if key in cx.PARTICLES or key in _PLAIN_SHORT or (key in self.lex.not_names and not cued):
            return False
        # capitals at a note's end are initials even where they spell a rare word (FA, GM)
        return key not in self.lex.common_words or (text.isupper() and len(key) == 2)

    def _sign_off(self, text: str) -> bool:
        """Two letters in one case, or letters with stops, as the note's only closing word
        after its last sentence (``... Quiet. gs``, ``... agreed. DO``, ``... pm``, ``g.s.``):
        initials, though they spell a short word or, in capitals, a closing word or a role
        (``... from Fenwick's. SO``, ``... delivering. OT``; not ``OK``, ``ot``, a month)."""
        if re.fullmatch(r"[a-z]\.[a-z]{3,}", text):
            return True  # "c.tonkin", "d.arslan": a user name signing the note
        if not re.fullmatch(r"[a-z]{2}|[A-Z]{2}|[a-zA-Z](?:\.[a-zA-Z]){1,2}\.?", text):
            return False
        if "." in text:
            return True  # "d.a.", "g.s.": the stops say initials, whatever the letters spell
        key = text.lower()
        word = key in cx.CLOSING_WORDS or key in cx.ROLES
        if key in cx.CLOSING_CAPS or (word and text.islower()):
            return False  # "... fine. ok", "Bed at ten. OK" (its usual spelling), "... ot";
        # other closing words and roles in capitals are initials: "... cake. SO", "... OT"
        if key in cx.TITLES:
            return False
        return key not in cx.RELATIONS and key not in cx.MONTHS_DAYS and key not in cx.PARTICLES

    def _dashed(self, text: str) -> bool:
        """A sign-off written against its dash (``-jb``, ``-kab``, ``-K.J.``; one token to
        the tokenizer): two or three letters, or letters with stops, that spell no English,
        closing or listed word (not ``-ok``, ``-lol``)."""
        m = _DASHED.fullmatch(text)
        if m is None:
            return False
        if "." in m.group(1):
            return True
        key = m.group(1).lower()
        plain = key in _PLAIN_SHORT or key in cx.CLOSING_WORDS or key in self.lex.not_names
        return not (plain or key in cx.MONTHS_DAYS or (len(key) > 2 and self.lex.is_common(key)))

    def _signed(self, doc: Any, status: list[int], fixed: set[int]) -> set[int]:
        """``signed IO / BP``, ``sig: RB``: initials after a signing word."""
        out: set[int] = set()
        for tok in doc:
            cue = tok.lower_ in self._SIGN_CUES
            by = tok.lower_ in cx.BY_CUES
            nxt = cx.next_word(doc, tok.i)
            if tok.lower_ in cx.DONE_WORDS and nxt is not None and nxt.text == "(":
                by = True  # "given (TK, SMcC)", "Coordinator note (KT)"
            if not (cue or by):
                continue
            j = tok.i + 1
            while j < len(doc):
                t = doc[j]
                if t.is_space or t.text in (":", "/", ",", "&", "+", "and", "("):
                    j += 1
                    continue
                if j in fixed or not self._initials_word(t.text, cued=cue):
                    break
                status[j], j = NAME, j + 1
                out.add(t.i)
        return out

    _LIST_SEPARATORS = frozenset([",", ";", "/", "&", "+", "and"])

    def _attendees(self, doc: Any, status: list[int], fixed: set[int]) -> set[int]:
        """Initials standing alone as an item of an attendance list, on the line after
        ``Present:``, ``Attendees:`` (``Present: MG, daughter Sheila, FD, care lead LP.``,
        ``Present: LC (senior), JS (daughter)``): an item's only word, before a comma, a
        bracket or the line's end. Returns them."""
        out: set[int] = set()
        for tok in doc:
            colon = cx.next_word(doc, tok.i)
            if tok.lower_ not in cx.ATTENDANCE or colon is None or colon.text != ":":
                continue
            j, item_start = colon.i + 1, True
            while j < len(doc) and "\n" not in doc[j].text:
                t = doc[j]
                if t.text in self._LIST_SEPARATORS:
                    item_start = True
                elif not t.is_space:
                    after = doc[j + 1] if j + 1 < len(doc) else None
                    alone = (
                        after is None
                        or "\n" in t.whitespace_
                        or "\n" in after.text
                        or after.text in self._LIST_SEPARATORS
                        or after.text in ("(", ".")
                    )
                    initials = t.text.isupper() and self._initials_word(t.text)
                    if item_start and alone and initials and j not in fixed:
                        status[j] = NAME
                        out.add(j)
                    item_start = False
                if "\n" in t.whitespace_:
                    break
                j += 1
        return out

    def _initials_in_person_slots(
        self, doc: Any, status: list[int], fixed: set[int], caps: list[bool]
    ) -> set[int]:
        """Capital initials (``LP``, ``KLD``) standing where only a person stands, inside a
        line: after a role word or an ``initials_after`` word (``carer TZ``, ``care lead LP``,
        ``per TJ``, ``told CQ``), a handover's ``from``/``to`` (``passed to MT``), a done word
        that closes the line (``GIVEN JC``), before a possessive (``KLD's phone``), listed
        with other initials or a name (``DS, KJ and PW``, ``LP and Sam Green``), or opening a
        sentence before a verb (``TZ to clean``, ``KF self-harmed``, ``WZ will ring``; not on
        a line in capitals). Not an English word, a role or a listed abbreviation
        (:meth:`_initials_word`), nor, here, a clinical term, route, service or role in
        capitals (``abbreviation`` in ``context_words.tsv``: ``BP``, ``given PO``, ``per
        EDT``); and, but for a possessive, not right before a noun (``informed MK
        safeguarding team``, ``with DC Gemma Whitehouse``). Returns them."""

        def initials(i: int, cued: bool = False) -> bool:
            text = doc[i].text
            return (
                2 <= len(text) <= 3
                and text.isupper()
                and i not in fixed
                and text.lower() not in cx.ABBREVIATIONS
                and self._initials_word(text, cued)
            )

        def cued(i: int) -> bool:
            """Letters a not-name list holds (``RC``, ``AF``, ``LD``) after a role word,
            listed with initials or named so earlier in the note (round 16: ``nurse AF``,
            ``DS and RC. RC timed it``, ``KM and LD``)."""
            if caps[i] or not initials(i, cued=True):
                return False
            if any(doc[k].text == doc[i].text for k in out):
                return True
            prev = cx.prev_word(doc, i, skip="")
            if prev is not None and prev.lower_ in cx.ROLES:
                return True
            partner = self._listed_with(doc, i, status, initials)  # initials, not a name:
            return partner is not None and initials(partner)  # "Reported to Femi and DN"

        out: set[int] = set()
        for tok in doc:
            i = tok.i
            if status[i] in (NAME, STRONG) or not (initials(i) or cued(i)):
                continue
            prev = cx.prev_word(doc, i, skip="")
            nxt = cx.next_word(doc, i)
            if nxt is not None and nxt.lower_ in ("'s", "’s"):
                status[i] = NAME
                out.add(i)
                continue
            before = prev.lower_ if prev is not None else ""
            slot = (
                before in cx.ROLES
                or before in cx.INITIALS_AFTER
                or (before in ("from", "to") and _after_handover(doc, prev.i))
                or (before in cx.DONE_WORDS and _closes_line(doc, i))
                or (not caps[i] and cx.line_initial(doc, i) and _verb_follows(doc, nxt, fixed))
            )
            last = i  # the noun test reads the word after the initials ...
            if not slot:  # listed with initials, also ones a list holds ("KM and LD")
                partner = self._listed_with(doc, i, status, lambda j: initials(j, cued=True))
                if partner is None:
                    continue
                if partner > i and initials(partner):
                    last = partner  # ... or after the initials they are listed with
            if not _noun_follows(doc, last, caps[i]):
                status[i] = NAME
                out.add(i)
        return out

    def _staff_initials(
        self, doc: Any, status: list[int], fixed: set[int], caps: list[bool], known: Known
    ) -> set[int]:
        """Letters that are the initials of someone who writes this service's notes
        (``known.initials``, from the author column: ``Derek Rennie`` -> ``DR``), in capitals,
        two lower-case letters or with stops (``DR``, ``dr`` is a word, ``jb``, ``K.J.``):
        ``handed over to FG and BN``, ``... - BP to bring new ones``, ``JM / MZ``. Not a role,
        title, relation, month or day; not after a determiner or possessive (``her TA``,
        ``our MP``); an English word only in capitals on a mixed-case line, in a person's
        slot (``Reported to TO``, not ``HANDED OVER TO FG``'s ``TO``); a listed abbreviation
        or English word not before a noun or a number (``BP machine``, ``BP 142/88``), and an
        abbreviation only after ``by``/``per``/``with``/``to`` or before a verb (``- BP to
        bring``, not ``Checked BP, 120/80``); letters against a dash only closing a line
        (``-kab``, not ``LFT -ve``). Returns them."""
        out: set[int] = set()
        if not known.initials:
            return out
        capitals = _capital_initials(doc, fixed)
        for tok in doc:
            i, text = tok.i, tok.text
            if i in fixed or status[i] in (NAME, STRONG):
                continue
            dashed = _DASHED.fullmatch(text)
            signing = dashed is not None
            if dashed is not None:
                after = doc[i + 1].text if i + 1 < len(doc) else ""
                if not (_closes_line(doc, i) or after == "/"):
                    continue  # "LFT -ve, no symptoms", "Sats 96% -RA": not a sign-off
                text = dashed.group(1)  # "-jb", "-kab": a sign-off against its dash
            letters_ = text.replace(".", "")
            dotted = "." in text and re.fullmatch(r"(?:[A-Za-z]\.){2,3}", text) is not None
            shaped = re.fullmatch(r"[A-Z]{2,3}|[a-z]{2,3}", text) is not None
            if not (shaped or dotted) or letters_.upper() not in known.initials:
                continue
            key = letters_.lower()
            if key in cx.MONTHS_DAYS or key in cx.PARTICLES or key in _CLINICAL_TITLES:
                continue
            lower = text.islower() and not dotted
            nxt = cx.next_word(doc, i)
            if key in cx.TITLES or key in cx.RELATIONS or key in cx.ROLES:
                # "DR has reinstated it", "Offered RHI. MA", "TL and MT supervision"; not
                # "DR SMITH", "Dr Roper", "ma said", "TL tea calls"
                if caps[i] or lower or _noun_follows(doc, i, caps[i]):
                    continue
                if nxt is not None and nxt.is_alpha and nxt.text[:1].isupper():
                    continue
                if key in cx.ROLES and self._listed_with(doc, i, status, capitals) is None:
                    continue
            if signing and key not in _PLAIN_SHORT and key not in cx.CLOSING_WORDS:
                status[i] = NAME  # "... for am. -kab": a colleague signing, whatever it spells
                out.add(i)
                continue
            word = key in self.lex.common_words or key in _PLAIN_SHORT or tok.is_stop  # not "kab"
            if word and (caps[i] or lower):
                continue  # "HANDED OVER TO FG": the word "TO"; "went to the shop"
            listed = key in cx.ABBREVIATIONS or key in self.lex.not_names or key in cx.SAINTS
            if lower and (listed or key in cx.CLOSING_WORDS):
                continue  # "bp 142/88", "... ok"
            prev = cx.prev_word(doc, i, skip="")
            before = prev.lower_ if prev is not None else ""
            if before in cx.DETERMINERS or before in cx.POSSESSIVES:
                continue  # "her TA is miss okoro", "our MP is visiting"
            if word and not (before in _PERSON_BEFORE or _person_after(doc, i, nxt)):
                continue  # "NO normal milk", "– NO (protein)": a shouted word
            numbered = nxt is not None and nxt.like_num
            if (listed or word) and (numbered or _noun_follows(doc, i, caps[i])):
                continue  # "BP machine", "BP 142/88"
            if listed and not (before in ("by", "per", "with", "to") or _acts(nxt)):
                continue  # "Checked BP, 120/80", "BP and sats normal"; not "- BP to bring"
            status[i] = NAME
            out.add(i)
        return out

    def _spells(self, text: str) -> bool:
        """Whether letters spell a word, an abbreviation or a closing word (``BP``, ``TO``,
        ``-kab``): not a name to carry to the rest of the batch."""
        key = text.lstrip("-–").replace(".", "").lower()
        if key in cx.ABBREVIATIONS or key in self.lex.not_names or key in cx.CLOSING_WORDS:
            return True
        return self.lex.is_common(key) or key in _PLAIN_SHORT or key in cx.ROLES

    def _listed_with(
        self, doc: Any, i: int, status: list[int], initials: Callable[[int], bool]
    ) -> int | None:
        """The initials or name that initials ``i`` are listed with (``DS and RC``, ``DS, KJ
        and PW``, ``LP and Sam``): a neighbour across ``and``, ``&``, ``+``, or across a comma
        when it is initials too. None when there is none."""
        for step in (1, -1):
            sep = cx.next_word(doc, i) if step > 0 else cx.prev_word(doc, i, skip="")
            if sep is None or sep.lower_ not in _COORDINATORS:
                continue
            other = cx.next_word(doc, sep.i) if step > 0 else cx.prev_word(doc, sep.i, skip="")
            if other is None:
                continue
            if initials(other.i) or (sep.text != "," and self._is_name(status, other.i)):
                return other.i
        return None

    def _signature(self, doc: Any, status: list[int], fixed: set[int]) -> set[int]:
        """The note's closing words, after its last sentence, when they are initials, with a
        name or alone: ``... no details. RB``, ``... fluids ok. MK``, ``- liam p``,
        ``... 10 Feb. Ceri VT``, ``I.O.``. Returns the initials."""
        words: list[int] = []
        j = len(doc) - 1
        while j >= 0 and (doc[j].is_space or doc[j].text in (".", ",")):
            j -= 1
        while j >= 0:
            tok = doc[j]
            if tok.is_space or "\n" in tok.whitespace_:
                if "\n" in tok.text or ("\n" in tok.whitespace_ and words):
                    break
                if tok.is_space:
                    j -= 1
                    continue
            end = tok.text in self._SEGMENT_ENDS
            initials = self._initials_word(tok.text) or self._sign_off(tok.text)  # "d.a."
            initials = initials or self._dashed(tok.text)  # "-jb"
            if end or (tok.text.endswith(".") and len(tok.text) > 1 and not initials):
                break
            words.append(j)
            j -= 1
        words = [k for k in words if doc[k].text not in ("/", "&", "+")]  # "T.N. / G.K.D."
        if not words or j < 0 or len(words) > 3:
            return set()
        words.reverse()
        initials: list[int] = []
        named = False
        for k in words:
            text = doc[k].text
            letter = len(text) == 1 and text.isalpha() and (text not in "AaI" or named)
            if k in fixed:
                return set()
            single = len(words) == 1 and self._sign_off(text)
            if letter or self._initials_word(text) or single or self._dashed(text):
                initials.append(k)
            elif NAME <= status[k] <= STRONG or cx.fold(text) in self.lex.first_names:
                named = True
            else:
                return set()  # "... PRN given. MAR chart": a plain word among them
        if not initials or not (named or any(len(doc[k].text) > 1 for k in initials)):
            return set()
        for k in words:
            status[k] = max(status[k], NAME) if status[k] != PLACE else NAME
        return set(initials)

    def _place_compounds(self, doc: Any, status: list[int]) -> set[int]:
        """A place that opens a capitalised compound names a body or a team, not where
        someone lives: ``Leeds Shared Lives``, ``Cardiff Bus``, ``Salford Royal``, ``Sheffield
        Wednesday``, ``Bristol North CMHT`` (not ``Leeds Mary``: a name after it)."""
        out: set[int] = set()
        for tok in doc:
            i = tok.i
            if status[i] != PLACE or (i > 0 and status[i - 1] == PLACE):
                continue
            j = self._neighbour(doc, i, +1)
            while j is not None and status[j] == PLACE:  # "Newcastle upon Tyne"
                j = self._neighbour(doc, j, +1)
            if j is None or not doc[j].text[:1].isupper() or doc[j - 1].text == "-":
                continue
            if status[j] in (NAME, STRONG) or cx.fold(doc[j].text) in self.lex.first_names:
                continue
            k = i
            while k < j:
                out.add(k)
                k += 1
        return out

    def _pets(self, doc: Any, known: Known) -> set[int]:
        """Names of animals: ``his dog Nelson``, ``the cat (Smwt)``, ``Nelson the dog``,
        ``Nelson (dog)``, ``his dog was called Jura``, and the same word elsewhere in the
        note."""
        keys: set[str] = set()
        for tok in doc:
            if not tok.text[:1].isupper() or not cx.is_alpha_word(tok.text):
                continue
            prev = cx.prev_word(doc, tok.i, skip="(,-")
            after = cx.next_word(doc, tok.i, skip="(,")
            pet = prev is not None and prev.text in cx.PETS and prev.i >= tok.i - 3
            if prev is not None and prev.lower_ in ("called", "named") and prev.i == tok.i - 1:
                # "his dog was called Jura", "a kitten named Smudge" (round 17)
                pet = any(t.text in cx.PETS for t in doc[max(0, prev.i - 3) : prev.i])
            if after is not None and after.lower_ == "the":
                after = cx.next_word(doc, after.i)
            if after is not None and after.text in cx.PETS and after.i <= tok.i + 3:
                beyond = cx.next_word(doc, after.i)  # "Sue (dog walker)": a person
                graded = beyond is not None and beyond.like_num  # "Lombardi-Ward, cat 2" ulcer
                noun = beyond is not None and beyond.text.islower() and beyond.pos_ == "NOUN"
                pet = pet or not (noun or graded)
            if pet:
                keys.add(cx.fold(tok.text))
        return {t.i for t in doc if keys and cx.fold(t.text) in keys}

    def _the_run(self, doc: Any, i: int) -> bool:
        """``the`` right before a first name and the capitalised word after it: a building,
        a ship, a custom (``the John Radcliffe``, ``the Mary Rose``), not a person; not
        ``the Baker family``."""
        prev = cx.prev_word(doc, i, skip="")
        if prev is None or prev.i != i - 1 or prev.text != "the":
            return False
        j = self._neighbour(doc, i, +1)
        if j is None or not doc[j].text[:1].isupper() or j != i + 1:
            return False
        after = cx.next_word(doc, j)
        return after is None or cx.fold(after.text) not in cx.HOUSEHOLD | cx.RELATIONS.keys()

    def _shop(self, doc: Any, i: int) -> bool:
        """A determiner before a possessive names a shop or a brand: ``a Jacob's cracker``,
        ``the Nando's``, ``some Haldiram's`` (a person's would be ``Jacob's cracker``)."""
        prev, nxt = cx.prev_word(doc, i, skip=""), cx.next_word(doc, i)
        if prev is None or nxt is None or prev.i != i - 1 or nxt.text not in ("'s", "’s"):
            return False
        return prev.lower_ in cx.DETERMINERS or prev.lower_ in cx.QUANTIFIERS

    def _locative(self, doc: Any, i: int) -> bool:
        """An unlisted word after ``in``, ``near`` or ``at`` (not after a verb: ``shouted at
        Zeke``) names a place or a venue: ``hockey in Ludhiana``, ``a hip replacement at
        Glenfield``; not a possessive (``at Zeke's``)."""
        prev, nxt = cx.prev_word(doc, i, skip=""), cx.next_word(doc, i)
        if prev is None or prev.i != i - 1 or (nxt is not None and nxt.text in ("'s", "’s")):
            return False
        if prev.lower_ in ("in", "near", "into", "outside", "inside", "around"):
            return True
        before = cx.prev_word(doc, prev.i, skip="")
        verb = before is not None and before.pos_ in ("VERB", "AUX")
        return prev.lower_ == "at" and not verb

    def _modifier(self, doc: Any, i: int) -> bool:
        """A capitalised word between a determiner or possessive and a noun it qualifies:
        ``the Everton game``, ``his Tyrone jersey``, ``a Hunter welly`` (not ``the Baker
        family``)."""
        prev, nxt = cx.prev_word(doc, i, skip=""), cx.next_word(doc, i)
        if prev is None or nxt is None or prev.i != i - 1 or nxt.i != i + 1:
            return False
        det = (
            prev.lower_ in cx.DETERMINERS and prev.pos_ == "DET"
        ) or prev.lower_ in cx.POSSESSIVES
        if not det or not doc[i].whitespace_ or not nxt.text.islower() or nxt.pos_ != "NOUN":
            return False
        key = cx.fold(nxt.text)
        person = key in cx.HOUSEHOLD or key in cx.RELATIONS or key in cx.ROLES or key in cx.STATES
        return not person and nxt.tag_ not in ("VBD", "VBZ")

    # -- capitalised runs that name a body, a venue or a title ------------------------------
    _RUN_JOINS = frozenset(["of", "the", "and", "&", "'s", "’s", "'", "’", "on", "upon", "de", "y"])

    def _run_word(self, doc: Any, i: int, caps: list[bool]) -> bool:
        text = doc[i].text
        if not text[:1].isupper() or not cx.is_alpha_word(text):
            return False
        return cx.shape(text) == "title" or (len(text) <= 4 and not caps[i])

    def _runs(self, doc: Any, caps: list[bool]) -> list[list[int]]:
        """Capitalised words joined by single spaces on one line, small words between them
        (``Grace Baptist Church``, ``Maggie's Centre``, ``Match of the Day``)."""
        runs: list[list[int]] = []
        run: list[int] = []
        pending: list[int] = []
        for tok in doc:
            i = tok.i
            joined = bool(run) and doc[i - 1].whitespace_ in ("", " ")
            if self._run_word(doc, i, caps) and (not run or joined):
                run += [*pending, i]
                pending = []
            elif run and joined and tok.lower_ in self._RUN_JOINS:
                pending.append(i)
            else:
                if run:
                    runs.append(run)
                run, pending = ([i], []) if self._run_word(doc, i, caps) else ([], [])
        if run:
            runs.append(run)
        return runs

    def _thing_runs(self, doc: Any, status: list[int], caps: list[bool], known: Known) -> set[int]:
        """Tokens of capitalised runs that name a body, venue, group or title, not a person:
        a run holding an organisation word (``Grace Baptist Church``, ``Maggie's Centre``,
        ``Tranmere Rovers``, ``the Jeremy Vine Show``) or opening with one (``Holy
        Trinity``, ``Radio Leeds``), and two or more capitalised words right after a title
        verb (``listened to Gladys Knight``, ``watched Billy Elliot``). A title or relation
        word in the run (``Mrs Brown's Boys``) keeps its names; ``Band 5``, ``Ward 7`` are
        no bodies."""
        out: set[int] = set()
        for run in self._runs(doc, caps):
            words = [j for j in run if self._run_word(doc, j, caps)]
            if len(words) < 2 or any(status[j] == STRONG for j in run):
                continue
            if any(self._person_word(doc[j].text) for j in words):
                continue  # "Grandmother Bridget Ward": a relation says person
            if self._styled_as_person(doc, run, words, caps):
                continue  # "Stuart LAW", "Craig Law (son)": a person's name
            if self._titled_run(doc, words, known):  # a name known before is no title's word
                out.update(
                    j for j in run if status[j] != NONE and cx.fold(doc[j].text) not in known.strong
                )
            elif self._org_run(doc, run, words):
                ofs = [n for n, j in enumerate(run) if doc[j].lower_ == "of"]
                head_first = ofs and any(
                    cx.fold(doc[j].text) in cx.ORG_HEADS | cx.ORG_LEADS for j in run[: ofs[0]]
                )
                if ofs and not head_first:
                    run = run[ofs[0] + 1 :]  # "Tom Reed of Carfax Law LLP": the body only
                out.update(j for j in run if status[j] != NONE)
        return out

    def _lower_surnames(self, doc: Any, status: list[int], fixed: set[int]) -> None:
        """An unlisted lower-case word right after a lower-case name, closing a field
        (``– cuthbert bousfield, bay a``, ``edwin wickenby – G9``): the surname (round 16).
        Not an English, rare or listed word, a stop word, or a closing, relation, role or
        state word (``hamish settled``, ``stan restless``)."""
        for tok in doc:
            i = tok.i
            if i in fixed or status[i] >= NAME or not re.fullmatch(r"[a-zà-ÿ'’-]{3,}", tok.text):
                continue
            left = self._neighbour(doc, i, -1)
            if left != i - 1 or not self._is_name(status, left) or not doc[left].text.islower():
                continue
            key = cx.fold(tok.text)
            if tok.is_stop or self.lex.is_common(key) or key in self.lex.not_names:
                continue
            if key in cx.CLOSING_WORDS or self._person_word(tok.text) or key in cx.MONTHS_DAYS:
                continue
            if key in cx.STATES:
                continue
            nxt = doc[i + 1] if i + 1 < len(doc) else None
            if nxt is None or "\n" in tok.whitespace_ or nxt.text in _FIELD_ENDS:
                status[i] = NAME

    def _beside_found(
        self, doc: Any, status: list[int], fixed: set[int], never: set[int]
    ) -> set[int]:
        """Round 17 (:mod:`nlp.deid.beside_names`): names a record's layout places beside
        names, rooms or initials already found, after the learned decision; returns the
        initials among them. Initials joined to initials are named even where the not-name
        list holds them (``RC`` in ``KC/RC``), so only ``fixed`` bars them there."""

        def is_name(j: int) -> bool:
            return self._is_name(status, j)

        lex = self.lex
        named = bn.forenames_after_surnames(doc, is_name, lex, never)
        named |= bn.possessors_of_kin(doc, is_name, lex, never)
        named |= bn.persons_of_room_lines(
            doc, is_name, lex, never, fixed, lambda text: self._initials_word(text, cued=True)
        )
        letters = bn.initials_beside_initials(doc, is_name, fixed)
        letters |= bn.initials_across_an_arrow(doc, is_name, fixed)
        signing = bn.initials_before_a_role(doc, is_name, fixed)
        letters |= signing
        for j in named | letters:
            status[j] = NAME
        for j in signing:  # the job title after them is a word, not the note's initials
            role = cx.next_word(doc, j)
            if role is not None:
                status[role.i] = NONE
        return letters | {j for j in named if bn.INITIALS.fullmatch(doc[j].text)}

    def _styled_as_person(
        self, doc: Any, run: list[int], words: list[int], caps: list[bool]
    ) -> bool:
        """A run written as a person's name (round 16): listed forenames then the last word
        in capitals, the records' SURNAME style (``Stuart LAW``, not on a line in capitals),
        or a forename and one word with a relation word before or after them (``his brother
        Craig Law``, ``Craig Law (son)``)."""
        *fore, last = words
        if not fore or not all(cx.fold(doc[j].text) in self.lex.first_names for j in fore):
            return False
        if any(not doc[j].text.istitle() for j in fore):
            return False
        if doc[last].text.isupper() and len(doc[last].text) > 1 and not caps[last]:
            return True
        if len(words) != 2:
            return False
        prev = cx.prev_word(doc, run[0], skip="")  # "his brother Craig Law at Spoons"
        if prev is not None and cx.fold(prev.text) in cx.RELATIONS:
            return True
        nxt = cx.next_word(doc, run[-1])
        if nxt is None or nxt.text != "(":
            return False
        nxt = cx.next_word(doc, nxt.i)  # "(son)" alone, not "Grace Church (son attends)"
        close = cx.next_word(doc, nxt.i) if nxt is not None else None
        related = nxt is not None and cx.fold(nxt.text) in cx.RELATIONS
        return related and close is not None and close.text == ")"

    def _person_word(self, text: str) -> bool:
        key = cx.fold(text).rstrip(".")
        return key in cx.TITLES or key in cx.RELATIONS or key in cx.ROLES

    def _org_run(self, doc: Any, run: list[int], words: list[int]) -> bool:
        if cx.fold(doc[words[0]].text) in cx.ORG_LEADS:
            return True
        head = cx.fold(doc[words[0]].text)
        if head in cx.ORG_HEADS and len(run) > 1 and doc[run[1]].lower_ == "of":
            return head not in self.lex.surnames  # "Legion of Mary", "Church of Scotland"
        prev = cx.prev_word(doc, run[0], skip="")
        before = cx.prev_word(doc, prev.i, skip="") if prev is not None else None
        for n, j in enumerate(words[1:], 1):
            key = cx.fold(doc[j].text)
            if key not in cx.ORG_HEADS:
                continue
            nxt = cx.next_word(doc, j)
            if nxt is not None and nxt.like_num and doc[j].whitespace_:
                continue  # "Band 5", "Ward 7", "Unit 3"
            if key not in self.lex.surnames:
                return True
            # "Victoria Park" but "Mary Hall": a surname too, so more evidence is needed
            possessive = any(doc[k].text in ("'s", "’s") for k in run)
            p = cx.fold(prev.text) if prev is not None else ""
            moving = p == "to" and before is not None and before.lower_ in cx.MOTION
            forenames = all(cx.fold(doc[k].text) in self.lex.first_names for k in words[:n])
            bed = cx.next_word(doc, j, skip=",")
            number = cx.next_word(doc, bed.i) if bed is not None else None
            bedded = key in _WARD_HEADS and bed is not None and cx.fold(bed.text) in _BED_WORDS
            bedded = bedded and number is not None and number.like_num and not forenames
            if (n >= 2 and not forenames) or possessive or p in cx.LOCATIVES or moving or bedded:
                return True  # not "Johnny Joe Ward rang": forenames before a surname
        return False

    def _titled_run(self, doc: Any, words: list[int], known: Known) -> bool:
        """Two or more capitalised words (no ``and``) right after a title verb."""
        if cx.fold(doc[words[0]].text) in cx.TITLE_VERBS:
            words = words[1:]  # "Watched Billy Elliot": the verb opens the sentence
            if not words:
                return False
        prev = cx.prev_word(doc, words[0], skip="")
        if prev is not None and prev.lower_ in ("to", "the"):
            prev = cx.prev_word(doc, prev.i, skip="")
        if prev is None or cx.fold(prev.text) not in cx.TITLE_VERBS:
            return False
        lead = [words[0]]
        for j in words[1:]:
            if any(doc[k].lower_ in ("and", "&") for k in range(lead[-1] + 1, j)):
                break
            lead.append(j)
        if len(lead) < 2:
            return False
        return not all(cx.fold(doc[j].text) in known.strong for j in lead)

    def _is_name(self, status: list[int], i: int | None) -> bool:
        return i is not None and NAME <= status[i] <= STRONG

    def _grow(
        self, doc: Any, status: list[int], fixed: set[int], known: Known, caps: list[bool]
    ) -> None:
        """Surnames and capitalised words next to names become names; initials, particles,
        nicknames and names joined by ``and`` too. ``fixed`` tokens never change."""
        for tok in doc:  # "Room 15 June Rice", "RM 9 - MAY BROWN": a handover's entry
            i = tok.i
            if status[i] == SUR and i not in fixed and tok.text[:1].isupper():  # noqa: SIM102
                if _ROOM_BEFORE.search(self._text(doc)[max(0, tok.idx - 16) : tok.idx]):
                    status[i] = NAME
        changed = True
        while changed:
            changed = False
            for tok in doc:
                i = tok.i
                if status[i] not in (SUR, SUR_AFTER) or i in fixed:
                    continue
                left = self._neighbour(doc, i, -1)
                right = self._neighbour(doc, i, +1) if status[i] == SUR else None
                if self._is_name(status, left) or self._is_name(status, right):
                    status[i] = NAME
                    changed = True
        for tok in doc:  # "Cynthia Blackwood", "Agnes Rattray": a town's word as a surname
            i = tok.i
            if status[i] != PLACE or i in fixed or not tok.text[:1].isupper():
                continue
            right = self._neighbour(doc, i, +1)
            if self._is_name(status, self._neighbour(doc, i, -1)) and (
                right is None or status[right] != PLACE
            ):
                status[i] = NAME
        for tok in doc:  # "Cartwright-shaw", "Grant-Blackwood": a double-barrelled name
            j = self._neighbour(doc, tok.i, -1)
            hyphen = j is not None and j == tok.i - 2 and doc[tok.i - 1].text == "-"
            below = status[tok.i] < NAME or status[tok.i] == PLACE
            grows = hyphen and below and self._is_name(status, j)
            if grows and tok.i not in fixed and not self._affix_compound(doc, tok.i):
                status[tok.i] = NAME
        self._particles(doc, status, fixed)
        self._nicknames(doc, status, fixed)
        for tok in reversed(doc):  # "M Dunmore", "J. Smith", "W. A. Clarke", "I. Okafor"
            i = tok.i
            if _initial(tok.text) and i not in fixed:
                right = self._neighbour(doc, i, +1)
                dotted = tok.text.endswith(".") and right is not None and status[right] == SUR_AFTER
                if right is None or (status[right] not in (SUR, NAME, STRONG) and not dotted):
                    continue  # "R. Stein": a stop says initial, an unlisted word after it
                if status[i] in (NONE, SUR, SUR_AFTER):
                    status[i] = NAME
                    status[right] = max(status[right], NAME)
        for tok in doc:  # "Sheena T", "Eden K – benefits", "Inês C. OT": an initial after
            i = tok.i
            if i in fixed or status[i] >= NAME or not cx.is_initial(tok.text):
                continue
            left = self._neighbour(doc, i, -1)
            after_name = left is not None and left == i - 1
            if after_name and self._is_name(status, left) and doc[left].text[:1].isupper():
                status[i] = NAME
        self._called(doc, status, fixed)
        self._bare_initials(doc, status, fixed)
        self._coordinated(doc, status, fixed, known)
        for tok in doc:  # "Mrs DOROTHY MAY PICKLES, 6 ...": a title's name shouted in mixed text
            prev = cx.prev_word(doc, tok.i, skip=".")
            if prev is None or cx.fold(prev.text).rstrip(".") not in cx.TITLES:
                continue
            run, j = [], tok.i
            while j is not None and len(run) < 4 and len(doc[j].text) > 1 and doc[j].text.isupper():
                run.append(j)
                j = self._neighbour(doc, j, +1)
            odd = any(caps[k] or k in fixed or self._person_word(doc[k].text) for k in run)
            if len(run) < 2 or odd:
                continue
            if j is not None and doc[j].text[:1].isupper():
                continue  # the run goes on in lower case: no name's end in sight
            for k in run:
                status[k] = max(status[k], NAME) if status[k] != PLACE else NAME
        for tok in doc:  # "Baker family visiting"
            nxt = cx.next_word(doc, tok.i)
            if status[tok.i] not in (SUR, SUR_AFTER) or tok.i in fixed or nxt is None:
                continue
            if cx.fold(nxt.text) in cx.HOUSEHOLD and cx.fold(tok.text) in self.lex.surnames:
                status[tok.i] = NAME

    def _shouted_surnames(
        self, doc: Any, status: list[int], fixed: set[int], caps: list[bool]
    ) -> None:
        """A surname in capitals after a forename the rules named, on a line not in
        capitals, before a comma, a bracket or the line's end (``Maxine SEAL, 62``, ``Stuart
        LAW, Flat 1``): the record's ``Forename SURNAME`` form; a common word only if it is a
        listed surname or an age follows (``Maxine SEAL, 62``; not ``Jean REFUSED, will
        try``); not a role, title, relation or listed abbreviation (``Mary NHS, ...``)."""
        for tok in doc[1:]:
            i = tok.i
            if i in fixed or caps[i] or status[i] in (NAME, STRONG) or not tok.is_alpha:
                continue
            if not (tok.text.isupper() and len(tok.text) >= 2):
                continue
            prev = doc[i - 1]
            named = prev.text.istitle() and self._is_name(status, i - 1)
            if prev.whitespace_ != " " or not named:
                continue
            key = tok.lower_
            if key in cx.ROLES or key in cx.TITLES or key in cx.RELATIONS:
                continue
            if key in cx.ABBREVIATIONS or key in self.lex.not_names or key in cx.MONTHS_DAYS:
                continue
            nxt = doc[i + 1] if i + 1 < len(doc) else None
            aged = nxt is not None and nxt.text == "," and i + 2 < len(doc) and doc[i + 2].like_num
            if self.lex.is_common(key) and key not in self.lex.surnames and not aged:
                continue  # "Jean REFUSED, will try": a shouted word; "Maxine SEAL, 62" is a surname
            if nxt is None or nxt.text in (",", "(") or "\n" in nxt.text or "\n" in tok.whitespace_:
                status[i] = STRONG

    def _hyphen_initials(self, doc: Any, status: list[int], fixed: set[int]) -> set[int]:
        """Letters joined by hyphens (``T-A Molyneux``, ``SO-R``, ``mrs ll-j``, ``R-M became
        upset``): initials when a name or a title is beside them, a part is a name already,
        a verb follows them at a line's start, or they close the note. Returns them."""
        out: set[int] = set()
        i = 0
        while i < len(doc):
            chain = [i]
            while (
                chain[-1] + 2 < len(doc)
                and doc[chain[-1] + 1].text == "-"
                and not doc[chain[-1]].whitespace_
                and not doc[chain[-1] + 1].whitespace_
            ):
                chain.append(chain[-1] + 2)
            parts = [doc[j].text for j in chain]
            shape = all(re.fullmatch(r"[A-Z]{1,2}", p) for p in parts) or all(
                re.fullmatch(r"[a-z]{1,2}", p) for p in parts
            )
            if len(chain) < 2 or not shape or any(j in fixed for j in chain):
                i = chain[-1] + 1
                continue
            right = self._neighbour(doc, chain[-1], +1)
            prev = cx.prev_word(doc, chain[0], skip=".")
            titled = prev is not None and cx.fold(prev.text).rstrip(".") in cx.TITLES
            nxt = cx.next_word(doc, chain[-1])
            verb = nxt is not None and nxt.tag_ in ("VBD", "VBZ") and cx.line_initial(doc, chain[0])
            closing = nxt is None or (nxt.text in (".", "!") and cx.next_word(doc, nxt.i) is None)
            if (
                titled
                or verb
                or closing
                or (right is not None and status[right] in (SUR, NAME, STRONG))
                or (right is not None and self._surname_like(doc[right].text))
                or any(self._is_name(status, j) for j in chain)
            ):
                for j in range(chain[0], chain[-1] + 1):
                    status[j] = NAME
                out.update(chain)
                left = self._neighbour(doc, chain[0], -1)  # "Y A-C", "D C-H": an initial before
                letter = left is not None and re.fullmatch(r"[A-Z]\.?", doc[left].text)
                if letter and left not in fixed:
                    status[left] = NAME
                    out.add(left)
                if right is not None and self._surname_like(doc[right].text) and right not in fixed:
                    status[right] = STRONG  # the name the initials stand before
            i = chain[-1] + 1
        return out

    def _surname_like(self, text: str) -> bool:
        """Capitalised and a listed name or no common word: ``Smith``, ``Molyneux``."""
        key = cx.fold(text)
        if not text[:1].isupper() or not cx.is_alpha_word(text) or key in self.lex.not_names:
            return False
        return self.lex.is_name_word(key) or not self._common(key)

    _CALL_VERBS = frozenset(["call", "calls", "called", "calling", "nicknamed", "named"])
    _QUOTES = frozenset(['"', "“", "”", "'", "‘", "’"])
    _PERSON_OBJECTS = frozenset(["me", "him", "her", "them", "us", "you", "himself", "herself"])

    def _called(self, doc: Any, status: list[int], fixed: set[int]) -> None:
        """A word in quotes after a naming verb is a name: ``calls me "Candy"``, ``calling her
        "Stormy"``, ``nicknamed "Tiny"`` (not ``called me "Nurse"``, ``called it "rubbish"``)."""
        for tok in doc:
            i = tok.i
            if tok.text not in self._QUOTES or i + 2 >= len(doc):
                continue
            prev = cx.prev_word(doc, i, skip="")
            person = prev is not None and prev.lower_ in self._PERSON_OBJECTS
            if person:
                prev = cx.prev_word(doc, prev.i, skip="")
            if prev is None or prev.lower_ not in self._CALL_VERBS:
                continue
            j = i + 1
            key = cx.fold(doc[j].text)
            closed = j + 1 < len(doc) and doc[j + 1].text in self._QUOTES | {",", "."}
            if j in fixed or not closed or not cx.is_alpha_word(doc[j].text):
                continue
            if key in cx.ROLES or key in cx.RELATIONS or key in cx.TITLES:
                continue
            if key in self.lex.not_names and not person:
                continue  # "called it "Quality Street""; but "calls me "Candy"": a person
            if doc[j].text[:1].isupper() or key in self.lex.first_names or person:
                status[j] = max(status[j], NAME)  # "calls me "Candy"", "called me "ashy""
        self._labelled_call(doc, status, fixed)
        self._quoted_middle(doc, status, fixed)

    def _labelled_call(self, doc: Any, status: list[int], fixed: set[int]) -> None:
        """A form's naming label and the names after it: ``Likes to be called: Ash``,
        ``Call me: Gideon or Giddy``, ``please call me Wiesia``."""
        for tok in doc:
            if tok.lower_ not in self._CALL_VERBS:
                continue
            j = tok.i + 1
            while j < len(doc) and (doc[j].is_space or doc[j].lower_ in self._PERSON_OBJECTS):
                j += 1
            if j < len(doc) and doc[j].text == ":":
                j += 1
            elif tok.i + 1 < len(doc) and doc[tok.i + 1].lower_ not in self._PERSON_OBJECTS:
                continue  # "called the GP", "named nurse": no name follows
            words = 0
            while j < len(doc) and words < 3 and "\n" not in doc[j].text:
                t = doc[j]
                if t.is_space or t.lower_ in ("or", "/", ","):
                    j += 1
                    continue
                key = cx.fold(t.text)
                if not cx.is_alpha_word(t.text) or not t.text[:1].isupper() or j in fixed:
                    break
                if key in cx.ROLES or key in cx.RELATIONS or key in cx.TITLES:
                    break
                if key in self.lex.not_names:
                    break  # a common word is a name here: "called: Ash", "or Giddy"
                status[j] = max(status[j], NAME) if status[j] != PLACE else NAME
                words, j = words + 1, j + 1

    def _quoted_middle(self, doc: Any, status: list[int], fixed: set[int]) -> None:
        """One quoted word between a first name and a surname: ``Agnieszka "Aga"
        Nowicka-Baird``, ``Agnes "Senga" Gilchrist``."""
        for tok in doc:
            i = tok.i
            if tok.text not in self._QUOTES or i + 3 >= len(doc) or i + 1 in fixed:
                continue
            if doc[i + 2].text not in self._QUOTES or not cx.is_alpha_word(doc[i + 1].text):
                continue
            before = cx.prev_word(doc, i, skip="")
            after = cx.next_word(doc, i + 2)
            if before is None or after is None or "\n" in doc[before.i : after.i].text:
                continue
            if self._is_name(status, before.i) and after.text[:1].isupper() and (
                status[after.i] in (SUR, SUR_AFTER, NAME, STRONG) or self._surname_like(after.text)
            ):
                status[i + 1] = max(status[i + 1], NAME)
                if after.i not in fixed:
                    status[after.i] = max(status[after.i], NAME)

    def _bare_initials(self, doc: Any, status: list[int], fixed: set[int]) -> None:
        """Initials ``A`` and ``I`` among initials (``Mrs M A MAUGHAN``), and initials after an
        inverted name closing the entry (``CHAUDHRY, M I:``, ``Bello, A``)."""
        for tok in doc:
            i = tok.i
            if tok.text not in ("A", "I") or i in fixed or status[i] >= NAME:
                continue
            left, right = self._neighbour(doc, i, -1), self._neighbour(doc, i, +1)
            initial_left = left is not None and _initial(doc[left].text) and status[left] >= NAME
            if initial_left and right is not None and status[right] in (SUR, NAME, STRONG):
                status[i] = NAME
                status[right] = max(status[right], NAME)
        for tok in doc:
            named = tok.i > 0 and (self._is_name(status, tok.i - 1) or status[tok.i - 1] == SUR)
            if tok.text != "," or not named or tok.i - 1 in fixed:
                continue
            run, j = [], tok.i + 1
            while j < len(doc) and (doc[j].text == " " or re.fullmatch(r"[A-Z]\.?", doc[j].text)):
                if not doc[j].is_space:
                    run.append(j)
                j += 1
            closing = j >= len(doc) or doc[j].text in (":", ")", ";", "-") or "\n" in doc[j].text
            if run and len(run) <= 3 and closing and not any(k in fixed for k in run):
                for k in [tok.i - 1, *run]:
                    status[k] = max(status[k], NAME)

    def _particles(self, doc: Any, status: list[int], fixed: set[int]) -> None:
        """``Niamh Ní Bhriain``, ``Pieter van der Berg``, ``Dr de Souza``, ``al-Hassan``:
        particles before a name are part of it; after a name or a title, so is the
        capitalised word they lead to."""
        for tok in doc:
            i = tok.i
            if not self._particle(tok) or i in fixed or NAME <= status[i] <= STRONG:
                continue
            chain, right = [i], self._neighbour(doc, i, +1)
            gaelic = cx.fold(tok.text) in ("mac", "nic", "mhic")  # "Mac an t-Saoir"
            while right is not None and (
                self._particle(doc[right]) or (gaelic and cx.fold(doc[right].text) in ("an", "t"))
            ):
                chain.append(right)
                right = self._neighbour(doc, right, +1)
            if right is None or right in fixed:
                continue
            prev = cx.prev_word(doc, i, skip=".")
            titled = prev is not None and cx.fold(prev.text).rstrip(".") in cx.TITLES
            after_name = titled or self._is_name(status, self._neighbour(doc, i, -1))
            capital = doc[right].text[:1].isupper() and status[right] != PLACE
            if self._is_name(status, right) or (after_name and capital):
                for j in [*chain, right]:
                    status[j] = max(status[j], NAME) if status[j] != PLACE else NAME

    def _particle(self, tok: Any) -> bool:
        return cx.fold(tok.text) in cx.PARTICLES

    def _nicknames(self, doc: Any, status: list[int], fixed: set[int]) -> None:
        """Other names of a person in brackets after the name: ``Wisniewski (Tad)``,
        ``ZIELIŃSKA (Jadzia to family)``, ``Ackroyd ("Dot" / "Dotty" to friends)``."""
        for tok in doc:
            i = tok.i
            if tok.text != "(":
                continue
            before = self._before_bracket(doc, i)
            inner = []
            for t in doc[i + 1 : i + 12]:
                if t.text == ")" or "\n" in t.text:
                    break
                inner.append(t)
            kin = before is not None and cx.fold(doc[before].text) in cx.RELATIONS
            if kin and len(inner) == 1 and inner[0].i not in fixed:  # "Mam (Meg)", "son (Ricky)"
                word = inner[0]
                plain = cx.is_alpha_word(word.text) and self._nickname_word(word)
                if word.text[:1].isupper() and plain:
                    status[word.i] = max(status[word.i], NAME)
                continue
            if not self._is_name(status, before):
                continue
            for n, t in enumerate(inner):
                j = t.i
                key = cx.fold(t.text)
                if j in fixed or not t.text[:1].isupper() or NAME <= status[j] <= STRONG:
                    continue
                if status[j] == PLACE and key in self.lex.places:
                    continue  # "(Leeds)"; but the model's guess "(Jadzia to family)" is a name
                if not cx.is_alpha_word(t.text) or cx.acronym(t.text):
                    continue
                if key in cx.ROLES or key in cx.RELATIONS or key in cx.TITLES:
                    continue
                quoted = (
                    0 < j < len(doc) - 1
                    and doc[j - 1].text in ('"', "“", "'")
                    and (doc[j + 1].text in ('"', "”", "'"))
                )
                first = n == 0 and (len(key) <= 4 or self._named(key))
                first = first and key not in self.lex.not_names  # "Sam Cole (Bank)": bank staff
                # "Dustin Pengelly (Dusty)": one word alone in brackets after a full name
                full = self._is_name(status, self._neighbour(doc, i - 1, -1))
                alone = n == 0 and len(inner) == 1 and full and self._nickname_word(t)
                first = first or alone
                after_or = n > 0 and inner[n - 1].text in ("/", "or", ",")
                # "(Bob / Bobi)": an alternative to a name taken is a name too
                other = after_or and n > 1 and NAME <= status[inner[n - 2].i] <= STRONG
                other = other and key not in self.lex.not_names
                if quoted or first or (after_or and (self._named(key) or other)):
                    status[j] = NAME

    def _nickname_word(self, tok: Any) -> bool:
        """Not a state, a place or a thing: ``(Dusty)``, ``(Chips)``; not ``(Deceased)``,
        ``(Retired)``, ``(Leeds)``, ``(Agency)``."""
        key = cx.fold(tok.text)
        lex = self.lex
        if key in lex.not_names or key in lex.places or key in lex.regions or key in cx.STATES:
            return False
        return not key.endswith(("ed", "ing", "ly")) and tok.pos_ not in ("VERB", "AUX", "ADV")

    def _before_bracket(self, doc: Any, i: int) -> int | None:
        prev = cx.prev_word(doc, i, skip="")
        return prev.i if prev is not None else None

    def _coordinated(self, doc: Any, status: list[int], fixed: set[int], known: Known) -> None:
        """A name word joined to a name by ``and``, ``&`` or ``+`` (a capitalised one also
        by a comma or a slash): ``dawn and bill came``, ``Kim, Lee, Jo and Ed``."""
        for tok in doc:
            i = tok.i
            key = cx.fold(tok.text)
            if status[i] >= NAME or i in fixed or not cx.is_alpha_word(tok.text):
                continue
            if key not in known.weak and key not in self.lex.first_names:
                continue
            short = len(key) < 2
            if key in self.lex.not_names and key not in self.lex.first_names:
                continue  # "Tesco and Asda"; but "Jo and Ed", "jo and ed"
            if self._det_blocked(doc, i) or short:
                continue
            before = cx.prev_word(doc, i, skip="")
            if key in cx.MONTHS and before is not None and before.lower_ in _DATE_PREPOSITIONS:
                continue  # "in June and Delroy has offered": the month
            nxt = cx.next_word(doc, i)
            if nxt is not None and nxt.pos_ in ("NOUN", "PROPN") and nxt.text.islower():
                continue
            prev = cx.prev_word(doc, i, skip="")
            after = cx.next_word(doc, i, skip="")
            joins = ("and", "&", "+", ",", "/") if tok.text.istitle() else ("and", "&", "+")
            left = prev is not None and prev.lower_ in joins  # not "Dear Mary, hope you ..."
            left = left and self._is_name(status, getattr(cx.prev_word(doc, prev.i), "i", None))
            right = after is not None and after.lower_ in joins
            right = right and self._is_name(status, getattr(cx.next_word(doc, after.i), "i", None))
            if left or right:
                status[i] = NAME

    def _neighbour(self, doc: Any, i: int, step: int) -> int | None:
        """The adjacent word joined by one space, a hyphen (``Pemberton-Hale``) or an
        initial's full stop (``J. Smith``), on the same line; else None."""
        j = i + step
        if not 0 <= j < len(doc):
            return None
        lo = doc[i] if step > 0 else doc[j]
        if lo.whitespace_ not in (" ", ""):
            return None
        tok = doc[j]
        if cx.is_alpha_word(tok.text) or _initial(tok.text):
            return j
        k = j + step
        if tok.text not in ("-", ".") or not 0 <= k < len(doc):
            return None
        left = doc[i] if step > 0 else doc[k]
        before, after = left.whitespace_, tok.whitespace_
        if tok.text == "-":
            joined = before == after == ""
        else:  # "J . Smith" split by the tokenizer
            joined = before == "" and after == " " and cx.is_initial(left.text)
        return k if joined and cx.is_alpha_word(doc[k].text) else None

    def _located(self, doc: Any, first: int, last: int, status: list[int]) -> bool:
        """Whether a listed town is written as a place and so left as written: right after
        a town cue ("lives in Bolton", "near Whitby") or after "to", "from" or "at" that
        follow a travel word ("went to Leeds", "outing to Harrogate"), and not before a
        possessive or a name ("in Sofia's room"). A town's word anywhere else may be a
        person's name ("Bradford rang", "Hastings, Edna", "Mam (Sofia)"), so it is replaced
        unless its position plainly makes it a place (:meth:`_placed_by_position`).
        """
        if last + 1 < len(doc):
            nxt = doc[last + 1]
            if nxt.lower_ in _POSSESSIVE_MARKS or self._is_name(status, last + 1):
                return False
        if first == 0:
            return False
        if _before_postcode(self._text(doc), doc[last].idx + len(doc[last].text)):
            return not self._is_name(status, first - 1)  # "4 Silver Birch Way, Harlow CM18 7HE"
        prev = doc[first - 1].lower_
        if prev in cx.TOWN_CUES:
            return True
        return prev in ("to", "from", "at") and first >= 2 and doc[first - 2].lower_ in cx.TRAVEL

    def _placed_by_position(self, doc: Any, members: list[int], status: list[int]) -> bool:
        """Whether a listed town that no cue put as a place is still plainly one: it
        modifies a following noun (``Haringey Adult Social Care``, ``Sunderland match``,
        ``Skegness clock tower``; not ``the Whitby family``) or follows ``of``, ``v`` or
        ``fae`` (``photos of Skegness``, ``Hereford FC v Kidderminster``); and nothing
        points at a person: no word of it is a listed name word or tagged by the name
        tagger, and no possessive or comma and name follows (``Hastings, Edna``). Anywhere
        else (``Rang Stafford``, ``Stafford - refused meds``, ``Bradford rang``) it may be
        a person's name and is replaced, as since round 6."""
        tagged = name_tagger.positions(doc) or {}
        if any(self.lex.is_name_word(doc[j].text) or j in tagged for j in members):
            return False
        first, last = members[0], members[-1]
        nxt = doc[last + 1] if last + 1 < len(doc) else None
        if nxt is not None and nxt.lower_ in _POSSESSIVE_MARKS:
            return False  # "Chester's room"
        if nxt is not None and nxt.text == ",":  # "Hastings, Edna": surname first
            after = self._neighbour(doc, last + 1, +1)
            if after is not None and self._is_name(status, after):
                return False
        head = doc[last]
        noun = head.head
        if head.dep_ == "compound" and noun.i > last and noun.pos_ in ("NOUN", "PROPN"):
            return noun.is_alpha and noun.lower_ not in _PERSON_HEADS  # not "Radcliffe x1"
        prev = cx.prev_word(doc, first, skip="")
        if prev is None:
            return False
        if prev.lower_ in _PLACE_BEFORE:
            return True
        if prev.i != first - 1 or not self._only_as_a_place(doc, members):
            return False
        if prev.lower_ == "from":  # "coming from Croydon", "daughter from Dublin"
            before = doc[prev.i - 1] if prev.i > 0 else None  # on the same line, next to it
            return before is not None and before.lower_ in cx.FROM_TOWN
        if prev.lower_ in ("lives", "living"):  # "lives Leeds"; not "Lives Carlisle and Mary"
            return nxt is None or nxt.lower_ not in ("and", "&", "with")
        return False

    @staticmethod
    def _only_as_a_place(doc: Any, members: list[int]) -> bool:
        """No other mention of the town's words in the note stands where a person could:
        each comes right after a place preposition (``SN Crewe on nights ... from Crewe``
        would tie the kept town to the replaced surname)."""
        words = {doc[j].lower_ for j in members}
        for tok in doc:
            if tok.i in members or tok.lower_ not in words:
                continue
            prev = doc[tok.i - 1] if tok.i > 0 else None
            if prev is None or prev.lower_ not in _PLACE_PREPOSITIONS:
                return False
        return True

    def _spans(
        self,
        doc: Any,
        status: list[int],
        guesses: set[int],
        initials: set[int] = frozenset(),
        listed: set[int] = frozenset(),
    ) -> NameFindings:
        """Name entities, and place entities for places the parser alone guessed or towns of
        ``places.txt`` (``listed``) the text does not put as a place; a listed town written
        as a place is no PII (annotations/pii/README.md) and stays (:meth:`_located`)."""
        entities: list[Entity] = []
        votes: list[tuple[str, str, int]] = []
        kept_towns: list[tuple[list[int], Entity]] = []  # decided once every mention is seen
        i = 0
        while i < len(doc):
            if status[i] < NAME and status[i] != PLACE:
                i += 1
                continue
            kind = "place" if status[i] == PLACE else "name"
            members = [i]
            while True:
                j = self._neighbour(doc, members[-1], +1)
                if j is None:
                    break
                same = status[j] == PLACE if kind == "place" else NAME <= status[j] <= STRONG
                if not same:
                    break
                members.append(j)
            first, last = doc[members[0]], doc[members[-1]]
            start, end = first.idx, last.idx + len(last.text)
            if kind == "place":
                kept = all(j in listed for j in members)
                placed = self._located(doc, members[0], members[-1], status)
                placed = placed or self._placed_by_position(doc, members, status)
                if not (kept and placed):
                    entities.append(Entity(start, end, "place"))
                else:
                    kept_towns.append((members, Entity(start, end, "place")))
            else:
                letter = self._trailing_letter(doc, members[-1], status)
                if letter is not None:  # "carer: lynsey k |", "Jeanie L, Rocky"
                    members.append(letter)
                    initials = {*initials, letter}
                entity = self._name_entity(doc, members, initials)
                entity.tentative = len(members) == 1 and members[0] in guesses
                entities.append(entity)
                votes += self._gender_votes(doc, members, entity.gender_key, status)
            i = members[-1] + 1
        entities += self._replaced_elsewhere(doc, status, kept_towns, entities)
        return NameFindings(entities, votes)

    def _trailing_letter(self, doc: Any, last: int, status: list[int]) -> int | None:
        """A single letter right after a name, closing its entry (``12:30 dorota k –``,
        ``carer: elaine h |``, ``with mhairi and joe v, good banter``): the surname's
        initial, as rotas and care apps write it; not ``a`` or ``i`` (``told jo i would``)
        nor a kiss (``Thanks, Julie x``)."""
        j = self._neighbour(doc, last, +1)
        if j is None or j != last + 1 or status[j] != NONE:
            return None
        text = doc[j].text
        if len(text) != 1 or not text.isalpha() or text in ("a", "i", "I", "x", "X"):
            return None
        if j + 1 == len(doc) or "\n" in doc[j].whitespace_:
            return j
        nxt = doc[j + 1]
        return j if nxt.is_space or nxt.text in _ENTRY_CLOSERS else None

    @staticmethod
    def _replaced_elsewhere(
        doc: Any, status: list[int], kept: list[tuple[list[int], Entity]], found: list[Entity]
    ) -> list[Entity]:
        """The kept towns to replace after all: a word replaced anywhere else in the note,
        as a name or as a town no position put as a place, is replaced everywhere (``SN
        Crewe on nights ... went to Crewe``: keeping the second would name the nurse)."""
        replaced = {doc[j].lower_ for j, s in enumerate(status) if s in (NAME, STRONG)}
        replaced |= {
            tok.lower_
            for e in found
            if e.kind == "place"
            for tok in doc.char_span(e.start, e.end, alignment_mode="expand") or ()
        }
        return [e for members, e in kept if any(doc[j].lower_ in replaced for j in members)]

    def _name_entity(
        self, doc: Any, members: list[int], initials: set[int] = frozenset()
    ) -> Entity:
        lex = self.lex
        prev = cx.prev_word(doc, members[0], skip=".")
        titled = prev is not None and cx.fold(prev.text).rstrip(".") in cx.TITLES
        parts: list[tuple[int, int, str]] = []
        particle_start: int | None = None
        for n, i in enumerate(members):
            tok = doc[i]
            key = cx.fold(tok.text)
            after_mac = n > 0 and cx.fold(doc[members[n - 1]].text) in ("mac", "nic", "mhic", "an")
            gaelic = after_mac and key in ("an", "t")  # "Mac an t-Saoir"
            if (key in cx.PARTICLES or gaelic) and n < len(members) - 1:
                if particle_start is None:  # "Ní Bhriain", "van der Berg": one surname
                    particle_start = tok.idx
                continue
            if particle_start is not None:
                parts.append((particle_start, tok.idx + len(tok.text), "last"))
                particle_start = None
                continue
            letter = len(members) > 1 and re.fullmatch(r"[A-Z]\.?", tok.text)  # "M A MAUGHAN"
            if cx.is_initial(tok.text) or i in initials or letter:
                role = "initial"
            elif len(members) == 1:
                surname_like = key in lex.surnames and key not in lex.first_names
                role = "last" if titled or surname_like else "first"
            elif n == 0 or (
                n < len(members) - 1 and key in lex.first_names and key not in lex.surnames
            ):
                role = "first"
            else:
                role = "last"
            parts.append((tok.idx, tok.idx + len(tok.text), role))
        firsts = [p for p in parts if p[2] == "first"]
        first = firsts[0] if firsts else parts[-1]
        key = cx.fold(doc.text[first[0] : first[1]])
        return Entity(parts[0][0], parts[-1][1], "name", tuple(parts), key)

    def _gender_votes(
        self, doc: Any, members: list[int], key: str, status: list[int]
    ) -> list[tuple[str, str, int]]:
        votes: list[tuple[str, str, int]] = []
        prev = cx.prev_word(doc, members[0], skip=".:,")
        if prev is not None:
            p = cx.fold(prev.text)
            gender = cx.TITLES.get(p) or cx.RELATIONS.get(p)
            if gender:
                votes.append((key, gender, 3))
        nxt = cx.next_word(doc, members[-1], skip="(,")
        if nxt is not None and cx.RELATIONS.get(cx.fold(nxt.text)):
            votes.append((key, cx.RELATIONS[cx.fold(nxt.text)], 3))
        sentences = 0
        for tok in doc[members[-1] + 1 :]:
            if status[tok.i] >= NAME or sentences > 1:
                break
            low = tok.lower_
            if low in cx.PRONOUNS_F or low in cx.PRONOUNS_M:
                votes.append((key, "f" if low in cx.PRONOUNS_F else "m", 1))
                break
            if tok.is_sent_end:
                sentences += 1
        return votes
