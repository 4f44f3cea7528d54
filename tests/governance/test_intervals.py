"""Interval and small-number rules, checked against values computed by hand."""

from __future__ import annotations

import math

import pandas as pd
import pytest

from nlp.governance.intervals import add_rate, ci_text, describe_rate, format_ci, garwood, wilson


def test_wilson_by_hand() -> None:
    # k = 3, n = 10, p = 0.3, z = 1.959964 (z² = 3.841459):
    #   centre = (p + z²/2n) / (1 + z²/n) = (0.3 + 0.192073) / 1.384146 = 0.355507
    #   half   = z·√(p(1−p)/n + z²/4n²) / (1 + z²/n)
    #          = 1.959964 · √(0.021 + 0.009604) / 1.384146 = 1.959964 · 0.174939 / 1.384146
    #          = 0.247715
    #   → 0.107791 to 0.603222
    assert wilson(3, 10) == pytest.approx((0.107791, 0.603222), abs=2e-6)
    # k = 0, n = 5: lower 0, upper = (z²/n) / (1 + z²/n) = 0.768292 / 1.768292 = 0.434482
    assert wilson(0, 5) == pytest.approx((0.0, 0.434482), abs=2e-6)
    assert all(math.isnan(v) for v in wilson(0, 0))


def test_garwood_by_hand() -> None:
    # k = 0: lower 0; upper = χ²(0.975; 2)/2 = −ln(0.025) = 3.688879 (χ² on 2 df is exponential)
    lo, hi = garwood(0, 1)
    assert (float(lo), float(hi)) == pytest.approx((0.0, 3.688879), abs=1e-6)
    # k = 1: lower = χ²(0.025; 2)/2 = −ln(0.975) = 0.025318; upper = χ²(0.975; 4)/2 = 5.571643
    lo, hi = garwood(1, 1)
    assert (float(lo), float(hi)) == pytest.approx((0.025318, 5.571643), abs=1e-6)
    # k = 10 (published Garwood table: 4.7954 to 18.3904) in 200 notes, per 100 notes:
    # 10/200·100 = 5.0, interval 4.7954/2 = 2.3977 to 18.3904/2 = 9.1952
    lo, hi = garwood(10, 200)
    assert (float(lo) * 100, float(hi) * 100) == pytest.approx((2.3977, 9.1952), abs=1e-4)
    assert ci_text(10, 200) == "95% CI 2.4–9.2"
    assert describe_rate(10, 200) == "5.0 per 100 notes (95% CI 2.4–9.2; 10 flags in 200 notes)"


def test_rates_from_fewer_than_5_notes_are_suppressed_and_small_counts_marked() -> None:
    frame = pd.DataFrame({"group": ["big", "tiny", "few events", "none"],
                          "events": [10, 7, 2, 0], "notes": [200, 2, 40, 0]})
    out = add_rate(frame, "events", "notes", "rate").set_index("group")
    assert out.loc["big", "rate"] == pytest.approx(5.0)
    assert (out.loc["big", "rate_lo"], out.loc["big", "rate_hi"]) == pytest.approx(
        (2.3977, 9.1952), abs=1e-4)
    assert out.loc["big", "rate_note"] == ""
    # 7 flags in 2 notes would read 350 per 100 notes: not shown
    assert math.isnan(out.loc["tiny", "rate"]) and math.isnan(out.loc["tiny", "rate_hi"])
    assert out.loc["tiny", "rate_note"] == "fewer than 5 notes"
    # 2 events in 40 notes: 5.0 per 100, shown but marked
    assert out.loc["few events", "rate"] == pytest.approx(5.0)
    assert out.loc["few events", "rate_note"] == "small number"
    assert out.loc["none", "rate_note"] == "fewer than 5 notes"
    assert describe_rate(7, 2) == "7 flags in 2 notes (too few notes for a rate)"


def test_percentages_use_wilson() -> None:
    frame = pd.DataFrame({"confirmed": [3, 1], "reviewed": [10, 4]})
    out = add_rate(frame, "confirmed", "reviewed", "share", kind="pct", unit="reviews")
    assert out.loc[0, "share"] == pytest.approx(30.0)
    assert (out.loc[0, "share_lo"], out.loc[0, "share_hi"]) == pytest.approx(
        (10.7791, 60.3222), abs=1e-4)  # the Wilson interval above, as %
    assert math.isnan(out.loc[1, "share"])  # 4 reviews: no share shown
    assert out.loc[1, "share_note"] == "fewer than 5 reviews"
    assert format_ci(10.7791, 60.3222) == "10.8–60.3"
    assert format_ci(float("nan"), 1.0) == "–"
