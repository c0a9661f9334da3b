"""Plumbing the benchmarks share: their docs section, a fresh database, a served site.

Each benchmark owns one section of docs/benchmarks.md between its own markers, so several
benchmarks share the page without overwriting each other.
"""

from __future__ import annotations

import os
import socket
import subprocess
import time
from pathlib import Path

PG_BASE = "postgres://postgres@127.0.0.1:5432"


def write_section(path: Path, start: str, end: str, section: str) -> None:
    """Put ``section`` (which begins with ``start`` and ends with ``end``) into ``path``,
    replacing the old one, or appended when there is none yet."""
    text = path.read_text() if path.exists() else "# Benchmarks\n"
    if start in text and end in text:
        head, rest = text.split(start, 1)
        text = head + section.rstrip("\n") + rest.split(end, 1)[1]
    else:
        text = text.rstrip("\n") + "\n\n" + section
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)


def fresh_postgres(pg_base: str, name: str) -> str:
    """Drop and create the database ``name``; its URL."""
    import psycopg

    with psycopg.connect(f"{pg_base}/postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')
    return f"{pg_base}/{name}"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


def percentile(values: list[float], q: float) -> float:
    """The nearest-rank ``q``-th percentile (0–100)."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(q / 100 * (len(ordered) - 1))))]


def server_times(access: Path) -> list[float]:
    """Milliseconds each request spent inside gunicorn, from its access log (``%(s)s %(D)s``)."""
    if not access.exists():
        return []
    return [int(line.split()[1]) / 1000 for line in access.read_text().splitlines() if line]


def gunicorn(
    bin_dir: Path, url: str, port: int, workers: int, workdir: Path, **env: str
) -> subprocess.Popen[bytes]:
    """Serve Waypoint with gunicorn on loopback (access log: status and time in µs); waits
    until it accepts connections."""
    full_env = {**os.environ, "DATABASE_URL": url, "DEBUG": "0", **env}
    log = (workdir / f"gunicorn-{port}.log").open("wb")
    server = subprocess.Popen(
        [
            str(bin_dir / "gunicorn"),
            "waypoint.wsgi",
            "--workers",
            str(workers),
            "--bind",
            f"127.0.0.1:{port}",
            "--access-logfile",
            str(workdir / f"access-{port}.log"),
            "--access-logformat",
            "%(s)s %(D)s",
        ],
        env=full_env,
        stdout=subprocess.DEVNULL,
        stderr=log,
    )
    for _ in range(300):
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                return server
        except OSError:
            time.sleep(0.1)
    server.kill()
    raise SystemExit(f"gunicorn did not start; see {log.name}")
