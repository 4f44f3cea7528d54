"""Gold JSONL teaching examples from reviewed flags, de-identified (nlp.deid)."""

from __future__ import annotations

import json

import pytest

from nlp.deid import Pseudonymiser, shared_analyzer
from review_app.store import list_flags, note_authors, record_decision, record_mark
from review_app.teaching import (
    build_examples,
    check_gold,
    split_sentences,
    teachable_flags,
    to_jsonl,
)

IDENTIFIERS = [
    "Tomasz",
    "Wren",
    "Alina",
    "Freddie",
    "Lusk",
    "Gwen",
    "Harlow",
    "N-000",
    "P-10",
    "P-20",
    "943 476 5919",
    "LS6 2AB",
    "Willow House",
    "Birchwood",
    "Dana Kerr",
    "Sam Oyelaran",
    "Priya Natt",
    # the notes' own dates (seed 3 shifts every date by 176 days)
    "2026-01-",
    "2026-02-",
    "2026-03-",
    "2026-04-",
]


@pytest.fixture(scope="module")
def analyzer():
    return shared_analyzer()


def test_offsets_map_onto_new_text(analyzer) -> None:
    p = Pseudonymiser(analyzer, seed=1)
    text = "Kitchen locked by Jo. Freddie Lusk stayed in.\nSupported Freddie to make toast."
    spans = split_sentences(text)
    assert [text[a:b] for a, b in spans] == [
        "Kitchen locked by Jo.",
        "Freddie Lusk stayed in.",
        "Supported Freddie to make toast.",
    ]
    new = p.pseudonymise(text, boundaries=[x for span in spans for x in span])
    mapped = [new.text[new.map_offset(a) : new.map_offset(b, "end")] for a, b in spans]
    assert mapped[0].startswith("Kitchen locked by ") and mapped[0].endswith(".")
    assert mapped[1].endswith(" stayed in.") and "Freddie" not in mapped[1]
    assert mapped[2].startswith("Supported ") and mapped[2].endswith(" to make toast.")


def test_split_sentences_keeps_fixed_spans() -> None:
    text = "A b. Mr. Smith said no! New line\nlast one"
    spans = split_sentences(text, fixed=[(5, 23)])
    assert [text[a:b] for a, b in spans] == ["A b.", "Mr. Smith said no!", "New line", "last one"]


def test_teaching_examples_gold_format(loaded_sqlite, analyzer) -> None:
    _, engine = loaded_sqlite
    flags = {(f.note_id, f.category): f for f in list_flags(engine)}
    record_decision(engine, flags["N-0001", "doing_for"].flag_id, "confirmed", "ann", 0)
    record_decision(
        engine,
        flags["N-0001", "unrecorded_restriction"].flag_id,
        "dismissed",
        "ann",
        0,
        reason="authorised elsewhere",
    )
    record_decision(
        engine, flags["N-0005", "unrecorded_restriction"].flag_id, "confirmed", "ann", 0
    )
    record_decision(
        engine,
        flags["N-0004", "missing_rationale"].flag_id,
        "dismissed",
        "ann",
        0,
        reason="rationale given elsewhere",
    )
    record_decision(
        engine,
        flags["N-0003", "unrecorded_restriction"].flag_id,
        "dismissed",
        "ann",
        0,
        reason="not a restriction",
    )
    picked = [f.flag_id for f in teachable_flags(engine)]
    assert len(picked) == 5
    # every flag of N-0004 is decided: marked reviewed, its other sentences are known 0s
    record_mark(engine, "note_reviewed", flags["N-0004", "missing_rationale"].note_key, "ann")
    complete_only = build_examples(engine, picked, Pseudonymiser(analyzer, seed=3))
    assert [r["review_status"] for r in complete_only] == ["complete"]  # the default
    records = build_examples(engine, picked, Pseudonymiser(analyzer, seed=3), include_partial=True)
    lines = to_jsonl(records).splitlines()
    assert len(lines) == 4  # one per note
    by_text = {}
    for line in lines:
        record = json.loads(line)
        assert check_gold(record) == []
        assert set(record) >= {
            "note_id",
            "person_id",
            "service",
            "note_type",
            "date",
            "author",
            "text",
            "sentences",
        }
        for ident in IDENTIFIERS:
            assert ident not in line, ident
        if "Outing to" in line:  # a town is no PII (annotations/pii/README.md): kept
            assert "Outing to Harrogate" in line
        for s in record["sentences"]:
            by_text[record["text"][s["start"] : s["end"]]] = s
    washed = next(s for t, s in by_text.items() if t.startswith("Staff washed and dressed"))
    assert washed["doing_for"] == 1 and washed["restriction"] is None  # not decided: null
    kitchen = by_text["Kitchen locked after 9pm."]
    # dismissed as authorised elsewhere: still a restriction, but in the register
    assert (kitchen["restriction"], kitchen["restriction_type"], kitchen["in_register"]) == (
        1,
        "environmental",
        1,
    )
    assert kitchen["missing_rationale"] is None  # its own flag is still open: unknown
    sent = next(s for t, s in by_text.items() if t.endswith("was sent to his room after shouting."))
    assert (sent["restriction"], sent["restriction_type"], sent["in_register"]) == (
        1,
        "seclusion",
        0,
    )
    outing = next(s for t, s in by_text.items() if t.startswith("Outing to"))
    assert outing["missing_rationale"] == 0
    toast = next(s for t, s in by_text.items() if t.endswith("to make toast."))
    assert (toast["doing_for"], toast["missing_rationale"]) == (0, 0)  # a reviewed note
    phone = by_text["Staff took his phone off him."]
    assert phone["restriction"] == 0 and phone["restriction_type"] is None
    statuses = {json.loads(line)["review_status"] for line in lines}
    assert statuses == {"partial", "complete"}


def test_the_store_lists_every_author_and_service(loaded_sqlite) -> None:
    _, engine = loaded_sqlite
    assert note_authors(engine) == [
        ("Dana Kerr", "Birchwood Supported Living"),
        ("Dana Kerr", "Willow House"),
        ("Priya Natt", "Birchwood Supported Living"),
        ("Sam Oyelaran", "Willow House"),
    ]


def test_teaching_export_learns_authors_of_notes_it_does_not_export(
    loaded_sqlite, analyzer
) -> None:
    """Only a Dana Kerr note is exported; Sam Oyelaran (Willow House) writes none of it, but
    colleagues write his name and initials, so the batch replaces them too."""
    _, engine = loaded_sqlite
    flag = next(
        f for f in list_flags(engine) if f.note_id == "N-0001" and f.category == "doing_for"
    )
    record_decision(engine, flag.flag_id, "confirmed", "ann", 0)
    pseudonymiser = Pseudonymiser(analyzer, seed=3)
    records = build_examples(engine, [flag.flag_id], pseudonymiser, include_partial=True)
    assert [r["note_id"] != "N-0001" for r in records] == [True]  # the id is pseudonymised
    text = "Handed over to SO at 8. Oyelaran to ring the GP."
    out = pseudonymiser.pseudonymise(text, service="Willow House").text
    assert "SO" not in out.split() and "Oyelaran" not in out, out
    assert out.endswith(" to ring the GP."), out
