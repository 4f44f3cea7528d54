"""Leave-one-writer-out figures for every model, beside the in-distribution test.

    .venv/bin/python scripts/generalisation.py --models keyword rules sklearn hybrid \
        --out docs/generalisation.json

Trains each learned model once per held-out writer (on the other writers' train
notes, thresholds on their dev notes) and scores it on all of that writer's notes;
see :mod:`nlp.evaluation.writer_held_out`. Prints a table per model and writes
the per-writer figures and summaries as JSON.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from nlp.evaluation.scoring import FLAG_CATEGORIES  # noqa: E402
from nlp.evaluation.writer_held_out import leave_one_writer_out  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--corpus", type=Path, default=ROOT / "annotations")
    parser.add_argument("--models", nargs="+", default=["keyword", "rules", "sklearn", "hybrid"])
    parser.add_argument("--writers", nargs="*", help="only these held-out writers")
    parser.add_argument("--out", type=Path)
    args = parser.parse_args()
    result = leave_one_writer_out(args.corpus, args.models, args.writers)
    for kind, res in result["models"].items():
        print(f"\n{kind}: leave-one-writer-out over {len(result['writers'])} writers")
        for c in FLAG_CATEGORIES:
            s = res["summary"].get(c)
            if s:
                print(
                    f"  {c:24s} mean P {s['mean_precision']:.3f} R {s['mean_recall']:.3f} "
                    f"F1 {s['mean_f1']:.3f}   worst {s['worst_writer']} F1 {s['worst_f1']:.3f}"
                    f"   min recall {s['worst_recall']:.3f}"
                )
    if args.out:
        args.out.write_text(json.dumps(result, indent=1), encoding="utf-8")


if __name__ == "__main__":
    main()
