"""Round 3: general rules found on an independent development set (probe notes written here).

Each test failed before the rule it names: initials that sign a note, ``A``/``I`` as
initials, rarer English, medical and Welsh words, regions, pets, form labels, places that
open a body's name, shops after a determiner, places after ``in``/``at``, words in capital
lines, Scottish and Welsh flats, spaced references, short dates.
"""

from __future__ import annotations

import re

import pytest

from nlp.deid.entities import resolve
from nlp.deid.lexicons import load
from nlp.deid.recognisers import find_patterns


def found(text: str) -> list[tuple[str, str]]:
    return [(e.kind, text[e.start : e.end]) for e in resolve(find_patterns(text))]


def words(text: str) -> set[str]:
    return set(re.findall(r"[^\W_]+", text))


@pytest.mark.parametrize(
    ("text", "gone"),
    [
        ("Settled night, obs within range. TW", ["TW"]),  # initials close the note
        ("Given as per chart. J.P.", ["J", "P"]),
        ("Patch applied, MAR signed PK / RD.", ["PK", "RD"]),  # after "signed"
        ("All well at tea - nadia s", ["nadia", "s"]),  # a name and an initial
        ("Bruise reviewed. I. Mensah RMN", ["I", "Mensah"]),  # "I." before a name
        ("Cash handed to A. Kowalczyk for the trip.", ["A", "Kowalczyk"]),
        ("Referral for Mrs R A OKONJO today.", ["R", "A", "OKONJO"]),
        ("MEDS - OKONJO, R A: Sertraline given.", ["OKONJO", "R", "A"]),  # inverted
    ],
)
def test_initials_are_names(pseudonymise, text: str, gone: list[str]) -> None:
    out = pseudonymise(text)[0]
    for w in gone:
        assert w not in words(out), (w, out)
    assert "RMN" not in text or "RMN" in out


def test_initials_keep_their_layout_and_plain_closing_words_stay(pseudonymise) -> None:
    out = pseudonymise("Given as per chart. J.P.", "Bed at ten. OK", "Ate well. PRN not needed.")
    assert re.fullmatch(r"Given as per chart\. [A-Z]\.[A-Z]\.", out[0]), out[0]
    assert out[1:] == ["Bed at ten. OK", "Ate well. PRN not needed."]


@pytest.mark.parametrize(
    "text",
    [
        pytest.param(
            "Dysphagia assessed; Apixaban given; Diolch yn fawr said Bore da.",  # rare words
            marks=pytest.mark.xfail(
                strict=True,
                reason="round 7: the name tagger tags a capitalised rarer word opening a "
                "note (Dysphagia) and the decision follows it (docs/deid.md, round 7)",
            ),
        ),
        "She moved from Kerala in 1975; her son lives in Ontario.",  # regions
        "His dog Benson was fed. Benson barked at the postman.",  # a pet
        "Faith: Hindu - visits the mandir.",  # a form's label
        "Goes to the MS Society group on Fridays.",  # MS is no title here
        "He worked in Tarnów before the war.",  # a place after "in"
        "Put his Arsenal shirt on for the Everton game.",  # "the X game"
        "Lunch: soup and a Jacob's cracker.",  # a determiner before a possessive: a brand
        "ENJOYS SHOVE HA'PENNY AND CRIBBAGE. WORKED AT CAMMELL LAIRD.",  # capitals, no name
        "Referral to Bolton Council Client Finance. Funding from Salford Royal.",
    ],
)
def test_words_that_are_no_names_survive(pseudonymise, text: str) -> None:
    assert pseudonymise(text) == [text]


def test_names_beside_them_still_go(pseudonymise) -> None:
    out = pseudonymise(
        "Grace: settled, slept well.",  # a label's value says person, not field
        "Ate the cake that June baked. Back in June and Kwame came too.",
        "Rm 4 Rose Baker - settled, fluids fine.",  # a handover's entry
        "FLAT 3 - OKONKWO ASLEEP 23:00.",
    )
    assert "Grace" not in out[0]
    assert "June baked" not in out[1] and "in June and" in out[1] and "Kwame" not in out[1]
    assert "Rose" not in out[2] and "Baker" not in out[2]
    assert "OKONKWO" not in out[3] and "ASLEEP" in out[3]


