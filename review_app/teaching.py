"""Reviewed notes -> de-identified teaching examples in the gold JSONL format.

One record per note version (see the annotation guidelines, "File format"): every
sentence with offsets into the *pseudonymised* text, and the labels that
:mod:`review_app.learning` makes from the reviewers' decisions (the same labels
``careaudit train --review-db`` learns from). A label nobody gave is ``null``,
never 0. ``plan_gap`` has no sentence label in the gold format and is left out.

By default only **complete** notes are exported: every sentence's flag labels
known (all flags on it decided and the note marked reviewed, or every sentence
covered by a decision). ``include_partial`` adds the others, with ``null``
where nobody decided; ``review_status`` says which a record is.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from typing import Any

from sqlalchemy import Engine

from nlp.deid import Pseudonymiser
from review_app.learning import ReviewedNote, reviewed_notes, split_sentences
from review_app.store import FlagFilter, FlagView, list_flags, list_marks, note_authors

TEACHABLE: tuple[str, ...] = ("doing_for", "unrecorded_restriction", "missing_rationale")
__all__ = [
    "TEACHABLE",
    "build_examples",
    "check_gold",
    "completeness",
    "split_sentences",
    "teachable_flags",
    "teachable_notes",
    "to_jsonl",
]


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


def teachable_notes(
    engine: Engine, flag_ids: Sequence[str] | None = None, with_marks: bool = True
) -> list[ReviewedNote]:
    """Labelled note versions: those of ``flag_ids`` (None: every decided flag), plus, with
    ``with_marks``, every note with a missed or reviewed mark. Not de-identified."""
    if flag_ids is None:
        chosen = teachable_flags(engine)
    else:
        chosen = [
            f
            for f in list_flags(engine, FlagFilter(flag_ids=list(flag_ids)))
            if f.status in ("confirmed", "dismissed") and f.category in TEACHABLE
        ]
    keys = [f.note_key for f in chosen]
    if with_marks:
        keys += [m.note_key for m in list_marks(engine)]
    keys = list(dict.fromkeys(keys))
    return reviewed_notes(engine, keys)[0] if keys else []


def build_examples(
    engine: Engine,
    flag_ids: Sequence[str] | None,
    pseudonymiser: Pseudonymiser,
    include_partial: bool = False,
    with_marks: bool = True,
) -> list[dict[str, Any]]:
    """De-identified gold records for the chosen notes (complete ones unless
    ``include_partial``); see :func:`teachable_notes` for which notes."""
    notes = [
        n for n in teachable_notes(engine, flag_ids, with_marks) if n.complete or include_partial
    ]
    if not notes:
        return []
    services = sorted({n.record["service"] for n in notes if n.record["service"]})
    # every author the store knows, not only those of the exported notes: colleagues
    # write each other's names and initials ("handed over to KP")
    for author, service in note_authors(engine):
        pseudonymiser.add_staff(author, service)
    texts = [n.record["text"] for n in notes]
    docs = pseudonymiser.analyzer.parse(texts)  # once, for both passes
    pseudonymiser.learn(
        texts,
        persons=[n.record["person_id"] for n in notes],
        docs=docs,
        services=[n.record["service"] for n in notes],
    )
    return [
        _deidentified(n.record, pseudonymiser, services, doc)
        for n, doc in zip(notes, docs, strict=True)
    ]


def _deidentified(
    record: dict[str, Any], pseudonymiser: Pseudonymiser, services: list[str], doc: Any = None
) -> dict[str, Any]:
    person = record["person_id"] or None
    sentences = [dict(s) for s in record["sentences"]]
    new = pseudonymiser.pseudonymise(
        record["text"],
        boundaries=[x for s in sentences for x in (s["start"], s["end"])],
        extra_terms={"SERVICE": services},
        person=person,
        doc=doc,
        service=record["service"] or None,
    )
    for s in sentences:
        s["start"] = new.map_offset(s["start"], "start")
        s["end"] = new.map_offset(s["end"], "end")

    def value(kind: str, key: str) -> str:
        return pseudonymiser.value(kind, record[key], person) if record[key] else ""

    return {
        "note_id": pseudonymiser.value("NOTE_ID", record["note_id"]),
        "person_id": pseudonymiser.value("PERSON_ID", record["person_id"]),
        "service": value("SERVICE", "service"),
        "note_type": record["note_type"],
        "date": value("DATE", "date"),
        "author": value("STAFF", "author"),
        "text": new.text,
        "sentences": sentences,
        "review_status": record["review_status"],
    }


def completeness(
    engine: Engine, flag_ids: Sequence[str] | None = None, with_marks: bool = True
) -> tuple[int, int]:
    """(complete, all) labelled notes among those :func:`build_examples` would consider."""
    notes = teachable_notes(engine, flag_ids, with_marks)
    return sum(n.complete for n in notes), len(notes)


def to_jsonl(records: Iterable[dict[str, Any]]) -> str:
    return "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records)
