"""The reach optimizer on a generated district, side by side with a by-hand greedy plan.

A district of 100 schools, 5,000 teachers and 100,000 learner-sections (seeded, so every run
sees the same district): elementary, middle and high schools with their subjects and grade
bands, ratings drawn 20% highly effective / 40% effective / 25% developing / 10% ineffective /
5% not rated, salaries from a step schedule, one or two certifications per teacher and one to
three vacant teaching positions per school. Each school is solved on its own
(``waypoint.engine.reach.optimize``, budget neutral: today's cost), so the district is solved
school by school; the greedy plan (best teachers lead the largest teams first) gets the same
budget. Reports learners reached before, with the greedy plan and with the optimizer, costs,
the solver's proven gap (per school and for the district), and the wall time. Writes
``bench/results/reach.json`` and the ``reach`` section of ``docs/benchmarks.md``.

    flock /tmp/waypoint-bench.lock .venv/bin/python bench/reach_optimizer.py   # under a minute
    .venv/bin/python bench/reach_optimizer.py --render-only    # redraw the docs from the JSON
    .venv/bin/python bench/reach_optimizer.py --smoke          # CI: 4 schools, docs untouched
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import random
import sys
import time
from importlib import metadata
from pathlib import Path
from typing import Any

from machine_info import base_machine

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))

from waypoint.engine.reach import (  # noqa: E402
    Level,
    PayPolicy,
    Position,
    School,
    Section,
    Teacher,
    evaluate,
    greedy,
    optimize,
)

RESULTS = ROOT / "bench" / "results" / "reach.json"
DOCS = ROOT / "docs" / "benchmarks.md"
START, END = "<!-- reach:start -->", "<!-- reach:end -->"

KINDS = {
    "elementary": [(s, b) for s in ("math", "ela", "science") for b in ("K-2", "3-5")],
    "middle": [(s, "6-8") for s in ("math", "ela", "science", "social studies")],
    "high": [(s, "9-12") for s in ("math", "ela", "science", "social studies", "cs")],
}
LEVELS = [
    (Level.HIGHLY_EFFECTIVE, 0.20),
    (Level.EFFECTIVE, 0.40),
    (Level.DEVELOPING, 0.25),
    (Level.INEFFECTIVE, 0.10),
    (Level.NOT_RATED, 0.05),
]
POLICY = PayPolicy(
    team_min=2,
    team_max=8,
    leader_pct=0.20,
    leader_pct_per_member=0.05,
    leader_max_pct=1.30,
    member_pct=0.0,
    excellent_pct=0.20,
    associate_salary=32_000,
    class_size_cap=30,
    band_caps={"K-2": 24, "3-5": 28},
)


def district(n_schools: int, n_teachers: int, n_learners: int, seed: int = 7) -> list[School]:
    """Schools whose teachers and learner-sections add up exactly to the sizes asked for."""
    rng = random.Random(seed)
    per_school = [n_teachers // n_schools] * n_schools
    for i in range(n_teachers % n_schools):
        per_school[i] += 1
    spread = [rng.randint(-15, 15) for _ in range(n_schools // 2)]
    for i, d in enumerate(spread):  # vary school sizes, keeping the total
        per_school[2 * i] += d
        per_school[2 * i + 1] -= d
    # vacant positions' learners count too: 1-3 vacancies of about 20 learners per school
    vacancies = [rng.randint(1, 3) for _ in range(n_schools)]
    slots = sum(per_school) + sum(vacancies)
    sizes = [n_learners // slots] * slots
    for i in rng.sample(range(slots), n_learners % slots):
        sizes[i] += 1
    schools: list[School] = []
    at = 0
    for s in range(n_schools):
        kind = ("elementary", "elementary", "middle", "high")[s % 4]
        keys = KINDS[kind]
        teachers, sections, positions = [], [], []
        for t in range(per_school[s]):
            key = rng.choice(keys)
            certs = {key}
            if rng.random() < 0.35:
                certs.add(rng.choice(keys))
            level = rng.choices([lv for lv, _ in LEVELS], [w for _, w in LEVELS])[0]
            step = rng.randint(0, 20)
            tid = f"s{s}-t{t}"
            teachers.append(
                Teacher(
                    tid,
                    42_000 + 2_100 * step,
                    level,
                    frozenset(certs),
                    score=round(rng.gauss(0, 1), 3),
                )
            )
            size, at = sizes[at], at + 1
            sections.append(Section(f"{tid}-c", tid, key[0], key[1], size=size))
        for v in range(vacancies[s]):
            key = rng.choice(keys)
            size, at = sizes[at], at + 1
            vid = f"s{s}-v{v}"
            positions.append(
                Position(
                    vid,
                    float(62_000 + 1_000 * rng.randint(0, 12)),
                    (Section(f"{vid}-c", None, key[0], key[1], size=size),),
                )
            )
        schools.append(School(f"s{s}", tuple(teachers), tuple(sections), tuple(positions)))
    return schools


def run(
    n_schools: int, n_teachers: int, n_learners: int, gap: float, limit: float
) -> dict[str, Any]:
    schools = district(n_schools, n_teachers, n_learners)
    rows = []
    greedy_seconds = 0.0
    started = time.perf_counter()
    for school in schools:
        t0 = time.perf_counter()
        by_hand = greedy(school, POLICY)
        base = evaluate(school, by_hand, POLICY)
        greedy_seconds += time.perf_counter() - t0
        r = optimize(school, POLICY, time_limit=limit, gap=gap)
        rows.append(
            {
                "school": school.id,
                "teachers": len(school.teachers),
                "learners": r.after.total,
                "before": r.before.reached,
                "greedy": base.reach.reached,
                "optimizer": r.after.reached,
                "bound": r.bound,
                "gap": r.gap,
                "status": r.status,
                "seconds": r.seconds,
                "cost_before": r.cost_before,
                "cost_greedy": base.cost,
                "cost_optimizer": r.cost_after,
                "budget": r.budget,
                "leaders": len(r.plan.teams),
                "greedy_leaders": len(by_hand.teams),
                "conversions": len(r.plan.conversions),
                "extended": len(r.plan.extended),
            }
        )
    wall = time.perf_counter() - started

    def total(name: str) -> float:
        return sum(row[name] for row in rows)

    bound = total("bound")
    after = total("optimizer")
    return {
        "date": dt.date.today().isoformat(),
        "schools": n_schools,
        "teachers": sum(row["teachers"] for row in rows),
        "learners": int(total("learners")),
        "solved": "school by school",
        "gap_option": gap,
        "time_limit_per_school": limit,
        "wall_seconds": round(wall, 2),
        "optimizer_seconds": round(total("seconds"), 2),
        "greedy_seconds": round(greedy_seconds, 2),
        "reached_before": int(total("before")),
        "reached_greedy": int(total("greedy")),
        "reached_optimizer": int(after),
        "bound": bound,
        "district_gap": (bound - after) / bound if bound else 0.0,
        "gap_on_gain": (bound - after) / (bound - total("before"))
        if bound > total("before")
        else 0.0,
        "worst_school_gap": max(row["gap"] for row in rows),
        "statuses": {
            s: sum(row["status"] == s for row in rows) for s in {r["status"] for r in rows}
        },
        "cost_before": total("cost_before"),
        "cost_greedy": total("cost_greedy"),
        "cost_optimizer": total("cost_optimizer"),
        "budget": total("budget"),
        "leaders_optimizer": int(total("leaders")),
        "leaders_greedy": int(total("greedy_leaders")),
        "conversions": int(total("conversions")),
        "extended": int(total("extended")),
        "slowest_school_seconds": round(max(row["seconds"] for row in rows), 2),
        "rows": rows,
    }


def _pct(x: float, of: float) -> str:
    return f"{100 * x / of:.1f}%" if of else "–"


def render(report: dict[str, Any]) -> str:
    n = report["learners"]
    more = report["reached_optimizer"] - report["reached_greedy"]
    machine = report["machine"]
    met_time = report["wall_seconds"] < 60
    met_gap = report["district_gap"] <= 0.01
    lines = [
        START,
        "## Reach optimizer against a by-hand plan (`bench/reach_optimizer.py`)",
        "",
        f"A generated district of {report['schools']} schools, {report['teachers']:,} teachers "
        f"and {n:,} learner-sections (elementary, middle and high schools; 20% of teachers "
        "highly effective; one to three vacant teaching positions per school), each school "
        "solved on its own within a budget-neutral budget (today's cost) — so the district is "
        "**solved school by school** — with the greedy plan a planner makes by hand (best "
        "teachers lead the largest teams first, vacancies converted to pay for them) under the "
        f"same budget and rules. Pay policy: leaders {POLICY.leader_pct:.0%} + "
        f"{POLICY.leader_pct_per_member:.0%} per team member (at most "
        f"{POLICY.leader_max_pct:.0%}), teams of {POLICY.team_min}–{POLICY.team_max}, "
        f"excellent teachers taking extra learners {POLICY.excellent_pct:.0%}, reach associate "
        f"${POLICY.associate_salary:,.0f}; class-size caps K-2 24, 3-5 28, else 30. HiGHS "
        f"{report['highs']}, one thread, `mip_rel_gap` {report['gap_option']}, "
        f"{report['time_limit_per_school']:g} s limit per school. Measured {report['date']}.",
        "",
        "| plan | learners reached | share | cost | leaders |",
        "|---|---:|---:|---:|---:|",
        f"| today | {report['reached_before']:,} | {_pct(report['reached_before'], n)} | "
        f"${report['cost_before']:,.0f} | – |",
        f"| greedy (by hand) | {report['reached_greedy']:,} | "
        f"{_pct(report['reached_greedy'], n)} | ${report['cost_greedy']:,.0f} | "
        f"{report['leaders_greedy']:,} |",
        f"| optimizer | {report['reached_optimizer']:,} | "
        f"{_pct(report['reached_optimizer'], n)} | ${report['cost_optimizer']:,.0f} | "
        f"{report['leaders_optimizer']:,} |",
        "",
        f"The optimizer reaches **{more:,} more learners** than the greedy plan "
        f"({_pct(more, report['reached_greedy'])} more; "
        f"{report['reached_optimizer'] - report['reached_before']:,} more than today "
        f"against the greedy plan's {report['reached_greedy'] - report['reached_before']:,}), "
        f"with {report['conversions']} vacancies converted and {report['extended']} excellent "
        "teachers taking extra learners; both plans stay within the same total budget "
        f"(${report['budget']:,.0f}).",
        "",
        f"- Wall time for all {report['schools']} schools: **{report['wall_seconds']:.1f} s** "
        f"(optimizer {report['optimizer_seconds']:.1f} s including its own greedy start, "
        f"greedy baseline {report['greedy_seconds']:.1f} s; slowest school "
        f"{report['slowest_school_seconds']:.2f} s).",
        f"- Proven gap: district **{100 * report['district_gap']:.3f}%** on learners reached "
        f"(sum of the schools' bounds {report['bound']:,.0f}); worst school "
        f"{100 * report['worst_school_gap']:.3f}%; on the gain over today "
        f"{100 * report['gap_on_gain']:.2f}%. Solver status per school: "
        + ", ".join(f"{k} {v}" for k, v in sorted(report["statuses"].items()))
        + ".",
        "",
        f"Targets: proven gap within 1% — {'met' if met_gap else '**missed**'}; under 60 s — "
        f"{'met' if met_time else '**missed**'} ({report['wall_seconds']:.1f} s).",
        "",
        f"Machine: {machine['cpu']}, {machine['cores']} cores, {machine['ram_gb']} GB RAM; "
        f"{machine['os']}; Python {machine['python']}; 1-minute load average "
        f"{machine['load_average_at_start']} when the run started (other benchmarks queue on "
        "`/tmp/waypoint-bench.lock`).",
        "",
        "Reproduce:",
        "",
        "```",
        "flock /tmp/waypoint-bench.lock .venv/bin/python bench/reach_optimizer.py",
        "```",
        "",
        "Raw numbers, per school: `bench/results/reach.json`. The model: `docs/reach.md`.",
        END,
    ]
    return "\n".join(lines)


def write_docs(section: str) -> None:
    text = DOCS.read_text()
    if START in text and END in text:
        head, rest = text.split(START, 1)
        _, tail = rest.split(END, 1)
        text = head + section + tail
    else:
        text = text.rstrip("\n") + "\n\n" + section + "\n"
    DOCS.write_text(text)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--smoke", action="store_true", help="4 schools; docs left alone")
    parser.add_argument("--render-only", action="store_true", help="redraw docs from the JSON")
    parser.add_argument("--schools", type=int, default=100)
    parser.add_argument("--teachers", type=int, default=5_000)
    parser.add_argument("--learners", type=int, default=100_000)
    parser.add_argument("--gap", type=float, default=1e-3, help="HiGHS mip_rel_gap per school")
    parser.add_argument("--time-limit", type=float, default=2.0, help="seconds per school")
    args = parser.parse_args(argv)
    if args.render_only:
        write_docs(render(json.loads(RESULTS.read_text())))
        return 0
    if args.smoke:
        report = run(4, 200, 4_000, args.gap, args.time_limit)
        more = report["reached_optimizer"] - report["reached_greedy"]
        assert more >= 0, "the optimizer reached fewer learners than the greedy plan"
        assert report["cost_optimizer"] <= report["budget"] + 1e-6
        print(
            f"reach smoke: {report['schools']} schools, {report['learners']:,} learners, "
            f"greedy {report['reached_greedy']:,}, optimizer {report['reached_optimizer']:,} "
            f"(+{more}), gap {100 * report['district_gap']:.3f}%, {report['wall_seconds']:.1f} s"
        )
        return 0
    machine = base_machine()
    report = run(args.schools, args.teachers, args.learners, args.gap, args.time_limit)
    report["machine"] = machine
    report["highs"] = metadata.version("highspy")
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(report, indent=2) + "\n")
    write_docs(render(report))
    print(render(report))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
