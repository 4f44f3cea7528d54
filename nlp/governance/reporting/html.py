"""Render reports to self-contained HTML (inline CSS and SVG, no scripts, no network)."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Any

import jinja2

from nlp.governance.reporting.model import Report, fmt

TEMPLATES = Path(__file__).parent / "templates"
NUMERIC_FORMATS = ("int", "rate", "pct", "change", "delta", "ci", "count")


@lru_cache(maxsize=1)
def environment() -> jinja2.Environment:
    """The Jinja environment: templates from ``templates/``, autoescaping on."""
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(TEMPLATES)),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=False,
    )
    env.filters["fmt"] = fmt
    env.globals["numeric"] = NUMERIC_FORMATS
    return env


def render(template: str, **context: Any) -> str:
    """Render one template with ``context``."""
    return environment().get_template(template).render(**context)


def render_report(report: Report) -> str:
    """The audit report as one HTML document."""
    return render("report.html.j2", report=report)


def write_html(html: str, path: str | Path) -> Path:
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(html, encoding="utf-8")
    return path
