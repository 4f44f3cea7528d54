"""The report as data: sections of tables and charts that HTML, PDF and XLSX all render."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from nlp.schema import CATEGORY_LABELS

ELEMENT_LABELS: dict[str, str] = {
    "rationale": "Rationale linked to assessed risk",
    "alternative": "PBS / less restrictive alternative",
    "review_date": "Agreed review date",
    "involvement": "Person involved and had it explained",
}


def label(value: str) -> str:
    """A human label for a category, element or snake_case name."""
    return CATEGORY_LABELS.get(value) or ELEMENT_LABELS.get(value) or value.replace("_", " ")


@dataclass(slots=True)
class Column:
    """A table column: data key, header and format.

    Formats: text, int, rate, pct, change (coloured), delta, label, highlight (the
    row's ``before``/``span``/``after`` with the span marked; ``key`` holds the
    plain text for XLSX), ci (key ``<name>_ci``: a 95 % interval from the frame's
    ``<name>_lo`` and ``<name>_hi``; shown as "lo–hi", two numeric columns in XLSX), count (an int,
    or a string such as "<5" for a suppressed count).
    """

    key: str
    header: str
    fmt: str = "text"


@dataclass
class Table:
    """Rows of plain values (``rows[i][column.key]``) with column formats."""

    name: str  # short name, also the XLSX sheet name
    columns: list[Column]
    rows: list[dict[str, Any]]
    caption: str = ""
    limit: int | None = None  # rows shown in HTML (XLSX gets all)
    show: list[int] | None = None  # or: positions of the rows shown in HTML

    @classmethod
    def from_frame(cls, name: str, frame: pd.DataFrame, columns: list[Column],
                   **kwargs: Any) -> Table:
        keys = [c.key for c in columns if c.fmt != "ci"]
        if any(c.fmt == "highlight" for c in columns):
            keys += [k for k in ("before", "span", "after") if k not in keys]
        cis = [c.key for c in columns if c.fmt == "ci"]
        keys += [f"{k.removesuffix('_ci')}_{end}" for k in cis for end in ("lo", "hi")
                 if f"{k.removesuffix('_ci')}_{end}" not in keys]
        data = frame.reindex(columns=keys)
        rows = [{k: clean(v) for k, v in zip(keys, rec, strict=True)}
                for rec in data.itertuples(index=False, name=None)]
        for row in rows:
            for k in cis:
                base = k.removesuffix("_ci")
                lo, hi = row[f"{base}_lo"], row[f"{base}_hi"]
                row[k] = None if lo is None or hi is None else (lo, hi)
        return cls(name, columns, rows, **kwargs)

    @property
    def shown(self) -> list[dict[str, Any]]:
        """The rows the HTML shows (all unless ``show`` or ``limit`` is set)."""
        if self.show is not None:
            return [self.rows[i] for i in self.show]
        return self.rows if self.limit is None else self.rows[: self.limit]


def clean(value: Any) -> Any:
    """Plain Python values: NaN/NA become None, numpy scalars become int/float."""
    if value is None:
        return None
    try:
        if pd.isna(value):
            return None
    except (TypeError, ValueError):
        return value
    if hasattr(value, "item"):
        return value.item()
    return value


@dataclass
class Section:
    """One report section: an id (anchor), a title, text, charts (SVG) and tables."""

    id: str
    title: str
    intro: list[str] = field(default_factory=list)
    charts: list[str] = field(default_factory=list)
    tables: list[Table] = field(default_factory=list)


@dataclass
class Headline:
    """A headline figure: label, value as shown, and a note under it."""

    label: str
    value: str
    note: str = ""


@dataclass
class Report:
    """Everything a rendering needs."""

    title: str
    subtitle: str
    info: list[tuple[str, str]]
    headlines: list[Headline]
    sections: list[Section]
    warnings: list[str] = field(default_factory=list)


def fmt(value: Any, kind: str = "text") -> str:
    """Format a value for display (HTML); None shows as an en dash."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "–"
    if kind == "int":
        return f"{int(value):,}"
    if kind == "count":
        return f"{value:,}" if isinstance(value, int) else str(value)
    if kind == "ci":
        lo, hi = value
        return f"{float(lo):,.1f}–{float(hi):,.1f}"
    if kind == "rate":
        return f"{float(value):,.1f}"
    if kind == "pct":
        return f"{float(value):.0f}%"
    if kind == "change":
        v = float(value)
        return f"{v:+,.1f}" if abs(v) >= 0.05 else "0.0"
    if kind == "delta":
        return f"{float(value):+,.2f}"
    if kind == "label":
        return label(str(value))
    return str(value)
