"""The teacher's dashboard in Chromium: the grid, suggested groups, moving a learner, saving,
reloading; the evidence behind a cell; another teacher's 404; axe-core at both widths.

t1's "Grade 4 Math (T1)" gets eight more learners and the standards of tests/classroom/scenes:
four learners need 3.NF.1 (no evidence), four need 4.NF.2 (3.NF.1 and 4.NF.1 mastered).
"""

from __future__ import annotations

import warnings
from types import SimpleNamespace

import pytest
from playwright.sync_api import Page, expect

from tests.browser.support import (
    Viewport,
    describe_violations,
    has_horizontal_scroll,
    log_in,
    new_page,
    run_axe,
    save_screenshot,
)
from tests.classroom import scenes

pytestmark = pytest.mark.browser


@pytest.fixture
def classroom(browser_world: SimpleNamespace) -> SimpleNamespace:
    w = browser_world
    s = scenes.standards(w)
    fresh = scenes.add_learners(w, 4)
    ahead = scenes.add_learners(w, 4)
    for learner in [w.l1, *ahead]:
        scenes.state(learner, s.F, 0.98)
        scenes.state(learner, s.A, 0.97)
        scenes.state(learner, s.B, 0.42, n=8, trail=[0.35, 0.4, 0.38, 0.41, 0.4, 0.43, 0.42])
        scenes.state(learner, s.D, 0.6)
    return SimpleNamespace(world=w, s=s, fresh=fresh, ahead=ahead)


def test_a_teacher_moves_a_learner_between_groups_and_saves(
    desktop_page: Page, classroom: SimpleNamespace, base_url: str
) -> None:
    page, w, s = desktop_page, classroom.world, classroom.s
    log_in(page, base_url, "t1")
    page.get_by_role("link", name="Dashboard").click()
    page.get_by_role("link", name="Grade 4 Math (T1)").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Grade 4 Math (T1)")

    grid = page.locator("table#grid")
    expect(grid.locator("tbody tr")).to_have_count(9)
    expect(grid.locator("thead th.std a")).to_have_text(
        ["3.NF.1", "4.NF.1", "4.NF.2", "4.NF.3", "4.OA.1"]
    )
    expect(grid.locator("thead th.foundation")).to_contain_text("(earlier grade)")
    ada = grid.locator(f'tr[data-learner="{w.l1.pk}"]')
    expect(ada.locator("td.flags")).to_contain_text("stuck")
    expect(ada.locator("td.next")).not_to_be_empty()

    # the evidence behind a cell opens in place (no evidence rows here, only the state)
    ada.locator("a[data-cell]").first.click()
    expect(page.locator("#evidence")).to_contain_text("P(mastered) 0.98")

    # suggested groups load into the page: one for 3.NF.1, one for 4.NF.2
    suggested = page.locator("#suggested")
    expect(suggested.get_by_role("button", name="Save groups")).to_be_visible()
    groups = suggested.locator("li.suggested-group")
    expect(groups).to_have_count(2)
    texts = groups.locator("h3").all_inner_texts()
    fractions = next(i for i, t in enumerate(texts) if "4.NF.2" in t)
    other = 1 - fractions
    save_screenshot(page, "classroom-section-desktop")

    # move Ada from the 4.NF.2 group to the other one, then save
    page.locator(f'select[data-learner="{w.l1.pk}"]').select_option(str(other))
    suggested.get_by_role("button", name="Save groups").click()
    expect(page).to_have_url(f"{base_url}/classroom/sections/{w.s1.pk}/#saved-groups")
    page.reload()
    saved = page.locator("#saved-groups li.saved-group")
    expect(saved).to_have_count(2)
    assert "3.NF.1" in texts[other]  # the other group is the 3.NF.1 one
    moved_to = page.locator('#saved-groups li.saved-group[data-target="3.NF.1"]')
    expect(moved_to.locator(f'li[data-learner="{w.l1.pk}"]')).to_have_count(1)
    left = page.locator('#saved-groups li.saved-group[data-target="4.NF.2"]')
    expect(left.locator(f'li[data-learner="{w.l1.pk}"]')).to_have_count(0)

    # record an intervention; it appears in the history
    form = page.locator("form.record")
    form.get_by_label("Learner").select_option(str(w.l1.pk))
    form.get_by_label("Action").select_option("reteach")
    form.get_by_label("Standard").select_option(str(s.F.pk))
    form.get_by_label("Note").fill("number line warm-up")
    form.get_by_role("button", name="Record").click()
    expect(page.locator("ul.history")).to_contain_text("number line warm-up")
    save_screenshot(page, "classroom-history-desktop")


def test_another_teacher_gets_404(
    desktop_page: Page, classroom: SimpleNamespace, base_url: str
) -> None:
    page, w = desktop_page, classroom.world
    log_in(page, base_url, "t2")
    response = page.goto(f"{base_url}/classroom/sections/{w.s1.pk}/")
    assert response is not None and response.status == 404
    expect(page.locator("body")).not_to_contain_text(w.l1.family_name)


@pytest.mark.parametrize("width", ["desktop", "phone"])
def test_the_dashboard_is_accessible(
    browser, classroom: SimpleNamespace, base_url: str, width: str
) -> None:
    from tests.browser.support import VIEWPORTS

    viewport: Viewport = VIEWPORTS[width]
    page = new_page(browser, viewport)
    try:
        w = classroom.world
        log_in(page, base_url, "t1")
        page.goto(f"{base_url}/classroom/sections/{w.s1.pk}/")
        expect(page.locator("#suggested").get_by_role("button", name="Save groups")).to_be_visible()
        violations = run_axe(page)
        blocking = [v for v in violations if v["impact"] in {"serious", "critical"}]
        assert not blocking, describe_violations(blocking)
        for v in violations:
            warnings.warn(f"{width} dashboard: {v['id']} ({v['impact']})", stacklevel=1)
        if viewport.mobile:
            # the grid scrolls inside its own box; the page itself does not scroll sideways
            assert not has_horizontal_scroll(page)
            save_screenshot(page, "classroom-section-phone")
        page.goto(f"{base_url}/classroom/")
        assert not [v for v in run_axe(page) if v["impact"] in {"serious", "critical"}]
    finally:
        page.context.close()
