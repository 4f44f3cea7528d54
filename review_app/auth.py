"""Users, roles and sign-in (argon2id password hashes, back-off, lockout, event log).

Sign-in (:func:`sign_in`) is throttled per user name and per client address, from
the ``auth_events`` log alone: after :data:`USER_FREE_FAILURES` consecutive failures
for a name each further attempt waits twice as long as the last (up to
:data:`USER_MAX_DELAY` s); :data:`LOCK_AFTER` consecutive failures lock the name
until an admin runs ``careaudit users unlock NAME``. An address with more than
:data:`ADDRESS_FREE_FAILURES` failures in :data:`ADDRESS_WINDOW` waits likewise (up
to :data:`ADDRESS_MAX_DELAY` s). Unknown names are counted, delayed, locked and
timed exactly like known ones, so none of this tells anyone which names exist.
Attempts refused by back-off or lock never reach the password check.
"""

from __future__ import annotations

import functools
import math
from dataclasses import dataclass
from datetime import datetime, timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import Engine, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from review_app.passwords import MAX_PASSWORD_LENGTH, password_problem
from review_app.store import AuthEvent, User, as_utc, now_utc, write_session

ROLES: tuple[str, ...] = ("auditor", "supervisor", "trainer", "admin")

# View names, in menu order, that each role may open.
VIEWS: tuple[str, ...] = ("Queue", "Supervision", "Teaching examples", "Dashboard", "Import")
ROLE_VIEWS: dict[str, tuple[str, ...]] = {
    "auditor": ("Queue", "Dashboard"),
    "supervisor": ("Supervision", "Dashboard"),
    "trainer": ("Teaching examples",),
    "admin": VIEWS,
}
DECIDING_ROLES: frozenset[str] = frozenset({"auditor", "admin"})

_hasher = PasswordHasher()

USERNAME_MAX = 120
USER_FREE_FAILURES = 3  # consecutive failures for a name before back-off starts
USER_MAX_DELAY = 60.0  # seconds
LOCK_AFTER = 10  # consecutive failures that lock a name until an admin unlocks it
ADDRESS_FREE_FAILURES = 10  # failures from one address in ADDRESS_WINDOW before back-off
ADDRESS_WINDOW = timedelta(minutes=15)
ADDRESS_MAX_DELAY = 300.0
REFUSED_LOG_INTERVAL = timedelta(seconds=60)  # at most one "refused" row a minute per name
WRONG = "Wrong user name or password."
LOCKED = (
    "This user name is locked after too many failed sign-ins. Ask an administrator "
    "to unlock it (careaudit users unlock NAME)."
)


@functools.cache
def _dummy_hash() -> str:
    """Checked against for unknown users, so a wrong name costs as long as a wrong password."""
    return _hasher.hash("careaudit-no-such-user")


@dataclass(frozen=True, slots=True)
class SignedInUser:
    username: str
    role: str

    @property
    def views(self) -> tuple[str, ...]:
        return ROLE_VIEWS.get(self.role, ())

    def may_open(self, view: str) -> bool:
        return view in self.views

    @property
    def may_decide(self) -> bool:
        return self.role in DECIDING_ROLES


class UserError(ValueError):
    """A user could not be created or changed."""


def create_user(engine: Engine, username: str, role: str, password: str) -> SignedInUser:
    """Add a user; the password is stored only as an argon2id hash."""
    username = username.strip()
    if not username:
        raise UserError("the user name is empty")
    if role not in ROLES:
        raise UserError(f"role must be one of {', '.join(ROLES)}, not {role!r}")
    if len(username) > USERNAME_MAX:
        raise UserError(f"the user name is longer than {USERNAME_MAX} characters")
    problem = password_problem(password, username)
    if problem:
        raise UserError(problem)
    try:
        with write_session(engine) as s, s.begin():
            s.add(
                User(
                    username=username,
                    password_hash=_hasher.hash(password),
                    role=role,
                    active=True,
                    created_at=now_utc(),
                )
            )
    except IntegrityError as exc:
        raise UserError(f"user {username!r} already exists") from exc
    return SignedInUser(username, role)


