"""The report, person page and their CLI commands on the fixture runs."""

from __future__ import annotations

import json
import re
import shutil
from collections.abc import Callable
from pathlib import Path

import openpyxl
import pandas as pd
import pytest

from nlp.governance.reporting import charts
from nlp.governance.reporting.xlsx import sheet_name
from nlp.records.spreadsheet import excel_safe
from tests.governance.builders import note, restriction, write_run

SECTIONS = ["Flags by category", "Flags per 100 notes by service", "Flags per 100 notes by month",
            "Trends across months", "Restriction types", "Care-plan restriction standard",
            "Restriction register review", "Supervision planning",
            "Sample of flagged sentences"]


def html_of(invoke: Callable, run: Path, *args: object) -> str:
    result = invoke("report", run, *args)
    assert result.exit_code == 0, result.output
    path = Path(re.search(r"Report written to (\S+)", result.output).group(1))
    return path.read_text(encoding="utf-8")


def test_html_report_is_complete_and_self_contained(invoke: Callable, run_small: Path) -> None:
    html = html_of(invoke, run_small, "--min-author-notes", 2)
    assert (run_small / "report.html").is_file()
    for title in SECTIONS:
        assert f"<h2>{title}</h2>" in html
    assert html.count("<svg") >= 6
    assert "<script" not in html.lower()
    for external in ("src=", "<link", "@import", "url(", "href=\"http", "https://"):
        assert external not in html
    assert '<div class="value">18</div>' in html  # notes audited
    assert '<div class="value">111.1</div>' in html  # 20 flags / 18 notes
    assert "0 of 3 have all four elements" in html
    assert "No register review for this run" in html
    assert "K. Mensah" in html and "not to blame" in html
    assert "<mark>washed and dressed Mary</mark>" in html


def test_report_uses_saved_register_review_or_register_option(
        invoke: Callable, run_small: Path, register_csv: Path, tmp_path: Path) -> None:
    assert invoke("register-review", run_small, "-r", register_csv).exit_code == 0
    html = html_of(invoke, run_small)
    assert "Register entries past their review date" in html
    assert "56 days before 2026-03-28" in html
    other = html_of(invoke, run_small, "--register", register_csv, "--as-of", "2026-02-15",
                    "-o", tmp_path / "r.html")
    assert "As of 2026-02-15" in other


def test_note_text_is_html_escaped(invoke: Callable, run_small: Path) -> None:
    notes = [json.loads(line) for line in (run_small / "notes.jsonl").read_text().splitlines()]
    for n in notes:
        if n["note_id"] == "N-001":  # flag: 'washed and dressed Mary' at 6-29, sentence 0-30
            n["text"] = "Staff washed and dressed Mary<script>alert(1)</script>. <b>Hi</b>"
        n["service"] = n["service"].replace("Willow House", "Willow <House> & Co")
    (run_small / "notes.jsonl").write_text("".join(json.dumps(n) + "\n" for n in notes))
    flags = pd.read_csv(run_small / "flags.csv", dtype=str, keep_default_na=False)
    flags["service"] = flags["service"].str.replace("Willow House", "Willow <House> & Co")
    flags.loc[flags["note_id"] == "N-001", "sentence_end"] = "55"  # through "</script>."
    flags.to_csv(run_small / "flags.csv", index=False)
    html = html_of(invoke, run_small)
    assert "<script>" not in html and "<b>Hi" not in html
    assert "Mary</mark>&lt;script&gt;alert(1)&lt;/script&gt;." in html
    assert "Willow &lt;House&gt; &amp; Co" in html  # tables and SVG chart labels
    assert "<House>" not in html


def test_baseline_comparison(invoke: Callable, run_small: Path, baseline_dir: Path) -> None:
    html = html_of(invoke, run_small, "--baseline", baseline_dir)
    assert "<h2>Change since the baseline run</h2>" in html
    section = html.split('id="baseline"')[1].split("</section>")[0]
    # doing_for: 5/10 notes before, 5/18 now → 50.0 → 27.8 (−22.2); care-plan gaps 10.0 → 33.3
    assert re.search(r"Doing for</td><td class=\"num\">50\.0</td><td class=\"num\">27\.8</td>"
                     r"<td class=\"num fewer\">-22\.2</td>", section)
    assert re.search(r"Care-plan gap</td><td class=\"num\">10\.0</td><td class=\"num\">33\.3"
                     r"</td><td class=\"num more\">\+23\.3</td>", section)
    assert "baseline 120.0 (-8.9)" in html


def test_xlsx_has_a_sheet_per_section_and_no_formulas(invoke: Callable, run_small: Path,
                                                      register_csv: Path) -> None:
    notes = [json.loads(line) for line in (run_small / "notes.jsonl").read_text().splitlines()]
    notes[0]["text"] = '=HYPERLINK("http://x.invalid","click") washed and dressed Mary.'
    (run_small / "notes.jsonl").write_text("".join(json.dumps(n) + "\n" for n in notes))
    flags = (run_small / "flags.csv").read_text().replace(
        "staff did a daily-living task for the person", "=1+1 injected")
    (run_small / "flags.csv").write_text(flags)
    result = invoke("report", run_small, "--format", "xlsx", "-r", register_csv,
                    "--min-author-notes", 1)
    assert result.exit_code == 0, result.output
    book = openpyxl.load_workbook(run_small / "report.xlsx")
    for name in ("Summary", "By category", "By service", "By month", "Trends",
                 "Restriction types", "Plan standard", "Register summary", "Register findings",
                 "Supervision", "Sample flags"):
        assert name in book.sheetnames
    values = [c.value for ws in book.worksheets for row in ws.iter_rows() for c in row
              if isinstance(c.value, str)]
    assert "'=1+1 injected" in values
    assert any(v.startswith("'=HYPERLINK") for v in values)  # the sampled sentence
    assert not any(v.startswith(("=", "+", "@")) for v in values)
    by_cat = book["By category"]
    assert [c.value for c in by_cat[1]][:3] == ["Category", "Flags", "Per 100 notes"]
    assert by_cat["B2"].value == 5 and by_cat["A2"].value == "Doing for"


