"""What a recogniser finds: a typed character span of note text."""

from __future__ import annotations

from dataclasses import dataclass

# PII kinds, as the PII test set names them, plus what only the pseudonymiser uses
KINDS = (
    "name",
    "nhs_number",
    "ni_number",
    "phone",
    "email",
    "postcode",
    "address",
    "room",
    "gp_surgery",
    "date",
    "id",
    "place",
    "service",
)
# which kind wins when two spans overlap (earlier wins)
PRIORITY = {
    kind: i
    for i, kind in enumerate(
        (
            "email",
            "nhs_number",
            "ni_number",
            "phone",
            "postcode",
            "id",
            "service",
            "gp_surgery",
            "address",
            "room",
            "date",
            "name",
            "place",
        )
    )
}


@dataclass(slots=True)
class Entity:
    """``text[start:end]`` is PII of ``kind``.

    Names carry, per token, its role (``first``/``last``/``initial``) and the
    first-name key whose gender the text shows; a ``tentative`` name (``Zeke``, but also
    ``Biscoff``) is carried to other notes only as a word that may be a name.
    """

    start: int
    end: int
    kind: str
    parts: tuple[tuple[int, int, str], ...] = ()  # name tokens: (start, end, role)
    gender_key: str = ""
    tentative: bool = False  # a lone unlisted word taken for a name on its shape alone

    def overlaps(self, other: Entity) -> bool:
        return self.start < other.end and other.start < self.end


def _tail(e: Entity, chosen: list[Entity]) -> Entity | None:
    """What is left of address ``e`` after spans that won over its head: in ``Flat 8,
    Tyneside Lodge, 140 Westgate Road`` the service's name ``Tyneside Lodge`` wins, and
    ``, 140 Westgate Road`` is still an address (else the house number and street stay)."""
    if e.kind != "address":
        return None
    heads = [c for c in chosen if c.overlaps(e)]
    start = max(c.end for c in heads)
    if start >= e.end - 3:
        return None
    return Entity(start, e.end, "address")


def resolve(entities: list[Entity]) -> list[Entity]:
    """Non-overlapping entities: higher priority, then longer, then earlier wins; an
    address whose head lost to another span keeps its tail (see :func:`_tail`)."""
    chosen: list[Entity] = []
    ranked = sorted(entities, key=lambda e: (PRIORITY.get(e.kind, 99), -(e.end - e.start), e.start))
    for e in ranked:
        if e.end <= e.start:
            continue
        if not any(e.overlaps(c) for c in chosen):
            chosen.append(e)
            continue
        tail = _tail(e, chosen)
        if tail is not None and not any(tail.overlaps(c) for c in chosen):
            chosen.append(tail)
    return sorted(chosen, key=lambda e: e.start)
