"""The README's demo path, end to end: `waypoint demo` builds, serves, and the demo teacher
can log in over HTTP and see their sections. Runs the real command in a subprocess."""

from __future__ import annotations

import http.cookiejar
import os
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

import pytest

from waypoint.demo.logins import DEMO_PASSWORD

START_TIMEOUT = 90.0


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def wait_for(url: str, server: subprocess.Popen[bytes], timeout: float) -> str:
    """Poll until ``url`` answers 200; fail early if the server exits."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise AssertionError(f"waypoint demo exited early with {server.returncode}")
        try:
            with urllib.request.urlopen(url, timeout=5) as response:
                if response.status == 200:
                    return response.read().decode()
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            pass
        time.sleep(0.5)
    raise AssertionError(f"{url} did not answer within {timeout:.0f}s")


@pytest.mark.slow
def test_demo_serves_and_the_teacher_logs_in(tmp_path: Path) -> None:
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    env = {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{tmp_path / 'demo.sqlite3'}",
        "PYTHONUNBUFFERED": "1",
    }
    log = (tmp_path / "server.log").open("wb")
    command = [sys.executable, "-m", "waypoint.cli", "demo", "--learners", "200"]
    server = subprocess.Popen(
        [*command, "--addr", f"127.0.0.1:{port}"],
        cwd=tmp_path,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    try:
        page = wait_for(f"{base}/accounts/login/", server, START_TIMEOUT)
        assert 'name="username"' in page and 'name="password"' in page
        assert 'name="csrfmiddlewaretoken"' in page

        jar = http.cookiejar.CookieJar()
        opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
        with opener.open(f"{base}/accounts/login/", timeout=10) as response:
            form = response.read().decode()
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', form)
        assert token is not None
        data = urllib.parse.urlencode(
            {
                "csrfmiddlewaretoken": token.group(1),
                "username": "teacher",
                "password": DEMO_PASSWORD,
                "next": "/",
            }
        ).encode()
        request = urllib.request.Request(
            f"{base}/accounts/login/", data=data, headers={"Referer": f"{base}/accounts/login/"}
        )
        with opener.open(request, timeout=10) as response:
            home = response.read().decode()
            assert response.status == 200
            assert urllib.parse.urlparse(response.url).path == "/"
        assert "My sections" in home
        assert len(re.findall(r'data-section="\d+"', home)) >= 3
        assert "Mathematics" in home
    finally:
        server.send_signal(signal.SIGINT)
        try:
            server.wait(timeout=15)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait(timeout=5)
        log.close()
    output = (tmp_path / "server.log").read_text()
    assert f"Serving the demo at {base}/" in output
    assert "teacher" in output and DEMO_PASSWORD in output
    assert server.returncode in (0, 130, -signal.SIGINT)
