"""The microflow editor's pickers in a real Chromium: a param typed by a business object
(its fields then offered as variable paths in expression fields) and a connection picked
for an http node."""

from __future__ import annotations

import uuid

import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.e2e]


def unique(stem: str) -> str:
    return f"{stem}-{uuid.uuid4().hex[:6]}"


def created(stack, path: str, body: dict) -> None:
    response = stack.call("POST", path, body)
    assert response.status_code == 201, response.text


def test_a_business_object_param_and_a_connection_are_picked(page: Page, stack):
    address, customer, connection, flow = unique("address"), unique("customer"), unique("crm"), unique("picks")
    created(stack, "/api/business-objects", {"name": address, "fields": [
        {"name": "street", "type": "string"}, {"name": "zip", "type": "string", "required": True}]})
    created(stack, "/api/business-objects", {"name": customer, "fields": [
        {"name": "name", "type": "string"}, {"name": "address", "type": "object", "object": address}]})
    created(stack, "/api/connections", {"name": connection, "kind": "rest", "config": {"base_url": "http://127.0.0.1:9"}})
    created(stack, "/api/microflows", {
        "name": flow, "params": [{"name": "customer", "type": "any"}],
        "nodes": [{"id": "start", "type": "start", "ui": {"x": 40, "y": 120}},
                  {"id": "fetch", "type": "http", "config": {"url": "'/people'"}, "ui": {"x": 280, "y": 120}},
                  {"id": "end", "type": "end", "config": {"output": {"zip": "customer"}}, "ui": {"x": 540, "y": 120}}],
        "edges": [{"from": "start", "to": "fetch"}, {"from": "fetch", "to": "end"}]})

    sign_in(page, stack, "admin")
    page.goto(f"{stack.base}/designer/microflows/{flow}/")
    page.wait_for_selector("body[data-ready='1']")

    # the param's type: the business object
    page.click("#tab-flow")
    page.locator("#params .param-object").first.select_option(customer)
    expect(page.locator("#params .param-type").first).to_have_value("object")
    expect(page.locator("#oneweb-variables option[value='customer.address.zip']")).to_have_count(1)

    # its fields are offered in the end node's expression fields
    panel = page.locator("#panel-properties")
    page.locator(".drawflow-node[data-node-id='end']").click()
    page.click("#tab-properties")
    value = panel.locator("[data-field=output] .sf-map-row .sf-value").first
    expect(value).to_have_attribute("list", "oneweb-variables")

    # the http node: a connection from the select, and the variables under its url expression
    page.locator(".drawflow-node[data-node-id='fetch']").click()
    expect(panel.locator("#prop-id")).to_have_value("fetch")
    picker = panel.locator("[data-field=connection] select")
    expect(picker.locator(f"option[value='{connection}']")).to_have_text(f"{connection} (rest)")
    picker.select_option(connection)
    panel.locator("[data-field=url] .sf-vars summary").click()
    panel.locator("[data-field=url] .sf-var", has_text="customer.address.zip").click()
    expect(panel.locator("[data-field=url] textarea")).to_have_value("'/people'customer.address.zip")

    nodes = {n["id"]: n for n in page.evaluate("window.onewebEditor.definition()")["nodes"]}
    assert nodes["fetch"]["config"]["connection"] == connection
    assert nodes["fetch"]["config"]["url"] == "'/people'customer.address.zip"
    page.locator("[data-field=url] textarea").fill("'/people/' + customer.address.zip")
    page.locator("[data-field=url] textarea").press("Tab")

    page.keyboard.press("Control+s")
    expect(page.locator("#status")).to_have_text("Saved as version 2.")
    stored = stack.call("GET", f"/api/microflows/{flow}").json()
    assert (stored["params"][0]["type"], stored["params"][0]["object"]) == ("object", customer)
    fetch = {n["id"]: n for n in stored["nodes"]}["fetch"]
    assert fetch["config"]["connection"] == connection and fetch["config"]["url"] == "'/people/' + customer.address.zip"
