"""Confirmed findings: the run's flags as auditors judged them in the review store.

Decisions come from ``careaudit export decisions`` (``flag_id``, ``decision``
and, with ``--history``, ``sequence``); each flag's latest decision counts, and
only ``confirmed`` / ``dismissed`` flags of this run are *reviewed*.  Per
category and overall:

- share confirmed = confirmed / reviewed, with a Wilson interval;
- confirmed per 100 notes = confirmed flags / notes × 100 (exact Poisson
  interval): the confirmed findings so far, a floor while flags are unreviewed;
- estimated confirmed per 100 notes = flags per 100 notes × share confirmed,
  its interval from the share's interval (review sampling only).

Nothing is shown as a rate or share from fewer than
:data:`~nlp.governance.intervals.MIN_DENOMINATOR` reviews.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from nlp.governance.intervals import MIN_DENOMINATOR, add_rate, garwood
from nlp.schema import CATEGORIES

REVIEWED = ("confirmed", "dismissed")
COLUMNS: list[str] = [
    "category", "flags", "reviewed", "confirmed", "dismissed",
    "share_confirmed", "share_confirmed_lo", "share_confirmed_hi",
    "confirmed_per_100", "confirmed_per_100_lo", "confirmed_per_100_hi",
    "estimated_per_100", "estimated_per_100_lo", "estimated_per_100_hi", "note",
]


class DecisionsError(ValueError):
    """The decisions file cannot be used."""


def load_decisions(path: str | Path) -> pd.DataFrame:
    """Each flag's latest decision from a decisions CSV: ``flag_id``, ``decision``."""
    path = Path(path)
    try:
        frame = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8-sig")
    except FileNotFoundError as exc:
        raise DecisionsError(f"decisions file not found: {path}") from exc
    except (pd.errors.ParserError, pd.errors.EmptyDataError, UnicodeDecodeError) as exc:
        raise DecisionsError(f"{path}: cannot read CSV ({str(exc).splitlines()[0]})") from exc
    missing = [c for c in ("flag_id", "decision") if c not in frame.columns]
    if missing:
        raise DecisionsError(f"{path}: missing column(s) {', '.join(missing)} "
                             "(write it with `careaudit export decisions`)")
    return latest_decisions(frame)


def latest_decisions(frame: pd.DataFrame) -> pd.DataFrame:
    """One row per flag: its latest decision (by ``sequence``, else ``decided_at``, else order)."""
    frame = frame.copy()
    frame["_order"] = range(len(frame))
    sort = ["_order"]
    if "decided_at" in frame:
        sort.insert(0, "decided_at")
    if "sequence" in frame:
        frame["_seq"] = pd.to_numeric(frame["sequence"], errors="coerce").fillna(0)
        sort.insert(0, "_seq")
    latest = frame.sort_values(sort, kind="stable").drop_duplicates("flag_id", keep="last")
    return latest[["flag_id", "decision"]].reset_index(drop=True)


def confirmed_table(notes: pd.DataFrame, flags: pd.DataFrame,
                    decisions: pd.DataFrame) -> pd.DataFrame:
    """Per category (then "all"): flags, reviewed, confirmed and the rates (``COLUMNS``)."""
    status = flags["flag_id"].map(decisions.set_index("flag_id")["decision"]).fillna("")
    frame = flags.assign(_status=status)
    cats = [*CATEGORIES, "all"]
    rows = []
    for cat in cats:
        part = frame if cat == "all" else frame[frame["category"] == cat]
        rows.append({"category": cat, "flags": len(part),
                     "reviewed": int(part["_status"].isin(REVIEWED).sum()),
                     "confirmed": int((part["_status"] == "confirmed").sum()),
                     "dismissed": int((part["_status"] == "dismissed").sum())})
    table = pd.DataFrame(rows)
    table["notes"] = len(notes)
    table = add_rate(table, "confirmed", "reviewed", "share_confirmed", kind="pct",
                     unit="reviews")
    # the confirmed count per 100 notes: shown only once there are 5 reviews
    lo, hi = garwood(table["confirmed"], table["notes"])
    few = (table["reviewed"] < MIN_DENOMINATOR).to_numpy()
    per_100 = table["confirmed"] / table["notes"].where(table["notes"] > 0) * 100
    table["confirmed_per_100"] = np.where(few, np.nan, per_100)
    table["confirmed_per_100_lo"] = np.where(few, np.nan, lo * 100)
    table["confirmed_per_100_hi"] = np.where(few, np.nan, hi * 100)
    flags_per_100 = table["flags"] / table["notes"].where(table["notes"] > 0) * 100
    for end in ("", "_lo", "_hi"):
        table[f"estimated_per_100{end}"] = flags_per_100 * table[f"share_confirmed{end}"] / 100
    table["note"] = table["share_confirmed_note"].replace(
        f"fewer than {MIN_DENOMINATOR} reviews", f"fewer than {MIN_DENOMINATOR} reviews: no rate")
    return table[COLUMNS]
