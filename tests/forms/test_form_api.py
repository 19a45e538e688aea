"""Form definitions over the API: versions, validation with details, button presses, records."""

from __future__ import annotations

import pytest

from tests.flows import linear

pytestmark = pytest.mark.django_db

DOUBLER = linear("form-doubler", [
    {"id": "calc", "type": "assign", "config": {"set": {"y": "x * 2"}}},
    {"id": "end", "type": "end", "config": {"output": {"doubled": "y", "note": "'ok'"}}},
], [{"name": "x", "type": "number", "required": True}, {"name": "tag", "type": "string"}])

REFUSER = linear("form-refuser", [
    {"id": "no", "type": "fail", "config": {"message": "'refused ' + string(x)", "code": "refused"}},
], [{"name": "x", "type": "number", "required": True}])


def form(**overrides):
    definition = {
        "name": "calc-form", "title": "Calculator",
        "fields": [{"name": "amount", "label": "Amount", "type": "number", "required": True},
                   {"name": "result", "label": "Result", "type": "number", "readonly": True},
                   {"name": "comment", "label": "Comment", "type": "textarea"}],
        "buttons": [{"label": "Double", "microflow": "form-doubler", "blocking": True,
                     "input": {"x": "amount"}, "output": {"result": "doubled"}},
                    {"label": "Later", "microflow": "form-doubler", "blocking": False,
                     "input": {"x": "amount + 1"}, "output": {"result": "doubled", "comment": "note"}}],
    }
    definition.update(overrides)
    return definition


@pytest.fixture
def flows(api):
    for definition in (DOUBLER, REFUSER):
        assert api.post("/api/microflows", definition).status_code == 201


def fields_of(response):
    return {d["field"] for d in response.json()["error"]["details"]}


def test_it_creates_a_form_and_reads_it_back(api, flows):
    created = api.post("/api/forms", form())
    assert created.status_code == 201, created.content
    assert created.json()["version"] == 1
    body = api.get("/api/forms/calc-form").json()
    assert body["title"] == "Calculator" and body["buttons"][0]["timeout_s"] == 30
    assert [f["name"] for f in body["fields"]] == ["amount", "result", "comment"]
    assert api.get("/api/forms").json()["items"][0]["name"] == "calc-form"


def test_every_save_is_a_new_version_and_old_ones_stay_readable(api, flows):
    api.post("/api/forms", form())
    updated = api.put("/api/forms/calc-form", form(title="Calculator 2"))
    assert updated.status_code == 200 and updated.json()["version"] == 2
    assert [v["version"] for v in api.get("/api/forms/calc-form/versions").json()] == [2, 1]
    assert api.get("/api/forms/calc-form/versions/1").json()["title"] == "Calculator"
    assert api.get("/api/forms/calc-form").json()["title"] == "Calculator 2"


def test_a_taken_name_is_a_conflict_and_a_missing_form_is_not_found(api, flows):
    api.post("/api/forms", form())
    assert api.post("/api/forms", form()).json()["error"]["code"] == "conflict"
    missing = api.put("/api/forms/nope", form(name="nope"))
    assert missing.status_code == 404 and missing.json()["error"]["code"] == "not_found"
    assert api.get("/api/forms/nope").status_code == 404


def test_it_deletes_a_form(api, flows):
    api.post("/api/forms", form())
    assert api.delete("/api/forms/calc-form").status_code == 204
    assert api.get("/api/forms/calc-form").status_code == 404
    assert api.delete("/api/forms/calc-form").status_code == 404


def test_it_rejects_duplicate_field_names(api, flows):
    fields = [{"name": "amount", "type": "number"}, {"name": "amount", "type": "text"}]
    response = api.post("/api/forms", form(fields=fields, buttons=[]))
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "invalid_flow"
    assert fields_of(response) == {"fields[1].name"}


def test_it_rejects_buttons_whose_microflow_or_process_does_not_exist(api, flows):
    buttons = [{"label": "A", "microflow": "no-such-flow"}, {"label": "B", "process": "no-such-process"},
               {"label": "C"}, {"label": "D", "microflow": "form-doubler", "process": "x", "input": {"x": "1"}}]
    response = api.post("/api/forms", form(buttons=buttons))
    assert response.status_code == 400
    assert fields_of(response) == {"buttons[0].microflow", "buttons[1].process", "buttons[2]", "buttons[3]"}


