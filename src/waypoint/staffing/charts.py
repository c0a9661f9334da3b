"""Server-rendered SVG charts for scenarios, each with a text alternative."""

from __future__ import annotations

from collections.abc import Sequence
from html import escape

from django.utils.safestring import SafeString, mark_safe

from waypoint.staffing.models import Scenario
from waypoint.staffing.summary import Summary

BEFORE, AFTER = "#90a4ae", "#1b5e20"


def _svg(
    title: str, desc: str, chart_id: str, width: int, height: int, body: list[str]
) -> SafeString:
    head = (
        f'<svg class="chart" role="img" viewBox="0 0 {width} {height}" width="100%" '
        f'aria-labelledby="{chart_id}-t {chart_id}-d">'
        f'<title id="{chart_id}-t">{escape(title)}</title>'
        f'<desc id="{chart_id}-d">{escape(desc)}</desc>'
    )
    return mark_safe(head + "".join(body) + "</svg>")  # noqa: S308 — all text escaped


def reach_bars(summaries: Sequence[Summary], *, chart_id: str) -> SafeString:
    """Share of learner-subjects with a highly effective teacher of record, before and after."""
    label_w, bar_w, row_h = 260, 380, 44
    body: list[str] = []
    desc = []
    for i, s in enumerate(summaries):
        y = 8 + i * row_h
        name = f"{s.scenario.name} ({s.scenario.school.name})"
        body.append(
            f'<text x="{label_w - 6}" y="{y + 16}" text-anchor="end" font-size="12">'
            f"{escape(name[:40])}</text>"
        )
        for j, (which, colour) in enumerate((("before", BEFORE), ("after", AFTER))):
            share = s.share(which)
            yy = y + j * 16
            if share is None:
                body.append(f'<text x="{label_w}" y="{yy + 12}" font-size="11">hidden</text>')
                continue
            body.append(
                f'<rect x="{label_w}" y="{yy}" width="{bar_w * share / 100:.1f}" height="13" '
                f'fill="{colour}"/>'
                f'<text x="{label_w + bar_w * share / 100 + 4:.1f}" y="{yy + 11}" '
                f'font-size="11">{which} {share:.0f}%</text>'
            )
        desc.append(f"{name}: {s.before_pct} before, {s.after_pct} after")
    height = 16 + row_h * len(summaries) + 18
    body.append(
        f'<rect x="{label_w}" y="{height - 14}" width="10" height="10" fill="{BEFORE}"/>'
        f'<text x="{label_w + 14}" y="{height - 5}" font-size="11">before</text>'
        f'<rect x="{label_w + 70}" y="{height - 14}" width="10" height="10" fill="{AFTER}"/>'
        f'<text x="{label_w + 84}" y="{height - 5}" font-size="11">after the scenario</text>'
    )
    return _svg(
        "Learners with a highly effective teacher of record, before and after",
        "; ".join(desc),
        chart_id,
        label_w + bar_w + 60,
        height,
        body,
    )


def projection_bars(scenario: Scenario, *, chart_id: str) -> SafeString:
    """Five-year balance (funding + grant - cost) per year; below the line is a shortfall."""
    years = scenario.result.get("projection", {}).get("years", [])
    if not years:
        return mark_safe("")
    width, height, mid = 640, 200, 100
    top = max(abs(y["balance"]) for y in years) or 1.0
    step = width / len(years)
    body = [f'<line x1="0" y1="{mid}" x2="{width}" y2="{mid}" stroke="#333"/>']
    desc = []
    for i, y in enumerate(years):
        h = (mid - 20) * abs(y["balance"]) / top
        x = i * step + step * 0.2
        colour = "#1b5e20" if y["balance"] >= 0 else "#b71c1c"
        top_y = mid - h if y["balance"] >= 0 else mid
        body.append(
            f'<rect x="{x:.1f}" y="{top_y:.1f}" width="{step * 0.6:.1f}" height="{h:.1f}" '
            f'fill="{colour}"/>'
            f'<text x="{x + step * 0.3:.1f}" y="{height - 4}" font-size="12" '
            f'text-anchor="middle">{y["year"]}</text>'
        )
        desc.append(f"{y['year']}: balance ${y['balance']:,.0f}")
    return _svg(
        "Balance each year: funding and grant minus cost",
        "; ".join(desc),
        chart_id,
        width,
        height,
        body,
    )
