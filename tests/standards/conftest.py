from __future__ import annotations

from types import SimpleNamespace

import pytest

from tests import factories as f


@pytest.fixture
def districts(db: None) -> SimpleNamespace:
    """Two districts, so that every test can show nothing leaks between them."""
    return SimpleNamespace(
        a=f.DistrictFactory(name="Alder District", slug="alder"),
        b=f.DistrictFactory(name="Birch District", slug="birch"),
    )
