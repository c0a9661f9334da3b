"""The grid's rows as HTML, built in Python: 35 learners × 60 standards is 2,100 cells, which
Django's template engine renders about ten times slower than this (docs/benchmarks.md)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from django.urls import reverse
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from waypoint.classroom.selectors import Dashboard

FLAG_LABELS = {
    "ready": "ready",
    "stuck": "stuck",
    "behind": "behind pace",
    "quiet": "no recent evidence",
}


def grid_rows(dash: Dashboard, steps: Mapping[int, Sequence[Mapping[str, Any]]]) -> SafeString:
    """``<tr>`` for every learner: name, flags, one cell per standard, the next best step."""
    cell_base = reverse("classroom:cell", args=["0", "0"])[: -len("0/0/")]
    learner_base = reverse("learner-detail", args=["0"])[: -len("0/")]
    ready_label = escape(_("ready to learn"))
    stuck_label = escape(_("stuck"))
    flags = {k: escape(_(v)) for k, v in FLAG_LABELS.items()}
    out: list[str] = []
    for row in dash.rows:
        learner = row.learner
        name = escape(f"{learner.family_name}, {learner.preferred_name or learner.given_name}")
        parts = [
            f'<tr data-learner="{learner.pk}"><th scope="row">'
            f'<a href="{learner_base}{learner.pk}/">{name}</a></th><td class="flags">',
            "".join(f'<span class="tag flag-{f}">{flags[f]}</span>' for f in row.flags),
            "</td>",
        ]
        for cell in row.cells:
            classes = (
                f"m m-{cell.band}"
                + (" ready" if cell.ready else "")
                + (" stuck" if cell.stuck else "")
            )
            text = "·" if cell.percent is None else str(cell.percent)
            if cell.ready:
                text += f'<span aria-label="{ready_label}"> ▶</span>'
            if cell.stuck:
                text += f'<span aria-label="{stuck_label}"> ⚠</span>'
            if cell.observations:
                href = f"{cell_base}{learner.pk}/{cell.standard_id}/"
                text = f'<a class="cell" href="{href}" data-cell>{text}</a>'
            parts.append(f'<td class="{classes}">{text}</td>')
        step_html = "".join(
            f"<strong>{escape(step['action'])}</strong>"
            + (f" · {escape(step['code'])}" if step["code"] else "")
            + f"<br><small>{escape(step['reason'])}</small>"
            for step in steps.get(learner.pk, ())
        )
        parts.append(f'<td class="next">{step_html or "—"}</td></tr>')
        out.append("".join(parts))
    return mark_safe("\n".join(out))  # noqa: S308 — every value above is escaped
