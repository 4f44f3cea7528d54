"""Read care-record exports (CSV, JSONL, Parquet, Excel) into :class:`Note` objects.

Messy exports are the norm: cp1252 or UTF-8 (with BOM) CSVs, blank rows,
duplicate ids, HTML fragments, very long notes, UK dates. Unusable rows are
reported as :class:`Problem` (file, row, column, reason) and skipped; the rest
is audited. A missing required column, an unreadable file or an unknown format
raises :class:`RecordsError` with one clear message.

Row numbers follow the spreadsheet convention: the header is row 1, so the
first record is row 2 (JSONL: line numbers).
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path

import pandas as pd

from nlp.records.text_clean import clean_text
from nlp.schema import NOTE_TYPES, Note

REQUIRED = ("note_id", "person_id", "date", "text")
OPTIONAL = ("service", "author", "note_type")
FORMATS = {
    ".csv": "csv",
    ".tsv": "tsv",
    ".txt": "csv",
    ".jsonl": "jsonl",
    ".ndjson": "jsonl",
    ".json": "json",
    ".parquet": "parquet",
    ".pq": "parquet",
    ".xlsx": "excel",
    ".xlsm": "excel",
}
DATE_FORMATS = (
    "%Y-%m-%d",
    "%d/%m/%Y",
    "%d/%m/%y",
    "%d-%m-%Y",
    "%d.%m.%Y",
    "%d %b %Y",
    "%d %B %Y",
    "%Y/%m/%d",
    "%Y-%m-%dT%H:%M:%S",
    "%Y-%m-%d %H:%M:%S",
    "%Y-%m-%d %H:%M",
    "%d/%m/%Y %H:%M",
    "%d/%m/%Y %H:%M:%S",
)
NOTE_TYPE_ALIASES = {
    "daily": "daily_note",
    "daily note": "daily_note",
    "daily notes": "daily_note",
    "daily_note": "daily_note",
    "note": "daily_note",
    "shift note": "daily_note",
    "progress note": "daily_note",
    "visit note": "daily_note",
    "care plan": "care_plan",
    "care_plan": "care_plan",
    "careplan": "care_plan",
    "support plan": "care_plan",
    "pbs plan": "care_plan",
    "plan": "care_plan",
    "risk assessment": "care_plan",
    "incident": "incident",
    "incident report": "incident",
    "abc": "incident",
    "abc chart": "incident",
    "accident": "incident",
}
LONG_NOTE_CHARS = 100_000  # longer notes are analysed in pieces (nlp.analysis)
EXCEL_EPOCH = date(1899, 12, 30)


class RecordsError(Exception):
    """The input cannot be read at all (the message says why and what to do)."""


@dataclass(slots=True)
class Problem:
    file: str
    row: int
    column: str
    reason: str
    action: str = "rejected"  # rejected | warning | skipped


@dataclass(slots=True)
class ReadResult:
    notes: list[Note] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    rows: int = 0

    @property
    def rejected(self) -> int:
        return sum(p.action == "rejected" for p in self.problems)


def parse_column_map(spec: str | None) -> dict[str, str]:
    """``"text=NoteBody,note_id=Id"`` → ``{"text": "NoteBody", "note_id": "Id"}``."""
    if not spec:
        return {}
    mapping: dict[str, str] = {}
    for part in spec.split(","):
        if not part.strip():
            continue
        if "=" not in part:
            raise RecordsError(f"--columns: expected FIELD=COLUMN, got {part.strip()!r}")
        key, value = (s.strip() for s in part.split("=", 1))
        if key not in REQUIRED + OPTIONAL:
            raise RecordsError(
                f"--columns: unknown field {key!r}; fields are {', '.join(REQUIRED + OPTIONAL)}"
            )
        mapping[key] = value
    return mapping


def parse_date(value: object) -> str | None:
    """An ISO date string from the many shapes exports use, or None."""
    if value is None:
        return None
    if isinstance(value, datetime | pd.Timestamp):
        return value.date().isoformat() if not pd.isna(value) else None
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, int | float) and not isinstance(value, bool):
        return _excel_serial(float(value))
    text = str(value).strip()
    if not text:
        return None
    if text.replace(".", "", 1).isdigit():
        return _excel_serial(float(text))
    try:
        return datetime.fromisoformat(text.replace("Z", "+00:00")).date().isoformat()
    except ValueError:
        pass
    for fmt in DATE_FORMATS:
        try:
            return datetime.strptime(text, fmt).date().isoformat()
        except ValueError:
            continue
    return None


def _excel_serial(days: float) -> str | None:
    """Excel's day number (a date cell exported as General) as an ISO date."""
    if not 20_000 <= days <= 80_000:  # 1954..2119: anything else is not a date
        return None
    return (EXCEL_EPOCH + timedelta(days=int(days))).isoformat()


