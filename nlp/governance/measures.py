"""careaudit metrics as counts over a slice of a run (service, date range, people).

A *measure* is one of :data:`nlp.governance.trends.TREND_METRICS` (e.g.
``unrecorded_restriction_per_100``) over the notes of a service between two
dates: the event count, the notes, the rate and its 95 % interval.  Quality
improvement actions name a measure as their success measure; the re-audit
compares it before and after the action's date with an exact test
(:func:`scipy.stats.poisson_means_test` for rates, Fisher's exact test for
proportions).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from nlp.governance.intervals import MIN_DENOMINATOR, garwood, wilson
from nlp.governance.trends import TREND_METRICS, enabling_mask
from nlp.schema import CATEGORIES

#: metric -> (label, direction that is good)
METRICS: dict[str, tuple[str, str]] = dict(TREND_METRICS)
SIGNIFICANCE = 0.05


def is_pct(metric: str) -> bool:
    return metric.endswith("_pct")


def metric_label(metric: str, service: str = "") -> str:
    label = METRICS.get(metric, (metric, ""))[0]
    return f"{label}, {service}" if service else label


def check_metric(metric: str) -> str:
    """``metric`` if it is known, else ValueError listing the known ones."""
    if metric not in METRICS:
        raise ValueError(f"unknown measure {metric!r}; use one of {', '.join(METRICS)}")
    return metric


def count_events(notes: pd.DataFrame, flags: pd.DataFrame, restrictions: pd.DataFrame,
                 metric: str) -> int:
    """Events of ``metric`` among ``notes`` (flags/restrictions restricted to those notes)."""
    ids = set(notes["note_id"])
    if metric == "enabling_pct":
        return int(enabling_mask(notes["text"]).sum())
    if metric == "restrictions_per_100":
        return int(restrictions["note_id"].isin(ids).sum())
    mine = flags[flags["note_id"].isin(ids)]
    if metric == "flags_per_100":
        return len(mine)
    category = metric.removesuffix("_per_100")
    if category in CATEGORIES:
        return int((mine["category"] == category).sum())
    raise ValueError(f"unknown measure {metric!r}")


def select_notes(notes: pd.DataFrame, service: str = "", since: pd.Timestamp | None = None,
                 before: pd.Timestamp | None = None) -> pd.DataFrame:
    """Notes of ``service`` (all when empty) dated in [since, before)."""
    keep = pd.Series(True, index=notes.index)
    if service:
        keep &= notes["service"] == service
    if since is not None:
        keep &= notes["when"] >= since
    if before is not None:
        keep &= notes["when"] < before
    if since is not None or before is not None:
        keep &= notes["when"].notna()
    return notes[keep]


@dataclass(slots=True)
class Measure:
    """One measure over one slice: count, notes, value (per 100 or %) and interval."""

    metric: str
    count: int
    notes: int
    value: float
    lo: float
    hi: float

    @property
    def shown(self) -> bool:
        return self.notes >= MIN_DENOMINATOR

    def text(self) -> str:
        """``"12.3 (8.1–17.9; 15 in 122 notes)"`` or why there is no rate."""
        if not self.notes:
            return "no notes"
        if not self.shown:
            return f"{self.count} in {self.notes} notes (too few notes)"
        unit = "%" if is_pct(self.metric) else ""
        return (f"{self.value:,.1f}{unit} (95% CI {self.lo:,.1f}–{self.hi:,.1f}; "
                f"{self.count:,} in {self.notes:,} notes)")


def measure(notes: pd.DataFrame, flags: pd.DataFrame, restrictions: pd.DataFrame,
            metric: str) -> Measure:
    """``metric`` over ``notes`` with its Wilson (%) or Garwood (per 100) interval."""
    return from_counts(metric, count_events(notes, flags, restrictions, metric), len(notes))


def from_counts(metric: str, k: int, n: int) -> Measure:
    """A :class:`Measure` of ``k`` events in ``n`` notes, with its interval."""
    if n == 0:
        return Measure(metric, k, 0, np.nan, np.nan, np.nan)
    if is_pct(metric):
        lo, hi = wilson(k, n)
    else:
        lo_a, hi_a = garwood(k, n)
        lo, hi = float(lo_a), float(hi_a)
    return Measure(metric, k, n, k / n * 100, lo * 100, hi * 100)


def compare(before: Measure, after: Measure) -> tuple[str, float]:
    """("lower" | "higher" | "no clear change" | "not enough notes", two-sided p)."""
    if not (before.shown and after.shown):
        return "not enough notes", np.nan
    from scipy.stats import fisher_exact, poisson_means_test
    if is_pct(before.metric):
        table = [[after.count, after.notes - after.count],
                 [before.count, before.notes - before.count]]
        p = float(fisher_exact(table).pvalue)
    else:
        if before.count == 0 and after.count == 0:
            return "no clear change", 1.0
        p = float(poisson_means_test(after.count, after.notes, before.count,
                                     before.notes).pvalue)
    if p >= SIGNIFICANCE:
        return "no clear change", p
    return ("higher" if after.value > before.value else "lower"), p


def improvement(metric: str, change: str) -> str:
    """``change`` read against the metric's good direction: better / worse / as is."""
    if change not in ("lower", "higher"):
        return change
    good = METRICS.get(metric, ("", "falling"))[1]
    return "better" if (change == "lower") == (good == "falling") else "worse"
