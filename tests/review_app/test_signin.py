"""Sign-in back-off and lockout, the event log, `users unlock`, and the password policy."""

from __future__ import annotations

import statistics
import time
from collections.abc import Iterator
from datetime import timedelta

import pytest
import typer
from argon2 import PasswordHasher
from sqlalchemy import Engine
from typer.testing import CliRunner

from cli import review_cmd
from review_app import auth
from review_app.auth import (
    LOCK_AFTER,
    UserError,
    auth_events,
    create_user,
    lock_state,
    retry_after,
    sign_in,
)
from review_app.passwords import common_passwords, password_problem
from review_app.store import make_engine, now_utc

from .conftest import PASSWORD

runner = CliRunner()
GOOD = "violet kettle harbour"


@pytest.fixture
def fast_hashes(monkeypatch) -> Iterator[None]:
    """Cheap argon2 parameters, so dozens of attempts take milliseconds."""
    monkeypatch.setattr(auth, "_hasher", PasswordHasher(time_cost=1, memory_cost=64))
    auth._dummy_hash.cache_clear()
    yield
    auth._dummy_hash.cache_clear()


@pytest.fixture
def users(sqlite_url: str, fast_hashes: None) -> Iterator[Engine]:
    engine = make_engine(sqlite_url)
    create_user(engine, "ann", "auditor", GOOD)
    create_user(engine, "ada", "admin", GOOD)
    yield engine
    engine.dispose()


def _events(engine: Engine, name: str | None = None) -> list[str]:
    return [e[1] for e in reversed(auth_events(engine, name, limit=500))]


def test_thirty_fast_guesses_are_mostly_refused_then_the_name_locks(users: Engine) -> None:
    """The issue's case: 30 wrong passwords in 35 s, then the right one worked at once."""
    start = now_utc()
    results = [
        sign_in(users, "ann", f"guess number {i}", now=start + timedelta(seconds=i * 35 / 30))
        for i in range(30)
    ]
    checked = [r for r in results if r.message == auth.WRONG]
    refused = [r for r in results if r.retry_after > 0]
    assert len(checked) <= 7 and len(checked) + len(refused) == 30
    assert all("Wait" in r.message for r in refused)
    # a patient attacker who waits out every back-off gets ten guesses in all
    t = start + timedelta(seconds=36)
    while not lock_state(users, "ann").locked:
        t += timedelta(seconds=retry_after(users, "ann", now=t) + 1)
        sign_in(users, "ann", "another guess", now=t)
    assert lock_state(users, "ann").failures == LOCK_AFTER
    right = sign_in(users, "ann", GOOD, now=t + timedelta(seconds=1))
    assert right.user is None and right.locked
    assert "locked" in right.message and "careaudit users unlock" in right.message
    # a day later it is still locked: only an admin lifts it
    assert sign_in(users, "ann", GOOD, now=t + timedelta(days=1)).locked


def test_back_off_doubles_then_locks_and_every_event_is_logged(users: Engine) -> None:
    t = now_utc()
    waits = []
    for _ in range(LOCK_AFTER):
        result = sign_in(users, "ann", "wrong wrong wrong", address="192.0.2.7", now=t)
        assert result.user is None
        waits.append(retry_after(users, "ann", now=t + timedelta(seconds=0.5)))
        t += timedelta(seconds=min(waits[-1], 1e6) + 1)
    # the third failure starts the back-off: 1 s, then 2, 4, 8 … (here seen 0.5 s later)
    assert waits[:6] == [0.0, 0.0, 0.5, 1.5, 3.5, 7.5]
    assert result.locked and auth.LOCKED in result.message and waits[-1] == float("inf")
    refused = sign_in(users, "ann", GOOD, address="192.0.2.7", now=t)
    assert refused.user is None and refused.locked  # the right password is not even checked
    events = _events(users, "ann")
    assert events.count("failure") == LOCK_AFTER and events.count("locked") == 1
    assert events[-1] == "refused" and "success" not in events
    assert {e[3] for e in auth_events(users, "ann", 500)} == {"192.0.2.7"}