def test_rare_words_never_block_a_listed_name() -> None:
    lex = load()
    assert lex.is_common("dysphagia") and lex.is_common("annwyl")  # medical, Welsh
    for name in ("glyn", "bryn", "eira", "dewi", "ceri"):  # Welsh words that are names
        assert name not in lex.rare_words, name
    assert "gujarat" in lex.regions and "leeds" not in lex.regions


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Address: 9/2 Lorne Terrace, Perth", ("address", "9/2 Lorne Terrace")),
        ("Address: PF2, 31 Glen Wynd, Perth", ("address", "PF2, 31 Glen Wynd")),
        ("Address: 1/1, 7 Banff Street, Glasgow", ("address", "1/1, 7 Banff Street")),
        ("Cyfeiriad: Fflat 4, 9 Heol y Dderwen", ("address", "Fflat 4, 9 Heol y Dderwen")),
        ("Home: 5 Moss Brow, Bury", ("address", "5 Moss Brow")),
        ("Hospital no: RQT 0442 1187", ("id", "RQT 0442 1187")),
        ("letter (ref DLA 1102 3345 7) came", ("id", "DLA 1102 3345 7")),
        ("Son - +44 (0)7700 900 415 - rings daily", ("phone", "+44 (0)7700 900 415")),
        ("INR reviewed on 9/3, stable.", ("date", "9/3")),
        ("Back on the 22nd for review.", ("date", "22nd")),
        ("Apwyntiad 14 Mawrth gyda'r nyrs.", ("date", "14 Mawrth")),
        ("Now in Seòmar 12.", ("room", "Seòmar 12")),
        ("Her GP is Meddygfa Bryn y Mor.", ("gp_surgery", "Meddygfa Bryn y Mor")),
    ],
)
def test_more_uk_forms(text: str, expected: tuple[str, str]) -> None:
    assert expected in found(text), found(text)


@pytest.mark.parametrize(
    "text",
    ["Ate 1/2 of meal, scored 3/4.", "Moved into a bungalow 2018.", "Reply sent: 12 of 20."],
)
def test_fractions_years_and_counts_are_no_identifiers(text: str) -> None:
    assert found(text) == []


def test_common_word_surnames_and_nicknames(pseudonymise) -> None:
    out = pseudonymise(
        "RM 6 - GEORGE BELL: chest clear. Tea call. ROSE HILL not herself.",
        "tommy king (rm 5) chatty today. nephew danny king brought a cake.",
        'He called me "Sunny" all day. She asked staff to stop calling her "Tiny".',
        "Callum Reid (Rusty) went bowling. Rusty won twice. Mary Jones (Agency) on shift.",
    )
    for w in ("BELL", "HILL", "king", "Sunny", "Tiny", "Rusty"):
        assert w not in words(" ".join(out)), (w, out)
    assert "(Agency)" in out[3] and "bowling" in out[0] + out[3]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Address: Tŷ Gwyn, 4 Stryd y Farchnad, Bala", ("address", "Tŷ Gwyn, 4 Stryd y Farchnad")),
        ("Home: Fferm Bryn Glas, Lôn Isaf, Llan", ("address", "Fferm Bryn Glas, Lôn Isaf")),
        ("Flat D, 12 Kinloch Terrace, Perth", ("address", "Flat D, 12 Kinloch Terrace")),
        ("GP: Seacroft Primary Care Centre", ("gp_surgery", "Seacroft Primary Care Centre")),
    ],
)
def test_welsh_house_names_letter_flats_and_care_centres(text: str, expected) -> None:
    assert expected in found(text), found(text)


def test_acronym_before_its_noun_and_a_shouted_surname(pseudonymise) -> None:
    out = pseudonymise("Shown how to put on the TED stockings. Re KENYON, ALFIE JOSS today.")[0]
    assert "TED stockings" in out
    assert "ALFIE" not in out and "JOSS" not in out and "today" in out


@pytest.mark.parametrize(
    "text",
    [
        "She goes to the Society of Hilda meetings. Went to the Church of Brigid.",  # head + of
        "He saw the Mari Lwyd at the fair.",  # "the" + first name + capital: a custom
        "Dressing: Aquacel Ag and Mepilex. Remedy (Po Chai) given.",  # two letters alone
    ],
)
def test_bodies_customs_and_short_words_survive(pseudonymise, text: str) -> None:
    assert pseudonymise(text) == [text]


def test_two_letter_names_beside_a_title_or_name_still_go(pseudonymise) -> None:
    out = pseudonymise("Mr Wu visited with Jo. Mo Salah rang.")[0]
    assert not {"Wu", "Jo"} & words(out), out


def test_people_beside_pet_and_region_words_still_go(pseudonymise) -> None:
    out = pseudonymise("Sue (dog walker) came at 9. Visit from Tom Kent, back from Devon.")[0]
    assert "Sue" not in out and "Kent" not in out and "Devon" in out, out
