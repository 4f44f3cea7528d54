"""Fixtures for the review app: run directories, stores on SQLite and a real PostgreSQL."""

from __future__ import annotations

import glob
import os
import pwd
import shutil
import subprocess
import tempfile
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from argon2 import PasswordHasher
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from review_app.importer import import_run
from review_app.launch import free_port
from review_app.store import User, make_engine, now_utc

FIXTURES = Path(__file__).parent / "fixtures"
RUN_A = FIXTURES / "run_a"
RUN_B = FIXTURES / "run_b"
PASSWORD = "correct horse battery"


def pg_bin_dir() -> Path | None:
    """A folder with initdb and pg_ctl: $CAREAUDIT_PG_BIN, PATH, /usr/local/bin, Debian's."""
    which = shutil.which("initdb")
    candidates = [
        os.environ.get("CAREAUDIT_PG_BIN"),
        str(Path(which).resolve().parent) if which else None,
        "/usr/local/bin",
        *sorted(glob.glob("/usr/lib/postgresql/*/bin"), reverse=True),
    ]
    for cand in candidates:
        if cand and (Path(cand) / "initdb").exists() and (Path(cand) / "pg_ctl").exists():
            return Path(cand)
    return None


def _server_user() -> tuple[list[str], int, int] | None:
    """Run PostgreSQL tools as an unprivileged user when we are root (initdb refuses root)."""
    if os.geteuid() != 0:
        return [], os.getuid(), os.getgid()
    runuser = shutil.which("runuser")
    for name in ("postgres", "nobody"):
        try:
            entry = pwd.getpwnam(name)
        except KeyError:
            continue
        if runuser:
            return [runuser, "-u", name, "--"], entry.pw_uid, entry.pw_gid
    return None


@pytest.fixture(scope="session")
def pg_server() -> Iterator[dict[str, object]]:
    """A throwaway PostgreSQL cluster on a free loopback port, removed at the end."""
    bindir = pg_bin_dir()
    if bindir is None:
        pytest.skip("PostgreSQL server binaries (initdb, pg_ctl) not found")
    who = _server_user()
    if who is None:
        pytest.skip("running as root and no unprivileged user (postgres/nobody) to run initdb")
    prefix, uid, gid = who
    base = Path(tempfile.mkdtemp(prefix="careaudit-pg-"))
    data, sock, log = base / "data", base / "sock", base / "server.log"
    sock.mkdir()
    for path in (base, sock):
        os.chown(path, uid, gid)
    port = free_port()

    def run(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([*prefix, *args], capture_output=True, text=True, timeout=60)

    init = run(
        str(bindir / "initdb"),
        "-D",
        str(data),
        "-U",
        "postgres",
        "-A",
        "trust",
        "-E",
        "UTF8",
        "--locale=C",
        "--no-sync",
    )
    if init.returncode != 0:
        shutil.rmtree(base, ignore_errors=True)
        pytest.skip(f"initdb failed: {init.stderr.strip()[-300:]}")
    options = (
        f"-p {port} -k {sock} -c listen_addresses=127.0.0.1 -c fsync=off "
        "-c full_page_writes=off -c max_connections=50"
    )
    start = run(
        str(bindir / "pg_ctl"),
        "-D",
        str(data),
        "-l",
        str(log),
        "-w",
        "-t",
        "30",
        "-o",
        options,
        "start",
    )
    if start.returncode != 0:
        detail = log.read_text()[-300:] if log.exists() else start.stderr[-300:]
        shutil.rmtree(base, ignore_errors=True)
        pytest.skip(f"PostgreSQL did not start: {detail.strip()}")
    try:
        yield {"host": "127.0.0.1", "port": port, "user": "postgres"}
    finally:
        run(str(bindir / "pg_ctl"), "-D", str(data), "-m", "immediate", "-W", "stop")
        for _ in range(100):  # pg_ctl -w polls once a second; we poll faster
            if not (data / "postmaster.pid").exists():
                break
            time.sleep(0.05)
        shutil.rmtree(base, ignore_errors=True)


def new_pg_database(server: dict[str, object]) -> str:
    """Create an empty database and return its SQLAlchemy URL."""
    import psycopg

    name = f"t_{uuid.uuid4().hex[:12]}"
    conninfo = f"host={server['host']} port={server['port']} user={server['user']} dbname=postgres"
    with psycopg.connect(conninfo, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    return f"postgresql+psycopg://{server['user']}@{server['host']}:{server['port']}/{name}"


@pytest.fixture(params=["sqlite", "postgresql"])
def store_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """An empty store on each back end."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'review.db'}"
    return new_pg_database(request.getfixturevalue("pg_server"))


@pytest.fixture
def engine(store_url: str) -> Iterator[Engine]:
    eng = make_engine(store_url)
    yield eng
    eng.dispose()


@pytest.fixture
def sqlite_url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'review.db'}"


@pytest.fixture(scope="session")
def password_hash() -> str:
    """PASSWORD hashed once (argon2 takes ~0.4 s a hash here)."""
    return PasswordHasher().hash(PASSWORD)


def add_users(engine: Engine, password_hash: str) -> None:
    """One user per role, all with PASSWORD: ann and al (auditors), sue, tom, ada."""
    with Session(engine) as s, s.begin():
        for name, role in (
            ("ann", "auditor"),
            ("al", "auditor"),
            ("sue", "supervisor"),
            ("tom", "trainer"),
            ("ada", "admin"),
        ):
            s.add(
                User(
                    username=name,
                    password_hash=password_hash,
                    role=role,
                    active=True,
                    created_at=now_utc(),
                )
            )


@pytest.fixture
def loaded_sqlite(sqlite_url: str, password_hash: str) -> Iterator[tuple[str, Engine]]:
    """A SQLite store with run_a imported and one user per role (password PASSWORD)."""
    eng = make_engine(sqlite_url)
    import_run(eng, RUN_A)
    add_users(eng, password_hash)
    yield sqlite_url, eng
    eng.dispose()
