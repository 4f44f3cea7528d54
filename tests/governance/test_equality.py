"""Restrictions by protected characteristic: rates by hand and small-number suppression."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import openpyxl
import pandas as pd
import pytest

from nlp.governance.equality import (
    POOLED,
    SUPPRESSED,
    equality_table,
    load_people,
    people_from_notes,
)
from nlp.records.run_reader import load_run
from tests.governance.builders import flag, note, restriction, write_run

# 16 people, 2 notes each.  Ethnicity: Beta 7 people, Alpha 6, Gamma 3.
# Disability: Zeta 11, Delta 3, Epsilon 2.
ETHNICITY = ["Beta"] * 7 + ["Alpha"] * 6 + ["Gamma"] * 3
DISABILITY = ["Zeta"] * 11 + ["Delta"] * 3 + ["Epsilon"] * 2


@pytest.fixture
def run_dir(tmp_path: Path) -> Path:
    """Beta: 10 restriction mentions, 6 unrecorded flags; Alpha + Gamma: 3 mentions, 7 flags."""
    notes, flags, restr = [], [], []
    for p in range(16):
        for k in range(2):
            notes.append(note(2 * p + k + 1, "2026-01", person=f"P-{p:03d}", day=k + 1))
    beta, others = notes[:14], notes[14:]
    restr += [restriction(n) for n in beta[:10]]
    restr += [restriction(n) for n in others[:3]]
    flags += [flag(n, "unrecorded_restriction") for n in beta[:6]]
    flags += [flag(n, "unrecorded_restriction") for n in others[:7]]
    return write_run(tmp_path / "run", notes, flags, restr)


@pytest.fixture
def people_csv(tmp_path: Path) -> Path:
    path = tmp_path / "people.csv"
    pd.DataFrame({"Person ID": [f"P-{p:03d}" for p in range(16)], "Ethnicity": ETHNICITY,
                  "disability": DISABILITY}).to_csv(path, index=False)
    return path


def test_groups_under_5_people_are_pooled_and_never_named(run_dir: Path,
                                                          people_csv: Path) -> None:
    run = load_run(run_dir)
    table = equality_table(run.notes, run.flags, run.restrictions, load_people(people_csv))
    eth = table[table["characteristic"] == "Ethnicity"].set_index("group")
    # Gamma (3 people) is pooled; the pool is still under 5, so Alpha (6) joins it
    assert eth.index.tolist() == ["Beta", POOLED]
    assert eth["people"].tolist() == [7, 9] and eth["notes"].tolist() == [14, 18]
    # unrecorded: Beta 6 in 14 notes = 42.86 per 100; Garwood k = 6 is 2.2019–13.0595
    #   → ×100/14 = 15.73–93.28
    assert eth.loc["Beta", "unrecorded"] == 6
    assert eth.loc["Beta", "unrecorded_per_100"] == pytest.approx(42.857, abs=1e-3)
    assert (eth.loc["Beta", "unrecorded_per_100_lo"], eth.loc["Beta", "unrecorded_per_100_hi"]) \
        == pytest.approx((15.728, 93.282), abs=1e-3)
    # mentions: the pool has 3 (< 5, suppressed); Beta's 10 is hidden too, else 13 − 10 = 3
    assert eth["restrictions"].tolist() == [SUPPRESSED, SUPPRESSED]
    assert eth["restrictions_per_100"].isna().all()
    dis = table[table["characteristic"] == "Disability"].set_index("group")
    # Delta (3) and Epsilon (2) pool to exactly 5 people: Zeta stays named
    assert dis.index.tolist() == ["Zeta", POOLED] and dis["people"].tolist() == [11, 5]
    assert not {"Gamma", "Alpha", "Delta", "Epsilon"} & set(table["group"])


def test_report_never_prints_a_group_of_3(invoke: Callable, run_dir: Path, people_csv: Path,
                                          tmp_path: Path) -> None:
    result = invoke("report", run_dir, "--people", people_csv)
    assert result.exit_code == 0, result.output
    html = (run_dir / "report.html").read_text(encoding="utf-8")
    assert "<h2>Restrictions by protected characteristic</h2>" in html
    for name in ("Gamma", "Alpha", "Delta", "Epsilon"):
        assert name not in html
    assert "Beta" in html and "Zeta" in html and "&lt;5" in html
    assert invoke("report", run_dir, "--people", people_csv, "-f", "xlsx").exit_code == 0
    book = openpyxl.load_workbook(run_dir / "report.xlsx")
    cells = {str(c.value) for ws in book.worksheets for row in ws.iter_rows() for c in row}
    assert "Beta" in cells and not {"Gamma", "Alpha", "Delta", "Epsilon"} & cells
    missing = invoke("report", run_dir, "--people", tmp_path / "nope.csv")
    assert missing.exit_code == 1 and "person file not found" in missing.output


def test_characteristics_read_from_the_notes(run_dir: Path) -> None:
    lines = (run_dir / "notes.jsonl").read_text().splitlines()
    notes = [json.loads(line) for line in lines]
    for n in notes:
        n["Sex"] = "Female" if int(n["person_id"][2:]) < 8 else "Male"
    (run_dir / "notes.jsonl").write_text("".join(json.dumps(n) + "\n" for n in notes))
    people = people_from_notes(run_dir / "notes.jsonl")
    assert list(people.columns) == ["person_id", "sex"] and len(people) == 16
    run = load_run(run_dir)
    table = equality_table(run.notes, run.flags, run.restrictions, people)
    assert table["group"].tolist() == ["Female", "Male"]
    assert table["people"].tolist() == [8, 8]
