"""Replacement values: the same original always gets the same pseudonym, of the same kind.

Names keep gender (a first name is drawn from the pool of its gender) and the case
they were written in; identifiers keep their layout (spaces, dashes, letter case);
every invented value comes from a range kept for fiction or tests (01632 960xxx and
07700 900xxx phones, 999 NHS numbers, QQ NI numbers, ZZ99 postcodes, example.org).
"""

from __future__ import annotations

import random
import re
from collections.abc import Callable

from nlp.deid.context import fold
from nlp.deid.lexicons import Lexicons

_PARTS = re.compile(r"[^\W\d_]+")


def keep_case(new: str, like: str) -> str:
    """``new`` written the way ``like`` is: ``MARY`` -> ``RUTH``, ``mary`` -> ``ruth``."""
    if len(like) > 1 and like.isupper():
        return new.upper()
    if like[:1].islower():
        return new.lower()
    return new


def letters(i: int, width: int = 1) -> str:
    """0 -> A, 25 -> Z, 26 -> AA ... (at least ``width`` letters)."""
    out, n = "", i
    while True:
        out = chr(65 + n % 26) + out
        n = n // 26 - 1
        if n < 0:
            break
    return out.rjust(width, "A")


def nhs_check_digit(nine: str) -> int | None:
    total = sum(int(d) * (10 - i) for i, d in enumerate(nine))
    check = 11 - total % 11
    check = 0 if check == 11 else check
    return None if check == 10 else check


