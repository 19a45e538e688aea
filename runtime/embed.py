"""The engine as a library: run microflows inside another Python program, without the server.

    from runtime.embed import Library
    library = Library.from_file("credit-check.bundle.json", connections={...})
    result = library.run("credit-check", {"amount": 5000})
    result.status, result.output, result.error

No Django project, database, Redis or worker is needed: flows are compiled from plain
definitions (a bundle from `python -m runtime export` or single files), `call`/`foreach`
find each other inside the library, business objects come from the bundle (or the
mapping given), and connections from the mapping given here (secret values may be
{"env": "VAR"} to read them from the environment). Nodes that need
the server (`notify`, `email` without Django settings) fail with a clear node error.
"""

from __future__ import annotations

import contextlib
import json
import os
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from runtime import bundle
from runtime.business_objects import from_mapping as business_objects_provider
from runtime.business_objects import using as business_objects_using
from runtime.conf import setting
from runtime.definition import CompiledFlow, compile_flow
from runtime.engine import Runner, run_flow
from runtime.integrations.connections import using
from runtime.params import check_input


@dataclass
class Result:
    status: str
    output: dict[str, Any] | None
    error: dict[str, Any] | None
    steps: list[dict[str, Any]] = field(default_factory=list)

    @property
    def succeeded(self) -> bool:
        return self.status == "succeeded"

    def as_dict(self, trace: bool = False) -> dict[str, Any]:
        body: dict[str, Any] = {"status": self.status, "output": self.output, "error": self.error}
        if trace:
            body["steps"] = self.steps
        return body


def _secret(value: Any) -> str:
    if isinstance(value, Mapping) and set(value) == {"env"}:
        try:
            return os.environ[str(value["env"])]
        except KeyError:
            raise ValueError(f"the environment variable {value['env']} is not set") from None
    return str(value)


def resolve_secrets(connections: Mapping[str, Mapping[str, Any]]) -> dict[str, dict[str, Any]]:
    """Connections with {"env": "VAR"} secret values read from the environment."""
    return {
        name: {**spec, "secrets": {k: _secret(v) for k, v in (spec.get("secrets") or {}).items()}}
        for name, spec in connections.items()
    }


class Library:
    """A set of compiled microflows that can call each other, plus their connections."""

    def __init__(self, definitions: Iterable[dict[str, Any]] = (), *,
                 connections: Mapping[str, Mapping[str, Any]] | None = None,
                 business_objects: Mapping[str, Mapping[str, Any]] | None = None,
                 budget: int | None = None, max_depth: int | None = None) -> None:
        self.flows: dict[str, CompiledFlow] = {}
        self.main: str | None = None
        self.connections = resolve_secrets(connections or {})
        self.business_objects = business_objects_provider(business_objects) if business_objects else None
        self.budget = budget or int(setting("STEP_BUDGET"))
        self.max_depth = max_depth or int(setting("MAX_CALL_DEPTH"))
        for definition in definitions:
            self.add(definition)

    def add(self, definition: dict[str, Any]) -> CompiledFlow:
        """Compiles and adds one definition (raises runtime.definition.InvalidFlow)."""
        flow = compile_flow(definition, int(definition.get("version") or 0))
        self.flows[flow.name] = flow
        if self.main is None:
            self.main = flow.name
        return flow

    @classmethod
    def from_data(cls, data: Any, **options: Any) -> Library:
        main, definitions = bundle.split(data)
        if isinstance(data, dict) and data.get("business_objects") and "business_objects" not in options:
            options["business_objects"] = data["business_objects"]
        library = cls(definitions, **options)
        library.main = main
        return library

    @classmethod
    def from_file(cls, path: str | os.PathLike, **options: Any) -> Library:
        return cls.from_data(json.loads(Path(path).read_text(encoding="utf-8")), **options)

    def _load(self, name: str) -> CompiledFlow:
        try:
            return self.flows[name]
        except KeyError:
            raise LookupError(name) from None

    def run(self, name: str | None = None, input: Any = None) -> Result:
        """Runs a flow (the main one by default). Raises LookupError for an unknown flow and
        runtime.params.InvalidInput for input that does not fit its params."""
        flow = self._load(name or self.main or "")
        with contextlib.ExitStack() as scope:
            scope.enter_context(using(self.connections))
            if self.business_objects is not None:
                scope.enter_context(business_objects_using(self.business_objects))
            variables = check_input(flow.params, input)
            runner = Runner(load=self._load, budget=self.budget, max_depth=self.max_depth)
            outcome = run_flow(flow, variables, runner)
        return Result(outcome.status, outcome.output, outcome.error, outcome.steps)


def run_file(path: str | os.PathLike, input: Any = None, *, name: str | None = None,
             connections: Mapping[str, Mapping[str, Any]] | None = None) -> Result:
    """Runs the main microflow of a flow or bundle file."""
    return Library.from_file(path, connections=connections).run(name, input)
