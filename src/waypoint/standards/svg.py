"""A server-rendered SVG of an item's prerequisite neighbourhood (no JavaScript).

Rows from top to bottom: prerequisites two steps away, direct prerequisites, the item,
direct dependents, dependents two steps away. Each box links to that standard's page and has a
``<title>`` with its statement; the picture has a ``<title>`` and ``<desc>``. Pages show a text
list of the same items beside it.
"""

from __future__ import annotations

from collections.abc import Callable

from django.utils.html import escape

from waypoint.standards.models import FrameworkItem
from waypoint.standards.selectors import Neighbourhood

BOX_W, BOX_H, GAP_X, GAP_Y, PAD = 150, 44, 16, 46, 12


def _label(item: FrameworkItem, limit: int = 20) -> str:
    text = item.code_or_statement
    return text if len(text) <= limit else text[: limit - 1] + "…"


def neighbourhood_svg(hood: Neighbourhood, url_for: Callable[[FrameworkItem], str]) -> str:
    rows = [*reversed(hood.up), [hood.center], *hood.down]
    widest = max(len(r) for r in rows)
    width = PAD * 2 + widest * BOX_W + (widest - 1) * GAP_X
    height = PAD * 2 + len(rows) * BOX_H + (len(rows) - 1) * GAP_Y
    where: dict[int, tuple[float, float]] = {}
    for r, row in enumerate(rows):
        row_w = len(row) * BOX_W + (len(row) - 1) * GAP_X
        x0 = (width - row_w) / 2
        for c, item in enumerate(row):
            where[item.pk] = (x0 + c * (BOX_W + GAP_X), PAD + r * (BOX_H + GAP_Y))

    code = escape(hood.center.code_or_statement)
    n_up = sum(len(r) for r in hood.up)
    n_down = sum(len(r) for r in hood.down)
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="neighbourhood" role="img" '
        f'viewBox="0 0 {width:.0f} {height:.0f}" width="{width:.0f}" height="{height:.0f}" '
        f'aria-labelledby="hood-title hood-desc">',
        f'<title id="hood-title">Prerequisite neighbourhood of {code}</title>',
        f'<desc id="hood-desc">{n_up} prerequisite(s) within two steps above, '
        f"{n_down} dependent(s) within two steps below. Arrows point from a prerequisite "
        f"to the standard that builds on it. The same items are listed after the picture.</desc>",
        '<defs><marker id="arrow" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="7" '
        'markerHeight="7" orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" '
        'fill="#4a5360"/></marker></defs>',
    ]
    for a, b, source in hood.edges:
        if a not in where or b not in where:
            continue
        (xa, ya), (xb, yb) = where[a], where[b]
        dash = ' stroke-dasharray="5 4"' if source == "district" else ""
        parts.append(
            f'<line x1="{xa + BOX_W / 2:.1f}" y1="{ya + BOX_H:.1f}" x2="{xb + BOX_W / 2:.1f}" '
            f'y2="{yb:.1f}" stroke="#4a5360" stroke-width="1.5"{dash} marker-end="url(#arrow)"/>'
        )
    for row in rows:
        for item in row:
            x, y = where[item.pk]
            center = item.pk == hood.center.pk
            fill, stroke, ink = (
                ("#0b5cad", "#084a8c", "#ffffff")
                if center
                else (
                    "#ffffff",
                    "#767f8c",
                    "#1b1f24",
                )
            )
            statement = escape(item.full_statement[:300])
            label = escape(_label(item))
            grade = escape(f"Grade {item.grade_span}" if item.grade_span else item.item_type)
            parts.append(
                f'<a href="{escape(url_for(item))}"><title>{escape(item.code_or_statement)}: '
                f"{statement}</title>"
                f'<rect x="{x:.1f}" y="{y:.1f}" width="{BOX_W}" height="{BOX_H}" rx="6" '
                f'fill="{fill}" stroke="{stroke}"/>'
                f'<text x="{x + BOX_W / 2:.1f}" y="{y + 19:.1f}" text-anchor="middle" '
                f'font-size="13" font-weight="600" fill="{ink}">{label}</text>'
                f'<text x="{x + BOX_W / 2:.1f}" y="{y + 35:.1f}" text-anchor="middle" '
                f'font-size="11" fill="{ink}">{grade}</text></a>'
            )
    parts.append("</svg>")
    return "".join(parts)
