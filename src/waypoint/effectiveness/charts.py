"""Server-rendered SVG bar charts with text alternatives (no JavaScript, no chart library)."""

from __future__ import annotations

from dataclasses import dataclass
from html import escape

from django.utils.safestring import SafeString, mark_safe

COLOURS = {"he": "#1b5e20", "e": "#66bb6a", "other": "#cfd8dc", "nr": "#9e9e9e"}


@dataclass(frozen=True)
class Bar:
    """One row: a label and its shares (0–100) of highly effective, effective, other, not
    rated; ``None`` when the row's numbers are hidden."""

    label: str
    shares: tuple[float, float, float, float] | None
    text: str


def stacked_bars(title: str, bars: list[Bar], *, chart_id: str) -> SafeString:
    """A horizontal stacked bar per row; ``<title>`` and ``<desc>`` say what it shows."""
    row_h, label_w, bar_w = 26, 220, 420
    height = row_h * len(bars) + 30
    desc = "; ".join(f"{b.label}: {b.text}" for b in bars)
    parts = [
        f'<svg class="chart" role="img" viewBox="0 0 {label_w + bar_w + 10} {height}" '
        f'aria-labelledby="{chart_id}-t {chart_id}-d" width="100%">',
        f'<title id="{chart_id}-t">{escape(title)}</title>',
        f'<desc id="{chart_id}-d">{escape(desc)}</desc>',
    ]
    for i, bar in enumerate(bars):
        y = i * row_h + 4
        parts.append(
            f'<text x="{label_w - 6}" y="{y + 15}" text-anchor="end" font-size="12">'
            f"{escape(bar.label[:34])}</text>"
        )
        if bar.shares is None:
            parts.append(
                f'<text x="{label_w + 4}" y="{y + 15}" font-size="12" fill="#555">'
                "hidden (small group)</text>"
            )
            continue
        x = float(label_w)
        for key, share in zip(("he", "e", "other", "nr"), bar.shares, strict=True):
            w = bar_w * share / 100.0
            if w > 0:
                parts.append(
                    f'<rect x="{x:.1f}" y="{y}" width="{w:.1f}" height="18" '
                    f'fill="{COLOURS[key]}"><title>{escape(bar.text)}</title></rect>'
                )
            x += w
    legend_y = len(bars) * row_h + 20
    x = label_w
    for key, name in (
        ("he", "highly effective"),
        ("e", "effective"),
        ("other", "developing, ineffective or partly rated"),
        ("nr", "not rated"),
    ):
        parts.append(
            f'<rect x="{x}" y="{legend_y - 10}" width="10" height="10" fill="{COLOURS[key]}"/>'
        )
        parts.append(f'<text x="{x + 14}" y="{legend_y}" font-size="11">{name}</text>')
        x += 14 + 7 * len(name)
    parts.append("</svg>")
    return mark_safe("".join(parts))  # noqa: S308 — every text is escaped above
