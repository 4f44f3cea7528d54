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


def progress_bar(enabled: bool) -> Progress:
    """The one progress bar style of the CLI (stderr, cleared when done)."""
    return Progress(
        "[progress.description]{task.description}",
        BarColumn(),
        MofNCompleteColumn(),
        TimeRemainingColumn(),
        console=err,
        disable=not enabled,
        transient=True,
    )


def fail(message: str, code: int = 2) -> None:
    from rich.markup import escape

    # messages quote file names and cells from the export: never read them as markup
    err.print(f"[bold red]error:[/] {escape(message)}", highlight=False)
    raise typer.Exit(code)


def audit(
    records: list[Path] = typer.Argument(
        ...,
        help="Export of notes: CSV, TSV, JSONL, Parquet or XLSX. With --scheduler or "
        "--cluster: several files, folders or globs.",
    ),
    register: Path | None = typer.Option(
        None, "--register", "-r", help="Restriction register CSV."
    ),
    out_dir: Path = typer.Option(Path("out"), "--out", "-o", help="Folder for the run's files."),
    columns: str | None = typer.Option(
        None, help="Map column names, e.g. text=NoteBody,note_id=Id,date=Created."
    ),
    model: str = typer.Option("hybrid", help="hybrid | sklearn | transformer | rules | a folder."),
    batch_size: int = typer.Option(256, min=1, help="Notes per batch."),
    workers: int = typer.Option(
        1, min=1, help="Processes on this machine (each loads the pipeline once); same output."
    ),
    progress: bool = typer.Option(True, help="Progress bar on stderr."),
    scheduler: str | None = typer.Option(
        None, help="Run on a Dask cluster: its scheduler, e.g. tcp://HOST:8786."
    ),
    cluster: str | None = typer.Option(
        None, help="Run on a local Dask cluster of N worker processes: local:N."
    ),
    partition_rows: int = typer.Option(
        1000, min=1, help="With --scheduler/--cluster: rows per partition (one task each)."
    ),
) -> None:
    """Audit care notes for doing_for, unrecorded_restriction and missing_rationale."""
    from nlp.audit.run import AuditError, AuditProgress, AuditRequest, run_audit
    from nlp.records.exports import RecordsError, parse_column_map

    try:
        column_map = parse_column_map(columns)
    except RecordsError as exc:
        fail(str(exc))
        return
    if scheduler or cluster:
        _audit_distributed(
            records,
            out_dir,
            register,
            model,
            column_map,
            batch_size,
            progress,
            scheduler,
            cluster,
            partition_rows,
        )
        return
    if len(records) > 1:
        fail("several inputs need a cluster: add --cluster local:N or --scheduler tcp://HOST:8786")
        return
    request = AuditRequest(
        records=records[0],
        out_dir=out_dir,
        register=register,
        model=model,
        columns=column_map,
        batch_size=batch_size,
        workers=workers,
    )
    with progress_bar(progress) as bar:
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


def _audit_distributed(
    records: list[Path],
    out_dir: Path,
    register: Path | None,
    model: str,
    columns: dict[str, str],
    batch_size: int,
    progress: bool,
    scheduler: str | None,
    cluster: str | None,
    partition_rows: int,
) -> None:
    """The --scheduler / --cluster branch: partitions on Dask workers, one merged run folder."""
    import time

    from rich.progress import TextColumn

    from nlp.audit.distributed import DistributedProgress, DistributedRequest, run_distributed
    from nlp.audit.run import AuditError

    if scheduler and cluster:
        fail("give either --scheduler or --cluster, not both")
        return
    request = DistributedRequest(
        inputs=records,
        out_dir=out_dir,
        register=register,
        model=model,
        columns=columns,
        batch_size=batch_size,
        partition_rows=partition_rows,
        scheduler=scheduler,
        cluster=cluster,
    )
    with Progress(
        "[progress.description]{task.description}",
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("{task.fields[notes]:,} notes, {task.fields[rate]:,.0f} notes/s"),
        TimeRemainingColumn(),
        console=err,
        disable=not progress,
        transient=True,
    ) as bar:
        task = bar.add_task("partitions", total=None, notes=0, rate=0.0)
        state = {"notes": 0, "since": time.perf_counter()}

        def advance(notes: int) -> None:
            state["notes"] += notes
            rate = state["notes"] / max(time.perf_counter() - state["since"], 1e-9)
            bar.update(task, advance=1, notes=state["notes"], rate=rate)

        def start(total: int, done: int) -> None:
            if done:
                err.print(f"{done} of {total} partitions already finished in {out_dir}; skipped")
            bar.update(task, total=total, completed=done)
            state["since"] = time.perf_counter()

        def connect(link: str | None, workers: int) -> None:
            err.print(f"Dask: {workers} workers; dashboard: {link or 'none (install bokeh)'}")

        hooks = DistributedProgress(
            on_problem=_print_problem, on_connect=connect, on_start=start, on_advance=advance
        )
        try:
            summary = run_distributed(request, hooks)
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
    from rich.markup import escape

    from nlp.records.exports import display_name

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
        # a service name comes from the export: shown as text, never as rich markup
        svc.add_row(escape(name), str(counts["notes"]), *(str(counts.get(c, 0)) for c in cats))
    out.print(svc)
    out.print(
        f"Written to {display_name(out_dir)}/: flags.csv, flags.jsonl, restrictions.csv, "
        "notes.jsonl, rejected.csv, summary.json",
        markup=False,
    )
    sys.stdout.flush()


def register(app: typer.Typer) -> None:
    app.command("audit")(audit)
