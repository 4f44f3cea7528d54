"""Issue 14, inputs: every bad input through ``careaudit audit``.

Each test asserts the exit code, a message naming the file, row and column, that the
good rows are still audited and flagged, and a bound on time (and, at the reader,
on memory: see tests/records/test_input_limits.py).
"""

from __future__ import annotations

import codecs
import csv
import io
import json
import os
import sys
from collections.abc import Callable
from pathlib import Path

import openpyxl
import pytest

from tests.cli.conftest import GOOD_NOTES, Audit, good_csv_rows, good_jsonl_lines, run_with_timeout

HEADER = ["note_id", "person_id", "date", "text"]


def write_csv(path: Path, rows: list[list[str]], header: list[str] = HEADER, **kw: str) -> Path:
    buf = io.StringIO()
    csv.writer(buf).writerows([header, *rows])
    path.write_text(buf.getvalue(), encoding=kw.get("encoding", "utf-8"), newline="")
    return path


def rejected_at(run: Audit, row: int) -> dict[str, str]:
    (found,) = [r for r in run.rejected() if r["row"] == str(row)]
    return found


def test_csv_cell_over_the_csv_field_limit(tmp_path: Path, audit: Callable[..., Audit]) -> None:
    """A 200,000-character cell (csv's default limit is 131,072) no longer stops the file."""
    rows = good_csv_rows()
    rows.insert(1, ["B-1", "P-1", "2026-03-01", "Staff supported Ann to cook. " * 7000])
    rows.insert(2, ["x" * 200_000, "P-1", "2026-03-01", "An id that is a shifted column."])
    run = audit(write_csv(tmp_path / "big.csv", rows))
    run.assert_good_rows_flagged()
    assert "B-1" in run.note_ids()  # the long note itself is audited (in pieces)
    bad = rejected_at(run, 4)
    assert bad["column"] == "note_id" and "200,000 characters" in bad["reason"]
    assert "big.csv row 4 column note_id" in run.output
    assert run.seconds < 60


def test_jsonl_lines_that_break_the_parser_reject_only_themselves(
    tmp_path: Path, audit: Callable[..., Audit]
) -> None:
    good = good_jsonl_lines()
    deep = '{"note_id": "B-1", "person_id": "P-1", "date": "2026-03-01", "text": ' + (
        "[" * 50_000 + "]" * 50_000 + "}"
    )
    big_int = '{"note_id": ' + "9" * 5000 + ', "person_id": "P-1", "date": "2026-03-01"}'
    twice = '{"note_id": "B-3", "note_id": "G-1", "person_id": "P-1", "date": "2026-03-01"}'
    lines = [good[0], deep, good[1], big_int, twice, good[2]]
    path = tmp_path / "notes.jsonl"
    path.write_bytes(("\n".join(lines) + "\n").encode() + b'{"note_id": "B-4", "text": "\xff"}\n')
    run = audit(path)
    run.assert_good_rows_flagged()
    reasons = {int(r["row"]): r["reason"] for r in run.rejected()}
    assert "nested too deeply" in reasons[2]
    assert "not valid JSON" in reasons[4] and "digits" in reasons[4]
    assert "'note_id' appears twice" in reasons[5]
    assert "not UTF-8" in reasons[7]
    assert "notes.jsonl row 2" in run.output
    assert run.seconds < 30


def test_very_large_note_is_cut_with_a_warning(
    tmp_path: Path, audit: Callable[..., Audit], monkeypatch: pytest.MonkeyPatch
) -> None:
    """A 5 MB note: cut at MAX_NOTE_CHARS (lowered here to keep the test fast), warned."""
    monkeypatch.setattr("nlp.records.exports.MAX_NOTE_CHARS", 40_000)
    text = "She had a cup of tea with her friend. " * 140_000  # 5.3 MB
    lines = [*good_jsonl_lines(), json.dumps(
        {"note_id": "B-1", "person_id": "P-1", "date": "2026-03-01", "text": text})]
    path = tmp_path / "notes.jsonl"
    path.write_text("\n".join(lines) + "\n")
    run = audit(path)
    run.assert_good_rows_flagged()
    warning = rejected_at(run, 4)
    assert warning["action"] == "warning" and warning["column"] == "text"
    assert "only the first" in warning["reason"] and "5,319,999 characters" in warning["reason"]
    notes = [json.loads(x) for x in (run.out / "notes.jsonl").read_text().splitlines()]
    (long_note,) = [n for n in notes if n["note_id"] == "B-1"]
    assert 36_000 <= len(long_note["text"]) <= 40_000
    assert run.seconds < 60


def test_xlsx_used_range_to_xfd_is_read_bounded(
    tmp_path: Path, audit: Callable[..., Audit]
) -> None:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(HEADER)
    for row in good_csv_rows():
        ws.append(row)
    ws.append([])
    ws.append(["B-1", "", "2026-03-01", "No person."])
    ws["XFD1"] = "junk header far right"
    ws["XFD1048576"] = "junk"
    path = tmp_path / "wide.xlsx"
    wb.save(path)
    assert path.stat().st_size < 10_000
    run = audit(path)
    run.assert_good_rows_flagged()
    assert rejected_at(run, 6)["column"] == "person_id"  # sheet row numbers survive blanks
    assert run.seconds < 30


