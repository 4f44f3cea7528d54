"""End to end: ``careaudit audit`` on the bundled sample, exit codes and error messages."""

import csv
import json
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from cli.main import app

ROOT = Path(__file__).resolve().parents[2]
SAMPLE = ROOT / "examples" / "sample_notes.csv"
REGISTER = ROOT / "examples" / "register.csv"


@pytest.fixture(scope="module")
def sample_run(tmp_path_factory):
    out = tmp_path_factory.mktemp("run")
    result = CliRunner().invoke(
        app, ["audit", str(SAMPLE), "--register", str(REGISTER), "--out", str(out), "--no-progress"]
    )
    assert result.exit_code == 0, result.output
    return out, result


def test_run_directory_is_complete(sample_run):
    out, result = sample_run
    for name in (
        "flags.csv",
        "flags.jsonl",
        "restrictions.csv",
        "notes.jsonl",
        "rejected.csv",
        "summary.json",
    ):
        assert (out / name).exists(), name
    summary = json.loads((out / "summary.json").read_text())
    assert summary["notes"] == 240
    assert summary["rejected"] == 3 and summary["duplicates_skipped"] == 1
    assert set(summary["flags_by_category"]) == {
        "doing_for",
        "unrecorded_restriction",
        "missing_rationale",
        "plan_gap",
    }
    assert all(summary["flags_by_category"][c] > 0 for c in summary["flags_by_category"])
    assert "Flags per category" in result.output


def test_rejected_rows_name_row_and_column(sample_run):
    out, _ = sample_run
    with (out / "rejected.csv").open(encoding="utf-8-sig") as fh:
        rows = list(csv.DictReader(fh))
    reasons = {(r["column"], r["action"]) for r in rows}
    assert ("text", "rejected") in reasons and ("date", "rejected") in reasons
    assert ("note_id", "skipped") in reasons and ("note_id", "rejected") in reasons
    assert all(r["row"].isdigit() for r in rows)


def test_flags_carry_evidence_and_explanations(sample_run):
    out, _ = sample_run
    flags = [json.loads(line) for line in (out / "flags.jsonl").open()]
    notes = {json.loads(line)["note_id"]: json.loads(line) for line in (out / "notes.jsonl").open()}
    for f in flags:
        text = notes[f["note_id"]]["text"]
        assert text[f["start"] : f["end"]] == f["span_text"]
        assert f["sentence_start"] <= f["start"] < f["end"] <= f["sentence_end"]
        assert 0.0 <= f["score"] <= 1.0 and f["source"] and f["explanation"]
        if f["category"] == "doing_for":
            assert f["suggestion"]
        if f["category"] == "unrecorded_restriction":
            assert f["restriction_type"] and f["register_status"] != "in_register"
    assert len({f["flag_id"] for f in flags}) == len(flags)


def test_flag_ids_are_stable_across_reruns(sample_run, tmp_path):
    out, _ = sample_run
    result = CliRunner().invoke(
        app,
        [
            "audit",
            str(SAMPLE),
            "--register",
            str(REGISTER),
            "--out",
            str(tmp_path),
            "--no-progress",
        ],
    )
    assert result.exit_code == 0
    ids = lambda d: sorted(json.loads(x)["flag_id"] for x in (d / "flags.jsonl").open())  # noqa: E731
    assert ids(out) == ids(tmp_path)


def test_restrictions_csv_lists_every_status(sample_run):
    out, _ = sample_run
    with (out / "restrictions.csv").open(encoding="utf-8-sig") as fh:
        rows = list(csv.DictReader(fh))
    assert {r["status"] for r in rows} >= {"unrecorded", "recorded", "authorised_in_text"}
    assert {r["register_status"] for r in rows} >= {"in_register", "not_in_register"}


def test_missing_column_exits_2_without_traceback(tmp_path):
    bad = tmp_path / "bad.csv"
    bad.write_text("Id,Body\n1,Fine.\n")
    proc = subprocess.run(
        [sys.executable, "-m", "cli.main", "audit", str(bad), "--out", str(tmp_path / "o")],
        capture_output=True,
        text=True,
        cwd=ROOT,
    )
    assert proc.returncode == 2
    assert "missing required column" in proc.stderr and "Traceback" not in proc.stderr


def test_unknown_format_exits_2(tmp_path):
    bad = tmp_path / "notes.docx"
    bad.write_text("x")
    result = CliRunner().invoke(app, ["audit", str(bad), "--out", str(tmp_path / "o")])
    assert result.exit_code == 2 and "unknown format" in result.output


def test_csv_cells_are_excel_safe(tmp_path):
    export = tmp_path / "notes.csv"
    export.write_text(
        "note_id,person_id,date,author,text\n"
        'N1,P1,2026-03-14,=HYPERLINK("x"),Staff washed and dressed him.\n'
    )
    result = CliRunner().invoke(
        app, ["audit", str(export), "--out", str(tmp_path / "o"), "--no-progress"]
    )
    assert result.exit_code == 0, result.output
    text = (tmp_path / "o" / "flags.csv").read_text(encoding="utf-8-sig")
    assert "'=HYPERLINK" in text and ",=HYPERLINK" not in text
