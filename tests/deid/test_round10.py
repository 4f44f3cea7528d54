"""Round 10: capital initials standing where only a person stands inside a line are
people (after a role, before a possessive, after ``per`` or a handover's ``from``, after a
done word closing a line, opening a sentence before a verb); clinical abbreviations in the
same places stay."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from tests.deid.test_names import assert_replaced, words


@pytest.mark.parametrize(
    ("text", "initials"),
    [
        ("Review held with Dorcas and her son. Team lead RQ to send minutes.", ("RQ",)),
        ("Dressing changed by carer WZ, wound clean.", ("WZ",)),
        ("VN's phone was taken by staff at 9pm and returned at 7am.", ("VN",)),
        ("Refused lunch per KJB, ate soup at 2pm instead.", ("KJB",)),
        ("Hand over from GX at 8pm: settled, no concerns.", ("GX",)),
        ("Paracetamol 1g 08:00 given YF\nLactulose 10ml 08:00 given YF", ("YF",)),
        ("Shouting in the lounge at 6pm. QM to ring his sister tomorrow.", ("QM",)),
        ("Breakfast in room.\nZK refused his tablets and went back to bed.", ("ZK",)),
        # the review: a name after "and", lists of three, modals, a full stop after a done word
        ("Care lead LP and Sam Green attended.", ("LP", "Green")),
        ("Told LP and Sam Green about the fall.", ("LP",)),
        ("DS, KJ and PW attended the review.", ("DS", "KJ", "PW")),
        ("DS, KJ, PW on shift.", ("DS", "KJ", "PW")),
        ("WZ will ring his sister tomorrow.", ("WZ",)),
        ("Paracetamol given YF.", ("YF",)),
        # the review: abbreviations listed for this rule only, so other initials rules hold
        ("Witnessed by BD.", ("BD",)),
        ("Checked by HR.", ("HR",)),
        ("Meds given by TV and PL.", ("TV", "PL")),
        ("Paracetamol given (TK, BD)", ("TK", "BD")),
        ("Quiet night, no concerns. Ceri HR", ("Ceri", "HR")),
        ("Present: LC (senior), CT (daughter)", ("LC", "CT")),
    ],
)
def test_initials_in_a_persons_slot_are_replaced_and_other_initials_rules_hold(
    pseudonymise: Callable[..., list[str]], text: str, initials: tuple[str, ...]
) -> None:
    assert_replaced(pseudonymise, text, initials)


@pytest.mark.parametrize(
    "text",
    [
        "BP to be rechecked at 6pm, was 152/90.",
        "MRI's result is due next week.",
        "Paracetamol 1g given BD as prescribed.",
        "Eyes checked per GP advice.",
        "Hand over from SW: visit moved to Friday.",
        "Watched TV with his brother after tea.",
        "OT to assess the bath lift on Monday.",
        "Home oxygen since January (BOC ref 7720154).",  # the tagger calls 'ref' a verb
        # the review: routes closing a MAR line, services and roles in those places
        "Paracetamol 1g given PO",
        "Morphine 5mg given IM",
        "Enoxaparin given SC\nParacetamol given PO",
        "Threshold discussed per EDT.",
        "Spoke with PA about hours.",
        "CM rang about funding.",
        "BMI is 19.",
    ],
)
def test_abbreviations_in_those_places_stay(
    pseudonymise: Callable[..., list[str]], text: str
) -> None:
    (out,) = pseudonymise(text)
    capitals = {w for w in words(text) if w.isupper() and 2 <= len(w) <= 3}
    assert capitals and capitals <= words(out), out



def test_a_town_after_a_dog_lead_stays(pseudonymise: Callable[..., list[str]]) -> None:
    (out,) = pseudonymise("Kept on lead Brighton seafront, enjoyed the walk.")
    assert "Brighton" in words(out), out
