"""The sign-in page works in a real Chromium and leads to the home page."""

import pytest

from tests.browser.conftest import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.e2e]


def test_a_user_signs_in_and_sees_the_home_page(page, stack):
    sign_in(page, stack, "alice")
    assert page.locator("h1").inner_text() == "Welcome to OneWeb"
    assert "alice" in page.locator(".who").inner_text()