def authenticate(engine: Engine, username: str, password: str) -> SignedInUser | None:
    """The user if name and password match an active account, else None.

    The credential check only: the app signs in through :func:`sign_in`, which adds
    back-off, lockout and the event log. Unknown names and over-long passwords cost
    one argon2 verification, like a wrong password.
    """
    name = username.strip()
    user = None
    if len(name) <= USERNAME_MAX:
        with Session(engine) as s:
            user = s.scalars(select(User).where(User.username == name)).first()
    stored = user.password_hash if user and user.active else _dummy_hash()
    if len(password) > MAX_PASSWORD_LENGTH:  # never hash 100 KB; same cost, never a match
        stored, password = _dummy_hash(), ""
    try:
        _hasher.verify(stored, password)
    except (VerificationError, InvalidHashError):
        return None
    if user is None or not user.active:
        return None
    if _hasher.check_needs_rehash(stored):
        with write_session(engine) as s, s.begin():
            s.get(User, user.id).password_hash = _hasher.hash(password)  # type: ignore[union-attr]
    return SignedInUser(user.username, user.role)


def list_users(engine: Engine) -> list[tuple[str, str, bool]]:
    """(username, role, active) for every user."""
    with Session(engine) as s:
        return [
            (u.username, u.role, u.active) for u in s.scalars(select(User).order_by(User.username))
        ]


def has_users(engine: Engine) -> bool:
    with Session(engine) as s:
        return s.scalars(select(User.id).limit(1)).first() is not None


# --- sign-in with back-off and lockout ------------------------------------------------------


@dataclass(frozen=True, slots=True)
class SignInResult:
    """What the sign-in form shows: the user, or why not (and for how long)."""

    user: SignedInUser | None
    message: str = ""
    retry_after: float = 0.0
    locked: bool = False


@dataclass(frozen=True, slots=True)
class LockState:
    """Consecutive failures for a name since its last success or unlock."""

    failures: int
    locked: bool
    last_failure: datetime | None


def _key(username: str) -> str:
    """The name as logged: trimmed, and cut to the column's width."""
    name = username.strip()
    return name if len(name) <= USERNAME_MAX else name[: USERNAME_MAX - 1] + "…"


def _log(s: Session, at: datetime, name: str, address: str, event: str, detail: str = "") -> None:
    s.add(AuthEvent(at=at, username=name, address=address[:64], event=event, detail=detail[:200]))


def _lock_state(s: Session, name: str) -> LockState:
    rows = s.execute(
        select(AuthEvent.event, AuthEvent.at)
        .where(
            AuthEvent.username == name,
            AuthEvent.event.in_(("failure", "success", "locked", "unlocked")),
        )
        .order_by(AuthEvent.id.desc())
        .limit(2 * LOCK_AFTER + 2)
    )
    failures, locked, last = 0, False, None
    for event, at in rows:
        if event in ("success", "unlocked"):
            break
        if event == "locked":
            locked = True
        elif event == "failure":
            failures += 1
            last = last or as_utc(at)
    return LockState(failures, locked, last)


def _wait(s: Session, state: LockState, address: str, now: datetime) -> float:
    """Seconds before this name (and address) may try again; 0 when it may now."""
    wait = 0.0
    if state.failures >= USER_FREE_FAILURES and state.last_failure:
        delay = min(2.0 ** (state.failures - USER_FREE_FAILURES), USER_MAX_DELAY)
        wait = delay - (now - state.last_failure).total_seconds()
    if address:
        count, last = s.execute(
            select(func.count(), func.max(AuthEvent.at)).where(
                AuthEvent.address == address,
                AuthEvent.event == "failure",
                AuthEvent.at >= now - ADDRESS_WINDOW,
            )
        ).one()
        if count >= ADDRESS_FREE_FAILURES and last is not None:
            delay = min(2.0 ** (count - ADDRESS_FREE_FAILURES), ADDRESS_MAX_DELAY)
            wait = max(wait, delay - (now - as_utc(last)).total_seconds())
    return max(wait, 0.0)


