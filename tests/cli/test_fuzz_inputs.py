"""Issue 14: property-based fuzzing of CSV, JSONL and XLSX exports through ``careaudit audit``.

Each example is an export holding the three good notes of ``GOOD_NOTES`` among random
bad rows: random cells (control and invisible characters, look-alikes, quotes and
delimiters, empty and 140,000-character values, odd dates), extra columns with odd
names, the required columns in any order, several encodings, JSON lines that are not
objects, not JSON, nested deeply or not UTF-8, and XLSX cells of every type. The
property: the CLI exits 0 without a traceback, writes ``summary.json``, and audits and
flags every good row. Examples are few and derandomised so the suite stays fast and
repeatable; raise ``max_examples`` locally to search harder.
"""

from __future__ import annotations

import csv
import io
import json
import tempfile
from collections.abc import Callable
from datetime import datetime
from pathlib import Path

import openpyxl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

from nlp.records.exports import OPTIONAL, REQUIRED
from tests.cli.conftest import GOOD_NOTES, Audit

FUZZ = settings(
    max_examples=10,
    deadline=None,
    database=None,
    derandomize=True,
    suppress_health_check=[
        HealthCheck.too_slow,
        HealthCheck.data_too_large,
        HealthCheck.function_scoped_fixture,
    ],
)
TRICKY = ["\x00", "\x07", "\x1b", "\u200b", "\u00ad", "\u202e", "\u2028", "\ufeff", "\r", "\n",
          '"', ",", "\t", "=", "+", "@", "-", "\u0430", "\u03bf", "\ufffd"]
ODD_VALUES = ["", " ", "9999-12-31", "0001-01-01", "٢٠٢٦-٠٣-١٤", "46054", "NaN", "null",
              "=HYPERLINK(\"http://x\")", "2026-13-45", "care plan", "INCIDENT"]
USED = set(REQUIRED + OPTIONAL)

chars = st.one_of(st.characters(blacklist_categories=("Cs",)), st.sampled_from(TRICKY))
small_text = st.text(chars, max_size=25)
cell = st.one_of(small_text, st.sampled_from(ODD_VALUES))
header_name = small_text.filter(lambda s: s.strip() not in USED and ";" not in s)


def bad_row(columns: list[str]) -> st.SearchStrategy[dict[str, str]]:
    """A row whose id can never be a good row's (``B`` first) and whose cells are random."""
    return st.fixed_dictionaries(
        {c: (st.builds(lambda s: "B" + s, small_text) if c == "note_id" else cell)
         for c in columns})


def good_rows() -> list[dict[str, str]]:
    return [{"note_id": nid, "person_id": "P-1", "date": f"2026-03-0{nid[-1]}", "text": text}
            for nid, (text, _) in GOOD_NOTES.items()]


