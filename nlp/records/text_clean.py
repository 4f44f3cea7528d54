"""Turn exported note text into plain text: HTML fragments, entities, odd whitespace."""

from __future__ import annotations

import html
import re
from html.parser import HTMLParser

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
    """Plain text from an export cell: strips HTML, decodes entities, tidies spaces."""
    text = raw.replace("\r\n", "\n").replace("\r", "\n").replace("\x00", "")
    if _TAG_HINT.search(text):
        parser = _TextExtractor()
        parser.feed(_NOT_A_TAG.sub("&lt;", text))
        parser.close()
        text = html.unescape("".join(parser.parts))
    lines = [_SPACES.sub(" ", line).strip() for line in text.split("\n")]
    return _BLANK_LINES.sub("\n\n", "\n".join(lines)).strip()
