"""Split exports into partitions of a bounded number of rows, and read one partition.

A distributed audit (:mod:`nlp.audit.distributed`) plans every input once on the
client and each worker reads only its partition:

- CSV/TSV and JSONL by byte ranges that start and end on record (line)
  boundaries, found with the same csv reader and line rules the records reader
  uses; a worker copies its range (CSV: under the header, re-encoded as UTF-8)
  into a small temporary file and reads that with :func:`nlp.records.exports.read_table`;
- Parquet by row ranges (row groups read as needed);
- XLSX and ``.json`` arrays, which the records reader reads whole, by slices of the
  whole-file frame (bounded by the reader's whole-file size cap).

Rows are validated by the records reader's own validator with their numbers in the
whole file, so a partition gives exactly the rows, row numbers and problems
:func:`~nlp.records.exports.read_notes` gives for those rows — except duplicate note
ids, which need the whole file: every valid row is returned with a digest of its
text, and :func:`duplicate_problems` applies the reader's duplicate rule over the
file at the merge.

This module leans on internals of :mod:`nlp.records.exports` (``_check_path``,
``_detect_encoding``, ``_bom_encoding``, ``_csv_rows``, ``_NoteValidator``); the
partition tests pin the equivalence.
"""

from __future__ import annotations

import codecs
import csv
import glob
import hashlib
import json
import os
import re
import tempfile
from collections.abc import Iterable, Iterator
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from nlp.records import exports
from nlp.records.exports import FORMATS, Problem, RecordsError, display_name, read_table
from nlp.schema import Note

DEFAULT_PARTITION_ROWS = 1000
# a folder's exports: .txt and .json are read only when named (a folder holds notes and docs)
FOLDER_SUFFIXES = frozenset(FORMATS) - {".txt", ".json"}
_BOM_CODECS = {  # a decoder that keeps the BOM → the codec that measures the rest, BOM size
    "utf-8-sig": ((codecs.BOM_UTF8, "utf-8"),),
    "utf-16": ((codecs.BOM_UTF16_LE, "utf-16-le"), (codecs.BOM_UTF16_BE, "utf-16-be")),
    "utf-32": ((codecs.BOM_UTF32_LE, "utf-32-le"), (codecs.BOM_UTF32_BE, "utf-32-be")),
}


@dataclass(frozen=True, slots=True)
class Partition:
    """A bounded slice of one input file, small enough to send to a worker.

    ``offset`` is the index of its first record in the file's table (rows after the
    header; JSONL: lines), so its first row number is ``first_row``. ``start`` and
    ``stop`` are byte offsets for CSV/TSV/JSONL and record offsets otherwise.
    """

    name: str  # the file as the user named it
    path: str  # absolute path the workers read
    kind: str
    index: int
    offset: int
    records: int
    first_row: int
    start: int
    stop: int
    size: int
    mtime_ns: int
    sha256: str
    encoding: str = ""  # CSV/TSV: the whole file's; JSONL: its byte-order mark's, if any
    header: tuple[int, int] = (0, 0)  # CSV/TSV: byte range of the header line

    @property
    def last_row(self) -> int:
        return self.first_row + max(self.records, 1) - 1

    def key(self, settings: str) -> str:
        """Manifest key: file content, byte/row range and the audit settings."""
        parts = [self.path, self.sha256, self.kind, str(self.start), str(self.stop), settings]
        return hashlib.sha256("\x1f".join(parts).encode()).hexdigest()

    def part_name(self, key: str) -> str:
        """File name of this partition's Parquet parts (readable, unique per key)."""
        stem = re.sub(r"[^A-Za-z0-9_.-]+", "_", Path(self.name).stem)[:40] or "input"
        return f"{stem}-r{self.first_row:09d}-{key[:12]}.parquet"


@dataclass(slots=True)
class FilePlan:
    """One input file: its partitions, or why it cannot be audited at all."""

    name: str
    path: str
    kind: str
    sha256: str
    size: int
    mtime_ns: int
    partitions: list[Partition] = field(default_factory=list)
    error: str = ""

    @property
    def display(self) -> str:
        """The file name the records reader writes into rejected.csv."""
        return display_name(Path(self.name))

    def to_json(self) -> dict[str, Any]:
        return {**asdict(self), "partitions": [asdict(p) for p in self.partitions]}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> FilePlan:
        parts = [Partition(**{**p, "header": tuple(p["header"])}) for p in data.pop("partitions")]
        return cls(**data, partitions=parts)


@dataclass(slots=True)
class PartitionRows:
    """A partition read and validated: every valid note, with its row and a text digest."""

    notes: list[tuple[int, Note, str]] = field(default_factory=list)  # (row, note, digest)
    problems: list[Problem] = field(default_factory=list)
    rows_to: int = 0  # what read_notes' ``rows`` would be if the file ended here
    columns: list[str] = field(default_factory=list)


