"""Shared fixtures for the report tests: fixture run directories and a CLI runner."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path

import pytest
import typer
from click.testing import Result
from typer.testing import CliRunner

FIXTURES = Path(__file__).parent / "fixtures"


@pytest.fixture(autouse=True)
def _no_real_store(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Reports read actions/decisions from the default review store: never the user's."""
    monkeypatch.setenv("CAREAUDIT_HOME", str(tmp_path / "careaudit_home"))
    monkeypatch.delenv("CAREAUDIT_DB", raising=False)


@pytest.fixture
def run_small(tmp_path: Path) -> Path:
    """A writable copy of the hand-written 18-note run (4 invented people, 2 services)."""
    return Path(shutil.copytree(FIXTURES / "run_small", tmp_path / "run_small"))


@pytest.fixture
def baseline_dir() -> Path:
    return FIXTURES / "run_baseline"


@pytest.fixture
def register_csv() -> Path:
    return FIXTURES / "register.csv"


@pytest.fixture(scope="session")
def cli() -> typer.Typer:
    """A Typer app holding only this package's commands (independent of cli.main)."""
    from cli import actions_cmd, report_cmd

    app = typer.Typer()
    report_cmd.register(app)
    actions_cmd.register(app)
    return app


@pytest.fixture
def invoke(cli: typer.Typer) -> Callable[..., Result]:
    """``invoke("report", run_dir, ...)`` runs a command and returns its click Result."""
    runner = CliRunner()

    def run(*args: object) -> Result:
        return runner.invoke(cli, [str(a) for a in args])

    return run
