"""Password policy after NIST SP 800-63B §5.1.1: length, a blocklist, no composition rules.

A password must be 12 to 128 characters (after trimming and collapsing whitespace),
not only whitespace, not contain the user name, and not be a common or breached
password: it is checked, case-insensitively and after undoing common disguises
(``P@ssw0rd!``, ``password2024``, ``dragondragon``, spaces between words), against
``resources/common_passwords.txt`` and against keyboard runs, sequences and
repeated characters. Nothing requires digits, capitals or symbols.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from pathlib import Path

MIN_PASSWORD_LENGTH = 12
MAX_PASSWORD_LENGTH = 128
COMMON_PASSWORDS = Path(__file__).with_name("resources") / "common_passwords.txt"
SERVICE_WORDS = ("careaudit", "care audit")

_LEET = str.maketrans(
    {
        "@": "a",
        "4": "a",
        "8": "b",
        "3": "e",
        "1": "i",
        "!": "i",
        "0": "o",
        "$": "s",
        "5": "s",
        "7": "t",
        "+": "t",
        "2": "z",
        "9": "g",
        "6": "g",
    }
)
_EDGE = re.compile(r"^[\W\d_]+|[\W\d_]+$")
_SEPARATORS = re.compile(r"[\s._\-]+")
_RUNS = (
    "0123456789",
    "abcdefghijklmnopqrstuvwxyz",
    "qwertyuiopasdfghjklzxcvbnm",
    "qwertzuiopasdfghjklyxcvbnm",
    "azertyuiopqsdfghjklmwxcvbn",
    "1qaz2wsx3edc4rfv5tgb6yhn7ujm8ik9ol0p",
    "1q2w3e4r5t6y7u8i9o0p",
    "zaq1xsw2cde3vfr4bgt5nhy6mju7",
    "qazwsxedcrfvtgbyhnujmikolp",
)


@functools.cache
def common_passwords() -> frozenset[str]:
    """The shipped blocklist, case-folded (lines starting with ``#`` are comments)."""
    lines = COMMON_PASSWORDS.read_text(encoding="utf-8").splitlines()
    return frozenset(_fold(line) for line in lines if line.strip() and not line.startswith("#"))


def _fold(text: str) -> str:
    return unicodedata.normalize("NFKC", text).casefold().strip()


def _variants(folded: str) -> set[str]:
    """The password and what it looks like with its disguises taken off."""
    out = {folded, _SEPARATORS.sub("", folded)}
    for v in list(out):
        out.add(v.translate(_LEET))
        out.add(_EDGE.sub("", v))
    for v in list(out):
        out.add(_EDGE.sub("", v.translate(_LEET)))
    return {v for v in out if v}


def _repeated_unit(text: str) -> str | None:
    """``abc`` for ``abcabcabc``; None when the text is not a repetition."""
    for size in range(1, len(text) // 2 + 1):
        if len(text) % size == 0 and text[:size] * (len(text) // size) == text:
            return text[:size]
    return None


def _is_run(text: str) -> bool:
    """A slice of a keyboard row or an alphabetic/numeric sequence (either direction)."""
    if len(text) < 4:
        return False
    for run in _RUNS:
        cycle = run * (2 + len(text) // len(run))
        if text in cycle or text in cycle[::-1]:
            return True
    return False


def password_problem(password: str, username: str = "") -> str | None:
    """Why ``password`` may not be used, or None when it may."""
    if not password.strip():
        return "the password is empty or only spaces"
    length = len(" ".join(password.split()))
    if length < MIN_PASSWORD_LENGTH:
        return (
            f"the password is too short ({length} characters): use at least "
            f"{MIN_PASSWORD_LENGTH}, for example three or four unrelated words"
        )
    if len(password) > MAX_PASSWORD_LENGTH:
        return f"the password is too long: at most {MAX_PASSWORD_LENGTH} characters"
    folded = _fold(password)
    variants = _variants(folded)
    name = _SEPARATORS.sub("", _fold(username))
    compact = _SEPARATORS.sub("", folded)
    if name and (name in variants or (len(name) >= 5 and name in compact)):
        return "the password contains the user name"
    if any(_SEPARATORS.sub("", word) in compact for word in SERVICE_WORDS):
        return "the password contains the name of this service"
    blocklist = common_passwords()
    for variant in variants:
        unit = _repeated_unit(variant)
        if unit is not None and (len(unit) <= 4 or unit in blocklist or _is_run(unit)):
            return "the password is a short pattern repeated; choose something less predictable"
        if _is_run(variant):
            return "the password is a keyboard or alphabet sequence; choose something else"
        if variant in blocklist:
            return (
                "the password is on the list of common or breached passwords; choose something else"
            )
    return None
