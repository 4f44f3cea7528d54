"""Report sections that make figures stand up in a quality meeting.

SPC trends, quality improvement actions and their re-audit, confirmed findings,
restriction figures by protected characteristic and step-down evidence.  Each
builder returns a :class:`Section` (tables and inline SVG) like ``sections``.
"""

from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd

from nlp.governance import spc
from nlp.governance.actions import Action, reaudit
from nlp.governance.confirmed import confirmed_table
from nlp.governance.equality import MIN_EVENTS, MIN_PEOPLE, equality_table
from nlp.governance.intervals import MIN_DENOMINATOR, garwood, wilson
from nlp.governance.reporting import charts
from nlp.governance.reporting.model import Column, Headline, Section, Table
from nlp.records.run_reader import RunData

SPC_CHARTS: tuple[str, ...] = ("flags_per_100", "unrecorded_restriction_per_100",
                               "enabling_pct")
STEPDOWN_ROWS = 40


def _spc_kinds(chart: pd.DataFrame, good: str) -> list[str]:
    good_side = "low" if good == "falling" else "high"
    kinds = []
    for rec in chart.itertuples():
        if not rec.used:
            kinds.append("excluded")
        elif rec.special:
            kinds.append("improvement" if rec.side == good_side else "concern")
        else:
            kinds.append("common")
    return kinds


def _latest_interval(row: pd.Series) -> tuple[float, float]:
    k, n = int(row["latest_count"]), int(row["latest_denominator"])
    if n < MIN_DENOMINATOR:
        return np.nan, np.nan
    if row["chart"] == "p":
        lo, hi = wilson(k, n)
    else:
        lo_a, hi_a = garwood(k, n)
        lo, hi = float(lo_a), float(hi_a)
    return lo * 100, hi * 100


def spc_section(month_table: pd.DataFrame) -> Section:
    """Trends across months as SPC charts and their verdicts (replaces fitted lines)."""
    from nlp.governance.trends import TREND_METRICS

    table = spc.verdict_table(month_table)
    if len(table):
        bounds = table.apply(_latest_interval, axis=1, result_type="expand")
        table["latest_value_lo"], table["latest_value_hi"] = bounds[0], bounds[1]
    else:
        table["latest_value_lo"] = table["latest_value_hi"] = []
    table["limits_lo"], table["limits_hi"] = table["lcl"], table["ucl"]
    table["counts"] = [f"{r.latest_count:,} in {r.latest_denominator:,}"
                       for r in table.itertuples()]
    table["variation"] = [f"{r.variation}: {r.signal}" if r.signal else r.variation
                          for r in table.itertuples()]
    table["note"] = [f"earlier: {r.earlier}" if r.earlier else "" for r in table.itertuples()]
    first = table.iloc[0] if len(table) else None
    notes = []
    if first is not None and first["excluded"]:
        notes.append(f"{first['excluded']} month(s) with fewer than {MIN_DENOMINATOR} notes "
                     "not used")
    if first is not None and first["provisional"]:
        notes.append(f"limits are provisional: fewer than {spc.PROVISIONAL_BELOW} months")
    months = month_table["month"].astype(str).tolist()
    svgs = []
    for metric in SPC_CHARTS:
        if spc.count_column(metric) not in month_table:
            continue
        label, good = TREND_METRICS[metric]
        chart = spc.monthly_chart(month_table, metric)
        svgs.append(charts.spc_chart(
            months, chart["value"].tolist(), float(chart["centre"].iloc[0]) if len(chart)
            else np.nan, chart["ucl"].tolist(), chart["lcl"].tolist(),
            _spc_kinds(chart, good), title=f"{label} (SPC {'p' if metric.endswith('_pct') else 'u'}"
            "-chart)", y_label=label))
    cols = [Column("label", "Measure"), Column("months", "Months used", "int"),
            Column("latest", "Latest month", "date"),
            Column("latest_value", "Latest value", "rate"),
            Column("latest_value_ci", "95% CI", "ci"), Column("counts", "Events in notes"),
            Column("centre", "Mean", "rate"), Column("limits_ci", "Control limits", "ci"),
            Column("variation", "Variation"), Column("assessment", "Assessment")]
    if table["note"].astype(bool).any():
        cols.append(Column("note", "Earlier signals"))
    return Section("trends", "Trends across months", [
        "Statistical process control (SPC) charts in the NHS \"Making Data Count\" style: "
        "u-charts for flags and restrictions per 100 notes (limits widen in months with "
        "fewer notes), a p-chart for the share of notes with enabling language. A measure "
        "is called rising or falling only on a special-cause signal: a month outside the "
        "control limits, a run of 7 months on one side of the mean, or 6 months each "
        "higher (or lower) than the last. Otherwise the variation is common cause: no "
        "significant change, however the line looks.",
        f"Months with fewer than {MIN_DENOMINATOR} notes are drawn hollow and take no part "
        "in the mean, the limits or the rules."], svgs,
        [Table.from_frame("Trends", table, cols,
                          caption="; ".join(notes).capitalize() + "." if notes else "")])


