"""Issue 14, inputs, at the reader: memory and time bounds, encodings, text normalisation.

The same findings are tested end to end through the CLI in tests/cli/test_bad_inputs.py.
"""

from __future__ import annotations

import csv
import json
import os
import time
import tracemalloc
from collections.abc import Callable
from pathlib import Path

import openpyxl
import pytest

from nlp.records import exports
from nlp.records.exports import RecordsError, cut_text, display_name, read_date, read_notes
from nlp.records.text_clean import clean_field, clean_text, confusables

HEADER = "note_id,person_id,date,text\n"


def peak_mb(action: Callable[[], object]) -> tuple[object, float]:
    """``action()`` and the peak of Python-level allocations it made, in MB."""
    tracemalloc.start()
    try:
        value = action()
        return value, tracemalloc.get_traced_memory()[1] / 1e6
    finally:
        tracemalloc.stop()


def test_xlsx_claiming_a_used_range_to_xfd_reads_in_little_memory(tmp_path: Path) -> None:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["note_id", "person_id", "date", "text"])
    ws.append(["N1", "P1", "2026-03-01", "Staff washed Mary."])
    ws["XFD200000"] = "x"  # the used range reaches column XFD (16,384 columns)
    path = tmp_path / "wide.xlsx"
    wb.save(path)
    result, peak = peak_mb(lambda: read_notes(path))  # pandas: ~1 GB (issue 14)
    assert [n.note_id for n in result.notes] == ["N1"]  # type: ignore[attr-defined]
    assert peak < 50
    ws["XFD1048576"] = "x"  # and the last row (time, untraced; the CLI test does this too)
    wb.save(path)
    started = time.perf_counter()
    assert [n.note_id for n in read_notes(path).notes] == ["N1"]
    assert time.perf_counter() - started < 20


def test_xlsx_duplicate_headers_and_blank_rows(tmp_path: Path) -> None:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["note_id", "person_id", "date", "text", "date"])
    ws.append(["N1", "P1", "2026-03-01", "Staff washed Mary.", "2020-01-01"])
    path = tmp_path / "dup.xlsx"
    wb.save(path)
    with pytest.raises(RecordsError, match=r"'date' \(date\) appears 2 times, at C .* and E"):
        read_notes(path)


def test_workbook_that_unpacks_too_large_is_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    wb = openpyxl.Workbook()
    wb.active.append(["note_id", "person_id", "date", "text"])
    wb.save(tmp_path / "n.xlsx")
    monkeypatch.setattr(exports, "MAX_WHOLE_FILE_BYTES", (tmp_path / "n.xlsx").stat().st_size)
    with pytest.raises(RecordsError, match="unpacks to"):
        read_notes(tmp_path / "n.xlsx")


def test_big_csv_cell_reads_in_bounded_memory(tmp_path: Path) -> None:
    path = tmp_path / "n.csv"
    path.write_text(HEADER + 'N1,P1,2026-03-01,"' + "word " * 300_000 + '"\nN2,P1,2026-03-01,ok\n')
    result, peak = peak_mb(lambda: read_notes(path))
    assert [n.note_id for n in result.notes] == ["N1", "N2"]  # type: ignore[attr-defined]
    assert peak < 120  # the 1.5 MB cell, cleaned: a few copies, not a blow-up


def test_a_row_the_csv_module_cannot_parse_is_rejected_alone(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    previous = csv.field_size_limit(1000)
    monkeypatch.setattr(exports, "MAX_CELL_CHARS", 1000)
    try:
        path = tmp_path / "n.csv"
        path.write_text(HEADER + "N1,P1,2026-03-01,ok\nN2,P1,2026-03-01," + "x" * 5000
                        + "\nN3,P1,2026-03-01,fine\n")
        result = read_notes(path)
    finally:
        csv.field_size_limit(previous)
    assert [n.note_id for n in result.notes] == ["N1", "N3"]
    (problem,) = result.problems
    assert problem.row == 3 and "field larger than field limit" in problem.reason


def test_jsonl_line_over_the_line_limit_is_skipped(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(exports, "MAX_LINE_BYTES", 1000)
    path = tmp_path / "n.jsonl"
    lines = [json.dumps({"note_id": f"N{i}", "person_id": "P", "date": "2026-03-01",
                         "text": "t" * (5000 if i == 2 else 10)}) for i in range(1, 4)]
    path.write_text("\n".join(lines) + "\n")
    result = read_notes(path)
    assert [n.note_id for n in result.notes] == ["N1", "N3"]
    assert result.problems[0].row == 2 and "longer than" in result.problems[0].reason


def test_big_json_integer_ids_are_kept_exactly(tmp_path: Path) -> None:
    path = tmp_path / "n.jsonl"
    rows = [{"note_id": 9007199254740993, "person_id": "P", "date": "2026-03-01", "text": "a"},
            {"person_id": "P", "date": "2026-03-01", "text": "no id"},
            {"note_id": 1.5, "person_id": "P", "date": "2026-03-01", "text": "b"}]
    path.write_text("".join(json.dumps(r) + "\n" for r in rows))
    result = read_notes(path)
    assert [n.note_id for n in result.notes] == ["9007199254740993", "1.5"]


def test_json_values_that_are_not_text_are_refused(tmp_path: Path) -> None:
    path = tmp_path / "n.jsonl"
    rows = [{"note_id": "N1", "person_id": ["P"], "date": "2026-03-01", "text": "a"},
            {"note_id": "N2", "person_id": "P", "date": "2026-03-01", "text": "line\u2028two"}]
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows))
    result = read_notes(path)
    assert [n.note_id for n in result.notes] == ["N2"]  # a raw U+2028 does not end a line
    assert result.notes[0].text == "line\ntwo"
    assert result.problems[0].column == "person_id" and "JSON list" in result.problems[0].reason


