"""The demo's standards: a small framework shipped with Waypoint, loaded by the real importer."""

from __future__ import annotations

from importlib import resources
from typing import Any

from waypoint.roster.models import District
from waypoint.standards.models import Framework

DEMO_FRAMEWORK = "waypoint-demo-framework.json"


def demo_framework_bytes() -> bytes:
    return resources.files("waypoint.standards").joinpath("data", DEMO_FRAMEWORK).read_bytes()


def load_demo_framework(district: District, *, user: Any = None) -> Framework:
    """Import (or update) the demo framework into a district through the CASE importer.

    Idempotent: a second call changes nothing. Raises ``ValueError`` if the shipped file does
    not read cleanly (it is tested, so that means a broken install).
    """
    from waypoint.interop.case.reader import read_bytes  # interop builds on standards
    from waypoint.standards.services import import_framework

    read = read_bytes(demo_framework_bytes())
    if read.package is None:
        raise ValueError("the demo framework does not read: " + "; ".join(map(str, read.errors)))
    result = import_framework(
        district=district, package=read.package, user=user, source=DEMO_FRAMEWORK
    )
    if not result.ok:
        raise ValueError("the demo framework did not import: " + "; ".join(map(str, result.errors)))
    return Framework.objects.get(district=district, identifier=read.package.framework.identifier)