@st.composite
def table(draw: st.DrawFn) -> tuple[list[str], list[dict[str, object]]]:
    """Columns (required ones in any order, odd extras) and good rows among bad ones."""
    columns = draw(st.permutations([*REQUIRED, *draw(st.lists(header_name, max_size=3))]))
    bad = draw(st.lists(bad_row(columns), max_size=6))
    if draw(st.booleans()):
        huge = draw(st.sampled_from(["x", "é", "\n", "Staff locked the door. "]))
        bad.append({"note_id": "B-huge", "person_id": "P-2", "date": "2026-03-01",
                    draw(st.sampled_from(columns)): huge * (140_000 // len(huge))})
    rows: list[dict[str, object]] = [*bad]
    for i, good in enumerate(good_rows()):
        rows.insert(draw(st.integers(0, len(bad) + i)), good)
    return columns, rows


def check(run: Audit) -> None:
    assert run.result.exit_code == 0, run.output
    run.assert_good_rows_flagged()


@pytest.fixture
def fuzz_audit(audit: Callable[..., Audit]) -> Callable[[str, bytes], Audit]:
    def run(suffix: str, data: bytes) -> Audit:
        with tempfile.TemporaryDirectory() as tmp:
            path = Path(tmp) / f"export{suffix}"
            path.write_bytes(data)
            result = audit(path, out=Path(tmp) / "out")
            check(result)
            return result

    return run


@FUZZ
@given(data=table(), encoding=st.sampled_from(["utf-8", "utf-8-sig", "utf-16", "cp1252"]))
def test_fuzzed_csv(fuzz_audit: Callable[[str, bytes], Audit], data, encoding: str) -> None:
    columns, rows = data
    buf = io.StringIO()
    writer = csv.writer(buf)
    writer.writerow(columns)
    writer.writerows([[str(r.get(c, "")) for c in columns] for r in rows])
    fuzz_audit(".csv", buf.getvalue().encode(encoding, errors="replace"))


json_value = st.recursive(
    st.one_of(st.none(), st.booleans(), st.integers(), st.floats(allow_nan=False), small_text),
    lambda inner: st.one_of(st.lists(inner, max_size=3),
                            st.dictionaries(small_text, inner, max_size=3)),
    max_leaves=8,
)
odd_line = st.one_of(
    json_value.map(json.dumps),
    st.sampled_from(["", "   ", "[1, 2]", "{", "nul", '"text"', "[" * 3000 + "]" * 3000,
                     '{"note_id": ' + "7" * 5000 + "}", '{"a": 1, "a": 2}']),
    st.builds(lambda r: json.dumps(r, ensure_ascii=False), bad_row(list(REQUIRED))),
)


@FUZZ
@given(lines=st.lists(odd_line, max_size=8), garbage=st.lists(st.binary(max_size=20), max_size=2),
       data=st.data(), utf16=st.booleans())
def test_fuzzed_jsonl(
    fuzz_audit: Callable[[str, bytes], Audit], lines: list[str], garbage: list[bytes],
    data: st.DataObject, utf16: bool,
) -> None:
    for good in good_rows():
        lines.insert(data.draw(st.integers(0, len(lines))), json.dumps(good))
    if utf16:
        fuzz_audit(".jsonl", "\n".join(lines).encode("utf-16"))
        return
    raw = [line.encode("utf-8") for line in lines]
    for blob in garbage:  # bytes that may be no text at all, on lines of their own
        raw.insert(data.draw(st.integers(0, len(raw))), blob.replace(b"\n", b" "))
    fuzz_audit(".jsonl", b"\n".join(raw) + b"\n")


xlsx_cell = st.one_of(
    st.none(), st.booleans(), st.integers(-(10**12), 10**12), st.floats(allow_nan=False,
                                                                        allow_infinity=False),
    st.datetimes(min_value=datetime(1900, 3, 1), max_value=datetime(9999, 1, 1)),
    cell.map(lambda s: ILLEGAL_CHARACTERS_RE.sub("", s)),
)


@FUZZ
@given(data=table(), extra=st.lists(st.lists(xlsx_cell, max_size=6), max_size=4),
       far=st.booleans())
def test_fuzzed_xlsx(
    fuzz_audit: Callable[[str, bytes], Audit], data, extra: list[list[object]], far: bool
) -> None:
    columns, rows = data
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append([ILLEGAL_CHARACTERS_RE.sub("", c) for c in columns])
    for r in rows:
        ws.append([ILLEGAL_CHARACTERS_RE.sub("", str(r.get(c, ""))) for c in columns])
    for k, values in enumerate(extra):  # rows of any cell type, ids never a good row's
        row = [values[i % len(values)] if values else None for i in range(len(columns))]
        row[columns.index("note_id")] = f"B-x{k}"
        ws.append(row)
    if far:
        ws["XFD1048576"] = "far away"
    buf = io.BytesIO()
    wb.save(buf)
    fuzz_audit(".xlsx", buf.getvalue())
