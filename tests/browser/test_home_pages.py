"""Log in through the real form as a teacher and as a guardian, and see exactly their learners.

The world (tests/world.py): teacher t1 teaches "Grade 4 Math (T1)" with learner Ada (l1) this
year. Ben (l2) is in T2's section, Cy (l3) at another school, Fay (lf) was T1's last year, Dot
(ld) dropped T1's section yesterday, Eve (lb) is in the other district. guardian1 is Ada's.
"""

from __future__ import annotations

from types import SimpleNamespace

import pytest
from playwright.sync_api import Page, expect

from tests.browser.support import (
    Viewport,
    has_horizontal_scroll,
    log_in,
    save_screenshot,
)

pytestmark = pytest.mark.browser

OTHER_LEARNERS = ["l2", "l3", "lf", "ld", "lb"]  # Ben, Cy, Fay, Dot, Eve
OTHER_SECTIONS = [
    "Grade 4 Math (T2)",
    "Grade 7 Math (T3)",
    "Grade 3 Math last year (T1)",
    "Grade 4 Math (TB)",
]


def _learner_ids(page: Page, scope: str = "main") -> list[str]:
    """The learners linked on the page, in order, by their data-learner id."""
    return [
        str(link.get_attribute("data-learner"))
        for link in page.locator(f"{scope} a[data-learner]").all()
    ]


def _assert_no_other_learners(page: Page, world: SimpleNamespace) -> None:
    text = page.locator("body").inner_text()
    for key in OTHER_LEARNERS:
        other = getattr(world, key)
        assert other.display_name not in text, f"{key} ({other.display_name}) is on {page.url}"
        assert f"{other.family_name}, {other.given_name}" not in text, f"{key} is on {page.url}"
        assert page.locator(f'a[href="/learners/{other.pk}/"]').count() == 0


def test_teacher_sees_exactly_their_learners(
    desktop_page: Page, browser_world: SimpleNamespace, base_url: str
) -> None:
    page, w = desktop_page, browser_world
    ada = w.l1
    log_in(page, base_url, "t1")

    expect(page.get_by_role("heading", level=1)).to_have_text(f"Hello, {w.t1.display_name}")
    expect(page.locator("main .lead")).to_contain_text("You can see 1 learner.")
    my_sections = page.get_by_role("region", name="My sections")
    expect(my_sections.locator("a[data-section]")).to_have_text(["Grade 4 Math (T1)"])
    expect(my_sections.locator(".card")).to_contain_text(["Alder Elementary"])
    main_text = page.locator("main").inner_text()
    for title in OTHER_SECTIONS:
        assert title not in main_text
    _assert_no_other_learners(page, w)

    page.get_by_role("link", name="Grade 4 Math (T1)").click()
    expect(page).to_have_url(f"{base_url}/sections/{w.s1.pk}/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Grade 4 Math (T1)")
    expect(page.get_by_role("heading", level=2)).to_have_text("1 learner")
    roster = page.locator("main table tbody a[data-learner]")
    expect(roster).to_have_text([f"{ada.family_name}, Ada"])
    assert _learner_ids(page) == [str(ada.pk)]
    _assert_no_other_learners(page, w)

    roster.first.click()
    expect(page).to_have_url(f"{base_url}/learners/{ada.pk}/")
    expect(page.get_by_role("heading", level=1)).to_have_text(ada.display_name)
    expect(page.get_by_role("heading", name="Record")).to_be_visible()  # staff see the record

    page.get_by_role("navigation", name="Main").get_by_role("link", name="Learners").click()
    expect(page).to_have_url(f"{base_url}/learners/")
    expect(page.locator("#learner-total")).to_have_text("1 learner")
    assert _learner_ids(page) == [str(ada.pk)]
    _assert_no_other_learners(page, w)


