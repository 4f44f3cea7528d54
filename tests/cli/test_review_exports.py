"""Issue 14, exports from the review store: an author named ``-Jo``, and decisions whose
flag is gone (``export decisions`` must neither crash nor drop them)."""

from __future__ import annotations

import csv
import shutil
import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine
from sqlalchemy.orm import Session
from typer.testing import CliRunner

from cli.main import app
from review_app.importer import import_run
from review_app.store import User, list_flags, make_engine, now_utc, record_decision

RUN_A = Path(__file__).resolve().parents[1] / "review_app" / "fixtures" / "run_a"
runner = CliRunner()


@pytest.fixture
def store(tmp_path: Path) -> Iterator[tuple[str, Engine, Path]]:
    """run_a with its author Dana Kerr renamed ``-Jo``, imported into a fresh SQLite store."""
    run = Path(shutil.copytree(RUN_A, tmp_path / "run"))
    for name in ("flags.csv", "flags.jsonl", "notes.jsonl"):
        path = run / name
        path.write_text(path.read_text(encoding="utf-8").replace("Dana Kerr", "-Jo"), "utf-8")
    db = tmp_path / "review.db"
    url = f"sqlite:///{db}"
    engine = make_engine(url)
    import_run(engine, run)
    with Session(engine) as s, s.begin():
        s.add(User(username="ann", password_hash="x", role="auditor", created_at=now_utc()))
    yield url, engine, db
    engine.dispose()


def rows(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8-sig", newline="") as fh:
        return list(csv.DictReader(fh))


@pytest.mark.parametrize("form", [["--author=-Jo", "{out}"], ["--author", "-Jo", "{out}"],
                                  ["--", "-Jo", "{out}"]])
def test_supervision_pack_for_an_author_starting_with_a_dash(
    store: tuple[str, Engine, Path], tmp_path: Path, form: list[str]
) -> None:
    url, engine, _ = store
    jo = [f for f in list_flags(engine) if f.author == "-Jo"]
    assert jo
    record_decision(engine, jo[0].flag_id, "confirmed", "ann", 0)
    out = tmp_path / "pack.html"
    args = [a.format(out=out) for a in form]
    options = ["--db", url]
    argv = ["export", "supervision", *options, *args]
    result = runner.invoke(app, argv)
    assert result.exit_code == 0, result.output
    assert "Supervision pack: -Jo" in out.read_text()
    pack = rows(out.with_suffix(".csv"))
    assert len(pack) == 1 and pack[0]["author"] == "'-Jo"  # a CSV cell never starts with -


def test_supervision_needs_author_and_file(store: tuple[str, Engine, Path]) -> None:
    url, _, _ = store
    result = runner.invoke(app, ["export", "supervision", "--db", url, "only-one.html"])
    assert result.exit_code == 2 and "expected AUTHOR OUT" in result.output


def test_decisions_whose_flag_is_gone_are_exported_not_dropped(
    store: tuple[str, Engine, Path], tmp_path: Path
) -> None:
    url, engine, db = store
    flags = list_flags(engine)
    kept, gone = flags[0], flags[1]
    record_decision(engine, kept.flag_id, "confirmed", "ann", 0)
    record_decision(engine, gone.flag_id, "confirmed", "ann", 0)
    record_decision(engine, gone.flag_id, "dismissed", "ann", 1, reason="not a restriction")
    engine.dispose()
    with sqlite3.connect(db) as conn:  # the flag disappears behind the app's back
        conn.execute("PRAGMA foreign_keys=OFF")
        for (table,) in conn.execute(
            "SELECT m.name FROM sqlite_master m JOIN pragma_table_info(m.name) p "
            "WHERE m.type = 'table' AND p.name = 'flag_id' AND m.name != 'decisions'"
        ).fetchall():
            conn.execute(f'DELETE FROM "{table}" WHERE flag_id = ?', (gone.flag_id,))
    out = tmp_path / "decisions.csv"
    latest = runner.invoke(app, ["export", "decisions", str(out), "--db", url])
    assert latest.exit_code == 0, latest.output
    by_id = {r["flag_id"]: r for r in rows(out)}
    assert by_id[kept.flag_id]["decision"] == "confirmed" and not by_id[kept.flag_id]["problem"]
    orphan = by_id[gone.flag_id]
    assert orphan["decision"] == "dismissed" and "no longer in the store" in orphan["problem"]
    assert orphan["reviewer"] == "ann" and orphan["note_id"] == ""
    assert "1 decision(s) refer to flags no longer in the store" in latest.output
    history = runner.invoke(app, ["export", "decisions", str(out), "--history", "--db", url])
    assert history.exit_code == 0, history.output
    orphans = [r for r in rows(out) if r["flag_id"] == gone.flag_id]
    assert [r["sequence"] for r in orphans] == ["1", "2"]
    assert all(r["problem"] for r in orphans)