# -- inputs --------------------------------------------------------------------------


def expand_inputs(inputs: Iterable[str | Path], exclude: Path | None = None) -> list[Path]:
    """Files, folders (every export under them, sorted) and globs → files, in input order."""
    files: list[Path] = []
    for item in inputs:
        path = Path(item)
        if path.is_file():
            found = [path]
        elif path.is_dir():
            found = sorted(
                p
                for p in path.rglob("*")
                if p.is_file()
                and p.suffix.lower() in FOLDER_SUFFIXES
                and not any(part.startswith(".") for part in p.relative_to(path).parts)
            )
        elif glob.has_magic(str(item)):
            found = [Path(p) for p in sorted(glob.glob(str(item), recursive=True))]
            found = [p for p in found if p.is_file()]
        else:
            raise RecordsError(f"{item}: no such file, folder or matching files")
        if not found:
            raise RecordsError(
                f"{item}: no exports found (looked for {', '.join(sorted(FOLDER_SUFFIXES))})"
            )
        files += found
    skip = exclude.resolve() if exclude else None
    seen: set[Path] = set()
    out: list[Path] = []
    for f in files:
        resolved = f.resolve()
        if resolved in seen or (skip and resolved.is_relative_to(skip)):
            continue
        seen.add(resolved)
        out.append(f)
    return out


def file_sha256(path: Path) -> str:
    with path.open("rb") as fh:
        return hashlib.file_digest(fh, "sha256").hexdigest()


# -- planning ------------------------------------------------------------------------

Ranges = list[tuple[int, int, int, int]]  # (offset, records, start, stop)


def plan_file(path: Path, max_rows: int, columns: dict[str, str]) -> FilePlan:
    """Split one export into partitions of at most ``max_rows`` records."""
    stat = path.stat()
    plan = FilePlan(
        name=str(path),
        path=str(path.resolve()),
        kind=FORMATS.get(path.suffix.lower(), ""),
        sha256=file_sha256(path),
        size=stat.st_size,
        mtime_ns=stat.st_mtime_ns,
    )
    extra: dict[str, Any] = {}
    first = 2
    try:
        kind = exports._check_path(path)
        validator = exports._NoteValidator(path, columns)
        if kind in {"csv", "tsv"}:
            ranges, extra, header = _plan_delimited(path, kind, max_rows)
            validator.check_columns([*header, "__error__"])
        elif kind == "jsonl":
            ranges, first = _plan_jsonl(path, max_rows), 1
            extra = {"encoding": exports._bom_encoding(path) or ""}
        elif kind == "parquet":
            ranges = _plan_parquet(path, max_rows, validator)
        else:  # Excel, JSON: the reader reads these whole; partitions slice its frame
            frame = read_table(path)
            validator.check_columns(frame.columns)
            ranges = _row_ranges(len(frame), max_rows)
    except (RecordsError, OSError, csv.Error, UnicodeDecodeError, ValueError) as exc:
        plan.error = (
            str(exc)
            if isinstance(exc, RecordsError)
            else (f"{display_name(path)}: cannot be read as {plan.kind or 'an export'}: {exc}")
        )
        return plan
    common = {k: getattr(plan, k) for k in ("name", "path", "kind", "size", "mtime_ns", "sha256")}
    for index, (offset, records, start, stop) in enumerate(ranges):
        plan.partitions.append(
            Partition(
                **common,
                index=index,
                offset=offset,
                records=records,
                first_row=first + offset,
                start=start,
                stop=stop,
                **extra,
            )
        )
    return plan


def _row_ranges(total: int, max_rows: int) -> Ranges:
    return [
        (o, min(max_rows, total - o), o, min(total, o + max_rows))
        for o in range(0, max(total, 1), max_rows)
    ]


def _measure(path: Path, encoding: str) -> tuple[str, int]:
    """The codec that gives each decoded line's byte length, and the BOM's length."""
    with path.open("rb") as fh:
        head = fh.read(4)
    for bom, codec in _BOM_CODECS.get(encoding, ()):
        if head.startswith(bom):
            return codec, len(bom)
    return ("utf-8" if encoding == "utf-8-sig" else encoding), 0


