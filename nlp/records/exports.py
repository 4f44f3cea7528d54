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

import codecs
import csv
import hashlib
import io
import json
import os
import stat
import unicodedata
import zipfile
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING

from nlp.records.note_index import NoteIdIndex
from nlp.records.text_clean import clean_field, clean_text
from nlp.schema import NOTE_TYPES, Note

if TYPE_CHECKING:  # pandas is imported by the readers that build tables, not on import:
    import pandas as pd  # an audit worker uses this module's limits and types only

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
MAX_NOTE_CHARS = 1_000_000  # longer notes are cut here, with a warning
MAX_FIELD_CHARS = 1_000  # ids, dates, service, author, note type
MAX_CELL_CHARS = 64 * 1024 * 1024  # the csv module's field limit while reading an export
MAX_INPUT_BYTES = 8 * 1024**3  # streamed formats: CSV, TSV, JSONL, Parquet
MAX_WHOLE_FILE_BYTES = 512 * 1024**2  # read whole: JSON, Excel (and Excel unpacked)
MAX_EXCEL_COLUMNS = 2_000  # columns of a sheet read (the header's last non-empty cell)
PLAUSIBLE_YEARS = (1900, 2100)  # a date outside is accepted with a warning
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
    if isinstance(value, datetime):  # pandas' Timestamp included; NaT is not equal to itself
        return value.date().isoformat() if value == value else None
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, int | float) and not isinstance(value, bool):
        return _excel_serial(value)  # no float(): an int of 400 digits overflows it
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


def _excel_serial(days: float | int) -> str | None:
    """Excel's day number (a date cell exported as General) as an ISO date."""
    if not 20_000 <= days <= 80_000:  # 1954..2119: anything else is not a date
        return None
    return (EXCEL_EPOCH + timedelta(days=int(days))).isoformat()


def display_name(path: str | Path) -> str:
    """A file name safe to print and to write as UTF-8.

    Bytes that are not UTF-8 (``\\xff``) and control or invisible characters
    (``\\n``, ``\\u202e``) are shown as escapes, so a hostile file name can
    neither crash a writer nor forge a line of output.
    """
    text = os.fsencode(path).decode("utf-8", "backslashreplace")
    if text.isprintable():
        return text
    return "".join(c if c.isprintable() else c.encode("unicode_escape").decode() for c in text)


def _size(n: int) -> str:
    return f"{n / 1024**2:,.1f} MB" if n >= 1024**2 else f"{n:,} bytes"


def _check_path(path: Path) -> str:
    """The export's format; RecordsError when it is missing, a folder, not a regular file
    (a device such as ``/dev/zero``, a FIFO, a socket), too large or of unknown format."""
    name = display_name(path)
    try:
        info = path.stat()
    except FileNotFoundError:
        raise RecordsError(f"{name}: no such file") from None
    except OSError as exc:
        raise RecordsError(f"{name}: cannot be opened ({exc.strerror})") from None
    if stat.S_ISDIR(info.st_mode):
        raise RecordsError(f"{name}: is a folder; give the export file itself")
    if not stat.S_ISREG(info.st_mode):
        raise RecordsError(
            f"{name}: is not a regular file (a device, pipe or socket); "
            "save the export to a file and give that file"
        )
    kind = FORMATS.get(path.suffix.lower())
    if kind is None:
        raise RecordsError(
            f"{name}: unknown format {path.suffix or '(no extension)'!r}; "
            f"use one of {', '.join(sorted(FORMATS))}"
        )
    limit = MAX_WHOLE_FILE_BYTES if kind in {"json", "excel"} else MAX_INPUT_BYTES
    if info.st_size > limit:
        streamed = limit == MAX_INPUT_BYTES
        hint = "split the export" if streamed else "export as CSV or JSONL (read in chunks)"
        raise RecordsError(
            f"{name}: {_size(info.st_size)} is more than the {_size(limit)} careaudit reads "
            f"as {kind}; {hint}"
        )
    return kind


