"""Dashboard numbers: counts per service, category, month and author, rates with intervals.

Two small cubes feed every table: flag counts per (service, category, month, author),
computed once per import, and decided counts per the same cells plus state, read from
``flag_state`` once per import and then brought up to date from the decisions appended
since (:class:`DecidedCube`), so a new decision costs the dashboard one small read, not a
pass over every decided flag. Filters and group-bys then run in pandas on the cubes, so
opening the dashboard costs the same at 500 and at 100,000 flags.
"""

from __future__ import annotations

import math
import threading
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

import pandas as pd
from sqlalchemy import Engine, func, select, true
from sqlalchemy.orm import Session

from nlp.schema import CATEGORY_LABELS
from review_app.store import Decision, FlagRow, FlagState, NoteRow, state_after

DIMENSIONS: tuple[str, ...] = ("service", "category", "month", "author")
GROUPS: dict[str, str] = {
    "Service": "service",
    "Category": "category",
    "Month": "month",
    "Author": "author",
}
MIN_REVIEWS = 5  # fewer reviews than this: counts only, no rate
Z95 = 1.959963984540054
MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def wilson(k: int, n: int, z: float = Z95) -> tuple[float, float]:
    """Wilson score interval for k successes in n trials (95 % by default)."""
    if n <= 0:
        return (float("nan"), float("nan"))
    p = k / n
    denom = 1 + z * z / n
    centre = (p + z * z / (2 * n)) / denom
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / denom
    return (max(0.0, centre - half), min(1.0, centre + half))


def _month(column):  # type: ignore[no-untyped-def]
    return func.substr(column, 1, 7)


def flag_cube(engine: Engine) -> pd.DataFrame:
    """Flags per (service, category, month, author) on current note versions."""
    month = _month(FlagRow.date).label("month")
    q = (
        select(
            FlagRow.service, FlagRow.category, month, FlagRow.author, func.count().label("flags")
        )
        .join(NoteRow, NoteRow.note_key == FlagRow.note_key)
        .where(NoteRow.superseded_by == "")
        .group_by(FlagRow.service, FlagRow.category, month, FlagRow.author)
    )
    with Session(engine) as s:
        rows = s.execute(q).all()
    return pd.DataFrame(rows, columns=[*DIMENSIONS, "flags"])


def _read_decided(s: Session) -> tuple[int, Counter[tuple[str, ...]]]:
    """(newest decision id, decided flags per cell and state), in one statement (one
    snapshot, also on PostgreSQL): the id comes on every row, and on one row if none."""
    month = _month(FlagRow.date).label("month")
    cube = (
        select(
            FlagRow.service,
            FlagRow.category,
            month,
            FlagRow.author,
            FlagState.status,
            func.count().label("n"),
        )
        .select_from(FlagState)
        .join(FlagRow, FlagRow.flag_id == FlagState.flag_id)
        .join(NoteRow, NoteRow.note_key == FlagRow.note_key)
        .where(NoteRow.superseded_by == "", FlagState.status != "open")
        .group_by(FlagRow.service, FlagRow.category, month, FlagRow.author, FlagState.status)
        .subquery()
    )
    head = select(func.coalesce(func.max(Decision.id), 0).label("head")).subquery()
    q = select(head.c.head, *cube.c).select_from(head).outerjoin(cube, true())
    rows = s.execute(q).all()
    cells = Counter({tuple(r[1:6]): int(r[6]) for r in rows if r[6] is not None})
    return (int(rows[0][0]) if rows else 0), cells


def _cube_frame(cells: Counter[tuple[str, ...]]) -> pd.DataFrame:
    rows = [(*cell, n) for cell, n in sorted(cells.items()) if n]
    return pd.DataFrame(rows, columns=[*DIMENSIONS, "status", "n"])


def decided_cube(engine: Engine) -> pd.DataFrame:
    """Confirmed and dismissed flags per cell and state (reads every decided flag)."""
    with Session(engine) as s:
        return _cube_frame(_read_decided(s)[1])


