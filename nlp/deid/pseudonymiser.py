"""Consistent pseudonyms for one batch of notes.

Within one :class:`Pseudonymiser` the same original always gets the same pseudonym:
names token by token (``Mary Jones``/``Mary``/``Mrs Jones`` -> ``Ruth Baker``/``Ruth``/
``Mrs Baker``), first names drawn from the pool of the gender the text shows, places
for places, dates moved by one number of days per person, identifiers renumbered in
their own layout. A name found once is a name everywhere: :meth:`Pseudonymiser.learn`
reads the batch first; names that are also common words (``Holly``) are carried only
to the same person's notes.
"""

from __future__ import annotations

import hashlib
import itertools
import random
import re
from collections import Counter
from collections.abc import Iterable, Sequence
from typing import Any

from nlp.deid import context as cx
from nlp.deid.analyzer import DeidAnalyzer, shared_analyzer
from nlp.deid.dates import shift_date_text
from nlp.deid.entities import Entity, resolve
from nlp.deid.names import Known
from nlp.deid.pseudonyms import Pseudonyms, keep_case, letters
from nlp.deid.recognisers import (
    CONNECTORS,
    DIRECTIONS,
    GP_TYPE_WORDS,
    LETTER_ROOM_WORDS,
    NUMBER_WORDS,
    ROOM_NUMBER_WORDS,
    STREET_TYPES,
    WELSH_STREET_PREFIXES,
    room_codes,
    unit_names,
)
from nlp.deid.replacements import Pseudonymised, Replacement, strip_span

GP_KEEP = frozenset(w.lower() for phrase in GP_TYPE_WORDS for w in phrase.split())
ADDRESS_KEEP = (
    STREET_TYPES
    | WELSH_STREET_PREFIXES
    | DIRECTIONS
    | CONNECTORS
    | frozenset(["flat", "fflat", "apartment", "apt", "unit", "plot", "pitch"])
)
SERVICE_SUFFIXES = (
    "nursing home",
    "care home",
    "residential home",
    "home care",
    "supported living",
    "care services",
    "services",
    "care",
    "home",
    "ltd",
)
_WORD = re.compile(r"[^\W\d_]+(?:['’][^\W\d_]+)*")
LEGACY_KINDS = {
    "PERSON": "name",
    "LOCATION": "place",
    "SERVICE": "service",
    "NHS_NUMBER": "nhs_number",
    "UK_POSTCODE": "postcode",
    "DATE": "date",
    "EMAIL_ADDRESS": "email",
    "PHONE_NUMBER": "phone",
}


_BRACKETED = re.compile(r"\([^)]*(?:\)|$)|\[[^\]]*(?:\]|$)")  # closed or not
# between two people or a name and a job: "Carys Bowen / Tom Reid", "Carys Bowen - RGN"
_AUTHOR_SEPARATOR = re.compile(r"\s*[/&;+]\s*|\s+(?:and|[-–—|])\s+", re.IGNORECASE)


def _is_job(part: str) -> bool:
    """``Senior Carer``, ``RGN``, ``Night HCA``: only job words (``Carys Cook`` is a name)."""
    words = [cx.fold(w) for w in _WORD.findall(part)]
    return bool(words) and all(w in cx.ROLES or w in cx.JOB_WORDS for w in words)


def _forename_first(segment: str) -> str:
    """``Bowen, Carys`` -> ``Carys Bowen``; ``BOWEN Carys`` -> ``Carys BOWEN``."""
    parts = [p.strip() for p in segment.split(",") if p.strip()]
    # a job part goes, but not the surname of "Cook, Carys" (one word opening two parts)
    parts = [
        p
        for k, p in enumerate(parts)
        if not _is_job(p)
        or (k == 0 and len(parts) == 2 and len(p.split()) == 1 and not p.isupper())
    ]
    if len(parts) == 2 and len(_WORD.findall(parts[0])) <= 2:
        parts = [parts[1], parts[0]]
    words = " ".join(parts).split()
    while len(words) > 1 and words[-1].isupper() and _is_job(words[-1]):  # "... RGN"
        words.pop()
    shouted_first = len(words) > 1 and len(words[0].rstrip(".")) > 1 and words[0].isupper()
    if shouted_first and not any(w.isupper() for w in words[1:]):
        words = [*words[1:], words[0]]
    return " ".join(words)