def read_table(path: Path) -> pd.DataFrame:
    """Read any supported export into a DataFrame of strings."""
    import pandas as pd

    kind = _check_path(path)
    try:
        if kind in {"csv", "tsv"}:
            return _read_delimited(path, "\t" if kind == "tsv" else None)
        if kind == "jsonl":
            return _read_jsonl(path)
        if kind == "json":
            return pd.DataFrame(json.loads(path.read_text(encoding="utf-8-sig"))).astype(object)
        if kind == "parquet":
            return pd.read_parquet(path).astype(object)
        return _read_excel(path)
    except RecordsError:
        raise
    except RecursionError:
        raise RecordsError(
            f"{display_name(path)}: cannot be read as {kind}: nested too deeply"
        ) from None
    except Exception as exc:
        raise RecordsError(f"{display_name(path)}: cannot be read as {kind}: {exc}") from None


def _read_excel(path: Path) -> pd.DataFrame:
    """The first sheet, bounded: header row 1, as many columns as the header has.

    openpyxl reads in read-only mode with the sheet's stated used range ignored
    (a sheet can claim ``A1:XFD1048576`` and make a naive reader build a billion
    empty cells); columns past the header's last name (at most
    :data:`MAX_EXCEL_COLUMNS`) are not read; blank rows are counted, not stored.
    ``__row__`` holds each record's sheet row number.
    """
    import openpyxl
    import pandas as pd

    with zipfile.ZipFile(path) as zf:
        unpacked = sum(i.file_size for i in zf.infolist())
    if unpacked > MAX_WHOLE_FILE_BYTES:
        raise RecordsError(
            f"{display_name(path)}: the workbook unpacks to {_size(unpacked)} (more than "
            f"{_size(MAX_WHOLE_FILE_BYTES)}); export it as CSV"
        )
    wb = openpyxl.load_workbook(path, read_only=True, data_only=True)
    try:
        ws = wb.worksheets[0]
        ws.reset_dimensions()
        first = ws.iter_rows(max_row=1, max_col=MAX_EXCEL_COLUMNS, values_only=True)
        header = list(next(first, ()))
        while header and (header[-1] is None or not str(header[-1]).strip()):
            header.pop()
        if not header:
            raise RecordsError(f"{display_name(path)}: the first sheet is empty (no header row)")
        width = len(header)
        columns = [("" if h is None else str(h)) for h in header]
        records: list[list[object]] = []
        rows = ws.iter_rows(min_row=2, max_col=width, values_only=True)
        for number, row in enumerate(rows, start=2):
            if row.count(None) == width:
                continue  # missing rows come as one shared empty tuple: cheap to skip
            if any(v is not None and str(v).strip() for v in row):
                records.append([*row, number])
    finally:
        wb.close()
    return pd.DataFrame(records, columns=[*columns, "__row__"], dtype=object)


def _read_delimited(path: Path, sep: str | None) -> pd.DataFrame:
    """The whole CSV/TSV as one frame (see :func:`_iter_delimited`)."""
    return next(_iter_delimited(path, sep, None))


DELIMITED_ENCODINGS = ("utf-8-sig", "cp1252", "latin-1")


_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)


def _bom_encoding(path: Path) -> str | None:
    """UTF-16/32 (or UTF-8) from a byte-order mark, or UTF-16 text without one."""
    with path.open("rb") as fh:
        head = fh.read(4096)
    for bom, encoding in _BOMS:
        if head.startswith(bom):
            return encoding
    start = head[:64] if len(head) % 2 == 0 else head[:63]
    if len(start) >= 8:  # a header of ASCII names: every other byte NUL, the rest not
        even, odd = start[0::2], start[1::2]
        if not any(odd) and all(even):
            return "utf-16-le"
        if not any(even) and all(odd):
            return "utf-16-be"
    return None


def _detect_encoding(path: Path) -> str:
    """The encoding a byte-order mark names (UTF-16, UTF-32), else the first of UTF-8
    (BOM optional), cp1252 and Latin-1 that decodes the whole file.

    Decodes block by block, so a large export is never held in memory.
    """
    guess = _bom_encoding(path)
    marked = guess if guess in ("utf-16", "utf-32") else None  # a BOM: that or nothing
    if marked:
        candidates: tuple[str, ...] = (marked,)
    elif guess and guess != "utf-8-sig":  # UTF-16 without a BOM, by its NUL bytes
        candidates = (guess, *DELIMITED_ENCODINGS[:-1])
    else:
        candidates = DELIMITED_ENCODINGS[:-1]
    for encoding in candidates:
        decoder = codecs.getincrementaldecoder(encoding)()
        try:
            with path.open("rb") as fh:
                while block := fh.read(1 << 20):
                    decoder.decode(block)
                decoder.decode(b"", final=True)
            return encoding
        except UnicodeDecodeError as exc:
            if marked:
                raise RecordsError(
                    f"{display_name(path)}: looks like {marked.upper()} text but is not valid "
                    f"{marked} ({exc.reason} at byte {exc.start:,}); save it as CSV UTF-8"
                ) from None
            continue
    return DELIMITED_ENCODINGS[-1]


