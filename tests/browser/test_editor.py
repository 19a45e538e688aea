"""The microflow editor in a real Chromium: build by dragging and wiring, configure, save,
reload, test-run (sync and live async), validation marks, undo/redo, versions, escaping."""

from __future__ import annotations

import copy
import json
import uuid

import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import sign_in
from tests.flows import CREDIT_CHECK

pytestmark = [pytest.mark.browser, pytest.mark.e2e]

HOSTILE = "<img src=x onerror=alert(1)>"


def unique(stem: str) -> str:
    return f"{stem}-{uuid.uuid4().hex[:6]}"


def create_flow(stack, definition: dict) -> str:
    response = stack.call("POST", "/api/microflows", definition)
    assert response.status_code == 201, response.text
    return definition["name"]


def credit_check(name: str) -> dict:
    flow = copy.deepcopy(CREDIT_CHECK)
    flow["name"] = name
    positions = {"start": (40, 140), "big": (260, 140), "ok": (520, 260), "no": (520, 40)}
    for node in flow["nodes"]:
        x, y = positions[node["id"]]
        node["ui"] = {"x": x, "y": y}
    return flow


def open_editor(page: Page, stack, name: str) -> Page:
    page.goto(f"{stack.base}/designer/microflows/{name}/")
    page.wait_for_selector("body[data-ready='1']")
    return page


def node(page: Page, node_id: str):
    return page.locator(f".drawflow-node[data-node-id='{node_id}']")


def definition(page: Page) -> dict:
    return page.evaluate("window.onewebEditor.definition()")


def connect(page: Page, from_id: str, port_index: int, to_id: str) -> None:
    source = node(page, from_id).locator(f".output_{port_index}")
    target = node(page, to_id).locator(".input_1")
    source.hover()
    page.mouse.down()
    box = target.bounding_box()
    page.mouse.move(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2, steps=6)
    page.mouse.up()


def drop_from_palette(page: Page, node_type: str, x: int, y: int) -> None:
    page.drag_and_drop(f".pal-item[data-type='{node_type}']", "#canvas", target_position={"x": x, "y": y})


@pytest.fixture
def signed_in(page, stack):
    return sign_in(page, stack, "admin")


def test_a_user_builds_configures_saves_reloads_and_runs_a_three_node_flow(signed_in, stack):
    page = signed_in
    name = create_flow(stack, {"name": unique("built"), "title": "Built in the browser",
                               "nodes": [{"id": "start", "type": "start", "ui": {"x": 60, "y": 160}},
                                         {"id": "end", "type": "end", "ui": {"x": 360, "y": 160}}],
                               "edges": [{"from": "start", "to": "end"}]})
    open_editor(page, stack, name)
    node(page, "end").click()
    page.keyboard.press("Delete")
    expect(node(page, "end")).to_have_count(0)

    drop_from_palette(page, "assign", 380, 200)
    expect(node(page, "assign1")).to_be_visible()
    drop_from_palette(page, "end", 640, 200)
    expect(node(page, "end1")).to_be_visible()
    connect(page, "start", 1, "assign1")
    connect(page, "assign1", 1, "end1")
    edges = definition(page)["edges"]
    assert [(e["from"], e["to"], e.get("when")) for e in edges] == [("start", "assign1", None), ("assign1", "end1", None)]

    # configure in the properties panel
    node(page, "assign1").click()
    panel = page.locator("#panel-properties")
    panel.locator("[data-field=set] .sf-add").click()
    panel.locator("[data-field=set] .sf-map-row").last.locator(".sf-key").fill("doubled")
    panel.locator("[data-field=set] .sf-map-row").last.locator(".sf-value").fill("amount * 2")
    panel.locator("#prop-title").fill("Double it")
    panel.locator("#prop-title").press("Tab")
    node(page, "end1").click()
    expect(panel.locator("#prop-id")).to_have_value("end1")
    panel.locator("[data-field=output] .sf-add").click()
    panel.locator("[data-field=output] .sf-map-row").last.locator(".sf-key").fill("result")
    panel.locator("[data-field=output] .sf-map-row").last.locator(".sf-value").fill("doubled")
    panel.locator("[data-field=output] .sf-map-row").last.locator(".sf-value").press("Tab")

    # the param
    page.click("#tab-flow")
    page.click("#btn-add-param")
    page.locator("#params .param-name").last.fill("amount")
    page.locator("#params .param-name").last.press("Tab")
    page.locator("#params .param-type").last.select_option("number")
    expect(page.locator("#dirty")).to_be_visible()

    page.keyboard.press("Control+s")
    expect(page.locator("#status")).to_have_text("Saved as version 2.")
    expect(page.locator("#dirty")).to_be_hidden()
    stored = stack.call("GET", f"/api/microflows/{name}").json()
    assert stored["version"] == 2
    assert {n["id"]: n["type"] for n in stored["nodes"]} == {"start": "start", "assign1": "assign", "end1": "end"}
    assert all(isinstance(n["ui"]["x"], int) for n in stored["nodes"])

    # reload: intact
    page.reload()
    page.wait_for_selector("body[data-ready='1']")
    expect(page.locator(".drawflow-node")).to_have_count(3)
    expect(node(page, "assign1").locator(".fc-title")).to_have_text("Double it")
    reloaded = definition(page)
    assert [(e["from"], e["to"]) for e in reloaded["edges"]] == [("start", "assign1"), ("assign1", "end1")]
    assert next(n for n in reloaded["nodes"] if n["id"] == "assign1")["config"] == {"set": {"doubled": "amount * 2"}}
    assert reloaded["params"] == [{"name": "amount", "type": "number", "required": False}]
    assert {n["id"]: n["ui"] for n in reloaded["nodes"]} == {n["id"]: n["ui"] for n in stored["nodes"]}

    # test run (sync): output shown, every node lit, a node's variables on click
    page.click("#tab-run")
    page.fill("#run-input", json.dumps({"amount": 21}))
    page.click("#btn-run")
    expect(page.locator("#run-status")).to_contain_text("Succeeded")
    assert json.loads(page.locator("#run-output").inner_text()) == {"result": 42}
    for node_id in ("start", "assign1", "end1"):
        expect(node(page, node_id)).to_have_class(has_class("fc-run-succeeded"))
    node(page, "assign1").click()
    page.click("#tab-properties")
    assert json.loads(page.locator(".step-variables").inner_text()) == {"doubled": 42}


