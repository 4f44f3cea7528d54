"""Turn exported note text into plain text: HTML fragments, entities, odd whitespace.

Text is also normalised so invisible or look-alike characters cannot hide a
finding ("wa\u200bshed", "lo\u00adcked", a Cyrillic "а" in "wаshed", a
right-to-left override): control characters are removed, a right-to-left
override run is put in the order a reader sees it, the text goes through NFKC,
format characters (zero-width spaces, soft hyphens, bidi controls) are removed,
and look-alike letters of other scripts (``resources/confusables.json``) are
mapped to Latin inside words that are otherwise Latin. This happens when the
export is read, so the offsets in every output refer to the cleaned text that
``notes.jsonl`` holds.
"""

from __future__ import annotations

import html
import json
import re
import unicodedata
from functools import cache
from html.parser import HTMLParser
from pathlib import Path

_KNOWN_TAGS = (
    "p|br|div|span|b|i|u|em|strong|font|li|ul|ol|table|tbody|thead|tr|td|th|h[1-6]|a|"
    "img|hr|blockquote|pre|code|small|sub|sup|script|style|html|body|head|title|meta"
)
_TAG_HINT = re.compile(rf"<\s*/?\s*(?:{_KNOWN_TAGS})\b[^>]*>|&[a-zA-Z]+;|&#\d+;", re.I)
# A "<" that does not open a known tag is text ("staff said <Mary> must stay in"): keep it.
_NOT_A_TAG = re.compile(rf"<(?!\s*/?\s*(?:{_KNOWN_TAGS})\b)", re.I)
_BLOCK_TAGS = {
    "p",
    "div",
    "br",
    "li",
    "tr",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "ul",
    "ol",
    "table",
}
_SKIP_TAGS = {"script", "style"}
_SPACES = re.compile(r"[ \t\u00a0\u2007\u202f]+")
_BLANK_LINES = re.compile(r"\n{3,}")


class _TextExtractor(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag: str, attrs) -> None:
        if tag in _SKIP_TAGS:
            self._skip += 1
        elif tag in _BLOCK_TAGS:
            self.parts.append("\n")
        if tag == "li":
            self.parts.append("- ")

    def handle_endtag(self, tag: str) -> None:
        if tag in _SKIP_TAGS:
            self._skip = max(0, self._skip - 1)
        elif tag in _BLOCK_TAGS:
            self.parts.append("\n")

    def handle_data(self, data: str) -> None:
        if not self._skip:
            self.parts.append(data)


def clean_text(raw: str) -> str:
    """Plain text from an export cell: strips HTML, decodes entities, normalises, tidies."""
    text = strip_controls(raw.replace("\r\n", "\n").replace("\r", "\n"))
    if _TAG_HINT.search(text):
        parser = _TextExtractor()
        parser.feed(_NOT_A_TAG.sub("&lt;", text))
        parser.close()
        text = strip_controls(html.unescape("".join(parser.parts)))
    text = normalise(text)
    lines = [_SPACES.sub(" ", line).strip() for line in text.split("\n")]
    return _BLANK_LINES.sub("\n\n", "\n".join(lines)).strip()


# C0 controls but tab and line feed, DEL, C1 controls; lone surrogates (from JSON escapes
# or undecodable file names) cannot be written as UTF-8 and become U+FFFD.
_CONTROLS = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")
_SURROGATES = re.compile(r"[\ud800-\udfff]")
_RLO, _PDF, _PDI = "\u202e", "\u202c", "\u2069"
_BIDI_END = re.compile(f"[{_PDF}{_PDI}\n]")


def strip_controls(value: str) -> str:
    """``value`` without control characters (tab and newline kept) or lone surrogates."""
    value = _CONTROLS.sub("", value)
    return _SURROGATES.sub("\ufffd", value) if _SURROGATES.search(value) else value


def clean_field(value: str) -> str:
    """An id, name or date cell: no control or format characters (NUL, ZWSP, RLO…), trimmed."""
    value = strip_controls(value)
    if not value.isascii():
        value = "".join(c for c in value if unicodedata.category(c) != "Cf")
    return value.strip()


def normalise(text: str) -> str:
    """What a reader sees: RLO runs reversed, NFKC, no format characters, Latin look-alikes."""
    if text.isascii():
        return text
    if _RLO in text:
        text = _resolve_overrides(text)
    text = unicodedata.normalize("NFKC", text)
    text = "".join(c for c in text if unicodedata.category(c) != "Cf")
    text = text.replace("\u2028", "\n").replace("\u2029", "\n")
    return _unconfuse(text)


def _resolve_overrides(text: str) -> str:
    """Reverse each right-to-left override run (to its PDF/PDI or line end), as displayed."""
    parts: list[str] = []
    pos = 0
    while (start := text.find(_RLO, pos)) >= 0:
        parts.append(text[pos:start])
        end_match = _BIDI_END.search(text, start + 1)
        end = end_match.start() if end_match else len(text)
        parts.append(text[start + 1 : end][::-1])
        pos = end + 1 if end_match and end_match.group() != "\n" else end
    parts.append(text[pos:])
    return "".join(parts)


@cache
def confusables() -> dict[str, str]:
    """Look-alike letter → the Latin letter it imitates (``resources/confusables.json``)."""
    path = Path(__file__).with_name("resources") / "confusables.json"
    return dict(json.loads(path.read_text(encoding="utf-8"))["map"])


@cache
def _confusable_word() -> re.Pattern[str]:
    letters = re.escape("".join(confusables()))
    return re.compile(rf"\w*[{letters}]\w*")


def _is_latin(c: str) -> bool:
    return c.isascii() or "\u00c0" <= c <= "\u024f"


def _unconfuse(text: str) -> str:
    """Map look-alikes to Latin in words that hold Latin letters or only look-alikes."""
    table = confusables()

    def fix(m: re.Match[str]) -> str:
        word = m.group()
        letters = [c for c in word if c.isalpha()]
        if any(_is_latin(c) for c in letters) or all(c in table for c in letters):
            return "".join(table.get(c, c) for c in word)
        return word

    return _confusable_word().sub(fix, text)