def _first_line(fh: io.TextIOBase) -> str:
    """The text before the first ``\n`` (the stream is rewound afterwards)."""
    parts: list[str] = []
    while block := fh.read(1 << 16):
        cut = block.find("\n")
        if cut >= 0:
            parts.append(block[:cut])
            break
        parts.append(block)
    fh.seek(0)
    return "".join(parts)


def _iter_delimited(path: Path, sep: str | None, chunk_rows: int | None) -> Iterator[pd.DataFrame]:
    """Frames of ``chunk_rows`` records (all in one when None); ``attrs["first_row"]`` set."""
    with path.open(encoding=_detect_encoding(path), newline="") as fh:
        if sep is None:
            first = _first_line(fh)
            sep = ";" if first.count(";") > first.count(",") else ","
        # a note may be longer than the csv module's default 131,072-character field limit
        csv.field_size_limit(max(csv.field_size_limit(), MAX_CELL_CHARS))
        reader = csv.reader(fh, delimiter=sep)
        header = next(reader, None)
        if not header:
            raise RecordsError(f"{display_name(path)}: the file is empty (no header row)")
        width = len(header)
        records: list[list[str | None]] = []
        first_row = 2
        for row in _csv_rows(reader):
            if isinstance(row, str):
                records.append([*([None] * width), row])
            elif len(row) == width:
                records.append([*row, None])
            elif not any(cell.strip() for cell in row):
                records.append([None] * (width + 1))
            else:
                records.append(
                    [
                        *([None] * width),
                        f"has {len(row)} fields but the header has "
                        f"{width} (an unquoted comma or a broken line?)",
                    ]
                )
            if chunk_rows and len(records) >= chunk_rows:
                yield _delimited_frame(header, records, first_row)
                first_row += len(records)
                records = []
        if records or first_row == 2:
            yield _delimited_frame(header, records, first_row)


def _csv_rows(reader: Iterator[list[str]]) -> Iterator[list[str] | str]:
    """The reader's rows; a row it cannot parse becomes the reason, and reading goes on."""
    while True:
        try:
            row = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            yield f"cannot be read as CSV ({exc}); the rest of the file is read"
            continue
        yield row


def _delimited_frame(header: list[str], records: list[list[str | None]], first_row: int):
    """Records as given (lists, so two columns with one name stay two columns)."""
    import pandas as pd

    frame = pd.DataFrame(records, columns=[*header, "__error__"], dtype=object)
    frame.attrs["first_row"] = first_row
    return frame


MAX_LINE_BYTES = MAX_CELL_CHARS  # a longer JSONL line is reported and skipped


class _DuplicateKey(ValueError):
    pass


def _unique_keys(pairs: list[tuple[str, object]]) -> dict:
    """A JSON object, refusing a key given twice (JSON would silently keep the last)."""
    obj = dict(pairs)
    if len(obj) != len(pairs):
        counts = Counter(k for k, _ in pairs)
        raise _DuplicateKey(next(k for k, n in counts.items() if n > 1))
    return obj


