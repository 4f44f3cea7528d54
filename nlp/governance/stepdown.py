"""Step-down evidence for a restriction panel: each register entry's use over time.

For every register entry: its mentions (same person and restriction type) and
the person's incident notes, month by month from the entry's start (or the
run's first month, if later) to the period end; the mentions per 100 of the
person's notes in the first and second half of that time, compared with an
exact Poisson test; and a plain-words step-down signal.  Two empty columns,
``panel_decision`` (reduce / keep / end) and ``decision_log`` (why), are for the
panel; they are carried over from the previous ``register_stepdown.csv`` when
the review is re-run, and the file is written through the one spreadsheet-safe
writer (:func:`nlp.records.spreadsheet.write_csv`).
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from nlp.governance.intervals import MIN_DENOMINATOR
from nlp.governance.measures import Measure, compare, from_counts
from nlp.records.spreadsheet import write_csv

STEPDOWN_FILE = "register_stepdown.csv"
QUIET_MONTHS = 2
PANEL_COLUMNS = ["panel_decision", "decision_log"]
KEY = ["person_id", "restriction_type", "start_date", "restriction"]
STEPDOWN_COLUMNS: list[str] = [
    "register_row", "person_id", "service", "restriction", "restriction_type", "authorised_by",
    "start_date", "review_date", "months", "notes", "mentions", "mentions_per_100_notes",
    "mentions_by_month", "incidents", "incidents_by_month", "last_mention", "last_incident",
    "trend", "step_down", *PANEL_COLUMNS,
]


def _months(since: pd.Timestamp, end: pd.Timestamp) -> list[str]:
    """``yyyy-mm`` for every month from ``since`` to ``end`` inclusive."""
    first, last = since.year * 12 + since.month - 1, end.year * 12 + end.month - 1
    return [f"{m // 12:04d}-{m % 12 + 1:02d}" for m in range(first, last + 1)]


def _series(counts: dict[str, int], months: list[str]) -> str:
    """``"Jan-26: 3, Feb-26: 0"`` for the entry's months."""
    return ", ".join(f"{pd.Period(m, freq='M'):%b-%y}: {counts.get(m, 0)}" for m in months)


def _halves(months: list[str], mentions: dict[str, int], notes: dict[str, int]) -> str:
    """Mentions per note, first half of the months against the second half."""
    if len(months) < 2:
        return "too few months to tell"
    half = len(months) // 2
    first, second = months[:half], months[half:]

    def part(ms: list[str]) -> Measure:
        return from_counts("restrictions_per_100", int(sum(mentions.get(m, 0) for m in ms)),
                           int(sum(notes.get(m, 0) for m in ms)))
    change, _ = compare(part(first), part(second))
    return {"lower": "fewer", "higher": "more",
            "not enough notes": "too few notes to tell"}.get(change, change)


def _signal(mentions: int, notes: int, recent_mentions: int, recent_incidents: int,
            recent_notes: int, trend: str) -> str:
    if notes == 0:
        return "no notes for this person since the start"
    if mentions == 0:
        return "candidate to reduce: not mentioned in any note since it started"
    if recent_notes >= MIN_DENOMINATOR and recent_mentions == 0 and recent_incidents == 0:
        return f"candidate to reduce: no mentions or incidents in the last {QUIET_MONTHS} months"
    if trend == "fewer":
        return "mentions falling: consider reducing"
    return "in use"


def _by_entry(frame: pd.DataFrame) -> dict[int, dict[str, int]]:
    """{entry: {month: rows}} from a frame with ``_entry`` and ``month``."""
    out: dict[int, dict[str, int]] = {}
    for (entry, month), n in frame.groupby(["_entry", "month"]).size().items():
        out.setdefault(int(entry), {})[str(month)] = int(n)
    return out