def test_guardian_sees_exactly_their_child(
    desktop_page: Page, browser_world: SimpleNamespace, base_url: str
) -> None:
    page, w = desktop_page, browser_world
    ada = w.l1
    log_in(page, base_url, "guardian1")

    expect(page.get_by_role("heading", level=1)).to_have_text("My children")
    children = page.locator("main ul.cards > li")
    expect(children).to_have_count(1)
    expect(children.get_by_role("heading", level=2)).to_have_text(ada.display_name)
    expect(children).to_contain_text("Alder Elementary")
    assert _learner_ids(page) == [str(ada.pk)]
    _assert_no_other_learners(page, w)
    nav = page.get_by_role("navigation", name="Main")
    expect(nav.get_by_role("link")).to_have_text(["Home"])  # no learner search for families

    page.get_by_role("link", name=ada.display_name).click()
    expect(page).to_have_url(f"{base_url}/learners/{ada.pk}/")
    expect(page.get_by_role("heading", level=1)).to_have_text(ada.display_name)
    expect(page.get_by_role("heading", name="Classes")).to_be_visible()
    expect(page.locator("main table")).to_contain_text("Grade 4 Math (T1)")
    expect(page.get_by_role("heading", name="Record")).to_have_count(0)  # staff-only section
    expect(page.locator("main")).not_to_contain_text("District id")

    for key in ("l2", "lb"):  # Ben: same school, another family; Eve: other district
        response = page.goto(f"{base_url}/learners/{getattr(w, key).pk}/")
        assert response is not None and response.status == 404
        expect(page.get_by_role("heading", level=1)).to_have_text("Not found")
        expect(page.locator("main")).to_contain_text("may not be yours to see")
        expect(page.locator("main")).not_to_contain_text(getattr(w, key).given_name)


def test_wrong_password_shows_message_not_traceback(
    desktop_page: Page, browser_world: SimpleNamespace, base_url: str
) -> None:
    page = desktop_page
    page.goto(f"{base_url}/accounts/login/")
    page.get_by_label("Username").fill("t1")
    page.get_by_label("Password").fill("not-the-password")
    with page.expect_response(
        lambda r: r.request.method == "POST" and "/accounts/login/" in r.url
    ) as posted:
        page.get_by_role("button", name="Log in").click()
    assert posted.value.status == 200
    page.wait_for_load_state()

    expect(page).to_have_url(f"{base_url}/accounts/login/")
    expect(page.get_by_role("alert")).to_contain_text("do not match")
    expect(page.get_by_label("Username")).to_have_value("t1")
    expect(page.get_by_label("Password")).to_have_attribute("aria-invalid", "true")
    body = page.locator("body").inner_text()
    for leak in ("Traceback", "Exception", "Error at", "Django"):
        assert leak not in body
    expect(page.get_by_role("button", name="Log out")).to_have_count(0)

    page.goto(f"{base_url}/")
    expect(page).to_have_url(f"{base_url}/accounts/login/?next=/")


def test_logout_then_home_redirects_to_login(
    desktop_page: Page, browser_world: SimpleNamespace, base_url: str
) -> None:
    page = desktop_page
    log_in(page, base_url, "t1")
    page.get_by_role("button", name="Log out").click()
    expect(page).to_have_url(f"{base_url}/accounts/login/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Log in to Waypoint")
    expect(page.get_by_role("button", name="Log out")).to_have_count(0)

    page.goto(f"{base_url}/")
    expect(page).to_have_url(f"{base_url}/accounts/login/?next=/")
    response = page.goto(f"{base_url}/learners/{browser_world.l1.pk}/")
    assert response is not None
    expect(page).to_have_url(f"{base_url}/accounts/login/?next=/learners/{browser_world.l1.pk}/")


@pytest.mark.parametrize("role", ["teacher", "guardian"])
def test_home_page_fits_the_screen(
    page: Page, viewport: Viewport, role: str, browser_world: SimpleNamespace, base_url: str
) -> None:
    """Both home pages at desktop and phone width: no sideways scrolling, nav and log out
    reachable; with WAYPOINT_SCREENSHOTS=1 they are saved to docs/screenshots/."""
    username = {"teacher": "t1", "guardian": "guardian1"}[role]
    log_in(page, base_url, username)
    page.wait_for_load_state("networkidle")
    stylesheet_applied = page.evaluate(
        "getComputedStyle(document.querySelector('.site-header')).display === 'flex'"
    )
    assert stylesheet_applied, "site.css did not load"

    assert page.evaluate("window.innerWidth") == viewport.width
    assert not has_horizontal_scroll(page), (
        f"{role} home scrolls sideways at {viewport.width}px: scrollWidth "
        f"{page.evaluate('document.documentElement.scrollWidth')}"
    )
    nav = page.get_by_role("navigation", name="Main")
    expect(nav.get_by_role("link", name="Home")).to_be_visible()
    expect(nav.get_by_role("link", name="Home")).to_be_in_viewport()
    logout = page.get_by_role("button", name="Log out")
    expect(logout).to_be_visible()
    expect(logout).to_be_in_viewport(ratio=1)
    box = logout.bounding_box()
    assert box is not None and box["x"] + box["width"] <= viewport.width
    if viewport.mobile:  # comfortable to tap: WCAG 2.2 target size minimum is 24x24 CSS px
        assert box["height"] >= 24 and box["width"] >= 24, box
    expect(page.locator("main a[data-section], main a[data-learner]").first).to_be_visible()

    save_screenshot(page, f"{role}-home-{viewport.name}")
