"""Score a de-identifier on the PII set (``annotations/pii/*.jsonl``) from its output text.

Token level, the same for every system: the original and the de-identified text are
split into word tokens and aligned (:class:`difflib.SequenceMatcher`); a token is
*kept* when the alignment keeps it unchanged.

- recall per PII type: share of the tokens inside gold ``pii`` spans that are not
  kept. Generic words of a structured span (``Room``, ``Road``, ``Surgery``) are not
  counted. Atomic values (phone, e-mail, NHS/NI number, postcode, id, date) count as
  removed as a whole when some token changed and the value no longer occurs in the
  output: a shifted date may keep its year, a pseudonym phone number its fictional
  01632 960 / 07700 900 prefix.
- precision: share of gold ``non_pii`` spans left wholly unchanged, and share of the
  tokens outside every PII span left unchanged.
"""

from __future__ import annotations

import difflib
import json
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from nlp.deid.recognisers import DIRECTIONS, STREET_TYPES, WELSH_STREET_PREFIXES

TYPES = (
    "name",
    "nhs_number",
    "ni_number",
    "id",
    "phone",
    "email",
    "postcode",
    "address",
    "room",
    "gp_surgery",
    "date",
)
IDENTIFIER_TYPES = frozenset(("name", "nhs_number", "ni_number", "id"))
ATOMIC_TYPES = frozenset(("nhs_number", "ni_number", "id", "phone", "email", "postcode", "date"))
GENERIC = (
    STREET_TYPES
    | WELSH_STREET_PREFIXES
    | DIRECTIONS
    | frozenset(
        [
            "room",
            "rm",
            "bedroom",
            "bed",
            "flat",
            "apartment",
            "apt",
            "bay",
            "ward",
            "unit",
            "suite",
            "bungalow",
            "cottage",
            "chalet",
            "no",
            "number",
            "surgery",
            "medical",
            "centre",
            "center",
            "practice",
            "meddygfa",
            "ystafell",  # Welsh "room": the room word is kept, as "Room" is
            "fflat",  # Welsh "flat", kept as "Flat" is
            "seòmar",  # Gaelic "room"
            "seomar",
            "yst",  # round 5: Welsh "room" shortened (Yst 4), kept as Ystafell is
            "plot",  # round 5: a plot or pitch on a site, kept as "Flat" is
            "pitch",
            "bedspace",
            "health",
            "group",
            "family",
            "the",
            "of",
            "and",
            "y",
            "yr",
        ]
    )
    # round 6: the words of a practice's head noun, generic as "Surgery" is (Primary Care
    # Centre, Healthcare Centre, & Partners). Written out, not read from the recogniser's
    # list, so the metric does not move when the system's list does.
    | frozenset(["care", "centres", "doctors", "healthcare", "partners", "partnership", "primary"])
    | frozenset(["surgeries"])
    # round 13: room words as generic as "Room", "Flat" and "Unit" already are: a short
    # form of flat, a prison cell, a dormitory, a boat's berth or mooring, Polish "room",
    # a care home's wing (its name and number are what locate the person; these words do
    # not). Figures scored before this line are reported beside those after it.
    | frozenset(["fl", "cell", "dorm", "dormitory", "berth", "mooring", "pokój", "pokoju"])
    | frozenset(["wing"])
)
# round 16: more room words kept as "Room" is, in room spans only (the number or letter after
# them is what locates the person): Welsh "stafell" (soft-mutated "ystafell") and "rhif"
# ("number", as "no" is), the bedroom and side-room short forms, a studio, and the plural room
# words before a list ("Rooms 8-10", "Flats 3 and 4"); an id's "SR" still counts
ROOM_GENERIC = GENERIC | frozenset(
    [
        "stafell", "rhif", "bdrm", "bedrm", "br", "sr", "studio", "studios",
        "rooms", "rms", "bedrooms", "flats", "apartments", "beds", "bays",
    ]
)  # fmt: skip


def _generic(kind: str, word: str) -> bool:
    """A word of a PII span that is not counted: a street type, a room word, ``the``."""
    return word.lower() in (ROOM_GENERIC if kind == "room" else GENERIC)


