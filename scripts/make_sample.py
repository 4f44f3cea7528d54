"""Write the bundled sample export (examples/) from invented training notes.

    .venv/bin/python scripts/make_sample.py

Takes 240 notes of the training split and writes them as a care system would
export them: Excel-style cp1252 CSV, UK dates, a few HTML fragments, blank
rows, an exact duplicate row, a duplicate id with different text, a row with
no text and one with an unreadable date. The register rows of the same people
go to examples/register.csv.

Real exports are mostly uneventful notes, so the sample is too: 200 notes from
the writers' low-density batches (5-10 % of sentences carry a label) and 40 from
the ordinary, denser batches, so a first report is informative rather than
alarming.
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
    low = [n for n in notes if n.get("density") == "low"]
    dense = [n for n in notes if n.get("density") != "low"]
    chosen = rng.sample(low, min(200, len(low)))
    chosen += rng.sample(dense, 240 - len(chosen))
    chosen = sorted(chosen, key=lambda n: (n["date"], n["note_id"]))
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
