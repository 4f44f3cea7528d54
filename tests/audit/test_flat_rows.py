"""Rows of the run files: ``to_dict`` gives what ``dataclasses.asdict`` gave, field for field."""

from __future__ import annotations

from dataclasses import asdict, fields

from nlp.schema import Flag, Note, RestrictionMention


def _filled(cls: type) -> object:
    values = {}
    for i, f in enumerate(fields(cls)):
        values[f.name] = (
            i + 0.5
            if f.type in ("float", float)
            else (i if f.type in ("int", int) else f"{f.name}-{i}")
        )
    return cls(**values)


def test_to_dict_equals_asdict_in_order():
    for cls in (Note, Flag, RestrictionMention):
        record = _filled(cls)
        row = record.to_dict()
        assert list(row.items()) == list(asdict(record).items())
        row["note_id"] = "changed"  # a copy: the record is not changed through it
        assert record.note_id != "changed"
