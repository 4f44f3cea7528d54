"""Where the review store lives: ``--db`` beats ``$CAREAUDIT_DB`` beats the default file.

The default is an SQLite file in ``~/.careaudit/review.db`` (``$CAREAUDIT_HOME``
moves the folder), not inside a run directory: ``make clean`` deletes ``out/``,
a re-audit writes a new run directory, and one store serves several runs, so
decisions must not live next to any one of them.
"""

from __future__ import annotations

import os
from pathlib import Path

ENV_DB = "CAREAUDIT_DB"
ENV_HOME = "CAREAUDIT_HOME"


def default_db_path() -> Path:
    """The SQLite file used when no URL is given."""
    home = os.environ.get(ENV_HOME)
    return (Path(home) if home else Path.home() / ".careaudit") / "review.db"


def resolve_db_url(db: str | None = None) -> str:
    """An SQLAlchemy URL from ``db``, ``$CAREAUDIT_DB`` or the default SQLite file.

    ``postgresql://`` and ``postgres://`` get the psycopg 3 driver; a plain path
    becomes an SQLite URL.
    """
    value = (db or os.environ.get(ENV_DB) or "").strip()
    if not value:
        path = default_db_path()
        path.parent.mkdir(parents=True, exist_ok=True)
        return f"sqlite:///{path}"
    for prefix in ("postgresql://", "postgres://"):
        if value.startswith(prefix):
            return "postgresql+psycopg://" + value[len(prefix) :]
    if "://" not in value:
        return f"sqlite:///{Path(value).expanduser().resolve()}"
    return value


def redact_url(url: str) -> str:
    """The URL with any password hidden, for messages and logs."""
    from sqlalchemy.engine import make_url

    return make_url(url).render_as_string(hide_password=True)
