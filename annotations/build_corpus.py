"""Build the gold corpus from the writers' source files.

    python annotations/build_corpus.py

Reads ``annotations/source/h*_NN.jsonl`` (rounds 1-2) and
``annotations/source/r3_wNN_*.jsonl`` (round 3, ``ROUND3_BRIEF.md``; ``_low`` files
are the low-density batches) — sentences + label codes, see
``source/WRITING_BRIEF.md`` —, joins sentences into note text with exact
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


def source_files() -> list[tuple[str, str, Path]]:
    """(writer, density, path) for every writer batch: ``h1``…``h12``, ``w13``…."""
    out = []
    for path in sorted((HERE / "source").glob("h*_[0-9]*.jsonl")):
        out.append((path.name.split("_")[0], "normal", path))
    for path in sorted((HERE / "source").glob("r3_w*_*.jsonl")):
        writer, batch = path.stem.split("_")[1:3]
        out.append((writer, "low" if batch == "low" else "normal", path))
    return out


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


CORRECTIONS = HERE / "corrections.jsonl"
FIELDS = ("doing_for", "restriction", "restriction_type", "authorised_in_text", "in_register",
          "missing_rationale")


def load_corrections() -> dict[tuple[str, int], dict]:
    """Reviewed label changes (``corrections.jsonl``): (note_id, sentence index) → new values.

    Each line: ``{"note_id", "sentence", "set": {field: value, ...}, "why"}``, written
    by a reviewer who checked a label-noise suspect against the guidelines.
    """
    out: dict[tuple[str, int], dict] = {}
    if not CORRECTIONS.exists():
        return out
    for line_no, line in enumerate(CORRECTIONS.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        fix = json.loads(line)
        bad = set(fix["set"]) - set(FIELDS)
        if bad:
            sys.exit(f"{CORRECTIONS}:{line_no}: unknown field(s) {sorted(bad)}")
        out.setdefault((fix["note_id"], int(fix["sentence"])), {}).update(fix["set"])
    return out


def apply_corrections(gold: dict, corrections: dict[tuple[str, int], dict]) -> int:
    """Apply reviewed corrections to one gold note in place; return how many labels changed."""
    changed = 0
    for i, sent in enumerate(gold["sentences"]):
        for field, value in corrections.get((gold["note_id"], i), {}).items():
            if sent.get(field) != value:
                sent[field] = value
                changed += 1
        if not sent["restriction"]:
            sent["restriction_type"] = None
            sent["authorised_in_text"] = sent["in_register"] = 0
    return changed


def main(out_dir: Path = HERE) -> None:
    corrections = load_corrections()
    changed = 0
    notes_by_writer: dict[str, list[dict]] = defaultdict(list)
    for writer, density, path in source_files():
        for line_no, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if line.strip():
                try:
                    gold = to_gold(json.loads(line)) | {"writer": writer, "density": density}
                    changed += apply_corrections(gold, corrections)
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
    if corrections:
        print(f"corrections: {changed} labels changed by {len(corrections)} reviewed sentences")
    registers = _registers()
    for split, notes in splits.items():
        with (out_dir / f"{split}.jsonl").open("w", encoding="utf-8") as fh:
            for n in notes:
                fh.write(json.dumps(n, ensure_ascii=False) + "\n")
        people = {n["person_id"] for n in notes}
        with (out_dir / f"{split}_register.csv").open("w", newline="", encoding="utf-8") as fh:
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
    paths = sorted((HERE / "source").glob("h*_register.csv"))
    paths += sorted((HERE / "source").glob("r3_w*_register.csv"))
    for path in paths:
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
    import argparse

    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, default=HERE, help="folder for the split files")
    main(parser.parse_args().out)
