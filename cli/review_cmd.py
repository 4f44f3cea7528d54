"""``careaudit review``, ``careaudit users`` and ``careaudit export``: the review store's CLI."""

from __future__ import annotations

import os
import signal
import subprocess
import webbrowser
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

if TYPE_CHECKING:
    from sqlalchemy import Engine

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
    check: Annotated[
        bool,
        typer.Option(
            "--check",
            help="Only verify the store (decision hash chain, reviewers, append-only "
            "triggers) and print its checkpoint; exit 1 when it fails.",
        ),
    ] = False,
    expect_head: Annotated[
        str | None,
        typer.Option(
            "--expect-head",
            help="COUNT:HASH checkpoint printed by an earlier --check, kept outside the "
            "store: detects deleted newest decisions and a recomputed chain.",
            show_default=False,
        ),
    ] = None,
    restore_triggers: Annotated[
        bool,
        typer.Option(
            "--restore-triggers",
            help="Re-create missing or altered append-only triggers (recorded in the "
            "store), then verify.",
        ),
    ] = False,
) -> None:
    """Import audit runs into the review store and start the review app.

    The store is verified first; the app is not started on a store that fails.
    """
    from review_app.auth import has_users
    from review_app.config import redact_url
    from review_app.importer import RunImportError, import_run
    from review_app.launch import HOST, streamlit_argv, streamlit_env, wait_healthy

    url, engine = _engine(db)
    if not _verified(engine, expect_head, restore_triggers, report=check):
        raise typer.Exit(1)
    if check:
        return
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


def _verified(engine: Engine, expect: str | None, restore: bool, report: bool) -> bool:
    """Verify the store, print what fails (all of it when ``report``); True when sound."""
    import getpass

    from review_app.integrity import checkpoint, restore_triggers
    from review_app.store import integrity_check

    if restore:
        fixed = restore_triggers(engine, actor=f"cli:{getpass.getuser()}")
        for line in fixed:
            typer.echo(f"restored: {line}")
        if not fixed:
            typer.echo("triggers intact; nothing restored")
    try:
        problems = integrity_check(engine, expect=expect)
    except ValueError as exc:  # a malformed --expect-head
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(2) from exc
    if not problems:
        if report:
            typer.echo(f"store OK; checkpoint {checkpoint(engine)}")
        return True
    typer.echo(
        f"error: the review store failed its integrity check ({len(problems)} problems); "
        "the app was not started and these are left as found:",
        err=True,
    )
    shown = problems if report else problems[:20]
    for line in shown:
        typer.echo(f"  {line}", err=True)
    if len(problems) > len(shown):
        typer.echo(f"  … {len(problems) - len(shown)} more: careaudit review --check", err=True)
    return False


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
    """List review app users (``locked`` after too many failed sign-ins)."""
    from review_app.auth import list_users, locked_users

    _, engine = _engine(db)
    locked = locked_users(engine)
    for username, role, active in list_users(engine):
        extra = "\tlocked" if username in locked else ""
        typer.echo(f"{username}\t{role}\t{'active' if active else 'disabled'}{extra}")


def users_unlock(
    name: Annotated[str, typer.Argument(help="User name to unlock.")],
    db: DbOption = None,
) -> None:
    """Lift a sign-in lockout (logged in the store with who did it)."""
    import getpass

    from review_app.auth import UserError, unlock_user

    _, engine = _engine(db)
    try:
        was_locked = unlock_user(engine, name, by=f"cli:{getpass.getuser()}")
    except UserError as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(1) from exc
    typer.echo(f"unlocked {name}" if was_locked else f"{name} was not locked; failures reset")


def users_log(
    name: Annotated[str | None, typer.Argument(help="Only this user name.")] = None,
    limit: Annotated[int, typer.Option(min=1, help="How many events, newest first.")] = 50,
    db: DbOption = None,
) -> None:
    """Sign-in events: failures, successes, lockouts, unlocks and refused attempts."""
    from review_app.auth import auth_events

    _, engine = _engine(db)
    for at, event, username, address, detail in auth_events(engine, name, limit):
        fields = [f"{at:%Y-%m-%d %H:%M:%S}Z", event, username, address or "-", detail]
        typer.echo("\t".join(fields).rstrip("\t"))


