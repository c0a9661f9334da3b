"""Benchmark: `waypoint demo --learners 100000 --no-serve` on SQLite and PostgreSQL.

Runs the real command in a child process on a fresh database of each kind and measures the
wall time, the child's peak memory (its own rusage, from wait4), and the rows it wrote;
records the machine; writes ``bench/results/demo_scale.json`` and renders the section
"Demo district at scale" of ``docs/benchmarks.md``.

    .venv/bin/python bench/demo_scale.py            # the full run (both databases)
    .venv/bin/python bench/demo_scale.py --smoke    # CI: 300 learners, SQLite, temp dir
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import re
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from harness import fresh_postgres, write_section
from machine_info import base_machine

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results" / "demo_scale.json"
DOCS = ROOT / "docs" / "benchmarks.md"
PG_BASE = "postgres://postgres@127.0.0.1:5432"
PG_DB = "waypoint_bench_demo"
START, END = "<!-- demo_scale:start -->", "<!-- demo_scale:end -->"
TABLE_PREFIXES = ("roster_", "effectiveness_", "auth_user")


def machine(pg_base: str | None) -> dict[str, Any]:
    """What ran the benchmark: CPU, cores, memory and software versions."""
    import django

    info: dict[str, Any] = {
        **base_machine(),
        "django": django.get_version(),
        "sqlite": sqlite3.sqlite_version,
    }
    if pg_base:
        import psycopg

        with psycopg.connect(f"{pg_base}/postgres") as conn:
            info["postgresql"] = conn.execute("SHOW server_version").fetchone()[0]  # type: ignore[index]
    return info


def count_rows(database: str, url: str) -> dict[str, int]:
    """Rows per Waypoint data table (and login accounts), straight from the database."""
    counts: dict[str, int] = {}
    if database == "sqlite":
        with sqlite3.connect(url.removeprefix("sqlite:///")) as conn:
            tables = conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")
            names = [r[0] for r in tables]
            for name in sorted(names):
                if name.startswith(TABLE_PREFIXES):
                    counts[name] = conn.execute(f'SELECT COUNT(*) FROM "{name}"').fetchone()[0]
    else:
        import psycopg

        with psycopg.connect(url) as conn:
            names = [
                r[0]
                for r in conn.execute(
                    "SELECT table_name FROM information_schema.tables WHERE table_schema = 'public'"
                )
            ]
            for name in sorted(names):
                if name.startswith(TABLE_PREFIXES):
                    row = conn.execute(f'SELECT COUNT(*) FROM "{name}"').fetchone()
                    counts[name] = row[0] if row else 0
    return {k: v for k, v in counts.items() if v}


def run_once(database: str, url: str, learners: int, seed: int, workdir: Path) -> dict[str, Any]:
    """Run the demo command in a child process; wall time, peak RSS (wait4) and rows."""
    command = [sys.executable, "-m", "waypoint.cli", "demo", "--learners", str(learners)]
    command += ["--seed", str(seed), "--no-serve"]
    env = {**os.environ, "DATABASE_URL": url, "PYTHONUNBUFFERED": "1"}
    started = time.monotonic()
    child = subprocess.Popen(
        command, cwd=workdir, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT
    )
    assert child.stdout is not None
    output = child.stdout.read().decode()
    _, status, usage = os.wait4(child.pid, 0)
    wall = time.monotonic() - started
    child.returncode = os.waitstatus_to_exitcode(status)
    if child.returncode != 0:
        raise SystemExit(f"{database}: waypoint demo failed ({child.returncode}):\n{output}")
    built = re.search(r"([\d,]+) rows in ([\d.]+)s", output)
    rows = count_rows(database, url)
    return {
        "database": database,
        "learners": learners,
        "seed": seed,
        "wall_seconds": round(wall, 1),
        "build_seconds": float(built.group(2)) if built else None,
        "peak_rss_mb": round(usage.ru_maxrss / 1024, 1),
        "rows_total": sum(rows.values()),
        "rows": rows,
    }


def render(report: dict[str, Any]) -> str:
    """The docs section, between markers so other benchmarks can share the file."""
    m = report["machine"]
    lines = [
        START,
        "## Demo district at scale",
        "",
        f"`waypoint demo --learners {report['learners']:,} --no-serve` on a fresh database, "
        "run by `bench/demo_scale.py` as a child process: wall time includes migrating the "
        "empty database, building, hashing the demo password once and refreshing planner "
        "statistics; peak memory is the child's maximum resident set (wait4 rusage). "
        f"Measured {report['generated_at'][:10]}.",
        "",
        "| database | learners | total rows | wall time | of which building | peak memory |",
        "|---|---:|---:|---:|---:|---:|",
    ]
    for r in report["results"]:
        version = m.get("postgresql") if r["database"] == "postgresql" else m["sqlite"]
        build = f"{r['build_seconds']:.0f} s" if r["build_seconds"] else "—"
        lines.append(
            f"| {r['database']} {version} | {r['learners']:,} | {r['rows_total']:,} | "
            f"{r['wall_seconds']:.0f} s | {build} | {r['peak_rss_mb']:.0f} MB |"
        )
    results = report["results"]
    tables = sorted({t for r in results for t in r["rows"]})
    lines += [
        "",
        "Rows written, by table:",
        "",
        "| table | " + " | ".join(r["database"] for r in results) + " |",
        "|---|" + "---:|" * len(results),
    ]
    lines += [
        f"| `{t}` | " + " | ".join(f"{r['rows'].get(t, 0):,}" for r in results) + " |"
        for t in tables
    ]
    lines += [
        "",
        f"Machine: {m['cpu']}, {m['cores']} cores, {m['ram_gb']} GB RAM; {m['os']}; "
        f"1-minute load average {m['load_average_at_start']} when the run started; "
        f"Python {m['python']}, Django {m['django']}, SQLite {m['sqlite']}"
        + (f", PostgreSQL {m['postgresql']}" if "postgresql" in m else "")
        + ".",
        "",
        "Reproduce (PostgreSQL at 127.0.0.1:5432, user postgres; the database "
        f"`{PG_DB}` is dropped and created):",
        "",
        "```",
        ".venv/bin/python bench/demo_scale.py",
        "# or one database by hand:",
        f"DATABASE_URL=sqlite:////tmp/demo.sqlite3 .venv/bin/waypoint demo "
        f"--learners {report['learners']} --no-serve",
        "```",
        "",
        "Raw numbers: `bench/results/demo_scale.json`.",
        END,
    ]
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--smoke", action="store_true", help="300 learners, SQLite, temp dir")
    parser.add_argument("--learners", type=int, default=None)
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument(
        "--databases", default="sqlite,postgresql", help="comma-separated: sqlite,postgresql"
    )
    parser.add_argument("--pg-base", default=PG_BASE, help=f"server URL (default {PG_BASE})")
    args = parser.parse_args(argv)
    learners = args.learners or (300 if args.smoke else 100_000)
    databases = ["sqlite"] if args.smoke else args.databases.split(",")
    with tempfile.TemporaryDirectory(prefix="waypoint-bench-") as tmp:
        workdir = Path(tmp)
        results_path = workdir / "demo_scale.json" if args.smoke else RESULTS
        docs_path = workdir / "benchmarks.md" if args.smoke else DOCS
        report: dict[str, Any] = {
            "benchmark": "demo_scale",
            "generated_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
            "learners": learners,
            "command": f"waypoint demo --learners {learners} --seed {args.seed} --no-serve",
            "machine": machine(args.pg_base if "postgresql" in databases else None),
            "results": [],
        }
        for database in databases:
            if database == "sqlite":
                url = f"sqlite:///{workdir / 'bench.sqlite3'}"
            elif database == "postgresql":
                url = fresh_postgres(args.pg_base, PG_DB)
            else:
                parser.error(f"unknown database {database!r}")
            print(f"{database}: waypoint demo --learners {learners:,} …", flush=True)
            result = run_once(database, url, learners, args.seed, workdir)
            print(
                f"{database}: {result['wall_seconds']} s, {result['peak_rss_mb']} MB peak, "
                f"{result['rows_total']:,} rows",
                flush=True,
            )
            report["results"].append(result)
        if args.smoke:
            assert all(r["rows_total"] > learners * 10 for r in report["results"])
        results_path.parent.mkdir(parents=True, exist_ok=True)
        results_path.write_text(json.dumps(report, indent=2) + "\n")
        write_section(docs_path, START, END, render(report))
        print(f"wrote {results_path} and {docs_path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