@pytest.mark.parametrize("target", ["/dev/zero", "fifo", "link-to-dev-zero"])
def test_non_regular_input_refused_at_once(
    tmp_path: Path, audit: Callable[..., Audit], target: str
) -> None:
    if target == "/dev/zero":
        path = Path("/dev/zero")
        if not path.exists():
            pytest.skip("no /dev/zero here")
    elif target == "fifo":
        if not hasattr(os, "mkfifo"):
            pytest.skip("no FIFOs here")
        path = tmp_path / "notes.csv"
        os.mkfifo(path)
    else:
        path = tmp_path / "notes.csv"
        path.symlink_to("/dev/zero")
    run = run_with_timeout(lambda: audit(path), 30)
    assert isinstance(run, Audit)
    assert run.result.exit_code == 2
    assert "is not a regular file" in run.output and str(path.name) in run.output
    assert run.seconds < 10


def test_input_size_cap_is_a_clear_message(
    tmp_path: Path, audit: Callable[..., Audit], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("nlp.records.exports.MAX_INPUT_BYTES", 100)
    run = audit(write_csv(tmp_path / "notes.csv", good_csv_rows()))
    assert run.result.exit_code == 2
    assert "notes.csv" in run.output and "careaudit reads as csv" in run.output


@pytest.mark.skipif(sys.platform != "linux", reason="needs a file system with byte file names")
def test_non_utf8_file_name_with_a_rejected_row(
    tmp_path: Path, audit: Callable[..., Audit]
) -> None:
    folder = os.fsencode(tmp_path)
    path = Path(os.fsdecode(folder + b"/notes-\xff\xfe.csv"))
    rows = [*good_csv_rows(), ["B-1", "", "2026-03-01", "No person id."]]
    write_csv(path, rows)
    out = Path(os.fsdecode(folder + b"/out-\xff"))
    run = audit(path, out=out)
    run.assert_good_rows_flagged()
    (bad,) = run.rejected()
    assert bad["file"].endswith("notes-\\xff\\xfe.csv") and bad["column"] == "person_id"
    summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    assert summary["rejected"] == 1
    assert "notes-\\xff\\xfe.csv row 5 column person_id" in run.output


def test_out_naming_an_existing_file_fails_before_the_audit(
    tmp_path: Path, audit: Callable[..., Audit]
) -> None:
    existing = tmp_path / "out.txt"
    existing.write_text("keep me")
    run = audit(write_csv(tmp_path / "notes.csv", good_csv_rows()), out=existing)
    assert run.result.exit_code == 2 and "exists and is not a folder" in run.output
    assert existing.read_text() == "keep me" and run.seconds < 10


@pytest.mark.skipif(not hasattr(os, "geteuid") or os.geteuid() == 0,
                    reason="root writes into a chmod'ed folder (see the probe tests)")
def test_out_in_a_read_only_folder_fails_before_the_audit(
    tmp_path: Path, audit: Callable[..., Audit]
) -> None:
    locked = tmp_path / "locked"
    locked.mkdir()
    locked.chmod(0o500)
    try:
        run = audit(write_csv(tmp_path / "notes.csv", good_csv_rows()), out=locked / "run")
    finally:
        locked.chmod(0o700)
    assert run.result.exit_code == 2 and "is not writable" in run.output


@pytest.mark.skipif(not Path("/proc/self").is_dir(), reason="needs Linux /proc")
def test_out_in_a_place_even_root_cannot_write(tmp_path: Path, audit: Callable[..., Audit]) -> None:
    """/proc refuses new files to everyone: the probe file finds it, os.access (root) does not."""
    run = audit(write_csv(tmp_path / "notes.csv", good_csv_rows()), out=Path("/proc/careaudit"))
    assert run.result.exit_code == 2 and "is not writable" in run.output
    assert run.seconds < 10


def test_out_probe_failure_is_reported(
    tmp_path: Path, audit: Callable[..., Audit], monkeypatch: pytest.MonkeyPatch
) -> None:
    """A folder that refuses the probe file (a read-only mount) stops the run before work."""

    def refuse(*_a: object, **_k: object) -> None:
        raise PermissionError(30, "Read-only file system")

    monkeypatch.setattr("tempfile.mkstemp", refuse)
    run = audit(write_csv(tmp_path / "notes.csv", good_csv_rows()), out=tmp_path / "ro" / "run")
    assert run.result.exit_code == 2
    assert "is not writable (Read-only file system)" in run.output
    assert not (tmp_path / "ro").exists()


@pytest.mark.parametrize("root", ["/", "/.", "//"])
def test_out_root_is_refused(tmp_path: Path, audit: Callable[..., Audit], root: str) -> None:
    run = audit(write_csv(tmp_path / "notes.csv", good_csv_rows()), out=Path(root))
    assert run.result.exit_code == 2 and "refusing to write a run into /" in run.output
    assert not Path("/flags.csv").exists()


def test_invisible_and_look_alike_characters_do_not_silence_flags(
    tmp_path: Path, audit: Callable[..., Audit]
) -> None:
    """Zero-width space, soft hyphen, a right-to-left override and Cyrillic look-alikes."""
    clean = {
        "N-1": "Staff washed and dressed Mary this morning.",
        "N-2": "The kitchen was locked at night.",
        "N-3": "Staff took his phone away.",
        "N-4": "Staff fed him his breakfast.",
    }
    disguised = {
        "N-1": "Staff wa\u200bshed and dre\u200bssed Mary this morning.",
        "N-2": "The kitchen was lo\u00adcked at night.",
        "N-3": "Staff \u202eyawa enohp sih koot\u202c.",
        "N-4": "Staff f\u0435d him his br\u0435\u0430kf\u0430st.",  # Cyrillic е and а
    }
    found = {}
    for name, notes in (("clean", clean), ("disguised", disguised)):
        path = tmp_path / f"{name}.jsonl"
        path.write_text("".join(
            json.dumps({"note_id": k, "person_id": "P-1", "date": "2026-03-01", "text": v}) + "\n"
            for k, v in notes.items()))
        run = audit(path)
        assert run.result.exit_code == 0, run.output
        found[name] = sorted((f["note_id"], f["category"], f["span_text"]) for f in run.flags())
        texts = {json.loads(x)["note_id"]: json.loads(x)["text"]
                 for x in (run.out / "notes.jsonl").read_text().splitlines()}
        for f in run.flags():  # offsets point into the cleaned text notes.jsonl holds
            assert texts[f["note_id"]][int(f["start"]):int(f["end"])] == f["span_text"]
    assert found["disguised"] == found["clean"]
    assert {n for n, _, _ in found["disguised"]} == set(clean)  # all four notes flagged


@pytest.mark.parametrize("encoding", ["utf-16", "utf-16-le", "utf-16-be", "utf-32"])
def test_utf16_and_utf32_csv(tmp_path: Path, audit: Callable[..., Audit], encoding: str) -> None:
    path = tmp_path / "notes.csv"
    text = "note_id,person_id,date,text\r\n" + "".join(
        f"{','.join(r)}\r\n" for r in good_csv_rows())
    data = text.encode(encoding)
    if encoding == "utf-16-be":
        data = codecs.BOM_UTF16_BE + data
    path.write_bytes(data)
    audit(path).assert_good_rows_flagged()


def test_two_columns_with_one_name_are_refused_naming_both(
    tmp_path: Path, audit: Callable[..., Audit]
) -> None:
    header = ["note_id", "text", "person_id", "date", "text"]
    rows = [[nid, "old text", "P-1", "2026-03-01", text] for nid, (text, _) in GOOD_NOTES.items()]
    run = audit(write_csv(tmp_path / "notes.csv", rows, header=header))
    assert run.result.exit_code == 2
    assert "'text' (text) appears 2 times, at B (column 2) and E (column 5)" in run.output.replace(
        "\n", " ").replace("  ", " ")


def test_placeholder_and_foreign_digit_dates(tmp_path: Path, audit: Callable[..., Audit]) -> None:
    rows = [
        *good_csv_rows(),
        ["B-1", "P-1", "9999-12-31", "Staff supported Ann to cook."],
        ["B-2", "P-1", "0001-01-01", "Staff supported Ann to cook tea."],
        ["B-3", "P-1", "١٤/٠٣/٢٠٢٦", "Staff supported Ann to shop."],
        ["B-4", "P-1", "٤٥٠٠٠", "Staff supported Ann to bake."],
    ]
    run = audit(write_csv(tmp_path / "notes.csv", rows))
    run.assert_good_rows_flagged()
    got = {int(r["row"]): r for r in run.rejected()}
    assert got[5]["action"] == got[6]["action"] == "warning" and got[5]["column"] == "date"
    assert "after 2100" in got[5]["reason"] and "before 1900" in got[6]["reason"]
    assert got[7]["action"] == got[8]["action"] == "rejected" and got[7]["column"] == "date"
    assert "digits other than 0-9 (Arabic-Indic)" in got[8]["reason"]
    assert {"B-1", "B-2"} <= run.note_ids() and not {"B-3", "B-4"} & run.note_ids()


def test_nul_and_control_characters_never_reach_flags_csv(
    tmp_path: Path, audit: Callable[..., Audit]
) -> None:
    rows = [[f"{nid[:2]}\x00{nid[2:]}", "P\x00-1\u202e", "2026-03-0" + nid[-1], f"\x07{text}\x1b"]
            for nid, (text, _) in GOOD_NOTES.items()]
    run = audit(write_csv(tmp_path / "notes.csv", rows))
    run.assert_good_rows_flagged()
    raw = (run.out / "flags.csv").read_bytes() + (run.out / "notes.jsonl").read_bytes()
    assert b"\x00" not in raw and b"\x07" not in raw and b"\x1b" not in raw
    assert "\u202e".encode() not in raw
    assert {f["person_id"] for f in run.flags()} == {"P-1"}
    warnings = [r for r in run.rejected() if r["column"] == "note_id"]
    assert len(warnings) == 3 and all(r["action"] == "warning" for r in warnings)
