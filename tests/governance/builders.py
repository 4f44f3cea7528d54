"""Write small run directories whose figures are known by construction."""

from __future__ import annotations

import csv
import json
from pathlib import Path
from typing import Any

from nlp.schema import FLAG_COLUMNS, RESTRICTION_COLUMNS


def note(i: int, month: str, service: str = "Ash Lodge", author: str = "A. Author",
         text: str = "Staff recorded the day.", person: str | None = None,
         note_type: str = "daily_note", day: int = 10) -> dict[str, Any]:
    return {"note_id": f"N-{i:05d}", "person_id": person or f"P-{i % 7:03d}",
            "date": f"{month}-{day:02d}", "text": text, "service": service, "author": author,
            "note_type": note_type}


def flag(n: dict[str, Any], category: str, k: int = 0, **extra: Any) -> dict[str, Any]:
    row = {c: "" for c in FLAG_COLUMNS}
    row.update({k2: n[k2] for k2 in ("note_id", "person_id", "service", "author", "date",
                                     "note_type")})
    row.update(flag_id=f"F-{n['note_id']}-{category}-{k}", category=category, start=0, end=5,
               span_text=n["text"][:5], sentence_start=0, sentence_end=len(n["text"]),
               score=0.5)
    row.update(extra)
    return row


def restriction(n: dict[str, Any], rtype: str = "environmental", **extra: Any) -> dict[str, Any]:
    row = {c: "" for c in RESTRICTION_COLUMNS}
    row.update({k: n[k] for k in ("note_id", "person_id", "service", "author", "date",
                                  "note_type")})
    row.update(restriction_type=rtype, start=0, end=5, span_text=n["text"][:5],
               sentence_start=0, sentence_end=len(n["text"]), status="unrecorded",
               register_status="not_in_register", score=0.5)
    row.update(extra)
    return row


def write_run(path: Path, notes: list[dict], flags: list[dict],
              restrictions: list[dict] | None = None) -> Path:
    path.mkdir(parents=True, exist_ok=True)
    with (path / "notes.jsonl").open("w", encoding="utf-8") as fh:
        for n in notes:
            fh.write(json.dumps(n) + "\n")
    for name, rows, cols in (("flags.csv", flags, FLAG_COLUMNS),
                             ("restrictions.csv", restrictions or [], RESTRICTION_COLUMNS)):
        with (path / name).open("w", newline="", encoding="utf-8") as fh:
            writer = csv.DictWriter(fh, cols)
            writer.writeheader()
            writer.writerows(rows)
    (path / "summary.json").write_text(json.dumps({"run": {"run_id": "R-test"}}))
    return path
