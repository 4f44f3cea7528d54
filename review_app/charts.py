"""Vega-Lite charts for the dashboard, written as plain specs (no Altair: cheaper to build)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any


def rate_spec(
    groups: Sequence[str],
    rates: Sequence[float],
    lows: Sequence[float],
    highs: Sequence[float],
    reviewed: Sequence[int],
    title: str,
) -> dict[str, Any]:
    """Confirmed rate per group with its Wilson interval (a point on a line)."""
    values = [
        {"group": g, "rate": r, "low": lo, "high": hi, "reviewed": n}
        for g, r, lo, hi, n in zip(groups, rates, lows, highs, reviewed, strict=True)
    ]
    y = {
        "field": "group",
        "type": "nominal",
        "sort": None,
        "title": None,
        "axis": {"labelLimit": 260},
    }
    x = {"type": "quantitative", "scale": {"domain": [0, 1]}}
    return {
        "title": f"Confirmed rate by {title.lower()} (95% interval)",
        "data": {"values": values},
        "height": {"step": 20},
        "layer": [
            {
                "mark": {"type": "rule", "color": "#6b7280", "strokeWidth": 2},
                "encoding": {
                    "y": y,
                    "x": {**x, "field": "low", "title": "Confirmed rate", "axis": {"format": "%"}},
                    "x2": {"field": "high"},
                },
            },
            {
                "mark": {"type": "point", "filled": True, "color": "#dc2626", "size": 50},
                "encoding": {
                    "y": y,
                    "x": {**x, "field": "rate"},
                    "tooltip": [
                        {"field": "group", "title": title},
                        {"field": "rate", "format": ".0%", "title": "rate"},
                        {"field": "low", "format": ".0%"},
                        {"field": "high", "format": ".0%"},
                        {"field": "reviewed"},
                    ],
                },
            },
        ],
    }
