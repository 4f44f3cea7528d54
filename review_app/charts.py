"""Altair charts for the dashboard (months left to right; services and categories as rows)."""

from __future__ import annotations

import altair as alt
import pandas as pd

STATE_COLOURS = alt.Scale(
    domain=["open", "confirmed", "dismissed"], range=["#9ca3af", "#dc2626", "#2563eb"]
)


def _encodings(by: str, label: str, value: str, title: str, **value_kw: object) -> dict:
    """Category on one axis and ``value`` on the other, oriented for ``by``."""
    if by == "month":
        return {
            "x": alt.X(f"{by}:N", title=label, sort=None, axis=alt.Axis(labelAngle=0)),
            "y": alt.Y(f"{value}:Q", title=title, **value_kw),
        }
    return {
        "y": alt.Y(f"{by}:N", title=label, sort=None),
        "x": alt.X(f"{value}:Q", title=title, **value_kw),
    }


def counts_chart(counts: pd.DataFrame, by: str, label: str) -> alt.Chart:
    """Stacked open / confirmed / dismissed counts (input: ``stats.long_counts``)."""
    return (
        alt.Chart(counts, title=f"Reviewed vs open by {label.lower()}")
        .mark_bar()
        .encode(
            **_encodings(by, label, "flags", "Flags", stack="zero"),
            color=alt.Color("state:N", scale=STATE_COLOURS, title="State"),
            tooltip=[by, "state", "flags"],
        )
    )


def rate_chart(table: pd.DataFrame, by: str, label: str) -> alt.Chart:
    """Confirmed / reviewed (input: ``stats.summarise`` rows with a rate)."""
    chart = alt.Chart(table, title=f"Confirmed rate by {label.lower()}")
    mark = chart.mark_line(point=True) if by == "month" else chart.mark_bar(color="#dc2626")
    return mark.encode(
        **_encodings(
            by,
            label,
            "confirmed_rate",
            "Confirmed rate",
            scale=alt.Scale(domain=[0, 1]),
            axis=alt.Axis(format="%"),
        ),
        tooltip=[by, "reviewed", "confirmed", "confirmed_rate"],
    )
