"""Reviewed flags -> de-identified teaching examples in the gold JSONL format.

One record per note (see the annotation guidelines, "File format"): every
sentence with offsets into the *pseudonymised* text, and labels from the
reviewers' decisions on that note:

- confirmed ``doing_for`` / ``missing_rationale`` -> that label 1 on every
  sentence the flagged span overlaps; dismissed -> 0;
- confirmed ``unrecorded_restriction`` -> ``restriction`` 1 with its type,
  ``authorised_in_text`` 0, ``in_register`` 0; dismissed as "authorised
  elsewhere" -> ``restriction`` 1, ``in_register`` 1 (a restriction, but not
  unrecorded); dismissed for any other reason -> ``restriction`` 0.
- ``plan_gap`` has no sentence label in the gold format and is left out.

Sentences come from the flags' own sentence offsets (the pipeline's
segmentation); the rest of the text is split on sentence punctuation and line
breaks. ``review_status`` is ``partial`` when the note still has open flags,
whose sentences are then labelled 0 only because nobody has decided them yet.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Sequence
from typing import Any

from sqlalchemy import Engine

from review_app.deid import Pseudonymiser, strip_span
from review_app.store import FlagFilter, FlagView, list_flags, note_flags

TEACHABLE: tuple[str, ...] = ("doing_for", "unrecorded_restriction", "missing_rationale")
_SENT_BREAK = re.compile(r"(?<=[.!?])[\"'’”)\]]*\s+|\n+")


def split_sentences(text: str, fixed: Iterable[tuple[int, int]] = ()) -> list[tuple[int, int]]:
    """Sentence spans covering all non-whitespace of ``text``; ``fixed`` spans are kept whole."""
    merged: list[list[int]] = []
    for lo, hi in sorted((max(0, a), min(len(text), b)) for a, b in fixed if b > a):
        if merged and lo < merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], hi)
        else:
            merged.append([lo, hi])
    spans: list[tuple[int, int]] = []
    pos = 0
    for lo, hi in [*merged, [len(text), len(text)]]:
        if lo > pos:
            start = pos
            for m in _SENT_BREAK.finditer(text, pos, lo):
                spans.append(strip_span(text, start, m.start()))
                start = m.end()
            spans.append(strip_span(text, start, lo))
        if hi > lo:
            spans.append(strip_span(text, lo, hi))
        pos = max(pos, hi)
    return [(a, b) for a, b in spans if b > a]


def _blank(start: int, end: int) -> dict[str, Any]:
    return {
        "start": start,
        "end": end,
        "doing_for": 0,
        "restriction": 0,
        "restriction_type": None,
        "authorised_in_text": 0,
        "in_register": 0,
        "missing_rationale": 0,
    }


def label_sentences(
    text: str, spans: Sequence[tuple[int, int]], flags: Iterable[FlagView]
) -> list[dict[str, Any]]:
    """Gold sentence records (original offsets) from decided flags; see the module docstring."""
    sentences = [_blank(a, b) for a, b in spans]
    decided = [
        f for f in flags if f.status in ("confirmed", "dismissed") and f.category in TEACHABLE
    ]
    # dismissals first, so a confirmation on the same sentence wins
    for f in sorted(decided, key=lambda f: f.status == "confirmed"):
        lo, hi = (f.start, f.end) if f.end > f.start else (f.sentence_start, f.sentence_end)
        for s in sentences:
            if not (s["start"] < hi and lo < s["end"]):
                continue
            yes = int(f.status == "confirmed")
            if f.category == "unrecorded_restriction":
                kept = yes or f.reason == "authorised elsewhere"
                s["restriction"] = int(kept)
                s["restriction_type"] = (f.restriction_type or None) if kept else None
                s["authorised_in_text"] = 0
                s["in_register"] = int(not yes and kept)
            else:
                s[f.category] = yes
    return sentences


def check_gold(record: dict[str, Any]) -> list[str]:
    """Problems with one gold record: order, overlap, coverage of non-whitespace."""
    text, problems = record["text"], []
    covered = [False] * len(text)
    last_end = 0
    for s in record["sentences"]:
        if not 0 <= s["start"] < s["end"] <= len(text):
            problems.append(f"sentence {s['start']}-{s['end']} outside the text")
            continue
        if s["start"] < last_end:
            problems.append(f"sentence {s['start']}-{s['end']} overlaps the one before")
        last_end = s["end"]
        covered[s["start"] : s["end"]] = [True] * (s["end"] - s["start"])
    gaps = [i for i, ch in enumerate(text) if not ch.isspace() and not covered[i]]
    if gaps:
        problems.append(
            f"{len(gaps)} non-space characters outside every sentence (first at {gaps[0]})"
        )
    return problems


def teachable_flags(engine: Engine, flt: FlagFilter | None = None) -> list[FlagView]:
    """Confirmed and dismissed flags of the categories the gold format can carry."""
    flt = flt or FlagFilter()
    flt.statuses = ("confirmed", "dismissed")
    flt.include_superseded = True  # an earlier note version and its decisions still teach
    flt.categories = [c for c in (flt.categories or TEACHABLE) if c in TEACHABLE]
    return list_flags(engine, flt)


def build_examples(
    engine: Engine, flag_ids: Sequence[str], pseudonymiser: Pseudonymiser
) -> list[dict[str, Any]]:
    """De-identified gold records for the notes of the chosen flags."""
    chosen = [
        f
        for f in list_flags(engine, FlagFilter(flag_ids=list(flag_ids)))
        if f.status in ("confirmed", "dismissed") and f.category in TEACHABLE
    ]
    note_keys = list(dict.fromkeys(f.note_key for f in chosen))
    if not note_keys:
        return []
    by_note: dict[str, list[FlagView]] = {}
    for f in note_flags(engine, note_keys):
        by_note.setdefault(f.note_key, []).append(f)
    notes = [by_note[k] for k in note_keys]
    services = sorted({f.service for flags in notes for f in flags if f.service})
    pseudonymiser.learn(flags[0].text for flags in notes)
    records = []
    for flags in notes:
        first = flags[0]
        spans = split_sentences(first.text, [(f.sentence_start, f.sentence_end) for f in flags])
        sentences = label_sentences(first.text, spans, flags)
        new = pseudonymiser.pseudonymise(
            first.text,
            boundaries=[x for span in spans for x in span],
            extra_terms={"SERVICE": services},
        )
        for s in sentences:
            s["start"] = new.map_offset(s["start"], "start")
            s["end"] = new.map_offset(s["end"], "end")
        records.append(
            {
                "note_id": pseudonymiser.value("NOTE_ID", first.note_id),
                "person_id": pseudonymiser.value("PERSON_ID", first.person_id),
                "service": pseudonymiser.value("SERVICE", first.service) if first.service else "",
                "note_type": first.note_type,
                "date": pseudonymiser.value("DATE", first.date) if first.date else "",
                "author": pseudonymiser.value("STAFF", first.author) if first.author else "",
                "text": new.text,
                "sentences": sentences,
                "review_status": "partial"
                if any(f.status == "open" for f in flags)
                else "complete",
            }
        )
    return records


def to_jsonl(records: Iterable[dict[str, Any]]) -> str:
    return "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records)
