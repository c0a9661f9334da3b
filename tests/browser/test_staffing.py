"""The staffing planner in Chromium, on the demo district: the saved demo scenario raises the
share of learners with a highly effective teacher of record at no extra cost; a planner
makes a second scenario, is told plainly what is wrong with bad input (nothing saved), and
compares the two side by side. axe-core finds no serious or critical violations; the
screenshots in docs/ come from here."""

from __future__ import annotations

import io
import re

import pytest
from django.core.management import call_command
from playwright.sync_api import Browser, expect

from tests.browser.support import (
    VIEWPORTS,
    describe_violations,
    has_horizontal_scroll,
    log_in,
    new_page,
    run_axe,
    save_screenshot,
)
from waypoint.demo.staffing import DEMO_SCENARIO
from waypoint.staffing.models import Scenario

pytestmark = pytest.mark.browser


@pytest.fixture
def demo(transactional_db: None) -> Scenario:
    call_command("demo", "--no-serve", stdout=io.StringIO(), stderr=io.StringIO())
    return Scenario.objects.get(name=DEMO_SCENARIO)


def _no_blocking_violations(page) -> None:
    blocking = [v for v in run_axe(page) if v["impact"] in {"serious", "critical"}]
    assert not blocking, describe_violations(blocking)


def test_the_demo_scenario_reaches_more_learners_at_no_extra_cost(
    browser: Browser, demo: Scenario, base_url: str
) -> None:
    reach = demo.result["reach"]
    assert reach["after"]["reached"] > reach["before"]["reached"]
    assert demo.result["cost_after"] <= demo.result["cost_before"]
    for width in ("desktop", "phone"):
        page = new_page(browser, VIEWPORTS[width])
        try:
            log_in(page, base_url, "admin", password="waypoint-demo")
            page.get_by_role("link", name="Staffing").click()
            page.get_by_role("link", name=DEMO_SCENARIO).click()
            expect(page.get_by_role("heading", level=1)).to_have_text(DEMO_SCENARIO)
            headline = page.locator("#reach-headline").inner_text()
            before, after = (int(x) for x in re.findall(r"(\d+)%", headline)[:2])
            assert after > before
            expect(page.locator("#cost-change")).to_contain_text("no extra cost")
            expect(page.locator("#changes li").first).to_contain_text("multi-classroom leader")
            assert page.locator('svg[role="img"]').count() == 2
            _no_blocking_violations(page)
            if width == "phone":
                assert not has_horizontal_scroll(page)
            save_screenshot(page, f"staffing-scenario-{width}")
        finally:
            page.context.close()


def test_a_planner_makes_compares_and_is_told_about_bad_input(
    browser: Browser, demo: Scenario, base_url: str
) -> None:
    page = new_page(browser, VIEWPORTS["desktop"])
    try:
        log_in(page, base_url, "admin", password="waypoint-demo")
        page.goto(f"{base_url}/staffing/new/?template=class_size")
        page.get_by_label("Name").fill("Larger classes for excellent teachers")
        page.get_by_label("School", exact=True).select_option(label=demo.school.name)
        page.get_by_label("Class-size cap").fill("-3")
        page.get_by_label("Reach associate salary").fill("-500")
        page.get_by_role("button", name="Plan and save").click()
        alert = page.get_by_role("alert")
        expect(alert).to_contain_text("Nothing was saved")
        expect(alert).to_contain_text("-500 must not be negative")
        expect(alert).to_contain_text("-3 must be at least 1")
        _no_blocking_violations(page)
        assert Scenario.objects.count() == 1
        page.get_by_label("Class-size cap").fill("32")
        page.get_by_label("Reach associate salary").fill("32000")
        page.get_by_role("button", name="Plan and save").click()
        expect(page.get_by_role("heading", level=1)).to_have_text(
            "Larger classes for excellent teachers"
        )
        assert Scenario.objects.count() == 2
        page.get_by_role("link", name="Scenarios").click()
        for box in page.get_by_role("checkbox").all():
            box.check()
        page.get_by_role("button", name="Compare the chosen scenarios").click()
        table = page.locator("#compare-table")
        expect(table).to_contain_text(DEMO_SCENARIO)
        expect(table).to_contain_text("Larger classes for excellent teachers")
        _no_blocking_violations(page)
        save_screenshot(page, "staffing-compare-desktop")
        page.get_by_role("link", name="Weighted student funding").click()
        expect(page.locator("#allocations")).to_contain_text(demo.school.name)
        _no_blocking_violations(page)
        save_screenshot(page, "staffing-funding-desktop")
    finally:
        page.context.close()
