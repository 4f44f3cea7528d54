"""Restriction figures by protected characteristic, with small-number suppression.

People's characteristics come from a person file (``--people people.csv``:
``person_id`` and any of ``age_band``, ``sex``, ``ethnicity``, ``disability``)
and/or from those columns in the run's ``notes.jsonl``; the file wins.  For each
characteristic and group the table gives people, notes, restriction mentions and
unrecorded-restriction flags, each per 100 notes with an exact Poisson interval.

Disclosure control (nothing printed could identify someone):

- a group of fewer than :data:`MIN_PEOPLE` people is never printed by name: it
  is pooled into "Other groups, combined"; while that pool
  itself has fewer than 5 people, the smallest named group joins it;
- an event count under :data:`MIN_EVENTS` is shown as "<5" with no rate; when
  only one group of a characteristic is suppressed for a measure, the next
  smallest is suppressed too, so no count can be worked out by subtraction.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import numpy as np
import pandas as pd

from nlp.governance.intervals import garwood

CHARACTERISTICS: dict[str, str] = {
    "age_band": "Age band",
    "sex": "Sex",
    "ethnicity": "Ethnicity",
    "disability": "Disability",
}
ALIASES: dict[str, str] = {"age": "age_band", "ageband": "age_band", "age_group": "age_band",
                           "ethnic_group": "ethnicity", "ethnic_origin": "ethnicity"}
MIN_PEOPLE = 5
MIN_EVENTS = 5
NOT_RECORDED = "Not recorded"
POOLED = "Other groups, combined (small groups are not named)"
SUPPRESSED = f"<{MIN_EVENTS}"
MEASURES: dict[str, str] = {
    "restrictions": "Restriction mentions",
    "unrecorded": "Unrecorded restrictions",
}
COLUMNS: list[str] = [
    "characteristic", "group", "people", "notes",
    *[c for m in MEASURES for c in (m, f"{m}_per_100", f"{m}_per_100_lo", f"{m}_per_100_hi")],
    "note",
]


class PeopleFileError(ValueError):
    """The person file cannot be used (missing, unreadable, no person_id)."""


def _normalise(name: str) -> str:
    key = re.sub(r"[^a-z0-9]+", "_", str(name).strip().lower()).strip("_")
    return ALIASES.get(key, key)


def _tidy(frame: pd.DataFrame) -> pd.DataFrame:
    """person_id plus the characteristic columns present, one row per person."""
    frame = frame.rename(columns={c: _normalise(c) for c in frame.columns})
    cols = [c for c in CHARACTERISTICS if c in frame.columns]
    if "person_id" not in frame.columns:
        raise PeopleFileError("no person_id column")
    out = frame[["person_id", *cols]].astype(str).apply(lambda s: s.str.strip())
    out = out[out["person_id"] != ""]
    # one row per person: the most frequent non-empty value of each column
    return (out.groupby("person_id")[cols]
            .agg(lambda s: s[s != ""].mode().iloc[0] if (s != "").any() else "")
            .reset_index()) if cols else out[["person_id"]].drop_duplicates()


def load_people(path: str | Path) -> pd.DataFrame:
    """Read a person file (CSV, UTF-8 with or without BOM)."""
    path = Path(path)
    try:
        frame = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8-sig")
    except FileNotFoundError as exc:
        raise PeopleFileError(f"person file not found: {path}") from exc
    except (pd.errors.ParserError, pd.errors.EmptyDataError, UnicodeDecodeError) as exc:
        raise PeopleFileError(f"{path}: cannot read CSV ({str(exc).splitlines()[0]})") from exc
    try:
        people = _tidy(frame)
    except PeopleFileError as exc:
        raise PeopleFileError(f"{path}: {exc}") from exc
    if len(people.columns) == 1:
        raise PeopleFileError(f"{path}: none of the columns {', '.join(CHARACTERISTICS)}")
    return people


def people_from_notes(notes_path: str | Path) -> pd.DataFrame:
    """Characteristic columns carried by the run's ``notes.jsonl`` (empty frame if none)."""
    rows = []
    path = Path(notes_path)
    if not path.is_file():
        return pd.DataFrame(columns=["person_id"])
    with path.open(encoding="utf-8", errors="replace") as fh:
        for line in fh:
            try:
                rec = json.loads(line)
            except json.JSONDecodeError:
                continue
            if isinstance(rec, dict):
                keep = {_normalise(k): v for k, v in rec.items()}
                if any(k in keep for k in CHARACTERISTICS):
                    rows.append({k: keep.get(k, "") for k in ("person_id", *CHARACTERISTICS)})
    if not rows:
        return pd.DataFrame(columns=["person_id"])
    frame = pd.DataFrame(rows).fillna("")
    present = [c for c in CHARACTERISTICS if (frame[c].astype(str).str.strip() != "").any()]
    return _tidy(frame[["person_id", *present]])