def iter_jsonl(path: Path) -> Iterator[tuple[int, dict | None, str]]:
    """Each non-blank line of a JSONL file: (line number, object or None, what is wrong).

    Lines end at ``\\n``. Each line stands alone: one that is not UTF-8, not JSON
    (nested too deeply, an integer of thousands of digits), longer than
    :data:`MAX_LINE_BYTES`, not an object or holding a key twice is reported and
    the rest of the file is read. UTF-16/32 files with a byte-order mark are read too.
    """
    for lineno, line in enumerate(_jsonl_lines(path), start=1):
        if isinstance(line, Exception):
            yield lineno, None, f"line {lineno}: {line}"
            continue
        if not line.strip():
            continue
        try:
            obj = json.loads(line, object_pairs_hook=_unique_keys)
        except json.JSONDecodeError as exc:
            yield lineno, None, f"line {lineno}: not valid JSON ({exc.msg})"
            continue
        except _DuplicateKey as exc:
            yield lineno, None, f"line {lineno}: key {exc.args[0]!r} appears twice"
            continue
        except RecursionError:
            yield lineno, None, f"line {lineno}: not valid JSON (nested too deeply)"
            continue
        except ValueError as exc:  # e.g. an integer over Python's 4,300-digit limit
            yield lineno, None, f"line {lineno}: not valid JSON ({str(exc).split(';')[0]})"
            continue
        if isinstance(obj, dict):
            yield lineno, obj, ""
        else:
            yield lineno, None, f"line {lineno}: not a JSON object"


def _jsonl_lines(path: Path) -> Iterator[str | Exception]:
    """The file's lines as text; a line that cannot be read is the exception saying why."""
    marked = _bom_encoding(path)
    if marked and marked != "utf-8-sig":
        with path.open(encoding=marked, newline="\n") as text:  # lines end at \n only
            for line in text:
                yield line.rstrip("\r\n")
        return
    with path.open("rb") as fh:
        first = True
        while raw := fh.readline(MAX_LINE_BYTES + 1):
            if len(raw) > MAX_LINE_BYTES and not raw.endswith(b"\n"):
                while (rest := fh.readline(1 << 20)) and not rest.endswith(b"\n"):
                    pass
                yield ValueError(f"longer than {MAX_LINE_BYTES // 1024**2} MB; skipped")
                continue
            if first and raw.startswith(codecs.BOM_UTF8):
                raw = raw[len(codecs.BOM_UTF8) :]
            first = False
            try:
                yield raw.rstrip(b"\r\n").decode("utf-8")
            except UnicodeDecodeError as exc:
                yield ValueError(f"not UTF-8 text ({exc.reason} at byte {exc.start:,})")


def _read_jsonl(path: Path) -> pd.DataFrame:
    return next(_iter_jsonl(path, None))


def _iter_jsonl(path: Path, chunk_rows: int | None) -> Iterator[pd.DataFrame]:
    """Frames of ``chunk_rows`` lines (blank lines keep their numbers as empty rows)."""
    rows: list[dict] = []
    first_row = 1
    for lineno, obj, error in iter_jsonl(path):
        rows.extend({} for _ in range(lineno - first_row - len(rows)))
        rows.append(obj if obj is not None else {"__error__": error})
        if chunk_rows and len(rows) >= chunk_rows:
            yield _jsonl_frame(rows, first_row)
            first_row += len(rows)
            rows = []
    if rows or first_row == 1:
        yield _jsonl_frame(rows, first_row)


def _jsonl_frame(rows: list[dict], first_row: int) -> pd.DataFrame:
    import pandas as pd

    # object dtype: a column of ids with a gap must not become float64 (9007199254740993
    # would be read as ...992, and two ids could become one)
    frame = pd.DataFrame(rows, dtype=object)
    frame.attrs["first_row"] = first_row
    return frame


def iter_tables(path: Path, chunk_rows: int) -> Iterator[pd.DataFrame]:
    """An export as frames of at most ``chunk_rows`` rows, read as it goes.

    CSV, TSV, JSONL and Parquet are read chunk by chunk; JSON and Excel are read
    whole, then handed out in chunks. Each frame's ``attrs["first_row"]`` is the
    row number of its first record. Errors are :class:`RecordsError`, as in
    :func:`read_table`.
    """
    kind = _check_path(path)
    try:
        if kind in {"csv", "tsv"}:
            frames = _iter_delimited(path, "\t" if kind == "tsv" else None, chunk_rows)
        elif kind == "jsonl":
            frames = _iter_jsonl(path, chunk_rows)
        elif kind == "parquet":
            frames = _iter_parquet(path, chunk_rows)
        else:
            frames = _slices(read_table(path), chunk_rows)
        yield from frames
    except RecordsError:
        raise
    except Exception as exc:
        raise RecordsError(f"{path}: cannot be read as {kind}: {exc}") from None


