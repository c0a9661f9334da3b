"""A saved scenario's results as the pages, the CSV and the API show them.

Counts come from the stored published set (already suppressed: a hidden cell is ``*``);
money from the stored costs.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from waypoint.reports.equity import value_label
from waypoint.staffing.model_templates import LABELS
from waypoint.staffing.models import Scenario


@dataclass(frozen=True)
class GroupRow:
    dimension: str
    value: str
    label: str
    learners: str
    before: str
    before_pct: str
    after: str
    after_pct: str


@dataclass(frozen=True)
class Summary:
    scenario: Scenario
    learners: str
    before: str
    before_pct: str
    after: str
    after_pct: str
    gain: int | None
    cost_before: float
    cost_after: float
    cost_change: float
    status: str
    gap: float | None
    affordable_after_grant: bool
    groups: list[GroupRow]

    def units(self, amount: float) -> str:
        """An amount in position units: average teaching positions of the school."""
        unit = float(self.scenario.result.get("position_unit") or 0.0)
        return f"{amount / unit:.2f}" if unit else "—"

    @property
    def supplement_units(self) -> str:
        return self.units(float(self.scenario.result.get("supplements", 0.0)))

    @property
    def freed_units(self) -> str:
        return self.units(float(self.scenario.result.get("freed", 0.0)))

    @property
    def associate_units(self) -> str:
        r = self.scenario.result
        cost = float(r.get("associates", 0)) * float(
            self.scenario.parameters.get("associate_salary", 0.0)
        )
        return self.units(cost)

    @property
    def no_extra_cost(self) -> bool:
        return self.cost_change <= 0.005

    def share(self, which: str) -> float | None:
        """The reached share before or after, 0–100, from the shown counts (None if hidden)."""
        n, total = (self.before if which == "before" else self.after), self.learners
        if n == "*" or total == "*":
            return None
        t = int(total.replace(",", ""))
        return 100.0 * int(n.replace(",", "")) / t if t else 0.0


def _rows(result: dict[str, Any]) -> dict[tuple[str, str, str], dict[str, str]]:
    return {
        (r["section"], r["dimension"], r["value"]): r
        for r in result.get("published", [])
        if r["place"] == "all"
    }


def summarize(scenario: Scenario) -> Summary:
    result = scenario.result
    rows = _rows(result)
    empty = {"learners": "*", "reached": "*", "reached_percent": "*"}
    before = rows.get(("before", "all", "all"), empty)
    after = rows.get(("after", "all", "all"), empty)
    groups = []
    for (section, dim, value), row in rows.items():
        if section != "after" or dim == "all":
            continue
        b = rows.get(("before", dim, value), empty)
        groups.append(
            GroupRow(
                dim,
                value,
                value_label(dim, value),
                row["learners"],
                b["reached"],
                b["reached_percent"],
                row["reached"],
                row["reached_percent"],
            )
        )
    reach = result.get("reach", {})
    gain = None
    if "*" not in (before["reached"], after["reached"]) and reach:
        gain = reach["after"]["reached"] - reach["before"]["reached"]
    return Summary(
        scenario,
        after["learners"],
        before["reached"],
        before["reached_percent"],
        after["reached"],
        after["reached_percent"],
        gain,
        float(result.get("cost_before", 0.0)),
        float(result.get("cost_after", 0.0)),
        float(result.get("cost_after", 0.0)) - float(result.get("cost_before", 0.0)),
        str(result.get("status", "")),
        result.get("gap"),
        bool(result.get("projection", {}).get("affordable_after_grant", False)),
        groups,
    )


def parameter_rows(scenario: Scenario) -> list[tuple[str, str]]:
    out = []
    for name, label in LABELS.items():
        value = scenario.parameters.get(name)
        if isinstance(value, list):
            text = ", ".join(map(str, value))
        elif value is None:
            text = "—"
        else:
            text = f"{value:g}" if isinstance(value, float) else str(value)
        out.append((label, text))
    return out


CSV_HEADER = [
    "scenario",
    "school",
    "school_year",
    "template",
    "dimension",
    "value",
    "learner_subjects",
    "reached_before",
    "reached_before_percent",
    "reached_after",
    "reached_after_percent",
    "cost_before",
    "cost_after",
    "cost_change",
    "solver_status",
    "gap",
    "affordable_after_grant",
]


def _plain(count: str) -> str:
    return count.replace(",", "")


def csv_rows(summary: Summary) -> list[list[str]]:
    """The scenario's CSV rows: the same (suppressed) counts as the page, without separators."""
    s = summary.scenario
    money = [
        f"{summary.cost_before:.2f}",
        f"{summary.cost_after:.2f}",
        f"{summary.cost_change:.2f}",
        summary.status,
        "" if summary.gap is None else f"{summary.gap:.6f}",
        "yes" if summary.affordable_after_grant else "no",
    ]
    head = [s.name, s.school.name, s.school_year.title, s.get_template_display()]
    out = [
        [
            *head,
            "all",
            "all",
            _plain(summary.learners),
            _plain(summary.before),
            summary.before_pct,
            _plain(summary.after),
            summary.after_pct,
            *money,
        ]
    ]
    for g in summary.groups:
        out.append(
            [
                *head,
                g.dimension,
                g.value,
                _plain(g.learners),
                _plain(g.before),
                g.before_pct,
                _plain(g.after),
                g.after_pct,
                *money,
            ]
        )
    return out
