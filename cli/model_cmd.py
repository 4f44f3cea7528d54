"""``careaudit train`` and ``careaudit evaluate``."""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING

import typer
from rich.console import Console
from rich.table import Table

from cli.audit_cmd import fail

if TYPE_CHECKING:
    from nlp.prediction.training import ReviewedData

out = Console()


def train(
    corpus: Path = typer.Option(Path("annotations/train.jsonl"), help="Gold JSONL to train on."),
    dev: Path | None = typer.Option(
        Path("annotations/dev.jsonl"), help="Gold JSONL for thresholds."
    ),
    model: str = typer.Option("hybrid", help="hybrid | sklearn | transformer | transformer-ft"),
    out_dir: Path = typer.Option(..., "--out", help="Folder to write the model to."),
    limit: int | None = typer.Option(None, help="Use only the first N training sentences."),
    epochs: int = typer.Option(1, min=1, help="transformer-ft only: training epochs."),
    lr: float = typer.Option(5e-5, help="transformer-ft only: learning rate."),
    review_db: str | None = typer.Option(
        None,
        "--review-db",
        help="Also learn from a review store's decisions (URL, as for `careaudit review --db`).",
    ),
    review_weight: float = typer.Option(
        1.0, min=0.0, help="Sample weight of each reviewed sentence (--review-db)."
    ),
    review_dev_fraction: float = typer.Option(
        0.2,
        min=0.0,
        max=0.9,
        help="Share of the reviewed services held out of training and only measured.",
    ),
) -> None:
    """Train a sentence model on a gold corpus (and review decisions); write it with its card."""
    from nlp.analysis.english import ParserMissing
    from nlp.prediction.store import UnsafeModel
    from nlp.prediction.training import train as run_train
    from nlp.records.exports import RecordsError

    try:
        reviewed = (
            _reviewed_data(review_db, review_weight, review_dev_fraction) if review_db else None
        )
        _, report = run_train(
            model, corpus, dev, out_dir, limit=limit, epochs=epochs, lr=lr, reviewed=reviewed
        )
    except (RecordsError, UnsafeModel, ValueError, ParserMissing) as exc:
        fail(str(exc))
        return
    out.print(
        f"Trained {model} on {report['train_sentences']} sentences in "
        f"{report['train_seconds']} s; written to {out_dir}/"
    )
    for src in report.get("learned_from", [])[1:]:
        out.print(
            f"  from the review store: {src['notes']} notes ({src['decisions']} decisions, "
            f"{src['missed']} missed, {src['reviewed_notes']} marked reviewed); held out: "
            f"{src['held_out_notes']} notes of {len(src['held_out_services'])} service(s)",
            highlight=False,
        )
    if report["dev_metrics"]:
        _metrics_table("Dev split (gold sentences)", report["dev_metrics"])
    if report.get("review_dev_metrics"):
        _metrics_table("Held-out reviewed services (known labels)", report["review_dev_metrics"])


def _reviewed_data(url: str, weight: float, dev_fraction: float) -> ReviewedData:
    """The review store's decisions as training notes (read through review_app)."""
    from nlp.prediction.training import ReviewedData
    from review_app.config import redact_url, resolve_db_url
    from review_app.learning import review_gold
    from review_app.store import make_engine

    resolved = resolve_db_url(url)
    engine = make_engine(resolved)
    try:
        gold, summary = review_gold(engine)
    finally:
        engine.dispose()
    if not gold:
        raise ValueError(f"{redact_url(resolved)}: no decisions to learn from yet")
    source = summary.as_source(redact_url(resolved))
    return ReviewedData(gold, weight=weight, dev_fraction=dev_fraction, source=source)


def evaluate(
    gold: Path = typer.Argument(..., help="Gold JSONL (annotation-guidelines format)."),
    register: Path | None = typer.Option(None, "--register", help="Register CSV for the gold."),
    model: str = typer.Option(
        "hybrid", help="hybrid | sklearn | transformer | rules | keyword | a model folder"
    ),
    as_json: bool = typer.Option(False, "--json", help="Print the results as JSON."),
    worst: int = typer.Option(20, help="How many errors to print."),
) -> None:
    """Per-flag precision/recall/F1 against a gold file (any file in the gold format)."""
    from nlp.analysis.english import ParserMissing
    from nlp.evaluation.run import evaluate_file
    from nlp.prediction.registry import ModelNotFound, load_sentence_model
    from nlp.prediction.store import UnsafeModel
    from nlp.records.exports import RecordsError

    try:
        sentence_model = load_sentence_model(model)
        result = evaluate_file(gold, sentence_model, register)
    except (RecordsError, ModelNotFound, ParserMissing, UnsafeModel) as exc:
        fail(str(exc))
        return
    data = result.as_dict(worst=worst)
    data["model"] = sentence_model.name
    data["gold"] = str(gold)
    if as_json:
        print(json.dumps(data, indent=2))
        return
    out.print(
        f"{gold}: {data['notes']} notes, {data['sentences']} gold sentences; "
        f"model {sentence_model.name}"
    )
    _metrics_table("Per flag (sentence level)", data["flags"], confusion=True)
    types = Table(title="Recall per restriction_type (restriction found with this type)")
    for col in ("restriction_type", "found", "gold", "recall"):
        types.add_column(col)
    for t, v in data["restriction_type_recall"].items():
        types.add_row(t, str(v["found"]), str(v["gold"]), f"{v['recall']:.2f}")
    out.print(types)
    out.print(f"[bold]{min(worst, len(result.errors))} errors[/] (false negatives first):")
    for e in data["worst_errors"]:
        out.print(
            f"  {e['kind']} {e['category']:<22} {e['note_id']}: {e['sentence']!r} {e['detail']}",
            highlight=False,
            markup=False,
        )


def _metrics_table(title: str, metrics: dict, confusion: bool = False) -> None:
    table = Table(title=title)
    cols = ["flag", "precision", "recall", "F1", "support"]
    if confusion:
        cols += ["TP", "FP", "FN", "TN"]
    for c in cols:
        table.add_column(c, justify="right" if c != "flag" else "left")
    for name, m in metrics.items():
        row = [
            name,
            f"{m['precision']:.3f}",
            f"{m['recall']:.3f}",
            f"{m['f1']:.3f}",
            str(m["support"]),
        ]
        if confusion:
            row += [str(m[k]) for k in ("tp", "fp", "fn", "tn")]
        table.add_row(*row)
    out.print(table)


def register(app: typer.Typer) -> None:
    app.command("train")(train)
    app.command("evaluate")(evaluate)