def _iter_parquet(path: Path, chunk_rows: int) -> Iterator[pd.DataFrame]:
    import pyarrow.parquet as pq

    first_row = 2
    with pq.ParquetFile(path) as pf:
        empty = True
        for batch in pf.iter_batches(batch_size=chunk_rows):
            empty = False
            frame = batch.to_pandas().astype(object)
            frame.attrs["first_row"] = first_row
            first_row += len(frame)
            yield frame
        if empty:
            frame = pf.schema_arrow.empty_table().to_pandas().astype(object)
            frame.attrs["first_row"] = first_row
            yield frame


def _slices(frame: pd.DataFrame, chunk_rows: int) -> Iterator[pd.DataFrame]:
    first = frame.attrs.get("first_row", 2)
    for start in range(0, max(len(frame), 1), chunk_rows):
        part = frame.iloc[start : start + chunk_rows]
        part.attrs["first_row"] = first + start
        yield part


def read_notes(path: str | Path, columns: dict[str, str] | None = None) -> ReadResult:
    """Read an export, validate every row and return notes plus problems."""
    path = Path(path)
    frame = read_table(path)
    reader = _NoteValidator(path, columns)
    reader.check_columns(frame.columns)
    return reader.validate(frame)


def iter_notes(
    path: str | Path, columns: dict[str, str] | None = None, chunk_rows: int = 1000
) -> Iterator[ReadResult]:
    """Read and validate an export chunk by chunk: one :class:`ReadResult` per chunk.

    Together the chunks hold exactly the notes and problems :func:`read_notes`
    returns, in the same order (duplicate ids are found across chunks: the reader
    keeps each note id with a hash of its text). A missing required column is a
    :class:`RecordsError` before the first chunk (JSONL: once the whole file has
    been read, since any line may hold any field).
    """
    path = Path(path)
    reader = _NoteValidator(path, columns)
    jsonl = FORMATS.get(path.suffix.lower()) == "jsonl"
    seen_columns: set[str] = set()
    for k, frame in enumerate(iter_tables(path, chunk_rows)):
        if jsonl:
            seen_columns.update(str(c).strip() for c in frame.columns)
        elif k == 0:
            reader.check_columns(frame.columns)
        yield reader.validate(frame)
    if jsonl:
        reader.check_columns(seen_columns)


class _NoteValidator:
    """Row validation shared by :func:`read_notes` and :func:`iter_notes`."""

    def __init__(self, path: Path, columns: dict[str, str] | None) -> None:
        self.path = path
        self.name = display_name(path)  # rejected.csv and messages: safe for any file name
        self.mapping = {f: (columns or {}).get(f, f) for f in REQUIRED + OPTIONAL}
        # note id -> (text hash, row); spills to a local SQLite file past 100,000 ids
        self.seen: NoteIdIndex | dict[str, tuple[bytes, int]] = NoteIdIndex()

    def check_columns(self, frame_columns: Iterable[object]) -> None:
        frame_columns = list(frame_columns)
        present = {str(c).strip(): c for c in frame_columns}
        mapping = self.mapping
        missing = [f"{f} (column {mapping[f]!r})" for f in REQUIRED if mapping[f] not in present]
        if missing:
            found = ", ".join(repr(c) for c in present if c not in _INTERNAL) or "none"
            raise RecordsError(
                f"{self.name}: missing required column(s): {', '.join(missing)}. Columns found: "
                f"{found}. Map other names with --columns, e.g. --columns text=NoteBody,note_id=Id"
            )
        duplicate_columns(self.name, frame_columns, self.mapping)

    def validate(self, frame: pd.DataFrame) -> ReadResult:
        """Notes and problems of one frame (rows numbered from ``attrs["first_row"]``)."""
        mapping, name, seen = self.mapping, self.name, self.seen
        present = {str(c).strip(): c for c in frame.columns}
        first_row = frame.attrs.get("first_row", 2)
        result = ReadResult(rows=len(frame))
        get = {f: present.get(mapping[f]) for f in REQUIRED + OPTIONAL}
        errors = frame["__error__"] if "__error__" in frame.columns else None
        numbers = frame["__row__"] if "__row__" in frame.columns else None  # Excel: blanks dropped
        for idx, record in enumerate(frame.itertuples(index=False, name=None)):
            row = idx + first_row if numbers is None else int(numbers.iloc[idx])
            values = dict(zip(frame.columns, record, strict=True))
            if errors is not None and isinstance(errors.iloc[idx], str):
                result.problems.append(Problem(name, row, "", errors.iloc[idx]))
                continue
            cell = {f: cell_text(values.get(get[f])) if get[f] is not None else "" for f in get}
            if not any(cell.values()):
                continue  # blank row
            raw = {f: values.get(c) for f, c in get.items() if c is not None}
            note = _validate(
                cell, values.get(get["date"]), name, row, result.problems, mapping, raw=raw
            )
            if note is None:
                continue
            digest = hashlib.sha1(note.text.encode("utf-8", "surrogatepass")).digest()
            previous = seen.get(note.note_id)
            if previous is not None:
                prev_digest, prev_row = previous
                result.problems.append(
                    duplicate_problem(
                        name, row, mapping["note_id"], note.note_id, prev_digest == digest, prev_row
                    )
                )
                continue
            seen[note.note_id] = (digest, row)
            result.notes.append(note)
        return result


