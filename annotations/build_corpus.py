"""Build the gold corpus from the writers' source files.

    python annotations/build_corpus.py

Reads ``annotations/source/h*_NN.jsonl`` (sentences + label codes, see
``source/WRITING_BRIEF.md``), joins sentences into note text with exact
offsets, and splits by **service** as ``splits.json`` lists them: whole
services go to one split, so the test split measures generalisation to services
never seen (one service of each writer's setting is held out for test). Writes
``{train,dev,test}.jsonl`` and ``{train,dev,test}_register.csv`` (the register
rows of the people in each split) and prints the counts.
"""

from __future__ import annotations

import csv
import json
import sys
from collections import Counter, defaultdict
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

from nlp.records.corpus import validate_gold_note  # noqa: E402
from nlp.schema import RESTRICTION_TYPES  # noqa: E402


def parse_codes(codes: str) -> dict:
    labels = {
        "doing_for": 0,
        "restriction": 0,
        "restriction_type": None,
        "authorised_in_text": 0,
        "in_register": 0,
        "missing_rationale": 0,
    }
    for code in codes.split():
        if code == "D":
            labels["doing_for"] = 1
        elif code == "M":
            labels["missing_rationale"] = 1
        elif code == "A":
            labels["authorised_in_text"] = 1
        elif code == "G":
            labels["in_register"] = 1
        elif code.startswith("R:") and code[2:] in RESTRICTION_TYPES:
            labels["restriction"] = 1
            labels["restriction_type"] = code[2:]
        else:
            raise ValueError(f"unknown label code {code!r}")
    if not labels["restriction"]:
        labels["authorised_in_text"] = labels["in_register"] = 0
    return labels


def to_gold(src: dict) -> dict:
    sep = src.get("sep", " ")
    parts, sentences, pos = [], [], 0
    for i, (text, codes) in enumerate(src["sentences"]):
        text = text.strip()
        if i:
            parts.append(sep)
            pos += len(sep)
        parts.append(text)
        sentences.append({"start": pos, "end": pos + len(text), **parse_codes(codes)})
        pos += len(text)
    return {
        k: src[k] for k in ("note_id", "person_id", "service", "note_type", "date", "author")
    } | {"setting": src.get("setting", ""), "text": "".join(parts), "sentences": sentences}


def main() -> None:
    notes_by_writer: dict[str, list[dict]] = defaultdict(list)
    for path in sorted((HERE / "source").glob("h*_[0-9]*.jsonl")):
        writer = path.name.split("_")[0]
        for line_no, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if line.strip():
                try:
                    gold = to_gold(json.loads(line))
                except (ValueError, KeyError, json.JSONDecodeError) as exc:
                    sys.exit(f"{path}:{line_no}: {exc}")
                problems = validate_gold_note(gold, line_no)
                if problems:
                    sys.exit(f"{path}: {problems}")
                notes_by_writer[writer].append(gold)
    splits_spec = json.loads((HERE / "splits.json").read_text(encoding="utf-8"))
    split_of_service = {
        svc: split for split in ("train", "dev", "test") for svc in splits_spec[split]
    }
    unknown = {n["service"] for ns in notes_by_writer.values() for n in ns} - set(split_of_service)
    if unknown:
        sys.exit(f"services missing from splits.json: {sorted(unknown)}")
    splits: dict[str, list[dict]] = defaultdict(list)
    seen_ids: set[str] = set()
    for notes in notes_by_writer.values():
        for n in notes:
            if n["note_id"] in seen_ids:
                sys.exit(f"duplicate note_id {n['note_id']}")
            seen_ids.add(n["note_id"])
            splits[split_of_service[n["service"]]].append(n)
    registers = _registers()
    for split, notes in splits.items():
        with (HERE / f"{split}.jsonl").open("w", encoding="utf-8") as fh:
            for n in notes:
                fh.write(json.dumps(n, ensure_ascii=False) + "\n")
        people = {n["person_id"] for n in notes}
        with (HERE / f"{split}_register.csv").open("w", newline="", encoding="utf-8") as fh:
            w = csv.writer(fh)
            w.writerow(
                [
                    "person_id",
                    "restriction",
                    "restriction_type",
                    "authorised_by",
                    "start_date",
                    "review_date",
                ]
            )
            w.writerows(r for r in registers if r[0] in people)
        _report(split, notes)


def _registers() -> list[list[str]]:
    rows: list[list[str]] = []
    for path in sorted((HERE / "source").glob("h*_register.csv")):
        with path.open(encoding="utf-8") as fh:
            reader = csv.reader(fh)
            next(reader)
            rows.extend(r for r in reader if r)
    return rows


def _report(split: str, notes: list[dict]) -> None:
    c: Counter = Counter()
    types: Counter = Counter()
    for n in notes:
        for s in n["sentences"]:
            c["sentences"] += 1
            for k in (
                "doing_for",
                "restriction",
                "missing_rationale",
                "authorised_in_text",
                "in_register",
            ):
                c[k] += s[k]
            c["unrecorded_restriction"] += int(
                s["restriction"] and not s["authorised_in_text"] and not s["in_register"]
            )
            if s["restriction"]:
                types[s["restriction_type"]] += 1
    services = sorted({n["service"] for n in notes})
    print(
        f"{split}: {len(notes)} notes, {len(services)} services, "
        + ", ".join(f"{k} {v}" for k, v in c.items())
    )
    print("   types: " + ", ".join(f"{k} {v}" for k, v in sorted(types.items())))


if __name__ == "__main__":
    main()
