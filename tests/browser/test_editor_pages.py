"""The designer's microflow list and the execution history pages in a real Chromium."""

from __future__ import annotations

import json
import re

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import sign_in
from tests.browser.test_editor import create_flow, credit_check, node, unique

pytestmark = [pytest.mark.browser, pytest.mark.e2e]


def has_class(word: str):
    return re.compile(rf"(^|\s){re.escape(word)}(\s|$)")


def test_the_list_creates_searches_duplicates_and_deletes_with_confirmation(page, stack):
    sign_in(page, stack, "admin")
    page.goto(f"{stack.base}/designer/")
    page.wait_for_selector("body[data-ready='1']")
    name = unique("made")
    page.click("#btn-new")
    page.fill("#new-name", name)
    page.fill("#new-title", "Made in the list")
    page.click("#name-ok")
    page.wait_for_url(f"{stack.base}/designer/microflows/{name}/")
    page.wait_for_selector("body[data-ready='1']")
    expect(node(page, "start")).to_be_visible()
    expect(node(page, "end")).to_be_visible()

    page.goto(f"{stack.base}/designer/")
    page.wait_for_selector("body[data-ready='1']")
    page.fill("#search", name)
    expect(page.locator("#rows tr")).to_have_count(1)
    row = page.locator(f"tr[data-name='{name}']")
    expect(row.locator(".flow-title")).to_have_text("Made in the list")
    expect(row).to_contain_text("never run")

    copy_name = unique("copy")
    row.get_by_role("button", name=f"Duplicate {name}").click()
    page.fill("#new-name", copy_name)
    page.click("#name-ok")
    page.wait_for_url(f"{stack.base}/designer/microflows/{copy_name}/")
    assert stack.call("GET", f"/api/microflows/{copy_name}").json()["title"] == "Made in the list (copy)"

    page.goto(f"{stack.base}/designer/")
    page.wait_for_selector("body[data-ready='1']")
    row = page.locator(f"tr[data-name='{name}']")
    row.get_by_role("button", name=f"Delete {name}").click()
    page.click("#delete-cancel")
    expect(row).to_be_visible()
    row.get_by_role("button", name=f"Delete {name}").click()
    page.click("#delete-ok")
    expect(page.locator(f"tr[data-name='{name}']")).to_have_count(0)
    assert stack.call("GET", f"/api/microflows/{name}").status_code == 404


def test_the_execution_history_filters_and_shows_the_trace_on_the_diagram(page, stack):
    sign_in(page, stack, "admin")
    name = create_flow(stack, credit_check(unique("traced")))
    response = stack.call("POST", f"/api/microflows/{name}/run", {"input": {"amount": 50}})
    assert response.status_code == 200, response.text
    run_id = response.json()["id"]

    page.goto(f"{stack.base}/executions/?microflow={name}")
    page.wait_for_selector("body[data-ready='1']")
    expect(page.locator("#rows tr")).to_have_count(1)
    page.select_option("#f-status", "failed")
    expect(page.locator("#rows")).to_contain_text("No executions match.")
    page.select_option("#f-status", "succeeded")
    expect(page.locator(f"#rows tr[data-id='{run_id}']")).to_be_visible()
    page.locator(f"#rows tr[data-id='{run_id}'] a").first.click()

    page.wait_for_url(f"{stack.base}/executions/{run_id}/")
    page.wait_for_selector("body[data-ready='1']")
    expect(node(page, "ok")).to_have_class(has_class("fc-run-succeeded"))
    expect(node(page, "no")).not_to_have_class(has_class("fc-run-succeeded"))
    expect(page.locator("#exec-output")).to_contain_text('"approved": true')
    node(page, "big").click()
    expect(page.locator("#step-detail")).to_contain_text("Node big")
    node(page, "no").click()
    expect(page.locator("#step-detail")).to_contain_text("did not run")


def test_an_imported_definition_keeps_its_layout(page, stack, tmp_path):
    sign_in(page, stack, "admin")
    flow = credit_check(unique("imported"))
    source = tmp_path / "flow.json"
    source.write_text(json.dumps(flow))
    page.goto(f"{stack.base}/designer/")
    page.wait_for_selector("body[data-ready='1']")
    page.set_input_files("#import-file", str(source))
    page.wait_for_url(f"{stack.base}/designer/microflows/{flow['name']}/")
    page.wait_for_selector("body[data-ready='1']")
    shown = page.evaluate("window.onewebEditor.definition()")
    assert {n["id"]: n["ui"] for n in shown["nodes"]} == {n["id"]: n["ui"] for n in flow["nodes"]}