def _plan_delimited(
    path: Path, kind: str, max_rows: int
) -> tuple[Ranges, dict[str, Any], list[str]]:
    """Record boundaries of a CSV/TSV, found with the same csv reader the records reader uses."""
    encoding = exports._detect_encoding(path)
    codec, offset = _measure(path, encoding)
    with path.open(encoding=encoding, newline="") as fh:
        sep = "\t" if kind == "tsv" else None
        if sep is None:
            first = exports._first_line(fh)
            sep = ";" if first.count(";") > first.count(",") else ","

        def lines() -> Iterator[str]:
            nonlocal offset
            for line in fh:
                offset += len(line.encode(codec))
                yield line

        csv.field_size_limit(max(csv.field_size_limit(), exports.MAX_CELL_CHARS))
        reader = csv.reader(lines(), delimiter=sep)
        header_start = _measure(path, encoding)[1]
        header = next(reader, None)
        if not header:
            raise RecordsError(f"{display_name(path)}: the file is empty (no header row)")
        header_stop = offset
        ranges: Ranges = []
        start, done, n = offset, 0, 0
        for _ in exports._csv_rows(reader):
            n += 1
            if n == max_rows:
                ranges.append((done, n, start, offset))
                done, start, n = done + n, offset, 0
        if n or not ranges:
            ranges.append((done, n, start, offset))
    return ranges, {"encoding": encoding, "header": (header_start, header_stop)}, header


def _plan_jsonl(path: Path, max_rows: int) -> Ranges:
    """Line boundaries every ``max_rows`` lines, lines as the records reader counts them."""
    marked = exports._bom_encoding(path)
    ranges: Ranges = []
    done = n = start = 0
    if marked and marked != "utf-8-sig":
        codec, pos = _measure(path, marked)
        with path.open(encoding=marked, newline="") as text:
            for line in text:
                pos += len(line.encode(codec))
                n += 1
                if n >= max_rows:
                    ranges.append((done, n, start, pos))
                    done, start, n = done + n, pos, 0
    else:
        pos = 0
        with path.open("rb") as fh:
            while raw := fh.readline(1 << 20):
                pos += len(raw)
                if not raw.endswith(b"\n") and fh.peek(1)[:1]:
                    continue  # the rest of a long line
                n += 1
                if n >= max_rows:
                    ranges.append((done, n, start, pos))
                    done, start, n = done + n, pos, 0
    if n or not ranges:
        ranges.append((done, n, start, pos))
    return ranges


def _plan_parquet(path: Path, max_rows: int, validator: Any) -> Ranges:
    import pyarrow.parquet as pq

    with pq.ParquetFile(path) as pf:
        validator.check_columns(pf.schema_arrow.empty_table().to_pandas().columns)
        return _row_ranges(pf.metadata.num_rows, max_rows)


def load_or_plan(
    path: Path, max_rows: int, columns: dict[str, str], cache_dir: Path | None
) -> FilePlan:
    """:func:`plan_file`, cached in ``cache_dir`` by path, size, mtime and partition size."""
    stat = path.stat()
    key = json.dumps(
        [str(path), str(path.resolve()), stat.st_size, stat.st_mtime_ns, max_rows, columns],
        sort_keys=True,
    )
    name = hashlib.sha256(key.encode()).hexdigest()[:24] + ".json"
    cached = cache_dir / name if cache_dir else None
    if cached and cached.is_file():
        try:
            return FilePlan.from_json(json.loads(cached.read_text(encoding="utf-8")))
        except (ValueError, TypeError, KeyError):
            pass
    plan = plan_file(path, max_rows, columns)
    if cached and not plan.error:
        cached.parent.mkdir(parents=True, exist_ok=True)
        tmp = cached.with_suffix(f".tmp{os.getpid()}")
        tmp.write_text(json.dumps(plan.to_json()), encoding="utf-8")
        os.replace(tmp, cached)
    return plan


# -- reading one partition (on a worker) ---------------------------------------------


class _Recorder(dict):
    """Stands in for the validator's seen-ids map: remembers every valid note, flags none."""

    def __init__(self) -> None:
        super().__init__()
        self.order: list[tuple[str, bytes, int]] = []

    def get(self, key: str, default: None = None) -> None:  # type: ignore[override]
        return None  # no id is a duplicate within a partition here; the client checks

    def __setitem__(self, key: str, value: tuple[bytes, int]) -> None:
        self.order.append((key, *value))


def read_partition(part: Partition, columns: dict[str, str]) -> PartitionRows:
    """Read and validate one partition; RecordsError (or OSError) when it cannot be read."""
    path = Path(part.path)
    stat = path.stat()
    if (stat.st_size, stat.st_mtime_ns) != (part.size, part.mtime_ns):
        raise RecordsError(f"{part.name}: changed since the run was planned; run it again")
    try:
        frame = _read_frame(part, path)
    except RecordsError:
        raise
    except Exception as exc:
        raise RecordsError(f"{part.name}: cannot be read as {part.kind}: {exc}") from None
    validator = exports._NoteValidator(Path(part.name), columns)
    recorder = _Recorder()
    validator.seen = recorder
    result = validator.validate(frame)
    rows = PartitionRows(problems=result.problems, rows_to=part.offset + result.rows)
    if part.kind == "jsonl":
        rows.columns = [str(c).strip() for c in frame.columns]
    for note, (note_id, digest, row) in zip(result.notes, recorder.order, strict=True):
        assert note.note_id == note_id
        rows.notes.append((row, note, digest.hex()))
    return rows


