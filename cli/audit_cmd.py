"""``careaudit audit``: audit an export of care notes into an output folder."""

from __future__ import annotations

import sys
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
    from nlp.audit.run import AuditError, AuditProgress, AuditRequest, run_audit
    from nlp.records.exports import RecordsError, parse_column_map

    try:
        column_map = parse_column_map(columns)
    except RecordsError as exc:
        fail(str(exc))
        return
    request = AuditRequest(
        records=records,
        out_dir=out_dir,
        register=register,
        model=model,
        columns=column_map,
        batch_size=batch_size,
    )
    with Progress(
        "[progress.description]{task.description}",
        BarColumn(),
        MofNCompleteColumn(),
        TimeRemainingColumn(),
        console=err,
        disable=not progress,
        transient=True,
    ) as bar:
        task = bar.add_task("auditing notes", total=None)
        hooks = AuditProgress(
            on_problem=_print_problem,
            on_start=lambda total: bar.update(task, total=total),
            on_advance=lambda n: bar.advance(task, n),
        )
        try:
            summary = run_audit(request, hooks)
        except AuditError as exc:
            fail(str(exc))
            return
    _print_summary(summary, out_dir)


def _print_problem(p) -> None:
    if p.action != "skipped":
        err.print(
            f"{p.action}: {p.file} row {p.row} column {p.column or '-'}: {p.reason}",
            highlight=False,
            markup=False,
        )


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
