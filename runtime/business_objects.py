"""Business objects at run time: named, versioned data types and checking values against them.

A business object is `{"name", "title", "fields": [...]}`; each field has a `name`, a
`type` (string number integer boolean date datetime object array any), `required`, a
`default`, and for objects either nested `fields` or `object` (another business object
by name), for arrays `items` (a field-like spec without a name). A microflow param that
says `"object": "customer"` (type object, or array for a list of them) has its input
checked here: every problem is reported with its field path (`customer.address.zip`,
`lines[2].qty`), missing optional fields get their defaults, unknown keys are refused.

Definitions come from ONEWEB["BUSINESS_OBJECT_SOURCE"] on the server, or from the
mapping given to `using(...)` (embedded use). Plain Python: no Django in here.
"""

from __future__ import annotations

import contextlib
import contextvars
import copy
import datetime as dt
from collections.abc import Callable, Iterator, Mapping
from importlib import import_module
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from runtime.conf import setting

FieldType = Literal["string", "number", "integer", "boolean", "date", "datetime", "object", "array", "any"]
Slug = Annotated[str, StringConstraints(pattern=r"^[a-z0-9][a-z0-9-]{0,63}$")]
MAX_DEPTH = 32


class TypeSpec(BaseModel):
    model_config = ConfigDict(extra="forbid")
    type: FieldType = "any"
    fields: list[FieldSpec] | None = Field(default=None, max_length=500)
    object: Slug | None = None
    items: TypeSpec | None = None
    enum: list[Any] | None = Field(default=None, max_length=1000)
    max_length: int | None = Field(default=None, ge=0)


class FieldSpec(TypeSpec):
    name: Annotated[str, StringConstraints(pattern=r"^[A-Za-z_][A-Za-z0-9_]{0,63}$")]
    title: str | None = Field(default=None, max_length=200)
    description: str | None = Field(default=None, max_length=2000)
    required: bool = False
    default: Any = None


class BusinessObjectSpec(BaseModel):
    model_config = ConfigDict(extra="forbid")
    name: Slug
    title: str = Field(default="", max_length=200)
    description: str = Field(default="", max_length=5000)
    fields: list[FieldSpec] = Field(max_length=500)


TypeSpec.model_rebuild()

Provider = Callable[[str, int | None], BusinessObjectSpec]
_provider: contextvars.ContextVar[Provider | None] = contextvars.ContextVar("oneweb_business_objects", default=None)


class UnknownBusinessObject(LookupError):
    pass


def problems_in(spec: BusinessObjectSpec) -> list[dict[str, Any]]:
    """Definition rules beyond the shape: unique names, sensible type options."""
    details: list[dict[str, Any]] = []

    def walk(fields: list[FieldSpec], path: str) -> None:
        seen: set[str] = set()
        for item in fields:
            where = f"{path}{item.name}"
            if item.name in seen:
                details.append({"field": where, "message": f"the field '{item.name}' is defined twice"})
            seen.add(item.name)
            check_type(item, where)

    def check_type(spec: TypeSpec, where: str) -> None:
        if spec.type != "object" and (spec.fields is not None or spec.object is not None):
            details.append({"field": where, "message": "only an object field has fields or object"})
        if spec.fields is not None and spec.object is not None:
            details.append({"field": where, "message": "give fields or object, not both"})
        if spec.type != "array" and spec.items is not None:
            details.append({"field": where, "message": "only an array field has items"})
        if spec.fields:
            walk(spec.fields, f"{where}.")
        if spec.items is not None:
            check_type(spec.items, f"{where}[]")

    walk(spec.fields, "fields.")
    return details


def from_mapping(objects: Mapping[str, Any]) -> Provider:
    built = {name: BusinessObjectSpec.model_validate({"name": name, **dict(spec)}) for name, spec in objects.items()}

    def provide(name: str, version: int | None) -> BusinessObjectSpec:
        try:
            return built[name]
        except KeyError:
            raise UnknownBusinessObject(name) from None

    return provide


@contextlib.contextmanager
def using(provider: Provider | Mapping[str, Any]) -> Iterator[None]:
    """Within the block (this thread or task only), business objects come from `provider`."""
    if not callable(provider):
        provider = from_mapping(provider)
    token = _provider.set(provider)
    try:
        yield
    finally:
        _provider.reset(token)


