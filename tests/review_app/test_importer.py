"""Importing audit runs: bad rows are named and skipped, good rows still land."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from review_app.importer import RunImportError, import_run
from review_app.store import list_flags, list_runs, make_engine

from .conftest import RUN_A


@pytest.fixture
def run_copy(tmp_path: Path) -> Path:
    target = tmp_path / "run"
    shutil.copytree(RUN_A, target)
    return target


def test_bad_rows_are_reported_with_file_line_and_field(run_copy: Path, sqlite_url: str) -> None:
    flags = (run_copy / "flags.jsonl").read_text().splitlines()
    good = json.loads(flags[0])
    bad_rows = [
        "{not json",
        json.dumps({**good, "flag_id": "F-x1", "category": "vibes"}),
        json.dumps({**good, "flag_id": "F-x2", "note_id": "N-9999"}),
        json.dumps({**good, "flag_id": "F-x3", "start": "twelve"}),
        json.dumps({**good, "flag_id": "F-x4", "start": 5, "end": 5000}),
    ]
    (run_copy / "flags.jsonl").write_text("\n".join([*flags, *bad_rows]) + "\n")
    with (run_copy / "notes.jsonl").open("a") as fh:
        fh.write(json.dumps({"note_id": "N-0100", "person_id": "P-1"}) + "\n")
        fh.write(json.dumps({"note_id": "N-0101", "date": "14/03/2026", "text": "Fine."}) + "\n")
    report = import_run(make_engine(sqlite_url), run_copy)
    n = len(flags)
    assert report.errors == [
        "notes.jsonl line 9: missing or empty field 'text'",
        "notes.jsonl line 10: field 'date' is '14/03/2026', not a date like 2026-03-14",
        f"flags.jsonl line {n + 1}: not valid JSON (Expecting property name enclosed in double "
        "quotes)",
        f"flags.jsonl line {n + 2}: field 'category' is 'vibes', not one of ('doing_for', "
        "'unrecorded_restriction', 'missing_rationale', 'plan_gap')",
        f"flags.jsonl line {n + 3}: field 'note_id' 'N-9999' is not in notes.jsonl",
        f"flags.jsonl line {n + 4}: field 'start' is 'twelve', not an integer",
        f"flags.jsonl line {n + 5}: fields 'start'/'end' (5, 5000) lie outside the note text "
        "(length 122)",
    ]
    assert report.flags_new == 13
    assert len(list_flags(make_engine(sqlite_url))) == 13


def test_csv_fallback_and_missing_summary(run_copy: Path, sqlite_url: str) -> None:
    (run_copy / "flags.jsonl").unlink()
    (run_copy / "summary.json").unlink()
    engine = make_engine(sqlite_url)
    report = import_run(engine, run_copy)
    assert report.errors == [] and report.flags_new == 13
    assert report.run_id.startswith("run-") and "missing" in report.warnings[0]
    flag = next(f for f in list_flags(engine) if f.category == "unrecorded_restriction")
    assert isinstance(flag.start, int) and isinstance(flag.score, float)
    assert flag.text[flag.start : flag.end] == flag.span_text
    again = import_run(engine, run_copy)
    assert again.run_id == report.run_id and again.flags_new == 0
    assert len(list_runs(engine)) == 1


@pytest.mark.parametrize(
    ("remove", "message"),
    [("notes.jsonl", "notes.jsonl missing"), ("flags", "no flags.jsonl or flags.csv")],
)
def test_not_a_run_directory(run_copy: Path, sqlite_url: str, remove: str, message: str) -> None:
    for name in ("flags.jsonl", "flags.csv") if remove == "flags" else (remove,):
        (run_copy / name).unlink()
    with pytest.raises(RunImportError, match=message):
        import_run(make_engine(sqlite_url), run_copy)
