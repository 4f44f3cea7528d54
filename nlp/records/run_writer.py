"""Write an audit run directory; every CSV is safe to open in Excel."""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import asdict
from pathlib import Path
from typing import Any

from nlp.records.exports import Problem
from nlp.records.spreadsheet import write_csv
from nlp.schema import FLAG_COLUMNS, NOTE_COLUMNS, RESTRICTION_COLUMNS

REJECTED_COLUMNS = ["file", "row", "column", "reason", "action"]


def write_jsonl(path: Path, rows: Iterable[dict[str, Any]]) -> None:
    with path.open("w", encoding="utf-8") as fh:
        for row in rows:
            fh.write(json.dumps(row, ensure_ascii=False) + "\n")


def write_run(out_dir: Path, result, problems: list[Problem], run_meta: dict[str, Any]) -> dict:
    """Write notes, flags, restrictions, rejected rows and the summary; return the summary."""
    out_dir.mkdir(parents=True, exist_ok=True)
    write_jsonl(out_dir / "notes.jsonl", (n.to_dict() for n in result.notes))
    flags = [f.to_dict() for f in result.flags]
    write_csv(out_dir / "flags.csv", FLAG_COLUMNS, flags)
    write_jsonl(out_dir / "flags.jsonl", flags)
    write_csv(
        out_dir / "restrictions.csv",
        RESTRICTION_COLUMNS,
        (r.to_dict() for r in result.restrictions),
    )
    write_csv(out_dir / "rejected.csv", REJECTED_COLUMNS, (asdict(p) for p in problems))
    summary = {
        "run": run_meta,
        **result.counts(),
        "rows_read": run_meta.get("rows_read", 0),
        "rejected": sum(p.action == "rejected" for p in problems),
        "warnings": sum(p.action == "warning" for p in problems),
        "duplicates_skipped": sum(p.action == "skipped" for p in problems),
    }
    (out_dir / "summary.json").write_text(json.dumps(summary, indent=2), encoding="utf-8")
    return summary


__all__ = ["NOTE_COLUMNS", "write_jsonl", "write_run"]
