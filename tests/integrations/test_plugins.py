"""Node types from installed packages (entry point group `oneweb.node_types`): the worked
example in examples/ installs, appears in the registry and the palette, and runs; broken
or clashing plug-ins are skipped."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from runtime.nodes import registry
from tests.integrations.helpers import one_node, run

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "oneweb-node-example"


@pytest.fixture
def on_path():
    """Adds folders to sys.path for one test, and rebuilds the registry before and after."""
    added: list[str] = []

    def add(folder: Path) -> None:
        added.append(str(folder))
        sys.path.insert(0, str(folder))
        registry.cache_clear()

    yield add
    for folder in added:
        sys.path.remove(folder)
    for name in [m for m in sys.modules if m.startswith(("oneweb_node_example", "broken_plugin", "clash_plugin"))]:
        del sys.modules[name]
    registry.cache_clear()


@pytest.fixture(scope="module")
def installed_example(tmp_path_factory) -> Path:
    target = tmp_path_factory.mktemp("site")
    source = tmp_path_factory.mktemp("src") / EXAMPLE.name  # build a copy: no artefacts in the repository
    shutil.copytree(EXAMPLE, source, ignore=shutil.ignore_patterns("build", "*.egg-info"))
    subprocess.run(
        [sys.executable, "-m", "pip", "install", "--quiet", "--no-deps", "--no-build-isolation",
         "--no-index", "--target", str(target), str(source)],
        check=True, capture_output=True, timeout=120,
    )
    return target


def test_the_example_package_installs_and_its_node_runs(installed_example, on_path):
    assert "checksum" not in registry()
    on_path(installed_example)
    assert registry()["checksum"].category == "plug-ins"
    flow = one_node("sum", {"type": "checksum", "config": {"value": "text", "result": "result"}}, params=["text"])
    outcome = run(flow, {"text": "abc"})
    assert outcome.status == "succeeded", outcome.error
    assert outcome.output["result"] == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"


@pytest.mark.django_db
def test_the_palette_lists_the_plugin_with_its_schema(installed_example, on_path, api):
    on_path(installed_example)
    types = {t["type"]: t for t in api.get("/api/node-types").json()}
    assert types["checksum"]["config_schema"]["properties"]["algorithm"]["enum"] == ["sha256", "sha1", "md5", "blake2b"]
    assert {"database", "file_read", "file_write", "soap", "email", "notify"} <= set(types)


@pytest.mark.django_db
def test_a_flow_with_the_plugin_node_saves_and_runs_over_the_api(installed_example, on_path, api):
    on_path(installed_example)
    flow = one_node("digest", {"type": "checksum", "config": {"value": "text", "algorithm": "md5",
                                                              "result": "result"}}, params=["text"])
    assert api.post("/api/microflows", flow).status_code == 201
    answer = api.post("/api/microflows/digest/run", {"input": {"text": "abc"}}).json()
    assert answer["output"] == {"result": "900150983cd24fb0d6963f7d28e17f72"}
    bad = dict(flow, name="digest-bad", nodes=[*flow["nodes"][:1], {"id": "n", "type": "checksum",
                                                                     "config": {"value": "(", "result": "r"}},
                                               flow["nodes"][2]])
    response = api.post("/api/microflows", bad)
    assert response.status_code == 400 and response.json()["error"]["details"][0]["field"] == "value"


def _fake_distribution(root: Path, name: str, entry: str, module_source: str) -> None:
    (root / f"{name}.py").write_text(module_source)
    info = root / f"{name}-1.0.dist-info"
    info.mkdir()
    (info / "METADATA").write_text(f"Metadata-Version: 2.1\nName: {name}\nVersion: 1.0\n")
    (info / "entry_points.txt").write_text(f"[oneweb.node_types]\n{entry}\n")


def test_a_broken_plugin_is_skipped_and_logged(tmp_path, on_path, caplog):
    _fake_distribution(tmp_path, "broken_plugin", "broken = broken_plugin:NODE_TYPE", "raise ImportError('boom')\n")
    on_path(tmp_path)
    assert "start" in registry() and "broken" not in registry()
    assert "broken" in caplog.text


def test_a_plugin_cannot_replace_a_built_in_type(tmp_path, on_path, caplog):
    source = (
        "from runtime.nodes import start\n"
        "from dataclasses import replace\n"
        "NODE_TYPE = replace(start.NODE_TYPE, label='Hijacked')\n"
    )
    _fake_distribution(tmp_path, "clash_plugin", "clash = clash_plugin:NODE_TYPE", source)
    on_path(tmp_path)
    assert registry()["start"].label == "Start"
    assert "already exists" in caplog.text