def test_success_resets_the_count(users: Engine) -> None:
    t = now_utc()
    for i in range(3):
        sign_in(users, "ann", "wrong wrong wrong", now=t + timedelta(seconds=i))
    ok = sign_in(users, "ann", GOOD, now=t + timedelta(seconds=10))
    assert ok.user is not None and ok.user.username == "ann"
    assert lock_state(users, "ann").failures == 0
    assert sign_in(users, "ann", "wrong again!", now=t + timedelta(seconds=11)).retry_after == 0


def test_admin_unlock_from_the_cli_is_logged(users: Engine, sqlite_url: str) -> None:
    t = now_utc() - timedelta(hours=1)
    for i in range(LOCK_AFTER):
        sign_in(users, "ann", "wrong wrong wrong", now=t + timedelta(minutes=2 * i))
    assert sign_in(users, "ann", GOOD).locked
    app = typer.Typer()
    review_cmd.register(app)
    listed = runner.invoke(app, ["users", "list", "--db", sqlite_url])
    assert "ann\tauditor\tactive\tlocked" in listed.output.splitlines()
    unlocked = runner.invoke(app, ["users", "unlock", "ann", "--db", sqlite_url])
    assert unlocked.exit_code == 0 and unlocked.output.strip() == "unlocked ann"
    assert sign_in(users, "ann", GOOD).user is not None
    assert _events(users, "ann")[-2:] == ["unlocked", "success"]
    [unlock] = [e for e in auth_events(users, "ann") if e[1] == "unlocked"]
    assert unlock[4].startswith("by cli:")
    log = runner.invoke(app, ["users", "log", "ann", "--db", sqlite_url])
    assert log.exit_code == 0
    assert [line.split("\t")[1] for line in log.output.splitlines()][:3] == [
        "success",
        "unlocked",
        "refused",
    ]
    nobody = runner.invoke(app, ["users", "unlock", "nobody", "--db", sqlite_url])
    assert nobody.exit_code == 1 and "no user 'nobody'" in nobody.output


def test_unknown_names_behave_like_known_ones(users: Engine) -> None:
    """Same messages, same lockout, so attempts do not reveal which names exist."""
    t = now_utc()
    known = [
        sign_in(users, "ann", "wrong wrong wrong", now=t + timedelta(minutes=i))
        for i in range(LOCK_AFTER)
    ]
    ghost = [
        sign_in(users, "zed", "wrong wrong wrong", now=t + timedelta(minutes=i))
        for i in range(LOCK_AFTER)
    ]
    assert [r.message for r in known] == [r.message for r in ghost]
    assert lock_state(users, "zed").locked
    assert sign_in(users, "zed", GOOD).message == sign_in(users, "ann", GOOD).message


def test_unknown_users_take_as_long_as_known_ones(loaded_sqlite) -> None:
    """Real argon2 cost: a wrong name must cost a hash check, like a wrong password."""
    _, engine = loaded_sqlite

    def timed(name: str) -> float:
        start = time.perf_counter()
        assert auth.authenticate(engine, name, "not the password") is None
        return time.perf_counter() - start

    timed("ann")  # warm the dummy hash
    known = statistics.median(timed("ann") for _ in range(3))
    unknown = statistics.median(timed("nobody-here") for _ in range(3))
    long_pw = time.perf_counter()
    assert auth.authenticate(engine, "ann", "x" * 100_000) is None
    long_pw = time.perf_counter() - long_pw
    assert unknown > 0.5 * known and long_pw > 0.5 * known
    assert unknown < 3 * known and long_pw < 3 * known


def test_address_back_off_stops_spraying_many_names(users: Engine) -> None:
    t = now_utc()
    for i in range(auth.ADDRESS_FREE_FAILURES):  # one try each at many names: no per-user wait
        r = sign_in(users, f"user{i}", "Spring2024!!", address="198.51.100.9", now=t)
        assert r.retry_after == 0
    sprayed = sign_in(users, "ada", "Spring2024!!", address="198.51.100.9", now=t)
    assert sprayed.retry_after > 0 and "Wait" in sprayed.message
    # another address (or a browser whose address is unknown) is not held up
    assert sign_in(users, "ada", GOOD, address="203.0.113.5", now=t).user is not None
    assert sign_in(users, "ada", GOOD, now=t).user is not None
    # and the window passes
    later = t + auth.ADDRESS_WINDOW + timedelta(seconds=1)
    assert sign_in(users, "ada", GOOD, address="198.51.100.9", now=later).user is not None


