"""Browser fixtures: Playwright driving Debian's chromium against the real stack.

The Playwright browser download cannot work offline, so we point it at /usr/bin/chromium
(installed by .ci/run). `signed_in(page, user)` logs a page in through the login form.
Every page fails the test if it logs a console error.
"""

from __future__ import annotations

import shutil

import pytest
from playwright.sync_api import Page, sync_playwright

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"


@pytest.fixture(scope="module")
def browser():
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(
            executable_path=CHROMIUM,
            args=["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                  "--disable-background-networking", "--disable-component-update", "--disable-sync"],
        )
        yield launched
        launched.close()


@pytest.fixture
def console_errors():
    return []


@pytest.fixture
def page(browser, console_errors):
    context = browser.new_context(viewport={"width": 1400, "height": 900})
    opened = context.new_page()
    opened.on("console", lambda msg: console_errors.append(msg.text) if msg.type == "error" else None)
    opened.on("pageerror", lambda exc: console_errors.append(str(exc)))
    yield opened
    context.close()
    assert not console_errors, f"console errors: {console_errors}"


def sign_in(page: Page, stack, username: str = "admin", password: str | None = None) -> Page:
    password = password or ("admin" if username == "admin" else "demo")
    page.goto(f"{stack.base}/accounts/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", password)
    page.click("button[type=submit]")
    page.wait_for_url(f"{stack.base}/")
    return page
