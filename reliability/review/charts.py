"""Inline SVG charts (no scripts, no network): sparklines and the 12-week trend panels."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from html import escape

Number = float | int | None


def _scale(values: Sequence[Number], low_px: float, high_px: float) -> Callable[[float], float]:
    known = [float(v) for v in values if v is not None]
    lo, hi = (min(known), max(known)) if known else (0.0, 1.0)
    if hi == lo:
        hi, lo = hi + 1, lo - 1
    return lambda v: high_px - (v - lo) / (hi - lo) * (high_px - low_px)


def _points(
    values: Sequence[Number], x0: float, x1: float, y: Callable[[float], float]
) -> list[tuple[float, float]]:
    n = len(values)
    step = (x1 - x0) / max(n - 1, 1)
    return [(x0 + i * step, y(float(v))) for i, v in enumerate(values) if v is not None]


def sparkline(values: Sequence[Number], label: str, width: int = 160, height: int = 36) -> str:
    """A small line of the last weeks, the latest point marked."""
    pts = _points(values, 4, width - 4, _scale(values, 4, height - 4))
    body = ""
    if len(pts) > 1:
        body += (
            '<polyline fill="none" stroke="#2563eb" stroke-width="2" points="'
            + " ".join(f"{x:.1f},{y:.1f}" for x, y in pts)
            + '"/>'
        )
    if pts:
        x, y = pts[-1]
        body += f'<circle cx="{x:.1f}" cy="{y:.1f}" r="3" fill="#1d4ed8"/>'
    return (
        f'<svg class="sparkline" xmlns="http://www.w3.org/2000/svg" width="{width}" '
        f'height="{height}" viewBox="0 0 {width} {height}" role="img" '
        f'aria-label="{escape(label)}">{body}</svg>'
    )


def trend_chart(
    weeks: Sequence[str],
    panels: Sequence[tuple[str, Sequence[Number], Callable[[Number], str], str]],
    title: str,
    width: int = 760,
    panel_height: int = 110,
) -> str:
    """Stacked panels sharing the week axis: (name, values, formatter, kind) each, kind 'line',
    'bar' (blue) or 'risk' (red bars); every point has a tooltip with its week and value."""
    left, right, top, gap = 150, 20, 10, 26
    n = len(weeks)
    plot_w = width - left - right
    step = plot_w / max(n, 1)
    height = top + len(panels) * (panel_height + gap) + 24
    parts = [
        f'<svg class="trend-chart" xmlns="http://www.w3.org/2000/svg" width="{width}" '
        f'height="{height}" viewBox="0 0 {width} {height}" role="img" '
        f'aria-label="{escape(title)}">'
    ]
    for p, (name, values, fmt, kind) in enumerate(panels):
        y0 = top + p * (panel_height + gap)
        y1 = y0 + panel_height
        known = [v for v in values if v is not None]
        scale_values = list(known) + ([0] if kind != "line" else [])
        y = _scale(scale_values, y0 + 14, y1)
        parts.append(
            f'<text x="8" y="{y0 + 12}" font-size="12" font-weight="600" fill="#111">'
            f"{escape(name)}</text>"
        )
        if known:
            parts.append(
                f'<text x="8" y="{y0 + 30}" font-size="11" fill="#555">max '
                f"{escape(fmt(max(known)))}</text>"
            )
            parts.append(
                f'<text x="8" y="{y1}" font-size="11" fill="#555">min '
                f"{escape(fmt(min(known)))}</text>"
            )
        parts.append(f'<line x1="{left}" y1="{y1}" x2="{width - right}" y2="{y1}" stroke="#ccc"/>')
        if kind != "line":
            for i, v in enumerate(values):
                if v is None:
                    continue
                top_y = y(float(v))
                parts.append(
                    f'<rect x="{left + i * step + step * 0.2:.1f}" y="{top_y:.1f}" '
                    f'width="{step * 0.6:.1f}" height="{max(y(0.0) - top_y, 0):.1f}" '
                    f'fill="{"#f87171" if kind == "risk" else "#60a5fa"}">'
                    f"<title>{escape(weeks[i])}: {escape(fmt(v))}</title></rect>"
                )
        else:
            pts = _points(values, left + step / 2, left + step / 2 + step * (n - 1), y)
            if len(pts) > 1:
                parts.append(
                    '<polyline fill="none" stroke="#1d4ed8" stroke-width="2" points="'
                    + " ".join(f"{a:.1f},{b:.1f}" for a, b in pts)
                    + '"/>'
                )
            for i, v in enumerate(values):
                if v is None:
                    continue
                cx = left + step / 2 + i * step
                parts.append(
                    f'<circle cx="{cx:.1f}" cy="{y(float(v)):.1f}" r="3" fill="#1d4ed8">'
                    f"<title>{escape(weeks[i])}: {escape(fmt(v))}</title></circle>"
                )
    base = height - 8
    for i, w in enumerate(weeks):
        if n <= 8 or i % 2 == (n - 1) % 2:
            parts.append(
                f'<text x="{left + step / 2 + i * step:.1f}" y="{base}" font-size="10" '
                f'text-anchor="middle" fill="#555">{escape(w[-3:])}</text>'
            )
    parts.append("</svg>")
    return "".join(parts)
