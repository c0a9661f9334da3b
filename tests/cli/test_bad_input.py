"""Bad input at the command line gives one clear message and no traceback."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

WAYPOINT = [sys.executable, "-m", "waypoint.cli"]


def run(args: list[str], tmp_path: Path, **env: str) -> subprocess.CompletedProcess[str]:
    environment = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    environment.update(env)
    return subprocess.run(
        [*WAYPOINT, *args],
        cwd=tmp_path,
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


@pytest.mark.parametrize(
    ("url", "says"),
    [
        ("mysql://root@127.0.0.1/waypoint", "unsupported database engine"),
        ("not a url", "DATABASE_URL"),
        ("postgres://postgres@127.0.0.1:1/waypoint", "cannot use the database"),
    ],
)
def test_a_wrong_database_url_is_explained(tmp_path: Path, url: str, says: str) -> None:
    result = run(["migrate"], tmp_path, DATABASE_URL=url)
    assert result.returncode == 2
    assert says in result.stderr
    assert "Traceback" not in result.stderr + result.stdout


def test_an_unknown_option_prints_usage_not_a_traceback(tmp_path: Path) -> None:
    result = run(["migrate", "--no-such-option"], tmp_path)
    assert result.returncode == 2
    assert "unrecognized arguments: --no-such-option" in result.stderr
    assert "Traceback" not in result.stderr


def test_an_unknown_command_is_named(tmp_path: Path) -> None:
    result = run(["frobnicate"], tmp_path)
    assert result.returncode != 0
    assert "Unknown command: 'frobnicate'" in result.stderr
    assert "Traceback" not in result.stderr


def test_the_default_database_is_an_sqlite_file_under_var(tmp_path: Path) -> None:
    result = run(["migrate", "--verbosity", "0"], tmp_path)
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "var" / "waypoint.sqlite3").stat().st_size > 0


def test_check_deploy_is_clean_with_production_settings(tmp_path: Path) -> None:
    production = {
        "SECRET_KEY": "x7" * 32 + "-production-like-secret-for-the-test",
        "DEBUG": "0",
        "WAYPOINT_HTTPS": "1",
        "ALLOWED_HOSTS": "waypoint.example.org",
    }
    result = run(["check", "--deploy", "--fail-level", "WARNING"], tmp_path, **production)
    assert result.returncode == 0, result.stderr + result.stdout
    assert "no issues" in result.stdout


def test_check_deploy_flags_the_development_key(tmp_path: Path) -> None:
    result = run(["check", "--deploy", "--fail-level", "WARNING"], tmp_path, DEBUG="0")
    assert result.returncode != 0
    assert "SECRET_KEY" in result.stderr + result.stdout
