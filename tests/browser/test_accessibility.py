"""axe-core on every foundation page, at desktop and phone width.

Serious and critical violations fail the test; minor and moderate ones are reported as
warnings (listed in the pytest summary) so that they are seen without blocking. axe-core comes
from node_modules (``npm ci``); if it is missing the tests fail rather than skip.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable
from types import SimpleNamespace

import pytest
from playwright.sync_api import Page, expect

from tests.browser.support import Viewport, describe_violations, log_in, run_axe
from tests.plans.helpers import add_classmates, viewer
from waypoint.plans import services as plan_services

pytestmark = pytest.mark.browser

BLOCKING = {"serious", "critical"}


class AxeFinding(UserWarning):
    """A minor or moderate axe-core violation: reported, not failed."""


def _login(page: Page, base: str, w: SimpleNamespace) -> None:
    page.goto(f"{base}/accounts/login/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Log in to Waypoint")


def _login_error(page: Page, base: str, w: SimpleNamespace) -> None:
    page.goto(f"{base}/accounts/login/")
    page.get_by_label("Username").fill("t1")
    page.get_by_label("Password").fill("wrong")
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("alert")).to_contain_text("do not match")


def _teacher_home(page: Page, base: str, w: SimpleNamespace) -> None:
    log_in(page, base, "t1")
    expect(page.get_by_role("region", name="My sections")).to_be_visible()


def _section(page: Page, base: str, w: SimpleNamespace) -> None:
    log_in(page, base, "t1")
    page.goto(f"{base}/sections/{w.s1.pk}/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Grade 4 Math (T1)")


def _learner_list(page: Page, base: str, w: SimpleNamespace) -> None:
    log_in(page, base, "t1")
    page.goto(f"{base}/learners/")
    expect(page.locator("#learner-total")).to_have_text("1 learner")


def _learner_as_teacher(page: Page, base: str, w: SimpleNamespace) -> None:
    log_in(page, base, "t1")
    page.goto(f"{base}/learners/{w.l1.pk}/")
    expect(page.get_by_role("heading", name="Record")).to_be_visible()


def _guardian_home(page: Page, base: str, w: SimpleNamespace) -> None:
    log_in(page, base, "guardian1")
    expect(page.get_by_role("heading", level=1)).to_have_text("My children")


def _learner_as_guardian(page: Page, base: str, w: SimpleNamespace) -> None:
    log_in(page, base, "guardian1")
    page.goto(f"{base}/learners/{w.l1.pk}/")
    expect(page.get_by_role("heading", level=1)).to_have_text(w.l1.display_name)


def _not_found(page: Page, base: str, w: SimpleNamespace) -> None:
    log_in(page, base, "guardian1")
    response = page.goto(f"{base}/learners/{w.l2.pk}/")
    assert response is not None and response.status == 404
    expect(page.get_by_role("heading", level=1)).to_have_text("Not found")


def _with_a_peer(w: SimpleNamespace) -> SimpleNamespace:
    """Pia may give Ada feedback (T1 allowed it) and has written some."""
    add_classmates(w)
    plan_services.grant_peer_feedback(viewer=viewer(w.t1), learner_id=w.l1.pk, peer_id=w.peer1.pk)
    plan_services.add_comment(viewer=viewer(w.peer1), learner_id=w.l1.pk, text="Nice goals!")
    return w


def _peer_plan(page: Page, base: str, w: SimpleNamespace, language: str = "en") -> None:
    _with_a_peer(w)
    log_in(page, base, "peer1", lands_on=f"/learners/{w.peer1.pk}/")
    plan_services.set_language(user=w.peer1.user, language=language)
    page.goto(f"{base}/plans/{w.l1.pk}/peer/")
    expect(page.locator("html")).to_have_attribute("lang", language)
    expect(page.locator(".comment[data-role=peer]")).to_contain_text("Nice goals!")


def _peer_plan_es(page: Page, base: str, w: SimpleNamespace) -> None:
    _peer_plan(page, base, w, language="es")


def _peer_grants(page: Page, base: str, w: SimpleNamespace) -> None:
    _with_a_peer(w)
    log_in(page, base, "t1")
    page.goto(f"{base}/plans/{w.l1.pk}/peers/")
    expect(page.locator("#peer-choice")).to_be_visible()


PAGES: dict[str, Callable[[Page, str, SimpleNamespace], None]] = {
    "login": _login,
    "login-error": _login_error,
    "teacher-home": _teacher_home,
    "section": _section,
    "learner-list": _learner_list,
    "learner-as-teacher": _learner_as_teacher,
    "guardian-home": _guardian_home,
    "learner-as-guardian": _learner_as_guardian,
    "not-found": _not_found,
    "peer-plan": _peer_plan,
    "peer-plan-es": _peer_plan_es,
    "peer-grants": _peer_grants,
}


@pytest.mark.parametrize("name", list(PAGES))
def test_no_serious_accessibility_violations(
    page: Page, viewport: Viewport, name: str, browser_world: SimpleNamespace, base_url: str
) -> None:
    PAGES[name](page, base_url, browser_world)
    page.wait_for_load_state("networkidle")

    violations = run_axe(page)

    blocking = [v for v in violations if v["impact"] in BLOCKING]
    others = [v for v in violations if v["impact"] not in BLOCKING]
    where = f"{name} at {viewport.name} width ({page.url})"
    if others:
        warnings.warn(AxeFinding(f"axe on {where}:\n{describe_violations(others)}"), stacklevel=1)
    assert not blocking, (
        f"axe-core found serious/critical violations on {where}:\n{describe_violations(violations)}"
    )


def test_axe_runs_and_can_fail(desktop_page: Page) -> None:
    """Guard against a vacuous pass: axe must really run and report a known violation."""
    desktop_page.set_content(
        '<!doctype html><html lang="en"><head><title>t</title></head><body><main>'
        '<img src="x.png"><p style="color:#777;background:#888">low contrast</p>'
        "</main></body></html>"
    )
    found = {v["id"]: v["impact"] for v in run_axe(desktop_page)}
    assert found.get("image-alt") == "critical"
    assert found.get("color-contrast") == "serious"


def test_missing_axe_core_fails_with_instructions(
    desktop_page: Page, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Without node_modules the check must fail (not skip) and say to run `npm ci`."""
    from tests.browser import support

    monkeypatch.setattr(support, "AXE_PATH", support.REPO_ROOT / "node_modules" / "nope.js")
    desktop_page.set_content('<!doctype html><html lang="en"><title>t</title><main></main>')
    with pytest.raises(pytest.fail.Exception, match=r"npm ci"):
        run_axe(desktop_page)
