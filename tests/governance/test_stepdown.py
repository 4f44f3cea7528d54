"""Step-down evidence: each register entry's mentions and incidents since it started."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pandas as pd
import pytest

from nlp.governance.register_review import load_register
from nlp.governance.stepdown import STEPDOWN_FILE, read_stepdown, stepdown_table
from nlp.records.run_reader import load_run
from tests.governance.builders import note, restriction, write_run

MONTHS = ["2026-01", "2026-02", "2026-03", "2026-04", "2026-05", "2026-06"]
REGISTER = """person_id,restriction,restriction_type,authorised_by,start_date,review_date
P-001,Kitchen locked at night,environmental,BI decision,2026-01-01,2026-12-31
P-002,Held hands when crossing roads,physical,BI decision,2026-03-15,2026-09-15
P-003,Sensor mat,supervision_surveillance,Falls assessment,2025-06-01,2026-12-01
P-001,Door alarm,supervision_surveillance,DoLS,2026-09-01,2027-03-01
"""


@pytest.fixture
def run_dir(tmp_path: Path) -> Path:
    """P-001/P-002/P-003: 6 notes a month each, Jan–Jun.

    P-001 kitchen (environmental) mentions: 4, 4, 3, 0, 0, 0; one incident note in February.
    P-002 physical mentions: 1 a month from April.
    """
    notes, restr, i = [], [], 0
    for m, month in enumerate(MONTHS):
        for person in ("P-001", "P-002", "P-003"):
            batch = [note(i := i + 1, month, person=person, day=d + 1) for d in range(6)]
            if person == "P-001" and month == "2026-02":
                batch[5]["note_type"] = "incident"
            notes += batch
            if person == "P-001":
                restr += [restriction(n) for n in batch[: [4, 4, 3, 0, 0, 0][m]]]
            if person == "P-002" and m >= 3:
                restr.append(restriction(batch[0], "physical"))
    return write_run(tmp_path / "run", notes, [], restr)


@pytest.fixture
def register_csv(tmp_path: Path) -> Path:
    path = tmp_path / "register.csv"
    path.write_text(REGISTER)
    return path


def test_trend_and_signal_per_entry(run_dir: Path, register_csv: Path) -> None:
    run = load_run(run_dir)
    table = stepdown_table(load_register(register_csv).entries, run.restrictions, run.notes)
    kitchen, hands, mat, alarm = (r for _, r in table.iterrows())
    assert kitchen["mentions_by_month"] == (
        "Jan-26: 4, Feb-26: 4, Mar-26: 3, Apr-26: 0, May-26: 0, Jun-26: 0")
    assert kitchen["incidents_by_month"].startswith("Jan-26: 0, Feb-26: 1, Mar-26: 0")
    assert (kitchen["months"], kitchen["notes"], kitchen["mentions"], kitchen["incidents"]) == (
        6, 36, 11, 1)
    # 11 mentions in 18 notes (Jan–Mar) against 0 in 18 (Apr–Jun): exact Poisson test p < 0.05
    assert kitchen["trend"] == "fewer"
    assert kitchen["step_down"] == (
        "candidate to reduce: no mentions or incidents in the last 2 months")
    assert kitchen["last_mention"] == "2026-03-03" and kitchen["last_incident"] == "2026-02-06"
    # starts 15 March: months Mar–Jun (March notes are on days 1–6); mentions Apr, May, Jun
    assert (hands["months"], hands["mentions"], hands["step_down"]) == (4, 3, "in use")
    assert mat["step_down"] == "candidate to reduce: not mentioned in any note since it started"
    assert alarm["step_down"] == "not started in this period"
    assert (table["panel_decision"] == "").all() and (table["decision_log"] == "").all()


def test_decision_log_is_exported_safe_and_kept(invoke: Callable, run_dir: Path,
                                                register_csv: Path) -> None:
    assert invoke("register-review", run_dir, "-r", register_csv).exit_code == 0
    path = run_dir / STEPDOWN_FILE
    saved = read_stepdown(path)
    assert len(saved) == 4 and list(saved.columns)[-2:] == ["panel_decision", "decision_log"]
    saved.loc[0, ["panel_decision", "decision_log"]] = [
        "reduce", "=HYPERLINK(\"http://x.invalid\") not needed since March; trial removal"]
    saved.to_csv(path, index=False)  # the panel's edit, as a spreadsheet would save it
    assert invoke("register-review", run_dir, "-r", register_csv).exit_code == 0
    raw = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8-sig")
    assert raw.loc[0, "decision_log"].startswith("'=HYPERLINK")  # formula-safe on disk
    kept = read_stepdown(path)
    assert kept.loc[0, "panel_decision"] == "reduce"
    assert kept.loc[0, "decision_log"].startswith("=HYPERLINK")
    result = invoke("report", run_dir)  # the saved review and step-down evidence
    assert result.exit_code == 0, result.output
    html = (run_dir / "report.html").read_text(encoding="utf-8")
    assert "<h3>Step-down evidence</h3>" in html
    assert "not needed since March; trial removal" in html and "reduce" in html
