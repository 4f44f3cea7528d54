"""``careaudit review``, ``careaudit users`` and ``careaudit export``: the review store's CLI."""

from __future__ import annotations

import os
import signal
import subprocess
import webbrowser
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

DbOption = Annotated[
    str | None,
    typer.Option(
        "--db",
        help="Store URL (sqlite:///path.db or postgresql://user@host/db). "
        "Default: $CAREAUDIT_DB, else ~/.careaudit/review.db",
        show_default=False,
    ),
]


class Role(StrEnum):
    auditor = "auditor"
    supervisor = "supervisor"
    trainer = "trainer"
    admin = "admin"


def _engine(db: str | None):  # type: ignore[no-untyped-def]
    from review_app.config import resolve_db_url
    from review_app.store import make_engine

    url = resolve_db_url(db)
    return url, make_engine(url)


def review(
    run_dirs: Annotated[
        list[Path] | None,
        typer.Argument(help="Audit run directories (written by `careaudit audit`) to import."),
    ] = None,
    port: Annotated[int, typer.Option(help="Port on 127.0.0.1.")] = 8501,
    db: DbOption = None,
    open_browser: Annotated[
        bool, typer.Option("--open", help="Open the app in a web browser.")
    ] = False,
) -> None:
    """Import audit runs into the review store and start the review app."""
    from review_app.auth import has_users
    from review_app.config import redact_url
    from review_app.importer import RunImportError, import_run
    from review_app.launch import HOST, streamlit_argv, streamlit_env, wait_healthy

    url, engine = _engine(db)
    for run_dir in run_dirs or []:
        try:
            report = import_run(engine, run_dir)
        except RunImportError as exc:
            typer.echo(f"error: {exc}", err=True)
            raise typer.Exit(2) from exc
        typer.echo(f"imported {report.summary()}")
        for line in [*report.warnings, *report.errors[:20]]:
            typer.echo(f"  {line}", err=True)
        if len(report.errors) > 20:
            typer.echo(f"  … and {len(report.errors) - 20} more rows skipped", err=True)
    if not has_users(engine):
        typer.echo("No users yet: add one with `careaudit users add NAME --role admin`.", err=True)
    engine.dispose()
    typer.echo(f"Review app: http://{HOST}:{port}  (store: {redact_url(url)}; Ctrl+C stops it)")
    proc = subprocess.Popen(streamlit_argv(port), env=streamlit_env(url))
    # stopping this command stops the app too (Ctrl+C reaches both; SIGTERM only us)
    signal.signal(signal.SIGTERM, lambda *_: proc.terminate())
    try:
        if open_browser and wait_healthy(port):
            webbrowser.open(f"http://{HOST}:{port}")
        code = proc.wait()
    except KeyboardInterrupt:
        proc.terminate()
        code = proc.wait()
    raise typer.Exit(code)


def users_add(
    name: Annotated[str, typer.Argument(help="User name to sign in with.")],
    role: Annotated[Role, typer.Option(help="What the user may see and do.")],
    password: Annotated[
        str | None,
        typer.Option(
            help="Password (else $CAREAUDIT_PASSWORD, else asked for).", show_default=False
        ),
    ] = None,
    db: DbOption = None,
) -> None:
    """Add a review app user (the password is stored as an argon2 hash)."""
    from review_app.auth import UserError, create_user

    password = (
        password
        or os.environ.get("CAREAUDIT_PASSWORD")
        or typer.prompt("Password", hide_input=True, confirmation_prompt=True)
    )
    _, engine = _engine(db)
    try:
        create_user(engine, name, role.value, password)
    except UserError as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(1) from exc
    typer.echo(f"added {name} ({role.value})")


def users_list(db: DbOption = None) -> None:
    """List review app users."""
    from review_app.auth import list_users

    _, engine = _engine(db)
    for username, role, active in list_users(engine):
        typer.echo(f"{username}\t{role}\t{'active' if active else 'disabled'}")


def export_decisions(
    out: Annotated[Path, typer.Argument(help="CSV file to write.")],
    db: DbOption = None,
    history: Annotated[
        bool, typer.Option("--history", help="Every decision, not only each flag's latest.")
    ] = False,
) -> None:
    """Reviewed flags with their decisions, as a spreadsheet-safe CSV."""
    from review_app.exports import export_decisions as write

    _, engine = _engine(db)
    n = write(engine, out, history=history)
    typer.echo(f"wrote {n} rows to {out}")


def export_teaching(
    out: Annotated[Path, typer.Argument(help="JSONL file to write (gold format).")],
    db: DbOption = None,
    decision: Annotated[
        list[str] | None, typer.Option(help="confirmed and/or dismissed (default both).")
    ] = None,
    also_name: Annotated[
        list[str] | None, typer.Option(help="A name the model misses; replaced too.")
    ] = None,
    seed: Annotated[int | None, typer.Option(help="Fix the pseudonyms (reproducible).")] = None,
) -> None:
    """De-identified teaching examples from reviewed flags, ready for `careaudit train`."""
    from review_app.deid import Pseudonymiser, shared_analyzer
    from review_app.teaching import build_examples, teachable_flags, to_jsonl

    _, engine = _engine(db)
    wanted = set(decision or ("confirmed", "dismissed"))
    flags = [f.flag_id for f in teachable_flags(engine) if f.status in wanted]
    pseudonymiser = Pseudonymiser(shared_analyzer(), seed=seed, extra_names=also_name or ())
    records = build_examples(engine, flags, pseudonymiser)
    out.write_text(to_jsonl(records), encoding="utf-8")
    typer.echo(f"wrote {len(records)} notes ({len(flags)} reviewed flags) to {out}")


def export_supervision(
    author: Annotated[str, typer.Argument(help="Author whose confirmed flags to include.")],
    out: Annotated[Path, typer.Argument(help="HTML file to write (a .csv is written beside it).")],
    date_from: Annotated[str | None, typer.Option("--from", help="First date, yyyy-mm-dd.")] = None,
    date_to: Annotated[str | None, typer.Option("--to", help="Last date, yyyy-mm-dd.")] = None,
    db: DbOption = None,
) -> None:
    """A supervision pack: one author's confirmed flags by category (HTML + CSV)."""
    from review_app.exports import supervision_pack

    _, engine = _engine(db)
    html, csv_data = supervision_pack(engine, author, date_from, date_to)
    out.write_text(html, encoding="utf-8")
    out.with_suffix(".csv").write_text(csv_data, encoding="utf-8")
    typer.echo(f"wrote {out} and {out.with_suffix('.csv')}")


def register(app: typer.Typer) -> None:
    """Add ``review``, ``users add|list`` and ``export decisions|teaching|supervision``."""
    app.command("review")(review)
    users = typer.Typer(help="Review app users.", no_args_is_help=True)
    users.command("add")(users_add)
    users.command("list")(users_list)
    app.add_typer(users, name="users")
    export = typer.Typer(help="Export from the review store.", no_args_is_help=True)
    export.command("decisions")(export_decisions)
    export.command("teaching")(export_teaching)
    export.command("supervision")(export_supervision)
    app.add_typer(export, name="export")
