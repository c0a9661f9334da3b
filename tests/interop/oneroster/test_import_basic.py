from __future__ import annotations

import pytest

from tests.interop.oneroster.builders import district_package
from tests.interop.oneroster.support import snapshot
from waypoint.interop.oneroster import importer
from waypoint.roster import models as m

pytestmark = pytest.mark.django_db


def test_small_package_imports_and_reimport_changes_nothing(tmp_path, world):
    path = district_package().write(tmp_path / "pkg")
    outcome = importer.run(path, district="create")
    d = outcome.result.district
    assert m.Person.objects.filter(district=d, kind="learner").count() == 20
    assert m.Enrollment.objects.filter(district=d).count() == 5 + 15 * 3 + 5
    before = snapshot()
    again = importer.run(path, district=d.slug)
    assert not again.result.plan.changed
    assert snapshot() == before
