"""The reader's note-id index: each id seen so far with its text hash and row.

Duplicate ids are found across a whole export, so the index grows with it. Up to
``memory_limit`` ids it is a dict; past that its entries move to an SQLite file in the
system's temporary folder (removed when the index is closed or collected; it holds ids,
SHA-1 hashes of the texts and row numbers, never text), so a reader of millions of notes
keeps a flat memory. The reader uses ``get`` and item assignment, as on a dict.
"""

from __future__ import annotations

import contextlib
import os
import sqlite3
import tempfile

MEMORY_LIMIT = 100_000  # ids kept in memory (~30 MB) before the index spills to disk


class NoteIdIndex:
    """``note_id -> (text hash, row)``, in memory then on local disk."""

    def __init__(self, memory_limit: int | None = None) -> None:
        self.memory_limit = MEMORY_LIMIT if memory_limit is None else memory_limit
        self._memory: dict[str, tuple[bytes, int]] = {}
        self._db: sqlite3.Connection | None = None
        self._path: str | None = None
        self._on_disk = 0

    def __len__(self) -> int:
        return len(self._memory) + self._on_disk

    def get(self, note_id: str) -> tuple[bytes, int] | None:
        found = self._memory.get(note_id)
        if found is None and self._db is not None:
            row = self._db.execute(
                "SELECT digest, row FROM seen WHERE note_id = ?", (note_id,)
            ).fetchone()
            found = (bytes(row[0]), int(row[1])) if row else None
        return found

    def __setitem__(self, note_id: str, value: tuple[bytes, int]) -> None:
        """Add a new id (the reader checks ``in`` first; an id is never added twice)."""
        self._memory[note_id] = value
        if len(self._memory) >= self.memory_limit:
            self._spill()

    def _spill(self) -> None:
        if self._db is None:
            fd, self._path = tempfile.mkstemp(prefix="careaudit-ids-", suffix=".sqlite")
            os.close(fd)
            self._db = sqlite3.connect(self._path, check_same_thread=False)
            self._db.execute("PRAGMA journal_mode = OFF")
            self._db.execute("PRAGMA synchronous = OFF")
            self._db.execute(
                "CREATE TABLE seen (note_id TEXT PRIMARY KEY, digest BLOB, row INTEGER)"
            )
        with self._db:
            self._db.executemany(
                "INSERT INTO seen VALUES (?, ?, ?)",
                ((k, d, r) for k, (d, r) in self._memory.items()),
            )
        self._on_disk += len(self._memory)
        self._memory.clear()

    def close(self) -> None:
        """Drop the index (and its file)."""
        self._memory.clear()
        if self._db is not None:
            self._db.close()
            self._db = None
        if self._path is not None:
            with contextlib.suppress(OSError):
                os.unlink(self._path)
            self._path = None
        self._on_disk = 0

    def __del__(self) -> None:
        self.close()