STATE_TEXT = {"overdue": "OVERDUE", "open": "open", "done": "done"}


def actions_section(actions: list[Action] | None, run: RunData, as_of: date) -> Section:
    """The quality improvement plan: status (overdue first) and the re-audit measure."""
    sec = Section("actions", "Quality improvement actions", [
        "Actions agreed from earlier findings: the problem, the standard or control "
        "introduced, how staff apply it, who owns it and by when. Overdue actions are "
        f"escalated: marked and listed first (as of {as_of.isoformat()}). Each action's "
        "success measure is compared before and after its date (the day it was marked done, "
        "or its due date while open) in this run's notes, with an exact test: "
        "'no clear change' means the difference is within the noise."])
    if not actions:
        sec.intro.append("No quality improvement actions are recorded yet. Create one from "
                         "this report's findings with `careaudit actions add` (see "
                         "`careaudit actions add --help`).")
        return sec
    table = reaudit(actions, run.notes, run.flags, run.restrictions, as_of)
    overdue = int((table["state"] == "overdue").sum())
    done = int((table["state"] == "done").sum())
    sec.intro.insert(0, f"{len(table)} actions: {overdue} overdue, "
                        f"{len(table) - overdue - done} open, {done} done.")
    table["status"] = [
        f"OVERDUE ({int(d)} days)" if s == "overdue" else
        (f"done {o}" if s == "done" else "open")
        for s, d, o in zip(table["state"], table["days_overdue"], table["done_on"], strict=True)]
    table["counts_before"] = [f"{k} in {n}" for k, n in
                              zip(table["before_count"], table["before_notes"], strict=True)]
    table["counts_after"] = [f"{k} in {n}" for k, n in
                             zip(table["after_count"], table["after_notes"], strict=True)]
    sec.tables.append(Table.from_frame("QI actions", table, [
        Column("status", "Status", "status"), Column("id", "#", "int"),
        Column("problem", "Problem"), Column("standard", "Standard or control introduced"),
        Column("staff_practice", "How staff apply it"), Column("owner", "Owner"),
        Column("due_date", "Due", "date"), Column("done_note", "Evidence when done")]))
    sec.tables.append(Table.from_frame("QI re-audit", table, [
        Column("id", "#", "int"), Column("measure", "Success measure"),
        Column("target", "Target"), Column("baseline", "When agreed"),
        Column("action_date", "Split at", "date"),
        Column("before", "Before", "rate"), Column("before_ci", "95% CI", "ci"),
        Column("counts_before", "Events in notes"),
        Column("after", "After", "rate"), Column("after_ci", "95% CI", "ci"),
        Column("counts_after", "Events in notes"),
        Column("outcome", "Change"), Column("target_met", "Target met")],
        caption="Before/after: per 100 notes (or % of notes) in this run, with "
                f"exact 95% intervals; no rate from fewer than {MIN_DENOMINATOR} notes."))
    return sec


def confirmed_section(run: RunData, decisions: pd.DataFrame) -> Section:
    """Flags as auditors judged them: share confirmed and confirmed per 100 notes."""
    table = confirmed_table(run.notes, run.flags, decisions)
    reviewed = int(table.loc[table["category"] == "all", "reviewed"].iloc[0])
    sec = Section("confirmed", "Confirmed findings (auditor review)", [
        f"{reviewed} of this run's {len(run.flags)} flags have been reviewed in the review "
        "store. Share confirmed = confirmed / reviewed (Wilson 95% interval). Confirmed per "
        "100 notes counts only reviewed flags, so it is a floor while flags remain "
        "unreviewed; the estimate applies the share confirmed to all flags (its interval "
        f"reflects review sampling only). No rate is shown from fewer than {MIN_DENOMINATOR} "
        "reviews."])
    sec.tables.append(Table.from_frame("Confirmed findings", table, [
        Column("category", "Category", "label"), Column("flags", "Flags", "int"),
        Column("reviewed", "Reviewed", "int"), Column("confirmed", "Confirmed", "int"),
        Column("share_confirmed", "Share confirmed", "pct"),
        Column("share_confirmed_ci", "95% CI", "ci"),
        Column("confirmed_per_100", "Confirmed / 100 notes", "rate"),
        Column("confirmed_per_100_ci", "95% CI", "ci"),
        Column("estimated_per_100", "Estimated confirmed / 100", "rate"),
        Column("estimated_per_100_ci", "95% CI", "ci"), Column("note", "Note")]))
    return sec


