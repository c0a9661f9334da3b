"""The section dashboard under load: 50 teachers, each opening their own section page.

Builds the demo district (100,000 learners by default) on a fresh PostgreSQL database, then
gives 50 grade 5 mathematics sections 35 learners each and a 60-standard grade 5 framework
with mastery for every learner × standard (probabilities, trails, fitted parameters), so each
page is a 35 × 60 grid with flags and each learner's next best step. Starts gunicorn on
loopback (no page cache of any kind) and runs 50 simulated teachers, each logged in with their
own session, requesting their section page and waiting 1–3 s between requests, for a fixed
time. Reports client-side latency percentiles, errors, throughput and the time inside the
server, and checks that every page holds the full grid.

    .venv/bin/python bench/classroom_load.py                 # 100,000 learners, PostgreSQL
    .venv/bin/python bench/classroom_load.py --smoke         # CI: SQLite, small, 10 s
"""

from __future__ import annotations

import argparse
import datetime as dt
import http.client
import json
import os
import random
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

from harness import (
    PG_BASE,
    free_port,
    fresh_postgres,
    gunicorn,
    percentile,
    server_times,
    write_section,
)
from machine_info import base_machine

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
RESULTS = ROOT / "bench" / "results" / "classroom_load.json"
DOCS = ROOT / "docs" / "benchmarks.md"
START, END = "<!-- classroom-load:start -->", "<!-- classroom-load:end -->"
PG_DB = "waypoint_bench_classroom"
TARGET_P95_MS = 150.0

SETUP = r"""
import json, random, datetime as dt, uuid
from django.contrib.auth import get_user_model
from django.contrib.sessions.backends.db import SessionStore
from django.contrib.auth import SESSION_KEY, BACKEND_SESSION_KEY, HASH_SESSION_KEY
from django.db import transaction
from django.utils import timezone
from waypoint.access.viewer import current_school_year
from waypoint.mastery.models import MasteryState, SkillModel
from waypoint.roster.models import District, Enrollment, LearnerYear, Person, Section, StaffRole
from waypoint.standards.models import Framework, FrameworkAssociation, FrameworkItem

N_SECTIONS, N_LEARNERS, N_STANDARDS, GRADE = {sections}, {learners}, {standards}, 5
rng = random.Random(5)
d = District.objects.get()
today = timezone.localdate()
year = current_school_year(d.pk, today)
now = timezone.now()
with transaction.atomic():
    fw = Framework.objects.create(district=d, identifier=str(uuid.uuid4()), title="Bench grade 5",
        case_version_read="1.1", imported_at=now, changed_at=now)
    items = FrameworkItem.objects.bulk_create([FrameworkItem(district=d, framework=fw,
        identifier=str(uuid.uuid4()), item_type="Standard", human_coding_scheme=f"B5.{{i:02d}}",
        full_statement=f"Bench standard {{i}}", grade_low=GRADE, grade_high=GRADE,
        subject=["mathematics"], sequence_number=i) for i in range(N_STANDARDS)])
    FrameworkAssociation.objects.bulk_create([FrameworkAssociation(district=d, framework=fw,
        identifier=str(uuid.uuid4()), association_type="precedes",
        origin_identifier=items[i - 1].identifier, origin_item=items[i - 1],
        destination_identifier=items[i].identifier, destination_item=items[i])
        for i in range(1, N_STANDARDS) if i % 4])
    SkillModel.objects.bulk_create([SkillModel(district=d, item=it, prior=0.25, learn=0.15,
        guess=0.2, slip=0.1, n_obs=1000, fitted_at=now) for it in items])
    sections = list(Section.objects.filter(district=d, school_year=year, grade=GRADE,
        subject="mathematics", enrollments__role="teacher").distinct().order_by("pk")[:N_SECTIONS])
    out = []
    User = get_user_model()
    for k, section in enumerate(sections):
        enrolled = list(Enrollment.objects.filter(Enrollment.active_on_q(today), section=section,
            role="student").values_list("person_id", flat=True))
        if len(enrolled) < N_LEARNERS:
            extra = list(LearnerYear.objects.filter(school_year=year, school=section.school,
                grade=GRADE).exclude(learner_id__in=enrolled).values_list("learner_id", flat=True)
                [: N_LEARNERS - len(enrolled)])
            Enrollment.objects.bulk_create([Enrollment(district=d, section=section,
                person_id=p, role="student", begin_date=year.start_date) for p in extra])
            enrolled += extra
        states = []
        for learner in enrolled:
            ability = rng.gauss(0, 1)
            for i, it in enumerate(items):
                p = min(max(0.5 + 0.35 * ability - 0.012 * i + rng.gauss(0, 0.2), 0.01), 0.99)
                n = rng.randint(0, 12)
                if n == 0:
                    continue
                trail = [round(min(max(p - 0.04 * (6 - j) + rng.gauss(0, 0.02), 0.01), 0.99), 6)
                    for j in range(7)]
                states.append(MasteryState(district=d, learner_id=learner, item=it, probability=p,
                    observation_count=n, trail=trail,
                    last_evidence_at=now - dt.timedelta(days=rng.randint(0, 30))))
        MasteryState.objects.bulk_create(states, batch_size=5000, ignore_conflicts=True)
        teacher = Person.objects.get(pk=Enrollment.objects.filter(section=section,
            role="teacher").values_list("person_id", flat=True).first())
        if teacher.user_id is None:
            user = User.objects.create_user(f"bench-teacher-{{k}}", password=None)
            teacher.user = user
            teacher.save(update_fields=["user"])
        user = teacher.user
        session = SessionStore()
        session[SESSION_KEY] = str(user.pk)
        session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
        session[HASH_SESSION_KEY] = user.get_session_auth_hash()
        session.create()
        out.append({{"section": section.pk, "session": session.session_key,
            "learners": len(enrolled)}})
print(json.dumps(out))
"""


