"""The form definition: its pydantic shape and the save-time rules.

`check_form(data)` is the one way from what a client sent to a storable definition. It
checks the shape (fields, buttons), then what needs the rest of the system: every
button's microflow or process exists, the input map names real params of the target and
its expressions (CEL) compile over the form's field names, the output map names real
fields and its expressions compile over the microflow's output. Every problem found is
reported at once, each as {"field": "<path>", "message": "..."}, by `InvalidForm`.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, model_validator
from pydantic import ValidationError as PydanticError

from runtime.expressions import ExpressionError, compile_expression

FieldType = Literal["text", "number", "integer", "date", "select", "checkbox", "textarea", "email"]
READ_ONLY_KEYS = {"version", "created_at", "updated_at", "created_by", "versions"}
DEFAULT_TIMEOUT_S = 30
Identifier = Annotated[str, StringConstraints(pattern=r"^[A-Za-z_][A-Za-z0-9_]{0,63}$")]
# Names CEL reserves: a field named like this could never be read by an expression.
RESERVED = {"true", "false", "null", "in", "as", "break", "const", "continue", "else", "for", "function",
            "if", "import", "let", "loop", "package", "namespace", "return", "var", "void", "while"}


class Option(BaseModel):
    model_config = ConfigDict(extra="forbid")
    value: str | int | float | bool
    label: str = Field(default="", max_length=200)


class FieldSpec(BaseModel):
    model_config = ConfigDict(extra="forbid")
    name: Identifier
    label: str = Field(default="", max_length=200)
    type: FieldType = "text"
    required: bool = False
    readonly: bool = False
    default: Any = None
    options: list[Option] = Field(default_factory=list, max_length=500)
    help: str = Field(default="", max_length=1000)
    placeholder: str = Field(default="", max_length=200)

    @model_validator(mode="before")
    @classmethod
    def _options_as_strings(cls, data: Any) -> Any:
        """Accepts options written as plain values (`["a", "b"]`) as well as {value, label}."""
        if isinstance(data, dict) and isinstance(data.get("options"), list):
            data = {**data, "options": [o if isinstance(o, dict) else {"value": o} for o in data["options"]]}
        return data


class ButtonSpec(BaseModel):
    model_config = ConfigDict(extra="forbid")
    label: str = Field(min_length=1, max_length=100)
    microflow: str | None = None
    process: str | None = None
    blocking: bool = True
    timeout_s: float = Field(default=DEFAULT_TIMEOUT_S, gt=0, le=3600)
    input: dict[str, str] = Field(default_factory=dict)
    output: dict[str, str] = Field(default_factory=dict)


class FormSpec(BaseModel):
    model_config = ConfigDict(extra="forbid")
    name: Annotated[str, StringConstraints(pattern=r"^[a-z0-9][a-z0-9-]{0,63}$")]
    title: str = Field(default="", max_length=200)
    description: str = Field(default="", max_length=5000)
    fields: list[FieldSpec] = Field(default_factory=list, max_length=500)
    buttons: list[ButtonSpec] = Field(default_factory=list, max_length=50)


class InvalidForm(Exception):
    def __init__(self, details: list[dict[str, Any]]) -> None:
        super().__init__("; ".join(d["message"] for d in details))
        self.details = details


def _detail(where: str | None, message: str) -> dict[str, Any]:
    return {"node": None, "field": where, "message": message}


def _path(loc: tuple | list) -> str | None:
    text = ""
    for part in loc:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text or None


def parse_form(data: Any) -> FormSpec:
    """The definition's shape only (no look-ups); raises InvalidForm."""
    if not isinstance(data, dict):
        raise InvalidForm([_detail(None, "a form definition must be a JSON object")])
    cleaned = {k: v for k, v in data.items() if k not in READ_ONLY_KEYS}
    try:
        return FormSpec.model_validate(cleaned)
    except PydanticError as exc:
        raise InvalidForm([_detail(_path(e.get("loc", ())), e.get("msg", "invalid")) for e in exc.errors()]) from None


def microflow_outline(name: str) -> dict[str, Any] | None:
    """The params and possible output keys of a microflow's latest saved version, or None.

    Read from the stored definition (valid by construction) rather than the runtime's
    compile cache: saving a form needs only names, and touches no run-time state."""
    from designer.models import MicroflowVersion

    definition = (MicroflowVersion.objects.filter(microflow__name=name).order_by("-version")
                  .values_list("definition", flat=True).first())
    if definition is None:
        return None
    outputs: list[str] = []
    for node in definition.get("nodes", []):
        if node.get("type") == "end":
            for key in (node.get("config") or {}).get("output") or {}:
                if key not in outputs:
                    outputs.append(key)
    params = [{"name": p["name"], "type": p.get("type", "any"), "required": bool(p.get("required"))}
              for p in definition.get("params", [])]
    return {"params": params, "outputs": sorted(outputs)}  # sorted: jsonb keeps no key order