def read_table(path: Path) -> pd.DataFrame:
    """Read any supported export into a DataFrame of strings."""
    if not path.exists():
        raise RecordsError(f"{path}: no such file")
    if path.is_dir():
        raise RecordsError(f"{path}: is a folder; give the export file itself")
    kind = FORMATS.get(path.suffix.lower())
    if kind is None:
        raise RecordsError(
            f"{path}: unknown format {path.suffix or '(no extension)'!r}; "
            f"use one of {', '.join(sorted(FORMATS))}"
        )
    try:
        if kind in {"csv", "tsv"}:
            return _read_delimited(path, "\t" if kind == "tsv" else None)
        if kind == "jsonl":
            return _read_jsonl(path)
        if kind == "json":
            return pd.DataFrame(json.loads(path.read_text(encoding="utf-8-sig"))).astype(object)
        if kind == "parquet":
            return pd.read_parquet(path).astype(object)
        return pd.read_excel(path, dtype=object, engine="openpyxl")
    except RecordsError:
        raise
    except Exception as exc:
        raise RecordsError(f"{path}: cannot be read as {kind}: {exc}") from None


def _read_delimited(path: Path, sep: str | None) -> pd.DataFrame:
    raw = path.read_bytes()
    for encoding in ("utf-8-sig", "cp1252", "latin-1"):
        try:
            text = raw.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    lines = io.StringIO(text, newline="")
    if sep is None:
        first = text.split("\n", 1)[0]
        sep = ";" if first.count(";") > first.count(",") else ","
    reader = csv.reader(lines, delimiter=sep)
    header = next(reader, None)
    if not header:
        raise RecordsError(f"{path}: the file is empty (no header row)")
    records: list[dict[str, str]] = []
    for row in reader:
        if len(row) == len(header):
            records.append(dict(zip(header, row, strict=True)))
        elif not any(cell.strip() for cell in row):
            records.append({})
        else:
            records.append(
                {
                    "__error__": f"has {len(row)} fields but the header has "
                    f"{len(header)} (an unquoted comma or a broken line?)"
                }
            )
    frame = pd.DataFrame(records, columns=[*header, "__error__"]).astype(object)
    return frame.where(frame.notna(), None)


def iter_jsonl(path: Path) -> Iterator[tuple[int, dict | None, str]]:
    """Each non-blank line of a JSONL file: (line number, object or None, what is wrong)."""
    for lineno, line in enumerate(path.read_text(encoding="utf-8-sig").splitlines(), start=1):
        if not line.strip():
            continue
        try:
            obj = json.loads(line)
        except json.JSONDecodeError as exc:
            yield lineno, None, f"line {lineno}: not valid JSON ({exc.msg})"
            continue
        if isinstance(obj, dict):
            yield lineno, obj, ""
        else:
            yield lineno, None, f"line {lineno}: not a JSON object"


def _read_jsonl(path: Path) -> pd.DataFrame:
    rows: list[dict] = []
    for lineno, obj, error in iter_jsonl(path):
        rows.extend({} for _ in range(lineno - 1 - len(rows)))  # blank lines keep numbering
        rows.append(obj if obj is not None else {"__error__": error})
    frame = pd.DataFrame(rows)
    frame.attrs["first_row"] = 1
    return frame


