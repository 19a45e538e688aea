"""Every change to a form, and every press of its buttons, goes through here.

Definitions: `create_form`, `update_form` (a new immutable version per save), `delete_form`.
Buttons: `press` cleans the field values against the form's fields, evaluates the
button's CEL input map over them, then runs the microflow through runtime/api.py (sync
for a blocking button, async for a non-blocking one) or starts the process through
processes/api.py; `button_result` maps a finished async run's output onto the fields.
Records: `save_record`, `update_record`, `delete_record` (the per-form data store).
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from django.urls import NoReverseMatch, reverse

from designer.form_models import Form, FormRecord, FormVersion
from designer.form_spec import InvalidForm, check_form
from oneweb.errors import ApiError, not_found
from oneweb.versioned import add_version, create_first_version, named_as_addressed
from runtime import api as runtime
from runtime.expressions import EvaluationError, ExpressionError, compile_expression
from runtime.models import Execution, ExecutionStatus

DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
TEXT_LIMIT = 100_000
_compiled = lru_cache(maxsize=4096)(compile_expression)  # maps are immutable per version


# --- definitions ---------------------------------------------------------------------------
def _validated(definition: Any) -> dict[str, Any]:
    try:
        return check_form(definition)
    except InvalidForm as exc:
        raise ApiError(400, "invalid_flow", "The form definition is not valid.", exc.details) from None


def create_form(definition: Any, user) -> FormVersion:
    return create_first_version(Form, FormVersion, _validated(definition), user, "form")


def update_form(name: str, definition: Any, user, comment: str = "") -> FormVersion:
    definition = named_as_addressed(definition, name)
    if not Form.objects.filter(name=name).exists():
        raise not_found(f"The form '{name}'")
    return add_version(Form, FormVersion, name, _validated(definition), user, "form", comment)


def delete_form(name: str) -> None:
    deleted, _ = Form.objects.filter(name=name).delete()
    if not deleted:
        raise not_found(f"The form '{name}'")


def form_version(name: str, version: int | None = None) -> FormVersion:
    """The given version of a form (the latest when None); 404 ApiError when missing."""
    rows = FormVersion.objects.select_related("form", "created_by").filter(form__name=name)
    row = rows.filter(version=version).first() if version else rows.order_by("-version").first()
    if row is None:
        raise not_found(f"Version {version} of the form '{name}'" if version else f"The form '{name}'")
    return row


# --- field values ----------------------------------------------------------------------------
def _number(value: Any, integer: bool) -> int | float:
    if isinstance(value, bool):
        raise ValueError
    if isinstance(value, str):
        value = float(value.strip())
    if not isinstance(value, (int, float)) or not math.isfinite(value):
        raise ValueError
    if integer:
        if float(value) != int(value):
            raise ValueError
        return int(value)
    return int(value) if isinstance(value, float) and value.is_integer() and abs(value) < 2**53 else value


def _clean_one(spec: dict[str, Any], value: Any) -> Any:
    kind = spec.get("type", "text")
    if value is None or value == "":
        return None
    if kind in ("number", "integer"):
        try:
            return _number(value, kind == "integer")
        except (ValueError, OverflowError):
            raise ValueError("must be a whole number" if kind == "integer" else "must be a number") from None
    if kind == "checkbox":
        if not isinstance(value, bool):
            raise ValueError("must be true or false")
        return value
    if not isinstance(value, (str, int, float)) or isinstance(value, bool) and kind != "select":
        raise ValueError("must be text")
    if kind == "select":
        allowed = {str(o["value"]): o["value"] for o in spec.get("options", [])}
        if str(value) not in allowed:
            raise ValueError("is not one of the options")
        return allowed[str(value)]
    text = str(value)
    if len(text) > TEXT_LIMIT:
        raise ValueError(f"is longer than {TEXT_LIMIT} characters")
    if kind == "date" and not DATE.match(text):
        raise ValueError("must be a date (YYYY-MM-DD)")
    if kind == "email" and "@" not in text:
        raise ValueError("must be an email address")
    return text


def clean_values(definition: dict[str, Any], given: Any, require: bool = True) -> dict[str, Any]:
    """The form's field values typed per field (None when empty); 400 naming each problem."""
    if given is None:
        given = {}
    if not isinstance(given, dict):
        raise ApiError(400, "invalid_input", "The values must be a JSON object.")
    details: list[dict[str, Any]] = []
    values: dict[str, Any] = {}
    for spec in definition.get("fields", []):
        name = spec["name"]
        try:
            values[name] = _clean_one(spec, given.get(name))
        except ValueError as exc:
            details.append({"field": name, "message": f"{spec.get('label') or name} {exc}"})
            continue
        if require and spec.get("required") and not spec.get("readonly") and values[name] is None:
            details.append({"field": name, "message": f"{spec.get('label') or name} is required"})
    if details:
        raise ApiError(400, "invalid_input", "Some field values are missing or of the wrong type.", details)
    return values


def _evaluate_map(mapping: dict[str, str], variables: dict[str, Any]) -> tuple[dict[str, Any], list[dict]]:
    results: dict[str, Any] = {}
    problems: list[dict[str, Any]] = []
    for key, source in mapping.items():
        try:
            results[key] = _compiled(source).evaluate(variables)
        except (ExpressionError, EvaluationError) as exc:
            problems.append({"field": key, "message": f"'{source}': {exc}"})
    return results, problems


