"""Test helpers for plans: standards for the two-district world, a PNG, a viewer per login,
classmates for peer feedback."""

from __future__ import annotations

import struct
import zlib
from types import SimpleNamespace

from tests import factories as f
from tests.evidence import factories as ef
from waypoint.access.viewer import Viewer, viewer_for
from waypoint.roster.models import Person


def png(width: int = 2, height: int = 2) -> bytes:
    """A real (tiny) PNG, built here so the test does not need an image file."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    raw = b"".join(b"\x00" + b"\x80\x20\x20" * width for _ in range(height))
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(raw))
        + chunk(b"IEND", b"")
    )


def add_standards(w: SimpleNamespace) -> SimpleNamespace:
    """Grade-4 standards in district A (one prerequisite edge) and one in district B."""
    fw = ef.FrameworkFactory(district=w.district_a, title="Alder Math")
    w.std1 = ef.FrameworkItemFactory(
        framework=fw, human_coding_scheme="4.NF.1", full_statement="Explain equivalent fractions."
    )
    w.std2 = ef.FrameworkItemFactory(
        framework=fw, human_coding_scheme="4.NF.2", full_statement="Compare two fractions."
    )
    ef.AssociationFactory(origin_item=w.std1, destination_item=w.std2)
    w.std3 = ef.FrameworkItemFactory(
        framework=fw, human_coding_scheme="4.OA.1", full_statement="Interpret a multiplication."
    )
    w.std_b = ef.FrameworkItemFactory(
        framework=ef.FrameworkFactory(district=w.district_b), human_coding_scheme="4.B.1"
    )
    return w


def viewer(person: Person) -> Viewer:
    assert person.user is not None
    return viewer_for(person.user)


def _with_account(person: Person, username: str) -> Person:
    person.user = f.UserFactory(username=username)
    person.save(update_fields=["user"])
    return person


def add_classmates(w: SimpleNamespace) -> SimpleNamespace:
    """Peers for the feedback tests: Pia ("peer1") and Quin ("peer2") learn in T1's section
    with Ada (l1); Pia's guardian ("guardianp"); accounts for Ben ("learner2", T2's section)
    and Eve ("learnerb", district B)."""
    for name, username in (("Pia", "peer1"), ("Quin", "peer2")):
        classmate = _with_account(
            f.LearnerFactory(district=w.district_a, given_name=name), username
        )
        f.EnrollmentFactory(section=w.s1, person=classmate)
        f.LearnerYearFactory(learner=classmate, school_year=w.year_a, school=w.school_a1)
        setattr(w, username, classmate)
    w.guardian_p = _with_account(f.GuardianFactory(district=w.district_a), "guardianp")
    f.GuardianLinkFactory(guardian=w.guardian_p, learner=w.peer1)
    _with_account(w.l2, "learner2")
    _with_account(w.lb, "learnerb")
    return w