def export_decisions(
    out: Annotated[Path, typer.Argument(help="CSV file to write.")],
    db: DbOption = None,
    history: Annotated[
        bool, typer.Option("--history", help="Every decision, not only each flag's latest.")
    ] = False,
) -> None:
    """Reviewed flags with their decisions, as a spreadsheet-safe CSV.

    A decision whose flag is no longer in the store is written too (flag fields
    empty, column ``problem`` says why) and counted in a warning.
    """
    from nlp.records.spreadsheet import write_csv
    from review_app.exports import DECISION_COLUMNS, decision_rows

    _, engine = _engine(db)
    rows = decision_rows(engine, history=history)
    write_csv(out, DECISION_COLUMNS, rows)
    typer.echo(f"wrote {len(rows)} rows to {out}")
    missing = sum(1 for r in rows if r.get("problem"))
    if missing:
        typer.echo(
            f"warning: {missing} decision(s) refer to flags no longer in the store; written "
            "with empty flag fields (see the problem column)",
            err=True,
        )


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
    include_partial: Annotated[
        bool,
        typer.Option(
            "--include-partial",
            help="Also notes with undecided sentences (their labels are null, never 0).",
        ),
    ] = False,
) -> None:
    """De-identified teaching examples from reviewed notes, ready for `careaudit train`.

    Complete notes only by default: every sentence's label known (all flags decided and
    the note marked reviewed in the app).
    """
    from nlp.deid import ModelMissing, Pseudonymiser, shared_analyzer
    from nlp.prediction.store import UnsafeModel
    from review_app.teaching import build_examples, completeness, teachable_flags, to_jsonl

    try:  # before the store is opened: a missing or tampered model is a one-line error
        analyzer = shared_analyzer()
    except (ModelMissing, UnsafeModel) as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(1) from exc
    _, engine = _engine(db)
    wanted = set(decision or ("confirmed", "dismissed"))
    flags = [f.flag_id for f in teachable_flags(engine) if f.status in wanted]
    complete, total = completeness(engine, flags)
    pseudonymiser = Pseudonymiser(analyzer, seed=seed, extra_names=also_name or ())
    records = build_examples(engine, flags, pseudonymiser, include_partial=include_partial)
    out.write_text(to_jsonl(records), encoding="utf-8")
    left = "" if include_partial else f"; {total - complete} partial left out (--include-partial)"
    typer.echo(
        f"wrote {len(records)} notes to {out}: {complete} of {total} reviewed notes "
        f"complete{left}"
    )


def export_supervision(
    args: Annotated[
        list[str],
        typer.Argument(
            metavar="[AUTHOR] OUT",
            help="The author whose confirmed flags to include (unless --author is given) and "
            "the HTML file to write (a .csv is written beside it).",
            show_default=False,
        ),
    ],
    author_option: Annotated[
        str | None,
        typer.Option(
            "--author",
            help="The author, for a name that starts with '-': --author=-Jo (or put -- "
            "before the arguments: export supervision -- -Jo pack.html).",
            show_default=False,
        ),
    ] = None,
    date_from: Annotated[str | None, typer.Option("--from", help="First date, yyyy-mm-dd.")] = None,
    date_to: Annotated[str | None, typer.Option("--to", help="Last date, yyyy-mm-dd.")] = None,
    db: DbOption = None,
) -> None:
    """A supervision pack: one author's confirmed flags, one entry per note (HTML + CSV)."""
    from review_app.exports import supervision_pack

    wanted = 1 if author_option is not None else 2
    if len(args) != wanted:
        usage = "--author AUTHOR OUT" if author_option is not None else "AUTHOR OUT"
        typer.echo(f"error: expected {usage}, got {len(args)} argument(s)", err=True)
        raise typer.Exit(2)
    author = author_option if author_option is not None else args[0]
    out = Path(args[-1])
    _, engine = _engine(db)
    html, csv_data = supervision_pack(engine, author, date_from, date_to)
    out.write_text(html, encoding="utf-8")
    # utf-8-sig: the BOM Excel needs to read the CSV as UTF-8 (the cells are already safe)
    out.with_suffix(".csv").write_text(csv_data, encoding="utf-8-sig", newline="")
    typer.echo(f"wrote {out} and {out.with_suffix('.csv')}")


def register(app: typer.Typer) -> None:
    """Add ``review``, ``users add|list|unlock|log``, ``export decisions|teaching|supervision``."""
    app.command("review")(review)
    users = typer.Typer(help="Review app users.", no_args_is_help=True)
    users.command("add")(users_add)
    users.command("list")(users_list)
    users.command("unlock")(users_unlock)
    users.command("log")(users_log)
    app.add_typer(users, name="users")
    export = typer.Typer(help="Export from the review store.", no_args_is_help=True)
    export.command("decisions")(export_decisions)
    export.command("teaching")(export_teaching)
    export.command("supervision")(export_supervision)
    app.add_typer(export, name="export")