def test_refused_attempts_are_logged_at_most_once_a_minute(users: Engine) -> None:
    t = now_utc()
    for i in range(4):
        sign_in(users, "ann", "wrong wrong wrong", now=t + timedelta(milliseconds=i))
    for i in range(50):  # a script hammering during back-off
        sign_in(users, "ann", "wrong wrong wrong", now=t + timedelta(milliseconds=10 + i))
    assert _events(users, "ann").count("refused") == 1


def test_sign_in_form_uses_the_throttle(loaded_sqlite, monkeypatch, fast_hashes) -> None:
    from streamlit.testing.v1 import AppTest

    from .test_app import APP

    url, engine = loaded_sqlite
    monkeypatch.setenv("CAREAUDIT_DB", url)
    t = now_utc()
    for i in range(LOCK_AFTER):
        sign_in(engine, "sue", "wrong wrong wrong", now=t - timedelta(hours=1, minutes=-i))
    at = AppTest.from_file(APP, default_timeout=60).run()
    at.text_input(key="login_user").input("sue")
    at.text_input(key="login_password").input(PASSWORD)
    at.button(key="sign_in_button").click().run()
    assert [e.value for e in at.error] == [auth.LOCKED]
    assert "user" not in at.session_state
    assert at.text_input(key="login_password").max_chars == 128


# --- password policy --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("password", "why"),
    [
        ("aaaaaaaa", "too short"),
        ("password", "too short"),
        ("        ", "only spaces"),
        ("            ", "only spaces"),
        ("aaaaaaaaaaaa", "repeated"),
        ("abcabcabcabcabc", "repeated"),
        ("Password1234!", "common or breached"),
        ("P@ssw0rd 2024", "common or breached"),
        ("iloveyou iloveyou", "repeated"),
        ("liverpool1234", "common or breached"),
        ("correcthorsebatterystaple", "common or breached"),
        ("qwertyuiopasdf", "sequence"),
        ("123456789012", "sequence"),
        ("x" * 129, "too long"),
        ("x" * 100_000, "too long"),
        ("annabelle-is-the-name", "user name"),
        ("my careaudit password", "this service"),
    ],
)
def test_weak_passwords_are_refused(sqlite_url: str, password: str, why: str) -> None:
    assert why in (password_problem(password, "annabelle") or "")
    engine = make_engine(sqlite_url)
    with pytest.raises(UserError, match=why):
        create_user(engine, "annabelle", "auditor", password)
    engine.dispose()


@pytest.mark.parametrize(
    "password",
    ["violet kettle harbour", "lowercaseonlypassphrase", "Mary had a little lamb", "x7#Qm2!vR9pL"],
)
def test_no_composition_rules(password: str) -> None:
    """Long passwords of any make-up pass; nothing demands digits, capitals or symbols."""
    assert password_problem(password, "ann") is None


def test_the_username_itself_is_refused() -> None:
    assert "user name" in (password_problem("dana.kerr.2024", "dana.kerr") or "")
    assert "user name" in (password_problem("Dana Kerr!!!", "danakerr") or "")


def test_blocklist_is_shipped_and_large() -> None:
    common = common_passwords()
    assert len(common) >= 2000
    assert {"password", "123456", "qwerty", "iloveyou", "liverpool"} <= common


def test_cli_refuses_a_weak_password(sqlite_url: str, fast_hashes) -> None:
    app = typer.Typer()
    review_cmd.register(app)
    for password, why in (("password", "too short"), ("ann " * 4, "repeated")):
        result = runner.invoke(
            app,
            [
                "users",
                "add",
                "ann",
                "--role",
                "auditor",
                "--password",
                password,
                "--db",
                sqlite_url,
            ],
        )
        assert result.exit_code == 1 and why in result.output and "Traceback" not in result.output
    assert runner.invoke(app, ["users", "list", "--db", sqlite_url]).output == ""