def duplicate_problem(
    name: str, row: int, column: str, note_id: str, same_text: bool, first_row: int
) -> Problem:
    """The reader's rule for a note id seen before: same text skipped, different rejected."""
    if same_text:
        return Problem(
            name, row, column, f"duplicate of row {first_row} (same text); skipped", "skipped"
        )
    return Problem(
        name,
        row,
        column,
        f"duplicate note_id {note_id!r} with different text (first at row {first_row}); "
        "fix the export so each note has its own id",
    )


_INTERNAL = ("__error__", "__row__")


def duplicate_columns(name: str, columns: list[object], mapping: dict[str, str]) -> None:
    """Refuse an export where a column careaudit reads appears twice.

    Which of two ``text`` (or ``date``) columns is the real one is a judgement only
    whoever made the export can make; auditing either silently could audit the
    wrong text or date, so the message names both columns and asks for a rename.
    """
    positions: dict[str, list[int]] = {}
    for i, c in enumerate(columns):
        if str(c) not in _INTERNAL:
            positions.setdefault(str(c).strip(), []).append(i)
    for field_name, column in mapping.items():
        where = positions.get(column, [])
        if len(where) > 1:
            letters = " and ".join(f"{_column_letter(i)} (column {i + 1})" for i in where)
            raise RecordsError(
                f"{name}: column {column!r} ({field_name}) appears {len(where)} times, at "
                f"{letters}; rename all but one so it is clear which to audit "
                "(or map another name with --columns)"
            )


def _column_letter(index: int) -> str:
    """0 → A, 25 → Z, 26 → AA (spreadsheet column letters)."""
    letters = ""
    index += 1
    while index:
        index, rem = divmod(index - 1, 26)
        letters = chr(65 + rem) + letters
    return letters


def read_date(value: object) -> tuple[str | None, str]:
    """(ISO date or None, what is wrong with it or '' when nothing).

    None with a reason: not usable. A date with a reason: usable but odd (a year
    before 1900 or after 2100, such as the placeholders 0001-01-01 and 9999-12-31).
    Digits other than 0-9 (Arabic-Indic, fullwidth, superscript) are refused: such a
    date is corrupt or a disguise, and read wrongly it would change register checks.
    """
    text = value if isinstance(value, str) else None
    if text is not None:
        text = clean_field(text)
        if any(c.isdigit() and not c.isascii() for c in text):
            odd = next(c for c in text if c.isdigit() and not c.isascii())
            script = unicodedata.name(odd, "unknown").rsplit(" DIGIT", 1)[0].title()
            return None, (
                f"date {text!r} has digits other than 0-9 ({script}); write it with 0-9, "
                "e.g. 2026-03-14"
            )
    iso = parse_date(text if text is not None else value)
    if iso is None:
        return None, ""
    year = int(iso[:4])
    if not PLAUSIBLE_YEARS[0] <= year <= PLAUSIBLE_YEARS[1]:
        return iso, (
            f"date {iso} is before {PLAUSIBLE_YEARS[0]} or after {PLAUSIBLE_YEARS[1]} "
            "(a placeholder?)"
        )
    return iso, ""


# pandas' missing-value markers (pd.NA in string columns, NaT in date columns), known by
# type name so that this module need not import pandas
_MISSING_TYPES = frozenset({"NAType", "NaTType"})


