"""Damage a model file the way a bad copy or a stray edit would (for refusal tests)."""

from __future__ import annotations

from pathlib import Path


def flip_a_byte(path: Path) -> None:
    """Invert the middle byte of ``path``: same size, different SHA-256."""
    data = bytearray(path.read_bytes())
    data[len(data) // 2] ^= 0xFF
    path.write_bytes(bytes(data))


def agree(folder: Path, name: str) -> None:
    """Make ``folder/model.json`` list the current SHA-256 of its file ``name``: a
    changed file becomes a whole other model with a consistent ``model.json``."""
    import hashlib
    import json

    meta = json.loads((folder / "model.json").read_text(encoding="utf-8"))
    meta["files"][name] = hashlib.sha256((folder / name).read_bytes()).hexdigest()
    (folder / "model.json").write_text(json.dumps(meta), encoding="utf-8")
