"""``careaudit report``, ``careaudit register-review`` and ``careaudit person``."""

from __future__ import annotations

import time
from collections.abc import Callable
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, TypeVar

import typer

if TYPE_CHECKING:
    import pandas as pd

# pandas and the reporting stage are imported by each command, not here: `careaudit audit`
# (and its worker processes, which import this module again) never need them.


class Format(StrEnum):
    html = "html"
    pdf = "pdf"
    xlsx = "xlsx"


def _fail(message: str, code: int = 1) -> None:
    typer.echo(f"error: {message}", err=True)
    raise typer.Exit(code)


T = TypeVar("T")


def _guard(action: Callable[[], T], what: str) -> T:
    """Run ``action``; known problems become one-line errors (exit 1), others exit 2."""
    from nlp.governance.register_review import RegisterError
    from nlp.governance.reporting import ReportError

    try:
        return action()
    except (ReportError, RegisterError) as exc:
        _fail(str(exc))
    except OSError as exc:
        where = f" ({exc.filename})" if exc.filename else ""
        _fail(f"{what}: {exc.strerror or exc}{where}")
    except Exception as exc:  # last resort: never show a traceback to the user
        _fail(f"unexpected error while {what}: {type(exc).__name__}: {exc}", code=2)
    raise AssertionError("unreachable")


def _store_decisions(url: str | None) -> pd.DataFrame | None:
    """Each reviewed flag's latest decision in the store at ``url`` (None: no store/decisions)."""
    if not url:
        return None
    from sqlalchemy.exc import SQLAlchemyError

    from review_app.exports import decision_rows
    from review_app.store import make_engine

    try:
        engine = make_engine(url, create=False)
        try:
            rows = decision_rows(engine)
        finally:
            engine.dispose()
    except SQLAlchemyError:  # no review tables in this store
        return None
    except Exception as exc:  # the report goes ahead without confirmed findings
        typer.echo(f"warning: review decisions not read from the store: {exc}", err=True)
        return None
    if not rows:
        return None
    import pandas as pd

    return pd.DataFrame(rows, columns=["flag_id", "decision"])


RunDir = typer.Argument(..., help="Audit run directory (out/) written by careaudit audit.")


def report(
    run_dir: Path = RunDir,
    format: Format = typer.Option(Format.html, "--format", "-f", help="html, pdf or xlsx."),
    baseline: Path | None = typer.Option(
        None, "--baseline", help="An earlier run directory to compare with."),
    output: Path | None = typer.Option(
        None, "--output", "-o", help="File to write (default: <run_dir>/report.<format>)."),
    register: Path | None = typer.Option(
        None, "--register", "-r",
        help="Restriction register CSV for the register section (default: the run's "
             "register_review.json, if any)."),
    as_of: str | None = typer.Option(
        None, "--as-of", help="Date for register review checks, yyyy-mm-dd."),
    min_author_notes: int = typer.Option(
        20, min=1, help="Authors with fewer notes are left out of supervision planning."),
    samples: int = typer.Option(5, min=0, help="Sample flagged sentences per category."),
    decisions: Path | None = typer.Option(
        None, "--decisions",
        help="Decisions CSV (careaudit export decisions): adds confirmed findings. Default: "
             "the review store's decisions, when a store exists."),
    people: Path | None = typer.Option(
        None, "--people",
        help="Person file: person_id and any of age_band, sex, ethnicity, disability "
             "(restrictions by protected characteristic)."),
    db: str | None = typer.Option(
        None, "--db",
        help="Review store URL for quality improvement actions (and decisions). Default: "
             "$CAREAUDIT_DB, else ~/.careaudit/review.db if it exists.", show_default=False),
) -> None:
    """Governance report for a quality meeting (self-contained HTML, PDF or XLSX)."""
    from cli.actions_cmd import existing_store_url
    from nlp.governance.reporting import ReportOptions, report_command

    started = time.perf_counter()
    opts = ReportOptions(min_author_notes=min_author_notes, samples_per_category=samples)
    url = existing_store_url(db)
    reviewed = decisions if decisions is not None else _store_decisions(url)
    path = _guard(lambda: report_command(run_dir, format.value, output=output, baseline=baseline,
                                         register=register, as_of=as_of, options=opts,
                                         decisions=reviewed, people=people, actions_db=url),
                  f"writing the report for {run_dir}")
    typer.echo(f"Report written to {path} ({time.perf_counter() - started:.1f} s)")


def register_review(
    run_dir: Path = RunDir,
    register: Path = typer.Option(..., "--register", "-r", help="Restriction register CSV."),
    out: Path | None = typer.Option(
        None, "--out", "-o", help="Folder for register_review.csv/.json (default: run_dir)."),
    as_of: str | None = typer.Option(
        None, "--as-of", help="Check review dates at this date (default: last note date)."),
    strict: bool = typer.Option(False, help="Exit 1 when register rows had to be skipped."),
) -> None:
    """Reconcile restrictions found in notes with the restriction register."""
    from nlp.governance.reporting import register_review_command

    result = _guard(lambda: register_review_command(run_dir, register, out, as_of),
                    f"reviewing {register} against {run_dir}")
    review, csv_path, json_path = result
    for line in review.summary_lines():
        typer.echo(line)
    typer.echo(f"Written to {csv_path} and {json_path}")
    if strict and review.issues:
        _fail(f"{register}: {len(review.issues)} bad row(s) skipped (--strict)")


def person(
    person_id: str = typer.Argument(..., help="Person id, e.g. P-017."),
    run_dir: Path = RunDir,
    register: Path | None = typer.Option(None, "--register", "-r",
                                         help="Restriction register CSV."),
    output: Path | None = typer.Option(
        None, "--output", "-o", help="File to write (default: <run_dir>/person_<id>.html)."),
    as_of: str | None = typer.Option(None, "--as-of", help="Date for register checks."),
) -> None:
    """One person's restrictions over time, flags and register entries (HTML)."""
    from nlp.governance.reporting import person_command

    path = _guard(lambda: person_command(person_id, run_dir, register=register, output=output,
                                         as_of=as_of),
                  f"writing the person page for {person_id}")
    typer.echo(f"Person page written to {path}")


def register(app: typer.Typer) -> None:
    """Add ``report``, ``register-review`` and ``person`` to the ``careaudit`` app."""
    app.command("report")(report)
    app.command("register-review")(register_review)
    app.command("person")(person)
