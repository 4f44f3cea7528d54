"""``careaudit deidentify``: an export of notes with every person, place and identifier
replaced by consistent pseudonyms."""

from __future__ import annotations

import json
from pathlib import Path

import typer
from rich.console import Console

from cli.audit_cmd import err, fail, progress_bar

out = Console()
FORMATS = {".csv": "csv", ".jsonl": "jsonl", ".ndjson": "jsonl"}


def deidentify(
    records: Path = typer.Argument(..., help="Export of notes: CSV, TSV, JSONL, Parquet or XLSX."),
    out_file: Path = typer.Option(
        ..., "--out", "-o", help="File to write: .csv (spreadsheet-safe) or .jsonl."
    ),
    columns: str | None = typer.Option(
        None, help="Map column names, e.g. text=NoteBody,note_id=Id,date=Created."
    ),
    seed: int | None = typer.Option(None, help="Fix the pseudonyms and date shifts."),
    progress: bool = typer.Option(True, help="Progress bar on stderr."),
) -> None:
    """Replace names, identifiers, contact details, addresses and dates in an export.

    Rows keep the input's order; text and the id, person, author, service and date
    columns are de-identified consistently (same person, same pseudonym; dates moved
    by a fixed number of days per person).
    """
    from nlp.deid import ModelMissing, Pseudonymiser, shared_analyzer
    from nlp.deid.export import COLUMNS, deidentify_notes
    from nlp.prediction.store import UnsafeModel
    from nlp.records.exports import RecordsError, parse_column_map, read_notes
    from nlp.records.spreadsheet import write_csv

    kind = FORMATS.get(out_file.suffix.lower())
    if kind is None:
        fail(f"{out_file}: --out must end in .csv or .jsonl")
    try:
        read = read_notes(records, parse_column_map(columns))
        pseudonymiser = Pseudonymiser(shared_analyzer(), seed=seed)
    except (RecordsError, ModelMissing, UnsafeModel) as exc:
        fail(str(exc))
        return
    for p in read.problems:
        if p.action != "skipped":
            err.print(
                f"{p.action}: {p.file} row {p.row} column {p.column or '-'}: {p.reason}",
                highlight=False,
                markup=False,
            )
    if not read.notes:
        fail(f"{records}: no usable notes ({read.rejected} rows rejected; see messages above)")
    with progress_bar(progress) as bar:
        task = bar.add_task("de-identifying", total=len(read.notes))
        rows = deidentify_notes(read.notes, pseudonymiser, lambda n: bar.advance(task, n))
    try:
        out_file.parent.mkdir(parents=True, exist_ok=True)
        if kind == "csv":
            write_csv(out_file, COLUMNS, rows)
        else:
            with out_file.open("w", encoding="utf-8") as fh:
                fh.writelines(json.dumps(row, ensure_ascii=False) + "\n" for row in rows)
    except OSError as exc:
        fail(f"{out_file}: cannot write ({exc.strerror or exc})")
    counts = {k: v for k, v in pseudonymiser.counts.items() if k.islower()}
    replaced = ", ".join(f"{n} {k.replace('_', ' ')}" for k, n in sorted(counts.items()))
    out.print(
        f"De-identified {len(rows)} notes (rows read {read.rows}, rejected {read.rejected}) "
        f"-> {out_file}\nReplaced in the text: {replaced or 'nothing'}",
        highlight=False,
        markup=False,
    )
    err.print(
        "Check the output before it leaves the organisation: on notes it was not tuned on, "
        "automatic de-identification still misses some names (docs/deid.md).",
        highlight=False,
        markup=False,
    )


def register(app: typer.Typer) -> None:
    app.command("deidentify")(deidentify)
