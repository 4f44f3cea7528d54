"""``careaudit actions add|list|done``: the quality improvement plan, kept in the review store."""

from __future__ import annotations

import getpass
import os
from datetime import date
from pathlib import Path
from typing import Annotated, NoReturn

import typer

from nlp.governance.metric_names import TREND_METRICS as METRICS

# SQLAlchemy and pandas are imported by each command, not here: `careaudit audit` (and its
# worker processes, which import this module again) never need them.

DbOption = Annotated[
    str | None,
    typer.Option(
        "--db",
        help="Store URL (sqlite:///path.db or postgresql://user@host/db), the same as the "
        "review app's. Default: $CAREAUDIT_DB, else ~/.careaudit/review.db",
        show_default=False,
    ),
]


def store_url(db: str | None) -> str:
    """The review store URL (``--db``, ``$CAREAUDIT_DB`` or the default file)."""
    from review_app.config import resolve_db_url

    return resolve_db_url(db)


def existing_store_url(db: str | None) -> str | None:
    """The store URL for reading only: None when there is no store (nothing is created)."""
    from sqlalchemy.engine import make_url

    from review_app.config import ENV_DB, default_db_path

    if db or os.environ.get(ENV_DB):
        url = store_url(db)
        parsed = make_url(url)
        missing = parsed.get_backend_name() == "sqlite" and not (
            parsed.database and Path(parsed.database).is_file())
        return None if missing else url
    path = default_db_path()
    return f"sqlite:///{path}" if path.is_file() else None


def _fail(message: str) -> NoReturn:
    typer.echo(f"error: {message}", err=True)
    raise typer.Exit(1)


def _date(value: str, option: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError:
        _fail(f"{option} {value!r} is not a date (use yyyy-mm-dd)")


def add(
    problem: Annotated[str, typer.Option(help="The problem the report showed.")],
    standard: Annotated[str, typer.Option(help="The standard or control introduced.")],
    apply: Annotated[str, typer.Option("--apply", help="How staff will apply it.")],
    owner: Annotated[str, typer.Option(help="Who owns the action.")],
    due: Annotated[str, typer.Option(help="Due date, yyyy-mm-dd.")],
    metric: Annotated[str, typer.Option(
        help="Success measure: " + ", ".join(METRICS) + ".")],
    service: Annotated[str, typer.Option(help="Service the measure is for (default: all).")]
    = "",
    target: Annotated[float | None, typer.Option(
        help="Target value of the measure (per 100 notes, or % for *_pct).")] = None,
    from_run: Annotated[Path | None, typer.Option(
        "--from-run", help="The audit run (out/) whose report raised it: records the "
        "measure's value there as the starting point.")] = None,
    db: DbOption = None,
) -> None:
    """Create a quality improvement action from a report's findings."""
    from nlp.governance.actions import ActionsError, actions_engine, add_action
    from nlp.governance.measures import measure, metric_label, select_notes

    due_date = _date(due, "--due")
    if metric not in METRICS:
        _fail(f"unknown --metric {metric!r}; use one of {', '.join(METRICS)}")
    baseline = None
    if from_run is not None:
        from nlp.governance.reporting import ReportError
        from nlp.records.run_reader import load_run

        try:
            run = load_run(from_run)
        except ReportError as exc:
            _fail(str(exc))
        notes = select_notes(run.notes, service)
        if service and notes.empty:
            _fail(f"--service {service!r} has no notes in {from_run}")
        baseline = measure(notes, run.flags, run.restrictions, metric)
    engine = actions_engine(store_url(db))
    try:
        action = add_action(
            engine, problem=problem, standard=standard, staff_practice=apply, owner=owner,
            due_date=due_date, metric=metric, service=service, target=target,
            created_by=getpass.getuser(), source_run=str(from_run or ""),
            baseline_count=baseline.count if baseline else None,
            baseline_notes=baseline.notes if baseline else None)
    except ActionsError as exc:
        _fail(str(exc))
    finally:
        engine.dispose()
    typer.echo(f"action {action.id} added: {action.problem} (owner {action.owner}, due "
               f"{action.due_date}; measure: {metric_label(metric, service)})")
    if baseline is not None:
        typer.echo(f"  starting point in {from_run}: {baseline.text()}")


def list_(
    show_all: Annotated[bool, typer.Option("--all", help="Include done actions.")] = False,
    as_of: Annotated[str | None, typer.Option(
        "--as-of", help="Judge overdue at this date (default: today).")] = None,
    db: DbOption = None,
) -> None:
    """List actions: overdue first (escalated), then open, then done."""
    from nlp.governance.actions import actions_engine, list_actions, ordered
    from nlp.governance.measures import metric_label

    when = _date(as_of, "--as-of") if as_of else date.today()
    engine = actions_engine(store_url(db))
    try:
        actions = ordered(list_actions(engine), when)
    finally:
        engine.dispose()
    shown = [a for a in actions if show_all or a.state(when) != "done"]
    if not shown:
        typer.echo("no actions" + ("" if show_all else " open (--all lists done ones too)"))
    for a in shown:
        state = a.state(when)
        status = (f"OVERDUE {a.days_overdue(when)} days" if state == "overdue"
                  else f"done {a.done_on}" if state == "done" else "open")
        typer.echo(f"{a.id}\t{status}\tdue {a.due_date}\t{a.owner}\t{a.problem}\t"
                   f"[{metric_label(a.metric, a.service)}"
                   + (f", target {a.target:g}" if a.target is not None else "") + "]")


def done(
    action_id: Annotated[int, typer.Argument(help="Action number (see `careaudit actions list`).")],
    note: Annotated[str, typer.Option(help="Evidence that it was done.")] = "",
    on: Annotated[str | None, typer.Option(help="Date done, yyyy-mm-dd (default today).")]
    = None,
    db: DbOption = None,
) -> None:
    """Mark an action done; the next report re-audits its measure from that date."""
    from nlp.governance.actions import ActionsError, actions_engine, complete_action

    when = _date(on, "--on") if on else None
    engine = actions_engine(store_url(db))
    try:
        action = complete_action(engine, action_id, on=when, by=getpass.getuser(), note=note)
    except ActionsError as exc:
        _fail(str(exc))
    finally:
        engine.dispose()
    typer.echo(f"action {action.id} done on {action.done_on}")


def register(app: typer.Typer) -> None:
    """Add ``actions add|list|done`` to the ``careaudit`` app."""
    actions = typer.Typer(help="Quality improvement actions (stored with the review store).",
                          no_args_is_help=True)
    actions.command("add")(add)
    actions.command("list")(list_)
    actions.command("done")(done)
    app.add_typer(actions, name="actions")
