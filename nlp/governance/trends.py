"""Governance figures from an audit run: rates per 100 notes, monthly trends, comparisons.

Every function takes plain frames (``notes``, ``flags``, ``restrictions`` with the
``nlp.schema`` columns plus ``month`` = "yyyy-mm") and uses vectorised pandas
group-bys, so a 100,000-note run takes seconds.

Rates are per 100 notes of the same group (service, month, author...).
A trend is the least-squares slope of a monthly series over the months that
have notes; it is "stable" when the fitted change over the period is under
10% of the series' mean level.
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass

import numpy as np
import pandas as pd

from nlp.governance.metric_names import TREND_METRICS
from nlp.schema import CATEGORIES, PLAN_ELEMENTS

#: Wording that records what the person did or chose (the "independence language"
#: a provider wants to see rising).  Case-insensitive, whole words.
ENABLING_TERMS: tuple[str, ...] = (
    r"support(?:ed|ing)? (?:\w+ ){0,2}to",
    r"prompt(?:ed|s|ing)?",
    r"encourag(?:ed|ing)",
    r"remind(?:ed)?",
    r"guided",
    r"chose",
    r"choose",
    r"chosen",
    r"choice",
    r"decided to",
    r"independently",
    r"by (?:him|her|them)self",
    r"himself",
    r"herself",
    r"themselves",
    r"hand[- ]over[- ]hand",
    r"with (?:verbal |gentle )?prompts?",
    r"asked (?:for|to|if)",
    r"(?:he|she|they) wanted",
    r"preferred",
)
ENABLING_RE = re.compile(r"\b(?:" + "|".join(ENABLING_TERMS) + r")\b", re.IGNORECASE)

SUPERVISION_TOPICS: dict[str, str] = {
    "doing_for": "enabling language: record what the person did, chose and said",
    "unrecorded_restriction": "recording restrictions with their authority (care plan, BI, DoLS)",
    "missing_rationale": "writing down why a decision was made",
    "plan_gap": "care-plan restriction standard (rationale, alternative, review, involvement)",
}


def enabling_mask(texts: pd.Series) -> pd.Series:
    """True for each note text that contains enabling language."""
    return texts.fillna("").str.contains(ENABLING_RE, regex=True)


def _per_100(count: pd.Series | pd.DataFrame, notes: pd.Series) -> pd.Series | pd.DataFrame:
    denom = notes.where(notes > 0)
    if isinstance(count, pd.DataFrame):
        return count.div(denom, axis=0) * 100
    return count / denom * 100


def flag_rates(
    notes: pd.DataFrame,
    flags: pd.DataFrame,
    by: list[str],
    categories: tuple[str, ...] = CATEGORIES,
) -> pd.DataFrame:
    """Per group of ``by``: notes, flags, flags_per_100, ``<cat>`` and ``<cat>_per_100``."""
    n = notes.groupby(by, observed=True).size().rename("notes")
    counts = (
        flags.groupby([*by, "category"], observed=True)
        .size()
        .unstack("category", fill_value=0)
        .reindex(columns=list(categories), fill_value=0)
    )
    table = n.to_frame().join(counts, how="left").fillna(0)
    table[list(categories)] = table[list(categories)].astype(int)
    table["flags"] = table[list(categories)].sum(axis=1)
    table["flags_per_100"] = _per_100(table["flags"], table["notes"])
    rates = _per_100(table[list(categories)], table["notes"])
    rates.columns = [f"{c}_per_100" for c in categories]
    return pd.concat([table, rates], axis=1).reset_index()


def category_rates(
    notes: pd.DataFrame, flags: pd.DataFrame, categories: tuple[str, ...] = CATEGORIES
) -> pd.DataFrame:
    """One row per category: flags, per_100 notes, people and notes affected."""
    total = max(len(notes), 1)
    grouped = flags.groupby("category")
    out = pd.DataFrame(
        {
            "flags": grouped.size(),
            "notes_flagged": grouped["note_id"].nunique(),
            "people": grouped["person_id"].nunique(),
        }
    ).reindex(list(categories), fill_value=0)
    out["per_100"] = out["flags"] / total * 100
    out["pct_notes_flagged"] = out["notes_flagged"] / total * 100
    return out.rename_axis("category").reset_index()


def _month_range(months: pd.Series) -> list[str]:
    valid = months[months != ""]
    if valid.empty:
        return []
    periods = pd.period_range(valid.min(), valid.max(), freq="M")
    return [str(p) for p in periods]


def monthly(notes: pd.DataFrame, flags: pd.DataFrame, restrictions: pd.DataFrame) -> pd.DataFrame:
    """Month-by-month metrics (every month in the period; rates NaN where no notes)."""
    months = _month_range(notes["month"])
    dated = notes[notes["month"] != ""]
    table = flag_rates(dated, flags[flags["month"] != ""], ["month"]).set_index("month")
    table = table.reindex(months)
    table["notes"] = table["notes"].fillna(0).astype(int)
    r = restrictions[restrictions["month"] != ""].groupby("month").size()
    table["restrictions"] = r.reindex(months, fill_value=0)
    table["restrictions_per_100"] = _per_100(table["restrictions"], table["notes"])
    enabling = enabling_mask(dated["text"]).groupby(dated["month"]).sum()
    table["enabling_notes"] = enabling.reindex(months, fill_value=0).astype(int)
    table["enabling_pct"] = _per_100(table["enabling_notes"], table["notes"])
    return table.rename_axis("month").reset_index()


@dataclass(slots=True)
class Trend:
    """A least-squares trend of one monthly metric."""

    metric: str
    label: str
    months: int
    first: float
    last: float
    slope_per_month: float
    change_over_period: float
    direction: str  # rising | falling | stable | too few months
    assessment: str  # improving | worsening | no clear change | ""

    def to_dict(self) -> dict[str, object]:
        return asdict(self)


def trend(
    values: pd.Series,
    months: pd.Series,
    metric: str = "",
    label: str = "",
    good: str = "falling",
    tolerance: float = 0.10,
) -> Trend:
    """Fit ``values`` (one per month, NaN = no data) against month number."""
    ok = values.notna().to_numpy()
    y = values.to_numpy(dtype=float)[ok]
    x = np.array([pd.Period(m, freq="M").ordinal for m in months], dtype=float)[ok]
    if len(y) < 2:
        first = float(y[0]) if len(y) else float("nan")
        return Trend(
            metric, label, len(y), first, first, float("nan"), float("nan"), "too few months", ""
        )
    slope = float(np.polyfit(x - x[0], y, 1)[0])
    change = slope * float(x[-1] - x[0])
    level = float(np.mean(np.abs(y)))
    if level == 0 or abs(change) < tolerance * level:
        direction = "stable"
    else:
        direction = "rising" if slope > 0 else "falling"
    assessment = (
        "no clear change"
        if direction == "stable"
        else "improving"
        if direction == good
        else "worsening"
    )
    return Trend(
        metric, label, len(y), float(y[0]), float(y[-1]), slope, change, direction, assessment
    )


def trend_table(
    month_table: pd.DataFrame, metrics: dict[str, tuple[str, str]] = TREND_METRICS
) -> pd.DataFrame:
    """One :class:`Trend` row per metric of :func:`monthly`."""
    rows = [
        trend(month_table[m], month_table["month"], m, label, good).to_dict()
        for m, (label, good) in metrics.items()
        if m in month_table
    ]
    return pd.DataFrame(rows, columns=list(Trend.__slots__))


def author_rates(
    notes: pd.DataFrame, flags: pd.DataFrame, min_notes: int = 20, top: int = 10
) -> pd.DataFrame:
    """Authors with at least ``min_notes`` notes, highest flag rate first (supervision planning)."""
    named = notes[notes["author"] != ""]
    table = flag_rates(named, flags[flags["author"] != ""], ["author"])
    table = table[(table["notes"] >= min_notes) & (table["flags"] > 0)]
    if table.empty:
        return table.assign(main_category="", supervision_topic="")
    cats = list(CATEGORIES)
    main = table[cats].idxmax(axis=1).where(table["flags"] > 0, "")
    table = table.assign(
        main_category=main, supervision_topic=main.map(SUPERVISION_TOPICS).fillna("")
    )
    return (
        table.sort_values(["flags_per_100", "notes"], ascending=[False, False])
        .head(top)
        .reset_index(drop=True)
    )


def restriction_types(restrictions: pd.DataFrame, n_notes: int) -> pd.DataFrame:
    """Per restriction_type: mentions, people, per 100 notes, status and register status counts."""
    if restrictions.empty:
        return pd.DataFrame(columns=["restriction_type", "mentions", "people", "per_100"])
    g = restrictions.groupby("restriction_type")
    out = pd.DataFrame({"mentions": g.size(), "people": g["person_id"].nunique()})
    out["per_100"] = out["mentions"] / max(n_notes, 1) * 100
    status = pd.crosstab(restrictions["restriction_type"], restrictions["status"])
    for col in ("authorised_in_text", "recorded", "unrecorded"):
        out[col] = status.get(col, 0)
    reg = pd.crosstab(restrictions["restriction_type"], restrictions["register_status"])
    for col in ("in_register", "out_of_date", "not_in_register"):
        out[col] = reg.get(col, 0)
    out = out.sort_values("mentions", ascending=False)
    return out.rename_axis("restriction_type").reset_index()


def plan_standard(restrictions: pd.DataFrame, flags: pd.DataFrame) -> tuple[pd.DataFrame, dict]:
    """``plan_gap`` counts by element and the share of care-plan restrictions meeting each.

    A care-plan restriction is keyed by (note_id, start, end); its gaps are the
    ``plan_gap`` flags with the same key.
    """
    key = ["note_id", "start", "end"]
    plans = restrictions.loc[restrictions["note_type"] == "care_plan", key].drop_duplicates()
    gaps = flags.loc[flags["category"] == "plan_gap", [*key, "element"]].drop_duplicates()
    total = len(pd.concat([plans, gaps[key]]).drop_duplicates())
    per_element = gaps.groupby("element").size().reindex(list(PLAN_ELEMENTS), fill_value=0)
    table = pd.DataFrame({"element": list(PLAN_ELEMENTS), "gaps": per_element.to_numpy()})
    table["restrictions"] = total
    table["pct_meeting"] = (1 - table["gaps"] / total) * 100 if total else np.nan
    with_gap = len(gaps[key].drop_duplicates())
    summary = {
        "care_plan_restrictions": total,
        "fully_meeting": total - with_gap,
        "pct_fully_meeting": (total - with_gap) / total * 100 if total else None,
        "gaps": len(gaps),
    }
    return table, summary


def compare(
    current: pd.DataFrame, baseline: pd.DataFrame, key: str, value: str = "per_100"
) -> pd.DataFrame:
    """Baseline, current, change and change_pct of ``value`` per ``key`` (lower is better)."""
    merged = baseline[[key, value]].merge(
        current[[key, value]], on=key, how="outer", suffixes=("_baseline", "_current")
    )
    merged = merged.rename(columns={f"{value}_baseline": "baseline", f"{value}_current": "current"})
    merged["change"] = merged["current"] - merged["baseline"]
    merged["change_pct"] = merged["change"] / merged["baseline"].where(merged["baseline"] > 0) * 100
    merged["direction"] = np.select(
        [merged["change"].isna(), merged["change"] < -1e-9, merged["change"] > 1e-9],
        ["new", "fewer", "more"],
        default="same",
    )
    merged.loc[merged["baseline"].isna(), "direction"] = "new"
    merged.loc[merged["current"].isna(), "direction"] = "gone"
    return merged.sort_values(key).reset_index(drop=True)
