"""Read the restriction register: one reader for the audit and the register review.

A register is a table (CSV, TSV, JSONL, Parquet or XLSX, read like an export by
:func:`nlp.records.exports.read_table`, with the same protections) with the
columns :data:`COLUMNS`, matched case-insensitively. Dates go through the same
:func:`~nlp.records.exports.read_date` as the notes' dates. A row that cannot be
used is reported by row and column (:class:`RowProblem`) and skipped; the rest
are :class:`RegisterRow`. A file that cannot be used at all is a
:class:`RegisterError` with one message.

Rules, in the order checked (one problem per row): no cell longer than
:data:`~nlp.records.exports.MAX_FIELD_CHARS`; a ``person_id``; a known
``restriction_type`` ("Supervision Surveillance" reads as
``supervision_surveillance``); a ``start_date``; a ``review_date`` that is a date
or empty; dates between 1900 and 2100 (9999-12-31 is a placeholder, not a review
date); the review not before the start. What an empty review date means is the
caller's decision: :mod:`nlp.audit.register_match` cannot call such an entry in
date, :mod:`nlp.governance.register_review` reports it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from nlp.records.exports import (
    MAX_FIELD_CHARS,
    Problem,
    RecordsError,
    cell_text,
    display_name,
    read_date,
    read_table,
)
from nlp.records.text_clean import clean_field, clean_text
from nlp.schema import RESTRICTION_TYPES

COLUMNS: tuple[str, ...] = (
    "person_id",
    "restriction",
    "restriction_type",
    "authorised_by",
    "start_date",
    "review_date",
)
_TYPE_SEPARATORS = re.compile(r"[\s-]+")


class RegisterError(RecordsError, ValueError):
    """The register cannot be used at all (missing file, missing columns, unreadable)."""


@dataclass(frozen=True, slots=True)
class RegisterRow:
    """A usable register entry; dates are ISO (``review_date`` may be empty)."""

    person_id: str
    restriction: str
    restriction_type: str
    authorised_by: str
    start_date: str
    review_date: str
    row: int  # row in the file (header = 1; JSONL: line)


@dataclass(frozen=True, slots=True)
class RowProblem:
    """A skipped row: where, which column, the value found and what is wrong."""

    row: int
    column: str
    value: str
    message: str

    def as_problem(self, file: str) -> Problem:
        value = f" (value {self.value!r})" if self.value else ""
        return Problem(file, self.row, self.column, f"{self.message}{value}")


@dataclass(slots=True)
class RegisterFile:
    """What :func:`read_register` found: usable rows and skipped ones."""

    path: Path
    name: str  # the file name, safe to print
    rows: list[RegisterRow] = field(default_factory=list)
    problems: list[RowProblem] = field(default_factory=list)


def read_register(path: str | Path) -> RegisterFile:
    """Read and check a register; bad rows become :class:`RowProblem`, the rest rows."""
    path = Path(path)
    name = display_name(path)
    if not path.exists() and not path.is_symlink():
        raise RegisterError(f"register file not found: {name}")
    try:
        frame = read_table(path)
    except RecordsError as exc:
        raise RegisterError(f"cannot read register {exc}") from None
    present: dict[str, list[object]] = {}
    for column in frame.columns:
        if str(column) not in ("__error__", "__row__"):
            present.setdefault(str(column).strip().lower(), []).append(column)
    missing = [c for c in COLUMNS if c not in present]
    if missing:
        raise RegisterError(
            f"register {name} lacks column(s) {', '.join(missing)}: add the missing columns "
            f"(expected header: {','.join(COLUMNS)})"
        )
    twice = [c for c in COLUMNS if len(present[c]) > 1]
    if twice:
        raise RegisterError(
            f"register {name}: column {twice[0]!r} appears {len(present[twice[0]])} times; "
            "rename all but one so it is clear which to use"
        )
    out = RegisterFile(path, name)
    first_row = frame.attrs.get("first_row", 2)
    numbers = frame["__row__"].tolist() if "__row__" in frame.columns else None
    errors = frame["__error__"].tolist() if "__error__" in frame.columns else None
    columns = {c: frame[present[c][0]].tolist() for c in COLUMNS}
    for idx in range(len(frame)):
        row = int(numbers[idx]) if numbers is not None else idx + first_row
        if errors is not None and isinstance(errors[idx], str):
            out.problems.append(RowProblem(row, "", "", errors[idx]))
            continue
        raw = {c: columns[c][idx] for c in COLUMNS}
        cell = {c: cell_text(v) for c, v in raw.items()}
        if not any(cell.values()):
            continue
        checked = _check_row(cell, raw, row)
        if isinstance(checked, RowProblem):
            out.problems.append(checked)
        else:
            out.rows.append(checked)
    return out


def _check_row(cell: dict[str, str], raw: dict[str, object], row: int) -> RegisterRow | RowProblem:
    for column in COLUMNS:
        if isinstance(raw[column], dict | list) or len(cell[column]) > MAX_FIELD_CHARS:
            shown = cell[column][:60] + "…" if len(cell[column]) > 60 else cell[column]
            return RowProblem(row, column, shown, f"{column} is not a short text value")
    person = clean_field(cell["person_id"])
    if not person:
        return RowProblem(row, "person_id", cell["person_id"], "empty person_id")
    rtype = _TYPE_SEPARATORS.sub("_", clean_field(cell["restriction_type"]).lower())
    if rtype not in RESTRICTION_TYPES:
        return RowProblem(
            row,
            "restriction_type",
            cell["restriction_type"],
            "unknown restriction_type (expected one of " + ", ".join(RESTRICTION_TYPES) + ")",
        )
    dates: dict[str, str] = {}
    for column in ("start_date", "review_date"):
        value = raw[column] if not isinstance(raw[column], str) else cell[column]
        if column == "review_date" and not cell[column]:
            dates[column] = ""
            continue
        iso, why = read_date(value)
        if iso is None:
            hint = "use yyyy-mm-dd" + (", or leave empty" if column == "review_date" else "")
            return RowProblem(row, column, cell[column], why or f"{column} is not a date ({hint})")
        if why:
            return RowProblem(row, column, cell[column], f"{why}; give the real {column}")
        dates[column] = iso
    if dates["review_date"] and dates["review_date"] < dates["start_date"]:
        before = "review_date is before start_date"
        return RowProblem(row, "review_date", cell["review_date"], before)
    return RegisterRow(
        person_id=person,
        restriction=clean_text(cell["restriction"]),
        restriction_type=rtype,
        authorised_by=clean_text(cell["authorised_by"]),
        start_date=dates["start_date"],
        review_date=dates["review_date"],
        row=row,
    )