_TOKEN = re.compile(r"[^\W_]+")


def load_pii(path: str | Path) -> list[dict[str, Any]]:
    """The records of a PII file (one JSON object a line)."""
    with open(path, encoding="utf-8") as fh:
        return [json.loads(line) for line in fh if line.strip()]


def deidentified_texts(
    records: Sequence[dict[str, Any]], analyzer: Any, seed: int = 0
) -> list[str]:
    """Each PII-set record's text de-identified as ``careaudit deidentify`` does it (the
    whole set as one batch, the id, author, service and date columns included)."""
    from types import SimpleNamespace

    from nlp.deid.export import deidentify_notes
    from nlp.deid.pseudonymiser import Pseudonymiser

    notes = [
        SimpleNamespace(
            note_id=r.get("note_id", str(i)),
            person_id=r.get("person_id", ""),
            date=r.get("date", ""),
            service=r.get("service", ""),
            author=r.get("author", ""),
            note_type=r.get("note_type", "daily_note"),
            text=r["text"],
        )
        for i, r in enumerate(records)
    ]
    return [row["text"] for row in deidentify_notes(notes, Pseudonymiser(analyzer, seed=seed))]


def _tokens(text: str) -> list[tuple[int, int, str]]:
    return [(m.start(), m.end(), m.group(0)) for m in _TOKEN.finditer(text)]


def kept_tokens(original: str, output: str) -> list[bool]:
    """Per word token of ``original``: left unchanged in ``output``.

    Aligned line by line when both texts have the same lines (no system here adds or
    removes a line break): aligned as a whole, a replaced number could be matched to the
    same number written elsewhere by a replacement (``Room 12`` -> ``Room 17`` beside a
    shifted date ``27/12/1935``) and scored as kept, and the words around the date as
    changed."""
    lines, out_lines = original.split("\n"), output.split("\n")
    if len(lines) > 1 and len(lines) == len(out_lines):
        return [k for line, out in zip(lines, out_lines, strict=True) for k in _kept(line, out)]
    return _kept(original, output)


def _kept(original: str, output: str) -> list[bool]:
    a = _tokens(original)
    b = [t[2] for t in _tokens(output)]
    kept = [False] * len(a)
    matcher = difflib.SequenceMatcher(None, [t[2] for t in a], b, autojunk=False)
    for block in matcher.get_matching_blocks():
        for k in range(block.size):
            kept[block.a + k] = True
    return kept


@dataclass
class Score:
    """Counts over a PII file; the ratios are properties."""

    caught: dict[str, int] = field(default_factory=dict)
    counted: dict[str, int] = field(default_factory=dict)
    non_pii_spans: int = 0
    non_pii_kept: int = 0
    other_tokens: int = 0
    other_kept: int = 0
    notes_leaking_names: int = 0
    notes: int = 0
    # room spans' tokens holding a digit (Room 8, F7, 2.14): the room numbers themselves,
    # apart from the unit names some writers include in the span (Seaview 3, Abbey Wing)
    room_number_tokens: int = 0
    room_numbers_caught: int = 0

    def recall(self, kind: str | None = None) -> float:
        kinds = [kind] if kind else list(self.counted)
        total = sum(self.counted.get(k, 0) for k in kinds)
        return sum(self.caught.get(k, 0) for k in kinds) / total if total else 1.0

    @property
    def span_precision(self) -> float:
        return self.non_pii_kept / self.non_pii_spans if self.non_pii_spans else 1.0

    @property
    def token_precision(self) -> float:
        return self.other_kept / self.other_tokens if self.other_tokens else 1.0

    @property
    def room_number_recall(self) -> float | None:
        """Room-span tokens holding a digit that were replaced; None when there are none."""
        if not self.room_number_tokens:
            return None
        return self.room_numbers_caught / self.room_number_tokens

    def to_dict(self) -> dict[str, Any]:
        return {
            "notes": self.notes,
            "recall": {k: round(self.recall(k), 4) for k in TYPES if self.counted.get(k)},
            "recall_overall": round(self.recall(), 4),
            "pii_tokens": dict(self.counted),
            "precision_non_pii_spans": round(self.span_precision, 4),
            "precision_other_tokens": round(self.token_precision, 4),
            "non_pii_spans": self.non_pii_spans,
            "notes_leaking_a_name": self.notes_leaking_names,
            "recall_room_numbers": None
            if self.room_number_recall is None
            else round(self.room_number_recall, 4),
            "room_number_tokens": self.room_number_tokens,
        }


