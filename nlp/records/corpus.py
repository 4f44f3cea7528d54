"""The gold JSONL format of the annotation guidelines: read, validate, write.

One note per line with ``sentences`` listing ``[start, end)`` offsets and labels.
:func:`validate_gold_note` returns every problem with a note (offsets outside
the text, overlapping or uncovered text, illegal labels); ``careaudit
evaluate`` accepts any file in this format, not only ours.

A label may be ``null``: *unknown* (teaching examples and review decisions label
only what a reviewer looked at). A missing key still means 0, as in the
guidelines. Training masks unknown labels per head and evaluation skips unknown
cells; nothing turns a ``null`` into a 0. A sentence whose restriction fields are
unknown may state its flag label directly with ``unrecorded_restriction`` (0/1);
where the fields decide it, the two must agree.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from nlp.records.exports import RecordsError, iter_jsonl
from nlp.schema import NOTE_TYPES, RESTRICTION_TYPES, Note, SentenceLabels, derive_unrecorded

BINARY = ("doing_for", "restriction", "authorised_in_text", "in_register", "missing_rationale")
NOTE_KEYS = ("note_id", "person_id", "text", "sentences")


@dataclass(slots=True)
class GoldNote:
    note: Note
    sentences: list[SentenceLabels]
    line: int = 0


def validate_gold_note(obj: dict, line: int = 0) -> list[str]:
    """Problems with one gold note (empty list when it conforms)."""
    where = f"line {line}"
    problems = [f"{where}: missing key {k!r}" for k in NOTE_KEYS if k not in obj]
    if problems:
        return problems
    text = obj["text"]
    if obj.get("note_type", "daily_note") not in NOTE_TYPES:
        problems.append(f"{where}: note_type {obj.get('note_type')!r} not in {NOTE_TYPES}")
    covered = [False] * len(text)
    last_end = 0
    for i, s in enumerate(obj["sentences"]):
        tag = f"{where} sentence {i}"
        start, end = s.get("start"), s.get("end")
        if not (isinstance(start, int) and isinstance(end, int) and 0 <= start < end <= len(text)):
            problems.append(f"{tag}: offsets [{start}, {end}) outside text of length {len(text)}")
            continue
        if start < last_end:
            problems.append(f"{tag}: overlaps the previous sentence")
        last_end = end
        for k in range(start, end):
            covered[k] = True
        problems.extend(_label_problems(s, tag))
    uncovered = [k for k, c in enumerate(covered) if not c and not text[k].isspace()]
    if uncovered:
        k = uncovered[0]
        problems.append(
            f"{where}: text not covered by any sentence at offset {k} ({text[k : k + 20]!r})"
        )
    return problems


def _label_problems(s: dict, tag: str) -> list[str]:
    """Illegal labels of one gold sentence (0, 1 or null; consistent restriction fields)."""
    problems = [
        f"{tag}: {key} must be 0, 1 or null, got {s.get(key)!r}"
        for key in (*BINARY, "unrecorded_restriction")
        if s.get(key, 0) not in (0, 1, None) or isinstance(s.get(key), bool)
    ]
    if problems:
        return problems
    rtype = s.get("restriction_type")
    restriction = s.get("restriction", 0)
    if restriction == 1 and rtype not in RESTRICTION_TYPES:
        problems.append(f"{tag}: restriction=1 needs a restriction_type, got {rtype!r}")
    if restriction != 1 and (
        rtype or s.get("authorised_in_text") == 1 or s.get("in_register") == 1
    ):
        problems.append(
            f"{tag}: restriction_type/authorised/in_register set without restriction=1"
        )
    if "unrecorded_restriction" in s:
        derived = derive_unrecorded(
            restriction, s.get("authorised_in_text", 0), s.get("in_register", 0)
        )
        stated = s["unrecorded_restriction"]
        if derived is not None and stated is not None and stated != derived:
            problems.append(
                f"{tag}: unrecorded_restriction={stated} contradicts the restriction fields"
            )
        if derived is None and stated == 1:
            problems.append(f"{tag}: unrecorded_restriction=1 needs restriction=1 and both 0s")
    return problems


def gold_from_dicts(objs: Iterable[dict], source: str = "records") -> list[GoldNote]:
    """Validate in-memory gold records (e.g. from the review store); RecordsError if any fail."""
    notes: list[GoldNote] = []
    errors: list[str] = []
    for i, obj in enumerate(objs, 1):
        problems = validate_gold_note(obj, i)
        if problems:
            errors.extend(problems)
        else:
            notes.append(_gold(obj, i))
    if errors:
        shown = "\n  ".join(errors[:20])
        raise RecordsError(f"{source}: {len(errors)} problem(s) with the gold format:\n  {shown}")
    return notes


def has_unknown_labels(g: GoldNote) -> bool:
    """Whether any label of the note is unknown (``null``)."""
    return any(
        getattr(s, key) is None
        for s in g.sentences
        for key in ("doing_for", "restriction", "missing_rationale")
    ) or any(s.unrecorded_restriction is None for s in g.sentences)


def read_gold(path: str | Path, strict: bool = True) -> list[GoldNote]:
    """Read a gold JSONL file; with ``strict`` any invalid note raises RecordsError."""
    path = Path(path)
    if not path.exists():
        raise RecordsError(f"{path}: no such file")
    notes: list[GoldNote] = []
    errors: list[str] = []
    for line_no, obj, error in iter_jsonl(path):
        if obj is None:
            errors.append(error)
            continue
        problems = validate_gold_note(obj, line_no)
        if problems:
            errors.extend(problems)
            continue
        notes.append(_gold(obj, line_no))
    if errors and strict:
        shown = "\n  ".join(errors[:20])
        more = f"\n  ... and {len(errors) - 20} more" if len(errors) > 20 else ""
        raise RecordsError(
            f"{path}: {len(errors)} problem(s) with the gold format:\n  {shown}{more}"
        )
    return notes


def _gold(obj: dict, line: int) -> GoldNote:
    note = Note(
        note_id=str(obj["note_id"]),
        person_id=str(obj["person_id"]),
        date=str(obj.get("date", "")),
        text=obj["text"],
        service=str(obj.get("service", "")),
        author=str(obj.get("author", "")),
        note_type=obj.get("note_type", "daily_note"),
    )
    sents = [
        SentenceLabels(
            start=s["start"],
            end=s["end"],
            doing_for=s.get("doing_for", 0),
            restriction=s.get("restriction", 0),
            restriction_type=s.get("restriction_type"),
            authorised_in_text=s.get("authorised_in_text", 0),
            in_register=s.get("in_register", 0),
            missing_rationale=s.get("missing_rationale", 0),
            unrecorded_label=s.get("unrecorded_restriction"),
        )
        for s in obj["sentences"]
    ]
    return GoldNote(note=note, sentences=sents, line=line)
