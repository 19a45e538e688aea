"""Embedded execution: the engine from the command line and as a library, without the
server, and the export of a microflow with the microflows it calls to one file."""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from runtime.__main__ import main
from runtime.embed import Library
from runtime.params import InvalidInput
from tests.flows import CREDIT_CHECK

ROOT = Path(__file__).resolve().parents[2]

DOUBLE = {"name": "double", "params": [{"name": "n", "type": "integer", "required": True}],
          "nodes": [{"id": "start", "type": "start"},
                    {"id": "end", "type": "end", "config": {"output": {"value": "n * 2"}}}],
          "edges": [{"from": "start", "to": "end"}]}
SUM_OF_DOUBLES = {
    "name": "sum-of-doubles", "params": [{"name": "xs", "type": "array", "required": True}],
    "nodes": [{"id": "start", "type": "start"},
              {"id": "each", "type": "foreach", "config": {"items": "xs", "as": "x", "microflow": "double",
                                                            "input": {"n": "x"}, "result": "doubled"}},
              {"id": "first", "type": "call", "config": {"microflow": "double", "input": {"n": "xs[0]"},
                                                         "result": "first"}},
              {"id": "end", "type": "end", "config": {"output": {
                  "doubled": "doubled.map(d, d.value)", "first": "first.value"}}}],
    "edges": [{"from": "start", "to": "each"}, {"from": "each", "to": "first"}, {"from": "first", "to": "end"}],
}


def cli(*args: str, cwd: Path = ROOT) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k != "DJANGO_SETTINGS_MODULE"}  # no project at all
    return subprocess.run([sys.executable, "-m", "runtime", *args], cwd=cwd, env=env,
                          capture_output=True, text=True, timeout=60)


def test_the_command_line_runs_a_flow_file_without_the_server(tmp_path):
    flow = tmp_path / "credit-check.json"
    flow.write_text(json.dumps(CREDIT_CHECK))
    done = cli("run", str(flow), "--input", '{"amount": 5000}', "--trace")
    assert done.returncode == 0, done.stderr
    body = json.loads(done.stdout)
    assert body["status"] == "succeeded" and body["output"] == {"approved": False, "reason": "too big"}
    assert [s["node"] for s in body["steps"]] == ["start", "big", "no"]


def test_the_command_line_exit_code_tells_failure_and_bad_input_apart(tmp_path, capsys):
    failing = {**DOUBLE, "name": "nope", "nodes": [{"id": "start", "type": "start"},
                                                   {"id": "f", "type": "fail", "config": {"message": "'no'", "code": "refused"}}],
               "edges": [{"from": "start", "to": "f"}]}
    (tmp_path / "nope.json").write_text(json.dumps(failing))
    (tmp_path / "double.json").write_text(json.dumps(DOUBLE))
    (tmp_path / "broken.json").write_text(json.dumps({**DOUBLE, "nodes": [{"id": "start", "type": "teleport"}]}))

    def run_main(*args: str) -> tuple[int, dict]:
        code = main(["run", *args])
        return code, json.loads(capsys.readouterr().out)

    code, body = run_main(str(tmp_path / "nope.json"), "--input", '{"n": 1}')
    assert code == 1 and body["error"]["code"] == "refused"
    code, body = run_main(str(tmp_path / "double.json"), "--input", '{"n": "one"}')
    assert code == 2 and body["error"]["code"] == "invalid_input"
    code, body = run_main(str(tmp_path / "double.json"), "--input", "{not json")
    assert code == 2 and body["error"]["code"] == "invalid_file"
    code, body = run_main(str(tmp_path / "broken.json"))
    assert code == 2 and body["error"]["code"] == "invalid_flow"
    code, body = run_main(str(tmp_path / "missing.json"))
    assert code == 2
    code, body = run_main(str(tmp_path / "double.json"), "--name", "other")
    assert code == 2 and body["error"]["code"] == "unknown_microflow"


