"""Fixtures for the browser tests: real Chromium (Playwright) against pytest-django's live_server.

One browser per test module (launching Chromium is the slow part); a fresh browser context,
so fresh cookies, for every test. The two-district world from ``tests/world.py`` is built per
test in a transactional database, because the live server reads it from another thread and
would not see rows inside the test's own uncommitted transaction.

Chromium is the Debian build at /usr/bin/chromium (override with WAYPOINT_CHROMIUM); these
tests never download browsers. WAYPOINT_SCREENSHOTS=1 (re)writes docs/screenshots/*.png.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from types import SimpleNamespace

import pytest
from playwright.sync_api import Browser, Page, Playwright, sync_playwright

from tests.browser.support import CHROMIUM, CHROMIUM_ARGS, VIEWPORTS, Viewport, new_page


@pytest.fixture(scope="module")
def playwright() -> Iterator[Playwright]:
    # Playwright's sync API runs an asyncio event loop in this (the test) thread for as long as
    # it is started. Django's async-safety guard sees that running loop and raises
    # SynchronousOnlyOperation for every ORM call made from the test thread: building the world,
    # reading ids, and pytest-django flushing the database at teardown. Those are ordinary
    # blocking calls made while the loop is idle (Playwright only spins it inside its own
    # calls), never from a coroutine, so allowing them is safe. The variable is set only while
    # Playwright runs, so the rest of the suite keeps Django's guard.
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    manager = sync_playwright().start()
    try:
        yield manager
    finally:
        manager.stop()
        if previous is None:
            os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


@pytest.fixture(scope="module")
def browser(playwright: Playwright) -> Iterator[Browser]:
    """One headless Chromium per test module."""
    if not Path(CHROMIUM).exists():
        pytest.fail(
            f"Chromium not found at {CHROMIUM}: install Debian's `chromium` package or set "
            "WAYPOINT_CHROMIUM to a Chromium binary (these tests never download browsers).",
            pytrace=False,
        )
    browser = playwright.chromium.launch(
        executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS, timeout=30_000
    )
    try:
        yield browser
    finally:
        browser.close()


@pytest.fixture
def browser_world(transactional_db: None) -> SimpleNamespace:
    """The two-district world, committed so that the live server's thread can read it.

    Faker is reseeded so that names (and so the screenshots in docs/) are the same every run.
    """
    import factory.random

    from tests.world import build_world

    factory.random.reseed_random("waypoint-browser-tests")
    return build_world()


@pytest.fixture
def base_url(live_server) -> str:
    return str(live_server.url)


@pytest.fixture(params=sorted(VIEWPORTS))
def viewport(request: pytest.FixtureRequest) -> Viewport:
    return VIEWPORTS[request.param]


@pytest.fixture
def page(browser: Browser, viewport: Viewport) -> Iterator[Page]:
    """A page in a fresh context at the parametrized viewport: desktop 1280x800, phone 390x844."""
    page = new_page(browser, viewport)
    yield page
    page.context.close()


@pytest.fixture
def desktop_page(browser: Browser) -> Iterator[Page]:
    page = new_page(browser, VIEWPORTS["desktop"])
    yield page
    page.context.close()
