"""Files that leave the store: decisions CSV and supervision packs (HTML + CSV, per note).

Every CSV goes through :func:`nlp.records.spreadsheet.write_csv`, so a cell that starts with ``=``,
``+``, ``-``, ``@``, tab or carriage return is prefixed with ``'`` and
spreadsheet programs show it as text instead of running it as a formula.
"""

from __future__ import annotations

import io
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import asdict, fields
from datetime import date
from pathlib import Path
from typing import Any

from jinja2 import Environment, select_autoescape
from sqlalchemy import Engine

from nlp.records.spreadsheet import write_csv
from review_app.render import CATEGORY_LABELS, NOTE_CSS, Span, note_html
from review_app.store import DecisionRecord, FlagFilter, FlagView, all_decisions, list_flags
from review_app.supervision import NoteGroup, confirmed_by_note

DECISION_COLUMNS: list[str] = [
    "flag_id",
    "note_id",
    "person_id",
    "service",
    "author",
    "date",
    "note_type",
    "category",
    "restriction_type",
    "score",
    "span_text",
    "sentence",
    "decision",
    "reason",
    "comment",
    "reviewer",
    "decided_at",
    "sequence",
    "previous_state",
    "model_version",
    "problem",  # set when the decision's flag is no longer in the store
]
FLAG_MISSING = "flag no longer in the store: the decision is kept, the flag's fields are empty"


def csv_text(rows: Iterable[Mapping[str, Any]], columns: Sequence[str]) -> str:
    buf = io.StringIO()
    write_csv(buf, columns, rows)
    return buf.getvalue()


def sentence_of(flag: FlagView) -> str:
    return flag.text[flag.sentence_start : flag.sentence_end]


def flag_row(flag: FlagView) -> dict[str, Any]:
    """One flag with its current decision, as a CSV row."""
    return {
        **{
            f.name: getattr(flag, f.name)
            for f in fields(flag)
            if f.name not in ("text", "note_key")
        },
        "sentence": sentence_of(flag),
        "decision": flag.status,
        "decided_at": flag.decided_at.isoformat() if flag.decided_at else "",
    }


def decision_rows(engine: Engine, history: bool = False) -> list[dict[str, Any]]:
    """Reviewed flags with their current decision, or (``history``) every decision made.

    A decision whose flag is no longer in the store (or whose note is gone) is never
    dropped: its row has the decision, empty flag fields and ``problem`` saying so.
    """
    # flags on an earlier version of an edited note keep their decisions: include them
    flags = list_flags(engine, FlagFilter(include_superseded=True))
    by_id = {f.flag_id: f for f in flags}
    decisions = all_decisions(engine)
    if not history:
        reviewed = [f for f in flags if f.status in ("confirmed", "dismissed")]
        rows = [flag_row(f) for f in sorted(reviewed, key=lambda f: (f.date, f.note_id, f.start))]
        latest = {d.flag_id: d for d in decisions if d.flag_id not in by_id}  # last one wins
        for d in latest.values():
            if d.state in ("confirmed", "dismissed"):
                rows.append({**_missing_flag_row(d), "decision": d.state})
        return rows
    rows = []
    for d in decisions:
        flag = by_id.get(d.flag_id)
        base = flag_row(flag) if flag is not None else _missing_flag_row(d)
        base.update(
            decision=d.decision,
            reason=d.reason,
            comment=d.comment,
            reviewer=d.reviewer,
            decided_at=d.decided_at.isoformat(),
            sequence=d.sequence,
            previous_state=d.previous_state,
            model_version=d.model_version,
        )
        rows.append(base)
    return rows


def _missing_flag_row(d: DecisionRecord) -> dict[str, Any]:
    """A decision whose flag is gone: the decision's own fields, the rest empty."""
    return {
        **{c: "" for c in DECISION_COLUMNS},
        "flag_id": d.flag_id,
        "reason": d.reason,
        "comment": d.comment,
        "reviewer": d.reviewer,
        "decided_at": d.decided_at.isoformat(),
        "sequence": d.sequence,
        "previous_state": d.previous_state,
        "model_version": d.model_version,
        "problem": FLAG_MISSING,
    }


def export_decisions(engine: Engine, target: str | Path, history: bool = False) -> int:
    """Write the decisions CSV; returns the number of rows."""
    rows = decision_rows(engine, history=history)
    write_csv(target, DECISION_COLUMNS, rows)
    return len(rows)


# --- supervision pack ---------------------------------------------------------------------

# One row per note (as the Supervision page shows them): the note, then every confirmed flag
# on it in reading order, one numbered line per flag in each multi-line cell.
PACK_COLUMNS: list[str] = [
    "note_id",
    "person_id",
    "service",
    "author",
    "date",
    "note_type",
    "flags",
    "categories",
    "flagged_text",
    "why",
    "suggestions",
    "reviewer_comments",
    "confirmed_by",
    "flag_ids",
    "note_text",
]


def flag_label(flag: FlagView) -> str:
    """'Missing rationale', 'Care-plan gap · review date', … for a flag's line."""
    label = CATEGORY_LABELS.get(flag.category, flag.category)
    return label + (f" · {flag.element.replace('_', ' ')}" if flag.element else "")