def test_the_library_never_sets_up_django(tmp_path):
    script = (
        "import json, django.apps, django.conf\n"
        "from runtime.embed import Library\n"
        f"lib = Library([{DOUBLE!r}, {SUM_OF_DOUBLES!r}])\n"
        "result = lib.run('sum-of-doubles', {'xs': [1, 2, 3]})\n"
        "print(json.dumps([result.output, django.conf.settings.configured, django.apps.apps.ready]))\n"
    )
    env = {k: v for k, v in os.environ.items() if k != "DJANGO_SETTINGS_MODULE"}
    done = subprocess.run([sys.executable, "-c", script], cwd=ROOT, env=env, capture_output=True, text=True,
                          timeout=60)
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout) == [{"doubled": [2, 4, 6], "first": 2}, False, False]


def test_the_library_runs_flows_that_call_each_other_with_connections(tmp_path, monkeypatch):
    with sqlite3.connect(tmp_path / "app.db") as raw:
        raw.execute("CREATE TABLE t (n INTEGER)")
    monkeypatch.setenv("APP_DB_PASSWORD", "from-the-environment")
    store = {"name": "store", "params": [{"name": "n", "type": "integer"}],
             "nodes": [{"id": "start", "type": "start"},
                       {"id": "d", "type": "call", "config": {"microflow": "double", "input": {"n": "n"}, "result": "d"}},
                       {"id": "put", "type": "database", "config": {
                           "connection": "app", "sql": "INSERT INTO t VALUES (:v)", "params": {"v": "d.value"},
                           "result": "count"}},
                       {"id": "end", "type": "end", "config": {"output": {"count": "count"}}}],
             "edges": [{"from": "start", "to": "d"}, {"from": "d", "to": "put"}, {"from": "put", "to": "end"}]}
    library = Library([store, DOUBLE], connections={"app": {
        "kind": "database", "config": {"url": f"sqlite:///{tmp_path / 'app.db'}"},
        "secrets": {"password": {"env": "APP_DB_PASSWORD"}}}})
    assert library.connections["app"]["secrets"] == {"password": "from-the-environment"}
    result = library.run("store", {"n": 21})
    assert result.succeeded and result.output == {"count": 1}
    with sqlite3.connect(tmp_path / "app.db") as raw:
        assert raw.execute("SELECT n FROM t").fetchall() == [(42,)]
    with pytest.raises(InvalidInput):
        library.run("store", {"n": "x"})
    with pytest.raises(LookupError):
        library.run("nothing")


@pytest.mark.django_db
def test_a_microflow_exports_with_the_microflows_it_calls_and_runs_embedded(api, tmp_path, capsys):
    for definition in (DOUBLE, SUM_OF_DOUBLES):
        assert api.post("/api/microflows", definition).status_code == 201
    api.put("/api/microflows/double", {**DOUBLE, "title": "Double v2"})
    response = api.get("/api/microflows/sum-of-doubles/bundle")
    assert response.status_code == 200
    exported = response.json()
    assert exported["format"] == "oneweb.bundle" and exported["main"] == "sum-of-doubles"
    assert [(f["name"], f["version"]) for f in exported["microflows"]] == [("sum-of-doubles", 1), ("double", 2)]
    server = api.post("/api/microflows/sum-of-doubles/run", {"input": {"xs": [5, 6]}}).json()["output"]
    assert Library.from_data(exported).run(input={"xs": [5, 6]}).output == server == {"doubled": [10, 12], "first": 10}
    target = tmp_path / "bundle.json"
    assert main(["export", "sum-of-doubles", "-o", str(target)]) == 0
    assert json.loads(target.read_text())["microflows"][1]["name"] == "double"
    done = cli("run", str(target), "--input", '{"xs": [1]}')
    assert json.loads(done.stdout)["output"] == {"doubled": [2], "first": 2}


@pytest.mark.django_db
def test_exporting_an_unknown_or_incomplete_microflow_is_a_404(api):
    assert api.get("/api/microflows/nothing/bundle").status_code == 404
    orphan = {**SUM_OF_DOUBLES, "name": "orphan"}
    api.post("/api/microflows", orphan)  # calls `double`, which does not exist
    response = api.get("/api/microflows/orphan/bundle")
    assert response.status_code == 404 and "double" in response.json()["error"]["message"]