def sign_in(
    engine: Engine,
    username: str,
    password: str,
    address: str | None = None,
    now: datetime | None = None,
) -> SignInResult:
    """Check a sign-in attempt against back-off, lockout and the password; log it.

    ``address`` is the client's IP address when the app knows it (else the attempt
    is throttled per user name only); ``now`` is for tests.
    """
    now = now or now_utc()
    name, address = _key(username), (address or "")[:64]
    with Session(engine) as s:
        state = _lock_state(s, name)
        wait = 0.0 if state.locked else _wait(s, state, address, now)
        last_refused = s.scalar(
            select(func.max(AuthEvent.at)).where(
                AuthEvent.username == name, AuthEvent.event == "refused"
            )
        )
    if state.locked or wait > 0:
        detail = "locked" if state.locked else f"back-off {math.ceil(wait)} s"
        if last_refused is None or now - as_utc(last_refused) >= REFUSED_LOG_INTERVAL:
            with write_session(engine) as s, s.begin():
                _log(s, now, name, address, "refused", detail)
        if state.locked:
            return SignInResult(None, LOCKED, locked=True)
        return SignInResult(
            None,
            f"Too many failed sign-ins. Wait {math.ceil(wait)} s, then try again.",
            retry_after=wait,
        )
    user = authenticate(engine, username, password)
    with write_session(engine) as s, s.begin():
        if user is not None:
            _log(s, now, name, address, "success")
            return SignInResult(user)
        _log(s, now, name, address, "failure")
        if state.failures + 1 >= LOCK_AFTER:
            _log(s, now, name, address, "locked", f"{state.failures + 1} failures in a row")
            return SignInResult(None, f"{WRONG} {LOCKED}", locked=True)
    return SignInResult(None, WRONG)


def retry_after(
    engine: Engine, username: str, address: str | None = None, now: datetime | None = None
) -> float:
    """Seconds before ``username`` (from ``address``) may try again: 0 now, inf when locked."""
    with Session(engine) as s:
        state = _lock_state(s, _key(username))
        if state.locked:
            return math.inf
        return _wait(s, state, (address or "")[:64], now or now_utc())


def lock_state(engine: Engine, username: str) -> LockState:
    """Failures in a row and whether ``username`` is locked."""
    with Session(engine) as s:
        return _lock_state(s, _key(username))


def unlock_user(engine: Engine, username: str, by: str) -> bool:
    """Lift a lockout (and reset the failure count); returns whether it was locked.

    Logged as an ``unlocked`` event naming ``by``. Raises :class:`UserError` for a
    name that is neither a user nor has any sign-in events.
    """
    name = _key(username)
    with write_session(engine) as s, s.begin():
        known = s.scalars(select(User.id).where(User.username == name)).first()
        seen = s.scalars(select(AuthEvent.id).where(AuthEvent.username == name).limit(1)).first()
        if known is None and seen is None:
            raise UserError(f"no user {name!r}")
        state = _lock_state(s, name)
        _log(s, now_utc(), name, "", "unlocked", f"by {by}")
    return state.locked


def locked_users(engine: Engine) -> set[str]:
    """User names (of existing users) that are locked now."""
    with Session(engine) as s:
        names = list(s.scalars(select(User.username)))
        return {n for n in names if _lock_state(s, n).locked}


def auth_events(
    engine: Engine, username: str | None = None, limit: int = 50
) -> list[tuple[datetime, str, str, str, str]]:
    """(at, event, username, address, detail), newest first."""
    q = select(AuthEvent).order_by(AuthEvent.id.desc()).limit(limit)
    if username is not None:
        q = q.where(AuthEvent.username == _key(username))
    with Session(engine) as s:
        return [(as_utc(e.at), e.event, e.username, e.address, e.detail) for e in s.scalars(q)]