def read_notes(path: str | Path, columns: dict[str, str] | None = None) -> ReadResult:
    """Read an export, validate every row and return notes plus problems."""
    path = Path(path)
    frame = read_table(path)
    mapping = {f: (columns or {}).get(f, f) for f in REQUIRED + OPTIONAL}
    present = {str(c).strip(): c for c in frame.columns}
    missing = [f"{f} (column {mapping[f]!r})" for f in REQUIRED if mapping[f] not in present]
    if missing:
        found = ", ".join(repr(c) for c in present if c != "__error__") or "none"
        raise RecordsError(
            f"{path}: missing required column(s): {', '.join(missing)}. Columns found: {found}. "
            "Map other names with --columns, e.g. --columns text=NoteBody,note_id=Id"
        )
    first_row = frame.attrs.get("first_row", 2)
    result = ReadResult(rows=len(frame))
    seen: dict[str, tuple[str, int]] = {}
    name = str(path)
    get = {f: present.get(mapping[f]) for f in REQUIRED + OPTIONAL}
    errors = frame["__error__"] if "__error__" in frame.columns else None
    for idx, record in enumerate(frame.itertuples(index=False, name=None)):
        row = idx + first_row
        values = dict(zip(frame.columns, record, strict=True))
        if errors is not None and isinstance(errors.iloc[idx], str):
            result.problems.append(Problem(name, row, "", errors.iloc[idx]))
            continue
        cell = {f: cell_text(values.get(get[f])) if get[f] is not None else "" for f in get}
        if not any(cell.values()):
            continue  # blank row
        note = _validate(cell, values.get(get["date"]), name, row, result.problems, mapping)
        if note is None:
            continue
        if note.note_id in seen:
            prev_text, prev_row = seen[note.note_id]
            if prev_text == note.text:
                result.problems.append(
                    Problem(
                        name,
                        row,
                        mapping["note_id"],
                        f"duplicate of row {prev_row} (same text); skipped",
                        "skipped",
                    )
                )
            else:
                result.problems.append(
                    Problem(
                        name,
                        row,
                        mapping["note_id"],
                        f"duplicate note_id {note.note_id!r} with different text (first at row "
                        f"{prev_row}); fix the export so each note has its own id",
                    )
                )
            continue
        seen[note.note_id] = (note.text, row)
        result.notes.append(note)
    return result


def cell_text(value: object) -> str:
    """A table cell as trimmed text (None/NaN → '', 17.0 → '17')."""
    if value is None:
        return ""
    if isinstance(value, float) and pd.isna(value):
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip() if not isinstance(value, datetime | date) else str(value)


def _validate(
    cell: dict[str, str],
    raw_date: object,
    name: str,
    row: int,
    problems: list[Problem],
    mapping: dict[str, str],
) -> Note | None:
    def reject(field_name: str, reason: str) -> None:
        problems.append(Problem(name, row, mapping[field_name], reason))

    if not cell["note_id"]:
        reject("note_id", "no note id")
        return None
    text = clean_text(cell["text"])
    if not text:
        reject("text", "no note text")
        return None
    if not cell["person_id"]:
        reject("person_id", "no person id")
        return None
    iso = parse_date(raw_date if not isinstance(raw_date, str) else raw_date.strip())
    if iso is None:
        reject("date", f"date {cell['date']!r} not understood; use YYYY-MM-DD or DD/MM/YYYY")
        return None
    note_type = cell["note_type"].lower().replace("-", " ").strip() if cell["note_type"] else ""
    resolved = NOTE_TYPE_ALIASES.get(note_type, note_type if note_type in NOTE_TYPES else "")
    if note_type and not resolved:
        problems.append(
            Problem(
                name,
                row,
                mapping["note_type"],
                f"note_type {cell['note_type']!r} unknown; audited as daily_note",
                "warning",
            )
        )
    if len(text) > LONG_NOTE_CHARS:
        problems.append(
            Problem(
                name,
                row,
                mapping["text"],
                f"very long note ({len(text):,} characters); audited in pieces",
                "warning",
            )
        )
    return Note(
        note_id=cell["note_id"],
        person_id=cell["person_id"],
        date=iso,
        text=text,
        service=cell["service"],
        author=cell["author"],
        note_type=resolved or "daily_note",
    )
