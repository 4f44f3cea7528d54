"""Person names and places in a parsed note.

A token is a name when a recogniser is confident and it is not a common English
word, product, programme, medication or place, unless context says it is a person:

- listed first names that are no common word (``Ewa``, ``tahir``, ``EDNA``), any case;
- unlisted capitalised words that are no English word (``Zeke``, ``Asamoah``);
- surnames and capitalised words next to a name (``Tomasz Wren``, ``M Dunmore``);
- context: a title (``Mrs Kavanagh``), a relation or role word (``daughter Holly``,
  ``son rob``, ``SW Comfort``), a greeting (``Dear Penny``), a name learned elsewhere;
- listed first names that are also common words (``Holly``, ``penny``) unless a
  determiner, ``be`` or a verb reading says otherwise (``the heather``, ``rob him``).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from nlp.deid import context as cx
from nlp.deid.entities import Entity
from nlp.deid.lexicons import Lexicons

NONE, SUR_AFTER, SUR, NAME, STRONG, PLACE = range(6)
_NON_NAME_POS = frozenset(
    ["VERB", "AUX", "ADJ", "ADV", "ADP", "DET", "PRON", "CCONJ", "SCONJ", "PART", "NUM"]
)


@dataclass
class Known:
    """Names learned before this note: ``strong`` in any case, ``weak`` (common words) only
    where the reading allows."""

    strong: set[str] = field(default_factory=set)
    weak: set[str] = field(default_factory=set)
    phrases: dict[tuple[str, ...], str] = field(default_factory=dict)  # services etc.


@dataclass
class NameFindings:
    entities: list[Entity]
    votes: list[tuple[str, str, int]]  # (first-name key, f/m, weight)


class NameFinder:
    """Finds name and place entities in a spaCy ``Doc`` (see the module docstring)."""

    def __init__(self, lexicons: Lexicons) -> None:
        self.lex = lexicons

    # -- word classes --------------------------------------------------------------------
    def _common(self, key: str) -> bool:
        lex = self.lex
        return key in lex.common_words or key in lex.not_names or key in cx.MONTHS_DAYS

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

    # -- context -------------------------------------------------------------------------
    def _context(self, doc: Any, i: int) -> str:
        """``title``, ``relation``, ``role`` or ``greeting`` naming token ``i``; else ''."""
        prev = cx.prev_word(doc, i)
        if prev is not None:
            p = cx.fold(prev.text).rstrip(".")
            if p in cx.TITLES and prev.text[:1].isupper():
                return "title"
            if p in cx.TITLES and cx.fold(doc[i].text) not in self.lex.common_words:
                return "title"
            if p in cx.RELATIONS:
                return "relation"
            if p in cx.ROLES or p in cx.GREETINGS:
                return "role"
        nxt = cx.next_word(doc, i, skip="(,")
        if nxt is not None and cx.fold(nxt.text) in cx.RELATIONS:
            after = cx.next_word(doc, nxt.i)
            if doc[i + 1].text == "(" or (after is not None and after.text in ",)"):
                return "relation"  # "Wei (son)", "Tom, her son,"
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
        if prev.lower_ in cx.DETERMINERS and prev.pos_ == "DET":
            return True
        return prev.lower_ in cx.QUANTIFIERS

    def _name_position(self, doc: Any, i: int) -> bool:
        """A lower-case common word standing where a person stands: the subject opening a
        sentence (``ray had a good day``, ``holly from next door came``) or a possessor."""
        tok = doc[i]
        nxt = cx.next_word(doc, i)
        if nxt is not None and nxt.text in ("'s", "’s"):
            return True
        if tok.pos_ in ("VERB", "AUX") or not cx.line_initial(doc, i):
            return False
        if tok.dep_ in ("nsubj", "nsubjpass"):
            return True
        return nxt is not None and nxt.pos_ in ("ADP", "VERB", "AUX")

    def _after_pronoun(self, doc: Any, i: int) -> bool:
        """``she rose``, ``THEY MARK``: the word is a verb."""
        prev = cx.prev_word(doc, i, skip="")
        return prev is not None and prev.lower_ in cx.SUBJECTS

    def _rating(self, doc: Any, i: int) -> bool:
        prev = cx.prev_word(doc, i)
        nxt = cx.next_word(doc, i)
        return any(t is not None and cx.fold(t.text) in cx.RATING for t in (prev, nxt))

    def _facility(self, doc: Any, i: int) -> bool:
        """A building, room or group name: ``Harbourside Housing``, ``Rowan Wing`` (but
        ``Crystal Ward`` may be a person: ``Ward`` is a surname too)."""
        nxt = cx.next_word(doc, i, skip="")
        prev = cx.prev_word(doc, i, skip="")
        if nxt is not None and nxt.text[:1].isupper():
            after = cx.fold(nxt.text)
            if after in cx.FACILITY_AFTER and after not in self.lex.surnames:
                return True
        return prev is not None and cx.fold(prev.text) in cx.SAINTS

    # -- classification ------------------------------------------------------------------
    def _classify(self, doc: Any, i: int, known: Known, caps: list[bool], blocked: set[int]) -> int:
        tok = doc[i]
        text = tok.text
        if not cx.is_alpha_word(text):
            return NONE
        key = cx.fold(text)
        prev = cx.prev_word(doc, i, skip=".")
        if key in cx.SAINTS or (prev is not None and cx.fold(prev.text) in cx.SAINTS):
            return NONE  # St Mary's (church), Ysbyty Gwynedd (hospital)
        form = cx.shape(text)
        lex = self.lex
        if key in cx.TITLES or key in cx.RELATIONS or key in cx.ROLES:
            return NONE
        ctx = self._context(doc, i)
        if i in blocked:
            return STRONG if ctx == "title" else NONE
        in_first = key in lex.first_names
        common = self._common(key)
        if key in cx.DAYS:
            return NONE
        if key in cx.MONTHS:
            if ctx in ("title", "relation"):
                return STRONG
            if not in_first:
                return NONE
            return SUR if form != "lower" else SUR_AFTER
        if form == "lower" and (tok.is_stop or len(key) < 3) and key not in known.strong:
            return NONE
        if key in known.strong and not (common and self._det_blocked(doc, i)):
            return NAME
        named = in_first or key in lex.surnames or not common
        if ctx == "title" and not (tok.is_stop and form == "lower"):
            return STRONG
        if ctx and named and not (tok.is_stop and not in_first):
            return STRONG
        if key in known.weak and not self._det_blocked(doc, i):
            subject = tok.dep_ in ("nsubj", "nsubjpass") and tok.pos_ not in ("VERB", "AUX")
            opening = cx.line_initial(doc, i) and not self._after_pronoun(doc, i)
            if form == "lower" and (subject or opening or self._name_position(doc, i)):
                return NAME
            if form != "lower":
                return self._first_name(doc, i, form, True, caps[i])
        if in_first and key not in lex.not_names:
            return self._first_name(doc, i, form, common, caps[i])
        if key in lex.surnames:
            if self._det_blocked(doc, i):
                return NONE  # "the Kirk", "the Hall"
            if form == "lower":
                return SUR if tok.pos_ == "PROPN" or not common else NONE
            return SUR if common else NAME
        if common:
            proper = form == "title" and tok.pos_ == "PROPN" and not caps[i]
            return SUR_AFTER if proper and key not in cx.GREETINGS else NONE
        return self._unknown(doc, i, form, key, caps[i])

    def _first_name(self, doc: Any, i: int, form: str, common: bool, caps: bool) -> int:
        key = cx.fold(doc[i].text)
        if self._facility(doc, i):
            return NONE  # "Rowan Wing", "Holly Lodge"
        if not common:
            return NONE if form == "lower" and len(key) < 3 else NAME
        blocked = self._det_blocked(doc, i) or self._after_pronoun(doc, i)
        if blocked or self._rating(doc, i):
            return NONE  # "the heather", "Rowan Wing", "RAG rating Amber"
        if form == "lower":
            return NAME if self._name_position(doc, i) else NONE
        if caps and doc[i].is_stop:
            return NONE  # "WILL", "MAY"
        if caps and not cx.line_initial(doc, i) and doc[i].pos_ in ("VERB", "AUX", "ADJ", "ADV"):
            return NONE  # "SOMEONE WILL ROB HIM"
        prev = cx.prev_word(doc, i, skip="")
        if caps and prev is not None and prev.pos_ == "ADP" and not cx.line_initial(doc, i):
            return NONE  # "WITH PATIENCE"
        if not caps and cx.line_initial(doc, i):
            if doc[i].pos_ in ("VERB", "AUX", "ADV", "ADP"):
                return NONE  # "Will do", "May need"
            nxt = cx.next_word(doc, i)
            if nxt is not None and nxt.text.islower() and nxt.pos_ in ("NOUN", "ADJ", "PRON"):
                return NONE  # "Summer fete", "Frank discussion", "Amber rating"
        return NAME

    def _unknown(self, doc: Any, i: int, form: str, key: str, caps: bool) -> int:
        tok = doc[i]
        if form == "lower":
            if len(key) >= 3 and self._name_position(doc, i) and tok.ent_type_ in ("PERSON", ""):
                return NAME  # "zeke played his harmonica"
            return SUR_AFTER if len(key) >= 4 and not tok.is_stop else NONE  # "tina shaw"
        if self._facility(doc, i):
            return NONE
        if key in self.lex.places:
            return PLACE
        if form == "upper" and not caps:
            return SUR if len(key) >= 5 else NONE  # acronyms (RGN, BIA) are no names
        if form == "upper":
            return NAME if len(key) >= 4 else NONE
        if tok.ent_type_ in ("GPE", "LOC") and tok.pos_ == "PROPN":
            return PLACE
        return NAME

    # -- spans ---------------------------------------------------------------------------
    def find(
        self,
        doc: Any,
        known: Known,
        taken: Iterable[tuple[int, int]] = (),
    ) -> NameFindings:
        """Name and place entities of ``doc`` outside the ``taken`` character spans."""
        taken = list(taken)
        caps = cx.caps_lines(doc)
        blocked = self._phrase_marks(doc, self.lex.not_name_phrases)
        place_marks = self._phrase_marks(doc, self.lex.place_phrases)
        status = [NONE] * len(doc)
        for tok in doc:
            lo, hi = tok.idx, tok.idx + len(tok.text)
            if any(lo < b and a < hi for a, b in taken):
                continue
            status[tok.i] = self._classify(doc, tok.i, known, caps, blocked)
            if tok.i in place_marks and status[tok.i] < NAME:
                status[tok.i] = PLACE
        self._grow(doc, status)
        return self._spans(doc, status)

    def _grow(self, doc: Any, status: list[int]) -> None:
        """Surnames and capitalised words next to names become names; initials too."""
        changed = True
        while changed:
            changed = False
            for tok in doc:
                i = tok.i
                if status[i] not in (SUR, SUR_AFTER):
                    continue
                left = self._neighbour(doc, i, -1)
                right = self._neighbour(doc, i, +1) if status[i] == SUR else None
                if (left is not None and NAME <= status[left] <= STRONG) or (
                    right is not None and NAME <= status[right] <= STRONG
                ):
                    status[i] = NAME
                    changed = True
        for tok in doc:  # "Cartwright-shaw": a double-barrelled name
            j = self._neighbour(doc, tok.i, -1)
            hyphen = j is not None and j == tok.i - 2 and doc[tok.i - 1].text == "-"
            if hyphen and status[tok.i] < NAME and NAME <= status[j] <= STRONG:
                status[tok.i] = NAME
        for tok in doc:  # "Tadeusz Wisniewski (Tad)": a nickname in brackets after a name
            i = tok.i
            if status[i] >= NAME or not 0 < i < len(doc) - 1 or not tok.text[:1].isupper():
                continue
            if doc[i - 1].text not in ("(", '("', '"') or doc[i + 1].text not in (")", '")', '"'):
                continue
            before = cx.prev_word(doc, i - 1, skip='"')
            key = cx.fold(tok.text)
            plain = key in cx.ROLES or key in cx.RELATIONS or key in cx.TITLES
            short = len(key) <= 4 or not self._common(key)
            if before is not None and NAME <= status[before.i] <= STRONG and short and not plain:
                status[i] = NAME
        for tok in doc:  # "M Dunmore", "J. Smith"
            i = tok.i
            if cx.is_initial(tok.text):
                right = self._neighbour(doc, i, +1)
                if right is None or status[right] not in (SUR, NAME, STRONG):
                    continue
                if status[i] in (NONE, SUR, SUR_AFTER):
                    status[i] = NAME
                    status[right] = max(status[right], NAME)

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
        if cx.is_alpha_word(tok.text) or cx.is_initial(tok.text):
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

    def _spans(self, doc: Any, status: list[int]) -> NameFindings:
        entities: list[Entity] = []
        votes: list[tuple[str, str, int]] = []
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
                entities.append(Entity(start, end, "place"))
            else:
                entity = self._name_entity(doc, members)
                entities.append(entity)
                votes += self._gender_votes(doc, members, entity.gender_key, status)
            i = members[-1] + 1
        return NameFindings(entities, votes)

    def _name_entity(self, doc: Any, members: list[int]) -> Entity:
        lex = self.lex
        prev = cx.prev_word(doc, members[0], skip=".")
        titled = prev is not None and cx.fold(prev.text).rstrip(".") in cx.TITLES
        parts: list[tuple[int, int, str]] = []
        for n, i in enumerate(members):
            tok = doc[i]
            key = cx.fold(tok.text)
            if cx.is_initial(tok.text):
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
        firsts = [n for n, p in enumerate(parts) if p[2] == "first"]
        key = cx.fold(doc[members[firsts[0] if firsts else -1]].text)
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
