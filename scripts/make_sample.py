"""Write the bundled sample export (examples/) from invented training notes.

    .venv/bin/python scripts/make_sample.py

Takes 240 notes of the training split (several services, all note types) and
writes them as a care system would export them: Excel-style cp1252 CSV, UK
dates, a few HTML fragments, blank rows, an exact duplicate row, a duplicate id
with different text, a row with no text and one with an unreadable date. The
register rows of the same people go to examples/register.csv.
"""

from __future__ import annotations

import csv
import html
import json
import random
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "examples"


def main() -> None:
    notes = [json.loads(line) for line in (ROOT / "annotations/train.jsonl").open(encoding="utf-8")]
    rng = random.Random(7)
    by_service: dict[str, list[dict]] = {}
    for n in notes:
        by_service.setdefault(n["service"], []).append(n)
    chosen: list[dict] = []
    for service in sorted(by_service)[::2]:  # every other service: 9 services
        chosen.extend(rng.sample(by_service[service], min(27, len(by_service[service]))))
    chosen = sorted(chosen[:240], key=lambda n: (n["date"], n["note_id"]))
    rows = []
    for i, n in enumerate(chosen):
        y, m, d = n["date"].split("-")
        text = n["text"]
        if i % 37 == 5:  # an HTML fragment, as some care apps export
            text = "<p>" + html.escape(text).replace("\n", "<br>") + "</p>"
        rows.append(
            {
                "note_id": n["note_id"],
                "person_id": n["person_id"],
                "date": f"{d}/{m}/{y}",
                "service": n["service"],
                "author": n["author"],
                "note_type": n["note_type"].replace("_", " ").title(),
                "text": text,
            }
        )
    rows.insert(20, dict.fromkeys(rows[0], ""))  # blank row
    rows.insert(60, dict(rows[59]))  # exact duplicate
    rows.insert(90, {**rows[89], "text": rows[89]["text"] + " Later: settled well."})
    rows.insert(120, {**rows[119], "note_id": "N-X-0001", "text": ""})
    rows.insert(150, {**rows[149], "note_id": "N-X-0002", "date": "31/02/2026"})
    OUT.mkdir(exist_ok=True)
    with (OUT / "sample_notes.csv").open(
        "w", newline="", encoding="cp1252", errors="replace"
    ) as fh:
        writer = csv.DictWriter(fh, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    people = {n["person_id"] for n in chosen}
    with (
        (ROOT / "annotations/train_register.csv").open(encoding="utf-8") as src,
        (OUT / "register.csv").open("w", newline="", encoding="utf-8") as dst,
    ):
        reader = csv.reader(src)
        writer = csv.writer(dst)
        writer.writerow(next(reader))
        writer.writerows(r for r in reader if r and r[0] in people)
    print(f"wrote {len(rows)} rows ({len(chosen)} notes) and the register of {len(people)} people")


if __name__ == "__main__":
    main()
