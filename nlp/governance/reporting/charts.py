"""Small inline SVG charts (bar, stacked bar, line, dot matrix) with no JavaScript.

Each function returns an ``<svg>`` string ready to embed in HTML; every label
is XML-escaped here, so callers may pass raw data.  Colours are the Okabe-Ito
palette (distinguishable with colour-blindness).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from html import escape

PALETTE: tuple[str, ...] = (
    "#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#8C6D00", "#444444",
    "#F0A0A0", "#7F7FFF",
)
FONT = 'font-family="DejaVu Sans, Arial, sans-serif" font-size="12"'


def _e(text: object) -> str:
    return escape(str(text), quote=True)


def _num(value: float, digits: int = 1) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "–"
    return f"{value:,.{digits}f}"


def nice_max(value: float) -> float:
    """A round axis maximum at or above ``value`` (1, 2, 2.5, 5 × 10^k)."""
    if not value or value <= 0 or math.isnan(value):
        return 1.0
    exp = math.floor(math.log10(value))
    for step in (1, 2, 2.5, 5, 10):
        top = step * 10**exp
        if top >= value:
            return float(top)
    return float(10 ** (exp + 1))


def nice_ticks(value: float, most: int = 6) -> tuple[float, float]:
    """(axis top, tick step) with a round step and at most ``most`` intervals."""
    if not value or value <= 0 or math.isnan(value):
        return 1.0, 0.25
    raw = value / most
    exp = math.floor(math.log10(raw))
    for mult in (1, 2, 2.5, 5, 10):
        step = mult * 10**exp
        if step >= raw:
            break
    return math.ceil(value / step - 1e-9) * step, step


def _label_width(labels: Sequence[object]) -> int:
    return min(300, 12 + 7 * min(42, max((len(str(lbl)) for lbl in labels), default=4)))


def _open(width: int, height: int, title: str) -> str:
    return (f'<svg role="img" aria-label="{_e(title)}" '
            f'width="{width}" height="{height}" viewBox="0 0 {width} {height}" {FONT}>'
            f"<title>{_e(title)}</title>")


def _legend(names: Sequence[str], colors: Sequence[str], x: float, y: float,
            width: float) -> tuple[str, float]:
    parts, cx, cy = [], x, y
    for name, color in zip(names, colors, strict=False):
        w = 22 + 7 * len(str(name))
        if cx + w > x + width and cx > x:
            cx, cy = x, cy + 18
        parts.append(f'<rect x="{cx:.1f}" y="{cy - 9:.1f}" width="12" height="12" '
                     f'fill="{color}"/><text x="{cx + 16:.1f}" y="{cy + 1:.1f}">{_e(name)}</text>')
        cx += w
    return "".join(parts), cy + 14


def hbar_chart(labels: Sequence[str], values: Sequence[float], *, title: str, unit: str = "",
               color: str = PALETTE[0], width: int = 640, digits: int = 1,
               suffix: str = "") -> str:
    """Horizontal bars, one per label, value (+ ``suffix``) printed at the bar end."""
    return stacked_hbar(labels, {unit or "value": list(values)}, title=title, width=width,
                        colors=[color], legend=False, digits=digits, suffix=suffix)


def stacked_hbar(labels: Sequence[str], series: dict[str, Sequence[float]], *, title: str,
                 colors: Sequence[str] | None = None, width: int = 640, legend: bool = True,
                 digits: int = 1, suffix: str = "") -> str:
    """Horizontal stacked bars: one bar per label, one segment per series."""
    colors = list(colors or PALETTE)
    label_w = _label_width(labels)
    bar_x, right = label_w + 8, 70
    names = list(series)
    legend_svg, top = ("", 8.0)
    if legend and len(names) > 1:
        legend_svg, top = _legend(names, colors, bar_x, 16, width - bar_x - right)
    row_h = 22
    height = int(top + row_h * max(len(labels), 1) + 10)
    totals = [sum(0 if _nan(series[n][i]) else series[n][i] for n in names)
              for i in range(len(labels))]
    scale = (width - bar_x - right) / nice_max(max(totals, default=0))
    out = [_open(width, height, title), legend_svg]
    for i, label in enumerate(labels):
        y = top + i * row_h
        short = str(label) if len(str(label)) <= 42 else str(label)[:41] + "…"
        out.append(f'<text x="{label_w:.1f}" y="{y + 15:.1f}" text-anchor="end">'
                   f"<title>{_e(label)}</title>{_e(short)}</text>")
        x = float(bar_x)
        for j, name in enumerate(names):
            v = series[name][i]
            if _nan(v) or v <= 0:
                continue
            w = v * scale
            out.append(f'<rect x="{x:.1f}" y="{y + 3:.1f}" width="{max(w, 0.5):.1f}" '
                       f'height="{row_h - 6}" fill="{colors[j % len(colors)]}">'
                       f"<title>{_e(label)} – {_e(name)}: {_num(v, digits)}</title></rect>")
            x += w
        out.append(f'<text x="{x + 4:.1f}" y="{y + 15:.1f}">'
                   f"{_num(totals[i], digits)}{_e(suffix)}</text>")
    out.append("</svg>")
    return "".join(out)


def grouped_hbar(labels: Sequence[str], series: dict[str, Sequence[float]], *, title: str,
                 colors: Sequence[str] | None = None, width: int = 640, digits: int = 1) -> str:
    """Horizontal bars side by side: one group per label, one bar per series."""
    colors = list(colors or PALETTE)
    names = list(series)
    label_w = _label_width(labels)
    bar_x, right, bar_h = label_w + 8, 70, 14
    legend_svg, top = _legend(names, colors, bar_x, 16, width - bar_x - right)
    group_h = bar_h * len(names) + 10
    height = int(top + group_h * max(len(labels), 1) + 6)
    values = [v for s in series.values() for v in s if not _nan(v)]
    scale = (width - bar_x - right) / nice_max(max(values, default=0))
    out = [_open(width, height, title), legend_svg]
    for i, lab in enumerate(labels):
        y = top + i * group_h
        out.append(f'<text x="{label_w:.1f}" y="{y + group_h / 2 + 2:.1f}" '
                   f'text-anchor="end">{_e(lab)}</text>')
        for j, name in enumerate(names):
            v = series[name][i]
            v = 0.0 if _nan(v) else v
            yy = y + j * bar_h
            out.append(f'<rect x="{bar_x}" y="{yy:.1f}" width="{max(v * scale, 0.5):.1f}" '
                       f'height="{bar_h - 2}" fill="{colors[j % len(colors)]}"><title>'
                       f"{_e(lab)} – {_e(name)}: {_num(v, digits)}</title></rect>"
                       f'<text x="{bar_x + v * scale + 4:.1f}" y="{yy + bar_h - 3:.1f}" '
                       f'font-size="11">{_num(v, digits)}</text>')
    out.append("</svg>")
    return "".join(out)


def _nan(v: float | None) -> bool:
    return v is None or (isinstance(v, float) and math.isnan(v))


def line_chart(x_labels: Sequence[str], series: dict[str, Sequence[float | None]], *,
               title: str, y_label: str = "", colors: Sequence[str] | None = None,
               width: int = 760, height: int = 280, y_min: float = 0.0) -> str:
    """Lines over months; a missing value (None/NaN) breaks the line.

    ``y_min`` starts the axis above 0 (small differences between high values).
    """
    colors = list(colors or PALETTE)
    names = list(series)
    left, right, bottom = 56, 16, 44
    legend_svg, top = _legend(names, colors, left, 16, width - left - right)
    top += 6
    plot_w, plot_h = width - left - right, height - top - bottom
    values = [v for s in series.values() for v in s if not _nan(v)]
    y_span, y_step = nice_ticks(max(values, default=0) - y_min)
    n = max(len(x_labels), 1)

    def px(i: int) -> float:
        return left + (plot_w * (i + 0.5) / n)

    def py(v: float) -> float:
        return top + plot_h - plot_h * (v - y_min) / y_span

    out = [_open(width, height, title), legend_svg]
    digits = 0 if float(y_step).is_integer() else (1 if (y_step * 10).is_integer() else 2)
    digits = max(digits, 0 if float(y_min).is_integer() else 2)
    for k in range(round(y_span / y_step) + 1):
        v = y_min + y_step * k
        out.append(f'<line x1="{left}" x2="{width - right}" y1="{py(v):.1f}" y2="{py(v):.1f}" '
                   f'stroke="#ddd"/><text x="{left - 6}" y="{py(v) + 4:.1f}" '
                   f'text-anchor="end">{_num(v, digits)}</text>')
    step = max(1, math.ceil(64 / (plot_w / n)))
    for i, lab in enumerate(x_labels):
        if _tick(i, n, step):
            out.append(f'<text x="{px(i):.1f}" y="{top + plot_h + 16:.1f}" '
                       f'text-anchor="middle">{_e(lab)}</text>')
    if y_label:
        out.append(f'<text x="{left}" y="{height - 6}" fill="#555">{_e(y_label)}</text>')
    for j, name in enumerate(names):
        color = colors[j % len(colors)]
        seg: list[str] = []
        for i, v in enumerate(series[name]):
            if _nan(v):
                if len(seg) > 1:
                    out.append(_polyline(seg, color))
                seg = []
                continue
            seg.append(f"{px(i):.1f},{py(v):.1f}")
            out.append(f'<circle cx="{px(i):.1f}" cy="{py(v):.1f}" r="3" fill="{color}">'
                       f"<title>{_e(name)} {_e(x_labels[i])}: {_num(v)}</title></circle>")
        if len(seg) > 1:
            out.append(_polyline(seg, color))
    out.append("</svg>")
    return "".join(out)


def _tick(i: int, n: int, step: int) -> bool:
    """Label every ``step``-th position, and the last one when it is not crowded."""
    return i % step == 0 or (i == n - 1 and i % step > step // 2)


def _polyline(points: list[str], color: str) -> str:
    return (f'<polyline points="{" ".join(points)}" fill="none" stroke="{color}" '
            f'stroke-width="2"/>')


def dot_matrix(x_labels: Sequence[str], y_labels: Sequence[str],
               counts: Sequence[Sequence[int]], *, title: str, color: str = PALETTE[1],
               width: int = 760) -> str:
    """Rows × months; dot area grows with the count (person timeline)."""
    label_w = _label_width(y_labels)
    n = max(len(x_labels), 1)
    cell = min(72.0, (width - label_w - 16) / n)
    width = int(label_w + 16 + cell * n)
    row_h, top = 26, 8
    height = int(top + row_h * len(y_labels) + 40)
    biggest = max((c for row in counts for c in row), default=1) or 1
    out = [_open(width, height, title)]
    for r, label in enumerate(y_labels):
        y = top + r * row_h + row_h / 2
        out.append(f'<line x1="{label_w + 8}" x2="{width - 8}" y1="{y:.1f}" y2="{y:.1f}" '
                   f'stroke="#eee"/><text x="{label_w:.1f}" y="{y + 4:.1f}" '
                   f'text-anchor="end">{_e(label)}</text>')
        for c, value in enumerate(counts[r]):
            if value:
                radius = 3 + 8 * math.sqrt(value / biggest)
                cx = label_w + 8 + cell * (c + 0.5)
                out.append(f'<circle cx="{cx:.1f}" cy="{y:.1f}" r="{radius:.1f}" '
                           f'fill="{color}" fill-opacity="0.8"><title>{_e(label)} '
                           f"{_e(x_labels[c])}: {value}</title></circle>")
    step = max(1, math.ceil(64 / cell))
    for c, lab in enumerate(x_labels):
        if _tick(c, n, step):
            out.append(f'<text x="{label_w + 8 + cell * (c + 0.5):.1f}" '
                       f'y="{top + row_h * len(y_labels) + 18:.1f}" '
                       f'text-anchor="middle">{_e(lab)}</text>')
    out.append("</svg>")
    return "".join(out)


def hbar_ci_chart(labels: Sequence[str], values: Sequence[float | None],
                  lows: Sequence[float | None], highs: Sequence[float | None], *, title: str,
                  color: str = PALETTE[0], width: int = 640, digits: int = 1,
                  suffix: str = "") -> str:
    """Horizontal bars with a 95 % interval whisker each; a missing value shows "–"."""
    label_w = _label_width(labels)
    bar_x, right, row_h, top = label_w + 8, 110, 22, 8.0
    height = int(top + row_h * max(len(labels), 1) + 24)
    tops = [h for h in highs if not _nan(h)] + [v for v in values if not _nan(v)]
    axis = nice_max(max(tops, default=0))
    scale = (width - bar_x - right) / axis
    out = [_open(width, height, title)]
    for i, lab in enumerate(labels):
        y = top + i * row_h
        v, lo, hi = values[i], lows[i], highs[i]
        short = str(lab) if len(str(lab)) <= 42 else str(lab)[:41] + "…"
        out.append(f'<text x="{label_w:.1f}" y="{y + 15:.1f}" text-anchor="end">'
                   f"<title>{_e(lab)}</title>{_e(short)}</text>")
        if _nan(v):
            out.append(f'<text x="{bar_x + 4}" y="{y + 15:.1f}" fill="#777">– (too few)</text>')
            continue
        tip = f"{_e(lab)}: {_num(v, digits)}{_e(suffix)}"
        end = bar_x + v * scale
        if not (_nan(lo) or _nan(hi)):
            tip += f" (95% CI {_num(lo, digits)}–{_num(hi, digits)})"
        out.append(f'<rect x="{bar_x}" y="{y + 4:.1f}" width="{max(v * scale, 0.5):.1f}" '
                   f'height="{row_h - 8}" fill="{color}" fill-opacity="0.75">'
                   f"<title>{tip}</title></rect>")
        if not (_nan(lo) or _nan(hi)):
            x0, x1, ym = bar_x + lo * scale, bar_x + hi * scale, y + row_h / 2
            out.append(f'<line x1="{x0:.1f}" x2="{x1:.1f}" y1="{ym:.1f}" y2="{ym:.1f}" '
                       f'stroke="#222" stroke-width="1.2"/>'
                       f'<line x1="{x0:.1f}" x2="{x0:.1f}" y1="{ym - 5:.1f}" y2="{ym + 5:.1f}" '
                       f'stroke="#222"/><line x1="{x1:.1f}" x2="{x1:.1f}" y1="{ym - 5:.1f}" '
                       f'y2="{ym + 5:.1f}" stroke="#222"/>')
            end = max(end, x1)
        out.append(f'<text x="{end + 5:.1f}" y="{y + 15:.1f}">{_num(v, digits)}{_e(suffix)}'
                   "</text>")
    y_axis = top + row_h * max(len(labels), 1) + 14
    out.append(f'<text x="{bar_x}" y="{y_axis:.1f}" fill="#555" font-size="11">bars: value; '
               "whiskers: 95% confidence interval</text></svg>")
    return "".join(out)


SPC_COLORS: dict[str, str] = {"common": "#7F7F7F", "improvement": "#0072B2",
                              "concern": "#E69F00", "excluded": "#BBBBBB"}


def spc_chart(x_labels: Sequence[str], values: Sequence[float | None], centre: float,
              ucl: Sequence[float | None], lcl: Sequence[float | None],
              kinds: Sequence[str], *, title: str, y_label: str = "",
              width: int = 760, height: int = 260) -> str:
    """An SPC chart: points, centre line (mean) and the control limits of each point.

    ``kinds`` per point: ``common``, ``improvement``, ``concern`` (special cause,
    MDC colours: grey, blue, orange) or ``excluded`` (too few notes: hollow, no limits).
    """
    left, right, bottom = 56, 16, 44
    legend_names = ["common cause", "special cause: improvement", "special cause: concern",
                    "too few notes (not used)"]
    legend_parts, x = [], float(left)
    for name, color in zip(legend_names, SPC_COLORS.values(), strict=True):
        legend_parts.append(f'<circle cx="{x + 5:.1f}" cy="12" r="4.5" fill="{color}"/>'
                            f'<text x="{x + 14:.1f}" y="16">{_e(name)}</text>')
        x += 26 + 7.6 * len(name)
    legend_svg, top = "".join(legend_parts), 36.0
    plot_w, plot_h = width - left - right, height - top - bottom
    seen = [v for v in [*values, *ucl, centre] if not _nan(v)]
    y_max, y_step = nice_ticks(max(seen, default=0))
    n = max(len(x_labels), 1)

    def px(i: float) -> float:
        return left + plot_w * (i + 0.5) / n

    def py(v: float) -> float:
        return top + plot_h - plot_h * min(v, y_max) / y_max

    out = [_open(width, height, title), legend_svg]
    digits = 0 if float(y_step).is_integer() else (1 if (y_step * 10).is_integer() else 2)
    for k in range(round(y_max / y_step) + 1):
        v = y_step * k
        out.append(f'<line x1="{left}" x2="{width - right}" y1="{py(v):.1f}" y2="{py(v):.1f}" '
                   f'stroke="#eee"/><text x="{left - 6}" y="{py(v) + 4:.1f}" '
                   f'text-anchor="end">{_num(v, digits)}</text>')
    step = max(1, math.ceil(64 / (plot_w / n)))
    for i, lab in enumerate(x_labels):
        if _tick(i, n, step):
            out.append(f'<text x="{px(i):.1f}" y="{top + plot_h + 16:.1f}" '
                       f'text-anchor="middle">{_e(lab)}</text>')
    if y_label:
        out.append(f'<text x="{left}" y="{height - 6}" fill="#555">{_e(y_label)}</text>')
    for limits in (ucl, lcl):  # stepped limits, one step per point with limits
        for i, v in enumerate(limits):
            if _nan(v) or kinds[i] == "excluded":
                continue
            out.append(f'<line x1="{px(i - 0.45):.1f}" x2="{px(i + 0.45):.1f}" '
                       f'y1="{py(v):.1f}" y2="{py(v):.1f}" stroke="#888" '
                       f'stroke-dasharray="4 3"/>')
    if not _nan(centre):
        out.append(f'<line x1="{left}" x2="{width - right}" y1="{py(centre):.1f}" '
                   f'y2="{py(centre):.1f}" stroke="#333" stroke-width="1.2">'
                   f"<title>mean {_num(centre)}</title></line>")
    seg: list[str] = []
    for i, v in enumerate(values):
        if _nan(v) or kinds[i] == "excluded":
            if len(seg) > 1:
                out.append(_polyline(seg, "#9a9a9a"))
            seg = []
            continue
        seg.append(f"{px(i):.1f},{py(v):.1f}")
    if len(seg) > 1:
        out.append(_polyline(seg, "#9a9a9a"))
    for i, v in enumerate(values):
        if _nan(v):
            continue
        kind = kinds[i] if kinds[i] in SPC_COLORS else "common"
        fill = "#fff" if kind == "excluded" else SPC_COLORS[kind]
        limits = ("" if kind == "excluded" or _nan(lcl[i]) or _nan(ucl[i])
                  else f" (limits {_num(lcl[i])}–{_num(ucl[i])})")
        out.append(f'<circle cx="{px(i):.1f}" cy="{py(v):.1f}" r="4" fill="{fill}" '
                   f'stroke="{SPC_COLORS[kind]}" stroke-width="1.5"><title>{_e(x_labels[i])}: '
                   f"{_num(v)}{limits} – {_e(kind)}</title></circle>")
    out.append("</svg>")
    return "".join(out)
