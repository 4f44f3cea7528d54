"""SPC charts: limits by hand, the three special-cause rules, and the 2-note month."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pandas as pd
import pytest

from nlp.governance import spc, trends
from nlp.records.run_reader import load_run
from tests.governance.builders import flag, note, write_run


def months(n: int) -> list[str]:
    return [str(p) for p in pd.period_range("2025-01", periods=n, freq="M")]


def test_u_chart_limits_by_hand() -> None:
    # 2 flags in 10 notes, 10 in 40: ū = 12 / 50 = 0.24 per note
    #   month 1: 0.24 ± 3·√(0.24/10) = 0.24 ± 0.464758 → 0 (clipped) to 0.704758
    #   month 2: 0.24 ± 3·√(0.24/40) = 0.24 ± 0.232379 → 0.007621 to 0.472379
    chart = spc.u_chart(["a", "b"], [2, 10], [10, 40])
    assert chart["centre"].tolist() == pytest.approx([24.0, 24.0])
    assert chart["ucl"].tolist() == pytest.approx([70.4758, 47.2379], abs=1e-4)
    assert chart["lcl"].tolist() == pytest.approx([0.0, 0.7621], abs=1e-4)
    assert chart["value"].tolist() == pytest.approx([20.0, 25.0])
    assert not chart["special"].any()


def test_p_chart_limits_by_hand() -> None:
    # 5 of 20 and 10 of 20: p̄ = 15/40 = 0.375; σ = √(0.375 · 0.625 / 20) = 0.108253
    #   limits 0.375 ± 0.324760 → 5.0240% to 69.9760%
    chart = spc.p_chart(["a", "b"], [5, 10], [20, 20])
    assert chart["centre"].iloc[0] == pytest.approx(37.5)
    assert chart["ucl"].tolist() == pytest.approx([69.976, 69.976], abs=1e-3)
    assert chart["lcl"].tolist() == pytest.approx([5.024, 5.024], abs=1e-3)


def test_point_outside_the_limits() -> None:
    # 5 months of 20 flags in 100 notes, then 60: ū = 160/600 = 0.2667;
    # UCL = 0.2667 + 3·√(0.2667/100) = 0.4216 → 60 per 100 is above it (and the 5 months
    # below the mean are too few for a shift)
    chart = spc.u_chart(months(6), [20] * 5 + [60], [100] * 6)
    assert chart["ucl"].iloc[0] == pytest.approx(42.16, abs=0.01)
    assert chart["special"].tolist() == [False] * 5 + [True]
    assert chart["rule"].iloc[-1] == "outside limits"
    v = spc.verdict(chart, good="falling")
    assert (v.direction, v.assessment) == ("rising", "worsening")
    assert v.variation == "special cause: concern (higher)"


def test_shift_needs_7_points_on_one_side() -> None:
    # 7 months at 10 per 100 notes then k months at 14 (n = 100 each, all inside the limits)
    seven = spc.u_chart(months(14), [10] * 7 + [14] * 7, [100] * 14)
    assert seven["special"].tolist() == [True] * 14  # two runs of 7: below, then above
    assert seven["rule"].iloc[-1] == "run of 7 above the mean"
    assert spc.verdict(seven, good="rising").assessment == "improving"
    six = spc.u_chart(months(13), [10] * 7 + [14] * 6, [100] * 13)
    assert six["special"].tolist() == [True] * 7 + [False] * 6  # only the 7 below signal
    assert spc.verdict(six).assessment == "no significant change"


def test_trend_needs_6_points_each_higher() -> None:
    # 10, 11, …, 15 per 100 in 1000 notes: mean 12.5, UCL 12.5 + 3·√(0.125/1000)·100 = 15.85
    six = spc.u_chart(months(6), [100, 110, 120, 130, 140, 150], [1000] * 6)
    assert six["special"].all()
    assert six["rule"].iloc[-1] == "trend of 6 rising"
    assert spc.verdict(six).assessment == "worsening"
    five = spc.u_chart(months(6), [130, 100, 110, 120, 130, 140], [1000] * 6)
    assert not five["special"].any()


def two_note_month_run(tmp_path: Path, extra_flags: int) -> Path:
    """6 months × 20 notes with 4 doing-for flags each, then a month with 2 notes."""
    notes, flags, i = [], [], 0
    for m in ["2026-01", "2026-02", "2026-03", "2026-04", "2026-05", "2026-06"]:
        month = [note(i := i + 1, m) for _ in range(20)]
        notes += month
        flags += [flag(n, "doing_for") for n in month[:4]]
    last = [note(i + 1, "2026-07"), note(i + 2, "2026-07")]
    notes += last
    flags += [flag(last[k % 2], "doing_for", k) for k in range(extra_flags)]
    return write_run(tmp_path / f"run{extra_flags}", notes, flags)


@pytest.mark.parametrize("extra_flags", [7, 40])
def test_a_2_note_month_never_drives_worsening(tmp_path: Path, extra_flags: int) -> None:
    run = load_run(two_note_month_run(tmp_path, extra_flags))
    table = trends.monthly(run.notes, run.flags, run.restrictions)
    # the old fitted line calls the 2-note month's 350 (or 2000) per 100 notes "worsening"
    old = trends.trend_table(table).set_index("metric")
    assert old.loc["doing_for_per_100", "assessment"] == "worsening"
    chart = spc.monthly_chart(table, "doing_for_per_100")
    assert chart["used"].tolist() == [True] * 6 + [False]
    # even counted in, 40 flags in 2 notes would be far outside the limits
    assert chart["value"].iloc[-1] > spc.u_chart(
        chart["label"].tolist(), chart["count"], chart["denominator"], min_denominator=1
    )["ucl"].iloc[-1]
    verdicts = spc.verdict_table(table).set_index("metric")
    row = verdicts.loc["doing_for_per_100"]
    assert (row["latest"], row["excluded"], row["assessment"]) == (
        "2026-06", 1, "no significant change")
    assert "worsening" not in verdicts["assessment"].tolist()


def test_report_trends_never_call_a_2_note_month_worsening(
        tmp_path: Path, invoke: Callable) -> None:
    run_dir = two_note_month_run(tmp_path, 7)
    result = invoke("report", run_dir)
    assert result.exit_code == 0, result.output
    html = (run_dir / "report.html").read_text(encoding="utf-8")
    trends_html = html.split('id="trends"')[1].split("</section>")[0]
    assert "worsening" not in trends_html
    assert "1 month(s) with fewer than 5 notes not used" in trends_html
    assert "special cause" in trends_html and "<svg" in trends_html
    months_html = html.split('id="months"')[1].split("</section>")[0]
    assert "350.0" not in months_html  # no rate for the 2-note month