def test_it_rejects_maps_that_do_not_compile_or_name_unknown_things(api, flows):
    buttons = [{"label": "A", "microflow": "form-doubler",
                "input": {"x": "amount +", "nope": "amount", "tag": "missing_field"},
                "output": {"result": "doubled *", "ghost": "doubled", "comment": "not_an_output"}}]
    response = api.post("/api/forms", form(buttons=buttons))
    assert response.status_code == 400
    assert fields_of(response) == {
        "buttons[0].input.x", "buttons[0].input.nope", "buttons[0].input.tag",
        "buttons[0].output.result", "buttons[0].output.ghost", "buttons[0].output.comment",
    }
    messages = " ".join(d["message"] for d in response.json()["error"]["details"])
    assert "does not compile" in messages and "'missing_field' is not a field" in messages


def test_it_rejects_a_button_that_leaves_a_required_param_unmapped(api, flows):
    response = api.post("/api/forms", form(buttons=[{"label": "A", "microflow": "form-doubler"}]))
    assert response.status_code == 400 and fields_of(response) == {"buttons[0].input"}


def test_it_rejects_defaults_that_do_not_fit_the_field_type(api, flows):
    fields = [{"name": "n", "type": "number", "default": "ten"}, {"name": "c", "type": "checkbox", "default": 1},
              {"name": "s", "type": "select", "options": ["a", "b"], "default": "z"},
              {"name": "ok", "type": "integer", "default": 3}]
    response = api.post("/api/forms", form(fields=fields, buttons=[]))
    assert response.status_code == 400
    assert fields_of(response) == {"fields[0].default", "fields[1].default", "fields[2].default"}


@pytest.mark.parametrize("body", [[], "text", {"name": "Bad Name"}, {"name": "ok", "fields": "x"},
                                  {"name": "ok", "fields": [{"name": "1x"}]}, {"name": "ok", "extra": 1},
                                  {"name": "ok", "fields": [{"name": "s", "type": "select"}]}])
def test_malformed_definitions_get_400_in_the_error_shape(api, flows, body):
    response = api.post("/api/forms", body)
    assert response.status_code == 400
    assert set(response.json()["error"]) == {"code", "message", "details"}


def test_anonymous_callers_get_401(anonymous):
    assert anonymous.get("/api/forms").status_code == 401


def test_a_blocking_button_runs_sync_and_maps_the_output_onto_fields(api, flows):
    api.post("/api/forms", form())
    response = api.post("/api/forms/calc-form/buttons/0/press", {"values": {"amount": "21"}})
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["status"] == "succeeded" and body["outputs"] == {"result": 42}
    execution = api.get(f"/api/executions/{body['execution']}").json()
    assert execution["mode"] == "sync" and execution["source"] == "form:calc-form"


def test_a_non_blocking_button_answers_202_with_a_queued_execution(api, flows, django_capture_on_commit_callbacks,
                                                                   monkeypatch):
    monkeypatch.setattr("runtime.api.enqueue", lambda execution_id: None)
    api.post("/api/forms", form())
    response = api.post("/api/forms/calc-form/buttons/1/press", {"values": {"amount": 4}})
    assert response.status_code == 202
    execution_id = response.json()["execution"]
    pending = api.get(f"/api/forms/calc-form/buttons/1/result/{execution_id}").json()
    assert pending["status"] == "queued" and "outputs" not in pending
    from runtime.api import execute_queued

    monkeypatch.setattr("runtime.api.announce_finished", lambda execution: None)
    execute_queued(execution_id)
    done = api.get(f"/api/forms/calc-form/buttons/1/result/{execution_id}").json()
    assert done["status"] == "succeeded" and done["outputs"] == {"result": 10, "comment": "ok"}


def test_the_result_of_someone_elses_run_is_not_found(api, bob_api, flows, monkeypatch):
    monkeypatch.setattr("runtime.api.enqueue", lambda execution_id: None)
    api.post("/api/forms", form())
    execution_id = api.post("/api/forms/calc-form/buttons/1/press", {"values": {"amount": 4}}).json()["execution"]
    assert bob_api.get(f"/api/forms/calc-form/buttons/1/result/{execution_id}").status_code == 404
    assert api.get("/api/forms/calc-form/buttons/1/result/not-a-uuid").status_code == 404


def test_a_failing_run_answers_422_with_its_error(api, flows):
    api.post("/api/forms", form(buttons=[{"label": "No", "microflow": "form-refuser", "input": {"x": "amount"}}]))
    response = api.post("/api/forms/calc-form/buttons/0/press", {"values": {"amount": 3}})
    assert response.status_code == 422
    assert response.json()["error"]["code"] == "refused" and response.json()["error"]["message"] == "refused 3"


