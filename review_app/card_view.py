"""How a card is drawn: note panel, colour legend, flag rows, decision bar (Streamlit).

Shared by the queue, the blind second-opinion page and adjudication. Every value that
comes from an export (note text, ids, names, explanations, suggestions) is HTML-escaped
or shown with ``st.text``; only fixed strings written here are Markdown.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from html import escape

import streamlit as st

from nlp.schema import CATEGORY_LABELS
from review_app.cards import HIDDEN, Card
from review_app.render import CATEGORY_COLOURS, Span, note_html
from review_app.settings import ReviewSettings
from review_app.store import FlagView

SENTENCE_COLOUR = "#e5e7eb"  # render.highlight's colour for a span with no category colour
NOTE_HEIGHT = 280
FLAGS_HEIGHT = 250

CARD_CSS = """
<style>
.ca-meta{font-size:.85rem;color:#4b5563;margin:0 0 .2rem 0;white-space:nowrap;overflow:hidden;
text-overflow:ellipsis}
.ca-legend{font-size:.8rem;color:#374151;display:flex;flex-wrap:wrap;gap:.2rem .8rem}
.ca-legend span.sw{display:inline-block;width:.9rem;height:.9rem;border-radius:.2rem;
vertical-align:-.15rem;margin-right:.25rem;border:1px solid #9ca3af}
.ca-note-box .ca-note{height:var(--ca-note-h);overflow-y:auto;box-sizing:border-box;margin:.2rem 0}
.ca-flags{overflow-y:auto;border:1px solid #d1d5db;border-radius:.5rem;padding:.5rem .7rem;
box-sizing:border-box}
.ca-keys{font-size:.8rem;color:#6b7280;margin-bottom:.4rem}
.ca-details{font-size:.8rem;color:#4b5563;margin-top:.3rem}
.ca-details pre{white-space:pre-wrap;font-size:.75rem;margin:.2rem 0}
.ca-flag{font-size:.9rem;line-height:1.35;margin:0 0 .35rem 0}
.ca-flag .head{font-weight:600}
.ca-flag .sw{display:inline-block;width:.8rem;height:.8rem;border-radius:.2rem;margin-right:.3rem;
vertical-align:-.1rem;border:1px solid #9ca3af}
.ca-flag .state{font-weight:400;color:#4b5563}
.ca-flag .why{color:#374151}
.ca-flag .tip{color:#065f46;background:#ecfdf5;border-radius:.3rem;padding:.15rem .35rem;
margin-top:.15rem}
.ca-status-row{display:flex;align-items:center;gap:.8rem;min-height:1.7rem;font-size:.9rem}
.ca-progress{display:inline-block;width:9rem;height:.45rem;background:#e5e7eb;border-radius:.3rem;
overflow:hidden;flex:none}
.ca-progress span{display:block;height:100%;background:#2563eb}
.ca-count{white-space:nowrap;color:#374151;flex:none}
.ca-status{font-size:.9rem;padding:.1rem .4rem;border-radius:.3rem;overflow:hidden;
text-overflow:ellipsis;white-space:nowrap}
.ca-status.ca-success{background:#f0fdf4;color:#166534}
.ca-status.ca-error{background:#fef2f2;color:#991b1b}
.ca-status.ca-warning{background:#fffbeb;color:#92400e}
.ca-status.ca-info{background:#eff6ff;color:#1e40af}
</style>
"""


def css() -> None:
    st.html(CARD_CSS)


def status_line(kind: str | None, message: str, progress: tuple[int, int] | None = None) -> None:
    """A fixed-height line: progress, then the last outcome (no banner or toast, so
    nothing moves). The message is HTML-escaped: it may quote export values."""
    bar = ""
    if progress is not None:
        done, total = progress
        width = 100.0 * done / total if total else 100.0
        bar = (
            f'<span class="ca-progress"><span style="width:{width:.1f}%"></span></span>'
            f'<span class="ca-count">{done} of {total} flags reviewed</span>'
        )
    cls = f"ca-{kind}" if kind else ""
    text = escape(message) if kind and message else "&nbsp;"
    st.html(f'<div class="ca-status-row">{bar}<span class="ca-status {cls}">{text}</span></div>')


def meta_line(card: Card) -> str:
    f = card.first
    parts = [
        f"Note {f.note_id}",
        f.note_type.replace("_", " "),
        f.date,
        f"person {f.person_id}",
        f.service,
        f"written by {f.author}" if f.author else "",
    ]
    text = " · ".join(p for p in parts if p)
    return f'<div class="ca-meta" title="{escape(text)}">{escape(text)}</div>'


def legend(categories: Sequence[str] = tuple(CATEGORY_LABELS)) -> str:
    """Colour key for the highlights."""
    items = [
        f'<span><span class="sw" style="background:{CATEGORY_COLOURS.get(c, "#e5e7eb")}">'
        f"</span>{escape(CATEGORY_LABELS.get(c, c))}</span>"
        for c in categories
    ]
    items.append(
        f'<span><span class="sw" style="background:{SENTENCE_COLOUR}"></span>'
        "this card's sentence</span>"
    )
    items.append(
        '<span><span class="sw" style="outline:2px solid #b91c1c"></span>flag on this card</span>'
    )
    return f'<div class="ca-legend">{"".join(items)}</div>'


def note_panel(card: Card, only: Sequence[str] = (), height: int = NOTE_HEIGHT) -> None:
    """Meta line, the note with this card's flags outlined (scrolls in a fixed box), legend.

    One HTML element: fewer elements make each new card cheaper for the browser.
    """
    mine = {f.flag_id for f in card.flags if not only or f.flag_id in only}
    spans = [
        Span(card.key.sentence_start, card.key.sentence_end, "sentence", "this card's sentence")
    ]
    for start, end, category, flag_id in card.note_spans:
        if (
            only
            and flag_id not in mine
            and card.key.sentence_start <= start < card.key.sentence_end
        ):
            continue  # blind: sibling flags on the sentence are not shown
        spans.append(Span(start, end, category, current=flag_id in mine))
    st.html(
        meta_line(card)
        + f'<div class="ca-note-box" style="--ca-note-h:{height}px">'
        + note_html(card.text, spans)
        + "</div>"
        + legend()
    )


def _state(f: FlagView) -> str:
    if f.status in ("open", HIDDEN):
        return ""
    when = f" {f.decided_at:%d/%m %H:%M}" if f.decided_at else ""
    why = f" — {f.reason}" if f.reason else ""
    return f"{f.status} by {f.reviewer}{when}{why}"


def flag_html(group: Sequence[FlagView], show_state: bool = True) -> str:
    """One row: category, score, state, why, suggestion (plan gaps: every missing element)."""
    f = group[0]
    label = CATEGORY_LABELS.get(f.category, f.category)
    colour = CATEGORY_COLOURS.get(f.category, "#e5e7eb")
    extra = []
    if f.restriction_type:
        extra.append(f.restriction_type.replace("_", " "))
    if f.register_status and f.category == "unrecorded_restriction":
        extra.append("register: " + f.register_status.replace("_", " "))
    if f.category == "plan_gap":
        elements = ", ".join(g.element.replace("_", " ") for g in group)
        extra.append(f"missing: {elements}")
    head = " · ".join([label, f"score {f.score:.2f}", *extra])
    states = "; ".join(s for g in group if (s := _state(g))) if show_state else ""
    state = f' <span class="state">({escape(states)})</span>' if states else ""
    why = (
        escape(f.explanation)
        if f.category != "plan_gap"
        else escape(
            f"“{f.span_text}” is in the care plan without: "
            + ", ".join(g.element.replace("_", " ") for g in group)
            + "."
        )
    )
    tips = list(dict.fromkeys(g.suggestion for g in group if g.suggestion))
    tip_html = "".join(f'<div class="tip">{escape(t)}</div>' for t in tips)
    return (
        f'<div class="ca-flag"><div class="head"><span class="sw" style="background:{colour}">'
        f"</span>{escape(head)}{state}</div>"
        f'<div class="why">{why}</div>{tip_html}</div>'
    )


def details_html(flags: Sequence[FlagView]) -> str:
    """The model's own strings, folded away (a native ``<details>``, text escaped)."""
    lines = [
        f"{f.flag_id} · {f.category} · score {f.score:.3f} (threshold {f.threshold:.3f})"
        f" · source {f.source}"
        + (f" · register {f.register_status}" if f.register_status else "")
        + (f" · element {f.element}" if f.element else "")
        for f in flags
    ]
    return (
        '<details class="ca-details"><summary>Details (model output)</summary>'
        f"<pre>{escape(chr(10).join(lines))}</pre></details>"
    )


def flag_rows(
    card: Card,
    only: Sequence[str] = (),
    show_state: bool = True,
    one_by_one: Callable[[Sequence[FlagView]], None] | None = None,
    height: int = FLAGS_HEIGHT,
    header: str = "",
) -> None:
    """The card's flags, each with why and suggestion, in a fixed box; model details folded.

    ``header`` (HTML) goes first, e.g. the key list. With ``one_by_one`` and several
    rows, each row gets its own buttons.
    """
    groups = [g for g in card.groups() if not only or any(f.flag_id in only for f in g)]
    flags = [f for g in groups for f in g]
    if one_by_one is None or len(groups) < 2:
        rows = "".join(flag_html(g, show_state) for g in groups)
        st.html(
            f'<div class="ca-flags" style="height:{height}px">{header}{rows}'
            f"{details_html(flags)}</div>"
        )
        return
    if header:
        st.html(header)
    with st.container(height=height - 28, border=True, key="card_flags"):
        for group in groups:
            text_col, buttons = st.columns([5, 1.3], vertical_alignment="top")
            text_col.html(flag_html(group, show_state))
            with buttons:
                one_by_one(group)
        st.html(details_html(flags))


def keys_html(settings: ReviewSettings, actions: Sequence[str]) -> str:
    """'Keys: a accept · r reject · …' as a small line."""
    return (
        f'<div class="ca-keys">Keys: {escape(settings.key_list(actions))}. '
        "Keys pause while the cursor is in a text box.</div>"
    )


def reason_pills(reasons: Sequence[str], card: str) -> None:
    """Dismiss reasons as pills; number keys pick them. Reset when the card changes."""
    if st.session_state.get("_reason_card") != card:
        st.session_state["_reason_card"] = card
        st.session_state["card_reason"] = None
        st.session_state["card_comment"] = ""
    if st.session_state.get("card_reason") not in (None, *reasons):
        st.session_state["card_reason"] = None
    st.pills(
        f"Why reject? (keys 1–{len(reasons)})",
        list(reasons),
        key="card_reason",
        format_func=lambda r: f"{list(reasons).index(r) + 1} {r}",
    )
    st.text_input(
        "Comment",
        key="card_comment",
        placeholder="Comment (optional; needed for “other”). Keys pause while typing.",
        label_visibility="collapsed",
    )


def decision_bar(
    settings: ReviewSettings,
    on_click: Callable[[str], None],
    labels: dict[str, str] | None = None,
    disabled: Sequence[str] = (),
) -> None:
    """Accept / Reject / Skip / Undo, each labelled with its key."""
    labels = {"accept": "Accept", "reject": "Reject", "skip": "Skip", "undo": "Undo"} | (
        labels or {}
    )
    row = st.container(horizontal=True, gap="small")
    for action, kind in (
        ("accept", "primary"),
        ("reject", "secondary"),
        ("skip", "tertiary"),
        ("undo", "tertiary"),
    ):
        if action not in labels or not labels[action]:
            continue
        row.button(
            f"{labels[action]} ({settings.keys[action]})",
            key=f"card_{action}",
            type=kind,  # type: ignore[arg-type]
            on_click=on_click,
            args=(action,),
            disabled=action in disabled,
        )