def pack_row(group: NoteGroup) -> dict[str, Any]:
    """One note of a supervision pack with all its confirmed flags, as a CSV row."""
    f = group.first

    def lines(values: Iterable[str]) -> str:
        return "\n".join(f"{i}. {v}" for i, v in enumerate(values, 1))

    return {
        "note_id": f.note_id,
        "person_id": f.person_id,
        "service": f.service,
        "author": f.author,
        "date": f.date,
        "note_type": f.note_type,
        "flags": len(group.flags),
        "categories": "; ".join(dict.fromkeys(flag_label(g) for g in group.flags)),
        "flagged_text": lines(f"{flag_label(g)}: {g.span_text}" for g in group.flags),
        "why": lines(g.explanation for g in group.flags),
        "suggestions": lines(g.suggestion or "—" for g in group.flags),
        "reviewer_comments": lines(g.comment for g in group.flags if g.comment),
        "confirmed_by": "; ".join(dict.fromkeys(g.reviewer for g in group.flags)),
        "flag_ids": "; ".join(g.flag_id for g in group.flags),
        "note_text": f.text,
    }


_PACK_TEMPLATE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<title>Supervision pack: {{ author }}</title>
<style>
body{font-family:system-ui,sans-serif;max-width:60rem;margin:2rem auto;color:#111}
h1{font-size:1.5rem} h2{font-size:1.1rem;margin-top:2rem;border-bottom:1px solid #ccc}
.meta{color:#555;font-size:.9rem} .note{margin:.4rem 0 .8rem}
ol.flags{margin:.2rem 0 1.5rem;padding-left:1.4rem} ol.flags li{margin:.2rem 0 .7rem}
.why{margin:.15rem 0} .tip{margin:.15rem 0;color:#065f46}
{{ css|safe }}
</style></head><body>
<h1>Supervision pack: {{ author }}</h1>
<p class="meta">Period {{ period }} &middot;
{{ total }} confirmed flag{{ '' if total == 1 else 's' }} in {{ notes|length }}
note{{ '' if notes|length == 1 else 's' }} &middot; generated {{ generated }}</p>
{% if by_category %}<p class="meta">By category: {% for label, n in by_category %}{{ label }}
{{ n }}{% if not loop.last %} &middot; {% endif %}{% endfor %}</p>{% endif %}
{% if not notes %}<p>No confirmed flags for this author in this period.</p>{% endif %}
{% for n in notes %}
<section class="note-entry">
<h2>{{ n.date }} &middot; note {{ n.note_id }} ({{ n.flags|length }}
flag{{ '' if n.flags|length == 1 else 's' }})</h2>
<div class="meta">person {{ n.person_id }} &middot; {{ n.service }} &middot;
{{ n.note_type|replace('_', ' ') }}</div>
<div class="note">{{ n.html|safe }}</div>
<ol class="flags">
{% for f in n.flags %}<li><b>{{ f.label }}</b>{% if f.restriction_type %} &middot;
{{ f.restriction_type|replace('_', ' ') }}{% endif %}: &ldquo;{{ f.span_text }}&rdquo;
<span class="meta">(confirmed by {{ f.reviewer }})</span>
<div class="why"><b>Why flagged:</b> {{ f.explanation }}</div>
{% if f.suggestion %}<div class="tip"><b>Suggestion:</b> {{ f.suggestion }}</div>{% endif %}
{% if f.comment %}<div class="why"><b>Reviewer comment:</b> {{ f.comment }}</div>{% endif %}
</li>
{% endfor %}</ol>
</section>
{% endfor %}
</body></html>
"""
_env = Environment(autoescape=select_autoescape(default=True, default_for_string=True))


def supervision_pack(
    engine: Engine, author: str, date_from: date | str | None, date_to: date | str | None
) -> tuple[str, str]:
    """(HTML, CSV) of an author's confirmed flags for a supervision session, one entry per
    note (oldest first) with every confirmed flag on it highlighted, why it was flagged, the
    suggestion and the reviewer's comment: the Supervision page's blocks, on paper."""
    groups = confirmed_by_note(engine, author, date_from, date_to)
    notes = []
    for group in groups:
        f = group.first
        spans = [Span(g.start, g.end, g.category, current=True) for g in group.flags]
        notes.append(
            {
                **{k: getattr(f, k) for k in ("date", "note_id", "person_id", "service")},
                "note_type": f.note_type,
                "html": note_html(f.text, spans, with_css=False),
                "flags": [{**asdict(g), "label": flag_label(g)} for g in group.flags],
            }
        )
    counts: dict[str, int] = {}
    for group in groups:
        for g in group.flags:
            counts[g.category] = counts.get(g.category, 0) + 1
    order = list(CATEGORY_LABELS)
    by_category = [
        (CATEGORY_LABELS.get(c, c), n)
        for c, n in sorted(
            counts.items(), key=lambda kv: order.index(kv[0]) if kv[0] in order else 99
        )
    ]
    html = _env.from_string(_PACK_TEMPLATE).render(
        author=author,
        period=f"{date_from or 'start'} to {date_to or 'now'}",
        notes=notes,
        total=sum(counts.values()),
        by_category=by_category,
        css=NOTE_CSS,
        generated=date.today().isoformat(),
    )
    return html, csv_text([pack_row(g) for g in groups], PACK_COLUMNS)
