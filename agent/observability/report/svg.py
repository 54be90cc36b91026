"""Small inline-SVG charts for the report (pure: data in, SVG text out, no scripts, no fonts to fetch).

Every chart is an ``<svg class="chart" data-chart="NAME">`` with a ``<title>``, so the
page reads well without a browser's help and tests can find each chart in the DOM.
Labels are escaped; values that are not finite numbers are dropped by the callers.
"""

from __future__ import annotations

import math
from html import escape
from typing import Callable, Sequence

PALETTE = ("#2563eb", "#16a34a", "#d97706", "#9333ea", "#dc2626", "#0891b2", "#4b5563", "#db2777")
AXIS = "#9ca3af"
TEXT = "#1f2937"


def _open(name: str, title: str, width: int, height: int) -> str:
    return (f'<svg class="chart" data-chart="{escape(name)}" xmlns="http://www.w3.org/2000/svg" '
            f'width="{width}" height="{height}" viewBox="0 0 {width} {height}" role="img" '
            f'aria-label="{escape(title)}"><title>{escape(title)}</title>')


def _nice_max(value: float) -> float:
    """A round axis maximum at or above ``value``."""
    if value <= 0:
        return 1.0
    exp = 10 ** math.floor(math.log10(value))
    return next(m * exp for m in (1, 2, 2.5, 5, 10) if m * exp >= value)


def _fmt(v: float) -> str:
    return f"{v:,.0f}" if abs(v) >= 100 else f"{v:,.3g}"


def empty(name: str, title: str, message: str, width: int = 640, height: int = 80) -> str:
    return (_open(name, title, width, height)
            + f'<text x="{width / 2}" y="{height / 2}" text-anchor="middle" fill="{AXIS}" '
            f'font-size="14">{escape(message)}</text></svg>')


def line_chart(name: str, title: str, series: dict[str, list[tuple[float, float]]],
               x_label: Callable[[float], str], *, unit: str = "ms", width: int = 640, height: int = 280) -> str:
    """Lines (with a marker on every point) for each named series of (x, y)."""
    points = [p for pts in series.values() for p in pts]
    if not points:
        return empty(name, title, "no data yet", width)
    left, right, top, bottom = 56, 120, 16, 40
    pw, ph = width - left - right, height - top - bottom
    xs = sorted({x for x, _ in points})
    x0, x1 = xs[0], xs[-1]
    ymax = _nice_max(max(y for _, y in points))

    def sx(x: float) -> float:
        return left + (pw / 2 if x1 == x0 else (x - x0) / (x1 - x0) * pw)

    def sy(y: float) -> float:
        return top + ph - y / ymax * ph

    out = [_open(name, title, width, height)]
    for i in range(5):  # horizontal grid with labels
        v = ymax * i / 4
        out.append(f'<line x1="{left}" x2="{left + pw}" y1="{sy(v):.1f}" y2="{sy(v):.1f}" stroke="#e5e7eb"/>'
                   f'<text x="{left - 6}" y="{sy(v) + 4:.1f}" text-anchor="end" font-size="11" fill="{TEXT}">'
                   f'{_fmt(v)}</text>')
    out.append(f'<text x="12" y="{top + ph / 2}" font-size="11" fill="{TEXT}" '
               f'transform="rotate(-90 12 {top + ph / 2})" text-anchor="middle">{escape(unit)}</text>')
    step = max(1, math.ceil(len(xs) / 6))
    for x in xs[::step]:
        out.append(f'<text x="{sx(x):.1f}" y="{height - 18}" text-anchor="middle" font-size="11" '
                   f'fill="{TEXT}">{escape(x_label(x))}</text>')
    out.append(f'<line x1="{left}" x2="{left}" y1="{top}" y2="{top + ph}" stroke="{AXIS}"/>'
               f'<line x1="{left}" x2="{left + pw}" y1="{top + ph}" y2="{top + ph}" stroke="{AXIS}"/>')
    for i, (label, pts) in enumerate(series.items()):
        color = PALETTE[i % len(PALETTE)]
        pts = sorted(pts)
        if len(pts) > 1:
            path = " ".join(f"{sx(x):.1f},{sy(y):.1f}" for x, y in pts)
            out.append(f'<polyline fill="none" stroke="{color}" stroke-width="2" points="{path}"/>')
        for x, y in pts:
            out.append(f'<circle cx="{sx(x):.1f}" cy="{sy(y):.1f}" r="3" fill="{color}">'
                       f'<title>{escape(label)}: {_fmt(y)} {escape(unit)}</title></circle>')
        ly = top + 14 + i * 18
        out.append(f'<rect x="{left + pw + 14}" y="{ly - 9}" width="12" height="12" fill="{color}"/>'
                   f'<text x="{left + pw + 32}" y="{ly + 1}" font-size="12" fill="{TEXT}">{escape(label)}</text>')
    out.append("</svg>")
    return "".join(out)


