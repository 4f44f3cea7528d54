"""Round 15: a town word replaced anywhere in a note, as a name or as a town no position
put as a place, is replaced everywhere in that note, also where a cue or travel word
would have kept it (``SN Crewe on nights ... went to Crewe``): a word left as written in
one sentence would tell a reader the word replaced in another."""

from __future__ import annotations

import pytest


@pytest.mark.parametrize(
    ("text", "word"),
    [
        ("SN Crewe on nights. He went to Crewe with his son.", "Crewe"),
        ("Spoke to SN Crewe. Later she went to Crewe.", "Crewe"),
        ("Bolton rang about meds. Later we went to Bolton.", "Bolton"),
        ("She comes from Crewe and visited Crewe station.", "Crewe"),
    ],
)
def test_a_town_word_replaced_once_is_replaced_everywhere(
    pseudonymise, text: str, word: str
) -> None:
    (out,) = pseudonymise(text)
    assert word not in out, out


@pytest.mark.parametrize(
    ("text", "town"),
    [
        ("Lives in Whitby. Went to Whitby market with staff.", "Whitby"),
        ("Went to Leeds with her son. Enjoyed the trip to Leeds.", "Leeds"),
    ],
)
def test_a_town_kept_at_every_mention_stays(pseudonymise, text: str, town: str) -> None:
    (out,) = pseudonymise(text)
    assert out.count(town) == 2, out


@pytest.mark.parametrize(
    ("text", "letter"),
    [
        ("12:30 dorota k – lunch, sandwich and soup.", " k "),
        ("carer: elaine h | tea made.", " h "),
        ("Watched the match with mhairi and joe v, good banter.", " v,"),
        ("Sandy B, Jeanie L, Rocky and Marion attended.", " L,"),
    ],
)
def test_a_surname_initial_closing_an_entry_is_replaced(
    pseudonymise, text: str, letter: str
) -> None:
    (out,) = pseudonymise(text)
    assert letter not in out, out


@pytest.mark.parametrize(
    ("text", "kept"),
    [
        ("Told Jeanie I would come back.", " I would"),
        ("Gave mary a drink.", " a drink"),
        ("Thanks, Julie x", " x"),
        ("Plan B agreed with Mary.", "Plan B agreed"),
    ],
)
def test_a_word_or_kiss_after_a_name_is_no_initial(pseudonymise, text: str, kept: str) -> None:
    (out,) = pseudonymise(text)
    assert kept in out, out
