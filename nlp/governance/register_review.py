"""Register review: reconcile restrictions found in notes with the restriction register.

Findings (one row each in ``register_review.csv``, column ``finding``):

- ``unregistered_use``  restrictions in use (person + restriction_type) with no
  in-date register entry on the note's date; ``register_status`` says whether
  there was no entry at all (``not_in_register``) or only a lapsed / not yet
  started one (``out_of_date``).  One row per person, type and status.
- ``review_overdue``    register entries whose review date is before the as-of
  date (default: the run's last note date).
- ``no_review_date``    register entries without a review date.
- ``not_mentioned``     register entries never mentioned (same person and
  restriction_type) in a note between the entry's start date and the period
  end: step-down candidates, possibly no longer needed.
- ``person_not_in_run`` register entries for people with no notes in the run
  (nothing can be said about their use).

Matching is at person + restriction_type level (the register's free-text
``restriction`` wording is shown, not matched); when the audit ran against the
same register file, a mention the audit matched to an in-date entry by wording
also counts as registered.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

import pandas as pd

from nlp.records.register import COLUMNS, RegisterError, read_register
from nlp.records.spreadsheet import write_csv

REGISTER_COLUMNS: list[str] = list(COLUMNS)
FINDINGS: tuple[str, ...] = (
    "unregistered_use",
    "review_overdue",
    "no_review_date",
    "not_mentioned",
    "person_not_in_run",
)
FINDING_COLUMNS: list[str] = [
    "finding",
    "person_id",
    "service",
    "restriction_type",
    "restriction",
    "register_status",
    "register_row",
    "authorised_by",
    "start_date",
    "review_date",
    "days_overdue",
    "mentions",
    "first_mention",
    "last_mention",
    "example_note_ids",
    "explanation",
]
_ISO = "%Y-%m-%d"


__all__ = ["RegisterError"]  # raised by load_register (defined with the reader)


@dataclass(slots=True)
class RegisterIssue:
    """A register row that was skipped, with the CSV line and column at fault."""

    row: int  # line number in the file (header = 1)
    column: str
    value: str
    message: str

    def __str__(self) -> str:
        return f"row {self.row}, column {self.column}: {self.message} (value {self.value!r})"


@dataclass
class Register:
    """Valid register entries (``register_row`` = CSV line) and the rows skipped."""

    path: Path
    entries: pd.DataFrame
    issues: list[RegisterIssue] = field(default_factory=list)


def load_register(path: str | Path) -> Register:
    """Read a register (:func:`nlp.records.register.read_register`, the reader the
    audit uses too); bad rows become :class:`RegisterIssue` instead of errors.

    An empty review date is allowed here (it is the ``no_review_date`` finding).
    """
    read = read_register(path)
    rows = [
        {**{c: getattr(r, c) for c in REGISTER_COLUMNS}, "register_row": r.row}
        for r in read.rows
    ]
    df = pd.DataFrame(rows, columns=[*REGISTER_COLUMNS, "register_row"])
    df["register_row"] = df["register_row"].astype(int)
    df["start"] = pd.to_datetime(df["start_date"], format=_ISO)
    df["review"] = pd.to_datetime(df["review_date"].replace("", None), format=_ISO)
    issues = [RegisterIssue(p.row, p.column, p.value, p.message) for p in read.problems]
    return Register(Path(path), df, issues)


@dataclass
class RegisterReview:
    """The outcome of a register review (``findings`` has ``FINDING_COLUMNS``)."""

    as_of: str
    period_start: str
    period_end: str
    register_path: str
    findings: pd.DataFrame
    by_person: pd.DataFrame
    by_service: pd.DataFrame
    issues: list[RegisterIssue] = field(default_factory=list)
    entries: int = 0

    def counts(self) -> dict[str, int]:
        counts = self.findings["finding"].value_counts()
        return {f: int(counts.get(f, 0)) for f in FINDINGS}

    def to_json_dict(self) -> dict[str, Any]:
        return {
            "as_of": self.as_of,
            "period_start": self.period_start,
            "period_end": self.period_end,
            "register": self.register_path,
            "register_entries": self.entries,
            "counts": self.counts(),
            "by_person": self.by_person.to_dict(orient="records"),
            "by_service": self.by_service.to_dict(orient="records"),
            "register_issues": [vars_issue(i) for i in self.issues],
            "findings": self.findings.to_dict(orient="records"),
        }

    def summary_lines(self, people: int = 10) -> list[str]:
        """A plain-text summary: counts, per service, the ``people`` with most findings."""
        c = self.counts()
        unreg = self.findings[self.findings["finding"] == "unregistered_use"]
        lines = [
            f"Register review as of {self.as_of} (notes {self.period_start} to "
            f"{self.period_end}; {self.entries} valid register entries)",
            f"  restrictions in use but not registered: {c['unregistered_use']} "
            f"({unreg['mentions'].sum() if len(unreg) else 0} mentions, "
            f"{unreg['person_id'].nunique()} people)",
            f"  register entries past their review date: {c['review_overdue']}",
            f"  register entries with no review date: {c['no_review_date']}",
            f"  entries not mentioned in any note (step-down candidates): {c['not_mentioned']}",
            f"  entries for people with no notes in this run: {c['person_not_in_run']}",
        ]
        if len(self.by_service):
            lines.append("  by service:")
            lines += _count_lines(self.by_service, "service")
        if len(self.by_person):
            shown = min(len(self.by_person), people)
            lines.append(f"  by person ({shown} of {len(self.by_person)} with most findings; "
                         "all in register_review.json):")
            lines += _count_lines(self.by_person.head(people), "person_id")
        if self.issues:
            lines.append(f"  {len(self.issues)} register row(s) skipped:")
            lines += [f"    {self.register_path}: {i}" for i in self.issues]
        return lines


def _count_lines(table: pd.DataFrame, key: str) -> list[str]:
    lines = []
    for row in table.to_dict("records"):
        parts = ", ".join(f"{f} {row[f]}" for f in FINDINGS if row.get(f))
        lines.append(f"    {row[key] or '(unknown)'}: {parts}")
    return lines


def vars_issue(issue: RegisterIssue) -> dict[str, Any]:
    return {
        "row": issue.row,
        "column": issue.column,
        "value": issue.value,
        "message": issue.message,
    }


def _iso(ts: Any) -> str:
    return "" if pd.isna(ts) else pd.Timestamp(ts).strftime(_ISO)


def _mentions(restrictions: pd.DataFrame) -> pd.DataFrame:
    m = restrictions[
        [
            "note_id",
            "person_id",
            "service",
            "date",
            "restriction_type",
            "span_text",
            "register_status",
        ]
    ].copy()
    m["when"] = pd.to_datetime(m["date"], format=_ISO, errors="coerce")
    m = m[m["when"].notna() & (m["restriction_type"] != "")]
    return m.reset_index(drop=True).rename_axis("mention").reset_index()


def _first_ids(ids: pd.Series, n: int = 3) -> str:
    return ";".join(list(dict.fromkeys(ids))[:n])


def _unregistered(
    mentions: pd.DataFrame, entries: pd.DataFrame, trust_run_status: bool = False
) -> pd.DataFrame:
    """Mentions with no in-date entry, grouped per person, type and status.

    With ``trust_run_status`` a mention the audit itself matched to an in-date
    entry (``register_status == "in_register"``, matched by wording) also counts.
    """
    pairs = mentions.merge(
        entries[["person_id", "restriction_type", "start", "review"]],
        on=["person_id", "restriction_type"],
        how="inner",
    )
    in_date = (pairs["start"] <= pairs["when"]) & (
        pairs["review"].isna() | (pairs["when"] <= pairs["review"])
    )
    status = pd.Series("not_in_register", index=mentions.index)
    status[mentions["mention"].isin(pairs["mention"])] = "out_of_date"
    status[mentions["mention"].isin(pairs.loc[in_date, "mention"])] = "in_register"
    if trust_run_status:
        status[mentions["register_status"] == "in_register"] = "in_register"
    out = mentions[status != "in_register"].assign(status=status[status != "in_register"])
    if out.empty:
        return pd.DataFrame(columns=FINDING_COLUMNS)
    grouped = out.sort_values("when").groupby(
        ["person_id", "restriction_type", "status"], sort=True
    )
    rows = grouped.agg(
        service=("service", "last"),
        mentions=("mention", "size"),
        notes=("note_id", "nunique"),
        first=("when", "min"),
        last=("when", "max"),
        restriction=("span_text", "first"),
        example_note_ids=("note_id", _first_ids),
    ).reset_index()
    rows["finding"] = "unregistered_use"
    rows["register_status"] = rows["status"]
    rows["first_mention"] = rows["first"].map(_iso)
    rows["last_mention"] = rows["last"].map(_iso)
    why = rows["status"].map(
        {
            "not_in_register": "no register entry for this person and type",
            "out_of_date": "the register entry was not in date at the time",
        }
    )
    when = ("between " + rows["first_mention"] + " and " + rows["last_mention"]).where(
        rows["first_mention"] != rows["last_mention"], "on " + rows["first_mention"]
    )
    rows["explanation"] = (
        rows["restriction_type"].str.replace("_", " ")
        + " restriction (e.g. '"
        + rows["restriction"].str.slice(0, 60)
        + "') in "
        + rows["notes"].astype(str)
        + " note(s) "
        + when
        + ": "
        + why
    )
    return rows


def _entry_findings(
    mentions: pd.DataFrame,
    entries: pd.DataFrame,
    as_of: pd.Timestamp,
    period_end: pd.Timestamp,
    people: set[str],
    service_of: dict[str, str],
) -> pd.DataFrame:
    """review_overdue / no_review_date / not_mentioned / person_not_in_run rows."""
    e = entries.copy()
    e["service"] = e["person_id"].map(service_of).fillna("")
    pairs = e[["register_row", "person_id", "restriction_type", "start"]].merge(
        mentions[["person_id", "restriction_type", "when"]], on=["person_id", "restriction_type"]
    )
    pairs = pairs[(pairs["when"] >= pairs["start"]) & (pairs["when"] <= period_end)]
    stats = pairs.groupby("register_row")["when"].agg(["size", "min", "max"])
    # dicts, not Series.map: an empty datetime Series cannot be mapped onto int rows
    size, first, last = (stats[c].to_dict() for c in ("size", "min", "max"))
    e["mentions"] = [int(size.get(r, 0)) for r in e["register_row"]]
    e["first_mention"] = [_iso(first.get(r)) for r in e["register_row"]]
    e["last_mention"] = [_iso(last.get(r)) for r in e["register_row"]]
    e["days_overdue"] = (as_of - e["review"]).dt.days
    e["register_status"] = ""
    label = e["restriction"].where(e["restriction"] != "", e["restriction_type"])
    e["what"] = (
        "register entry '"
        + label
        + "' ("
        + e["restriction_type"]
        + ", row "
        + e["register_row"].astype(str)
        + ")"
    )
    parts = []
    overdue = e[e["review"].notna() & (e["review"] < as_of)].copy()
    overdue["finding"] = "review_overdue"
    overdue["explanation"] = (
        overdue["what"]
        + " was due for review on "
        + overdue["review_date"]
        + ", "
        + overdue["days_overdue"].astype(int).astype(str)
        + " days before "
        + _iso(as_of)
    )
    parts.append(overdue)
    no_review = e[e["review"].isna()].copy()
    no_review["finding"] = "no_review_date"
    no_review["explanation"] = no_review["what"] + " has no review date"
    parts.append(no_review)
    active = e[e["start"] <= period_end]
    in_run = active["person_id"].isin(people)
    silent = active[in_run & (active["mentions"] == 0)].copy()
    silent["finding"] = "not_mentioned"
    silent["explanation"] = (
        silent["what"]
        + " is not mentioned in any note between "
        + silent["start_date"]
        + " and "
        + _iso(period_end)
        + ": check whether it is still needed (step-down candidate)"
    )
    parts.append(silent)
    absent = active[~in_run].copy()
    absent["finding"] = "person_not_in_run"
    absent["explanation"] = absent["what"] + " belongs to a person with no notes in this run"
    parts.append(absent)
    out = pd.concat(parts, ignore_index=True)
    out["days_overdue"] = out["days_overdue"].where(out["finding"] == "review_overdue")
    return out


def _counts(findings: pd.DataFrame, key: str) -> pd.DataFrame:
    if findings.empty:
        return pd.DataFrame(columns=[key, *FINDINGS, "total"])
    table = pd.crosstab(findings[key].fillna("").replace("", "(unknown)"), findings["finding"])
    table = table.reindex(columns=list(FINDINGS), fill_value=0)
    table["total"] = table.sum(axis=1)
    return table.sort_values("total", ascending=False).reset_index()


def review_register(
    restrictions: pd.DataFrame,
    register: Register,
    notes: pd.DataFrame | None = None,
    as_of: str | date | None = None,
    trust_run_status: bool = False,
) -> RegisterReview:
    """Reconcile ``restrictions`` (``RESTRICTION_COLUMNS``) with ``register``.

    ``notes`` (``person_id``, ``service``, ``date``) gives the period and who was
    audited; without it the restrictions stand in.  ``as_of`` (default: the last
    note date) is the date review dates are checked against and the period end.
    ``trust_run_status``: also accept the audit's own wording match to the
    register (use it only when the audit ran against this same register file).
    """
    source = notes if notes is not None and len(notes) else restrictions
    dates = pd.to_datetime(source["date"], format=_ISO, errors="coerce").dropna()
    today = pd.Timestamp(date.today())
    period_start = dates.min() if len(dates) else today
    last_note = dates.max() if len(dates) else today
    as_of_ts = pd.Timestamp(as_of) if as_of else last_note
    period_end = as_of_ts
    service_of = (
        (
            source[source["service"] != ""]
            .groupby("person_id")["service"]
            .agg(lambda s: s.value_counts().index[0])
            .to_dict()
        )
        if len(source)
        else {}
    )
    people = set(source["person_id"]) if len(source) else set()
    mentions = _mentions(restrictions)
    mentions = mentions[mentions["when"] <= period_end]
    entries = register.entries
    unreg = _unregistered(mentions, entries, trust_run_status)
    rest = _entry_findings(mentions, entries, as_of_ts, period_end, people, service_of)
    findings = pd.concat([unreg, rest], ignore_index=True).reindex(columns=FINDING_COLUMNS)
    findings["finding"] = pd.Categorical(
        findings["finding"], categories=list(FINDINGS), ordered=True
    )
    findings = findings.sort_values(
        ["finding", "person_id", "restriction_type"], kind="stable"
    ).reset_index(drop=True)
    findings["finding"] = findings["finding"].astype(str)
    numeric = ("mentions", "register_row", "days_overdue")
    for col in numeric:
        findings[col] = pd.to_numeric(findings[col]).astype("Int64")
    text_cols = [c for c in FINDING_COLUMNS if c not in numeric]
    findings[text_cols] = findings[text_cols].fillna("").astype(str)
    return RegisterReview(
        as_of=_iso(as_of_ts),
        period_start=_iso(period_start),
        period_end=_iso(period_end),
        register_path=str(register.path),
        findings=findings,
        by_person=_counts(findings, "person_id"),
        by_service=_counts(findings, "service"),
        issues=list(register.issues),
        entries=len(entries),
    )


def write_register_review(review: RegisterReview, out_dir: str | Path) -> tuple[Path, Path]:
    """Write ``register_review.csv`` and ``register_review.json`` into ``out_dir``."""
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    csv_path = out_dir / "register_review.csv"
    json_path = out_dir / "register_review.json"
    write_csv(csv_path, FINDING_COLUMNS, _csv_rows(review.findings))
    json_path.write_text(
        json.dumps(review.to_json_dict(), indent=1, default=_json_default), encoding="utf-8"
    )
    return csv_path, json_path


def _csv_rows(findings: pd.DataFrame) -> list[dict[str, Any]]:
    """Findings as CSV rows: missing numbers as empty cells."""
    return [
        {k: ("" if v is None or v is pd.NA or (isinstance(v, float) and pd.isna(v)) else v)
         for k, v in row.items()}
        for row in findings.to_dict(orient="records")
    ]


def _json_default(obj: Any) -> Any:
    if pd.isna(obj):
        return None
    if hasattr(obj, "item"):
        return obj.item()
    return str(obj)


def load_register_review(path: str | Path) -> RegisterReview:
    """Read a ``register_review.json`` written by :func:`write_register_review`."""
    path = Path(path)
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        findings = pd.DataFrame(data["findings"]).reindex(columns=FINDING_COLUMNS)
        issues = [RegisterIssue(**i) for i in data.get("register_issues", [])]
        return RegisterReview(
            as_of=data["as_of"],
            period_start=data["period_start"],
            period_end=data["period_end"],
            register_path=data.get("register", ""),
            findings=findings,
            by_person=pd.DataFrame(data.get("by_person", [])),
            by_service=pd.DataFrame(data.get("by_service", [])),
            issues=issues,
            entries=int(data.get("register_entries", 0)),
        )
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise RegisterError(f"cannot read register review {path}: {exc}") from exc
