"""Trend and rate figures on a small dataset whose answers are known by construction."""

from __future__ import annotations

import math
from pathlib import Path

import pandas as pd
import pytest

from nlp.governance import trends
from nlp.records.run_reader import RunData, load_run
from tests.governance.builders import flag, note, restriction, write_run

MONTHS = ["2026-01", "2026-02", "2026-03", "2026-04"]


@pytest.fixture(scope="module")
def known_run(tmp_path_factory: pytest.TempPathFactory) -> RunData:
    """4 months × (10 notes at Ash Lodge + 10 at Birch View).

    doing_for flags per month: Ash 8,6,4,2 and Birch 4,4,4,4 → 60,50,40,30 per 100 notes.
    restrictions: 4 a month → 20 per 100 notes, flat.
    enabling notes: 2,4,6,8 of 20 → 10,20,30,40 %.
    unrecorded_restriction: 1,2,3,4 a month → 5,10,15,20 per 100 (rising = worsening).
    """
    notes, flags, restr = [], [], []
    i = 0
    for m, month in enumerate(MONTHS):
        month_notes = []
        for service in ("Ash Lodge", "Birch View"):
            for k in range(10):
                i += 1
                author = "A. Often" if k < 5 else "B. Seldom"
                month_notes.append(note(i, month, service, author))
        for k in range(2 * (m + 1)):
            month_notes[k]["text"] = "Sam chose his breakfast and made it independently."
        ash, birch = month_notes[:10], month_notes[10:]
        flags += [flag(n, "doing_for") for n in ash[: 8 - 2 * m]]
        flags += [flag(n, "doing_for") for n in birch[:4]]
        flags += [flag(n, "unrecorded_restriction") for n in birch[5: 6 + m]]
        restr += [restriction(n) for n in birch[5:9]]
        notes += month_notes
    return load_run(write_run(tmp_path_factory.mktemp("known"), notes, flags, restr))


def test_monthly_rates_are_known(known_run: RunData) -> None:
    table = trends.monthly(known_run.notes, known_run.flags, known_run.restrictions)
    assert table["month"].tolist() == MONTHS
    assert table["notes"].tolist() == [20, 20, 20, 20]
    assert table["doing_for_per_100"].tolist() == pytest.approx([60, 50, 40, 30])
    assert table["restrictions_per_100"].tolist() == pytest.approx([20, 20, 20, 20])
    assert table["enabling_pct"].tolist() == pytest.approx([10, 20, 30, 40])
    assert table["unrecorded_restriction_per_100"].tolist() == pytest.approx([5, 10, 15, 20])
    assert table["flags_per_100"].tolist() == pytest.approx([65, 60, 55, 50])


def test_trend_directions_and_assessments(known_run: RunData) -> None:
    table = trends.trend_table(trends.monthly(known_run.notes, known_run.flags,
                                              known_run.restrictions)).set_index("metric")
    assert table.loc["doing_for_per_100", "slope_per_month"] == pytest.approx(-10)
    assert table.loc["doing_for_per_100", "change_over_period"] == pytest.approx(-30)
    assert table.loc["doing_for_per_100", ["direction", "assessment"]].tolist() == [
        "falling", "improving"]
    assert table.loc["enabling_pct", "slope_per_month"] == pytest.approx(10)
    assert table.loc["enabling_pct", ["direction", "assessment"]].tolist() == [
        "rising", "improving"]
    assert table.loc["restrictions_per_100", ["direction", "assessment"]].tolist() == [
        "stable", "no clear change"]
    assert table.loc["unrecorded_restriction_per_100", ["direction", "assessment"]].tolist() == [
        "rising", "worsening"]
    assert table.loc["doing_for_per_100", ["first", "last", "months"]].tolist() == [60, 30, 4]


def test_trend_skips_months_without_notes() -> None:
    months = pd.Series(["2026-01", "2026-02", "2026-03", "2026-04"])
    values = pd.Series([10.0, float("nan"), 30.0, 40.0])
    t = trends.trend(values, months, good="falling")
    assert t.months == 3
    assert t.slope_per_month == pytest.approx(10)  # x = 0, 2, 3: still an exact line
    assert t.assessment == "worsening"
    one = trends.trend(pd.Series([5.0]), pd.Series(["2026-01"]))
    assert one.direction == "too few months" and math.isnan(one.slope_per_month)