def merge_people(from_file: pd.DataFrame | None, from_notes: pd.DataFrame | None) -> pd.DataFrame:
    """The person file's values, filled in from the notes where the file has none."""
    frames = [f for f in (from_file, from_notes) if f is not None and len(f.columns) > 1]
    if not frames:
        return pd.DataFrame(columns=["person_id"])
    merged = frames[0].set_index("person_id")
    for extra in frames[1:]:
        extra = extra.set_index("person_id")
        merged = merged.reindex(merged.index.union(extra.index))
        for col in extra.columns:
            if col not in merged:
                merged[col] = ""
            fill = merged[col].isna() | (merged[col] == "")
            merged.loc[fill, col] = extra[col].reindex(merged.index)[fill]
    cols = [c for c in CHARACTERISTICS if c in merged.columns]
    return merged[cols].fillna("").rename_axis("person_id").reset_index()


def _pool_small(stats: pd.DataFrame) -> pd.DataFrame:
    """Pool groups of fewer than MIN_PEOPLE (and then the smallest others) into one row."""
    stats = stats.sort_values(["people", "group"]).reset_index(drop=True)
    small = stats["people"] < MIN_PEOPLE
    if not small.any():
        return stats
    pooled = stats[small]
    named = stats[~small]
    while pooled["people"].sum() < MIN_PEOPLE and len(named):
        pooled = pd.concat([pooled, named.iloc[[0]]])
        named = named.iloc[1:]
    if pooled["people"].sum() < MIN_PEOPLE:  # everyone together is still too few
        return pd.DataFrame(columns=stats.columns)
    row = pooled[["people", "notes", *MEASURES]].sum().to_dict()
    row["group"] = POOLED
    return pd.concat([named, pd.DataFrame([row])], ignore_index=True)


def _suppress(table: pd.DataFrame) -> pd.DataFrame:
    """Apply the MIN_EVENTS rule (with complementary suppression) to one characteristic."""
    table = table.copy()
    for m in MEASURES:
        counts = table[m].astype(int)
        hide = (counts < MIN_EVENTS).to_numpy().copy()
        if hide.sum() == 1 and len(table) > 1:  # one hidden cell: hide the next smallest too
            order = np.argsort(np.where(hide, np.inf, counts.to_numpy()), kind="stable")
            hide[order[0]] = True
        lo, hi = garwood(counts, table["notes"])
        table[f"{m}_per_100"] = np.where(hide, np.nan, counts / table["notes"] * 100)
        table[f"{m}_per_100_lo"] = np.where(hide, np.nan, lo * 100)
        table[f"{m}_per_100_hi"] = np.where(hide, np.nan, hi * 100)
        table[m] = [SUPPRESSED if h else int(c) for h, c in zip(hide, counts, strict=True)]
    table["note"] = [
        "; ".join(f"{MEASURES[m].lower()} suppressed (small number)"
                  for m in MEASURES if row[m] == SUPPRESSED)
        for row in table.to_dict("records")]
    return table


def equality_table(notes: pd.DataFrame, flags: pd.DataFrame, restrictions: pd.DataFrame,
                   people: pd.DataFrame) -> pd.DataFrame:
    """Per characteristic and group: people, notes, restriction figures (``COLUMNS``).

    Every person with notes in the run is counted; people missing from
    ``people`` (or with an empty value) fall in "Not recorded".
    """
    rows = []
    per_person = pd.DataFrame({
        "notes": notes.groupby("person_id").size(),
        "restrictions": restrictions.groupby("person_id").size(),
        "unrecorded": flags[flags["category"] == "unrecorded_restriction"]
        .groupby("person_id").size(),
    }).reindex(notes["person_id"].unique()).fillna(0).astype(int)
    for col, title in CHARACTERISTICS.items():
        if col not in people.columns:
            continue
        group = (people.set_index("person_id")[col].reindex(per_person.index)
                 .fillna("").replace("", NOT_RECORDED))
        stats = per_person.groupby(group.to_numpy()).agg(
            people=("notes", "size"), notes=("notes", "sum"),
            restrictions=("restrictions", "sum"), unrecorded=("unrecorded", "sum"))
        stats = _pool_small(stats.rename_axis("group").reset_index())
        if stats.empty:
            continue
        stats = _suppress(stats)
        stats.insert(0, "characteristic", title)
        rows.append(stats.sort_values("group", key=_group_order, kind="stable"))
    if not rows:
        return pd.DataFrame(columns=COLUMNS)
    return pd.concat(rows, ignore_index=True).reindex(columns=COLUMNS)


def _group_order(groups: pd.Series) -> pd.Series:
    """Named groups alphabetically, then "Not recorded", then the pooled row."""
    rank = groups.map({NOT_RECORDED: 1, POOLED: 2}).fillna(0)
    return rank.astype(str) + groups.astype(str)
