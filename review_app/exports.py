"""Files that leave the store: decisions CSV and supervision packs (HTML + CSV).

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
PACK_COLUMNS: list[str] = [
    *(
        c
        for c in DECISION_COLUMNS
        if c not in ("reason", "sequence", "previous_state", "model_version", "problem")
    ),
    "explanation",
    "suggestion",
]


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


def supervision_flags(
    engine: Engine, author: str, date_from: date | str | None, date_to: date | str | None
) -> dict[str, list[FlagView]]:
    """An author's confirmed flags in the period, grouped by category."""
    flags = list_flags(
        engine,
        FlagFilter(authors=[author], statuses=("confirmed",), date_from=date_from, date_to=date_to),
    )
    grouped: dict[str, list[FlagView]] = {}
    for flag in sorted(flags, key=lambda f: (f.date, f.note_id, f.start)):
        grouped.setdefault(flag.category, []).append(flag)
    return dict(
        sorted(
            grouped.items(),
            key=lambda kv: list(CATEGORY_LABELS).index(kv[0]) if kv[0] in CATEGORY_LABELS else 99,
        )
    )


_PACK_TEMPLATE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<title>Supervision pack: {{ author }}</title>
<style>
body{font-family:system-ui,sans-serif;max-width:60rem;margin:2rem auto;color:#111}
h1{font-size:1.5rem} h2{margin-top:2rem;border-bottom:1px solid #ccc}
.flag{margin:1rem 0 1.5rem} .meta{color:#555;font-size:.9rem}
.why{margin:.4rem 0} .note{margin:.4rem 0}
{{ css|safe }}
</style></head><body>
<h1>Supervision pack: {{ author }}</h1>
<p class="meta">Period {{ period }} &middot;
{{ total }} confirmed flag{{ '' if total == 1 else 's' }} &middot; generated {{ generated }}</p>
{% if not groups %}<p>No confirmed flags for this author in this period.</p>{% endif %}
{% for category, items in groups %}
<h2>{{ labels.get(category, category) }} ({{ items|length }})</h2>
{% for f in items %}
<div class="flag">
<div class="meta">{{ f.date }} &middot; note {{ f.note_id }} &middot; person {{ f.person_id }}
&middot; {{ f.service }}{% if f.restriction_type %} &middot; {{ f.restriction_type }}{% endif %}
&middot; confirmed by {{ f.reviewer }}</div>
<div class="note">{{ f.html|safe }}</div>
<div class="why"><b>Why flagged:</b> {{ f.explanation }}</div>
{% if f.suggestion %}<div class="why"><b>Suggestion:</b> {{ f.suggestion }}</div>{% endif %}
{% if f.comment %}<div class="why"><b>Reviewer comment:</b> {{ f.comment }}</div>{% endif %}
</div>
{% endfor %}{% endfor %}
</body></html>
"""
_env = Environment(autoescape=select_autoescape(default=True, default_for_string=True))


def supervision_pack(
    engine: Engine, author: str, date_from: date | str | None, date_to: date | str | None
) -> tuple[str, str]:
    """(HTML, CSV) of an author's confirmed flags for a supervision session."""
    groups = supervision_flags(engine, author, date_from, date_to)
    items = []
    for category, flags in groups.items():
        entries = []
        for f in flags:
            html = note_html(
                f.text, [Span(f.start, f.end, f.category, current=True)], with_css=False
            )
            entries.append({**asdict(f), "html": html})
        items.append((category, entries))
    period = f"{date_from or 'start'} to {date_to or 'now'}"
    html = _env.from_string(_PACK_TEMPLATE).render(
        author=author,
        period=period,
        groups=items,
        total=sum(len(v) for v in groups.values()),
        labels=CATEGORY_LABELS,
        css=NOTE_CSS,
        generated=date.today().isoformat(),
    )
    rows = [flag_row(f) for flags in groups.values() for f in flags]
    return html, csv_text(rows, PACK_COLUMNS)
