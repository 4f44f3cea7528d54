"""Counts for the governance dashboard: flags per service, category and month."""

from __future__ import annotations

import pandas as pd
from sqlalchemy import Engine

from review_app.store import FlagFilter, list_flags

GROUPS: dict[str, str] = {"Service": "service", "Category": "category", "Month": "month"}


def flag_frame(engine: Engine, flt: FlagFilter | None = None) -> pd.DataFrame:
    """One row per flag: service, category, month (yyyy-mm of the note date), status."""
    rows = [
        {
            "flag_id": f.flag_id,
            "service": f.service or "(none)",
            "category": f.category,
            "month": (f.date or "")[:7] or "(no date)",
            "status": f.status,
        }
        for f in list_flags(engine, flt)
    ]
    return pd.DataFrame(rows, columns=["flag_id", "service", "category", "month", "status"])


def summarise(frame: pd.DataFrame, by: str) -> pd.DataFrame:
    """Per value of ``by``: flags, open, reviewed, confirmed, dismissed, confirmed_rate.

    ``confirmed_rate`` is confirmed / reviewed (empty when nothing is reviewed yet).
    """
    columns = [by, "flags", "open", "reviewed", "confirmed", "dismissed", "confirmed_rate"]
    if frame.empty:
        return pd.DataFrame(columns=columns)
    counts = pd.crosstab(frame[by], frame["status"])
    for status in ("open", "confirmed", "dismissed"):
        if status not in counts:
            counts[status] = 0
    out = pd.DataFrame(
        {
            "flags": counts[["open", "confirmed", "dismissed"]].sum(axis=1),
            "open": counts["open"],
            "confirmed": counts["confirmed"],
            "dismissed": counts["dismissed"],
        }
    )
    out["reviewed"] = out["confirmed"] + out["dismissed"]
    out["confirmed_rate"] = (out["confirmed"] / out["reviewed"].where(out["reviewed"] > 0)).round(3)
    return out.reset_index().rename(columns={"index": by})[columns].sort_values(by)


def long_counts(frame: pd.DataFrame, by: str) -> pd.DataFrame:
    """Reviewed vs open counts in long form, for a stacked bar chart."""
    table = summarise(frame, by)
    if table.empty:
        return pd.DataFrame(columns=[by, "state", "flags"])
    return table[[by, "open", "confirmed", "dismissed"]].melt(
        id_vars=[by],
        value_vars=["open", "confirmed", "dismissed"],
        var_name="state",
        value_name="flags",
    )
