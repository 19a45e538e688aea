"""The form designer in a real Chromium: build a form with fields and a mapped button using
the pickers, see the live preview, save it, get validation messages, and run the result."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import sign_in
from tests.flows import linear

pytestmark = [pytest.mark.browser, pytest.mark.e2e]


@pytest.fixture(scope="module")
def doubler(stack):
    definition = linear("fd-double", [
        {"id": "end", "type": "end", "config": {"output": {"doubled": "x * 2"}}}],
        [{"name": "x", "type": "number", "required": True}])
    response = stack.call("POST", "/api/microflows", definition)
    assert response.status_code in (201, 409), response.text
    return "fd-double"


def field_card(page: Page, index: int):
    return page.locator(f"#fd-fields .fd-field[data-index='{index}']")


def test_a_designer_builds_a_form_with_a_mapped_button_and_it_runs(page, stack, doubler):
    sign_in(page, stack, "admin")
    page.goto(f"{stack.base}/designer/forms/")
    page.get_by_role("link", name="New form").click()
    expect(page.locator("body[data-designer-ready='1']")).to_be_attached()
    page.fill("#fd-name", "fd-built")
    page.fill("#fd-title", "Built <b>here</b>")
    expect(page.locator("#pv-title")).to_have_text("Built <b>here</b>")

    page.get_by_role("button", name="Add field").click()
    field_card(page, 0).locator("[data-prop=name]").fill("amount")
    field_card(page, 0).locator("[data-prop=label]").fill("Amount <i>")
    field_card(page, 0).locator("[data-prop=type]").select_option("number")
    field_card(page, 0).get_by_label("Required").check()
    page.get_by_role("button", name="Add field").click()
    field_card(page, 1).locator("[data-prop=name]").fill("result")
    field_card(page, 1).locator("[data-prop=type]").select_option("number")
    field_card(page, 1).get_by_label("Read-only").check()
    expect(page.locator("#pv-fields label[for=pv-amount]")).to_contain_text("Amount <i>")
    expect(page.locator("#pv-result")).to_have_attribute("readonly", "")

    page.get_by_role("button", name="Add button").click()
    card = page.locator("#fd-buttons .fd-button").first
    card.locator("[data-prop=label]").fill("Double it")
    card.locator("[data-prop=target]").select_option("fd-double")
    card = page.locator("#fd-buttons .fd-button").first
    card.get_by_label("⟵ field for x").select_option("amount")
    card.get_by_label("⟵ output for result").select_option("doubled")
    expect(card.get_by_label("Expression for x")).to_have_value("amount")
    expect(page.locator("#pv-buttons button")).to_have_text("Double it")

    page.get_by_role("button", name="Save", exact=True).click()
    page.wait_for_url(f"{stack.base}/designer/forms/fd-built/")
    saved = stack.call("GET", "/api/forms/fd-built").json()
    assert saved["buttons"][0] == {"label": "Double it", "microflow": "fd-double", "blocking": True,
                                   "timeout_s": 30, "input": {"x": "amount"}, "output": {"result": "doubled"}}
    assert saved["fields"][0]["required"] is True and saved["fields"][1]["readonly"] is True

    page.get_by_role("link", name="Open form").click()
    page.fill("#f-amount", "8")
    page.get_by_role("button", name="Double it").click()
    expect(page.locator("#f-result")).to_have_value("16")


def test_the_designer_shows_validation_problems_and_saves_new_versions(page, stack, doubler, console_errors):
    stack.call("POST", "/api/forms", {"name": "fd-edit", "fields": [{"name": "a", "type": "text"}]})
    sign_in(page, stack, "admin")
    page.goto(f"{stack.base}/designer/forms/fd-edit/")
    expect(page.locator("body[data-designer-ready='1']")).to_be_attached()
    expect(field_card(page, 0).locator("[data-prop=name]")).to_have_value("a")
    page.get_by_role("button", name="Add field").click()
    field_card(page, 1).locator("[data-prop=name]").fill("a")
    page.get_by_role("button", name="Save", exact=True).click()
    expect(page.locator("#fd-problems")).to_contain_text("fields[1].name: the field name 'a' is used twice")
    field_card(page, 1).locator("[data-prop=name]").fill("b")
    page.get_by_role("button", name="Save", exact=True).click()
    expect(page.locator("#fd-status")).to_have_text("Saved version 2.")
    expect(page.locator("#fd-problems li")).to_have_count(0)
    console_errors[:] = [e for e in console_errors if "status of 400" not in e]
