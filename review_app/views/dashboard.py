"""Governance dashboard: counts beside every rate, 95 % intervals, agreement between reviewers.

Every number comes from small cubes (:mod:`review_app.stats`: flag counts cached per import,
decided counts kept up to date from new decisions); tables are plain
HTML with every value escaped, and one group-by is drawn at a time, so the page opens
in about the same time at 500 and at 100,000 flags.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from html import escape

import pandas as pd
import streamlit as st
from sqlalchemy import Engine

from review_app import agreement, session, stats
from review_app.auth import SignedInUser
from review_app.charts import rate_spec

NAME = "Dashboard"
TABLE_CSS = """<style>
.ca-table-box{max-height:330px;overflow-y:auto;border:1px solid #e5e7eb;border-radius:.4rem}
table.ca-table{border-collapse:collapse;width:100%;font-size:.85rem}
table.ca-table th{position:sticky;top:0;background:#f9fafb;text-align:right;padding:.3rem .5rem;
font-weight:600;border-bottom:1px solid #e5e7eb}
table.ca-table td{text-align:right;padding:.25rem .5rem;border-bottom:1px solid #f3f4f6}
table.ca-table th:first-child,table.ca-table td:first-child{text-align:left;min-width:11rem}
table.ca-table td.na{color:#9ca3af}
</style>"""


def html_table(frame: pd.DataFrame) -> str:
    """A DataFrame as an escaped HTML table ('–' and 'n < 5' cells greyed)."""
    head = "".join(f"<th>{escape(str(c))}</th>" for c in frame.columns)
    rows = []
    for row in frame.itertuples(index=False):
        cells = []
        for value in row:
            text = str(value)
            cls = ' class="na"' if text in ("–", "n < 5") else ""
            cells.append(f"<td{cls}>{escape(text)}</td>")
        rows.append("<tr>" + "".join(cells) + "</tr>")
    return (
        f'<div class="ca-table-box"><table class="ca-table"><thead><tr>{head}</tr></thead>'
        f"<tbody>{''.join(rows)}</tbody></table></div>"
    )


def _filters(flags: pd.DataFrame) -> stats.DashFilter:
    cols = st.columns([1.2, 1.2, 1.2, 1.6])
    months = sorted(m for m in flags["month"].unique() if m)
    services = cols[0].multiselect("Service", sorted(flags["service"].unique()), key="d_services")
    categories = cols[1].multiselect(
        "Category",
        sorted(flags["category"].unique()),
        key="d_categories",
        format_func=lambda c: stats.label("category", c),
    )
    authors = cols[2].multiselect("Author", sorted(flags["author"].unique()), key="d_authors")
    lo, hi = (months[0], months[-1]) if months else ("", "")
    if len(months) > 1:
        lo, hi = cols[3].select_slider(
            "Period",
            months,
            value=(months[0], months[-1]),
            key="d_period",
            format_func=stats.month_label,
        )
    return stats.DashFilter(services, categories, authors, lo, hi)


def _headline(flags: pd.DataFrame, decided: pd.DataFrame, flt: stats.DashFilter) -> None:
    total = stats.summarise(flags, decided, None, flt).iloc[0]
    n, k = int(total["reviewed"]), int(total["confirmed"])
    cols = st.columns(4)
    cols[0].metric("Flags", f"{int(total['flags']):,}")
    cols[1].metric("Reviewed", f"{n:,}")
    cols[2].metric("Open", f"{int(total['open']):,}")
    rate = total["confirmed_rate"]
    cols[3].metric("Confirmed rate", "–" if math.isnan(rate) else f"{rate:.0%}")
    st.caption(
        "Confirmed rate = confirmed / reviewed: "
        + stats.rate_text(rate, total["ci_low"], total["ci_high"], k, n)
        + ". Rates are shown from 5 reviews; intervals are Wilson 95%."
    )


def _group(
    flags: pd.DataFrame,
    decided: pd.DataFrame,
    notes: pd.DataFrame,
    flt: stats.DashFilter,
    title: str,
    by: str,
) -> None:
    table = stats.summarise(flags, decided, by, flt)
    shown = stats.display_table(table, by, title)
    if by == "author":
        per_100 = stats.flags_per_100_notes(flags, notes, by, flt)
        written = [per_100.get(v, (0, 0.0)) for v in table[by]]
        shown.insert(2, "Notes", [w[0] for w in written])
        shown.insert(3, "Flags per 100 notes", [f"{w[1]:.0f}" if w[0] else "–" for w in written])
    left, right = st.columns([3, 2])
    left.html(html_table(shown))
    rated = table[table["reviewed"] >= stats.MIN_REVIEWS]
    if rated.empty:
        right.caption(f"No {title.lower()} has 5 reviews yet, so no rates are drawn.")
        return
    right.vega_lite_chart(
        rate_spec(
            [stats.label(by, v) for v in rated[by]],
            rated["confirmed_rate"].tolist(),
            rated["ci_low"].tolist(),
            rated["ci_high"].tolist(),
            rated["reviewed"].tolist(),
            title,
        ),
        width="stretch",
    )


def _agreement() -> None:
    pairs = session.cached(agreement.pairs, imports=False)
    counts = session.cached(agreement.routing_counts, imports=False)
    share = session.review_settings().second_opinion_share
    open_disagreements = len(session.cached(agreement.disagreements, imports=False))
    st.markdown("**Agreement between reviewers**")
    st.caption(
        f"{share:.0%} of decided flags are routed blind to a second auditor. Routed "
        f"{counts['routed']}, answered {counts['answered']}, disagreements open "
        f"{open_disagreements}, settled by a lead {counts['adjudicated']}. κ compares each "
        "first decision with its blind second opinion; α (nominal) uses every reviewer's "
        "label on a flag, so it also covers flags with more than two reviewers. Both are "
        "shown from 5 pairs."
    )
    if not pairs:
        st.caption("No second opinions yet: auditors find them under Second opinions.")
        return
    rows = [
        {
            "Category": "All categories"
            if a.category == "all"
            else stats.label("category", a.category),
            "Pairs": a.pairs,
            "Agreed": a.agreed,
            "Observed agreement": "–" if a.observed is None else f"{a.observed:.0%}",
            "Cohen's κ": "–" if a.kappa is None else f"{a.kappa:.2f}",
            "Krippendorff's α": "–" if a.alpha is None else f"{a.alpha:.2f}",
            "Most reviewers on one flag": a.raters_max,
        }
        for a in agreement.agreement_table(pairs)
    ]
    st.html(html_table(pd.DataFrame(rows)))


def render(engine: Engine, user: SignedInUser) -> None:
    session.require(user, NAME)
    st.subheader("Dashboard")
    st.html(TABLE_CSS)
    flags = session.cached(stats.flag_cube, decisions=False)
    if flags.empty:
        st.info("No flags in the store yet.")
        st.html('<div id="ca-dashboard-ready"></div>')
        return
    decided = session.decided_cube()
    notes = session.cached(stats.notes_cube, decisions=False)
    flt = _filters(flags)
    _headline(flags, decided, flt)
    groups: Sequence[str] = list(stats.GROUPS)
    title = st.segmented_control("By", groups, default=groups[0], key="d_group") or groups[0]
    _group(flags, decided, notes, flt, title, stats.GROUPS[title])
    _agreement()
    st.html('<div id="ca-dashboard-ready"></div>')