def author_names(author: str) -> list[str]:
    """The people named in an export's author column, each forename first.

    ``Carys Bowen (Nurse``, ``Carys Bowen - Night Senior``, ``Senior Carer, Carys Bowen``,
    ``Bowen, Carys`` -> ``[Carys Bowen]``; ``BOWEN Carys`` -> ``[Carys BOWEN]``; ``Carys
    Bowen / Tom Reid`` -> both; ``Agency (Ruth Mawhinney RGN)`` -> ``[Ruth Mawhinney]``; a
    job title alone (``Night Senior``) -> ``[]``."""
    names = _names_in(_BRACKETED.sub(" ", author))
    if not names:  # "Agency (Ruth Mawhinney RGN)": the name is in the brackets
        names = _names_in(
            " / ".join(m.group()[1:].rstrip(")]") for m in _BRACKETED.finditer(author))
        )
    return names


def _names_in(text: str) -> list[str]:
    segments = _AUTHOR_SEPARATOR.split(text)
    names = (_forename_first(s) for s in segments if s.strip() and not _is_job(s))
    return [n for n in names if n]


def staff_initials(name: str) -> set[str]:
    """How colleagues write a person's initials: ``Mary-Jane O'Neill`` -> ``MJO``,
    ``MO``; ``Steve W.`` -> ``SW``; ``Dr Kwame Osei`` -> ``KO``; a single name has none."""
    words = [w for w in _WORD.findall(name) if cx.fold(w) not in cx.TITLES]  # "Dr Kwame Osei"
    if len(words) < 2:
        return set()
    every = "".join(w[0] for w in words).upper()
    return {every, (words[0][0] + words[-1][0]).upper()}


def _service_key(service: str | None) -> str:
    """How staff initials are filed by service: folded, spaces trimmed, none as ``""``."""
    return cx.fold((service or "").strip())


def service_variants(service: str) -> list[str]:
    """``Penrhos Court Nursing Home`` -> itself and ``Penrhos Court`` (how notes write it)."""
    out = [service.strip()]
    low = service.lower().strip()
    for suffix in SERVICE_SUFFIXES:
        if low.endswith(" " + suffix):
            short = service.strip()[: -len(suffix) - 1].strip()
            if len(short) > 3:
                out.append(short)
            break
    return out


_ROOM_LETTERS = "abcdefghjkmnpqrstuvwxyz"  # not i, l, o: read as 1, 1, 0


