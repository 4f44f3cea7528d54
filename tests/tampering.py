"""Damage a model file the way a bad copy or a stray edit would (for refusal tests)."""

from __future__ import annotations

from pathlib import Path


def flip_a_byte(path: Path) -> None:
    """Invert the middle byte of ``path``: same size, different SHA-256."""
    data = bytearray(path.read_bytes())
    data[len(data) // 2] ^= 0xFF
    path.write_bytes(bytes(data))