@pytest.mark.parametrize("size", [10**9, 10])
def test_size_caps(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, size: int) -> None:
    path = tmp_path / "n.json"
    path.write_text(json.dumps([{"note_id": "N1", "person_id": "P", "date": "2026-03-01",
                                 "text": "Staff washed him."}]))
    monkeypatch.setattr(exports, "MAX_WHOLE_FILE_BYTES", size)
    if size < path.stat().st_size:
        with pytest.raises(RecordsError, match="export as CSV or JSONL"):
            read_notes(path)
    else:
        assert len(read_notes(path).notes) == 1


def test_deep_json_document_is_one_clear_error(tmp_path: Path) -> None:
    path = tmp_path / "n.json"
    path.write_text("[" * 100_000 + "]" * 100_000)
    with pytest.raises(RecordsError, match="nested too deeply"):
        read_notes(path)


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no FIFOs here")
def test_fifo_register_is_refused(tmp_path: Path) -> None:
    from nlp.records.register import RegisterError, read_register

    os.mkfifo(tmp_path / "register.csv")
    with pytest.raises(RegisterError, match="not a regular file"):
        read_register(tmp_path / "register.csv")


def test_utf16_without_bom_and_broken_utf16(tmp_path: Path) -> None:
    text = HEADER + "N1,P1,2026-03-01,Staff washed Mary.\n"
    (tmp_path / "le.csv").write_bytes(text.encode("utf-16-le"))
    assert [n.note_id for n in read_notes(tmp_path / "le.csv").notes] == ["N1"]
    (tmp_path / "bad.csv").write_bytes(b"\xff\xfe" + text.encode("utf-16-le") + b"\x00\xd8")
    with pytest.raises(RecordsError, match="looks like UTF-16 text but is not valid"):
        read_notes(tmp_path / "bad.csv")


def test_display_name_escapes_undecodable_and_control_characters() -> None:
    name = os.fsdecode(b"/x/notes\xff\n\xe2\x80\xae.csv")
    assert display_name(name) == "/x/notes\\xff\\n\\u202e.csv"
    assert display_name("/x/café.csv") == "/x/café.csv"


@pytest.mark.parametrize(("raw", "iso", "problem"), [
    ("2026-03-14", "2026-03-14", ""),
    ("9999-12-31", "9999-12-31", "after 2100"),
    ("0001-01-01", "0001-01-01", "before 1900"),
    ("١٤/٠٣/٢٠٢٦", None, "Arabic-Indic"),
    ("２０２６-０３-１４", None, "Fullwidth"),
    ("2026-03-1\u0664", None, "digits other than 0-9"),
    ("\x002026-03-14\u200b", "2026-03-14", ""),
    ("not a date", None, ""),
    (10**400, None, ""),  # a JSON integer of 401 digits: no OverflowError
])
def test_read_date(raw: str, iso: str | None, problem: str) -> None:
    got, why = read_date(raw)
    assert got == iso and problem in why and (bool(why) == bool(problem))


def test_cut_text_prefers_a_sentence_end() -> None:
    text = "One sentence here. " * 100
    cut = cut_text(text, 500)
    assert len(cut) <= 500 and cut.endswith(".")
    assert cut_text("x" * 1000, 100) == "x" * 100


@pytest.mark.parametrize(("raw", "clean"), [
    ("Staff wa\u200bshed Mary", "Staff washed Mary"),
    ("door lo\u00adcked", "door locked"),
    ("Staff w\u0430shed M\u0430ry", "Staff washed Mary"),
    ("Staff \u202edehsaw\u202c Mary", "Staff washed Mary"),
    ("Staff \u202eyawa enohp sih koot", "Staff took his phone away"),
    ("ｓｔａｆｆ ｆｅｄ", "staff fed"),
    ("PRN g\u2060iven", "PRN given"),
    ("a\x00b\x07c\x85d\x7fe", "abcde"),
    ("x\ud800y", "x\ufffdy"),
    ("one\u2028two", "one\ntwo"),
    ("Привет, Ελλάδα", "Привет, Ελλάδα"),  # real Cyrillic and Greek words are left alone
])
def test_clean_text_normalises_what_hides_words(raw: str, clean: str) -> None:
    assert clean_text(raw) == clean


def test_clean_field_strips_controls_and_invisibles() -> None:
    assert clean_field(" N\x00-1\u200b\u202e ") == "N-1"


def test_confusables_are_data_and_map_to_ascii() -> None:
    table = confusables()
    assert len(table) > 50 and all(v.isascii() and len(v) == 1 for v in table.values())
    assert table["\u0430"] == "a" and table["\u03bf"] == "o"


def test_cheap_pass_is_linear_in_note_length(analyzer) -> None:
    """Sentence marking and per-sentence evidence were quadratic (100k chars: 20 s)."""
    from nlp.schema import Note

    def seconds(chars: int) -> float:
        text = "She had a cup of tea with her friend and they talked. " * (chars // 54)
        note = Note("N", "P", "2026-03-01", text)
        started = time.perf_counter()
        list(analyzer.analyse([note]))
        return time.perf_counter() - started

    seconds(5_000)  # warm up
    medium, large = seconds(100_000), seconds(400_000)
    assert large < 20 and large < 12 * medium + 1  # 4x the text: nowhere near 16x


def test_flag_ids_hash_a_long_note_once() -> None:
    from nlp.schema import make_flag_id

    text = "x" * 2_000_000
    started = time.perf_counter()
    ids = {make_flag_id("N", text, "doing_for", i, i + 5) for i in range(5000)}
    assert len(ids) == 5000 and time.perf_counter() - started < 2