def has_class(word: str):
    import re

    return re.compile(rf"(^|\s){re.escape(word)}(\s|$)")


def test_an_async_run_lights_the_nodes_live_and_shows_a_failed_step(signed_in, stack):
    page = signed_in
    name = create_flow(stack, {"name": unique("live"), "params": [{"name": "b", "type": "number"}],
                               "nodes": [{"id": "start", "type": "start"},
                                         {"id": "div", "type": "assign", "config": {"set": {"q": "10 / int(b)"}}},
                                         {"id": "done", "type": "end", "config": {"output": {"q": "q"}}}],
                               "edges": [{"from": "start", "to": "div"}, {"from": "div", "to": "done"}]})
    open_editor(page, stack, name)
    page.click("#tab-run")
    page.check("input[name=run-mode][value=async]")
    page.fill("#run-input", json.dumps({"b": 0}))
    page.click("#btn-run")
    expect(page.locator("#run-status")).to_contain_text("Failed")
    expect(node(page, "start")).to_have_class(has_class("fc-run-succeeded"))
    expect(node(page, "div")).to_have_class(has_class("fc-run-failed"))
    expect(node(page, "done")).not_to_have_class(has_class("fc-run-succeeded"))
    assert json.loads(page.locator("#run-output").inner_text())["node"] == "div"
    node(page, "div").click()
    page.click("#tab-properties")
    expect(page.locator(".step-error")).to_contain_text("expression_error")


def test_a_validation_error_lands_on_the_offending_node(signed_in, stack):
    page = signed_in
    name = create_flow(stack, credit_check(unique("invalid")))
    open_editor(page, stack, name)
    node(page, "big").click()
    condition = page.locator("#panel-properties [data-field=condition] textarea")
    condition.fill("amount >")
    # the live check answers while typing
    expect(page.locator("#panel-properties [data-field=condition] .sf-problem").first).to_contain_text("line 1, column 9")
    page.keyboard.press("Control+s")
    expect(node(page, "big")).to_have_class(has_class("fc-invalid"))
    expect(node(page, "big").locator(".fc-errors")).to_contain_text("condition")
    for other in ("start", "ok", "no"):
        expect(node(page, other)).not_to_have_class(has_class("fc-invalid"))
    expect(page.locator("#status")).to_contain_text("Not saved")
    assert stack.call("GET", f"/api/microflows/{name}").json()["version"] == 1
    expect(page.locator("#panel-properties .sf-server")).to_contain_text("Syntax error")


