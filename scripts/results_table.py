"""Per-flag precision/recall/F1 of every model on one split, as the README table.

    .venv/bin/python scripts/results_table.py --split test --out docs/results_test.json

Each row is exactly what
``careaudit evaluate annotations/SPLIT.jsonl --register annotations/SPLIT_register.csv
--model MODEL --json`` prints; this script only runs the five models in one process.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from nlp.analysis.analyzer import Analyzer  # noqa: E402
from nlp.audit.auditor import Auditor  # noqa: E402
from nlp.evaluation.run import evaluate_file  # noqa: E402
from nlp.prediction.registry import load_sentence_model  # noqa: E402

MODELS = ("keyword", "rules", "sklearn", "transformer", "hybrid")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--split", default="test")
    parser.add_argument("--out", type=Path)
    args = parser.parse_args()
    gold = ROOT / f"annotations/{args.split}.jsonl"
    register = ROOT / f"annotations/{args.split}_register.csv"
    auditor = Auditor(model=None, analyzer=Analyzer())  # type: ignore[arg-type]
    results = {}
    lines = [
        "| model | doing_for P / R / F1 | unrecorded_restriction P / R / F1 | "
        "missing_rationale P / R / F1 |",
        "|---|---|---|---|",
    ]
    for name in MODELS:
        ev = evaluate_file(gold, load_sentence_model(name), register, auditor=auditor)
        results[name] = ev.as_dict(worst=0)
        cells = [f"{s.precision:.3f} / {s.recall:.3f} / **{s.f1:.3f}**" for s in ev.scores.values()]
        lines.append(f"| {name} | " + " | ".join(cells) + " |")
        print(lines[-1], flush=True)
    if args.out:
        args.out.write_text(json.dumps({"split": args.split, "results": results}, indent=2))
    print("\n".join(lines))


if __name__ == "__main__":
    main()