class Pseudonymiser:
    """Pseudonyms for one batch (see the module docstring).

    ``seed`` fixes the date shifts and the name order (tests, reproducible exports);
    without one every batch gets its own.
    """

    def __init__(
        self,
        analyzer: DeidAnalyzer | None = None,
        seed: int | None = None,
        extra_names: Iterable[str] = (),
    ) -> None:
        self.analyzer = analyzer or shared_analyzer()
        self.lex = self.analyzer.lexicons
        rng = random.Random(seed)
        self._secret = rng.getrandbits(64)
        self.pool = Pseudonyms(self.lex, random.Random(rng.getrandbits(64)))
        self._rng = random.Random(rng.getrandbits(64))
        self.date_shift = self._days(None)
        self.known = Known()
        self._person_weak: dict[str, set[str]] = {}
        self._votes: dict[str, Counter[str]] = {}
        self._services: dict[str, str] = {}  # folded variant -> service
        self._staff: dict[str, set[str]] = {}  # folded service -> its authors' initials
        self._units: dict[str, set[str]] = {}  # folded service -> its wings' and units' names
        self._codes: dict[str, set[str]] = {}  # folded service -> its rooms' codes ("g4")
        self._note_numbers: set[str] = set()  # numbers of the note being rewritten
        self._doors: dict[str, set[str]] = {}  # second numbers given per room ("B1/1", "B1/2")
        self._note_letters: set[str] = set()  # its rooms' letters
        self.counts: dict[str, int] = {}
        for name in extra_names:
            self.add_name(name)

    # -- learning ------------------------------------------------------------------------
    def _days(self, person: str | None) -> int:
        digest = hashlib.sha256(f"{self._secret}:{person or ''}".encode()).digest()
        days = 30 + int.from_bytes(digest[:4], "big") % 151
        return days if digest[4] % 2 else -days

    def shift_for(self, person: str | None) -> int:
        """Days every date of ``person`` moves by (the batch's shift when unknown)."""
        return self._days(person) if person else self.date_shift

    def _common(self, key: str) -> bool:
        return self.lex.is_common(key) or key in self.lex.not_names or key in cx.MONTHS_DAYS

    def _learn_token(self, key: str, person: str | None, tentative: bool = False) -> None:
        if len(key) < 2 or key in cx.PARTICLES:
            return  # "Ní", "van": only part of a name, never one by themselves
        self.pool.avoid.add(key)
        if not self._common(key) and not tentative:
            self.known.strong.add(key)
        elif person:
            self._person_weak.setdefault(person, set()).add(key)
        else:
            self.known.weak.add(key)

    def add_name(self, name: str, person: str | None = None) -> None:
        """A name to replace wherever it occurs (a column value, a name the model misses)."""
        for word in _WORD.findall(name):
            self._learn_token(cx.fold(word), person)

    def add_staff(self, author: str, service: str | None = None) -> None:
        """A note's author (``Carys Bowen (Nurse)``): the name is replaced wherever it occurs
        and its initials (``CB``) count as a person where initials can stand in the notes of
        the same ``service`` (:meth:`nlp.deid.names.NameFinder._staff_initials`)."""
        staff = self._staff.setdefault(_service_key(service), set())
        for name in author_names(author):
            self.add_name(name)
            staff.update(staff_initials(name))

    def add_services(self, services: Iterable[str]) -> None:
        """Service names: replaced in the text too, short forms included."""
        for service in services:
            if service and service.strip():
                for variant in service_variants(service):
                    self._services.setdefault(cx.fold(variant), service.strip())

    def _known_for(
        self, person: str | None, extra: Known | None = None, service: str | None = None
    ) -> Known:
        weak = set(self.known.weak) | self._person_weak.get(person or "", set())
        strong = set(self.known.strong)
        if extra is not None:
            strong |= extra.strong
            weak |= extra.weak
        initials = self._staff.get(_service_key(service), set())
        return Known(strong=strong, weak=weak, initials=set(initials))

    def _absorb(
        self,
        text: str,
        entities: list[Entity],
        votes: Iterable[Any],
        person: str | None,
        note: Known | None = None,
    ) -> None:
        for e in entities:
            if e.kind != "name":
                continue
            for a, b, role in e.parts:
                if role == "initial":
                    continue
                for word in _WORD.findall(text[a:b]):  # "Ní Bhriain": Bhriain
                    key = cx.fold(word)
                    if key in cx.PARTICLES or len(key) < 2:
                        continue
                    weak = e.tentative or self._common(key)
                    if note is not None:
                        (note.weak if weak else note.strong).add(key)
                    else:
                        self._learn_token(key, person, tentative=e.tentative)
        for key, gender, weight in votes:
            self._votes.setdefault(key, Counter())[gender] += weight

    def learn(
        self,
        texts: Iterable[str],
        persons: Iterable[str | None] | None = None,
        docs: Sequence[Any] | None = None,
        services: Iterable[str | None] | None = None,
    ) -> None:
        """First pass over a batch: every name found becomes known for the later notes.

        ``persons`` (one per text) keeps names that are also common words to the notes
        of the same person; ``docs`` are the texts already parsed; ``services`` (one per
        text) say whose staff initials count (:meth:`add_staff`).
        """
        texts = list(texts)
        people = list(persons) if persons is not None else [None] * len(texts)
        where = list(services) if services is not None else [None] * len(texts)
        docs = docs if docs is not None else self.analyzer.parse(texts)
        for text, service in zip(texts, where, strict=True):
            self._units.setdefault(_service_key(service), set()).update(unit_names(text))
        for text, person, doc, service in zip(texts, people, docs, where, strict=True):
            analysis = self.analyzer.analyze(
                text,
                self._known_for(person, service=service),
                self._phrases(),
                doc=doc,
                units=self._units.get(_service_key(service), ()),
                codes=self._codes.get(_service_key(service), ()),
            )
            self._absorb(text, analysis.entities, analysis.votes, person)
            codes = room_codes(text, analysis.entities)
            self._codes.setdefault(_service_key(service), set()).update(codes)

    # -- finding -------------------------------------------------------------------------
    def _phrases(self, extra_terms: dict[str, Sequence[str]] | None = None) -> dict[str, list[str]]:
        phrases: dict[str, list[str]] = {"service": list(self._services)}
        for kind, values in (extra_terms or {}).items():
            kind = LEGACY_KINDS.get(kind, kind.lower())
            if kind == "service":
                self.add_services(values)
                phrases["service"] = list(self._services)
            else:
                phrases.setdefault(kind, []).extend(values)
        return phrases

    def find(
        self,
        text: str,
        extra_terms: dict[str, Sequence[str]] | None = None,
        person: str | None = None,
        doc: Any = None,
        service: str | None = None,
    ) -> list[Entity]:
        """The entities to replace; names found in this note count for all of it."""
        phrases = self._phrases(extra_terms)
        doc = doc if doc is not None else self.analyzer.parse([text])[0]
        units = self._units.get(_service_key(service), ())
        codes = self._codes.get(_service_key(service), ())
        first = self.analyzer.analyze(
            text,
            self._known_for(person, service=service),
            phrases,
            doc=doc,
            units=units,
            codes=codes,
        )
        note = Known()
        self._absorb(text, first.entities, [], person, note=note)
        if not note.strong and not note.weak:
            self._absorb(text, [], first.votes, person)
            return first.entities
        second = self.analyzer.analyze(
            text, self._known_for(person, note, service), phrases, doc=doc, units=units, codes=codes
        )
        self._absorb(text, [], second.votes, person)
        # the second reading only adds names: what the first found stays found
        return resolve(second.entities + [e for e in first.entities if e.kind == "name"])

    # -- replacing -----------------------------------------------------------------------
    def gender(self, key: str) -> str:
        """f, m or u: what the text said about this first name, plus the name list."""
        votes = Counter(self._votes.get(key, Counter()))
        listed = self.lex.first_names.get(key, "u")
        if listed in ("f", "m"):
            votes[listed] += 2
        if votes["f"] != votes["m"]:
            return "f" if votes["f"] > votes["m"] else "m"
        return "u"

    def _name_part(self, word: str, role: str, gender_key: str) -> str:
        key = cx.fold(word)
        if role == "initial":  # "M", "J.", "I.O.", "VT", "lp": other letters, same layout
            return self._initials(word)
        if role == "first":
            gender = self.gender(key)
            if gender == "u" and gender_key != key:
                gender = self.gender(gender_key)
            new = self.pool.first_name(key, gender)
        else:
            new = self.pool.surname(key)
        return keep_case(new, re.split(r"[\s-]+", word)[-1])  # "van der Berg": as "Berg"

    def _initials(self, word: str) -> str:
        """The same letters always get the same others, none of them an original letter."""
        old = [c for c in word if c.isalpha()]
        key = cx.fold("".join(old))

        def draw() -> str:
            pool = [letters(n) for n in range(26) if letters(n).lower() not in key]
            return "".join(self._rng.choice(pool) for _ in old)

        new = iter(self.pool.remember("initial", key, draw))
        return "".join(
            (next(new) if c.isupper() else next(new).lower()) if c.isalpha() else c for c in word
        )

    def _name(self, text: str, lo: int, hi: int, entity: Entity) -> str:
        """``text[lo:hi]`` (a name entity or a piece of one) with each name word replaced."""
        out, pos = [], lo
        for a, b, role in entity.parts:
            if b <= lo or a >= hi:
                continue
            a, b = max(a, lo), min(b, hi)
            out += [text[pos:a], self._name_part(text[a:b], role, entity.gender_key)]
            pos = b
        out.append(text[pos:hi])
        return "".join(out)

    def _words_replaced(self, text: str, keep: frozenset[str], street: bool) -> str:
        def sub(m: re.Match[str]) -> str:
            word = m.group(0)
            if word.isdigit() or re.fullmatch(r"\d+[A-Za-z]", word):
                number = self.pool.remember(
                    "number",
                    f"{text}:{word}",
                    lambda: self._other_number(
                        word.rstrip("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ")
                    ),
                )
                return number + (word[-1] if word[-1].isalpha() else "")
            if word.lower().rstrip(".") in keep:
                return word
            if len(word) == 1:  # "Flat C": another letter, as the room "Flat C" gets
                return self._room_letter(word)
            new = self.pool.street(cx.fold(word)) if street else self.pool.place(word)
            return keep_case(new, word)

        return re.sub(r"[^\W\d_][\w'’]*|\d+[A-Za-z]?", sub, text)

    def _room_letter(self, old: str) -> str:
        """Another letter for a room named by one (``Bay B``, ``Flat C``), the same for every
        mention in the batch, never a letter another room was given nor one the note names a
        room by (``Bay D`` never becomes the note's real ``Bay C``)."""
        table = self.pool.table("room_letter")
        key = old.lower()
        if key not in table:
            used = set(table.values()) | self._note_letters | {key}
            free = [c for c in _ROOM_LETTERS if c not in used]
            table[key] = self._rng.choice(free or [c for c in _ROOM_LETTERS if c != key])
        return table[key].upper() if old.isupper() else table[key]

    def _other_number(self, old: str, taken: Iterable[str] = ()) -> str:
        """A house or room number other than ``old`` and, where one is left, other than
        every number of the note being rewritten (``Flat 2, 58 Heol Hir`` never becomes
        ``Flat 43, 2 Heol Alder``: a reader would take the 2 for the real flat) and than the
        ``taken`` numbers (other rooms' pseudonyms: two rooms never become one)."""
        taken = set(taken)
        avoid = self._note_numbers | taken
        for tries in range(200):
            new = str(self._rng.randint(1, 60))
            if new != old.lstrip("0") and (new not in avoid or (tries >= 100 and new not in taken)):
                return new
        wider = [str(n) for n in range(61, 1000) if str(n) not in avoid]  # a large grid
        return self._rng.choice(wider) if wider else str(61 + self._rng.randint(0, 38))

    def _room(self, text: str) -> str:
        m = re.search(r"\d+|[A-Za-z]\d+", text)
        if m is None and re.search(r"(?:^|\s)[A-Za-z]$", text):  # "Studio B", "bay a", "C"
            return text[:-1] + self._room_letter(text[-1])
        if m is None:  # "room eight": another number, in words and in the original's case
            words = ROOM_NUMBER_WORDS.search(text)
            if words is None:
                return text
            old = words.group(0)
            others = [w for w in NUMBER_WORDS if w != old.lower()]
            new = self.pool.remember("room", cx.fold(text), lambda: self._rng.choice(others))
            return text[: words.start()] + keep_case(new.title(), old) + text[words.end() :]
        old = m.group(0)
        digits = re.sub(r"\D", "", old)
        code = re.search(r"(?<![A-Za-z])(?P<l>[A-Za-z]{1,2})(?P<h>[.-]?)\d+\b", text)
        coded = code is not None and code.group("l").lower() not in ("rm", "no")
        # one room, one pseudonym: "Room A2" and "A2", "Room: 22", "RM 22" and "in 22"
        key = cx.fold(  # "F2", "F-2" and "Room f2" one room; "G7" and "G.07" too
            code.group("l") + digits.lstrip("0") if coded else f"#{digits}{text[m.end() :]}"
        )
        rooms = self.pool.table("room").values()
        number = self.pool.remember("room", key, lambda: self._other_number(digits, rooms))
        if coded:  # "K-14", "F2", "R.3": new letters too
            new = self._initials(code.group("l")) + code.group("h") + number
            start, end = code.start(), code.end()
        else:
            new = number if old[0].isdigit() else old[0] + number
            start, end = m.start(), m.end()
        rest = text[end:]
        # "rm 1.07", "cell 2-14", "Flat 2/1", "B1/1": the room's own number, one pseudonym
        # per room and number however the mention is worded
        second = re.match(r"[A-Za-z]?[./-](\d+)", rest)  # "Bed 1A/2": after the letter
        if second is not None:
            tail = second.group(1)
            doors = self._doors.setdefault(key, set())  # one room's doors never become one

            def door() -> str:
                pseudonym = self._other_number(tail, doors).zfill(len(tail))
                doors.add(pseudonym)
                return pseudonym

            other = self.pool.remember("room", f"{key}:{tail}", door)
            rest = rest[: second.start(1)] + other + rest[second.end() :]
        return text[:start] + new + rest

    def _gp(self, text: str) -> str:
        words = text.split()
        lead = 1 if words and re.fullmatch(r"meddygfa(?:['’]r)?", words[0].lower()) else 0
        cut = len(words)
        while cut > lead and words[cut - 1].lower() in GP_KEEP:
            cut -= 1
        head = " ".join(words[lead:cut]) or text
        new = self.pool.remember("gp", cx.fold(head), lambda: self.pool.place(head.title()))
        return " ".join([*words[:lead], keep_case(new, head), *words[cut:]]) if cut > lead else text

    def _id(self, text: str) -> str:
        if re.fullmatch(r"P-\d+", text):
            return self.value("PERSON_ID", text)
        if re.fullmatch(r"N-[\d-]+", text):
            return self.value("NOTE_ID", text)
        return self.pool.code_like(text)

    def replace(self, kind: str, text: str, person: str | None = None) -> str:
        """The pseudonym of ``text`` of ``kind`` (non-name kinds)."""
        pool = self.pool
        if kind == "date":
            shifted = shift_date_text(text, self.shift_for(person))
            return (
                shifted
                if shifted is not None
                else pool.counter("date", text, lambda n: f"[date {n}]")
            )
        if kind == "service":
            service = self._services.get(cx.fold(text), text.strip())
            return pool.counter("service", cx.fold(service), lambda n: f"Service {letters(n - 1)}")
        simple = {
            "email": pool.email,
            "phone": pool.phone,
            "nhs_number": pool.nhs_number,
            "ni_number": pool.ni_number,
            "postcode": pool.postcode,
            "place": pool.place,
            "room": self._room,
            "gp_surgery": self._gp,
            "id": self._id,
        }
        if kind in simple:
            return simple[kind](text)
        if kind == "address":
            return self._words_replaced(text, ADDRESS_KEEP, street=True)
        return pool.counter(kind, text, lambda n: f"[{kind} {n}]")

    def value(self, entity_type: str, original: str, person: str | None = None) -> str:
        """The pseudonym of a whole value (a column, a name the caller knows)."""
        kind = LEGACY_KINDS.get(entity_type, entity_type)
        key = original.strip()
        self.counts[entity_type] = self.counts.get(entity_type, 0) + 1
        if kind in ("name", "STAFF"):
            return self._full_name(key)
        if kind == "NOTE_ID":
            return self.pool.counter("note", key, lambda n: f"N-T-{n:04d}")
        if kind == "PERSON_ID":
            return self.pool.counter("pid", key, lambda n: f"P-T{n:03d}")
        return self.replace(kind, key, person)

    def _full_name(self, text: str) -> str:
        """``Carys Bowen (Nurse)`` -> ``Ruth Baker (Nurse)``: name words only."""
        words = list(re.finditer(r"[^\W\d_]+(?:['’][^\W\d_]+)*", text.split("(")[0]))
        words = [w for w in words if cx.fold(w.group(0)) not in cx.TITLES]
        if not words:
            return text
        parts = []
        for n, w in enumerate(words):
            role = "initial" if len(w.group(0)) == 1 else "first" if n == 0 else "last"
            if len(words) == 1 and cx.fold(w.group(0)) in self.lex.surnames:
                role = "last" if cx.fold(w.group(0)) not in self.lex.first_names else "first"
            parts.append((w.start(), w.end(), role))
        first = next((p for p in parts if p[2] == "first"), parts[0])
        entity = Entity(
            parts[0][0], parts[-1][1], "name", tuple(parts), cx.fold(text[first[0] : first[1]])
        )
        return (
            text[: entity.start]
            + self._name(text, entity.start, entity.end, entity)
            + text[entity.end :]
        )

    def pseudonymise(
        self,
        text: str,
        boundaries: Iterable[int] = (),
        extra_terms: dict[str, Sequence[str]] | None = None,
        person: str | None = None,
        doc: Any = None,
        service: str | None = None,
    ) -> Pseudonymised:
        """Replace every entity; entities are cut at ``boundaries`` (sentence edges);
        ``service`` is the note's (:meth:`add_staff`)."""
        cuts = sorted(set(boundaries))
        out: list[str] = []
        replacements: list[Replacement] = []
        pos = 0
        self._note_numbers = {n.lstrip("0") for n in re.findall(r"\d+", text)}
        self._note_letters = {  # the letters of the note's rooms ("Bay C", "Flat d")
            m.group(1).lower()
            for m in re.finditer(rf"\b(?i:bay|{LETTER_ROOM_WORDS})\s([A-Za-z])\b", text)
        }
        for e in self.find(text, extra_terms, person, doc, service):
            edges = [e.start, *(c for c in cuts if e.start < c < e.end), e.end]
            for a, b in itertools.pairwise(edges):
                lo, hi = strip_span(text, a, b)
                if lo >= hi:
                    continue
                piece = text[lo:hi]
                new = (
                    self._name(text, lo, hi, e)
                    if e.kind == "name"
                    else self.replace(e.kind, piece, person)
                )
                out.append(text[pos:lo])
                start = sum(len(s) for s in out)
                out.append(new)
                replacements.append(Replacement(lo, hi, start, start + len(new), e.kind))
                self.counts[e.kind] = self.counts.get(e.kind, 0) + 1
                pos = hi
        out.append(text[pos:])
        return Pseudonymised("".join(out), replacements)