class Pseudonyms:
    """Pools of replacements, shuffled once per batch, and the table of what was used."""

    def __init__(self, lexicons: Lexicons, rng: random.Random) -> None:
        self.rng = rng
        self.tables: dict[str, dict[str, str]] = {}
        self.avoid: set[str] = set()  # folded originals: a pseudonym is never a real name
        by_gender: dict[str, list[str]] = {"f": [], "m": [], "u": []}
        for name, gender in lexicons.pseudo_first:
            by_gender.setdefault(gender, []).append(name)
        spare: dict[str, list[str]] = {"f": [], "m": [], "u": []}
        for key, gender in sorted(lexicons.first_names.items()):
            spare.setdefault(gender, []).append(key.title())
        self.first = {g: self._pool(by_gender[g], spare.get(g, [])) for g in by_gender}
        self.surnames = self._pool(
            list(lexicons.pseudo_surnames), sorted(s.title() for s in lexicons.surnames)
        )
        self.places = self._pool(list(lexicons.pseudo_places), [])
        self.streets = self._pool(list(lexicons.pseudo_streets), [])
        self.used: dict[str, int] = {}

    def _pool(self, preferred: list[str], spare: list[str]) -> list[str]:
        a, b = list(preferred), list(spare)
        self.rng.shuffle(a)
        self.rng.shuffle(b)
        return a + [x for x in b if x not in a]

    def _draw(
        self,
        pool_name: str,
        pool: list[str],
        fallback: Callable[[int], str],
        original: str = "",
    ) -> str:
        """The next unused value of ``pool`` that is no real name and shares no word part
        with ``original`` (``O'Donovan`` never becomes ``O'Driscoll``)."""
        parts = set(_PARTS.findall(fold(original)))

        def fits(value: str) -> bool:
            return fold(value) not in self.avoid and not parts & set(_PARTS.findall(fold(value)))

        while True:
            i = self.used.get(pool_name, 0)
            self.used[pool_name] = i + 1
            if i >= len(pool):
                value = fallback(i)
                if fits(value):
                    return value
                continue
            if fold(pool[i]) in self.avoid:
                continue
            if not fits(pool[i]):  # swap in the next value that fits, keep this one
                later = next((j for j in range(i + 1, len(pool)) if fits(pool[j])), None)
                if later is None:
                    continue
                pool[i], pool[later] = pool[later], pool[i]
            return pool[i]

    def table(self, kind: str) -> dict[str, str]:
        return self.tables.setdefault(kind, {})

    def remember(self, kind: str, key: str, make: Callable[[], str]) -> str:
        table = self.table(kind)
        if key not in table:
            table[key] = make()
        return table[key]

    # -- names and places ----------------------------------------------------------------
    def first_name(self, key: str, gender: str) -> str:
        if key in self.table("last"):
            return self.table("last")[key]
        g = gender if gender in ("f", "m") else "u"
        return self.remember(
            "first",
            key,
            lambda: self._draw(f"first_{g}", self.first[g], lambda i: f"Person{i}", key),
        )

    def surname(self, key: str) -> str:
        if key in self.table("first"):
            return self.table("first")[key]
        return self.remember(
            "last", key, lambda: self._draw("last", self.surnames, lambda i: f"Surname{i}", key)
        )

    def place(self, text: str) -> str:
        new = self.remember(
            "place", fold(text), lambda: self._draw("place", self.places, lambda i: f"Place {i}")
        )
        return keep_case(new, text)

    def street(self, key: str) -> str:
        return self.remember(
            "street", key, lambda: self._draw("street", self.streets, lambda i: f"Street{i}")
        )

    # -- identifiers ---------------------------------------------------------------------
    def counter(self, kind: str, key: str, make: Callable[[int], str]) -> str:
        return self.remember(kind, key, lambda: make(len(self.table(kind)) + 1))

    def code_like(self, text: str) -> str:
        """An id (``STH-4419028``) with new letters and digits, layout and case kept."""

        def make(_: int) -> str:
            out = []
            for c in text:
                if c.isdigit():
                    out.append(str(self.rng.randrange(10)))
                elif c.isalpha():
                    ch = chr(65 + self.rng.randrange(26))
                    out.append(ch if c.isupper() else ch.lower())
                else:
                    out.append(c)
            return "".join(out)

        return self.remember("id", text.upper(), lambda: make(0))

    def nhs_number(self, text: str) -> str:
        def make(n: int) -> str:
            for k in range(n, n + 50):
                nine = f"999{k:06d}"
                check = nhs_check_digit(nine)
                if check is not None:
                    digits = iter(nine + str(check))
                    return "".join(next(digits) if c.isdigit() else c for c in text)
            return text  # unreachable: one in eleven numbers has no check digit

        return self.counter("nhs", re.sub(r"\D", "", text), lambda n: make(n * 7))

    def ni_number(self, text: str) -> str:
        def make(n: int) -> str:
            new = iter(f"QQ{n:06d}{'ABCD'[n % 4]}")
            out = "".join(next(new) if c.isalnum() else c for c in text)
            return out if text[:1].isupper() else out.lower()

        return self.counter("ni", re.sub(r"\W", "", text).upper(), make)

    def postcode(self, text: str) -> str:
        def make(n: int) -> str:
            new = f"ZZ99{' ' if ' ' in text else ''}{n % 9 + 1}{letters(n // 9, 2)}"
            return new if not text.islower() else new.lower()

        return self.counter("postcode", re.sub(r"\s", "", text).upper(), make)

    def phone(self, text: str) -> str:
        digits = re.sub(r"\D", "", text)
        if not digits:  # read out in words: "seven seven double oh, nine double oh, ..."
            spoken = spoken_digits(text)  # "7700900672", the leading 0 unsaid; the number
            # may have been seen written in digits, so its pseudonym is read as digits only
            national = spoken if spoken.startswith("0") else "0" + spoken
            fake = re.sub(r"\D", "", self.phone(national))[-len(spoken) :] if spoken else ""
            return " ".join(_DIGIT_NAMES[int(c)] for c in fake) or text
        lead = "0044" if digits.startswith("0044") else "44" if digits.startswith("44") else ""
        national = "0" + digits[len(lead) :] if lead else digits
        prefix = "07700900" if national.startswith("07") else "01632960"

        def make(n: int) -> str:
            new = (prefix + f"{n % 1000:03d}").ljust(len(national), "0")[: len(national)]
            it = iter(lead + new[1:] if lead else new)
            return "".join(next(it) if c.isdigit() else c for c in text)

        return self.counter("phone", national, make)

    def email(self, text: str) -> str:
        return self.counter("email", text.lower(), lambda n: f"person{n}@example.org")


_DIGIT_NAMES = ["oh", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine"]
DIGIT_VALUES = {
    "zero": "0",
    "nought": "0",
    "o": "0",
    **{w: str(n) for n, w in enumerate(_DIGIT_NAMES)},
}


def spoken_digits(text: str) -> str:
    """The digits of a number read out in words (``double oh`` is ``00``)."""
    out, times = [], 1
    for word in re.findall(r"[a-z]+", text.lower()):
        if word in ("double", "triple", "treble"):
            times = 2 if word == "double" else 3
        elif word in DIGIT_VALUES:
            out.append(DIGIT_VALUES[word] * times)
            times = 1
    return "".join(out)