@pytest.mark.parametrize("values, field", [({}, "amount"), ({"amount": "abc"}, "amount"),
                                           ({"amount": 1, "comment": ["x"]}, "comment")])
def test_bad_values_are_refused_before_any_run(api, flows, values, field):
    api.post("/api/forms", form())
    response = api.post("/api/forms/calc-form/buttons/0/press", {"values": values})
    assert response.status_code == 400 and response.json()["error"]["code"] == "invalid_input"
    assert fields_of(response) == {field}
    assert api.get("/api/executions").json()["count"] == 0


def test_an_unknown_button_is_not_found(api, flows):
    api.post("/api/forms", form())
    assert api.post("/api/forms/calc-form/buttons/9/press", {"values": {"amount": 1}}).status_code == 404


def approval(name: str = "form-approval") -> dict:
    return {"name": name, "params": [{"name": "amount", "type": "number", "required": True}],
            "nodes": [{"id": "start", "type": "start"},
                      {"id": "mgr", "type": "user_task", "config": {"title": "'Approve ' + string(amount)",
                                                                    "group": "managers", "outcomes": ["approve"]}},
                      {"id": "done", "type": "end"}],
            "edges": [{"from": "start", "to": "mgr"}, {"from": "mgr", "to": "done"}]}


def test_a_process_button_starts_an_instance_and_never_waits(api, flows, django_user_model):
    from django.contrib.auth.models import Group

    Group.objects.create(name="managers")
    assert api.post("/api/processes", approval()).status_code == 201
    created = api.post("/api/forms", form(buttons=[{"label": "Go", "process": "form-approval",
                                                    "input": {"amount": "amount * 2"}}]))
    assert created.status_code == 201, created.content
    response = api.post("/api/forms/calc-form/buttons/0/press", {"values": {"amount": 5}})
    assert response.status_code == 202, response.content
    body = response.json()
    assert body["status"] == "running" and body["url"]
    assert api.get("/api/forms/calc-form").json()["buttons"][0] == {
        "label": "Go", "process": "form-approval", "input": {"amount": "amount * 2"}}
    instance = api.get(f"/api/process-instances/{body['instance']}").json()
    assert instance["process"] == "form-approval" and instance["variables"]["amount"] == 10


def test_a_process_button_with_an_output_map_is_refused(api, flows):
    assert api.post("/api/processes", approval()).status_code == 201
    response = api.post("/api/forms", form(buttons=[{"label": "Go", "process": "form-approval",
                                                     "input": {"amount": "amount"}, "output": {"result": "x"}}]))
    assert response.status_code == 400 and fields_of(response) == {"buttons[0].output"}


def test_a_process_button_may_only_map_the_processes_params(api, flows):
    assert api.post("/api/processes", approval()).status_code == 201
    response = api.post("/api/forms", form(buttons=[{"label": "Go", "process": "form-approval",
                                                     "input": {"amount": "amount", "colour": "'red'"}}]))
    assert response.status_code == 400 and fields_of(response) == {"buttons[0].input.colour"}


def test_records_are_saved_listed_updated_and_private(api, bob_api, flows):
    api.post("/api/forms", form())
    created = api.post("/api/forms/calc-form/records", {"values": {"amount": "12.5", "comment": "hi"}})
    assert created.status_code == 201
    record = created.json()
    assert record["values"] == {"amount": 12.5, "result": None, "comment": "hi"}
    listed = api.get("/api/forms/calc-form/records").json()
    assert listed["count"] == 1 and listed["items"][0]["id"] == record["id"]
    updated = api.put(f"/api/forms/calc-form/records/{record['id']}", {"values": {"amount": 3}})
    assert updated.json()["values"]["amount"] == 3
    assert bob_api.get("/api/forms/calc-form/records").json()["count"] == 0
    assert bob_api.get(f"/api/forms/calc-form/records/{record['id']}").status_code == 404
    assert api.post("/api/forms/calc-form/records", {"values": {}}).status_code == 400
    assert api.delete(f"/api/forms/calc-form/records/{record['id']}").status_code == 204


def test_the_designer_picker_endpoint_lists_params_and_outputs(api, flows):
    body = api.get("/api/form-targets/microflows/form-doubler").json()
    assert [p["name"] for p in body["params"]] == ["x", "tag"] and body["outputs"] == ["doubled", "note"]
    assert api.get("/api/form-targets/microflows/nope").status_code == 404
