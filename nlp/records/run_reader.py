"""Load an audit run directory (``out/``) into pandas frames, with clear errors."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from nlp.governance.reporting.errors import RunDirError
from nlp.schema import FLAG_COLUMNS, NOTE_COLUMNS, RESTRICTION_COLUMNS

_INT_COLUMNS = ("start", "end", "sentence_start", "sentence_end")
_FROM_NOTES = ("person_id", "service", "author", "date", "note_type")


@dataclass
class RunData:
    """One run: notes, flags and restrictions, each with ``when`` (Timestamp) and ``month``."""

    path: Path
    notes: pd.DataFrame
    flags: pd.DataFrame
    restrictions: pd.DataFrame
    summary: dict[str, Any] = field(default_factory=dict)
    rejected: int = 0
    warnings: list[str] = field(default_factory=list)

    @property
    def run_info(self) -> dict[str, Any]:
        info = self.summary.get("run", {})
        return info if isinstance(info, dict) else {}


def _bad_jsonl_line(path: Path) -> str:
    with path.open(encoding="utf-8", errors="replace") as fh:
        for number, line in enumerate(fh, 1):
            if not line.strip():
                continue
            try:
                value = json.loads(line)
            except json.JSONDecodeError as exc:
                return f"line {number}: invalid JSON ({exc.msg})"
            if not isinstance(value, dict):
                return f"line {number}: expected a JSON object"
    return "unreadable JSON lines"


def read_jsonl(path: Path) -> pd.DataFrame:
    """A JSON-lines file as a frame of strings; errors name the file and line."""
    if path.stat().st_size == 0:
        return pd.DataFrame()
    try:
        df = pd.read_json(path, lines=True, dtype=False)
    except ValueError as exc:
        raise RunDirError(f"{path}: {_bad_jsonl_line(path)}") from exc
    except UnicodeDecodeError as exc:
        raise RunDirError(f"{path}: not UTF-8 text ({exc.reason})") from exc
    return df


def read_csv(path: Path) -> pd.DataFrame:
    """A CSV file as a frame of strings; errors name the file."""
    try:
        return pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8-sig")
    except pd.errors.EmptyDataError:
        return pd.DataFrame()
    except (pd.errors.ParserError, UnicodeDecodeError) as exc:
        raise RunDirError(f"{path}: cannot read CSV ({str(exc).splitlines()[0]})") from exc


def _conform(df: pd.DataFrame, columns: list[str], required: tuple[str, ...],
             path: Path) -> pd.DataFrame:
    missing = [c for c in required if c not in df.columns]
    if missing and len(df):
        raise RunDirError(f"{path}: missing column(s) {', '.join(missing)}")
    df = df.reindex(columns=columns)
    for col in columns:
        if col in _INT_COLUMNS:
            df[col] = pd.to_numeric(df[col], errors="coerce").fillna(0).astype(int)
        elif col == "score":
            df[col] = pd.to_numeric(df[col], errors="coerce").fillna(0.0)
        else:
            df[col] = df[col].astype(object).fillna("").astype(str)
    return df


def _add_dates(df: pd.DataFrame) -> pd.DataFrame:
    df["when"] = pd.to_datetime(df["date"], format="%Y-%m-%d", errors="coerce")
    df["month"] = df["when"].dt.strftime("%Y-%m").fillna("")
    return df


def _fill_from_notes(df: pd.DataFrame, notes: pd.DataFrame) -> pd.DataFrame:
    """Fill empty note-level columns (service, person...) from the note they came from."""
    if df.empty or notes.empty:
        return df
    by_id = notes.drop_duplicates("note_id").set_index("note_id")
    for col in _FROM_NOTES:
        empty = df[col] == ""
        if empty.any():
            df.loc[empty, col] = df.loc[empty, "note_id"].map(by_id[col]).fillna("")
    return df


def _table(run: Path, stem: str, columns: list[str], required: tuple[str, ...],
           optional: bool) -> pd.DataFrame:
    csv_path, jsonl_path = run / f"{stem}.csv", run / f"{stem}.jsonl"
    if csv_path.is_file():
        return _conform(read_csv(csv_path), columns, required, csv_path)
    if jsonl_path.is_file():
        return _conform(read_jsonl(jsonl_path), columns, required, jsonl_path)
    if optional:
        return _conform(pd.DataFrame(), columns, (), csv_path)
    raise RunDirError(f"{run}: no {stem}.csv or {stem}.jsonl (is this an audit run directory?)")


def _rejected_count(path: Path, summary: dict[str, Any]) -> int:
    """Input rows rejected: summary["rejected"], else rows of rejected.csv marked rejected."""
    if isinstance(summary.get("rejected"), int):
        return int(summary["rejected"])
    if not path.is_file():
        return 0
    table = read_csv(path)
    if "action" in table.columns:
        return int((table["action"] == "rejected").sum())
    return len(table)


def load_run(path: str | Path) -> RunData:
    """Read ``notes.jsonl``, ``flags.csv`` (or ``.jsonl``), ``restrictions.csv`` and friends."""
    run = Path(path)
    if not run.is_dir():
        raise RunDirError(f"run directory not found: {run}")
    notes_path = run / "notes.jsonl"
    if not notes_path.is_file():
        raise RunDirError(f"{notes_path}: not found (is this an audit run directory?)")
    notes = _conform(read_jsonl(notes_path), NOTE_COLUMNS, ("note_id", "person_id", "date"),
                     notes_path)
    flags = _table(run, "flags", FLAG_COLUMNS, ("note_id", "category"), optional=False)
    restrictions = _table(run, "restrictions", RESTRICTION_COLUMNS,
                          ("note_id", "restriction_type"), optional=True)
    warnings: list[str] = []
    summary: dict[str, Any] = {}
    summary_path = run / "summary.json"
    if summary_path.is_file():
        try:
            summary = json.loads(summary_path.read_text(encoding="utf-8"))
        except (json.JSONDecodeError, UnicodeDecodeError) as exc:
            warnings.append(f"{summary_path}: ignored, not valid JSON ({exc})")
        if not isinstance(summary, dict):
            summary = {}
    rejected = _rejected_count(run / "rejected.csv", summary)
    notes = _add_dates(notes)
    bad_dates = int(notes["when"].isna().sum())
    if bad_dates:
        warnings.append(f"{notes_path}: {bad_dates} note(s) without a valid yyyy-mm-dd date "
                        "are left out of monthly figures")
    flags = _add_dates(_fill_from_notes(flags, notes))
    restrictions = _add_dates(_fill_from_notes(restrictions, notes))
    return RunData(run, notes, flags, restrictions, summary, rejected, warnings)
