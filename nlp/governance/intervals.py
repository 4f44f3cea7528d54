"""Confidence intervals and small-number rules for governance figures.

- Proportions (share of notes, share of reviewed flags confirmed): Wilson score
  interval, from :func:`scipy.stats.binomtest`.
- Rates per 100 notes: exact Poisson (Garwood) interval on the count, from the
  chi-squared quantiles :func:`scipy.stats.chi2.ppf`, divided by the notes.

Small numbers (the same rule everywhere in the report):

- a rate or share from fewer than :data:`MIN_DENOMINATOR` notes (or reviews)
  is not shown (*suppressed*): its value and interval are NaN and its note says why;
- a rate built on 1–4 events is shown with its interval but *marked*
  ("small number"); tables by protected characteristic go further and suppress
  it (:mod:`nlp.governance.equality`).
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
import pandas as pd

LEVEL = 0.95
MIN_DENOMINATOR = 5
SMALL_COUNT = 5


def wilson(k: int, n: int, level: float = LEVEL) -> tuple[float, float]:
    """Wilson score interval for ``k`` successes in ``n`` trials, as proportions (0–1)."""
    if n <= 0:
        return math.nan, math.nan
    from scipy.stats import binomtest  # scipy loads in seconds: only when needed

    ci = binomtest(int(k), int(n)).proportion_ci(confidence_level=level, method="wilson")
    return float(ci.low), float(ci.high)


def garwood(
    counts: Sequence[float] | np.ndarray | pd.Series | float,
    exposure: Sequence[float] | np.ndarray | pd.Series | float,
    level: float = LEVEL,
) -> tuple[np.ndarray, np.ndarray]:
    """Exact (Garwood) Poisson interval for ``counts`` events per unit of ``exposure``.

    Lower = chi2.ppf(α/2, 2k) / 2, upper = chi2.ppf(1 − α/2, 2k + 2) / 2 (lower is 0
    when k = 0), each divided by the exposure; NaN where the exposure is not positive.
    """
    from scipy.stats import chi2

    k = np.asarray(counts, dtype=float)
    n = np.asarray(exposure, dtype=float)
    alpha = 1 - level
    with np.errstate(invalid="ignore", divide="ignore"):
        lo = np.where(k > 0, chi2.ppf(alpha / 2, 2 * np.maximum(k, 1)) / 2, 0.0)
        hi = chi2.ppf(1 - alpha / 2, 2 * k + 2) / 2
        ok = n > 0
        safe = np.where(ok, n, 1.0)
        return np.where(ok, lo / safe, np.nan), np.where(ok, hi / safe, np.nan)


def add_rate(
    frame: pd.DataFrame,
    count: str,
    denominator: str,
    name: str,
    *,
    kind: str = "per_100",
    min_denominator: int = MIN_DENOMINATOR,
    unit: str = "notes",
) -> pd.DataFrame:
    """Add ``name``, ``name_lo``, ``name_hi`` and ``name_note`` to a copy of ``frame``.

    ``kind`` is ``per_100`` (Garwood, per 100 of the denominator) or ``pct`` (Wilson,
    a percentage). Rows with fewer than ``min_denominator`` in the denominator get
    NaN (suppressed); rows with 1–4 events are marked "small number".
    """
    out = frame.copy()
    k = pd.to_numeric(out[count], errors="coerce").fillna(0).astype(float)
    n = pd.to_numeric(out[denominator], errors="coerce").fillna(0).astype(float)
    if kind == "per_100":
        lo, hi = garwood(k, n)
        value = np.where(n > 0, k / n.where(n > 0, 1) * 100, np.nan)
        lo, hi = lo * 100, hi * 100
    elif kind == "pct":
        pairs = [wilson(int(a), int(b)) for a, b in zip(k, n, strict=True)]
        lo = np.array([p[0] for p in pairs], dtype=float) * 100
        hi = np.array([p[1] for p in pairs], dtype=float) * 100
        value = np.where(n > 0, k / n.where(n > 0, 1) * 100, np.nan)
    else:
        raise ValueError(f"unknown rate kind {kind!r} (per_100 or pct)")
    small_denominator = (n < min_denominator).to_numpy()
    out[name] = np.where(small_denominator, np.nan, value)
    out[f"{name}_lo"] = np.where(small_denominator, np.nan, lo)
    out[f"{name}_hi"] = np.where(small_denominator, np.nan, hi)
    note = np.where(
        small_denominator,
        f"fewer than {min_denominator} {unit}",
        np.where((k > 0) & (k < SMALL_COUNT), "small number", ""),
    )
    out[f"{name}_note"] = note
    return out


def format_ci(lo: float | None, hi: float | None, digits: int = 1, suffix: str = "") -> str:
    """``"lo–hi"`` (en dash), or an en dash alone when either end is missing."""
    if lo is None or hi is None or _nan(lo) or _nan(hi):
        return "–"
    return f"{lo:,.{digits}f}–{hi:,.{digits}f}{suffix}"


def ci_text(k: int, n: int) -> str:
    """``"95% CI lo–hi"`` for k events per 100 of n notes; "" below ``MIN_DENOMINATOR``."""
    if n < MIN_DENOMINATOR:
        return ""
    lo, hi = garwood(k, n)
    return f"95% CI {format_ci(float(lo) * 100, float(hi) * 100)}"


def describe_rate(k: int, n: int, per: str = "100 notes", events: str = "flags") -> str:
    """One line for a headline: rate, 95 % interval and the count behind it."""
    if n < MIN_DENOMINATOR:
        return f"{k} {events} in {n} notes (too few notes for a rate)"
    return f"{k / n * 100:,.1f} per {per} ({ci_text(k, n)}; {k:,} {events} in {n:,} notes)"


def combine_notes(*notes: str) -> str:
    """Distinct non-empty notes joined with ``; `` (for a table's note column)."""
    return "; ".join(dict.fromkeys(n for n in notes if n))


def _nan(v: float) -> bool:
    return isinstance(v, float) and math.isnan(v)