def test_undo_and_redo_reverse_and_replay_edits(signed_in, stack):
    page = signed_in
    name = create_flow(stack, credit_check(unique("undo")))
    open_editor(page, stack, name)
    expect(page.locator("#btn-undo")).to_be_disabled()
    node(page, "ok").click()
    page.keyboard.press("Delete")
    expect(page.locator(".drawflow-node")).to_have_count(3)
    drop_from_palette(page, "assign", 300, 380)
    expect(page.locator(".drawflow-node")).to_have_count(4)

    page.locator("#canvas").focus()
    page.keyboard.press("Control+z")
    expect(page.locator(".drawflow-node")).to_have_count(3)
    page.keyboard.press("Control+z")
    expect(page.locator(".drawflow-node")).to_have_count(4)
    expect(node(page, "ok")).to_be_visible()
    assert ("big", "ok", "false") in [(e["from"], e["to"], e.get("when")) for e in definition(page)["edges"]]
    page.keyboard.press("Control+Shift+z")
    expect(node(page, "ok")).to_have_count(0)
    page.click("#btn-redo")
    expect(node(page, "assign1")).to_be_visible()
    expect(page.locator("#btn-redo")).to_be_disabled()

    # copy and paste a multi-selection
    node(page, "start").click()
    node(page, "big").click(modifiers=["Shift"])
    page.keyboard.press("Control+c")
    page.keyboard.press("Control+v")
    expect(page.locator(".drawflow-node")).to_have_count(5)  # a second start is never pasted
    pasted = [n for n in definition(page)["nodes"] if n["id"] == "big1"]
    assert pasted and pasted[0]["config"] == {"condition": "amount > 1000"}


def test_restoring_an_old_version_and_the_diff(signed_in, stack):
    page = signed_in
    flow = credit_check(unique("versions"))
    name = create_flow(stack, flow)
    changed = copy.deepcopy(flow)
    changed["nodes"][1]["config"]["condition"] = "amount > 5000"
    changed["nodes"].append({"id": "spare", "type": "end", "ui": {"x": 300, "y": 400}})
    assert stack.call("PUT", f"/api/microflows/{name}", changed).status_code == 200

    open_editor(page, stack, name)
    expect(node(page, "spare")).to_be_visible()
    page.click("#tab-versions")
    page.select_option("#diff-from", "1")
    page.select_option("#diff-to", "2")
    page.click("#btn-diff")
    expect(page.locator("#diff .diff-added")).to_contain_text("node spare (end)")
    expect(page.locator("#diff .diff-changed")).to_contain_text("node big: config")

    page.locator("#versions li[data-version='1']").get_by_role("button", name="View").click()
    expect(page.locator("#viewing")).to_be_visible()
    expect(node(page, "spare")).to_have_count(0)
    expect(page.locator("#btn-save")).to_be_disabled()
    page.click("#btn-restore")
    expect(page.locator("#status")).to_have_text("Version 1 restored as version 3.")
    expect(page.locator("#viewing")).to_be_hidden()
    expect(page.locator("#flow-version")).to_have_text("version 3")
    latest = stack.call("GET", f"/api/microflows/{name}").json()
    assert latest["version"] == 3 and "spare" not in {n["id"] for n in latest["nodes"]}
    assert next(n for n in latest["nodes"] if n["id"] == "big")["config"]["condition"] == "amount > 1000"


def test_a_hostile_title_is_shown_as_text_everywhere(signed_in, stack):
    page = signed_in
    dialogs: list[str] = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    flow = credit_check(unique("hostile"))
    flow["title"] = HOSTILE
    flow["nodes"][1]["title"] = HOSTILE
    name = create_flow(stack, flow)

    page.goto(f"{stack.base}/designer/")
    page.wait_for_selector("body[data-ready='1']")
    expect(page.locator(f"tr[data-name='{name}'] .flow-title")).to_have_text(HOSTILE)
    open_editor(page, stack, name)
    expect(node(page, "big").locator(".fc-title")).to_have_text(HOSTILE)
    expect(page.locator("#flow-title")).to_have_text(HOSTILE)
    assert page.locator("main img").count() == 0
    node(page, "big").click()
    expect(page.locator("#prop-title")).to_have_value(HOSTILE)
    assert dialogs == []
    stored = stack.call("GET", f"/api/microflows/{name}").json()
    assert stored["nodes"][1]["title"] == HOSTILE  # stored as given, never as markup we produced


