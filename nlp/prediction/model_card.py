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
    learned = learned_from_section(report)
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
- training: {report["train_notes"]} notes, {report["train_sentences"]} sentences in all
  (sources under "What it learned from"); positives: {pos}.
- thresholds and the figures below: `{report["dev"] or "(no dev set)"}`.
- The corpus is invented (see `annotations/README.md`), split by service: no service of the
  dev or test split is in training. Held-out test figures are in the project README
  (`careaudit evaluate annotations/test.jsonl --model {kind}`).

{learned}
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
{_safety(folder)}
"""
    (folder / "README.md").write_text(card, encoding="utf-8")


def _safety(folder: Path) -> str:
    """How the model's files are loaded without running code (by what the folder holds)."""
    if (folder / "weights.npz").exists():
        return (
            "`weights.npz` holds numeric arrays only and `vocab.json` lists of strings; both are\n"
            "read without unpickling anything (`nlp/prediction/array_store.py`), after checking\n"
            "each file's SHA-256 against `model.json`. Predicting needs numpy alone, so loading\n"
            "takes milliseconds (`nlp/prediction/compiled.py`)."
        )
    return (
        "`model.skops` holds only scikit-learn objects; loading checks its SHA-256 against\n"
        "`model.json` and refuses any type outside the allowlist in `nlp/prediction/store.py`."
    )


def learned_from_section(report: dict) -> str:
    """Markdown: every source the model learned from (corpus files, review stores), counted."""
    sources = report.get("learned_from") or [
        {"source": report["trained_on"], "notes": report["train_notes"]}
    ]
    lines = ["## What it learned from", ""]
    for src in sources:
        if "review_db" in src:
            held = ", ".join(src.get("held_out_services") or []) or "none (one service only)"
            lines.append(
                f"- review store `{src['review_db']}`: {src['notes']} notes, "
                f"{src.get('sentences', 0)} sentences (weight {src.get('weight', 1.0)}) from "
                f"{src.get('decisions', 0)} decisions, {src.get('missed', 0)} missed flags and "
                f"{src.get('reviewed_notes', 0)} notes marked reviewed; labels nobody gave were "
                f"left out, never read as 0. Held out by service and only measured: {held} "
                f"({src.get('held_out_notes', 0)} notes)."
            )
        else:
            lines.append(
                f"- corpus `{src['source']}`: {src['notes']} notes, "
                f"{src.get('sentences', '?')} sentences."
            )
    known = report.get("train_known")
    if known and known != {h: report["train_sentences"] for h in known}:
        lines.append(
            "- known labels per head (unknown ones are masked): "
            + ", ".join(f"{h} {n}" for h, n in known.items())
            + "."
        )
    review = report.get("review_dev_metrics")
    if review:
        lines += [
            "",
            "Held-out reviewed services (known labels only; thresholds from the dev split):",
            "",
            "| head | precision | recall | F1 | known | positives |",
            "|---|---|---|---|---|---|",
        ]
        lines += [
            f"| {h} | {m['precision']:.3f} | {m['recall']:.3f} | {m['f1']:.3f} | "
            f"{m.get('known', '')} | {m['support']} |"
            for h, m in review.items()
        ]
    return "\n".join(lines) + "\n"
