"""Issue 14, exports: register_review.csv is spreadsheet-safe, and no register crashes
``careaudit register-review`` or ``careaudit person``."""

from __future__ import annotations

import csv
import json
from collections.abc import Callable
from pathlib import Path

import pytest

from nlp.records.spreadsheet import FORMULA_STARTS
from tests.governance.builders import note, restriction, write_run

HEADER = "person_id,restriction,restriction_type,authorised_by,start_date,review_date\n"


@pytest.fixture
def hostile_run(tmp_path: Path) -> Path:
    """Notes whose restriction wording and service are formulas."""
    notes = [note(1, "2026-02", service="=HYPERLINK(\"http://x\")", person="P-1",
                  text="=cmd|' /C calc'!A0 locked the door."),
             note(2, "2026-03", service="+SUM(1,2)", person="@P-2", text="-1+1 door locked.")]
    restrictions = [restriction(notes[0], "environmental"), restriction(notes[1], "environmental")]
    return write_run(tmp_path / "run", notes, [], restrictions)


def test_register_review_csv_has_no_live_formulas_bom_and_one_row_per_finding(
    invoke: Callable, hostile_run: Path, tmp_path: Path
) -> None:
    register = tmp_path / "register.csv"
    register.write_bytes((HEADER + (
        "P-1,\"=HYPERLINK(\"\"http://evil\"\")\",environmental,@SUM(A1),2026-01-01,2026-01-31\n"
        "P-9,\"Door\rlocked\",environmental,-2+3,2026-01-01,\n"
        "@P-2,+cmd,seclusion,\"\tTab\",2026-01-01,2026-12-31\n"
    )).encode("utf-8"))
    out = tmp_path / "review"
    result = invoke("register-review", hostile_run, "--register", register, "--out", out)
    assert result.exit_code == 0, result.output
    raw = (out / "register_review.csv").read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")  # UTF-8 BOM: Excel reads it as UTF-8
    with (out / "register_review.csv").open(encoding="utf-8-sig", newline="") as fh:
        rows = list(csv.DictReader(fh))
    findings = json.loads((out / "register_review.json").read_text())["findings"]
    assert len(rows) == len(findings) >= 4  # a line break inside a cell starts no new row
    cells = [v for r in rows for v in r.values() if v]
    assert not [v for v in cells if v.startswith(FORMULA_STARTS)]
    assert any(v.startswith("'=HYPERLINK") for v in cells)
    assert any(v.startswith("'@SUM") for v in cells) and any(v == "'-2+3" for v in cells)
    assert any("Door\nlocked" in v for v in cells)


REGISTERS = {
    "header only": "",
    "every row bad": "P-001,Bed rails,mechanical,BI,bad,\nP-002,Door,nonsense,BI,2026-01-01,\n",
    "no entry matches a mention": "P-999,Bed rails,mechanical,BI,2026-01-01,2026-02-01\n",
    "review dates all missing": (
        "P-001,Bed rails,mechanical,BI,2026-01-01,\nP-002,Door,environmental,BI,2026-01-01,\n"),
    "mixed date formats": (
        "P-001,Bed rails,mechanical,BI,2026-01-01,01/02/2026\n"
        "P-002,Door,environmental,BI,1 Jan 2026,46150\n"),
    "placeholders and foreign digits": (
        "P-001,Bed rails,mechanical,BI,2026-01-01,9999-12-31\n"
        "P-002,Door,environmental,BI,٠١/٠١/٢٠٢٦,\n"),
    "entry never mentioned": "P-001,Seclusion room,seclusion,BI,2026-01-01,2026-12-31\n",
}


@pytest.mark.parametrize("name", list(REGISTERS))
def test_register_review_and_person_never_crash(
    invoke: Callable, run_small: Path, tmp_path: Path, name: str
) -> None:
    register = tmp_path / "register.csv"
    register.write_text(HEADER + REGISTERS[name], encoding="utf-8")
    review = invoke("register-review", run_small, "--register", register, "--out", tmp_path)
    assert review.exit_code == 0, review.output
    assert (tmp_path / "register_review.csv").is_file()
    person = invoke("person", "P-001", run_small, "--register", register,
                    "--output", tmp_path / "p.html")
    assert person.exit_code == 0, person.output
    assert "Person review: P-001" in (tmp_path / "p.html").read_text()
    report = invoke("report", run_small, "--register", register, "--output", tmp_path / "r.html")
    assert report.exit_code == 0, report.output
