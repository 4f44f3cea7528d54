"""Dates in note text: where they are, and the same date moved by N days, written alike."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import date, timedelta

MONTHS = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
]
_MONTH_RE = (
    r"(?:Jan(?:uary)?|Feb(?:ruary)?|Mar(?:ch)?|Apr(?:il)?|May|June?|July?|Aug(?:ust)?"
    r"|Sep(?:t(?:ember)?)?|Oct(?:ober)?|Nov(?:ember)?|Dec(?:ember)?)"
)
_ORD = r"(?:st|nd|rd|th)?"
DATE_PATTERNS: dict[str, str] = {
    "iso": r"\b(?P<y>(?:19|20)\d{2})-(?P<m>\d{1,2})-(?P<d>\d{1,2})\b",
    "dmy": r"\b(?P<d>\d{1,2})(?P<sep>[/.-])(?P<m>\d{1,2})(?P=sep)(?P<y>(?:19|20)\d{2}|\d{2})\b",
    # round 13: a form's date in spaces, "DATE OF BIRTH: 05 04 1940" (a four-digit year only,
    # not inside a longer run of numbers)
    "dmy_spaced": r"(?<!\d )(?<![\d.,/-])\b(?P<d>\d{1,2})(?P<sep> {1,2})(?P<m>\d{1,2})(?P=sep)"
    r"(?P<y>(?:19|20)\d{2})\b(?! \d)",
    # round 17: the parts of a date on one line ("restarted 22:25\nMAR - KOVÁCS" is a time and
    # a chart, not "25 MAR")
    "d_month": rf"\b(?P<d>\d{{1,2}})(?P<ord>{_ORD})(?P<of>[ \t]+of)?[ \t]+(?P<mon>{_MONTH_RE})\.?"
    rf"(?:(?P<ysep>,?[ \t]+)(?P<y>(?:19|20)\d{{2}}))?\b",
    "month_d": rf"\b(?P<mon>{_MONTH_RE})\.?[ \t]+(?P<d>\d{{1,2}})(?P<ord>{_ORD})"
    rf"(?:(?P<ysep>,?[ \t]+)(?P<y>(?:19|20)\d{{2}}))?\b",
    "month_y": rf"\b(?P<mon>{_MONTH_RE})\.?(?P<ysep>,?[ \t]+)(?P<y>(?:19|20)\d{{2}})\b",
}
# a word that says a date in spaces follows: "DATE OF BIRTH: 05 04 1940", "born 5 4 1940"
_DATE_CUE = re.compile(r"\b(?i:dob|d\.o\.b|birth|born|date|dated|died|admitted)\b[^\n]*$")
_DAY_MONTH = re.compile(r"(?P<d>\d{1,2})/(?P<m>\d{1,2})")
_NIGHT = re.compile(r"(?P<d1>\d{1,2})-(?P<d>\d{1,2})/(?P<m>\d{1,2})")  # "27-28/11": a night
_COMPILED = {kind: re.compile(p, re.IGNORECASE) for kind, p in DATE_PATTERNS.items()}


def find_dates(text: str) -> Iterator[tuple[int, int]]:
    """Character spans of dates, longest first where patterns overlap."""
    spans: list[tuple[int, int]] = []
    for kind, rx in _COMPILED.items():
        for m in rx.finditer(text):
            if _parse(m, kind) is None:
                continue
            if kind in ("d_month", "month_d") and not _month_is_date(m):
                continue
            if kind == "dmy_spaced" and not _date_cued(text, m.start()):
                continue  # "Weights 10 12 2000", "Scores: 3 4 2019": numbers, not a date
            spans.append((m.start(), m.end()))
    taken: list[tuple[int, int]] = []
    for lo, hi in sorted(spans, key=lambda s: (-(s[1] - s[0]), s[0])):
        if all(hi <= a or lo >= b for a, b in taken):
            taken.append((lo, hi))
    yield from sorted(taken)


def _date_cued(text: str, start: int) -> bool:
    """A date word in the 30 characters before ``start`` on its line (``DOB``, ``born``)."""
    return _DATE_CUE.search(text[max(0, start - 30) : start]) is not None


def _month_is_date(m: re.Match[str]) -> bool:
    """``3 May``, ``2nd feb``, ``14 january`` are dates; ``may 3`` (a modal), ``MAR 12`` (the
    chart) are not."""
    mon = m.group("mon")
    month_first = m.start("mon") == m.start()
    if month_first and mon.isupper() and len(mon) == 3 and not (m.group("y") or m.group("ord")):
        return False  # "MAR 12" (the chart), but "12 AUG" is a date
    if mon[0].isupper():
        return True
    return mon.lower() not in ("may", "mar") or bool(m.group("y"))


def _parse(m: re.Match[str], kind: str) -> date | None:
    g = m.groupdict()
    try:
        if kind in ("iso", "dmy", "dmy_spaced"):
            month = int(g["m"])
        else:
            month = next(
                i
                for i, name in enumerate(MONTHS, 1)
                if name.lower().startswith(g["mon"].lower()[:3])
            )
        year_text = g.get("y")
        year = int(year_text) if year_text else 2001
        if year_text and len(year_text) == 2:
            year += 2000 if year < 50 else 1900
        return date(year, month, int(g.get("d") or 15))
    except (ValueError, StopIteration):
        return None


def _ordinal(n: int) -> str:
    return "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")


def _month_name(new: date, written: str) -> str:
    full = MONTHS[new.month - 1]
    name = full if written.capitalize() in MONTHS else full[:3]
    if written.isupper():
        return name.upper()
    return name if written[0].isupper() else name.lower()


def _render(m: re.Match[str], kind: str, new: date) -> str:
    g = m.groupdict()
    year_text = g.get("y") or ""
    if kind == "iso":
        mo = f"{new.month:02d}" if len(g["m"]) == 2 else str(new.month)
        d = f"{new.day:02d}" if len(g["d"]) == 2 else str(new.day)
        return f"{new.year}-{mo}-{d}"
    if kind in ("dmy", "dmy_spaced"):
        d = f"{new.day:02d}" if len(g["d"]) == 2 else str(new.day)
        mo = f"{new.month:02d}" if len(g["m"]) == 2 else str(new.month)
        y = str(new.year)[-len(year_text) :]
        return f"{d}{g['sep']}{mo}{g['sep']}{y}"
    mon = _month_name(new, g["mon"])
    tail = f"{g['ysep']}{new.year}" if year_text else ""
    if kind == "month_y":
        return f"{mon}{tail}"
    ordinal = _ordinal(new.day) if g.get("ord") else ""
    if kind == "d_month":
        return f"{new.day}{ordinal}{g['of'] or ''} {mon}{tail}"
    return f"{mon} {new.day}{ordinal}{tail}"


def shift_date_text(text: str, days: int) -> str | None:
    """A date written in one of :data:`DATE_PATTERNS` moved by ``days``; None if not a date."""
    for kind, rx in _COMPILED.items():
        m = rx.fullmatch(text.strip())
        if m:
            old = _parse(m, kind)
            return None if old is None else _render(m, kind, old + timedelta(days=days))
    m = _DAY_MONTH.fullmatch(text.strip())
    if m:  # "15/02": no year (2000 is a leap year, so 29/02 is valid)
        return _shift_day_month(m.group("d"), m.group("m"), days)
    m = _NIGHT.fullmatch(text.strip())
    if m:  # "27-28/11", "02-03/04": two days of one month, each moved
        first = _shift_day_month(m.group("d1"), m.group("m"), days)
        last = _shift_day_month(m.group("d"), m.group("m"), days)
        if first is None or last is None:
            return None
        same = first.split("/")[1] == last.split("/")[1]
        return f"{first.split('/')[0]}-{last}" if same else f"{first}-{last}"
    return None


def real_day(day: int, month: int) -> bool:
    """A day of that month in a leap year (``30/2`` is none)."""
    try:
        date(2000, month, day)
    except ValueError:
        return False
    return True


def _shift_day_month(day: str, month: str, days: int) -> str | None:
    """``day``/``month`` (no year) moved by ``days``, written with the same padding."""
    try:
        new = date(2000, int(month), int(day)) + timedelta(days=days)
    except ValueError:
        return None
    d = f"{new.day:02d}" if len(day) == 2 else str(new.day)
    mo = f"{new.month:02d}" if len(month) == 2 else str(new.month)
    return f"{d}/{mo}"


def shift_iso(value: str, days: int) -> str:
    """An ISO date (``YYYY-MM-DD``, as records hold it) moved by ``days``; other text kept."""
    shifted = shift_date_text(value, days)
    return shifted if shifted is not None else value