def score(
    records: Sequence[dict[str, Any]],
    outputs: Iterable[str],
    kept_masks: Iterable[list[bool]] | None = None,
) -> Score:
    """Score de-identified ``outputs`` (one text per record, same order). ``kept_masks``,
    one per record, says which word tokens were left unchanged instead of aligning each
    output with its text (to score another system's decisions on the same tokens; atomic
    types still read ``outputs``)."""
    result = Score()
    outputs = list(outputs)
    if kept_masks is None:
        kept_masks = (kept_tokens(r["text"], o) for r, o in zip(records, outputs, strict=True))
    for record, output, kept in zip(records, outputs, kept_masks, strict=True):
        text = record["text"]
        toks = _tokens(text)
        in_pii = [False] * len(toks)
        leaked_name = False
        for span in record["pii"]:
            idx = [i for i, (a, b, _) in enumerate(toks) if a < span["end"] and span["start"] < b]
            for i in idx:
                in_pii[i] = True
            kind = span["type"]
            counted = [i for i in idx if kind == "name" or not _generic(kind, toks[i][2])]
            if kind in ATOMIC_TYPES:
                caught = len(counted) if _removed(span, idx, kept, output) else 0
            else:
                caught = sum(not kept[i] for i in counted)
            leaked_name |= kind == "name" and caught < len(counted)
            result.counted[kind] = result.counted.get(kind, 0) + len(counted)
            result.caught[kind] = result.caught.get(kind, 0) + caught
            if kind == "room":
                digits = [i for i in counted if any(c.isdigit() for c in toks[i][2])]
                result.room_number_tokens += len(digits)
                result.room_numbers_caught += sum(not kept[i] for i in digits)
        for span in record.get("non_pii", []):
            idx = [i for i, (a, b, _) in enumerate(toks) if a < span["end"] and span["start"] < b]
            result.non_pii_spans += 1
            result.non_pii_kept += all(kept[i] for i in idx)
        others = [i for i in range(len(toks)) if not in_pii[i]]
        result.other_tokens += len(others)
        result.other_kept += sum(kept[i] for i in others)
        result.notes += 1
        result.notes_leaking_names += leaked_name
    return result


def _removed(span: dict[str, Any], idx: list[int], kept: list[bool], output: str) -> bool:
    """An atomic value (phone, date ...) is gone: some token changed, the value is not in
    the output any more."""
    return any(not kept[i] for i in idx) and span["text"] not in output


def misses(records: Sequence[dict[str, Any]], outputs: Iterable[str]) -> list[str]:
    """Human-readable list of PII tokens kept and non-PII spans changed (for development)."""
    lines = []
    for record, output in zip(records, outputs, strict=True):
        text = record["text"]
        toks = _tokens(text)
        kept = kept_tokens(text, output)
        for span in record["pii"]:
            left = [
                toks[i][2]
                for i, (a, b, w) in enumerate(toks)
                if a < span["end"]
                and span["start"] < b
                and kept[i]
                and (span["type"] == "name" or not _generic(span["type"], w))
            ]
            atomic = span["type"] in ATOMIC_TYPES
            if atomic and not _removed(
                span,
                [i for i, (a, b, _) in enumerate(toks) if a < span["end"] and span["start"] < b],
                kept,
                output,
            ):
                lines.append(f"{record['note_id']} MISS {span['type']}: {span['text']!r}")
            elif left and not atomic:
                lines.append(
                    f"{record['note_id']} MISS {span['type']}: {span['text']!r} kept {left}"
                )
        for span in record.get("non_pii", []):
            idx = [i for i, (a, b, _) in enumerate(toks) if a < span["end"] and span["start"] < b]
            if not all(kept[i] for i in idx):
                lines.append(f"{record['note_id']} CHANGED non-PII: {span['text']!r}")
    return lines