def map_output(button: dict[str, Any], output: Any) -> tuple[dict[str, Any], list[dict]]:
    """The field values a finished run's output gives, and the mappings that failed."""
    variables = dict(output) if isinstance(output, dict) else {}
    variables["output"] = output
    return _evaluate_map(button.get("output", {}), variables)


# --- buttons -------------------------------------------------------------------------------
@dataclass
class Pressed:
    status: int
    body: dict[str, Any] = field(default_factory=dict)


def _button(row: FormVersion, index: int) -> dict[str, Any]:
    buttons = row.definition.get("buttons", [])
    if index < 0 or index >= len(buttons):
        raise not_found(f"Button {index} of the form '{row.form.name}'")
    return buttons[index]


def source_of(name: str) -> str:
    return f"form:{name}"[:64]


def press(name: str, index: int, given: Any, user, version: int | None = None) -> Pressed:
    """Runs what button `index` of the form says, with the mapped field values."""
    row = form_version(name, version)
    button = _button(row, index)
    values = clean_values(row.definition, given)
    mapped, problems = _evaluate_map(button.get("input", {}), values)
    if problems:
        raise ApiError(400, "invalid_input", "The button's input map failed on these values.", problems)
    if button.get("process"):
        return _start_process(button["process"], mapped, user)
    microflow = button["microflow"]
    try:
        if not button.get("blocking", True):
            execution = runtime.run_async(microflow, mapped, user, source=source_of(name))
            return Pressed(202, {"execution": str(execution.id), "status": execution.status,
                                 "button": index, "version": row.version})
        execution = runtime.run_sync(microflow, mapped, user, source=source_of(name))
    except runtime.UnknownMicroflow:
        raise not_found(f"The microflow '{microflow}'") from None
    except runtime.InvalidInput as exc:
        raise ApiError(400, "invalid_input", f"The values do not fit the params of '{microflow}'.", exc.details) from None
    return Pressed(200 if execution.status == ExecutionStatus.SUCCEEDED else 422,
                   _result_body(execution, button, index))


def _result_body(execution: Execution, button: dict[str, Any], index: int) -> dict[str, Any]:
    body: dict[str, Any] = {"execution": str(execution.id), "status": execution.status, "button": index,
                            "duration_ms": execution.duration_ms}
    if execution.status == ExecutionStatus.SUCCEEDED:
        outputs, problems = map_output(button, execution.output)
        body.update(output=execution.output, outputs=outputs, mapping_errors=problems)
    elif execution.status == ExecutionStatus.FAILED:
        body["error"] = execution.error
    return body


def button_result(name: str, index: int, execution_id: str, user, version: int | None = None) -> dict[str, Any]:
    """The state of a run this button started; once it succeeded, with its outputs mapped."""
    row = form_version(name, version)
    button = _button(row, index)
    execution = runtime.get_execution(execution_id, user)
    if execution is None or execution.source != source_of(name):
        raise not_found("The execution")
    return _result_body(execution, button, index)


def _start_process(process: str, given: dict[str, Any], user) -> Pressed:
    try:
        from processes import api as processes_api
    except ImportError:
        processes_api = None
    if processes_api is None or not hasattr(processes_api, "start_process"):
        raise ApiError(409, "processes_unavailable", "Processes cannot be started on this server yet.")
    try:
        instance = processes_api.start_process(process, given, user)
    except ApiError:
        raise
    except LookupError:
        raise not_found(f"The process '{process}'") from None
    except Exception as exc:
        details = getattr(exc, "details", None)
        if details is None:
            raise
        raise ApiError(400, "invalid_input", f"The values do not fit the params of '{process}'.", details) from None
    instance_id = instance.get("id") if isinstance(instance, dict) else getattr(instance, "id", instance)
    return Pressed(202, {"instance": str(instance_id), "status": "running", "process": process,
                         "url": instance_url(instance_id)})


def instance_url(instance_id: Any) -> str:
    """The request's status page when the processes app serves one, else its API resource."""
    try:
        return reverse("processes:instance", args=[str(instance_id)])
    except NoReverseMatch:
        return f"/api/process-instances/{instance_id}"


# --- records -------------------------------------------------------------------------------
def save_record(name: str, given: Any, user, version: int | None = None) -> FormRecord:
    row = form_version(name, version)
    values = clean_values(row.definition, given)
    return FormRecord.objects.create(form=row.form, version=row.version, data=values, created_by=user)


def record_for(name: str, record_id: int, user) -> FormRecord:
    record = (FormRecord.objects.visible_to(user).select_related("form", "created_by")
              .filter(form__name=name, pk=record_id).first())
    if record is None:
        raise not_found("The record")
    return record


def update_record(name: str, record_id: int, given: Any, user) -> FormRecord:
    record = record_for(name, record_id, user)
    row = form_version(name)
    record.data = clean_values(row.definition, given)
    record.version = row.version
    record.save(update_fields=["data", "version", "updated_at"])
    return record


def delete_record(name: str, record_id: int, user) -> None:
    record_for(name, record_id, user).delete()
