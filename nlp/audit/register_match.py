"""The restriction register: load it and decide whether a restriction is recorded.

A register is a table ``person_id,restriction,restriction_type,authorised_by,
start_date,review_date``, read by :mod:`nlp.records.register`. A restriction
found in a note counts as recorded when that person has an entry that *covers*
it (same ``restriction_type``, or wording that clearly describes the same
practice) and is in date on the note's date (``start_date <= date <=
review_date``). A covering entry whose review date has passed gives the status
``out_of_date``.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from nlp.analysis import lexicon
from nlp.records.exports import Problem
from nlp.records.register import COLUMNS, read_register  # noqa: F401  (COLUMNS re-exported)

IN_REGISTER, OUT_OF_DATE, NOT_IN_REGISTER, NO_REGISTER = (
    "in_register",
    "out_of_date",
    "not_in_register",
    "no_register",
)
_STOP = frozenset(lexicon.load("register_matching")["stopwords"])
_WORD = re.compile(r"[a-z0-9:]+")


def content_words(text: str) -> set[str]:
    """Lower-case content words with a crude suffix strip (locked → lock)."""
    words = set()
    for w in _WORD.findall(text.lower()):
        if w in _STOP or (len(w) < 3 and ":" not in w):
            continue
        for suffix in ("ing", "ed", "es", "s"):
            if w.endswith(suffix) and len(w) - len(suffix) >= 3:
                w = w[: -len(suffix)]
                break
        words.add(w)
    return words


@dataclass(slots=True)
class RegisterEntry:
    person_id: str
    restriction: str
    restriction_type: str
    authorised_by: str
    start_date: str
    review_date: str
    row: int

    def covers(self, restriction_type: str, wording: str) -> bool:
        """Same practice: same type and a shared key word, or clearly the same wording.

        Type alone is too generous: a person's register often holds several practices
        of one type (cigarettes held, money managed), and a mention of one is not
        recorded by the entry for another.
        """
        mine = content_words(self.restriction)
        shared = mine & content_words(wording)
        if self.restriction_type == restriction_type and shared:
            return True
        return len(shared) >= 2 or (bool(mine) and len(shared) / len(mine) >= 0.5)


@dataclass(slots=True)
class RegisterMatch:
    status: str
    entry: RegisterEntry | None = None

    @property
    def description(self) -> str:
        if self.entry is None:
            return ""
        e = self.entry
        return f"{e.restriction} ({e.restriction_type}; {e.authorised_by}; review {e.review_date})"


class Register:
    """Register entries indexed by person."""

    def __init__(self, entries: list[RegisterEntry] | None = None, supplied: bool = True) -> None:
        self.supplied = supplied
        self.by_person: dict[str, list[RegisterEntry]] = defaultdict(list)
        for entry in entries or []:
            self.by_person[entry.person_id].append(entry)

    @classmethod
    def empty(cls) -> Register:
        return cls([], supplied=False)

    def for_people(self, person_ids: Iterable[str]) -> Register:
        """The entries of these people only (what a batch of their notes can match), the
        register still supplied: a worker process is handed this with each batch."""
        part = Register([], supplied=self.supplied)
        for person_id in set(person_ids):
            if person_id in self.by_person:
                part.by_person[person_id] = self.by_person[person_id]
        return part

    def match(self, person_id: str, restriction_type: str, wording: str, on: str) -> RegisterMatch:
        """The register status of a restriction of ``person_id`` on ISO date ``on``."""
        if not self.supplied:
            return RegisterMatch(NO_REGISTER)
        covering = [
            e for e in self.by_person.get(person_id, []) if e.covers(restriction_type, wording)
        ]
        current = [e for e in covering if e.start_date <= on <= e.review_date]
        if current:
            return RegisterMatch(IN_REGISTER, current[0])
        lapsed = [e for e in covering if e.review_date < on]
        if lapsed:
            return RegisterMatch(OUT_OF_DATE, max(lapsed, key=lambda e: e.review_date))
        return RegisterMatch(NOT_IN_REGISTER)


def load_register(path: str | Path) -> tuple[Register, list[Problem]]:
    """Read a register (:func:`nlp.records.register.read_register`); bad rows are
    reported (file, row, column) and skipped.

    An entry without a review date cannot be in date (``start_date <= date <=
    review_date``), so it is reported here and not used for matching.
    """
    read = read_register(path)
    problems = [p.as_problem(read.name) for p in read.problems]
    entries: list[RegisterEntry] = []
    for r in read.rows:
        if not r.review_date:
            problems.append(
                Problem(
                    read.name,
                    r.row,
                    "review_date",
                    "no review_date: without one the entry cannot be in date, so it is not "
                    "used for matching (the register review lists it)",
                )
            )
            continue
        entries.append(
            RegisterEntry(
                person_id=r.person_id,
                restriction=r.restriction,
                restriction_type=r.restriction_type,
                authorised_by=r.authorised_by,
                start_date=r.start_date,
                review_date=r.review_date,
                row=r.row,
            )
        )
    problems.sort(key=lambda p: p.row)
    return Register(entries), problems
