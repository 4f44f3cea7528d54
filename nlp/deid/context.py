"""Context words that say a token is (or is not) a person's name, and token helpers."""

from __future__ import annotations

import re
from importlib import resources
from typing import Any

from nlp.deid.lexicons import RESOURCES
from nlp.deid.lexicons import fold as fold


def _table() -> list[tuple[str, str, str]]:
    text = resources.files(RESOURCES).joinpath("context_words.tsv").read_text(encoding="utf-8")
    rows = [ln.split("\t") for ln in text.splitlines() if ln.strip() and not ln.startswith("#")]
    return [(r[0], r[1], r[2] if len(r) > 2 else "") for r in rows]


_ROWS = _table()


def _words(cls: str) -> frozenset[str]:
    return frozenset(w for w, c, _ in _ROWS if c == cls)


def _gendered(cls: str) -> dict[str, str]:
    return {w: g for w, c, g in _ROWS if c == cls}


TITLES = _gendered("title")  # Mrs -> f
RELATIONS = _gendered("relation")  # daughter -> f
ROLES = _words("role")  # SW, keyworker, tenant, Name: ...
GREETINGS = _words("greeting")
DETERMINERS = _words("determiner")
QUANTIFIERS = _words("quantifier")
BE_FORMS = _words("be")
PRONOUNS_F = frozenset(w for w, c, g in _ROWS if c == "pronoun" and g == "f")
PRONOUNS_M = frozenset(w for w, c, g in _ROWS if c == "pronoun" and g == "m")
FACILITY_AFTER = _words("facility")
POSSESSIVES = _words("possessive")
RATING = _words("rating")
SUBJECTS = _words("subject")
SAINTS = _words("saint")
MONTHS = _words("month")
DAYS = _words("day")
MONTHS_DAYS = MONTHS | DAYS
PARTICLES = _words("particle")  # Ní, van, bin, al: part of the name next to them
ALIASES = _words("alias")  # aka, née, prefers
PERSON_CUES = _words("person_cue")  # found pat, w/ bill
COMPANY = _words("company")  # sat with summer
STATES = _words("state")  # Pat home from hospital
PRODUCT_NOUNS = _words("product_noun")  # Raizer chair
PREFIXES = _words("prefix")  # Pre-admission
TITLE_VERBS = _words("title_verb")  # watched Pointless
SPEECH = _words("speech")  # ... says autumn
HOUSEHOLD = _words("household")  # Baker family
PETS = _words("pet")  # his dog Nelson, Smwt (cat)
ORG_HEADS = _words("org_head")  # Grace Baptist Church, Tranmere Rovers
ORG_LEADS = _words("org_lead")  # Holy Trinity, Radio Leeds
TOWN_CUES = _words("town_cue")  # lives in Bolton: a listed town left as written
TRAVEL = _words("travel")  # went to Leeds, outing to Harrogate
CLOSING_WORDS = _words("closing_word")  # ... fine. ok: a word, not initials
CLOSING_CAPS = _words("closing_caps")  # Bed at ten. OK: a word in capitals too
BY_CUES = _words("by_cue")  # copied by KP, witness SM
DONE_WORDS = _words("done_word")  # given (TK, SMcC)
ATTENDANCE = _words("attendance")  # Present: MG, daughter Sheila, FD
INITIALS_AFTER = _words("initials_after")  # per TJ, told CQ, care lead LP
HANDOVER = _words("handover")  # hand over from BW, passed to MT
ABBREVIATIONS = _words("abbreviation")  # BP, given PO, per EDT: no initials there
JOB_WORDS = _words("job")  # Carys Bowen, Senior Carer: an author column's job title
SIGNING_TITLES = _words("signing_title")  # ... Reassured. PC RGN: letters before it sign
# words before a capitalised run that say it is a place or a thing, not a person
LOCATIVES = frozenset(
    [
        "the",
        "at",
        "in",
        "into",
        "near",
        "round",
        "around",
        "outside",
        "inside",
        "visited",
        "visiting",
        "attended",
        "attends",
        "attending",
        "towards",
        "past",
        "opposite",
        "behind",
    ]
)
MOTION = frozenset(  # "went to Victoria Park" (but "spoke to Mary Hall")
    [
        "went",
        "go",
        "goes",
        "going",
        "gone",
        "walked",
        "walk",
        "trip",
        "took",
        "taken",
        "drove",
        "driven",
        "back",
        "outing",
        "visit",
        "way",
        "bus",
        "taxi",
        "lift",
        "return",
        "returned",
    ]
)
FROM_TOWN = _words("from_town")  # coming from Croydon: a listed town after "from" (guarded)
# titles that are no English word, so a name may follow them in lower case (mrs lam, dr hill)
ABBREVIATED_TITLES = frozenset(["mr", "mrs", "ms", "mx", "dr", "prof", "rev", "revd", "fr", "cllr"])
LINE_BREAKERS = frozenset('.!?:;-–—•*|/("“')
_ALPHA = re.compile(r"[^\W\d_]+(?:['’][^\W\d_]+)*")