class DecidedCube:
    """:func:`decided_cube`, kept up to date from the decisions appended since it was read.

    Read in full once per ``key`` (callers key on the import stamp: an import changes
    flags and superseded notes), then each call reads only the decisions with a larger
    id than the last one seen and moves their flag's cell from the state before each
    decision (``previous_state``) to the state after it. Decisions get their ids in the
    order they commit (the chain lock serialises them), so none is missed. Thread-safe.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._key: str | None = None
        self._head = 0
        self._cells: Counter[tuple[str, ...]] = Counter()
        self._frame: pd.DataFrame | None = None

    def frame(self, engine: Engine, key: str) -> pd.DataFrame:
        with self._lock:
            with Session(engine) as s:
                head = int(s.scalar(select(func.max(Decision.id))) or 0)
                if key != self._key or head < self._head:
                    self._head, self._cells = _read_decided(s)
                    self._key, self._frame = key, None
                if head > self._head:
                    month = _month(FlagRow.date)
                    q = (
                        select(
                            FlagRow.service,
                            FlagRow.category,
                            month,
                            FlagRow.author,
                            Decision.previous_state,
                            Decision.decision,
                        )
                        .select_from(Decision)
                        .join(FlagRow, FlagRow.flag_id == Decision.flag_id)
                        .join(NoteRow, NoteRow.note_key == FlagRow.note_key)
                        .where(
                            NoteRow.superseded_by == "",
                            Decision.id > self._head,
                            Decision.id <= head,
                        )
                    )
                    for service, category, mon, author, before, decision in s.execute(q):
                        cell = (service, category, mon, author)
                        if before != "open":
                            self._cells[(*cell, before)] -= 1
                        if (after := state_after(decision)) != "open":
                            self._cells[(*cell, after)] += 1
                    self._head, self._frame = head, None
            if self._frame is None:
                self._frame = _cube_frame(self._cells)
            return self._frame.copy()


def notes_cube(engine: Engine) -> pd.DataFrame:
    """Current notes per (service, month, author): the denominator of flags per 100 notes."""
    month = _month(NoteRow.date).label("month")
    q = (
        select(NoteRow.service, month, NoteRow.author, func.count().label("notes"))
        .where(NoteRow.superseded_by == "")
        .group_by(NoteRow.service, month, NoteRow.author)
    )
    with Session(engine) as s:
        rows = s.execute(q).all()
    return pd.DataFrame(rows, columns=["service", "month", "author", "notes"])


@dataclass(frozen=True, slots=True)
class DashFilter:
    services: Sequence[str] = ()
    categories: Sequence[str] = ()
    authors: Sequence[str] = ()
    month_from: str = ""
    month_to: str = ""


def _apply(frame: pd.DataFrame, flt: DashFilter) -> pd.DataFrame:
    keep = pd.Series(True, index=frame.index)
    for column, values in (
        ("service", flt.services),
        ("category", flt.categories),
        ("author", flt.authors),
    ):
        if values and column in frame:
            keep &= frame[column].isin(list(values))
    if flt.month_from:
        keep &= frame["month"] >= flt.month_from
    if flt.month_to:
        keep &= frame["month"] <= flt.month_to
    return frame[keep]


def summarise(
    flags: pd.DataFrame, decided: pd.DataFrame, by: str | None, flt: DashFilter = DashFilter()
) -> pd.DataFrame:
    """Per value of ``by`` (None: one total row): flags, open, reviewed, confirmed,
    dismissed, confirmed rate and its Wilson 95 % interval (NaN below MIN_REVIEWS)."""
    f = _apply(flags, flt)
    d = _apply(decided, flt)
    keys = [by] if by else []
    if by:
        totals = f.groupby(by)["flags"].sum()
        states = d.pivot_table(index=by, columns="status", values="n", aggfunc="sum")
    else:
        totals = pd.Series({"all": f["flags"].sum()})
        states = d.pivot_table(columns="status", values="n", aggfunc="sum")
        states.index = ["all"]
    out = pd.DataFrame({"flags": totals}).join(states, how="left").fillna(0)
    for status in ("confirmed", "dismissed"):
        if status not in out:
            out[status] = 0
    out = out.astype({"flags": int, "confirmed": int, "dismissed": int})
    out["reviewed"] = out["confirmed"] + out["dismissed"]
    out["open"] = out["flags"] - out["reviewed"]
    rate, lo, hi = [], [], []
    for k, n in zip(out["confirmed"], out["reviewed"], strict=True):
        shown = n >= MIN_REVIEWS
        a, b = wilson(int(k), int(n)) if shown else (math.nan, math.nan)
        rate.append(k / n if shown else math.nan)
        lo.append(a)
        hi.append(b)
    out["confirmed_rate"], out["ci_low"], out["ci_high"] = rate, lo, hi
    out = out.reset_index(names=keys or ["all"])
    columns = [*(keys or ["all"]), "flags", "open", "reviewed", "confirmed", "dismissed"]
    return out[[*columns, "confirmed_rate", "ci_low", "ci_high"]]


def month_label(month: str) -> str:
    """'2026-03' -> 'Mar 2026'."""
    try:
        year, mm = month.split("-")
        return f"{MONTHS[int(mm) - 1]} {year}"
    except (ValueError, IndexError):
        return month or "(no date)"


def label(by: str, value: str) -> str:
    """A human label for a group value."""
    if by == "category":
        return CATEGORY_LABELS.get(value, value)
    if by == "month":
        return month_label(value)
    return value or "(none)"


def rate_text(rate: float, lo: float, hi: float, k: int, n: int) -> str:
    """'71 % (5 of 7; 95 % CI 36–92 %)' or 'fewer than 5 reviews (3)'."""
    if n < MIN_REVIEWS or math.isnan(rate):
        return f"– ({n} reviewed; a rate needs {MIN_REVIEWS})"
    return f"{rate:.0%} ({k} of {n}; 95% CI {lo:.0%}–{hi:.0%})"


def display_table(table: pd.DataFrame, by: str, title: str) -> pd.DataFrame:
    """The summary with human labels and text rates, ready for ``st.dataframe``."""
    out = pd.DataFrame(
        {
            title: [label(by, v) for v in table[by]],
            "Flags": table["flags"],
            "Open": table["open"],
            "Reviewed": table["reviewed"],
            "Confirmed": table["confirmed"],
            "Dismissed": table["dismissed"],
            "Confirmed rate": [
                "–" if math.isnan(r) else f"{r:.0%}" for r in table["confirmed_rate"]
            ],
            "95% interval": [
                "n < 5" if math.isnan(a) else f"{a:.0%}–{b:.0%}"
                for a, b in zip(table["ci_low"], table["ci_high"], strict=True)
            ],
        }
    )
    return out


def flags_per_100_notes(
    flags: pd.DataFrame, notes: pd.DataFrame, by: str, flt: DashFilter = DashFilter()
) -> dict[str, tuple[int, float]]:
    """Per value of ``by`` (service, month or author): (notes written, flags per 100 notes)."""
    f = _apply(flags, flt).groupby(by)["flags"].sum()
    n = _apply(notes, DashFilter(flt.services, (), flt.authors, flt.month_from, flt.month_to))
    n = n.groupby(by)["notes"].sum()
    return {
        str(k): (int(n.get(k, 0)), 100.0 * float(f.get(k, 0)) / n.get(k, 0) if n.get(k, 0) else 0.0)
        for k in n.index.union(f.index)
    }
