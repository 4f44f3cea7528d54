"""Write ``README.md`` model cards beside trained models."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from nlp.prediction.registry import model_class


def write_model_card(folder: Path, kind: str, report: dict, thresholds: dict[str, float]) -> None:
    rows = "\n".join(
        f"| {h} | {m['precision']:.3f} | {m['recall']:.3f} | {m['f1']:.3f} | {m['support']} | "
        f"{thresholds[h]:.3f} |"
        for h, m in report.get("dev_metrics", {}).items()
    )
    pos = ", ".join(f"{k} {v}" for k, v in report["train_positives"].items())
    card = f"""# careaudit model: `{kind}`

Trained {datetime.now(UTC).date().isoformat()} by `careaudit train --model {kind}` in
{report["train_seconds"]} s on a 2-core CPU.

## What it is
{model_class(kind).descriptions[kind]}

Heads: `doing_for`, `restriction` (any restrictive practice), `unauthorised` (a restriction
with no authority cited in the text; the register check comes after) and `missing_rationale`;
plus a restriction-type classifier. Scores are calibrated probabilities (sigmoid, 3-fold);
thresholds were chosen on the dev split for the best F1 per head.

## Data
- training: `{report["trained_on"]}` — {report["train_notes"]} notes,
  {report["train_sentences"]} sentences; positives: {pos}.
- thresholds and the figures below: `{report["dev"] or "(no dev set)"}`.
- The corpus is invented (see `annotations/README.md`), split by service: no service of the
  dev or test split is in training. Held-out test figures are in the project README
  (`careaudit evaluate annotations/test.jsonl --model {kind}`).

## Dev-split metrics (sentence level, gold sentence boundaries)
| head | precision | recall | F1 | support | threshold |
|---|---|---|---|---|---|
{rows}

## Limits
- Invented UK social-care notes only; real records will differ in vocabulary and style.
  Re-measure on a sample of your own annotated notes (`careaudit evaluate`) before relying
  on it, and retrain with confirmed/dismissed decisions exported from the review app.
- A flag is a prompt for an auditor, never a finding by itself.
- Sentence-level: a reason more than one sentence away is not seen.

## Safety
`model.skops` holds only scikit-learn objects; loading checks its SHA-256 against
`model.json` and refuses any type outside the allowlist in `nlp/classifiers/store.py`.
"""
    (folder / "README.md").write_text(card, encoding="utf-8")