def test_month_gap_appears_with_no_rate(tmp_path: Path) -> None:
    notes = [note(1, "2026-01"), note(2, "2026-03")]
    run = load_run(write_run(tmp_path, notes, [flag(notes[1], "doing_for")]))
    table = trends.monthly(run.notes, run.flags, run.restrictions)
    assert table["month"].tolist() == ["2026-01", "2026-02", "2026-03"]
    assert table["notes"].tolist() == [1, 0, 1]
    assert math.isnan(table.loc[1, "doing_for_per_100"])
    assert table.loc[2, "doing_for_per_100"] == 100


def test_rates_by_service_and_category(known_run: RunData) -> None:
    table = trends.flag_rates(known_run.notes, known_run.flags, ["service"]).set_index("service")
    assert table.loc["Ash Lodge", "notes"] == 40
    assert table.loc["Ash Lodge", "doing_for"] == 20
    assert table.loc["Ash Lodge", "doing_for_per_100"] == pytest.approx(50)
    assert table.loc["Birch View", "doing_for_per_100"] == pytest.approx(40)
    assert table.loc["Birch View", "unrecorded_restriction_per_100"] == pytest.approx(25)
    assert table.loc["Ash Lodge", "plan_gap_per_100"] == 0
    cats = trends.category_rates(known_run.notes, known_run.flags).set_index("category")
    assert cats.loc["doing_for", "flags"] == 36
    assert cats.loc["doing_for", "per_100"] == pytest.approx(45)
    assert cats.loc["unrecorded_restriction", "per_100"] == pytest.approx(12.5)


def test_author_rates_for_supervision(known_run: RunData) -> None:
    table = trends.author_rates(known_run.notes, known_run.flags, min_notes=10)
    # A. Often wrote notes 0-4 of each service each month: 16 Ash + 16 Birch doing_for flags;
    # B. Seldom 4 Ash doing_for + 10 unrecorded_restriction.
    assert table["author"].tolist() == ["A. Often", "B. Seldom"]
    assert table["flags_per_100"].tolist() == pytest.approx([80, 35])
    assert table.loc[0, "notes"] == 40
    assert table.loc[0, "main_category"] == "doing_for"
    assert "enabling language" in table.loc[0, "supervision_topic"]
    assert trends.author_rates(known_run.notes, known_run.flags, min_notes=41).empty


def test_compare_with_baseline() -> None:
    cur = pd.DataFrame({"category": ["doing_for", "plan_gap"], "per_100": [30.0, 10.0]})
    base = pd.DataFrame({"category": ["doing_for", "missing_rationale"], "per_100": [40.0, 5.0]})
    out = trends.compare(cur, base, "category").set_index("category")
    assert out.loc["doing_for", "change"] == pytest.approx(-10)
    assert out.loc["doing_for", "change_pct"] == pytest.approx(-25)
    assert out.loc["doing_for", "direction"] == "fewer"
    assert out.loc["plan_gap", "direction"] == "new"
    assert out.loc["missing_rationale", "direction"] == "gone"


def test_plan_standard_compliance() -> None:
    key = {"note_type": "care_plan", "end": 9}
    restr = pd.DataFrame([{"note_id": f"N-{i}", "start": 0, **key} for i in range(4)])
    gaps = pd.DataFrame([
        {"note_id": "N-0", "start": 0, "end": 9, "category": "plan_gap", "element": "review_date"},
        {"note_id": "N-0", "start": 0, "end": 9, "category": "plan_gap", "element": "rationale"},
        {"note_id": "N-1", "start": 0, "end": 9, "category": "plan_gap", "element": "review_date"},
    ])
    table, summary = trends.plan_standard(restr, gaps)
    table = table.set_index("element")
    assert table.loc["review_date", "gaps"] == 2
    assert table.loc["review_date", "pct_meeting"] == pytest.approx(50)
    assert table.loc["alternative", "pct_meeting"] == pytest.approx(100)
    assert summary == {"care_plan_restrictions": 4, "fully_meeting": 2,
                       "pct_fully_meeting": 50.0, "gaps": 3}


def test_enabling_language() -> None:
    texts = pd.Series(["Supported Mary to wash her face.", "Staff washed Mary.",
                       "John chose toast.", "He did it independently.", None])
    assert trends.enabling_mask(texts).tolist() == [True, False, True, True, False]