def waypoint(url: str, *args: str, capture: bool = False) -> str:
    env = {**os.environ, "DATABASE_URL": url, "PYTHONUNBUFFERED": "1"}
    done = subprocess.run(
        [str(BIN / "waypoint"), *args], env=env, check=True, capture_output=capture, text=True
    )
    return done.stdout if capture else ""


def get(port: int, path: str, session: str) -> tuple[int, float, bytes]:
    started = time.perf_counter()
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    conn.request("GET", path, headers={"Cookie": f"sessionid={session}"})
    response = conn.getresponse()
    body = response.read()
    conn.close()
    return response.status, (time.perf_counter() - started) * 1000, body


def load(
    port: int, teachers: list[dict[str, Any]], seconds: float, standards: int
) -> dict[str, Any]:
    latencies: list[float] = []
    statuses: list[int] = []
    incomplete = 0
    lock = threading.Lock()
    stop = time.monotonic() + seconds

    def teacher(k: int, who: dict[str, Any]) -> None:
        nonlocal incomplete
        rng = random.Random(k)
        time.sleep(rng.uniform(0, 2))  # teachers do not all arrive in the same millisecond
        while time.monotonic() < stop:
            status, ms, body = get(port, f"/classroom/sections/{who['section']}/", who["session"])
            full = body.count(b'<th scope="col" class="std') >= standards
            with lock:
                latencies.append(ms)
                statuses.append(status)
                incomplete += status == 200 and not full
            time.sleep(rng.uniform(1.0, 3.0))

    started = time.monotonic()
    threads = [threading.Thread(target=teacher, args=(k, w)) for k, w in enumerate(teachers)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    elapsed = time.monotonic() - started
    return {
        "requests": len(latencies),
        "errors": sum(1 for s in statuses if s != 200),
        "incomplete_pages": incomplete,
        "p50_ms": round(percentile(latencies, 50), 1),
        "p95_ms": round(percentile(latencies, 95), 1),
        "p99_ms": round(percentile(latencies, 99), 1),
        "max_ms": round(max(latencies), 1),
        "throughput_per_s": round(len(latencies) / elapsed, 1),
        "seconds": round(elapsed, 1),
    }


def server_summary(access: Path) -> dict[str, float]:
    times = server_times(access)
    return {"p50_ms": round(percentile(times, 50), 1), "p95_ms": round(percentile(times, 95), 1)}


def machine(database: str, pg_base: str) -> dict[str, Any]:
    import django

    info = {**base_machine(), "django": django.get_version()}
    info["gunicorn"] = subprocess.run(
        [str(BIN / "gunicorn"), "--version"], capture_output=True, text=True, check=False
    ).stdout.strip()
    if database == "postgresql":
        import psycopg

        with psycopg.connect(f"{pg_base}/postgres") as conn:
            row = conn.execute("show server_version").fetchone()
            info["postgresql"] = row[0] if row else "?"
    return info


def render(report: dict[str, Any]) -> str:
    m, r = report["machine"], report["result"]
    cold = 100 * report["sections"] / max(r["requests"], 1)
    verdict = (
        "met"
        if r["p95_ms"] < TARGET_P95_MS and r["errors"] == 0 and r["incomplete_pages"] == 0
        else "**missed**"
    )
    return (
        "\n".join(
            [
                START,
                "## The section dashboard under load (`bench/classroom_load.py`)",
                "",
                f"The demo district with {report['learners']:,} learners on "
                f"{report['database']} {m.get('postgresql', '')}; {report['sections']} grade 5 "
                f"mathematics sections with {report['section_learners']} learners each and a "
                f"{report['standards']}-standard framework with mastery for every learner × "
                "standard, so each page is a "
                f"{report['section_learners']} × {report['standards']} grid with flags and every "
                f"learner's next best step. {m['gunicorn']}, {report['workers']} sync workers "
                "sharing a file cache (`WAYPOINT_CACHE_DIR`) for the memoized grid, on "
                f"loopback; no page cache. {report['sections']} simulated teachers, each with "
                "their own session, request their own section page and wait 1–3 s (uniform) "
                "between "
                f"requests, for {r['seconds']:.0f} s. Measured {report['generated_at'][:10]}.",
                "",
                "| requests | errors | incomplete pages | p50 | p95 | p99 | max | requests/s | "
                "in the server p50 / p95 |",
                "|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
                f"| {r['requests']:,} | {r['errors']} | {r['incomplete_pages']} | "
                f"{r['p50_ms']:.0f} ms | **{r['p95_ms']:.0f} ms** | {r['p99_ms']:.0f} ms | "
                f"{r['max_ms']:.0f} ms | {r['throughput_per_s']:.1f} | "
                f"{report['server']['p50_ms']:.0f} / {report['server']['p95_ms']:.0f} ms |",
                "",
                f"Target: p95 under {TARGET_P95_MS:.0f} ms with no errors: {verdict}. The "
                "slowest requests are, in all likelihood, the first view of each of the "
                f"{report['sections']} sections: their grids are computed (not yet in the memo) "
                "while all the teachers arrive in the first seconds; that is about "
                f"{cold:.1f}% of the requests, above the 95th percentile.",
                "",
                f"Machine: {m['cpu']}, {m['cores']} cores, {m['ram_gb']} GB RAM; {m['os']}; load "
                f"average {m['load_average_at_start']} when the run started; Python {m['python']}, "
                f"Django {m['django']}. The load tool (one thread per teacher) runs on the same "
                "two cores as the server and the database.",
                "",
                "Reproduce: `.venv/bin/python bench/classroom_load.py` (PostgreSQL at "
                f"127.0.0.1:5432; the database `{PG_DB}` is dropped and created). Raw numbers: "
                "`bench/results/classroom_load.json`.",
                END,
            ]
        )
        + "\n"
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--smoke", action="store_true", help="SQLite, 2,000 learners, 10 s")
    parser.add_argument("--learners", type=int, default=100_000)
    parser.add_argument("--sections", type=int, default=50)
    parser.add_argument("--section-learners", type=int, default=35)
    parser.add_argument("--standards", type=int, default=60)
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--seconds", type=float, default=90.0)
    parser.add_argument("--database", choices=["postgresql", "sqlite"], default="postgresql")
    parser.add_argument("--pg-base", default=PG_BASE)
    parser.add_argument("--render-only", action="store_true", help="redraw the docs from JSON")
    args = parser.parse_args(argv)
    if args.render_only:
        write_section(DOCS, START, END, render(json.loads(RESULTS.read_text())))
        return 0
    if args.smoke:
        args.database, args.learners, args.sections, args.seconds = "sqlite", 2000, 5, 10.0
    with tempfile.TemporaryDirectory(prefix="waypoint-classroom-") as tmp:
        workdir = Path(tmp)
        url = (
            fresh_postgres(args.pg_base, PG_DB)
            if args.database == "postgresql"
            else f"sqlite:///{workdir / 'bench.sqlite3'}"
        )
        print(f"building the demo district ({args.learners:,} learners) …", flush=True)
        waypoint(url, "demo", "--learners", str(args.learners), "--no-serve", capture=True)
        print("adding the 60-standard sections …", flush=True)
        script = SETUP.format(
            sections=args.sections, learners=args.section_learners, standards=args.standards
        )
        out = waypoint(url, "shell", "-c", script, capture=True)
        teachers = json.loads(out.strip().splitlines()[-1])
        if len(teachers) < args.sections:
            print(f"only {len(teachers)} sections found", file=sys.stderr)
        if args.database == "postgresql":
            waypoint(url, "dbshell", "--", "-c", "ANALYZE", capture=True)
        port = free_port()
        report: dict[str, Any] = {
            "benchmark": "classroom_load",
            "generated_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
            "database": args.database,
            "learners": args.learners,
            "sections": len(teachers),
            "section_learners": min(t["learners"] for t in teachers),
            "standards": args.standards,
            "workers": args.workers,
            "machine": machine(args.database, args.pg_base),
        }
        # the workers share the memo through a file cache
        server = gunicorn(
            BIN, url, port, args.workers, workdir, WAYPOINT_CACHE_DIR=str(workdir / "cache")
        )
        access = workdir / f"access-{port}.log"
        try:
            for who in teachers[: args.workers * 2]:  # each worker loads its code once
                get(port, f"/classroom/sections/{who['section']}/", who["session"])
            access.write_text("")
            print(f"{len(teachers)} teachers for {args.seconds:.0f} s …", flush=True)
            report["result"] = load(port, teachers, args.seconds, args.standards)
            report["server"] = server_summary(access)
        finally:
            server.terminate()
            server.wait(timeout=30)
        print(json.dumps(report["result"]), flush=True)
        if report["result"]["errors"] or report["result"]["incomplete_pages"]:
            print("FAILED: errors or incomplete pages", file=sys.stderr)
            return 1
        if args.smoke:
            print(render(report))
        else:
            RESULTS.parent.mkdir(parents=True, exist_ok=True)
            RESULTS.write_text(json.dumps(report, indent=2) + "\n")
            write_section(DOCS, START, END, render(report))
            print(f"wrote {RESULTS} and {DOCS}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