def test_an_edge_is_selected_and_removed_and_nodes_move_by_keyboard(signed_in, stack):
    page = signed_in
    name = create_flow(stack, credit_check(unique("edges")))
    open_editor(page, stack, name)
    ok_df = page.evaluate("window.onewebEditor.canvas.byId.get('ok')")
    page.locator(f"svg.connection.node_in_node-{ok_df} path.main-path").click(force=True)
    expect(page.locator("#panel-properties")).to_contain_text("big → ok")
    expect(page.locator("#panel-properties")).to_contain_text("'false' port")
    page.keyboard.press("Delete")
    assert ("big", "ok") not in [(e["from"], e["to"]) for e in definition(page)["edges"]]
    expect(page.locator(f"svg.connection.node_in_node-{ok_df}")).to_have_count(0)

    before = next(n for n in definition(page)["nodes"] if n["id"] == "start")["ui"]
    node(page, "start").focus()
    page.keyboard.press("Enter")
    expect(page.locator("#prop-id")).to_have_value("start")
    node(page, "start").focus()
    page.keyboard.press("ArrowRight")
    page.keyboard.press("ArrowDown")
    after = next(n for n in definition(page)["nodes"] if n["id"] == "start")["ui"]
    assert (after["x"] - before["x"], after["y"] - before["y"]) == (20, 20)
    expect(page.locator("#dirty")).to_be_visible()


def test_a_shift_drag_box_selects_the_nodes_it_touches(signed_in, stack):
    page = signed_in
    name = create_flow(stack, credit_check(unique("band")))
    open_editor(page, stack, name)
    ok = node(page, "ok").bounding_box()
    no = node(page, "no").bounding_box()
    page.keyboard.down("Shift")
    page.mouse.move(min(ok["x"], no["x"]) - 15, no["y"] - 15)
    page.mouse.down()
    page.mouse.move(max(ok["x"] + ok["width"], no["x"] + no["width"]) + 10, ok["y"] + ok["height"] + 10, steps=4)
    page.mouse.up()
    page.keyboard.up("Shift")
    assert sorted(page.evaluate("window.onewebEditor.canvas.selectedIds()")) == ["no", "ok"]
    expect(page.locator(".drawflow-node.fc-selected")).to_have_count(2)
    expect(page.locator("#panel-properties")).to_contain_text("2 nodes selected")


def test_gateway_branches_round_trip_and_their_conditions_are_edited_on_the_edge(signed_in, stack):
    page = signed_in
    flow = {"name": unique("gateway"), "params": [{"name": "tier", "type": "string"}],
            "nodes": [{"id": "start", "type": "start", "ui": {"x": 40, "y": 120}},
                      {"id": "which", "type": "decision", "ui": {"x": 240, "y": 120}},
                      {"id": "gold", "type": "end", "config": {"output": {"d": "0.1"}}, "ui": {"x": 480, "y": 20}},
                      {"id": "silver", "type": "end", "config": {"output": {"d": "0.05"}}, "ui": {"x": 480, "y": 160}},
                      {"id": "none", "type": "end", "config": {"output": {"d": "0.0"}}, "ui": {"x": 480, "y": 300}}],
            "edges": [{"from": "start", "to": "which"},
                      {"from": "which", "to": "gold", "condition": "tier == 'gold'"},
                      {"from": "which", "to": "silver", "condition": "tier == 'silver'"},
                      {"from": "which", "to": "none", "when": "otherwise"}]}
    name = create_flow(stack, flow)
    open_editor(page, stack, name)
    assert definition(page)["edges"] == flow["edges"]

    silver_df = page.evaluate("window.onewebEditor.canvas.byId.get('silver')")
    page.locator(f"svg.connection.node_in_node-{silver_df} path.main-path").click(force=True)
    condition = page.locator("#panel-properties [data-field=condition] textarea")
    expect(condition).to_have_value("tier == 'silver'")
    condition.fill("tier in ['silver', 'bronze']")
    condition.press("Tab")
    page.keyboard.press("Control+s")
    expect(page.locator("#status")).to_have_text("Saved as version 2.")
    stored = stack.call("GET", f"/api/microflows/{name}").json()["edges"]
    assert [e.get("condition") or e.get("when") for e in stored] == [
        None, "tier == 'gold'", "tier in ['silver', 'bronze']", "otherwise"]
