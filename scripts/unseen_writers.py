"""Score the shipped models on the notes of writers they never saw in training.

    .venv/bin/python scripts/unseen_writers.py --out docs/unseen_writers.json

The shipped ``hybrid`` and ``sklearn`` were trained on the round 1-2 corpus (writers
w01-w12; ``trained_on`` / ``train_notes`` in their ``model.json``). Round 3 added ten
writers (w13-w22) in new settings, whose notes now sit in train/dev/test of the
rebuilt corpus. Their notes (and their people's register rows) are gathered from all
three splits into one gold file and scored with ``careaudit evaluate`` for each model:
a writer-held-out figure for the learned models. The script refuses a model whose
``train_notes`` is not the round 1-2 count, so a retrained model is not scored here
by mistake.
"""

from __future__ import annotations

import argparse
import csv
import json
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
WRITERS = {f"w{i}" for i in range(13, 23)}
SHIPPED_TRAIN_NOTES = 1777  # round 1-2 training notes the shipped models learned from
MODELS = ("keyword", "rules", "sklearn", "hybrid")


def gather(folder: Path) -> tuple[Path, Path, dict[str, int]]:
    """Round-3 writers' notes and register rows from every split, into ``folder``."""
    gold, register = folder / "unseen.jsonl", folder / "unseen_register.csv"
    people: set[str] = set()
    per_writer: dict[str, int] = {}
    with gold.open("w", encoding="utf-8") as out:
        for split in ("train", "dev", "test"):
            for line in (ROOT / f"annotations/{split}.jsonl").read_text("utf-8").splitlines():
                note = json.loads(line)
                if note.get("writer") in WRITERS:
                    out.write(line + "\n")
                    people.add(note["person_id"])
                    per_writer[note["writer"]] = per_writer.get(note["writer"], 0) + 1
    rows: list[list[str]] = []
    header: list[str] = []
    for split in ("train", "dev", "test"):
        with (ROOT / f"annotations/{split}_register.csv").open(encoding="utf-8") as fh:
            reader = csv.reader(fh)
            header = next(reader)
            rows += [r for r in reader if r[header.index("person_id")] in people]
    with register.open("w", newline="", encoding="utf-8") as fh:
        csv.writer(fh).writerows([header, *rows])
    return gold, register, dict(sorted(per_writer.items()))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, default=ROOT / "docs/unseen_writers.json")
    parser.add_argument("--models", nargs="+", default=list(MODELS))
    parser.add_argument(
        "--calibration",
        action="store_true",
        help="also write the hybrid's reliability table and plot under docs/",
    )
    args = parser.parse_args()
    for kind in ("hybrid", "sklearn"):
        meta = json.loads((ROOT / "models" / kind / "model.json").read_text())
        if kind in args.models and meta.get("train_notes") != SHIPPED_TRAIN_NOTES:
            sys.exit(f"models/{kind} was not trained on the round 1-2 corpus: not held out")
    results: dict[str, object] = {"command": "python scripts/unseen_writers.py"}
    with tempfile.TemporaryDirectory() as tmp:
        gold, register, per_writer = gather(Path(tmp))
        results["notes_per_writer"] = per_writer
        for model in args.models:
            done = subprocess.run(
                [
                    str(Path(sys.executable).parent / "careaudit"),
                    "evaluate",
                    str(gold),
                    "--register",
                    str(register),
                    "--model",
                    model,
                    "--json",
                    "--worst",
                    "0",
                ],
                cwd=ROOT,
                capture_output=True,
                text=True,
                check=True,
            )
            scored = json.loads(done.stdout)
            results[model] = {"sentences": scored["sentences"], "flags": scored["flags"]}
            f1 = {k: v["f1"] for k, v in scored["flags"].items()}
            print(model, f1, flush=True)
        if args.calibration:
            subprocess.run(
                [
                    sys.executable,
                    str(ROOT / "scripts/calibration.py"),
                    "--gold",
                    str(gold),
                    "--model",
                    "hybrid",
                    "--out",
                    str(ROOT / "docs/calibration_unseen_writers.json"),
                    "--svg",
                    str(ROOT / "docs/reliability_unseen_writers.svg"),
                ],
                cwd=ROOT,
                check=True,
            )
    args.out.write_text(json.dumps(results, indent=1) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
