"""``careaudit audit``: audit an export of care notes into an output folder."""

from __future__ import annotations

import hashlib
import json
import sys
from datetime import UTC, datetime
from pathlib import Path

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeRemainingColumn
from rich.table import Table

err = Console(stderr=True)
out = Console()


def fail(message: str, code: int = 2) -> None:
    err.print(f"[bold red]error:[/] {message}", highlight=False)
    raise typer.Exit(code)


def audit(
    records: Path = typer.Argument(..., help="Export of notes: CSV, TSV, JSONL, Parquet or XLSX."),
    register: Path | None = typer.Option(
        None, "--register", "-r", help="Restriction register CSV."
    ),
    out_dir: Path = typer.Option(Path("out"), "--out", "-o", help="Folder for the run's files."),
    columns: str | None = typer.Option(
        None, help="Map column names, e.g. text=NoteBody,note_id=Id,date=Created."
    ),
    model: str = typer.Option("hybrid", help="hybrid | sklearn | transformer | rules | a folder."),
    batch_size: int = typer.Option(256, min=1, help="Notes per batch."),
    progress: bool = typer.Option(True, help="Progress bar on stderr."),
) -> None:
    """Audit care notes for doing_for, unrecorded_restriction and missing_rationale."""
    from nlp.analysis.english import ParserMissing
    from nlp.audit.auditor import Auditor
    from nlp.audit.register_match import Register, load_register
    from nlp.prediction.registry import ModelNotFound, load_sentence_model
    from nlp.prediction.store import UnsafeModel
    from nlp.records.exports import RecordsError, parse_column_map, read_notes
    from nlp.records.run_writer import write_run

    try:
        read = read_notes(records, parse_column_map(columns))
        reg, reg_problems = load_register(register) if register else (Register.empty(), [])
        sentence_model = load_sentence_model(model)
        auditor = Auditor(sentence_model, register=reg, batch_size=batch_size)
    except (RecordsError, ParserMissing, ModelNotFound, UnsafeModel) as exc:
        fail(str(exc))
        return
    problems = read.problems + reg_problems
    for p in problems:
        if p.action != "skipped":
            err.print(
                f"{p.action}: {p.file} row {p.row} column {p.column or '-'}: {p.reason}",
                highlight=False,
                markup=False,
            )
    if not read.notes:
        fail(f"{records}: no usable notes ({read.rejected} rows rejected; see messages above)")
    with Progress(
        "[progress.description]{task.description}",
        BarColumn(),
        MofNCompleteColumn(),
        TimeRemainingColumn(),
        console=err,
        disable=not progress,
        transient=True,
    ) as bar:
        task = bar.add_task("auditing notes", total=len(read.notes))
        result = auditor.run(read.notes, progress=lambda n: bar.advance(task, n))
    meta = {
        "run_id": _run_id([records, register], sentence_model),
        "created_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "input": str(records),
        "register": str(register) if register else "",
        "model": sentence_model.name,
        "rows_read": read.rows,
    }
    summary = write_run(out_dir, result, problems, meta)
    _print_summary(summary, out_dir)


def _run_id(inputs: list[Path | None], model) -> str:
    """Same export, register and model (weights included) → same run id."""
    from nlp.prediction.store import sha256_file

    parts = [sha256_file(p) if p else "-" for p in inputs]
    parts += [model.name, json.dumps(getattr(model, "meta", {}).get("files", {}), sort_keys=True)]
    return "R-" + hashlib.sha256("\x1f".join(parts).encode()).hexdigest()[:12]


def _print_summary(summary: dict, out_dir: Path) -> None:
    out.print(
        f"Notes audited: {summary['notes']}  (rows read {summary['rows_read']}, "
        f"rejected {summary['rejected']}, duplicates skipped "
        f"{summary['duplicates_skipped']}, warnings {summary['warnings']})"
    )
    table = Table(title="Flags per category")
    table.add_column("category")
    table.add_column("flags", justify="right")
    for cat, n in summary["flags_by_category"].items():
        table.add_row(cat, str(n))
    out.print(table)
    svc = Table(title="Per service")
    cats = sorted({c for s in summary["by_service"].values() for c in s if c != "notes"})
    svc.add_column("service")
    svc.add_column("notes", justify="right")
    for c in cats:
        svc.add_column(c, justify="right")
    for name, counts in summary["by_service"].items():
        svc.add_row(name, str(counts["notes"]), *(str(counts.get(c, 0)) for c in cats))
    out.print(svc)
    out.print(
        f"Written to {out_dir}/: flags.csv, flags.jsonl, restrictions.csv, notes.jsonl, "
        "rejected.csv, summary.json"
    )
    sys.stdout.flush()


def register(app: typer.Typer) -> None:
    app.command("audit")(audit)
