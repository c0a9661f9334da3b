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


@dataclass(frozen=True)
class ValueBar:
    """One row of a single-value bar chart: ``value`` is ``None`` when hidden or coded, and
    ``text`` says why (and the number in words)."""

    label: str
    value: float | None
    text: str


def value_bars(
    title: str,
    bars: list[ValueBar],
    *,
    chart_id: str,
    maximum: float = 100.0,
    reference: float | None = None,
    reference_label: str = "",
    unit: str = "%",
) -> SafeString:
    """A horizontal bar per row (0 … ``maximum``), with an optional dashed reference line
    (all learners, or the median SGP of 50). ``<title>`` and ``<desc>`` say what it shows."""
    row_h, label_w, bar_w = 26, 270, 330
    height = row_h * len(bars) + 34
    desc = "; ".join(f"{b.label}: {b.text}" for b in bars)
    if reference is not None:
        desc += f"; {reference_label}: {reference:.0f}{unit}"
    parts = [
        f'<svg class="chart" role="img" viewBox="0 0 {label_w + bar_w + 60} {height}" '
        f'aria-labelledby="{chart_id}-t {chart_id}-d" width="100%">',
        f'<title id="{chart_id}-t">{escape(title)}</title>',
        f'<desc id="{chart_id}-d">{escape(desc)}</desc>',
    ]
    for i, bar in enumerate(bars):
        y = i * row_h + 4
        parts.append(
            f'<text x="{label_w - 6}" y="{y + 15}" text-anchor="end" font-size="12">'
            f"{escape(bar.label[:42])}</text>"
        )
        if bar.value is None:
            parts.append(
                f'<text x="{label_w + 4}" y="{y + 15}" font-size="12" fill="#555">'
                f"{escape(bar.text)}</text>"
            )
            continue
        w = bar_w * max(0.0, min(bar.value, maximum)) / maximum
        parts.append(
            f'<rect x="{label_w}" y="{y}" width="{w:.1f}" height="18" fill="{COLOURS["he"]}">'
            f"<title>{escape(bar.text)}</title></rect>"
        )
        parts.append(
            f'<text x="{label_w + w + 4:.1f}" y="{y + 15}" font-size="12">'
            f"{bar.value:.0f}{escape(unit)}</text>"
        )
    if reference is not None:
        x = label_w + bar_w * max(0.0, min(reference, maximum)) / maximum
        bottom = len(bars) * row_h + 2
        parts.append(
            f'<line x1="{x:.1f}" y1="0" x2="{x:.1f}" y2="{bottom}" stroke="#b71c1c" '
            'stroke-width="2" stroke-dasharray="4 3"/>'
        )
        parts.append(
            f'<text x="{x:.1f}" y="{bottom + 16}" font-size="11" fill="#b71c1c" '
            f'text-anchor="middle">{escape(reference_label)} {reference:.0f}{escape(unit)}</text>'
        )
    parts.append("</svg>")
    return mark_safe("".join(parts))  # noqa: S308 — every text is escaped above


LINE_COLOURS = ("#1b1b1b", "#1565c0", "#c62828", "#2e7d32", "#6a1b9a", "#ef6c00", "#00838f")
LINE_DASHES = ("", "7 4", "2 3", "9 3 2 3", "4 4", "1 2", "12 4")
"""Each series also differs by its dash pattern (not by colour alone)."""


def line_chart(
    title: str,
    x_labels: list[str],
    series: list[tuple[str, list[float | None]]],
    *,
    chart_id: str,
    maximum: float = 100.0,
    unit: str = "%",
) -> SafeString:
    """One line per series over the x labels (years); a ``None`` point (hidden or coded) breaks
    the line. Each series also has a marker shape per point and a legend entry."""
    left, top, plot_w, plot_h = 44, 10, 420, 180
    legend_h = 18 * len(series)
    width, height = left + plot_w + 50, top + plot_h + 30 + legend_h
    step = plot_w / max(1, len(x_labels) - 1) if len(x_labels) > 1 else 0.0

    def xy(i: int, v: float) -> tuple[float, float]:
        x = left + (step * i if len(x_labels) > 1 else plot_w / 2)
        return x, top + plot_h - plot_h * max(0.0, min(v, maximum)) / maximum

    desc = "; ".join(
        f"{name}: "
        + ", ".join(
            f"{x} {'hidden or coded' if v is None else f'{v:.0f}{unit}'}"
            for x, v in zip(x_labels, values, strict=True)
        )
        for name, values in series
    )
    parts = [
        f'<svg class="chart" role="img" viewBox="0 0 {width} {height}" '
        f'aria-labelledby="{chart_id}-t {chart_id}-d" width="100%" style="max-width: 720px">',
        f'<title id="{chart_id}-t">{escape(title)}</title>',
        f'<desc id="{chart_id}-d">{escape(desc)}</desc>',
    ]
    for tick in (0, 25, 50, 75, 100):
        v = maximum * tick / 100
        _, y = xy(0, v)
        parts.append(
            f'<line x1="{left}" y1="{y:.1f}" x2="{left + plot_w}" y2="{y:.1f}" stroke="#e0e0e0"/>'
        )
        parts.append(
            f'<text x="{left - 6}" y="{y + 4:.1f}" font-size="11" text-anchor="end">'
            f"{v:.0f}{escape(unit)}</text>"
        )
    for i, label in enumerate(x_labels):
        x, _ = xy(i, 0)
        parts.append(
            f'<text x="{x:.1f}" y="{top + plot_h + 16}" font-size="11" text-anchor="middle">'
            f"{escape(label)}</text>"
        )
    for k, (name, values) in enumerate(series):
        colour = LINE_COLOURS[k % len(LINE_COLOURS)]
        dash = LINE_DASHES[k % len(LINE_DASHES)]
        dashed = f' stroke-dasharray="{dash}"' if dash else ""
        run: list[str] = []
        for i, point in enumerate([*values, None]):
            if point is not None:
                x, y = xy(i, point)
                run.append(f"{x:.1f},{y:.1f}")
                parts.append(f'<circle cx="{x:.1f}" cy="{y:.1f}" r="3.5" fill="{colour}"/>')
            elif run:
                if len(run) > 1:
                    parts.append(
                        f'<polyline points="{" ".join(run)}" fill="none" stroke="{colour}" '
                        f'stroke-width="2"{dashed}/>'
                    )
                run = []
        ly = top + plot_h + 34 + 18 * k
        parts.append(
            f'<line x1="{left}" y1="{ly - 4}" x2="{left + 24}" y2="{ly - 4}" stroke="{colour}" '
            f'stroke-width="2"{dashed}/>'
        )
        parts.append(f'<text x="{left + 30}" y="{ly}" font-size="11">{escape(name[:60])}</text>')
    parts.append("</svg>")
    return mark_safe("".join(parts))  # noqa: S308 — every text is escaped above