def _processes_api():
    """The processes app's API module, or None while it does not exist yet."""
    try:
        from processes import api as processes_api
    except ImportError:
        return None
    return processes_api


def process_exists(name: str) -> bool:
    processes_api = _processes_api()
    if processes_api is None or not hasattr(processes_api, "process_exists"):
        return False
    return bool(processes_api.process_exists(name))


def process_params(name: str) -> list[str] | None:
    """The param names of a process when the processes app can tell them, else None."""
    processes_api = _processes_api()
    getter = getattr(processes_api, "process_params", None) if processes_api else None
    if getter is None:
        return None
    try:
        params = getter(name)
    except Exception:  # an unknown process or an older API: do not guess
        return None
    return [p["name"] if isinstance(p, dict) else getattr(p, "name", str(p)) for p in params or []]


def _check_expression(source: str, where: str, allowed: set[str], what: str, details: list) -> None:
    try:
        expression = compile_expression(source)
    except ExpressionError as exc:
        details.append(_detail(where, f"the expression does not compile: {exc.message}"))
        return
    unknown = [n for n in expression.names if n not in allowed]
    if unknown:
        details.append(_detail(where, f"'{unknown[0]}' is not {what}"))


def _check_button(index: int, button: ButtonSpec, field_names: set[str], details: list) -> None:
    at = f"buttons[{index}]"
    if bool(button.microflow) == bool(button.process):
        details.append(_detail(at, "a button calls exactly one microflow or starts exactly one process"))
        return
    for param, source in button.input.items():
        _check_expression(source, f"{at}.input.{param}", field_names, "a field of this form", details)
    if button.microflow:
        outline = microflow_outline(button.microflow)
        if outline is None:
            details.append(_detail(f"{at}.microflow", f"there is no microflow named '{button.microflow}'"))
            return
        params = {p["name"]: p for p in outline["params"]}
        for param in button.input:
            if param not in params:
                details.append(_detail(f"{at}.input.{param}", f"'{param}' is not a param of '{button.microflow}'"))
        for param in params.values():
            if param["required"] and param["name"] not in button.input:
                details.append(_detail(f"{at}.input", f"the required param '{param['name']}' has no mapping"))
        readable = set(outline["outputs"]) | {"output"}
        for target, source in button.output.items():
            if target not in field_names:
                details.append(_detail(f"{at}.output.{target}", f"'{target}' is not a field of this form"))
            _check_expression(source, f"{at}.output.{target}", readable,
                              f"an output of '{button.microflow}'", details)
        return
    if button.output:
        details.append(_detail(f"{at}.output", "a process button never waits, so it has no output map"))
    if not process_exists(button.process or ""):
        details.append(_detail(f"{at}.process", f"there is no process named '{button.process}'"))
        return
    params = process_params(button.process or "")
    if params is not None:
        for param in button.input:
            if param not in params:
                details.append(_detail(f"{at}.input.{param}", f"'{param}' is not a param of '{button.process}'"))


def _default_problem(field: FieldSpec) -> str | None:
    """What is wrong with a field's default value for its type, if anything."""
    value = field.default
    if value is None:
        return None
    number = isinstance(value, (int, float)) and not isinstance(value, bool)
    if field.type == "number" and not number:
        return "the default of a number field must be a number"
    if field.type == "integer" and not (number and float(value).is_integer()):
        return "the default of an integer field must be a whole number"
    if field.type == "checkbox" and not isinstance(value, bool):
        return "the default of a checkbox must be true or false"
    if field.type == "select" and str(value) not in {str(o.value) for o in field.options}:
        return "the default of a select field must be one of its options"
    if field.type in ("text", "textarea", "date", "email") and not isinstance(value, (str, int, float)):
        return "the default of a text field must be text"
    return None


def check_form(data: Any) -> dict[str, Any]:
    """The storable definition, or InvalidForm with every problem found."""
    spec = parse_form(data)
    details: list[dict[str, Any]] = []
    seen: set[str] = set()
    for index, field in enumerate(spec.fields):
        where = f"fields[{index}].name"
        if field.name in seen:
            details.append(_detail(where, f"the field name '{field.name}' is used twice"))
        elif field.name in RESERVED:
            details.append(_detail(where, f"'{field.name}' is a reserved word of the expression language"))
        seen.add(field.name)
        if field.type == "select" and not field.options:
            details.append(_detail(f"fields[{index}].options", "a select field needs at least one option"))
        problem = _default_problem(field)
        if problem:
            details.append(_detail(f"fields[{index}].default", problem))
    for index, button in enumerate(spec.buttons):
        _check_button(index, button, seen, details)
    if details:
        raise InvalidForm(details)
    stored = spec.model_dump(exclude_none=True)
    for button in stored["buttons"]:
        if button.get("process"):  # a process button never waits: no blocking, no timeout
            button.pop("blocking", None)
            button.pop("timeout_s", None)
            button.pop("output", None)
    return stored
