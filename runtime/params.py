"""Checks a run's input against the flow's params, and a run's output against its declared
outputs (types, required, unknown names, and the fields of business objects, reported with
their paths)."""

from __future__ import annotations

from typing import Any

from runtime import business_objects
from runtime.definition import Param


class InvalidInput(Exception):
    def __init__(self, details: list[dict[str, Any]]) -> None:
        super().__init__("; ".join(d["message"] for d in details))
        self.details = details


class InvalidOutput(InvalidInput):
    """An end node's output does not fit the flow's declared outputs (the flow's own fault)."""


def _fits(kind: str, value: Any) -> bool:
    if kind == "object":
        return isinstance(value, dict)
    if kind == "array":
        return isinstance(value, list)
    return business_objects.scalar_fits(kind, value)


def check_input(params: list[Param], given: Any) -> dict[str, Any]:
    """Returns the variables a run starts with, or raises InvalidInput naming each problem."""
    if given is None:
        given = {}
    if not isinstance(given, dict):
        raise InvalidInput([{"field": None, "message": "input must be a JSON object"}])
    details, variables = _check(params, given, "param", fill=True)
    if details:
        raise InvalidInput(details)
    return variables


def check_output(outputs: list[Param], given: dict[str, Any]) -> dict[str, Any]:
    """Returns the output with business-object defaults applied, or raises InvalidOutput."""
    details, values = _check(outputs, given, "declared output", fill=False)
    if details:
        raise InvalidOutput(details)
    return values


def _check(params: list[Param], given: dict[str, Any], what: str,
           *, fill: bool) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    details: list[dict[str, Any]] = []
    known = {p.name for p in params}
    for name in given:
        if name not in known:
            details.append({"field": name, "message": f"'{name}' is not a {what} of this microflow"})
    variables: dict[str, Any] = {}
    for param in params:
        if param.name in given and given[param.name] is not None:
            value = given[param.name]
            if not _fits(param.type, value):
                details.append({"field": param.name, "message": f"'{param.name}' must be of type {param.type}"})
                continue
            if param.type == "integer" and isinstance(value, float):
                value = int(value)
            if param.object is not None:
                value, problems = business_objects.check(param.object, value, param.name, param.object_version,
                                                         many=param.type == "array")
                if problems:
                    details.extend(problems)
                    continue
            variables[param.name] = value
        elif param.required:
            details.append({"field": param.name, "message": f"'{param.name}' is required"})
        elif fill or param.default is not None:
            variables[param.name] = param.default
        elif param.name in given:
            variables[param.name] = None
    return details, variables