def stepdown_table(entries: pd.DataFrame, restrictions: pd.DataFrame, notes: pd.DataFrame,
                   period_end: pd.Timestamp | None = None) -> pd.DataFrame:
    """One row per register entry (``STEPDOWN_COLUMNS``), in register order.

    ``entries`` are a register's valid rows (``person_id``, ``restriction``,
    ``restriction_type``, ``start_date``, ``review_date``; ``register_row`` and
    ``authorised_by`` if present); ``restrictions`` and ``notes`` are the run's
    frames with ``when``.  Counting is done with one join per frame, so a large
    register on a 100,000-note run takes seconds.
    """
    if entries.empty:
        return pd.DataFrame(columns=STEPDOWN_COLUMNS)
    e = entries.reset_index(drop=True).copy()
    for col in ("register_row", "authorised_by", "review_date"):
        if col not in e:
            e[col] = ""
    e["_entry"] = range(len(e))
    e["_begin"] = pd.to_datetime(e["start_date"], format="%Y-%m-%d", errors="coerce").fillna(
        pd.to_datetime(e["start_date"], format="%d/%m/%Y", errors="coerce"))
    dated = notes[notes["when"].notna()]
    end = period_end if period_end is not None else dated["when"].max()
    active = e[e["_begin"].notna() & (e["_begin"] <= end)] if pd.notna(end) else e.iloc[0:0]
    keys = active[["_entry", "person_id", "restriction_type", "_begin"]]
    used = restrictions[["person_id", "restriction_type", "when"]].merge(
        keys, on=["person_id", "restriction_type"])
    used = used[(used["when"] >= used["_begin"]) & (used["when"] <= end)]
    used = used.assign(month=used["when"].dt.strftime("%Y-%m"))
    mine = dated[["person_id", "when", "note_type"]].merge(
        keys.drop(columns="restriction_type"), on="person_id")
    mine = mine[(mine["when"] >= mine["_begin"]) & (mine["when"] <= end)]
    mine = mine.assign(month=mine["when"].dt.strftime("%Y-%m"))
    incidents = mine[mine["note_type"] == "incident"]
    mention_months, note_months = _by_entry(used), _by_entry(mine)
    incident_months = _by_entry(incidents)
    last_mention = used.groupby("_entry")["when"].max().to_dict()
    last_incident = incidents.groupby("_entry")["when"].max().to_dict()
    service_of = (dated[dated["service"] != ""].groupby("person_id")["service"]
                  .agg(lambda s: s.value_counts().index[0]).to_dict())
    first_note = dated["when"].min()
    rows = []
    for rec in e.to_dict("records"):
        row = {c: rec.get(c, "") for c in STEPDOWN_COLUMNS}
        row["service"] = service_of.get(rec["person_id"], "")
        entry, begin = rec["_entry"], rec["_begin"]
        if pd.isna(begin) or pd.isna(end) or begin > end:
            row.update(months=0, notes=0, mentions=0, incidents=0,
                       step_down="not started in this period")
            rows.append(row)
            continue
        months = _months(max(begin, first_note), end)
        per_month = mention_months.get(entry, {})
        inc_month = incident_months.get(entry, {})
        notes_month = note_months.get(entry, {})
        n_notes, n_used = sum(notes_month.values()), sum(per_month.values())
        recent = months[-QUIET_MONTHS:]
        trend = _halves(months, per_month, notes_month)
        row.update(
            months=len(months), notes=n_notes, mentions=n_used,
            mentions_per_100_notes=round(n_used / n_notes * 100, 1)
            if n_notes >= MIN_DENOMINATOR else None,
            mentions_by_month=_series(per_month, months),
            incidents=sum(inc_month.values()), incidents_by_month=_series(inc_month, months),
            last_mention=_iso(last_mention.get(entry)),
            last_incident=_iso(last_incident.get(entry)), trend=trend,
            step_down=_signal(n_used, n_notes, sum(per_month.get(m, 0) for m in recent),
                              sum(inc_month.get(m, 0) for m in recent),
                              sum(notes_month.get(m, 0) for m in recent), trend),
        )
        rows.append(row)
    out = pd.DataFrame(rows, columns=STEPDOWN_COLUMNS)
    out[PANEL_COLUMNS] = out[PANEL_COLUMNS].fillna("")
    return out


def _iso(ts: object) -> str:
    return "" if ts is None or pd.isna(ts) else pd.Timestamp(ts).strftime("%Y-%m-%d")


def read_stepdown(path: str | Path) -> pd.DataFrame:
    """A saved ``register_stepdown.csv`` (strings; a leading ``'`` guard is removed)."""
    frame = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8-sig")
    for col in frame.columns:
        frame[col] = frame[col].where(~frame[col].str.match(r"^'[=+\-@\t\r\n|]"),
                                      frame[col].str.slice(1))
    return frame.reindex(columns=STEPDOWN_COLUMNS, fill_value="")


def carry_decisions(table: pd.DataFrame, previous: pd.DataFrame) -> pd.DataFrame:
    """Copy the panel's decision columns from ``previous`` onto matching entries."""
    if previous.empty or table.empty:
        return table
    prev = previous.drop_duplicates(KEY, keep="last").set_index(KEY)[PANEL_COLUMNS]
    keys = pd.MultiIndex.from_frame(table[KEY].astype(str))
    for col in PANEL_COLUMNS:
        old = prev[col].reindex(keys).fillna("").to_numpy()
        table[col] = [o if (not str(n).strip() and o) else n
                      for n, o in zip(table[col], old, strict=True)]
    return table


def write_stepdown(table: pd.DataFrame, out_dir: str | Path) -> Path:
    """Write ``register_stepdown.csv`` keeping the panel's earlier decisions."""
    path = Path(out_dir) / STEPDOWN_FILE
    path.parent.mkdir(parents=True, exist_ok=True)
    if path.is_file():
        table = carry_decisions(table, read_stepdown(path))
    write_csv(path, STEPDOWN_COLUMNS, table.astype(object).where(table.notna(), "")
              .to_dict("records"))
    return path