def bar_chart(name: str, title: str, items: Sequence[tuple[str, float]], *,
              value_label: Callable[[float], str] = _fmt, width: int = 640) -> str:
    """Horizontal bars, largest first as given."""
    if not items:
        return empty(name, title, "none recorded", width)
    label_w, row, top = 170, 26, 8
    height = top * 2 + row * len(items)
    vmax = max(v for _, v in items) or 1.0
    bar_w = width - label_w - 90
    out = [_open(name, title, width, height)]
    for i, (label, value) in enumerate(items):
        y = top + i * row
        w = max(1.0, value / vmax * bar_w)
        out.append(f'<text x="{label_w - 8}" y="{y + 17}" text-anchor="end" font-size="12" fill="{TEXT}">'
                   f'{escape(label[:28])}</text>'
                   f'<rect x="{label_w}" y="{y + 4}" width="{w:.1f}" height="{row - 8}" rx="3" '
                   f'fill="{PALETTE[i % len(PALETTE)]}"/>'
                   f'<text x="{label_w + w + 6:.1f}" y="{y + 17}" font-size="12" fill="{TEXT}">'
                   f'{escape(value_label(value))}</text>')
    out.append("</svg>")
    return "".join(out)


def share_bar(name: str, title: str, parts: Sequence[tuple[str, float, str]], *, width: int = 640) -> str:
    """One 100 % bar split into (label, value, colour) parts, with a legend showing shares."""
    total = sum(v for _, v, _ in parts)
    if total <= 0:
        return empty(name, title, "no calls yet", width)
    height, x = 84, 0.0
    out = [_open(name, title, width, height)]
    for label, value, color in parts:
        w = value / total * width
        if w > 0:
            out.append(f'<rect x="{x:.1f}" y="8" width="{w:.1f}" height="34" fill="{color}">'
                       f'<title>{escape(label)}: {value:g}</title></rect>')
        x += w
    lx = 0
    for label, value, color in parts:
        text = f"{label} {value / total:.0%} ({value:g})"
        out.append(f'<rect x="{lx}" y="56" width="12" height="12" fill="{color}"/>'
                   f'<text x="{lx + 18}" y="66" font-size="12" fill="{TEXT}">{escape(text)}</text>')
        lx += 30 + 7 * len(text)
    out.append("</svg>")
    return "".join(out)


def column_chart(name: str, title: str, values: Sequence[tuple[float, str]], *, unit: str,
                 width: int = 640, height: int = 220) -> str:
    """Vertical columns (value, colour) in order, e.g. cost per call over time."""
    if not values:
        return empty(name, title, "no calls yet", width)
    left, top, bottom = 56, 12, 24
    pw, ph = width - left - 12, height - top - bottom
    vmax = _nice_max(max(v for v, _ in values))
    step = pw / len(values)
    out = [_open(name, title, width, height)]
    for i in range(5):
        v = vmax * i / 4
        y = top + ph - v / vmax * ph
        out.append(f'<line x1="{left}" x2="{left + pw}" y1="{y:.1f}" y2="{y:.1f}" stroke="#e5e7eb"/>'
                   f'<text x="{left - 6}" y="{y + 4:.1f}" text-anchor="end" font-size="11" fill="{TEXT}">'
                   f'{v:.4g}</text>')
    for i, (v, color) in enumerate(values):
        h = v / vmax * ph
        out.append(f'<rect x="{left + i * step + step * 0.1:.1f}" y="{top + ph - h:.1f}" '
                   f'width="{max(1.0, step * 0.8):.1f}" height="{h:.1f}" fill="{color}">'
                   f'<title>{v:.4f} {escape(unit)}</title></rect>')
    out.append(f'<line x1="{left}" x2="{left + pw}" y1="{top + ph}" y2="{top + ph}" stroke="{AXIS}"/>'
               f'<text x="{left}" y="{height - 6}" font-size="11" fill="{TEXT}">oldest</text>'
               f'<text x="{left + pw}" y="{height - 6}" font-size="11" text-anchor="end" fill="{TEXT}">newest</text>'
               "</svg>")
    return "".join(out)
