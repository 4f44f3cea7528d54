"""Statistical process control charts in the NHS "Making Data Count" style.

A month-by-month figure is called *rising* or *falling* only on a special-cause
signal, never on a fitted line:

- **u-chart** for events per 100 notes (denominators vary by month):
  centre ū = Σ events / Σ notes; limits ū ± 3·√(ū / nᵢ) for month i (lower ≥ 0).
- **p-chart** for proportions (e.g. notes with enabling language):
  centre p̄ = Σ x / Σ n; limits p̄ ± 3·√(p̄(1 − p̄) / nᵢ), clipped to 0–1.

Special-cause rules, applied to the months that are used:

1. a point outside the control limits;
2. a *shift*: 7 or more consecutive points on the same side of the centre line
   (a point on the line breaks the run);
3. a *trend*: 6 or more consecutive points each higher (or each lower) than the
   one before (an equal value breaks it).

Months with fewer than :data:`~nlp.governance.intervals.MIN_DENOMINATOR` notes
are shown but not used: they take no part in the centre line, the limits or the
rules, so a 2-note month can never drive a "worsening" call.  The verdict
(variation icon) follows the latest used month: special cause high or low when
that month is part of a signal, else common cause.  Limits from fewer than
:data:`PROVISIONAL_BELOW` used points are marked provisional.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

import numpy as np
import pandas as pd

from nlp.governance.intervals import MIN_DENOMINATOR

SHIFT_RUN = 7
TREND_RUN = 6
SIGMA = 3.0
PROVISIONAL_BELOW = 15

CHART_COLUMNS = ["label", "count", "denominator", "value", "centre", "ucl", "lcl", "used",
                 "special", "side", "rule"]


def _chart(labels: list[str], counts: np.ndarray, denoms: np.ndarray, kind: str,
           scale: float, min_denominator: int) -> pd.DataFrame:
    used = denoms >= min_denominator
    total_n = float(denoms[used].sum())
    centre = float(counts[used].sum()) / total_n if total_n else np.nan
    with np.errstate(invalid="ignore", divide="ignore"):
        value = np.where(denoms > 0, counts / np.where(denoms > 0, denoms, 1), np.nan)
        spread = centre if kind == "u" else centre * (1 - centre)
        sigma = np.sqrt(spread / denoms)
    ucl = centre + SIGMA * sigma
    lcl = np.maximum(centre - SIGMA * sigma, 0.0)
    if kind == "p":
        ucl = np.minimum(ucl, 1.0)
    ucl = np.where(denoms > 0, ucl, np.nan)
    lcl = np.where(denoms > 0, lcl, np.nan)
    frame = pd.DataFrame({
        "label": labels, "count": counts.astype(int), "denominator": denoms.astype(int),
        "value": value * scale, "centre": centre * scale, "ucl": ucl * scale,
        "lcl": lcl * scale, "used": used,
    })
    return _apply_rules(frame)


def u_chart(labels: list[str], counts: list[float] | np.ndarray | pd.Series,
            notes: list[float] | np.ndarray | pd.Series, *, per: float = 100.0,
            min_denominator: int = MIN_DENOMINATOR) -> pd.DataFrame:
    """u-chart of events per ``per`` notes, one row per label (``CHART_COLUMNS``)."""
    return _chart(list(labels), np.asarray(counts, dtype=float), np.asarray(notes, dtype=float),
                  "u", per, min_denominator)


def p_chart(labels: list[str], counts: list[float] | np.ndarray | pd.Series,
            totals: list[float] | np.ndarray | pd.Series, *,
            min_denominator: int = MIN_DENOMINATOR) -> pd.DataFrame:
    """p-chart of ``counts`` out of ``totals``, as percentages (``CHART_COLUMNS``)."""
    return _chart(list(labels), np.asarray(counts, dtype=float), np.asarray(totals, dtype=float),
                  "p", 100.0, min_denominator)


def _apply_rules(frame: pd.DataFrame) -> pd.DataFrame:
    """Mark special-cause points: ``special``, ``side`` (high/low) and ``rule``."""
    n = len(frame)
    special = np.zeros(n, dtype=bool)
    side = [""] * n
    rules: list[list[str]] = [[] for _ in range(n)]
    idx = np.flatnonzero(frame["used"].to_numpy())
    if len(idx):
        v = frame["value"].to_numpy(dtype=float)[idx]
        ucl = frame["ucl"].to_numpy(dtype=float)[idx]
        lcl = frame["lcl"].to_numpy(dtype=float)[idx]
        centre = float(frame["centre"].iloc[0])

        def mark(positions: list[int], where: str, rule: str) -> None:
            for p in positions:
                row = idx[p]
                if not special[row]:
                    special[row], side[row] = True, where
                rules[row].append(rule)

        # rule 1: outside the limits (marked first, so its side wins)
        for p in range(len(v)):
            if v[p] > ucl[p]:
                mark([p], "high", "outside limits")
            elif v[p] < lcl[p]:
                mark([p], "low", "outside limits")
        # rule 2: shift of SHIFT_RUN on one side of the centre line
        sides = np.sign(v - centre)
        for sign, where, words in ((1, "high", "above"), (-1, "low", "below")):
            for run in _runs(sides == sign):
                if len(run) >= SHIFT_RUN:
                    mark(run, where, f"run of {len(run)} {words} the mean")
        # rule 3: trend of TREND_RUN points each higher (lower) than the one before
        steps = np.sign(np.diff(v))
        for sign, where, words in ((1, "high", "rising"), (-1, "low", "falling")):
            for run in _runs(steps == sign):
                points = [*run, run[-1] + 1]  # k steps join k + 1 points
                if len(points) >= TREND_RUN:
                    mark(points, where, f"trend of {len(points)} {words}")
    frame["special"] = special
    frame["side"] = side
    frame["rule"] = ["; ".join(r) for r in rules]
    return frame


def _runs(mask: np.ndarray) -> list[list[int]]:
    """Positions of each maximal run of True in ``mask``."""
    runs: list[list[int]] = []
    current: list[int] = []
    for i, flag in enumerate(mask):
        if flag:
            current.append(i)
        elif current:
            runs.append(current)
            current = []
    if current:
        runs.append(current)
    return runs


@dataclass(slots=True)
class SpcVerdict:
    """What an SPC chart says about one measure, for a trends table."""

    metric: str
    label: str
    chart: str  # u | p
    months: int  # months used
    excluded: int  # months shown but not used (too few notes)
    latest: str  # latest used month
    latest_value: float
    latest_count: int
    latest_denominator: int
    centre: float
    lcl: float
    ucl: float
    signal: str  # the rules that fired on the latest used month, else ""
    direction: str  # rising | falling | no significant change | too few months
    assessment: str  # improving | worsening | no significant change | ""
    variation: str  # MDC wording: special cause (concern / improvement) or common cause
    provisional: bool
    earlier: str  # rules that fired on earlier months only

    def to_dict(self) -> dict[str, object]:
        return asdict(self)


def verdict(chart: pd.DataFrame, metric: str = "", label: str = "", kind: str = "u",
            good: str = "falling") -> SpcVerdict:
    """The MDC-style verdict of a chart from :func:`u_chart` / :func:`p_chart`."""
    used = chart[chart["used"]]
    excluded = int((~chart["used"] & (chart["denominator"] > 0)).sum())
    if len(used) < 2:
        last = used.iloc[-1] if len(used) else None
        return SpcVerdict(
            metric, label, kind, len(used), excluded,
            str(last["label"]) if last is not None else "",
            float(last["value"]) if last is not None else np.nan,
            int(last["count"]) if last is not None else 0,
            int(last["denominator"]) if last is not None else 0,
            float(chart["centre"].iloc[0]) if len(chart) else np.nan, np.nan, np.nan,
            "", "too few months", "", "too few months to judge", True, "")
    last = used.iloc[-1]
    earlier = "; ".join(dict.fromkeys(
        f"{r.label}: {r.rule}" for r in used.iloc[:-1].itertuples() if r.special))
    if last["special"]:
        direction = "rising" if last["side"] == "high" else "falling"
        good_side = "low" if good == "falling" else "high"
        improving = last["side"] == good_side
        assessment = "improving" if improving else "worsening"
        variation = ("special cause: improvement" if improving else "special cause: concern") + (
            " (higher)" if last["side"] == "high" else " (lower)")
        signal = str(last["rule"])
    else:
        direction, assessment, signal = "no significant change", "no significant change", ""
        variation = "common cause: no significant change"
    return SpcVerdict(
        metric, label, kind, len(used), excluded, str(last["label"]), float(last["value"]),
        int(last["count"]), int(last["denominator"]), float(last["centre"]),
        float(last["lcl"]), float(last["ucl"]), signal, direction, assessment, variation,
        len(used) < PROVISIONAL_BELOW, earlier)


VERDICT_COLUMNS: list[str] = list(SpcVerdict.__slots__)


def count_column(metric: str) -> str:
    """The count behind a monthly metric of :func:`nlp.governance.trends.monthly`."""
    if metric == "enabling_pct":
        return "enabling_notes"
    return metric.removesuffix("_per_100")


def monthly_chart(month_table: pd.DataFrame, metric: str) -> pd.DataFrame:
    """The u-chart (``*_per_100``) or p-chart (``*_pct``) of one monthly metric."""
    months = month_table["month"].astype(str).tolist()
    counts = month_table[count_column(metric)].fillna(0)
    notes = month_table["notes"].fillna(0)
    if metric.endswith("_pct"):
        return p_chart(months, counts, notes)
    return u_chart(months, counts, notes)


def verdict_table(month_table: pd.DataFrame,
                  metrics: dict[str, tuple[str, str]] | None = None) -> pd.DataFrame:
    """One :class:`SpcVerdict` row per metric (default: ``trends.TREND_METRICS``)."""
    from nlp.governance.trends import TREND_METRICS

    rows = []
    for metric, (label, good) in (metrics or TREND_METRICS).items():
        if count_column(metric) not in month_table:
            continue
        chart = monthly_chart(month_table, metric)
        kind = "p" if metric.endswith("_pct") else "u"
        rows.append(verdict(chart, metric, label, kind, good).to_dict())
    return pd.DataFrame(rows, columns=VERDICT_COLUMNS)
