"""One person's view for a review meeting: restrictions over time, flags, register entries."""

from __future__ import annotations

from datetime import datetime

import pandas as pd

from nlp.governance.register_review import Register, review_register
from nlp.governance.reporting import charts
from nlp.governance.reporting.errors import ReportError
from nlp.governance.reporting.model import (
    CATEGORY_LABELS,
    Column,
    Headline,
    Report,
    Section,
    Table,
    label,
)
from nlp.governance.reporting.sections import FLAG_SENTENCE_COLUMNS, attach_sentences
from nlp.records.run_reader import RunData
from nlp.schema import CATEGORIES


def _timeline(restr: pd.DataFrame, months: list[str]) -> str:
    counts = (restr[restr["month"] != ""].groupby(["restriction_type", "month"]).size()
              .unstack("month", fill_value=0).reindex(columns=months, fill_value=0))
    return charts.dot_matrix(months, [label(t) for t in counts.index],
                             counts.to_numpy().tolist(),
                             title="Restriction mentions per month by type")


def _register_entries(register: Register, person_id: str, as_of: pd.Timestamp,
                      restr: pd.DataFrame) -> pd.DataFrame:
    entries = register.entries[register.entries["person_id"] == person_id].copy()
    if entries.empty:
        return entries
    state = pd.Series("in date", index=entries.index)
    state[entries["review"].isna()] = "no review date"
    state[entries["review"] < as_of] = "review overdue"
    state[entries["start"] > as_of] = "not started"
    entries["state"] = state
    pairs = entries[["register_row", "restriction_type", "start"]].merge(
        restr[["restriction_type", "when"]], on="restriction_type")
    pairs = pairs[(pairs["when"] >= pairs["start"]) & (pairs["when"] <= as_of)]
    entries["mentions"] = entries["register_row"].map(
        pairs.groupby("register_row").size()).fillna(0).astype(int)
    return entries


def build_person_report(run: RunData, person_id: str, register: Register | None = None,
                        as_of: str | None = None) -> Report:
    """The person page as a :class:`Report` (same rendering as the audit report)."""
    notes = run.notes[run.notes["person_id"] == person_id]
    if notes.empty:
        known = sorted(run.notes["person_id"].unique())
        hint = ", ".join(known[:5]) + (" …" if len(known) > 5 else "")
        raise ReportError(f"person {person_id!r} has no notes in {run.path / 'notes.jsonl'} "
                          f"({len(known)} people in this run, e.g. {hint})")
    flags = run.flags[run.flags["person_id"] == person_id].sort_values(["date", "start"])
    restr = run.restrictions[run.restrictions["person_id"] == person_id].sort_values(
        ["date", "start"])
    dates = notes["when"].dropna()
    months = ([str(p) for p in pd.period_range(dates.min(), dates.max(), freq="M")]
              if len(dates) else [])
    run_dates = run.notes["when"].dropna()
    as_of_ts = pd.Timestamp(as_of) if as_of else (run_dates.max() if len(run_dates)
                                                  else pd.Timestamp.today())
    counts = flags["category"].value_counts()
    heads = [
        Headline("Notes", f"{len(notes):,}",
                 f"{dates.min():%d %b %Y} – {dates.max():%d %b %Y}" if len(dates) else ""),
        Headline("Restrictions mentioned", str(len(restr)),
                 f"{restr['restriction_type'].nunique()} type(s)"),
        *[Headline(CATEGORY_LABELS[c], str(int(counts.get(c, 0)))) for c in CATEGORIES],
    ]
    sections = [_restriction_section(run, restr, months), _flag_section(run, flags)]
    if register is not None:
        sections.append(_register_section(run, register, person_id, as_of_ts, restr, heads))
    services = ", ".join(sorted(s for s in notes["service"].unique() if s)) or "–"
    return Report(
        title=f"Person review: {person_id}",
        subtitle="Restrictions over time, audit flags and register entries, for the "
                 "person's review meeting",
        info=[("Person", person_id), ("Services", services), ("Run directory", str(run.path)),
              ("As of", f"{as_of_ts:%Y-%m-%d}"),
              ("Generated", datetime.now().strftime("%Y-%m-%d %H:%M"))],
        headlines=heads, sections=sections,
        warnings=list(run.warnings) + ([f"{register.path}: {len(register.issues)} bad row(s) "
                                        "skipped (see careaudit register-review)"]
                                       if register is not None and register.issues else []))


def _restriction_section(run: RunData, restr: pd.DataFrame, months: list[str]) -> Section:
    sec = Section("restrictions", "Restrictions over time")
    if restr.empty:
        sec.intro.append("No restrictions were found in this person's notes.")
        return sec
    sec.charts.append(_timeline(restr, months))
    sec.tables.append(Table.from_frame("Restrictions", attach_sentences(restr, run.notes), [
        Column("date", "Date", "date"), Column("restriction_type", "Type", "label"),
        Column("sentence", "Sentence", "highlight"), Column("note_type", "Note type", "label"),
        Column("status", "Status", "label"), Column("register_status", "Register", "label"),
        Column("note_id", "Note", "id")]))
    return sec


def _flag_section(run: RunData, flags: pd.DataFrame) -> Section:
    sec = Section("flags", "Audit flags")
    if flags.empty:
        sec.intro.append("No flags in this person's notes.")
        return sec
    sec.intro.append("Every flag in the person's notes, oldest first.")
    sec.tables.append(Table.from_frame("Flags", attach_sentences(flags, run.notes),
                                       FLAG_SENTENCE_COLUMNS))
    return sec


def _register_section(run: RunData, register: Register, person_id: str, as_of: pd.Timestamp,
                      restr: pd.DataFrame, heads: list[Headline]) -> Section:
    sec = Section("register", "Restriction register")
    entries = _register_entries(register, person_id, as_of, restr)
    if entries.empty:
        sec.intro.append(f"No entries for {person_id} in {register.path}.")
    else:
        sec.tables.append(Table.from_frame("Register entries", entries, [
            Column("register_row", "Row", "int"), Column("restriction", "Restriction"),
            Column("restriction_type", "Type", "label"), Column("authorised_by", "Authorised by"),
            Column("start_date", "Start", "date"), Column("review_date", "Review", "date"),
            Column("state", "State"), Column("mentions", "Mentions in notes", "int")]))
    person_notes = run.notes[run.notes["person_id"] == person_id]
    review = review_register(restr, register, person_notes, as_of=f"{as_of:%Y-%m-%d}")
    findings = review.findings[review.findings["person_id"] == person_id]
    heads.append(Headline("Register findings", str(len(findings)),
                          f"{len(entries)} register entries"))
    if len(findings):
        sec.tables.append(Table.from_frame("Register review findings", findings, [
            Column("finding", "Finding", "label"), Column("restriction_type", "Type", "label"),
            Column("explanation", "Detail")]))
    return sec
