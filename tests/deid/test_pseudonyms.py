"""Pseudonyms: same original -> same pseudonym; gender and kind kept; dates per person."""

from __future__ import annotations

from datetime import date
from types import SimpleNamespace

from nlp.deid import Pseudonymiser
from nlp.deid.dates import shift_date_text
from nlp.deid.export import deidentify_notes


def female(p: Pseudonymiser) -> set[str]:
    return {n for n, g in p.lex.pseudo_first if g == "f"} | {
        k.title() for k, g in p.lex.first_names.items() if g == "f"
    }


def male(p: Pseudonymiser) -> set[str]:
    return {n for n, g in p.lex.pseudo_first if g == "m"} | {
        k.title() for k, g in p.lex.first_names.items() if g == "m"
    }


def test_pseudonym_keeps_gender_shown_by_pronouns_and_titles(deid_analyzer) -> None:
    for seed in range(5):
        p = Pseudonymiser(deid_analyzer, seed=seed)
        # unlisted names: only the text says who is who
        out = p.pseudonymise(
            "Ngozika came in from the garden and she asked for tea. "
            "Later Obinwanne said he was tired. Mx Tayo rang."
        ).text
        she, he = out.split()[0], out.split("Later ")[1].split()[0]
        assert she in female(p) and she not in male(p), out
        assert he in male(p) and he not in female(p), out
        titled = p.pseudonymise("Mrs Adaeze Okoro and Mr Chidi Okoro visited.").text
        assert titled.split()[1] in female(p) and titled.split()[5] in male(p), titled


def test_pseudonym_keeps_kind(deid_analyzer) -> None:
    p = Pseudonymiser(deid_analyzer, seed=2)
    out = p.pseudonymise("Megan took Ravi to Harrogate, then to 14 Acacia Avenue.").text
    words = out.replace(",", "").replace(".", "").split()
    people = {n for n, _ in p.lex.pseudo_first} | {k.title() for k in p.lex.first_names}
    assert words[0] in people and words[2] in people
    # a town right after a person's name may be a name: replaced, by a place (kind kept)
    assert words[4] in p.lex.pseudo_places, out
    kept = p.pseudonymise("Megan went to Harrogate.").text  # written as a place: no PII
    assert kept.endswith("went to Harrogate."), kept
    assert "Avenue" in out and "Acacia" not in out and "14 Acacia" not in out


def test_same_original_same_pseudonym(deid_analyzer) -> None:
    p = Pseudonymiser(deid_analyzer, seed=11)
    a = p.pseudonymise("Mary Jones had lunch. NHS 943 476 5919, 0114 496 0381.").text
    b = p.pseudonymise("Mary was tired. Called 0114 496 0381 about 943 476 5919.").text
    mary, jones = a.split()[:2]
    assert b.startswith(f"{mary} was tired.")
    assert a.split("NHS ")[1][:12] in b and a.split(", ")[1][:13] in b
    assert p.value("PERSON", "Mary Jones") == f"{mary} {jones}"


def notes(*rows: tuple[str, str, str, str]) -> list[SimpleNamespace]:
    return [
        SimpleNamespace(
            note_id=f"N-{i}",
            person_id=pid,
            date=day,
            service="Willow House",
            author=author,
            note_type="daily_note",
            text=text,
        )
        for i, (pid, day, author, text) in enumerate(rows)
    ]


def test_consistent_across_rows(deid_analyzer) -> None:
    rows = deidentify_notes(
        notes(
            ("P-1", "2026-03-01", "Dana Kerr (Carer)", "Siobhan Byrne was calm. Seen 03/03/2026."),
            ("P-2", "2026-03-01", "Sam Okoro", "Kwabena went out with Dana."),
            (
                "P-1",
                "2026-03-05",
                "Dana Kerr (Carer)",
                "siobhan asked for Dana. Review 10/03/2026.",
            ),
        ),
        Pseudonymiser(deid_analyzer, seed=5),
    )
    assert [r["note_id"] for r in rows] == ["N-T-0001", "N-T-0002", "N-T-0003"]
    assert rows[0]["person_id"] == rows[2]["person_id"] != rows[1]["person_id"]
    assert rows[0]["author"] == rows[2]["author"] and rows[0]["author"].endswith(" (Carer)")
    assert "Dana" not in rows[0]["author"] and rows[0]["service"] == rows[1]["service"]
    siobhan = rows[0]["text"].split()[0]
    assert rows[2]["text"].startswith(siobhan.lower() + " asked for ")
    dana = rows[0]["author"].split()[0]
    assert rows[1]["text"].endswith(f"out with {dana}.") and rows[2]["text"].count(dana) == 1
    # one shift per person: the record dates and the dates in the text move together
    d0, d2 = (date.fromisoformat(rows[i]["date"]) for i in (0, 2))
    assert d0 != date(2026, 3, 1) and (d2 - d0).days == 4
    days = (d0 - date(2026, 3, 1)).days
    assert shift_date_text("03/03/2026", days) in rows[0]["text"]
    assert shift_date_text("10/03/2026", days) in rows[2]["text"]


def test_pseudonym_shares_no_part_with_the_original(deid_analyzer) -> None:
    for seed in range(8):
        p = Pseudonymiser(deid_analyzer, seed=seed)
        out = p.pseudonymise("Mrs O'Donovan and Mr Greenwood-Hirst visited.").text
        assert "O'" not in out and "Greenwood" not in out and "Hirst" not in out, out
