"""Where each replacement sits in the original and in the new text (offset mapping)."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True, slots=True)
class Replacement:
    orig_start: int
    orig_end: int
    start: int
    end: int
    entity_type: str


@dataclass(slots=True)
class Pseudonymised:
    """New text plus where each replacement sits in the old and the new text."""

    text: str
    replacements: list[Replacement] = field(default_factory=list)

    def map_offset(self, offset: int, side: str = "start") -> int:
        """Position in the new text of original ``offset``.

        An offset inside a replaced entity maps to the start (``side="start"``) or end
        (``side="end"``) of its replacement.
        """
        delta = 0
        for r in self.replacements:
            if offset <= r.orig_start:
                break
            if offset < r.orig_end:
                return r.start if side == "start" else r.end
            delta = r.end - r.orig_end
        return offset + delta


def strip_span(text: str, lo: int, hi: int) -> tuple[int, int]:
    """``[lo, hi)`` without leading and trailing whitespace."""
    while lo < hi and text[lo].isspace():
        lo += 1
    while hi > lo and text[hi - 1].isspace():
        hi -= 1
    return lo, hi
