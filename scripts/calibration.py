"""Do the scores mean what they say? Reliability and expected calibration error.

    .venv/bin/python scripts/calibration.py --gold annotations/test.jsonl \
        --model hybrid --out docs/calibration_test.json --svg docs/reliability_test.svg

For every gold sentence the model's probability per head (doing_for,
restriction, unauthorised, missing_rationale — the sentence-level scores the
flags carry) is compared with the gold label. ECE is the sample-weighted mean
|observed rate − mean score| over ten equal-width score bins. Sentences are
split as the gold file splits them, so each probability meets exactly one label.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from nlp.analysis.analyzer import Analyzer  # noqa: E402
from nlp.prediction.base import LABELS  # noqa: E402
from nlp.prediction.datasets import UNKNOWN, gold_targets  # noqa: E402
from nlp.prediction.registry import load_sentence_model  # noqa: E402
from nlp.records.corpus import read_gold  # noqa: E402

BINS = 10


def reliability(probs: np.ndarray, labels: np.ndarray) -> tuple[float, list[dict]]:
    """ECE and the per-bin table (count, mean score, observed rate)."""
    edges = np.linspace(0.0, 1.0, BINS + 1)
    which = np.clip(np.digitize(probs, edges[1:-1]), 0, BINS - 1)
    rows, ece = [], 0.0
    for b in range(BINS):
        mask = which == b
        n = int(mask.sum())
        if not n:
            continue
        score, rate = float(probs[mask].mean()), float(labels[mask].mean())
        ece += n / len(probs) * abs(rate - score)
        rows.append({"bin": f"{edges[b]:.1f}-{edges[b + 1]:.1f}", "n": n,
                     "mean_score": round(score, 3), "observed": round(rate, 3)})
    return round(ece, 4), rows


def svg(curves: dict[str, list[dict]]) -> str:
    """A small reliability diagram (observed rate against mean score per bin)."""
    size, pad = 320, 40
    colours = ["#1b6ca8", "#c0392b", "#7d3c98", "#1e8449"]
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{size + 2 * pad}" '
        f'height="{size + 2 * pad}" font-family="sans-serif" font-size="11">',
        f'<rect x="{pad}" y="{pad}" width="{size}" height="{size}" fill="none" stroke="#999"/>',
        f'<line x1="{pad}" y1="{pad + size}" x2="{pad + size}" y2="{pad}" stroke="#bbb" '
        'stroke-dasharray="4 3"/>',
        f'<text x="{pad}" y="{pad + size + 28}">mean score per bin</text>',
        f'<text x="8" y="{pad - 10}">observed rate</text>',
    ]
    for k, (head, rows) in enumerate(curves.items()):
        pts = " ".join(
            f"{pad + r['mean_score'] * size:.1f},{pad + size - r['observed'] * size:.1f}"
            for r in rows
        )
        colour = colours[k % len(colours)]
        parts.append(f'<polyline points="{pts}" fill="none" stroke="{colour}" stroke-width="2"/>')
        parts.append(
            f'<text x="{pad + 8}" y="{pad + 16 + 14 * k}" fill="{colour}">{head}</text>'
        )
    parts.append("</svg>")
    return "\n".join(parts)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--gold", type=Path, default=ROOT / "annotations" / "test.jsonl")
    parser.add_argument("--model", default="hybrid")
    parser.add_argument("--out", type=Path)
    parser.add_argument("--svg", type=Path)
    args = parser.parse_args()
    gold = read_gold(args.gold)
    model = load_sentence_model(args.model)
    analyses = Analyzer().analyse_segmented(
        [g.note for g in gold], [[(s.start, s.end) for s in g.sentences] for g in gold]
    )
    predictions = model.predict_notes(analyses)
    probs, labels = [], []
    for g, preds in zip(gold, predictions, strict=True):
        targets, _ = gold_targets(g)
        for p, t in zip(preds, targets, strict=True):
            probs.append([p.probs.get(h, 0.0) for h in LABELS])
            labels.append(t)
    P, Y = np.array(probs), np.array(labels)
    result: dict[str, dict] = {}
    for j, head in enumerate(LABELS):
        known = Y[:, j] != UNKNOWN
        ece, rows = reliability(P[known, j], Y[known, j].astype(float))
        result[head] = {"ece": ece, "sentences": int(known.sum()), "bins": rows}
        print(f"{head:18s} ECE {ece:.4f}  ({int(known.sum())} sentences)")
    if args.out:
        args.out.write_text(json.dumps({"gold": str(args.gold), "model": args.model,
                                        "heads": result}, indent=1), encoding="utf-8")
    if args.svg:
        args.svg.write_text(svg({h: r["bins"] for h, r in result.items()}), encoding="utf-8")


if __name__ == "__main__":
    main()
