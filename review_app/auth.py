"""Users, roles and sign-in (argon2id password hashes)."""

from __future__ import annotations

import functools
from dataclasses import dataclass

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import Engine, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from review_app.store import User, now_utc, write_session

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
    if len(password) < 8:
        raise UserError("the password must have at least 8 characters")
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
    """The user if name and password match an active account, else None."""
    with Session(engine) as s:
        user = s.scalars(select(User).where(User.username == username.strip())).first()
    stored = user.password_hash if user and user.active else _dummy_hash()
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
