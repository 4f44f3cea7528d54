"""Note text as safe HTML with flagged spans highlighted in place.

Note text is untrusted: every piece of it is HTML-escaped; only the ``<mark>``
tags added here are markup. Overlapping spans are handled by cutting the text
at every span boundary.
"""

from __future__ import annotations

import itertools
import string
from collections.abc import Iterable
from dataclasses import dataclass
from html import escape

from nlp.schema import CATEGORY_LABELS

CATEGORY_COLOURS: dict[str, str] = {
    "doing_for": "#fde68a",
    "unrecorded_restriction": "#fca5a5",
    "missing_rationale": "#bfdbfe",
    "plan_gap": "#ddd6fe",
}

NOTE_CSS = """
.ca-note{white-space:pre-wrap;line-height:1.7;font-size:1rem;padding:.8rem 1rem;
border:1px solid #d1d5db;border-radius:.5rem;background:#fff;color:#111}
.ca-note mark{padding:.05rem .1rem;border-radius:.2rem;color:#111}
.ca-note mark.ca-current{outline:2px solid #b91c1c;font-weight:600}
"""


@dataclass(frozen=True, slots=True)
class Span:
    start: int
    end: int
    category: str
    title: str = ""
    current: bool = False


def highlight(text: str, spans: Iterable[Span]) -> str:
    """``text`` as escaped HTML, each span wrapped in ``<mark>`` (innermost wins colour)."""
    spans = [s for s in spans if 0 <= s.start < s.end <= len(text)]
    cuts = sorted({0, len(text), *(s.start for s in spans), *(s.end for s in spans)})
    out: list[str] = []
    for lo, hi in itertools.pairwise(cuts):
        piece = escape(text[lo:hi])
        active = [s for s in spans if s.start <= lo and hi <= s.end]
        if not active:
            out.append(piece)
            continue
        top = min(active, key=lambda s: (not s.current, s.end - s.start))
        classes = "ca-current" if any(s.current for s in active) else ""
        titles = "; ".join(
            dict.fromkeys(s.title or CATEGORY_LABELS.get(s.category, s.category) for s in active)
        )
        colour = CATEGORY_COLOURS.get(top.category, "#e5e7eb")
        out.append(
            f'<mark class="{classes}" style="background:{colour}" '
            f'title="{escape(titles)}">{piece}</mark>'
        )
    return "".join(out)


def note_html(text: str, spans: Iterable[Span], with_css: bool = True) -> str:
    """A self-contained block for ``st.html`` or a report page."""
    css = f"<style>{NOTE_CSS}</style>" if with_css else ""
    return f'{css}<div class="ca-note">{highlight(text, spans)}</div>'


_MD_PUNCTUATION = frozenset(string.punctuation)


def md_text(text: object) -> str:
    """``text`` for any Streamlit call that renders Markdown, so it shows as typed.

    Every ASCII punctuation character is backslash-escaped (CommonMark allows that
    for all of them), so no value can become a link, an image that makes the browser
    fetch a URL, emphasis, a heading, a list, LaTeX (``$``), an HTML tag or entity,
    or one of Streamlit's ``:colour[...]``/``:material/...:`` directives.
    """
    return "".join("\\" + ch if ch in _MD_PUNCTUATION else ch for ch in str(text))
