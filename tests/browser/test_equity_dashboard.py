"""The leader dashboard in Chromium: a district admin opens it, drills down to a school, and
axe-core finds no serious or critical violations at desktop or phone width; screenshots.

The district (built here, committed for the live server): North (60 learners, their teacher
highly effective, the principal effective) and South (45 learners, teacher not rated), a
quarter of each English learners.
"""

from __future__ import annotations

from types import SimpleNamespace

import pytest
from playwright.sync_api import Browser, expect

from tests import factories as f
from tests.browser.support import (
    VIEWPORTS,
    describe_violations,
    has_horizontal_scroll,
    log_in,
    new_page,
    run_axe,
    save_screenshot,
)
from waypoint.effectiveness.models import EffectivenessRating
from waypoint.roster.models import Enrollment, StaffRole, Subject

pytestmark = pytest.mark.browser
L = EffectivenessRating.Level


@pytest.fixture
def district(transactional_db: None) -> SimpleNamespace:
    s = SimpleNamespace()
    d = s.district = f.DistrictFactory(name="Cedar District", slug="cedar")
    y = s.year = f.SchoolYearFactory(district=d)
    s.north = f.SchoolFactory(district=d, name="North Elementary")
    s.south = f.SchoolFactory(district=d, name="South Elementary")
    s.admin = f.StaffFactory(district=d, user=f.UserFactory(username="cedar-admin"))
    f.StaffRoleFactory(person=s.admin, role=StaffRole.Role.DISTRICT_ADMIN)
    principal = f.StaffFactory(district=d)
    f.StaffRoleFactory(person=principal, role=StaffRole.Role.SCHOOL_LEADER, school=s.north)
    f.RatingFactory(staff=principal, school_year=y, level=L.EFFECTIVE)
    north_t, south_t = f.StaffFactory(district=d), f.StaffFactory(district=d)
    f.RatingFactory(staff=north_t, school_year=y, level=L.HIGHLY_EFFECTIVE)
    for school, teacher, n in ((s.north, north_t, 60), (s.south, south_t, 45)):
        section = f.SectionFactory(school=school, school_year=y, subject=Subject.MATHEMATICS)
        f.EnrollmentFactory(section=section, person=teacher, role=Enrollment.Role.TEACHER)
        for i in range(n):
            learner = f.LearnerFactory(district=d, given_name=f"Quill{i}")
            f.LearnerYearFactory(
                learner=learner, school_year=y, school=school, grade=4, english_learner=i % 4 == 0
            )
            f.EnrollmentFactory(section=section, person=learner)
    return s


@pytest.mark.parametrize("width", ["desktop", "phone"])
def test_an_admin_drills_down_and_the_dashboard_is_accessible(
    browser: Browser, district: SimpleNamespace, base_url: str, width: str
) -> None:
    page = new_page(browser, VIEWPORTS[width])
    try:
        log_in(page, base_url, "cedar-admin")
        page.get_by_role("link", name="Equity").click()
        expect(page.get_by_role("heading", level=1)).to_contain_text(
            "Access to effective teachers and principals"
        )
        expect(page.locator("body")).to_contain_text("North Elementary")
        expect(page.locator("#suppression-note")).to_be_attached()
        assert page.locator('svg[role="img"]').count() >= 1
        expect(page.locator("body")).not_to_contain_text("Quill")  # never learners' names
        blocking = [v for v in run_axe(page) if v["impact"] in {"serious", "critical"}]
        assert not blocking, describe_violations(blocking)
        if width == "phone":
            assert not has_horizontal_scroll(page)
        save_screenshot(page, f"equity-dashboard-{width}")

        page.get_by_role("link", name="North Elementary").first.click()
        expect(
            page.get_by_role(
                "heading", level=2, name="North Elementary: by grade, subject and group"
            )
        ).to_be_visible()
        blocking = [v for v in run_axe(page) if v["impact"] in {"serious", "critical"}]
        assert not blocking, describe_violations(blocking)
        save_screenshot(page, f"equity-school-{width}")
    finally:
        page.context.close()
