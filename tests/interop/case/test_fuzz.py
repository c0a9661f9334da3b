"""Fuzzing the CASE reader and importer: a report or a success, no traceback, no half write."""

from __future__ import annotations

import copy
import json
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.standards.helpers import snapshot, tiny_package, to_bytes
from waypoint.interop.case.reader import read_bytes
from waypoint.standards.services import import_framework

FUZZ = settings(
    max_examples=200,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)

scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**70), max_value=2**70),
    st.floats(allow_nan=False, allow_infinity=False),
    st.text(max_size=30),
    st.sampled_from(["", "isChildOf", "precedes", "1", "KG", "2025-13-45", "\x00", "1.1"]),
)
json_values = st.recursive(
    scalars,
    lambda inner: st.one_of(
        st.lists(inner, max_size=4), st.dictionaries(st.text(max_size=12), inner, max_size=4)
    ),
    max_leaves=20,
)


def _paths(value: Any, prefix: tuple = ()) -> list[tuple]:
    out = [prefix]
    if isinstance(value, dict):
        for k, v in value.items():
            out += _paths(v, (*prefix, k))
    elif isinstance(value, list):
        for i, v in enumerate(value):
            out += _paths(v, (*prefix, i))
    return out


@st.composite
def mutated_packages(draw: st.DrawFn) -> Any:
    """A valid package with a few random edits: replace, delete, or duplicate a value."""
    package = tiny_package()
    for _ in range(draw(st.integers(min_value=1, max_value=4))):
        paths = [p for p in _paths(package) if p]
        if not paths:
            break
        path = draw(st.sampled_from(paths))
        parent = package
        for part in path[:-1]:
            parent = parent[part]
        key = path[-1]
        action = draw(st.sampled_from(["replace", "delete", "duplicate", "swap"]))
        if action == "replace":
            parent[key] = draw(json_values)
        elif action == "delete":
            del parent[key]
        elif action == "duplicate" and isinstance(parent, list):
            parent.append(copy.deepcopy(parent[key]))
        elif action == "swap":
            parent[key] = draw(st.sampled_from(["", 0, [], {}, None, "x" * 300]))
    return package


def attempt(raw: bytes, district) -> None:
    """Read and import; the only outcomes allowed are a clean report or a success."""
    before = snapshot()
    read = read_bytes(raw)
    if read.package is None:
        assert read.errors, "no package and no error"
        assert snapshot() == before
        return
    result = import_framework(district=district, package=read.package)
    if not result.ok:
        assert not result.applied
        assert snapshot() == before


@FUZZ
@given(package=mutated_packages())
def test_mutations_of_a_valid_package(districts, package) -> None:
    attempt(json.dumps(package).encode("utf-8"), districts.a)


@FUZZ
@given(value=json_values)
def test_random_json(districts, value) -> None:
    attempt(json.dumps(value).encode("utf-8"), districts.a)


@FUZZ
@given(raw=st.binary(max_size=300), cut=st.integers(min_value=0, max_value=2000))
def test_random_bytes_and_truncations(districts, raw, cut) -> None:
    attempt(raw, districts.a)
    attempt(to_bytes(tiny_package())[:cut], districts.a)


@FUZZ
@given(
    doc=st.dictionaries(
        st.sampled_from(
            [
                "identifier",
                "title",
                "caseVersion",
                "subject",
                "lastChangeDateTime",
                "uri",
                "creator",
            ]
        ),
        json_values,
        max_size=5,
    )
)
def test_random_documents(districts, doc) -> None:
    package = tiny_package()
    package["CFDocument"].update(doc)
    attempt(json.dumps(package).encode("utf-8"), districts.a)


@pytest.mark.parametrize("n", [0, 1])
def test_the_fuzz_base_package_is_valid(districts, n) -> None:
    read = read_bytes(to_bytes(tiny_package()))
    assert read.ok
    assert import_framework(district=districts.a, package=read.package).ok