def test_xlsx_helpers() -> None:
    assert excel_safe("-2 pads") == "'-2 pads" and excel_safe("ok") == "ok"
    used: set[str] = set()
    assert sheet_name("A/B: [x]", used) == "A B   x"
    assert sheet_name("a" * 40, used) == "a" * 31
    assert sheet_name("a" * 40, used) == "a" * 27 + " (2)"


@pytest.mark.skipif(shutil.which("chromium") is None, reason="chromium not installed")
def test_pdf_report(invoke: Callable, run_small: Path, tmp_path: Path) -> None:
    out = tmp_path / "audit.pdf"
    result = invoke("report", run_small, "--format", "pdf", "--output", out)
    assert result.exit_code == 0, result.output
    assert out.read_bytes()[:5] == b"%PDF-" and out.stat().st_size > 10_000


def test_pdf_without_chromium_explains_how_to_install(invoke: Callable, run_small: Path,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PATH", str(run_small))
    monkeypatch.delenv("CAREAUDIT_CHROMIUM", raising=False)
    result = invoke("report", run_small, "--format", "pdf")
    assert result.exit_code == 1
    assert "apt-get install -y chromium" in result.output
    assert not (run_small / "report.pdf").exists()


def test_person_page(invoke: Callable, run_small: Path, register_csv: Path) -> None:
    result = invoke("person", "P-003", run_small, "--register", register_csv)
    assert result.exit_code == 0, result.output
    html = (run_small / "person_P-003.html").read_text()
    assert "<h1>Person review: P-003</h1>" in html
    assert "<mark>Front door keypad</mark>" in html
    assert "review overdue" in html and "DoLS authorisation" in html
    assert "56 days before 2026-03-28" in html  # same as-of as the run's register review
    assert "P-001" not in html and "Mary" not in html
    assert "<svg" in html and "<script" not in html


def test_person_not_in_run(invoke: Callable, run_small: Path) -> None:
    result = invoke("person", "P-404", run_small)
    assert result.exit_code == 1
    assert "person 'P-404' has no notes in" in result.output and "P-001" in result.output


def test_run_without_flags_or_restrictions(invoke: Callable, tmp_path: Path) -> None:
    run = write_run(tmp_path / "quiet", [note(1, "2026-05"), note(2, "2026-06")], [])
    html = html_of(invoke, run)
    assert "No restrictions were found in this run." in html
    assert "No flags in this run." in html


@pytest.mark.parametrize(("damage", "message"), [
    (lambda d: shutil.rmtree(d), "run directory not found"),
    (lambda d: (d / "notes.jsonl").unlink(), "notes.jsonl: not found"),
    (lambda d: (d / "notes.jsonl").write_text('{"note_id": "N-1"}\n{"note_id": \n'),
     "notes.jsonl: line 2: invalid JSON"),
    (lambda d: (d / "flags.csv").write_text("flag_id,note_id\nF-1,N-001\n"),
     "flags.csv: missing column(s) category"),
    (lambda d: ((d / "flags.csv").unlink(), (d / "flags.jsonl").unlink()),
     "no flags.csv or flags.jsonl"),
])
def test_bad_run_dir_is_a_clear_error(invoke: Callable, run_small: Path,
                                      damage: Callable, message: str) -> None:
    damage(run_small)
    result = invoke("report", run_small)
    assert result.exit_code == 1
    assert result.output.startswith("error: ") and message in result.output
    assert "Traceback" not in result.output


def test_chart_labels_are_escaped_and_axes_round() -> None:
    svg = charts.hbar_chart(["<b>&"], [3.0], title='t"1')
    assert "<b>" not in svg and "&lt;b&gt;&amp;" in svg and 'aria-label="t&quot;1"' in svg
    assert charts.nice_ticks(50) == (50, 10)
    assert charts.nice_ticks(0.7) == pytest.approx((0.8, 0.2))
    line = charts.line_chart(["2026-01", "2026-02"], {"a": [1.0, float("nan")]}, title="x")
    assert "<polyline" not in line and "<circle" in line


@pytest.mark.parametrize(("summary", "expected"), [
    ({"run": {}}, "did not check them against the standard"),
    ({"run": {}, "flags_by_category": {"plan_gap": 0}}, "1 of 1 care-plan restrictions (100%)"),
])
def test_plan_standard_not_checked_is_not_shown_as_compliant(
        invoke: Callable, tmp_path: Path, summary: dict, expected: str) -> None:
    plan = note(1, "2026-05", text="Bed rails at night.", note_type="care_plan")
    run = write_run(tmp_path / "plans", [plan, note(2, "2026-05")], [], [restriction(plan)])
    (run / "summary.json").write_text(json.dumps(summary))
    assert expected in html_of(invoke, run)
