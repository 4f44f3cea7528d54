"""Round 9: initials standing alone in an attendance list are people; a modal opening a
line before a bare verb is no name (the decision with MiniLM's votes could add it)."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from tests.deid.test_names import assert_replaced, words


@pytest.mark.parametrize(
    ("text", "initials"),
    [
        ("Care review. Present: MG, daughter Sheila, FD, care lead.", ("MG", "FD")),
        ("Present: LC (senior), JS (daughter), Ethel herself.", ("LC", "JS")),
        ("Attendees: KT, sister Demi, CB\nGoals: travel to the coast.", ("KT", "CB")),
        ("Best interests meeting. Apologies: RW and HN. Decision deferred.", ("RW", "HN")),
    ],
)
def test_initials_alone_in_an_attendance_list_are_replaced(
    pseudonymise: Callable[..., list[str]], text: str, initials: tuple[str, ...]
) -> None:
    assert_replaced(pseudonymise, text, initials)


@pytest.mark.parametrize(
    "text",
    [
        "Present: OT, SW and GP. Plan agreed.",  # roles attending, not initials
        "Present: DWP letter re PIP on the table.",  # no list of people
        "Attending: day centre Mon and Thu.",
    ],
)
def test_roles_and_words_after_an_attendance_label_stay(
    pseudonymise: Callable[..., list[str]], text: str
) -> None:
    (out,) = pseudonymise(text)
    assert out == text, out


def test_a_modal_opening_a_line_before_a_bare_verb_stays(
    pseudonymise: Callable[..., list[str]],
) -> None:
    out = pseudonymise("Will do the form later.", "May need a GP visit.", "Will Garside rang.")
    assert out[:2] == ["Will do the form later.", "May need a GP visit."], out
    assert "Garside" not in out[2], out


@pytest.mark.parametrize(
    "text",
    [
        "Will need reminding to drink more.\nWill was in good spirits today.",
        "Will go to the day centre on Monday.\nStaff asked Will about the day centre.",
    ],
)
def test_a_modal_reading_yields_where_the_note_names_the_word(
    pseudonymise: Callable[..., list[str]], text: str
) -> None:
    """The modal rule never blocks a word the same note names: both are replaced
    (found by the review: the first version kept the first ``Will``)."""
    (out,) = pseudonymise(text)
    assert "Will" not in words(out), out


@pytest.mark.parametrize(
    ("text", "name"),
    [
        ("Rang D'Souza at the surgery, no answer.", "D'Souza"),
        ("SPOKE TO O'ROURKE RE THE KEY SAFE.", "O'ROURKE"),
    ],
)
def test_names_with_an_apostrophe_are_read_by_minilm_too(
    pseudonymise: Callable[..., list[str]], text: str, name: str
) -> None:
    """MiniLM reads every word the decision judges, apostrophes inside included: before
    the review it read none of them, and its silence counted as a firm "no name"."""
    (out,) = pseudonymise(text)
    assert name not in out, out