def equality_section(run: RunData, people: pd.DataFrame) -> Section:
    """Restriction mentions and unrecorded restrictions per 100 notes by group."""
    table = equality_table(run.notes, run.flags, run.restrictions, people)
    sec = Section("equality", "Restrictions by protected characteristic", [
        "Restriction mentions and unrecorded restrictions per 100 notes of each group, with "
        "exact 95% intervals, for oversight of equal treatment. To protect the people "
        f"supported, a group of fewer than {MIN_PEOPLE} people is never named: it is counted "
        "in \"Other groups, combined\" (with the next smallest group too, while that row "
        f"would have fewer than {MIN_PEOPLE} people), and counts under {MIN_EVENTS} are shown "
        f"as <{MIN_EVENTS} with no rate (with a second cell hidden where one could be worked "
        "out by subtraction). Overlapping intervals mean the groups' rates cannot be told "
        "apart on these numbers."])
    if table.empty:
        sec.intro.append("No group large enough to show.")
        return sec
    cols = [Column("characteristic", "Characteristic"), Column("group", "Group"),
            Column("people", "People", "int"), Column("notes", "Notes", "int"),
            Column("restrictions", "Restriction mentions", "count"),
            Column("restrictions_per_100", "Per 100 notes", "rate"),
            Column("restrictions_per_100_ci", "95% CI", "ci"),
            Column("unrecorded", "Unrecorded restrictions", "count"),
            Column("unrecorded_per_100", "Per 100 notes", "rate"),
            Column("unrecorded_per_100_ci", "95% CI", "ci")]
    if table["note"].astype(bool).any():
        cols.append(Column("note", "Note"))
    sec.tables.append(Table.from_frame("By protected characteristic", table, cols))
    return sec


def stepdown_table_view(stepdown: pd.DataFrame) -> Table:
    """The step-down evidence table (candidates first in the HTML; all rows in XLSX)."""
    order = stepdown["step_down"].str.startswith("candidate").map({True: 0, False: 1})
    frame = stepdown.assign(_o=order).sort_values(["_o", "person_id"], kind="stable")
    frame = frame.drop(columns="_o").reset_index(drop=True)
    shown = min(len(frame), STEPDOWN_ROWS)
    return Table.from_frame("Step-down evidence", frame, [
        Column("person_id", "Person", "id"), Column("restriction", "Restriction"),
        Column("restriction_type", "Type", "label"), Column("start_date", "Since", "date"),
        Column("mentions_by_month", "Mentions by month"),
        Column("incidents_by_month", "Incidents by month"),
        Column("trend", "Mentions trend"), Column("step_down", "Step-down signal"),
        Column("panel_decision", "Panel decision"), Column("decision_log", "Decision log")],
        limit=shown,
        caption=(f"{shown} of {len(frame)} entries shown; " if shown < len(frame) else "")
        + "the panel fills in the decision and its reason in register_stepdown.csv "
          "(kept when the register review is re-run).")


def extra_headlines(actions: list[Action] | None, as_of: date, run: RunData,
                    decisions: pd.DataFrame | None) -> list[Headline]:
    """Headline cards for the action plan and for confirmed findings."""
    out = []
    if actions:
        states = [a.state(as_of) for a in actions]
        overdue, done = states.count("overdue"), states.count("done")
        out.append(Headline("Improvement actions overdue", f"{overdue}",
                            f"of {len(actions)} actions; {len(actions) - overdue - done} "
                            f"open, {done} done"))
    if decisions is not None:
        table = confirmed_table(run.notes, run.flags, decisions).set_index("category")
        row = table.loc["all"]
        if row["reviewed"] >= MIN_DENOMINATOR:
            out.append(Headline(
                "Reviewed flags confirmed", f"{row['share_confirmed']:.0f}%",
                f"{int(row['confirmed'])} of {int(row['reviewed'])} reviewed (95% CI "
                f"{row['share_confirmed_lo']:.0f}–{row['share_confirmed_hi']:.0f}%)"))
        else:
            out.append(Headline("Reviewed flags confirmed", "–",
                                f"{int(row['reviewed'])} reviewed: too few for a share"))
    return out