def resolve(name: str, version: int | None = None) -> BusinessObjectSpec:
    provider = _provider.get()
    if provider is None:
        from django.apps import apps

        if not apps.ready:
            raise UnknownBusinessObject(name)
        provider = import_module(setting("BUSINESS_OBJECT_SOURCE")).get_business_object
    return provider(name, version)


# --- checking values ------------------------------------------------------------------------


def check(name: str, value: Any, path: str, version: int | None = None,
          many: bool = False) -> tuple[Any, list[dict[str, Any]]]:
    """(the value with defaults filled in, problems) for a value of business object `name`
    (a list of them when `many`); problems name the field path under `path`."""
    details: list[dict[str, Any]] = []
    spec = TypeSpec(type="object", object=name)
    try:
        if not many:
            return _value(spec, value, path, details, 0, version), details
        if not isinstance(value, list):
            _problem(details, path, "must be a list")
            return value, details
        cleaned = [_value(spec, item, f"{path}[{index}]", details, 1, version) for index, item in enumerate(value)]
    except UnknownBusinessObject as exc:
        return value, [{"field": path, "message": f"there is no business object named '{exc.args[0]}'"}]
    return cleaned, details


def _problem(details: list, path: str, message: str) -> None:
    details.append({"field": path, "message": f"'{path}' {message}"})


def _value(spec: TypeSpec, value: Any, path: str, details: list, depth: int, version: int | None = None) -> Any:
    if depth > MAX_DEPTH:
        _problem(details, path, f"is nested deeper than {MAX_DEPTH} levels")
        return value
    kind = spec.type
    if kind == "object":
        if not isinstance(value, dict):
            _problem(details, path, "must be an object")
            return value
        if spec.object is not None:
            return _fields(resolve(spec.object, version).fields, value, path, details, depth)
        if spec.fields is not None:
            return _fields(spec.fields, value, path, details, depth)
        return value
    if kind == "array":
        if not isinstance(value, list):
            _problem(details, path, "must be a list")
            return value
        if spec.items is None:
            return value
        return [_value(spec.items, item, f"{path}[{index}]", details, depth + 1) for index, item in enumerate(value)]
    if not scalar_fits(kind, value):
        _problem(details, path, f"must be of type {kind}")
        return value
    if spec.enum is not None and value not in spec.enum:
        _problem(details, path, f"must be one of {', '.join(map(str, spec.enum))}")
    if spec.max_length is not None and isinstance(value, str) and len(value) > spec.max_length:
        _problem(details, path, f"must be at most {spec.max_length} characters long")
    if kind == "integer" and isinstance(value, float):
        return int(value)
    return value


def _fields(fields: list[FieldSpec], value: dict, path: str, details: list, depth: int) -> dict[str, Any]:
    known = {item.name for item in fields}
    for key in value:
        if key not in known:
            _problem(details, f"{path}.{key}", "is not a field of this object")
    cleaned: dict[str, Any] = {}
    for item in fields:
        where = f"{path}.{item.name}"
        if value.get(item.name) is not None:
            cleaned[item.name] = _value(item, value[item.name], where, details, depth + 1)
        elif item.required:
            _problem(details, where, "is required")
        elif item.default is not None:
            cleaned[item.name] = copy.deepcopy(item.default)
        elif item.name in value:
            cleaned[item.name] = None
    return cleaned


def scalar_fits(kind: str, value: Any) -> bool:
    """Whether a value fits a scalar type (also used for microflow params)."""
    if kind == "any":
        return True
    if kind == "string":
        return isinstance(value, str)
    if kind == "boolean":
        return isinstance(value, bool)
    if kind == "integer":
        return (isinstance(value, int) and not isinstance(value, bool)) or (
            isinstance(value, float) and value.is_integer())
    if kind == "number":
        return isinstance(value, (int, float)) and not isinstance(value, bool)
    if kind in ("date", "datetime"):
        if not isinstance(value, str):
            return False
        try:
            if kind == "date":
                dt.date.fromisoformat(value)
            else:
                dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
        except ValueError:
            return False
        return True
    return False