def is_alpha_word(text: str) -> bool:
    """Letters, with apostrophes inside (``O'Brien``)."""
    return bool(_ALPHA.fullmatch(text))


def is_initial(text: str) -> bool:
    """``M`` or ``J.`` (not ``A`` or ``I``, which are words)."""
    return bool(re.fullmatch(r"[A-Z]\.?", text)) and text[0] not in "AI"


def shape(text: str) -> str:
    """``upper`` (two or more capitals), ``title``, or ``lower``."""
    if len(text) > 1 and text.isupper():
        return "upper"
    if text[:1].isupper():
        return "title"
    return "lower"


def prev_word(doc: Any, i: int, skip: str = ":,") -> Any | None:
    """The token before ``i``, skipping spaces and the punctuation in ``skip``."""
    j = i - 1
    while j >= 0 and (doc[j].is_space or doc[j].text in skip):
        j -= 1
    return doc[j] if j >= 0 else None


def next_word(doc: Any, i: int, skip: str = "") -> Any | None:
    j = i + 1
    while j < len(doc) and (doc[j].is_space or doc[j].text in skip):
        j += 1
    return doc[j] if j < len(doc) else None


def line_initial(doc: Any, i: int) -> bool:
    """First word of the note, a line, a sentence, or after a label (``Name:``) or a time."""
    j = i - 1
    while j >= 0:
        tok = doc[j]
        if tok.is_space:
            if "\n" in tok.text:
                return True
            j -= 1
            continue
        if tok.text in LINE_BREAKERS or tok.is_sent_end:
            return True
        if tok.like_num or re.fullmatch(r"\d{1,2}[:.]\d{2}", tok.text):
            j -= 1  # "07:30 Ravi up"
            continue
        return False
    return True


def line_position(doc: Any, i: int) -> int:
    """How many words stand before token ``i`` on its line (0: it opens the line)."""
    n = 0
    j = i - 1
    while j >= 0:
        tok = doc[j]
        if tok.is_space and "\n" in tok.text:
            break
        if not tok.is_space and not tok.is_punct:
            n += 1
        j -= 1
    return n


def acronym(text: str) -> bool:
    """``DWP``, ``TL``, ``HCAs``, ``GPs``: capitals (a plural ``s`` allowed), no name."""
    return bool(re.fullmatch(r"[A-Z]{2,4}s?", text)) and not text.istitle()


def caps_lines(doc: Any) -> list[bool]:
    """Per token: its line is written in capitals (so capitals say nothing)."""
    flags = [False] * len(doc)
    start = 0
    for i in range(len(doc) + 1):
        if i == len(doc) or "\n" in doc[i].text:
            words = [t for t in doc[start:i] if t.is_alpha and len(t.text) > 1]
            upper = sum(t.text.isupper() for t in words)
            caps = len(words) >= 3 and upper / len(words) >= 0.7
            for k in range(start, i):
                flags[k] = caps
            start = i + 1
    return flags
