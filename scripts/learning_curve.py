"""Learning curve: F1 per flag on the dev split against training-set size.

    .venv/bin/python scripts/learning_curve.py --model hybrid --out docs/learning_curve.json

Trains on the first N sentences' worth of notes of annotations/train.jsonl (notes in
file order, services interleaved as written) for several N, tunes thresholds on dev
and scores dev with the audit path. Tells whether more data or better features is
the next step.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from nlp.analysis.analyzer import Analyzer  # noqa: E402
from nlp.audit.auditor import Auditor  # noqa: E402
from nlp.evaluation.run import evaluate_file  # noqa: E402
from nlp.prediction.training import train  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--model", default="hybrid")
    parser.add_argument("--sizes", default="500,1000,2000,3000,4300")
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "learning_curve.json")
    args = parser.parse_args()
    analyzer = Analyzer()
    auditor = Auditor(model=None, analyzer=analyzer)  # type: ignore[arg-type]
    rows = []
    for size in [int(s) for s in args.sizes.split(",")]:
        t = time.perf_counter()
        model, report = train(
            args.model,
            ROOT / "annotations/train.jsonl",
            ROOT / "annotations/dev.jsonl",
            Path("/nonexistent"),
            limit=size,
            analyzer=analyzer,
            write=False,
        )
        ev = evaluate_file(
            ROOT / "annotations/dev.jsonl",
            model,
            ROOT / "annotations/dev_register.csv",
            auditor=auditor,
        )
        row = {
            "train_sentences": report["train_sentences"],
            **{c: round(s.f1, 3) for c, s in ev.scores.items()},
            "seconds": round(time.perf_counter() - t, 1),
        }
        rows.append(row)
        print(json.dumps(row), flush=True)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(
        json.dumps({"model": args.model, "eval": "annotations/dev.jsonl", "rows": rows}, indent=2)
    )


if __name__ == "__main__":
    main()
