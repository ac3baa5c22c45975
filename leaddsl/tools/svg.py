"""Charts as inline SVG: horizontal bars, plain or stacked, with their numbers written on
them, sized in the markup (no script, no font or file to fetch), readable in print."""
from __future__ import annotations

from html import escape

ROW = 24
LABEL = 260
BAR = 330
WIDTH = LABEL + BAR + 230
COLORS = {"true": "#2e7d32", "false": "#c62828", "unknown": "#9e9e9e", "error": "#6a1b9a",
          "present": "#2e7d32", "missing": "#f9a825", "bad": "#c62828", "bar": "#1565c0"}


def _label(text: str, limit: int = 38) -> str:
    text = str(text)
    return text if len(text) <= limit else text[:limit - 1] + "…"


def bars(rows: list[tuple[str, float, str]], title: str, color: str = COLORS["bar"]) -> str:
    """One bar per row: (label, value, the text written after the bar)."""
    top = max([v for _, v, _ in rows] + [0]) or 1
    parts = []
    for i, (label, value, note) in enumerate(rows):
        y = i * ROW
        w = max(0.0, BAR * value / top)
        parts.append(f'<text x="{LABEL - 8}" y="{y + 16}" text-anchor="end">{escape(_label(label))}</text>'
                     f'<rect x="{LABEL}" y="{y + 4}" width="{w:.1f}" height="{ROW - 8}" fill="{color}">'
                     f'<title>{escape(str(label))}: {escape(note)}</title></rect>'
                     f'<text x="{LABEL + w + 6:.1f}" y="{y + 16}">{escape(note)}</text>')
    return _svg(parts, len(rows), title)


def stacked(rows: list[tuple[str, list[tuple[str, int]], str]], title: str) -> str:
    """One bar per row, split into parts: (label, [(part name, count), ...], note); every bar
    is the full width (shares), each part coloured by its name (see COLORS)."""
    parts = []
    for i, (label, pieces, note) in enumerate(rows):
        y = i * ROW
        total = sum(c for _, c in pieces) or 1
        x = float(LABEL)
        parts.append(f'<text x="{LABEL - 8}" y="{y + 16}" text-anchor="end">{escape(_label(label))}</text>')
        for name, count in pieces:
            w = BAR * count / total
            if w <= 0:
                continue
            parts.append(f'<rect x="{x:.1f}" y="{y + 4}" width="{w:.1f}" height="{ROW - 8}" '
                         f'fill="{COLORS.get(name, COLORS["bar"])}"><title>{escape(str(label))}: {escape(name)} '
                         f'{count:,} ({100 * count / total:.1f}%)</title></rect>')
            x += w
        parts.append(f'<text x="{LABEL + BAR + 6}" y="{y + 16}">{escape(note)}</text>')
    return _svg(parts, len(rows), title)


def legend(names: list[str]) -> str:
    items = []
    x = 0
    for name in names:
        items.append(f'<rect x="{x}" y="4" width="12" height="12" fill="{COLORS.get(name, COLORS["bar"])}"/>'
                     f'<text x="{x + 16}" y="15">{escape(name)}</text>')
        x += 24 + 8 * len(name)
    return (f'<svg class="legend" xmlns="http://www.w3.org/2000/svg" width="{x}" height="20" '
            f'viewBox="0 0 {x} 20" role="img" aria-label="legend">{"".join(items)}</svg>')


def _svg(parts: list[str], n: int, title: str) -> str:
    height = max(n, 1) * ROW + 4
    return (f'<svg class="chart" xmlns="http://www.w3.org/2000/svg" width="{WIDTH}" height="{height}" '
            f'viewBox="0 0 {WIDTH} {height}" role="img" aria-label="{escape(title)}"><title>{escape(title)}</title>'
            + "".join(parts) + "</svg>")
