"""Confirmed findings from review decisions: shares and rates with intervals, ≥ 5 reviews."""

from __future__ import annotations

import math
from collections.abc import Callable
from pathlib import Path

import pandas as pd
import pytest

from nlp.governance.confirmed import confirmed_table, load_decisions
from nlp.records.run_reader import load_run
from tests.governance.builders import flag, note, write_run


@pytest.fixture
def run_dir(tmp_path: Path) -> Path:
    """20 notes; 10 doing-for flags (notes 0-9) and 4 missing-rationale flags (notes 0-3)."""
    notes = [note(i, "2026-01") for i in range(20)]
    flags = [flag(n, "doing_for") for n in notes[:10]]
    flags += [flag(n, "missing_rationale") for n in notes[:4]]
    return write_run(tmp_path / "run", notes, flags)


@pytest.fixture
def decisions_csv(tmp_path: Path, run_dir: Path) -> Path:
    """History export: doing-for 6 confirmed, 2 dismissed (one after a confirm), 1 reopened.

    Missing rationale: 3 confirmed (fewer than 5 reviews).  One decision for a flag of
    another run.
    """
    ids = pd.read_csv(run_dir / "flags.csv", dtype=str)["flag_id"].tolist()
    rows = [(ids[i], "confirmed", 1) for i in range(6)]
    rows += [(ids[6], "confirmed", 1), (ids[6], "dismissed", 2), (ids[7], "dismissed", 1)]
    rows += [(ids[8], "confirmed", 1), (ids[8], "reopened", 2)]
    rows += [(ids[10 + i], "confirmed", 1) for i in range(3)]
    rows += [("F-other-run", "confirmed", 1)]
    path = tmp_path / "decisions.csv"
    pd.DataFrame(rows, columns=["flag_id", "decision", "sequence"]).to_csv(path, index=False)
    return path


def test_share_confirmed_and_rates_by_hand(run_dir: Path, decisions_csv: Path) -> None:
    run = load_run(run_dir)
    table = confirmed_table(run.notes, run.flags, load_decisions(decisions_csv))
    row = table.set_index("category").loc["doing_for"]
    assert (row["flags"], row["reviewed"], row["confirmed"], row["dismissed"]) == (10, 8, 6, 2)
    # Wilson, 6 of 8 (p = 0.75, z² / n = 0.480182):
    #   centre = (0.75 + 0.240091) / 1.480182 = 0.668898
    #   half = 1.959964 · √(0.75 · 0.25 / 8 + 3.841459 / 256) / 1.480182
    #        = 1.959964 · 0.196069 / 1.480182 = 0.259623  → 40.93% to 92.85%
    assert row["share_confirmed"] == pytest.approx(75.0)
    assert (row["share_confirmed_lo"], row["share_confirmed_hi"]) == pytest.approx(
        (40.93, 92.85), abs=0.01)
    # confirmed per 100 notes: 6 / 20 = 30.0; Garwood k = 6 (2.2019–13.0595) / 20 notes
    assert row["confirmed_per_100"] == pytest.approx(30.0)
    assert (row["confirmed_per_100_lo"], row["confirmed_per_100_hi"]) == pytest.approx(
        (11.01, 65.30), abs=0.01)
    # estimate: 10 flags / 20 notes = 50 per 100, × 75% (40.93–92.85%)
    assert row["estimated_per_100"] == pytest.approx(37.5)
    assert (row["estimated_per_100_lo"], row["estimated_per_100_hi"]) == pytest.approx(
        (20.46, 46.43), abs=0.01)
    few = table.set_index("category").loc["missing_rationale"]
    assert (few["reviewed"], few["confirmed"]) == (3, 3)
    assert math.isnan(few["share_confirmed"]) and math.isnan(few["confirmed_per_100"])
    assert few["note"] == "fewer than 5 reviews: no rate"
    everything = table.set_index("category").loc["all"]
    assert (everything["flags"], everything["reviewed"], everything["confirmed"]) == (14, 11, 9)


def test_report_shows_confirmed_findings(invoke: Callable, run_dir: Path,
                                         decisions_csv: Path, tmp_path: Path) -> None:
    result = invoke("report", run_dir, "--decisions", decisions_csv)
    assert result.exit_code == 0, result.output
    html = (run_dir / "report.html").read_text(encoding="utf-8")
    section = html.split('id="confirmed"')[1].split("</section>")[0]
    assert "11 of this run&#39;s 14 flags have been reviewed" in section
    assert "75%</td><td class=\"num\">40.9–92.9</td>" in section
    assert "fewer than 5 reviews: no rate" in section
    assert "Reviewed flags confirmed" in html and "9 of 11 reviewed" in html
    bad = tmp_path / "bad.csv"
    bad.write_text("flag,what\nx,y\n")
    result = invoke("report", run_dir, "--decisions", bad)
    assert result.exit_code == 1 and "missing column(s) flag_id, decision" in result.output
