"""Names a record's layout places beside names already found (round 17).

These rules run after the learned decision (:meth:`nlp.deid.names.NameFinder.find`) and
only add names: a word is named here because the note writes it in a slot that a found
name, a found room or found initials already mark as a person's:

- ``Hedges, Ces: Rm 3``, ``RESIDENT: PLOWRIGHT, CLEMENCY   ROOM: 4``: the forename after a
  surname that opens a field, closing that field (:func:`forenames_after_surnames`);
- ``Rm 3 - Ces - chesty``, ``fl4 DW - out``: the person of a handover line that opens with
  a room (:func:`persons_of_room_lines`);
- ``KC/RC``, ``BM / JB``, ``GE, RhG``: initials standing alone with other initials that
  sign (:func:`initials_beside_initials`); ``... Reassured. PC RGN``: letters and a job
  title closing the note (:func:`initials_before_a_role`); ``PC -> Ioana``: initials
  across a handover arrow from a found name (:func:`initials_across_an_arrow`);
- ``Ugo's sister``: the possessor of a relation word (:func:`possessors_of_kin`);
- round 18: a table cell holding an initial and a surname (``| J Quartermaine |``,
  ``W.Szulc`` between tabs), or a found surname and an initial (``Ferrabee T|``)
  (:func:`names_in_table_cells`, read from the text once names are found).

Each function returns the token indices to name; ``is_name`` says whether a token is
already a name (or initials) and ``never`` holds tokens no rule may name (identifiers,
listed not-names, things).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Container, Iterator
from typing import Any

from nlp.deid import context as cx
from nlp.deid.entities import Entity
from nlp.deid.lexicons import Lexicons
from nlp.deid.recognisers import NOT_INITIALS, table_cells

IsName = Callable[[int], bool]
_FIELD_ENDS = frozenset([":", "|", "(", "-", "–", "—", ";", ",", "/"])
_REGISTER_ENDS = frozenset([":", "|"])
_DASHES = frozenset(["-", "–", "—", ":"])
_POSSESSIVE = frozenset(["'s", "’s"])
_KIN_ADJECTIVES = frozenset(["elder", "older", "younger", "big", "little", "twin", "late", "baby"])
_ROOM_START = re.compile(
    r"(?:room|rm|bed|bedroom|flat|fl|br|sr|r)\.?\s?\d{1,4}[a-z]?", re.IGNORECASE
)
INITIALS = re.compile(r"[A-Z]{2,3}")
_JOINERS = frozenset(["/", ",", "&", "+"])
# initials with a Welsh or Gaelic digraph or a Mc ("RhG", "LlW", "SMcK"), in a list of initials
_LISTED_INITIALS = re.compile(
    r"[A-Z]{2,3}|[A-Z]?(?:Rh|Ll|Dd|Ff|Ch|Mc)[A-Z]{1,2}|[A-Z][A-Z]?Mc[A-Z]"
)


def _plain(key: str) -> bool:
    """Words that name a slot, a state or a date, never the person in it."""
    return (
        key in cx.TITLES
        or key in cx.RELATIONS
        or key in cx.ROLES
        or key in cx.MONTHS_DAYS
        or key in cx.STATES
    )


def _closes_field(doc: Any, i: int, marks: frozenset[str] = _FIELD_ENDS) -> bool:
    """The token ends its field: the note, the line, a run of spaces or one of ``marks``
    (a register's field closes only at a colon or a pipe: :data:`_REGISTER_ENDS`)."""
    tok = doc[i]
    if i + 1 >= len(doc) or "\n" in tok.whitespace_:
        return True
    nxt = doc[i + 1]
    return nxt.is_space or nxt.text in marks


def _name_word(key: str, lex: Lexicons, listed: Container[str]) -> bool:
    """A word that may stand for a person on its own: listed, or in no word list."""
    return key in listed or not (lex.is_common(key) or key in lex.not_names)


def forenames_after_surnames(doc: Any, is_name: IsName, lex: Lexicons, never: set[int]) -> set[int]:
    """``Hedges, Ces:``, ``PLOWRIGHT, CLEMENCY   ROOM: 4``, ``| TASKER, Lyndon |``: a
    register's ``Surname, Forename``. A capitalised word right after a name and its comma,
    the name opening a line or a field and the word (or it and a second forename,
    ``Pellow, Ysolde Merryn:``) closing it, is the forename; a common word only before a
    colon, a pipe, spaces or the line's end (``Clemency``; not ``Pascoe, Hospital -
    admitted``). Where the finder found neither (``Pritchard, Ysolde:`` reads as a label),
    both are named when the first is a listed surname or in no word list and the second a
    listed forename or in no word list. Never a title, relation, role, state, month or day,
    a listed not-name or abbreviation, an acronym or a place (``Jones, Manager:``, ``Obs:
    BP, HR``, ``Smith, Leeds |``)."""
    out: set[int] = set()
    for tok in doc:
        i = tok.i
        if i < 2 or i in never or doc[i - 1].text != ",":
            continue
        if not cx.is_alpha_word(tok.text) or not tok.text[:1].isupper() or tok.is_stop:
            continue
        surname = i - 2
        first = doc[surname]
        if first.whitespace_ or surname in never or not cx.line_initial(doc, surname):
            continue
        if not cx.is_alpha_word(first.text) or not first.text[:1].isupper():
            continue
        key, sur = cx.fold(tok.text), cx.fold(first.text)
        if any(_plain(k) or k in lex.places or k in lex.regions for k in (key, sur)):
            continue
        if key in lex.not_names or key in cx.ABBREVIATIONS or INITIALS.fullmatch(tok.text):
            continue  # "Obs: BP, HR": readings, not a register's names
        last = i + 1 if _second_forename(doc, i, lex) else i  # "Pellow, Ysolde Merryn:"
        if not _closes_field(doc, last):
            continue
        word = _name_word(key, lex, lex.first_names)
        if not word and not _closes_field(doc, last, _REGISTER_ENDS):
            continue  # "Pascoe, Hospital - admitted": a common word before a dash
        forenames = {i, last}
        if is_name(surname):
            out |= forenames
        elif _name_word(sur, lex, lex.surnames) and (is_name(i) or word):
            out |= forenames | {surname}
    return {j for j in out if not is_name(j)}


def _second_forename(doc: Any, i: int, lex: Lexicons) -> bool:
    """A second capitalised word right after forename ``i``, listed or in no word list."""
    if i + 1 >= len(doc) or doc[i].whitespace_ != " ":
        return False
    nxt = doc[i + 1]
    if not cx.is_alpha_word(nxt.text) or not nxt.text[:1].isupper():
        return False
    key = cx.fold(nxt.text)
    return not _plain(key) and (_name_word(key, lex, lex.first_names) or key in lex.surnames)


def _room_line_persons(doc: Any, fixed: set[int]) -> list[list[int]]:
    """For each line opening with a found room (``Rm 3 -``, ``fl5``), the words after it
    (up to three, the first capitalised) that a dash or colon closes."""
    lines: list[list[int]] = []
    for tok in doc:
        i = tok.i
        if i not in fixed or not cx.line_initial(doc, i) or i - 1 in fixed:
            continue
        j = i
        while j + 1 < len(doc) and j + 1 in fixed:
            j += 1  # the room's tokens: "Rm", "3"
        if not _ROOM_START.fullmatch(doc[i : j + 1].text.replace(" ", "")):
            continue
        k = j + 1
        while k < len(doc) and (
            doc[k].text in _DASHES or (doc[k].is_space and "\n" not in doc[k].text)
        ):
            k += 1
        words: list[int] = []
        while k < len(doc) and len(words) < 3 and cx.is_alpha_word(doc[k].text):
            words.append(k)
            if "\n" in doc[k].whitespace_:
                break
            k += 1
        if not words or not doc[words[0]].text[:1].isupper():
            continue
        end = words[-1]
        nxt = cx.next_word(doc, end)
        if nxt is not None and nxt.text in _DASHES and "\n" not in doc[end].whitespace_:
            lines.append(words)
    return lines


def persons_of_room_lines(
    doc: Any,
    is_name: IsName,
    lex: Lexicons,
    never: set[int],
    fixed: set[int],
    initials_word: Callable[[str], bool],
) -> set[int]:
    """``Rm 3 - Ces - chesty``, ``fl4 DW - out``, ``RM 4 MENUCHA GROSS –``: a handover line
    that opens with a found room, then one or two capitalised words closed by a dash, names
    its person there. A word in no word list is named on that alone, and so is a word right
    after a name in that place (``GROSS``, ``Fudge``); a listed name that is also a word, a
    rare word (``Ces``) and initials (``DW``) only where another such line of the note
    already holds a found name. Titles stay (``Rm 21 - Mrs Grabowska -``); everyday English
    words do not become names (``Rm 5 - Vacant -``, ``Rm 4 - Hospital -``, ``fl5 Tabby -``:
    a word, though a name here)."""
    lines = _room_line_persons(doc, fixed)
    held = [any(is_name(j) for j in words) for words in lines]
    out: set[int] = set()
    for n, words in enumerate(lines):
        others = any(h for m, h in enumerate(held) if m != n)
        for j in words:
            tok = doc[j]
            key = cx.fold(tok.text)
            if j in never or is_name(j) or _plain(key) or key in lex.not_names:
                continue
            if INITIALS.fullmatch(tok.text):
                if others and initials_word(tok.text):
                    out.add(j)
                continue
            if not tok.text[:1].isupper() or tok.is_stop:
                continue
            listed = key in lex.first_names or key in lex.surnames
            everyday = key in lex.common_words  # "Hospital", "Vacant"; not the rare "Ces"
            after_name = j - 1 in words and (is_name(j - 1) or j - 1 in out)  # "MENUCHA GROSS"
            if not lex.is_common(key) or after_name or (others and (listed or not everyday)):
                out.add(j)
    return out


def _segment(doc: Any, i: int) -> list[int]:
    """The tokens of ``i``'s line or table cell after any label (``Witness:``), spaces
    left out."""
    lo = i
    while lo > 0 and doc[lo - 1].text not in ("|", ":") and "\n" not in doc[lo - 1].text_with_ws:
        lo -= 1
    hi = i
    while hi + 1 < len(doc) and doc[hi + 1].text != "|" and "\n" not in doc[hi].whitespace_:
        if doc[hi + 1].is_space and "\n" in doc[hi + 1].text:
            break
        hi += 1
    return [k for k in range(lo, hi + 1) if not doc[k].is_space]


def initials_beside_initials(doc: Any, is_name: IsName, never: set[int]) -> set[int]:
    """``KC/RC``, ``BM / JB``, ``(BM & RA)``, ``speakers on rota: Gwen, RhG.``: a line, table
    cell or labelled field holding only initials and names joined by ``/``, ``&``, ``+`` or
    commas, one of them already a person's, names people: the initials are a person's too
    (``RC`` and ``BM`` are abbreviations elsewhere). Titles, roles, job words, listed
    abbreviations and answers stay (``JB / RGN``, ``BP/HR``, ``OK/NA``); in a comma list
    only digraph initials or initials beside a name written as a word (``KC, GP, DN``)."""
    out: set[int] = set()
    for tok in doc:
        i = tok.i
        if i in never or is_name(i) or not _LISTED_INITIALS.fullmatch(tok.text.rstrip(".")):
            continue  # "RhG." closing a sentence is one token
        key = tok.text.rstrip(".").lower()
        if key in cx.TITLES or key in cx.ROLES or key in cx.JOB_WORDS or key in cx.ABBREVIATIONS:
            continue
        if tok.text.upper() in NOT_INITIALS or key in cx.CLOSING_WORDS:
            continue  # "OK/NA"
        cell = [k for k in _segment(doc, i) if doc[k].text not in ("(", ")", ".")]
        joiners = [k for k in cell if doc[k].text in _JOINERS]
        joined = all(
            k in joiners or is_name(k) or _LISTED_INITIALS.fullmatch(doc[k].text.rstrip("."))
            for k in cell
        )
        if len(cell) < 3 or not joined:
            continue
        if any(doc[k].text == "," for k in joiners) and not _digraph_or_beside_a_word(
            doc, i, cell, is_name
        ):
            continue  # "Attendees: KC, GP, DN, MDT": a list of initials may be of teams
        if any(is_name(k) for k in cell if k != i):
            out.add(i)
    return out


def _digraph_or_beside_a_word(doc: Any, i: int, cell: list[int], is_name: IsName) -> bool:
    """In a comma list, initials are named only when they hold a Welsh or Gaelic digraph
    (``RhG``) or a found name written as a word stands in the list (``Gwen, RhG``)."""
    if not INITIALS.fullmatch(doc[i].text.rstrip(".")):
        return True
    return any(is_name(k) and not INITIALS.fullmatch(doc[k].text.rstrip(".")) for k in cell)


def initials_before_a_role(doc: Any, is_name: IsName, never: set[int]) -> set[int]:
    """``... Reassured. PC RGN``, ``... how to prompt. mm SLT``, ``PC (RGN)``: two or three
    letters and a registered professional's title (``signing_title`` in
    context_words.tsv) closing the note, after a sentence or on a line of their own, sign
    it (the letters are a person's, though they spell an abbreviation: personal care,
    millimetres). Not a title, role, relation, closing word, month, listed abbreviation or
    a shift (``... fine. OT RGN``, ``AM RGN``)."""
    words = [t for t in doc if not t.is_space and t.text not in (".", "!", ",", "(", ")")]
    if len(words) < 2:
        return set()
    letters, role = words[-2], words[-1]
    if role.lower_ not in cx.SIGNING_TITLES:
        return set()
    i = letters.i
    if i in never or is_name(i) or not re.fullmatch(r"[A-Z]{2,3}|[a-z]{2}", letters.text):
        return set()
    key = letters.lower_
    if _plain(key) or key in cx.CLOSING_WORDS or key in cx.PARTICLES or key in cx.ABBREVIATIONS:
        return set()
    if letters.text.upper() in NOT_INITIALS or key in ("am", "pm", "cc"):
        return set()  # "AM staff", "cc GP"
    before = doc[i - 1] if i > 0 else None
    if before is not None and not (before.text in ".!?;" or "\n" in before.text_with_ws):
        return set()
    return {i}


def _arrow_end(doc: Any, i: int, step: int) -> int | None:
    """The token across a handover arrow (``->``, ``→``, ``>``) from ``i``, if any."""
    j = i + step
    marks = []
    while 0 <= j < len(doc) and (doc[j].is_space or doc[j].text in ("-", ">", "→", "->")):
        if not doc[j].is_space:
            marks.append(doc[j].text)
        j += step
    arrow = "".join(marks if step > 0 else reversed(marks))
    return j if arrow in ("->", "→", ">") and 0 <= j < len(doc) else None


def initials_across_an_arrow(doc: Any, is_name: IsName, never: set[int]) -> set[int]:
    """``PC -> Ioana (nights)``, ``Mairead → JT``: initials handing over to a found name, or
    taking over from one, are a person's (round 17). Not titles, roles or listed
    abbreviations (``BP -> Mary`` is no handover)."""
    out: set[int] = set()
    for tok in doc:
        i = tok.i
        if i in never or is_name(i) or not INITIALS.fullmatch(tok.text):
            continue
        key = tok.text.lower()
        if _plain(key) or key in cx.ABBREVIATIONS or key in cx.JOB_WORDS:
            continue
        ends = (_arrow_end(doc, i, +1), _arrow_end(doc, i, -1))
        if any(j is not None and is_name(j) for j in ends):
            out.add(i)
    return out


def possessors_of_kin(doc: Any, is_name: IsName, lex: Lexicons, never: set[int]) -> set[int]:
    """``Ugo's sister``, ``Dara's son``: a capitalised word in no word list, possessing a
    relation word, is a person. Not a listed not-name, a place or a title (``Tesco's``,
    ``Leeds's``, ``Doctor's wife``)."""
    out: set[int] = set()
    for tok in doc:
        i = tok.i
        if i + 2 >= len(doc) or i in never or is_name(i) or doc[i + 1].text not in _POSSESSIVE:
            continue
        if doc[i].whitespace_ or not cx.is_alpha_word(tok.text) or cx.shape(tok.text) != "title":
            continue
        kin = cx.next_word(doc, i + 1)
        if kin is not None and kin.lower_ in _KIN_ADJECTIVES:
            kin = cx.next_word(doc, kin.i)  # "Ugo's elder sister"
        if kin is None or cx.fold(kin.text) not in cx.RELATIONS:
            continue
        key = cx.fold(tok.text)
        if _plain(key) or lex.is_common(key) or key in lex.not_names or key in lex.places:
            continue
        out.add(i)
    return out


# a cell of a table line (two or more bars or tabs): an initial and a surname, or a surname
# and an initial
_SURNAME = r"[A-Z][a-z]+(?:[-'’][A-Z][a-z]+)?"
_INITIAL_SURNAME = re.compile(rf"(?P<i>[A-Z])(?:\.\s?|\s)(?P<sur>{_SURNAME})")
_SURNAME_INITIAL = re.compile(rf"(?P<sur>{_SURNAME})\s(?P<i>[A-Z])\.?")


def names_in_table_cells(text: str, names: list[Entity], lex: Lexicons) -> Iterator[Entity]:
    """Round 18: a whole table cell that is an initial and a surname in no word list
    (``|J Quartermaine|``, ``W.Szulc`` between tabs: the staff column of a visit or medicines log),
    and the initial in a cell after a found surname (``Ferrabee T|Flat 1``). Read from the
    text, not the tokens: a table written without spaces is one token (``T|Flat``).
    Tentative: carried to other notes only as a word that may be a name."""
    found = {(e.start, e.end) for e in names if e.kind == "name"}
    start = 0
    for line in text.split("\n"):
        if line.count("|") + line.count("\t") >= 2:
            for lo, _, cell in table_cells(line, start):
                first = _INITIAL_SURNAME.fullmatch(cell)
                if first is not None:
                    key = cx.fold(first.group("sur"))
                    if _name_word(key, lex, ()) and not _plain(key):
                        yield Entity(
                            lo,
                            lo + len(cell),
                            "name",
                            parts=(
                                (lo, lo + 1, "initial"),
                                (lo + first.start("sur"), lo + first.end("sur"), "last"),
                            ),
                            tentative=True,
                        )
                    continue
                last = _SURNAME_INITIAL.fullmatch(cell)
                if last is not None and (lo, lo + last.end("sur")) in found:
                    at = lo + last.start("i")
                    yield Entity(at, at + 1, "name", parts=((at, at + 1, "initial"),))
        start += len(line) + 1
