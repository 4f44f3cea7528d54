"""Suggestions and explanations: specific to the sentence, written for a care worker."""

from __future__ import annotations

import json
import re
from collections import defaultdict
from pathlib import Path

import pytest

from nlp.audit import suggestions as sg

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize(
    ("note", "sentence", "span", "rule", "expected"),
    [
        (
            "Mary had toast. Staff washed and dressed Mary before breakfast. She smiled.",
            "Staff washed and dressed Mary before breakfast.",
            "washed and dressed Mary",
            "doing_for.active",
            "Mary washed and dressed before breakfast with support from staff.",
        ),
        (
            "Edna was up early. I washed and dressed her and brushed her hair.",
            "I washed and dressed her and brushed her hair.",
            "washed and dressed her",
            "doing_for.active",
            "Edna washed and dressed and brushed her hair with my support.",
        ),
        (
            "Ann woke at 7. She was hoisted into her wheelchair and taken to the lounge.",
            "She was hoisted into her wheelchair and taken to the lounge.",
            "She was hoisted into her wheelchair and taken",
            "doing_for.passive",
            "Ann moved with the hoist into her wheelchair and went to the lounge with support "
            "from staff.",
        ),
        (
            "Doreen slept well. Pad changed. She ate breakfast.",
            "Pad changed.",
            "Pad changed",
            "doing_for.shorthand",
            "Doreen changed her pad with support from staff.",
        ),
        (
            "Len asked for soup. Fed him the soup as his right hand was shaky today.",
            "Fed him the soup as his right hand was shaky today.",
            "Fed him the soup as his right hand was shaky today.",
            "",
            "Len ate the soup with support from staff as his right hand was shaky today.",
        ),
        (
            "Alf was tired. Put to bed 20:30.",
            "Put to bed 20:30.",
            "Put to bed 20:30.",
            "",
            "Alf went to bed 20:30 with support from staff.",
        ),
    ],
)
def test_doing_for_rewords_the_sentence(note, sentence, span, rule, expected) -> None:
    person = sg.person_in(note, sentence)
    assert sg.reword(sentence, person, span, rule) == expected
    why, tip = sg.doing_for(sentence, span, rule, person)
    assert expected in tip and "record what" in tip
    assert person.name in why


@pytest.mark.parametrize(
    ("sentence", "span"),
    [
        ("His dinner was served first as per his PBS plan.", "His dinner was served"),
        ("Gwen's arm is healing well, dressing changed.", "dressing changed"),
    ],
)
def test_no_rewording_that_is_not_a_sentence(sentence, span) -> None:
    """A rewording must read '<person> <verb> ...'; otherwise the plain advice is given."""
    person = sg.person_in(f"Gwen had a good day. {sentence}", sentence)
    assert sg.reword(sentence, person, span, "doing_for.shorthand") is None
    _, tip = sg.doing_for(sentence, span, "doing_for.shorthand", person)
    assert tip.startswith("Rewrite") and "as the one acting" in tip


def test_person_and_pronouns() -> None:
    person = sg.person_in("Wifi off at 23:00. Reece came down to complain; he was told no.")
    assert (person.name, person.subj, person.refl) == ("Reece", "he", "himself")
    assert sg.person_in("Cigs given hourly. Checks done.").name == ""


def test_restriction_names_what_to_cite_and_the_register() -> None:
    person = sg.Person("Bernard", "he", "his", "himself")
    why, tip = sg.restriction(
        "PRN lorazepam given",
        "PRN lorazepam given.",
        "chemical",
        "out_of_date",
        person,
        "2026-03-31",
    )
    assert "register entry out of date (review date 2026-03-31)" in why
    assert "PRN protocol" in tip and "reviewed with Bernard" in tip
    why, tip = sg.restriction(
        "Kitchen locked", "Kitchen locked at 9.", "environmental", "not_in_register", person
    )
    assert "not in Bernard's restriction register" in why
    assert "“Kitchen locked, as agreed in Bernard’s best-interests decision" in tip


def test_missing_rationale_says_what_the_reason_should_say() -> None:
    person = sg.Person("Reece", "he", "his", "himself")
    _, tip = sg.missing_rationale("Wifi switched off", "Wifi switched off at 23:00.", person)
    assert "“Wifi switched off”" in tip
    for part in ("trigger", "Reece said or wanted", "less restrictive"):
        assert part in tip
    _, prn = sg.missing_rationale("PRN given", "PRN lorazepam given.", person)
    assert "what was tried first" in prn and "whether it helped" in prn


def test_plan_gap_advice_per_element() -> None:
    person = sg.Person("Aileen", "she", "her", "herself")
    tips = {e: sg.plan_gap(e, "tablets in her food", person) for e in sg.PLAN_ADVICE}
    assert len(set(tips.values())) == 4
    assert all("“tablets in her food”" in t for t in tips.values())
    assert "Aileen" in tips["involvement"]


@pytest.fixture(scope="module")
def sample_flags(tmp_path_factory: pytest.TempPathFactory) -> tuple[list[dict], dict[str, str]]:
    from typer.testing import CliRunner

    from cli.main import app

    out = tmp_path_factory.mktemp("run")
    result = CliRunner().invoke(
        app,
        [
            "audit",
            str(ROOT / "examples" / "sample_notes.csv"),
            "--register",
            str(ROOT / "examples" / "register.csv"),
            "--out",
            str(out),
            "--no-progress",
        ],
    )
    assert result.exit_code == 0, result.output
    flags = [json.loads(line) for line in (out / "flags.jsonl").open(encoding="utf-8")]
    notes = {}
    for line in (out / "notes.jsonl").open(encoding="utf-8"):
        note = json.loads(line)
        notes[note["note_id"]] = note["text"]
    return flags, notes


COMMON = frozenset(
    [
        *("the", "and", "was", "were", "for", "with", "his", "her", "their", "him", "she"),
        *("they", "had", "has", "not", "but", "from", "this", "that", "staff", "then"),
        *("when", "what", "who", "said", "told"),
    ]
)


def _words(text: str) -> set[str]:
    return {w.lower() for w in re.findall(r"[A-Za-z£0-9:]{3,}", text)} - COMMON


def test_every_sample_flag_has_a_suggestion_specific_to_its_sentence(sample_flags) -> None:
    flags, notes = sample_flags
    assert flags
    spans_of: dict[tuple[str, str], set[str]] = defaultdict(set)
    for f in flags:
        text = notes[f["note_id"]]
        sentence = " ".join(text[f["sentence_start"] : f["sentence_end"]].split())
        tip = f["suggestion"]
        assert tip.strip(), f
        assert "hybrid p=" not in tip and "rules:" not in f["explanation"], f
        # it takes words from the sentence (a rewording or a quotation of it)
        assert _words(tip) & (_words(sentence) | _words(f["span_text"])), (sentence, tip)
        spans_of[(f["category"], tip)].add(" ".join(f["span_text"].lower().split()))
    # and no two different flagged phrases get the same text
    shared = {k: v for k, v in spans_of.items() if len(v) > 1}
    assert not shared, shared