def cell_text(value: object) -> str:
    """A table cell as trimmed text (None/NaN/NA/NaT → '', 17.0 → '17')."""
    if value is None or type(value).__name__ in _MISSING_TYPES:
        return ""
    if isinstance(value, float) and value != value:  # NaN
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip() if not isinstance(value, datetime | date) else str(value)


_SHORT_FIELDS = ("note_id", "person_id", "date", "service", "author", "note_type")


def _validate(
    cell: dict[str, str],
    raw_date: object,
    name: str,
    row: int,
    problems: list[Problem],
    mapping: dict[str, str],
    *,
    raw: dict[str, object] | None = None,
) -> Note | None:
    """The row's note, or None with the reason appended to ``problems``.

    Ids, dates and names lose control and invisible characters (NUL, zero-width
    space, bidi overrides) with a warning; a JSON object or list where text is
    expected (``raw``: the cells as read) or an id/name over
    :data:`MAX_FIELD_CHARS` is refused; a note over :data:`MAX_NOTE_CHARS` is cut
    with a warning; odd dates are warned about (:func:`read_date`).
    """

    def problem(field_name: str, reason: str, action: str = "rejected") -> None:
        problems.append(Problem(name, row, mapping[field_name], reason, action))

    for field_name, value in (raw or {}).items():
        if isinstance(value, dict | list):
            kind = "a JSON object" if isinstance(value, dict) else "a JSON list"
            problem(field_name, f"{field_name} is {kind}, not text")
            return None
    fields: dict[str, str] = {}
    for field_name in _SHORT_FIELDS:
        value = cell[field_name]
        if len(value) > MAX_FIELD_CHARS:
            problem(
                field_name,
                f"{field_name} is {len(value):,} characters long (at most {MAX_FIELD_CHARS:,}): "
                "a shifted column or broken quoting?",
            )
            return None
        fields[field_name] = clean_field(value)
        if fields[field_name] != value:
            problem(
                field_name,
                f"control or invisible characters removed from {field_name}: {value!r} "
                f"read as {fields[field_name]!r}",
                "warning",
            )
    if not fields["note_id"]:
        problem("note_id", "no note id")
        return None
    text = clean_text(cell["text"][: 4 * MAX_NOTE_CHARS])
    if not text:
        problem("text", "no note text")
        return None
    if not fields["person_id"]:
        problem("person_id", "no person id")
        return None
    iso, why = read_date(raw_date)
    if iso is None:
        problem(
            "date",
            why or f"date {fields['date']!r} not understood; use YYYY-MM-DD or DD/MM/YYYY",
        )
        return None
    if why:
        problem("date", f"{why}; audited with this date, but check it", "warning")
    note_type = fields["note_type"].lower().replace("-", " ").strip()
    resolved = NOTE_TYPE_ALIASES.get(note_type, note_type if note_type in NOTE_TYPES else "")
    if note_type and not resolved:
        unknown = f"note_type {fields['note_type']!r} unknown; audited as daily_note"
        problem("note_type", unknown, "warning")
    if len(text) > MAX_NOTE_CHARS or len(cell["text"]) > 4 * MAX_NOTE_CHARS:
        kept = cut_text(text, MAX_NOTE_CHARS)
        problem(
            "text",
            f"note of {len(cell['text']):,} characters: only the first {len(kept):,} are "
            f"audited (at most {MAX_NOTE_CHARS:,} per note); split it to audit the rest",
            "warning",
        )
        text = kept
    elif len(text) > LONG_NOTE_CHARS:
        problem("text", f"very long note ({len(text):,} characters); audited in pieces", "warning")
    return Note(
        note_id=fields["note_id"],
        person_id=fields["person_id"],
        date=iso,
        text=text,
        service=fields["service"],
        author=fields["author"],
        note_type=resolved or "daily_note",
    )


def cut_text(text: str, limit: int) -> str:
    """``text`` cut to at most ``limit`` characters, at a line or sentence end if one is near."""
    if len(text) <= limit:
        return text
    floor = limit - limit // 10
    cut = max(text.rfind("\n", floor, limit), text.rfind(". ", floor, limit - 1) + 1)
    return text[: cut if cut > floor else limit].rstrip()
