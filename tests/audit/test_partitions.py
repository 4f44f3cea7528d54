"""Partitions of an export read back exactly what read_notes reads from the whole file.

Every format, several partition sizes, multi-line quoted CSV fields, JSONL blank and
broken lines, and duplicate ids across partitions (decided over the whole file).
"""

from __future__ import annotations

import csv
import json
import shutil
from pathlib import Path

import pandas as pd
import pytest

from nlp.audit.partitions import duplicate_problems, expand_inputs, plan_file, read_partition
from nlp.records.exports import RecordsError, read_notes

SAMPLE = Path(__file__).resolve().parents[2] / "examples" / "sample_notes.csv"


@pytest.fixture(scope="module")
def exports(tmp_path_factory) -> dict[str, Path]:
    d = tmp_path_factory.mktemp("exports")
    frame = pd.read_csv(SAMPLE, dtype=str, encoding="cp1252", keep_default_na=False)
    shutil.copy(SAMPLE, d / "cp1252.csv")
    frame.to_csv(d / "semicolon_crlf.csv", sep=";", index=False, lineterminator="\r\n")
    frame.to_csv(d / "tabs.tsv", sep="\t", index=False)
    frame.head(40).to_csv(d / "utf16.csv", index=False, encoding="utf-16")
    frame.to_parquet(d / "groups.parquet", row_group_size=37)
    frame.head(60).to_excel(d / "sheet.xlsx", index=False)
    lines = [json.dumps(r) for r in frame.to_dict("records")]
    lines[3:3] = ["", "{broken", "[1, 2]"]
    (d / "bom.jsonl").write_bytes(b"\xef\xbb\xbf" + "\r\n".join([*lines, "", ""]).encode())
    rows = frame.head(12).to_dict("records")
    rows[2]["text"] = "Line one of a note.\nLine two, with a comma."
    rows += [{**rows[1]}, {**rows[1], "text": "Other text."}, {**rows[1]}, {**rows[2]}]
    with (d / "repeats.csv").open("w", newline="", encoding="utf-8") as fh:
        w = csv.DictWriter(fh, fieldnames=list(frame.columns))
        w.writeheader()
        w.writerows(rows)
    return {p.name: p for p in d.iterdir()}


def read_in_partitions(path: Path, rows: int):
    plan = plan_file(path, rows, {})
    assert not plan.error, plan.error
    notes, problems, ids, rows_to = [], [], [], 0
    for part in plan.partitions:
        got = read_partition(part, {})
        rows_to = max(rows_to, got.rows_to)
        notes += [(row, note) for row, note, _ in got.notes]
        problems += [(p.row, 0, p) for p in got.problems]
        ids += [(row, n.note_id, sha, True) for row, n, sha in got.notes]
    dups, dropped = duplicate_problems(str(path), sorted(ids, key=lambda t: t[0]), {})
    problems = sorted(problems + [(p.row, 1, p) for p in dups], key=lambda t: t[:2])
    kept = [note for row, note in notes if row not in dropped]
    return plan, kept, [p for _, _, p in problems], rows_to


@pytest.mark.parametrize(
    "name",
    [
        "cp1252.csv",
        "semicolon_crlf.csv",
        "tabs.tsv",
        "utf16.csv",
        "groups.parquet",
        "sheet.xlsx",
        "bom.jsonl",
        "repeats.csv",
    ],
)
@pytest.mark.parametrize("rows", [3, 50])
def test_partitions_read_what_the_whole_file_reads(exports, name, rows):
    path = exports[name]
    whole = read_notes(path)
    plan, notes, problems, rows_to = read_in_partitions(path, rows)
    assert len(plan.partitions) > 1 or rows > 12
    assert notes == whole.notes
    assert problems == whole.problems
    assert rows_to == whole.rows


def test_duplicates_across_partitions_name_the_first_row(exports):
    _, _, problems, _ = read_in_partitions(exports["repeats.csv"], 3)
    reasons = [(p.row, p.action, p.reason) for p in problems]
    assert (14, "skipped", "duplicate of row 3 (same text); skipped") in reasons
    assert any(row == 15 and "different text (first at row 3)" in r for row, _, r in reasons)
    assert (16, "skipped", "duplicate of row 3 (same text); skipped") in reasons


def test_a_file_without_a_required_column_is_one_problem(tmp_path):
    path = tmp_path / "no_text.csv"
    path.write_text("note_id,person_id,date\n1,P-1,2026-01-01\n")
    plan = plan_file(path, 10, {})
    assert plan.partitions == [] and "missing required column(s): text" in plan.error


def test_inputs_expand_folders_and_globs_in_order(tmp_path):
    (tmp_path / "b").mkdir()
    for name in ("b/2.csv", "b/1.jsonl", "a.parquet", "b/notes.txt", "b/.hidden.csv"):
        (tmp_path / name).write_text("x")
    got = expand_inputs([tmp_path / "b", str(tmp_path / "*.parquet"), tmp_path / "b" / "2.csv"])
    assert [p.relative_to(tmp_path).as_posix() for p in got] == [
        "b/1.jsonl",
        "b/2.csv",
        "a.parquet",
    ]
    with pytest.raises(RecordsError):
        expand_inputs([tmp_path / "missing.csv"])
