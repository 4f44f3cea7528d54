"""careaudit review / users / export (cli/review_cmd.py) and store URL resolution."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner

from cli import review_cmd
from review_app.auth import authenticate
from review_app.config import resolve_db_url
from review_app.store import list_flags, make_engine, record_decision
from review_app.teaching import check_gold

from .conftest import RUN_A

runner = CliRunner()


@pytest.fixture
def app() -> typer.Typer:
    app = typer.Typer()
    review_cmd.register(app)
    return app


def test_users_add_and_list(app: typer.Typer, sqlite_url: str, monkeypatch) -> None:
    ok = runner.invoke(
        app,
        [
            "users",
            "add",
            "ann",
            "--role",
            "auditor",
            "--password",
            "long enough passphrase",
            "--db",
            sqlite_url,
        ],
    )
    assert ok.exit_code == 0, ok.output
    monkeypatch.setenv("CAREAUDIT_PASSWORD", "from the environment")
    assert (
        runner.invoke(
            app, ["users", "add", "sue", "--role", "supervisor", "--db", sqlite_url]
        ).exit_code
        == 0
    )
    monkeypatch.delenv("CAREAUDIT_PASSWORD")
    prompted = runner.invoke(
        app,
        ["users", "add", "ada", "--role", "admin", "--db", sqlite_url],
        input="typed secret phrase\ntyped secret phrase\n",
    )
    assert prompted.exit_code == 0, prompted.output
    dup = runner.invoke(
        app,
        [
            "users",
            "add",
            "ann",
            "--role",
            "admin",
            "--password",
            "whatever it takes",
            "--db",
            sqlite_url,
        ],
    )
    assert dup.exit_code == 1 and "already exists" in dup.output
    bad = runner.invoke(app, ["users", "add", "x", "--role", "root", "--password", "whatever1"])
    assert bad.exit_code == 2
    listed = runner.invoke(app, ["users", "list", "--db", sqlite_url])
    assert listed.output.splitlines() == [
        "ada\tadmin\tactive",
        "ann\tauditor\tactive",
        "sue\tsupervisor\tactive",
    ]
    engine = make_engine(sqlite_url)
    assert authenticate(engine, "sue", "from the environment") is not None
    assert authenticate(engine, "ada", "typed secret phrase") is not None


def test_review_imports_and_launches_streamlit_safely(
    app: typer.Typer, sqlite_url: str, monkeypatch
) -> None:
    launched: dict[str, object] = {}

    class FakeProcess:
        def __init__(self, argv: list[str], env: dict[str, str]) -> None:
            launched.update(argv=argv, env=env)

        def wait(self) -> int:
            return 0

    monkeypatch.setattr(review_cmd.subprocess, "Popen", FakeProcess)
    result = runner.invoke(app, ["review", str(RUN_A), "--port", "8765", "--db", sqlite_url])
    assert result.exit_code == 0, result.output
    assert "imported run run-2026-04-20-a: 13 flags (13 new" in result.output
    assert "http://127.0.0.1:8765" in result.output
    argv = launched["argv"]
    assert argv[1:4] == ["-m", "streamlit", "run"] and argv[4].endswith("review_app/app.py")
    pairs = dict(zip(argv[5::2], argv[6::2], strict=True))
    assert pairs["--server.address"] == "127.0.0.1"
    assert pairs["--server.port"] == "8765"
    assert pairs["--server.headless"] == "true"
    assert pairs["--browser.gatherUsageStats"] == "false"
    env = launched["env"]
    assert env["STREAMLIT_BROWSER_GATHER_USAGE_STATS"] == "false"
    assert env["CAREAUDIT_DB"] == sqlite_url
    assert len(list_flags(make_engine(sqlite_url))) == 13

    missing = runner.invoke(app, ["review", "/no/such/run", "--db", sqlite_url])
    assert missing.exit_code == 2 and "not a directory" in missing.output


def test_export_decisions_command(app: typer.Typer, loaded_sqlite, tmp_path: Path) -> None:
    url, engine = loaded_sqlite
    flags = list_flags(engine)
    record_decision(engine, flags[0].flag_id, "confirmed", "ann", 0, comment="@evil")
    record_decision(engine, flags[1].flag_id, "dismissed", "al", 0, reason="wrong person")
    out = tmp_path / "decisions.csv"
    result = runner.invoke(app, ["export", "decisions", str(out), "--db", url])
    assert result.exit_code == 0 and "wrote 2 rows" in result.output
    rows = {r["flag_id"]: r for r in csv.DictReader(out.open(encoding="utf-8-sig"))}
    assert rows[flags[0].flag_id]["comment"] == "'@evil"
    assert rows[flags[1].flag_id]["reason"] == "wrong person"


def test_export_teaching_and_supervision(app: typer.Typer, loaded_sqlite, tmp_path: Path) -> None:
    url, engine = loaded_sqlite
    for f in list_flags(engine)[:4]:
        record_decision(engine, f.flag_id, "confirmed", "ann", 0)
    out = tmp_path / "teach.jsonl"
    result = runner.invoke(app, ["export", "teaching", str(out), "--db", url, "--seed", "1"])
    assert result.exit_code == 0, result.output
    assert out.read_text() == ""  # complete notes only, and none is complete yet
    assert "wrote 0 notes" in result.output and "partial left out" in result.output
    result = runner.invoke(
        app, ["export", "teaching", str(out), "--db", url, "--seed", "1", "--include-partial"]
    )
    assert result.exit_code == 0, result.output
    records = [json.loads(line) for line in out.read_text().splitlines()]
    assert records and all(check_gold(r) == [] for r in records)
    assert {r["review_status"] for r in records} == {"partial"}
    assert "Tomasz" not in out.read_text()
    pack = tmp_path / "pack.html"
    result = runner.invoke(app, ["export", "supervision", "Dana Kerr", str(pack), "--db", url])
    assert result.exit_code == 0, result.output
    assert "Supervision pack: Dana Kerr" in pack.read_text()
    # one row per note (its flags in numbered lines), as the Supervision page shows them
    assert pack.with_suffix(".csv").read_text(encoding="utf-8-sig").startswith("note_id,")


def test_resolve_db_url(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.delenv("CAREAUDIT_DB", raising=False)
    monkeypatch.setenv("CAREAUDIT_HOME", str(tmp_path / "home"))
    assert resolve_db_url() == f"sqlite:///{tmp_path / 'home' / 'review.db'}"
    assert (tmp_path / "home").is_dir()
    assert resolve_db_url("postgresql://u:p@h/db") == "postgresql+psycopg://u:p@h/db"
    assert resolve_db_url("postgres://h/db") == "postgresql+psycopg://h/db"
    assert resolve_db_url(str(tmp_path / "x.db")) == f"sqlite:///{tmp_path / 'x.db'}"
    monkeypatch.setenv("CAREAUDIT_DB", "postgresql://envhost/db")
    assert resolve_db_url() == "postgresql+psycopg://envhost/db"
    assert resolve_db_url("sqlite:///explicit.db") == "sqlite:///explicit.db"
