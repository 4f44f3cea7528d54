"""SIGKILL the store writer mid-burst: every acknowledged decision survives, the store is sound."""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
from pathlib import Path

from sqlalchemy import select, text
from sqlalchemy.orm import Session

from review_app.importer import import_run
from review_app.store import Decision, integrity_check, make_engine

from .conftest import RUN_A, add_users

WRITER = Path(__file__).with_name("burst_writer.py")


def _burst_then_kill(url: str, reviewer: str, acks_before_kill: int) -> list[tuple[str, int, str]]:
    proc = subprocess.Popen(
        [sys.executable, str(WRITER), url, reviewer],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    acks: list[tuple[str, int, str]] = []
    assert proc.stdout is not None
    for line in proc.stdout:
        _, flag_id, seq, decision = line.split()
        acks.append((flag_id, int(seq), decision))
        if len(acks) >= acks_before_kill:
            os.kill(proc.pid, signal.SIGKILL)
            break
    else:
        raise AssertionError(f"writer stopped early: {proc.stderr.read() if proc.stderr else ''}")
    for line in proc.stdout:  # acks already in the pipe were committed too
        _, flag_id, seq, decision = line.split()
        acks.append((flag_id, int(seq), decision))
    assert proc.wait(10) == -signal.SIGKILL
    return acks


def test_sigkill_during_burst_loses_no_acknowledged_decision(
    store_url: str, password_hash: str
) -> None:
    engine = make_engine(store_url)
    import_run(engine, RUN_A)
    add_users(engine, password_hash)  # the verifier refuses decisions by non-users
    if engine.dialect.name == "sqlite":
        with engine.connect() as conn:
            assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
    engine.dispose()
    rng = random.Random(4)
    acked: list[tuple[str, int, str]] = []
    for round_ in range(3):
        acked += _burst_then_kill(store_url, ("ann", "al", "ada")[round_], rng.randint(25, 60))
        # restart: a fresh engine, as the app would after a crash
        engine = make_engine(store_url)
        assert integrity_check(engine) == []
        with Session(engine) as s:
            rows = s.execute(select(Decision.flag_id, Decision.sequence, Decision.decision))
            stored = {tuple(r) for r in rows}
        missing = set(acked) - stored
        assert not missing, f"acknowledged but lost after SIGKILL: {sorted(missing)[:5]}"
        # every stored decision beyond the acks is at most the one in flight per round
        assert len(stored) - len(set(acked)) <= round_ + 1
        if engine.dialect.name == "sqlite":
            with engine.connect() as conn:
                assert conn.execute(text("PRAGMA integrity_check")).scalar() == "ok"
        engine.dispose()
    assert len(set(acked)) == len(acked) >= 75