def _read_frame(part: Partition, path: Path) -> pd.DataFrame:
    if part.kind in {"csv", "tsv", "jsonl"}:
        frame = _read_range(part, path)
        frame.attrs["first_row"] = part.first_row
        if part.kind == "jsonl" and part.offset and "__error__" in frame.columns:
            frame["__error__"] = frame["__error__"].map(lambda e: _renumber(e, part.offset))
        return frame
    if part.kind == "parquet":
        frame = _read_parquet_range(part, path)
    else:
        frame = read_table(path).iloc[part.start : part.stop]
    frame.attrs["first_row"] = part.first_row
    return frame


_LINE = re.compile(r"^line (\d+):")


def _renumber(error: object, offset: int) -> object:
    """A JSONL line's problem (``line N: ...``) with its line number in the whole file."""
    if not isinstance(error, str):
        return error
    return _LINE.sub(lambda m: f"line {int(m.group(1)) + offset}:", error, count=1)


def _read_bytes(path: Path, start: int, stop: int) -> bytes:
    with path.open("rb") as fh:
        fh.seek(start)
        return fh.read(stop - start)


def _read_range(part: Partition, path: Path) -> pd.DataFrame:
    """The records reader on a temporary file holding just this partition."""
    if part.kind == "jsonl":
        data = _read_bytes(path, part.start, part.stop)
        if part.encoding and part.encoding != "utf-8-sig":  # UTF-16/32: keep the encoding
            codec, _ = _measure(path, part.encoding)
            data = data.decode(codec).encode(part.encoding)  # with its byte-order mark
    else:  # the header line and the records, as UTF-8 with a BOM (decoded as the whole file)
        codec, _ = _measure(path, part.encoding)
        text = _read_bytes(path, *part.header) + _read_bytes(path, part.start, part.stop)
        data = codecs.BOM_UTF8 + text.decode(codec).encode("utf-8")
    fd, tmp = tempfile.mkstemp(prefix="careaudit-part-", suffix=path.suffix)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        return read_table(Path(tmp))
    finally:
        os.unlink(tmp)


def _read_parquet_range(part: Partition, path: Path) -> pd.DataFrame:
    """Rows ``start:stop`` as the records reader converts a Parquet batch."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    with pq.ParquetFile(path) as pf:
        groups, first, seen = [], 0, 0
        for g in range(pf.metadata.num_row_groups):
            n = pf.metadata.row_group(g).num_rows
            if seen + n > part.start and seen < part.stop:
                first = seen if not groups else first
                groups.append(g)
            seen += n
        batches, pos = [], first
        for batch in pf.iter_batches(batch_size=8192, row_groups=groups):
            lo, hi = max(part.start - pos, 0), min(part.stop - pos, batch.num_rows)
            if hi > lo:
                batches.append(batch.slice(lo, hi - lo))
            pos += batch.num_rows
            if pos >= part.stop:
                break
        table = pa.Table.from_batches(batches, schema=pf.schema_arrow)
    return table.to_pandas().astype(object)


def check_jsonl_columns(name: str, seen_columns: Iterable[str], columns: dict[str, str]) -> str:
    """'' when a JSONL file has every required column on some line, else the reader's message."""
    try:
        exports._NoteValidator(Path(name), columns).check_columns(list(seen_columns))
    except RecordsError as exc:
        return str(exc)
    return ""


# -- duplicates across a whole file ---------------------------------------------------


def duplicate_problems(
    name: str, ids: Iterable[tuple[int, str, str, bool]], columns: dict[str, str]
) -> tuple[list[Problem], set[int]]:
    """The records reader's duplicate rule over ``(row, note_id, digest, audited)`` in row order.

    Returns the problems and the rows of audited notes that must be dropped.
    """
    column = columns.get("note_id", "note_id")
    seen: dict[str, tuple[str, int]] = {}
    problems: list[Problem] = []
    dropped: set[int] = set()
    for row, note_id, digest, audited in ids:
        if note_id not in seen:
            seen[note_id] = (digest, row)
            continue
        prev_digest, prev_row = seen[note_id]
        problems.append(
            exports.duplicate_problem(name, row, column, note_id, prev_digest == digest, prev_row)
        )
        if audited:
            dropped.add(row)
    return problems, dropped
