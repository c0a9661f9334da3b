"""Helpers shared by the browser tests (fixtures live in conftest.py)."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.factories import PASSWORD

REPO_ROOT = Path(__file__).resolve().parents[2]
SCREENSHOT_DIR = REPO_ROOT / "docs" / "screenshots"
AXE_PATH = REPO_ROOT / "node_modules" / "axe-core" / "axe.min.js"

CHROMIUM = os.environ.get("WAYPOINT_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
TIMEOUT_MS = 10_000  # every wait in these tests is bounded by this

expect.set_options(timeout=TIMEOUT_MS)


@dataclass(frozen=True)
class Viewport:
    name: str
    width: int
    height: int
    mobile: bool = False


DESKTOP = Viewport("desktop", 1280, 800)
PHONE = Viewport("phone", 390, 844, mobile=True)
VIEWPORTS = {v.name: v for v in (DESKTOP, PHONE)}


def new_page(browser: Browser, viewport: Viewport) -> Page:
    """A page in a fresh context (own cookies) at the given viewport, with bounded timeouts."""
    context = browser.new_context(
        viewport={"width": viewport.width, "height": viewport.height},
        is_mobile=viewport.mobile,
        has_touch=viewport.mobile,
        device_scale_factor=2 if viewport.mobile else 1,
        locale="en-US",
        timezone_id="America/New_York",
        reduced_motion="reduce",
    )
    context.set_default_timeout(TIMEOUT_MS)
    context.set_default_navigation_timeout(TIMEOUT_MS)
    page = context.new_page()
    page.set_default_timeout(TIMEOUT_MS)
    return page


def log_in(
    page: Page, base_url: str, username: str, password: str = PASSWORD, lands_on: str = "/"
) -> None:
    """Log in through the real form, as a person would, and wait for the landing page."""
    page.goto(f"{base_url}/accounts/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Log in").click()
    expect(page).to_have_url(f"{base_url}{lands_on}")
    expect(page.get_by_role("button", name="Log out")).to_be_attached()


def has_horizontal_scroll(page: Page) -> bool:
    return bool(page.evaluate("document.documentElement.scrollWidth > window.innerWidth"))


def screenshots_enabled() -> bool:
    return os.environ.get("WAYPOINT_SCREENSHOTS", "").strip().lower() in {"1", "true", "yes"}


def save_screenshot(page: Page, name: str) -> Path | None:
    """Write docs/screenshots/<name>.png (full page) when WAYPOINT_SCREENSHOTS=1."""
    if not screenshots_enabled():
        return None
    SCREENSHOT_DIR.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOT_DIR / f"{name}.png"
    page.screenshot(path=str(path), full_page=True, animations="disabled", caret="hide")
    return path


def run_axe(page: Page) -> list[dict[str, Any]]:
    """Run axe-core on the page as it is now; return its violations (all impacts).

    Fails (not skips) when axe-core is not installed: an accessibility check that silently
    does not run is worse than none.
    """
    if not AXE_PATH.is_file():
        pytest.fail(
            f"axe-core is missing ({AXE_PATH.relative_to(REPO_ROOT)} not found). "
            "Run `npm ci` in the repository root to install it (see package.json).",
            pytrace=False,
        )
    page.add_script_tag(path=str(AXE_PATH))
    result = page.evaluate(
        """async () => {
            const r = await axe.run(document, {resultTypes: ["violations"]});
            return r.violations.map(v => ({
                id: v.id, impact: v.impact, help: v.help, helpUrl: v.helpUrl,
                nodes: v.nodes.map(n => ({target: n.target.join(" "), html: n.html,
                                          summary: n.failureSummary})),
            }));
        }"""
    )
    return list(result)


def describe_violations(violations: list[dict[str, Any]]) -> str:
    lines = []
    for v in violations:
        lines.append(f"[{v['impact']}] {v['id']}: {v['help']} ({v['helpUrl']})")
        for node in v["nodes"]:
            lines.append(f"    {node['target']}: {node['html'][:160]}")
            if node["summary"]:
                lines.extend(f"      {s}" for s in node["summary"].splitlines())
    return "\n".join(lines)
