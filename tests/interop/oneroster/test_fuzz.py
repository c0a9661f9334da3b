"""Fuzzing the reader: any input gives a report or a success; never a traceback, a partial write."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.interop.oneroster.builders import district_package
from tests.interop.oneroster.support import snapshot
from waypoint.interop.oneroster import importer
from waypoint.roster.importing.data import RefusedImport

pytestmark = pytest.mark.django_db

FILES = [
    "orgs.csv",
    "academicSessions.csv",
    "courses.csv",
    "classes.csv",
    "users.csv",
    "enrollments.csv",
    "demographics.csv",
    "programs.csv",
    "staff_links.csv",
    "manifest.csv",
]
EXAMPLES = int(os.environ.get("WAYPOINT_FUZZ_EXAMPLES", "40"))  # raise it for a deep run
FUZZ = settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    derandomize=EXAMPLES <= 40,
)
BASE = district_package(learners=6)
CONTENTS = BASE.contents()

cell_text = st.one_of(
    st.text(max_size=30),
    st.sampled_from(
        [
            "",
            "tobedeleted",
            "true",
            "FALSE",
            "2025-13-01",
            "2025-08-15T25:00:00Z",
            "KG",
            "99",
            "\x00",
            "a,b",
            '"',
            "\n",
            "l-001",
            "maple-district",
            "year-2025",
            "9" * 300,
        ]
    ),
)


def _attempt(contents: dict[str, bytes]) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "pkg"
        folder.mkdir()
        for name, data in contents.items():
            (folder / name).write_bytes(data)
        before = snapshot()
        try:
            importer.run(folder, district="create")
        except RefusedImport as exc:
            assert exc.problems, "a refusal always says why"
            for p in exc.problems:
                assert isinstance(p.reason, str) and p.reason
            assert snapshot() == before, "a refused import changed the database"


@FUZZ
@given(
    file=st.sampled_from([f for f in FILES if f != "manifest.csv"]),
    row=st.integers(min_value=0, max_value=12),
    column=st.integers(min_value=0, max_value=20),
    value=cell_text,
)
def test_any_changed_cell_gives_a_report_or_a_success(file, row, column, value):
    rows = BASE.files[file]
    new = [dict(r) for r in rows]
    header = BASE.header(file)
    target = new[row % len(new)]
    target[header[column % len(header)]] = value
    contents = dict(CONTENTS)
    pkg = district_package(learners=6)
    pkg.files[file] = new
    contents[file] = pkg.text(file).encode()
    _attempt(contents)


@FUZZ
@given(
    file=st.sampled_from(FILES),
    data=st.one_of(
        st.binary(max_size=300),
        st.text(max_size=300).map(lambda t: t.encode()),
    ),
    cut=st.integers(min_value=0, max_value=5000),
    mode=st.sampled_from(["replace", "truncate", "append"]),
)
def test_any_bytes_give_a_report_or_a_success(file, data, cut, mode):
    contents = dict(CONTENTS)
    original = contents[file]
    if mode == "replace":
        contents[file] = data
    elif mode == "truncate":
        contents[file] = original[: cut % (len(original) + 1)]
    else:
        contents[file] = original + data
    _attempt(contents)
