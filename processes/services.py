"""Every change to process definitions, instances, tasks and timers goes through here.

Each function checks (raising ApiError with the contract's status and code), then does the
change in one transaction holding the instance row's lock (taken first, always, so two
paths never lock in opposite orders), writes the audit history, and queues notifications
for after the commit. Completion and claiming are conditional UPDATEs on the task row, so
a task is completed (or claimed) exactly once whoever clicks at the same moment.
"""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from oneweb.errors import ApiError
from oneweb.versioned import add_version, create_first_version, named_as_addressed
from processes import catalog, notify
from processes.definition import CompiledProcess, InvalidProcess, compile_process
from processes.engine import Walker, record
from processes.models import (
    InstanceStatus,
    ProcessDefinition,
    ProcessInstance,
    ProcessVersion,
    Task,
    TaskStatus,
    Timer,
    TimerKind,
    TimerStatus,
)
from processes.present import task_summary
from runtime.params import InvalidInput, check_input


class UnknownProcess(LookupError):
    pass


# --- definitions -----------------------------------------------------------------------------
def validated(definition: Any) -> CompiledProcess:
    try:
        return compile_process(definition)
    except InvalidProcess as exc:
        raise ApiError(400, "invalid_flow", "The process definition is not valid.", exc.details) from None


def create_process(definition: Any, user) -> ProcessVersion:
    return create_first_version(ProcessDefinition, ProcessVersion, validated(definition).stored(), user, "process")


def update_process(name: str, definition: Any, user, comment: str = "") -> ProcessVersion:
    stored = validated(named_as_addressed(definition, name)).stored()
    return add_version(ProcessDefinition, ProcessVersion, name, stored, user, "process", comment)


def delete_process(name: str) -> None:
    with transaction.atomic():
        process = ProcessDefinition.objects.select_for_update().filter(name=name).first()
        if process is None:
            raise ApiError(404, "not_found", f"The process '{name}' was not found.")
        if process.instances.exists():
            raise ApiError(409, "conflict", f"The process '{name}' has instances; it cannot be deleted.")
        process.delete()
    catalog.forget(name)


# --- instances -----------------------------------------------------------------------------------
def _locked(instance_id: Any, skip_locked: bool = False) -> ProcessInstance | None:
    """The instance with its row lock held until the transaction ends. With skip_locked (the
    timer sweep, which holds several at once), None when someone else holds it now: the
    sweep retries the row later instead of waiting, so two sweepers can never deadlock."""
    # of=("self",): lock the instance row only, not the joined definition rows every instance shares.
    rows = ProcessInstance.objects.select_for_update(skip_locked=skip_locked, of=("self",)).select_related(
        "process", "process_version")
    if skip_locked:
        return rows.filter(id=instance_id).first()
    return rows.get(id=instance_id)


def _walker(instance: ProcessInstance, actor=None, clock: dt.datetime | None = None) -> Walker:
    return Walker(instance, catalog.compiled(instance.process_version, instance.process.name), actor, clock)


def start_process(name: str, given: Any, user) -> ProcessInstance:
    """Starts the latest version and walks it to its first waits; raises UnknownProcess or ApiError(400)."""
    row = ProcessVersion.objects.select_related("process").filter(process__name=name).order_by("-version").first()
    if row is None:
        raise UnknownProcess(name)
    flow = catalog.compiled(row, name)
    try:
        variables = check_input(flow.params, given)
    except InvalidInput as exc:
        raise ApiError(400, "invalid_input", "The input does not fit the process's params.", exc.details) from None
    actor = user if user is not None and getattr(user, "is_authenticated", False) else None
    with transaction.atomic():
        instance = ProcessInstance.objects.create(
            id=uuid.uuid4(), process=row.process, process_version=row, version=row.version,
            variables=variables, state={"tokens": {}, "joins": {}}, started_by=actor, started_at=timezone.now(),
        )
        record(instance, "started", flow.start, by=actor, version=row.version)
        walker = Walker(instance, flow, actor)
        walker.walk(flow.start)
        walker.save()
    return instance


def cancel_instance(instance_id: Any, user) -> ProcessInstance:
    with transaction.atomic():
        instance = _locked(instance_id)
        if not (user.is_superuser or instance.started_by_id == user.id):
            raise ApiError(403, "forbidden", "Only whoever started a process (or an administrator) may cancel it.")
        if instance.status != InstanceStatus.RUNNING:
            raise ApiError(409, "not_running", f"The process is already {instance.status}.")
        walker = _walker(instance, user)
        walker.cancel(user)
        walker.save()
    return instance


def microflow_finished(execution) -> None:
    """Execution listener side: a process's microflow step ended; resume its token (once)."""
    instance_id = execution.source.split(":", 1)[1]
    with transaction.atomic():
        try:
            instance = _locked(instance_id)
        except (ProcessInstance.DoesNotExist, ValueError, ValidationError):
            return
        if instance.status != InstanceStatus.RUNNING:
            return
        walker = _walker(instance)
        key = f"exec:{execution.id}"
        node_id = walker.tokens.get(key)
        if node_id is None:
            return  # already handled (a listener called twice) or withdrawn
        node = walker.flow.nodes[node_id]
        if execution.status == "succeeded":
            record(instance, "microflow.succeeded", node_id, execution=str(execution.id))
            result = (node.config.result, execution.output) if node.config.result else None
            walker.resume(key, variable=result)
        else:
            error = {**(execution.error or {}), "node": node_id, "execution": str(execution.id)}
            record(instance, "microflow.failed", node_id, execution=str(execution.id), error=execution.error)
            walker.resume(key, via_error=error)
        walker.save()


# --- tasks -----------------------------------------------------------------------------------------
def group_ids(user) -> set[int]:
    if not hasattr(user, "_process_group_ids"):
        user._process_group_ids = set(user.groups.values_list("id", flat=True))
    return user._process_group_ids


def is_candidate(user, task: Task) -> bool:
    """May this user act on the task at all (ignoring who holds it now)?"""
    return bool(user.is_superuser or task.assignee_id == user.id or (task.group_id and task.group_id in group_ids(user)))


def _task(task_id: Any) -> Task:
    try:
        key = int(task_id)
    except (TypeError, ValueError):
        key = None
    task = Task.objects.select_related("assignee", "group").filter(id=key).first() if key is not None else None
    if task is None:
        raise ApiError(404, "not_found", "The task was not found.")
    return task


def _check_actor(task: Task, user) -> None:
    if not is_candidate(user, task):
        raise ApiError(403, "forbidden", "You may not act on this task.")
    if task.status != TaskStatus.OPEN:
        raise ApiError(409, "task_closed", f"The task is no longer open (it is {task.status}).")


def _held_by_other(task: Task, user) -> ApiError:
    return ApiError(409, "task_taken", "Someone else holds this task.")


def _check_data(task: Task, data: Any) -> dict[str, Any]:
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise ApiError(400, "invalid_input", "data must be a JSON object.")
    details = []
    kinds = {"number": (int, float), "integer": (int,), "boolean": (bool,), "string": (str,), "text": (str,), "date": (str,)}
    known = {f["name"]: f for f in task.form}
    for name, value in data.items():
        spec = known.get(name)
        if spec is None:
            details.append({"field": name, "message": f"'{name}' is not a field of this task's form"})
        elif value is not None and (not isinstance(value, kinds[spec["type"]])
                                    or (spec["type"] in ("number", "integer") and isinstance(value, bool))):
            details.append({"field": name, "message": f"'{name}' must be of type {spec['type']}"})
    for spec in task.form:
        if spec.get("required") and data.get(spec["name"]) in (None, ""):
            details.append({"field": spec["name"], "message": f"'{spec['name']}' is required"})
    if details:
        raise ApiError(400, "invalid_input", "The form data does not fit the task's form.", details)
    return data


def complete_task(task_id: Any, user, outcome: str, comment: str = "", data: Any = None) -> Task:
    task = _task(task_id)
    _check_actor(task, user)
    if outcome not in task.outcomes:
        raise ApiError(400, "invalid_outcome", f"'{outcome}' is not an outcome of this task.",
                       [{"field": "outcome", "message": f"choose one of {', '.join(task.outcomes)}"}])
    data = _check_data(task, data)
    with transaction.atomic():
        instance = _locked(task.instance_id)
        now = timezone.now()
        rows = Task.objects.filter(id=task.id, status=TaskStatus.OPEN)
        if not user.is_superuser:
            rows = rows.filter(Q(assignee=None) | Q(assignee=user))
        if not rows.update(status=TaskStatus.COMPLETED, outcome=outcome, comment=comment or "", data=data,
                           completed_by=user, completed_at=now):
            current = Task.objects.filter(id=task.id).values_list("status", flat=True).first()
            if current != TaskStatus.OPEN:
                raise ApiError(409, "task_closed", "The task is no longer open (someone completed it first).")
            raise _held_by_other(task, user)
        if task.due_at is not None or task.timers.exists():
            Timer.objects.filter(task=task, status=TimerStatus.PENDING).update(status=TimerStatus.CANCELLED)
        walker = _walker(instance, user)
        walker.note("task.completed", task.node, by=user, task=task.id, outcome=outcome, comment=comment or "")
        notify.send(set(walker.audience(task.assignee_id, task.group_id)) | {user.id}, {
            "type": "task.completed", "task": {"id": task.id, "instance": str(instance.id), "title": task.title},
            "outcome": outcome, "by": user.get_username(),
        })
        if instance.status == InstanceStatus.RUNNING:
            walker.resume(f"task:{task.id}", variable=(task.node, {
                "outcome": outcome, "comment": comment or "", "by": user.get_username(), "data": data,
            }))
        walker.save()
    task.status, task.outcome, task.comment, task.data = TaskStatus.COMPLETED, outcome, comment or "", data
    task.completed_by, task.completed_at = user, now
    return task


def claim_task(task_id: Any, user) -> Task:
    task = _task(task_id)
    _check_actor(task, user)
    if task.assignee_id == user.id:
        return task
    with transaction.atomic():
        if not Task.objects.filter(id=task.id, status=TaskStatus.OPEN, assignee=None).update(
                assignee=user, claimed_at=timezone.now()):
            current = Task.objects.filter(id=task.id).values_list("status", flat=True).first()
            if current != TaskStatus.OPEN:
                raise ApiError(409, "task_closed", "The task is no longer open.")
            raise _held_by_other(task, user)
        record(task.instance, "task.claimed", task.node, by=user, task=task.id)
        notify.send(notify.group_members(task.group_id) + [user.id], {
            "type": "task.claimed", "task": {"id": task.id, "instance": str(task.instance_id), "title": task.title},
            "by": user.get_username(),
        })
    task.refresh_from_db()
    return task


def release_task(task_id: Any, user) -> Task:
    task = _task(task_id)
    _check_actor(task, user)
    if task.assignee_id != user.id and not user.is_superuser:
        raise ApiError(403, "forbidden", "Only whoever holds the task may release it.")
    if task.group_id is None:
        raise ApiError(409, "not_releasable", "The task was assigned to a person, not a group; delegate it instead.")
    with transaction.atomic():
        if not Task.objects.filter(id=task.id, status=TaskStatus.OPEN, assignee_id=task.assignee_id).update(
                assignee=None, claimed_at=None):
            raise ApiError(409, "task_closed", "The task changed meanwhile; reload it.")
        task.refresh_from_db()
        record(task.instance, "task.released", task.node, by=user, task=task.id)
        notify.send(notify.group_members(task.group_id), {"type": "task.released", "task": task_summary(task)})
    return task


def delegate_task(task_id: Any, user, assignee: Any) -> Task:
    task = _task(task_id)
    _check_actor(task, user)
    if task.assignee_id not in (None, user.id) and not user.is_superuser:
        raise _held_by_other(task, user)
    target = get_user_model().objects.filter(username=assignee, is_active=True).first() if isinstance(assignee, str) else None
    if target is None:
        raise ApiError(400, "invalid_input", "There is no such user to delegate to.",
                       [{"field": "assignee", "message": f"no active user named {assignee!r}"}])
    before = notify.audience(task.assignee_id, task.group_id)
    with transaction.atomic():
        if not Task.objects.filter(id=task.id, status=TaskStatus.OPEN, assignee_id=task.assignee_id).update(
                assignee=target, claimed_at=timezone.now()):
            raise ApiError(409, "task_closed", "The task changed meanwhile; reload it.")
        task.refresh_from_db()
        record(task.instance, "task.delegated", task.node, by=user, task=task.id, to=target.get_username())
        notify.send([uid for uid in before if uid != target.id], {
            "type": "task.withdrawn", "task": {"id": task.id, "instance": str(task.instance_id)}, "reason": "delegated"})
        notify.send([target.id], {"type": "task.created", "task": task_summary(task), "reason": "delegated"})
    return task


# --- timers --------------------------------------------------------------------------------------
def _claim_timer(timer_id: int) -> bool:
    """Pending -> fired, once. The caller holds the instance's lock, which every path that
    touches this timer takes first, so the conditional UPDATE never waits on another sweeper."""
    return bool(Timer.objects.filter(id=timer_id, status=TimerStatus.PENDING).update(
        status=TimerStatus.FIRED, fired_at=timezone.now()))


def fire_timer(timer_id: int, clock: dt.datetime, known: dict[str, Any] | None = None) -> bool:
    """Fires one due timer exactly once (a claim by conditional UPDATE); True if this call did.
    `known` may carry the row's immutable fields (instance_id, kind, node, task_id) the sweep
    already read, saving two queries a timer."""
    if known is None:
        known = Timer.objects.filter(id=timer_id).values("instance_id", "kind", "node", "task_id").first()
        if known is None:
            return False
    # No savepoint of its own: the sweep wraps each call in one (or this is the transaction).
    with transaction.atomic(savepoint=False):
        instance = _locked(known["instance_id"], skip_locked=True)
        if instance is None or not _claim_timer(timer_id):
            return False
        if instance.status != InstanceStatus.RUNNING:
            return True
        walker = _walker(instance, clock=clock)
        if known["kind"] == TimerKind.TIMER:
            walker.note("timer.fired", known["node"], timer=timer_id)
            walker.resume(f"timer:{timer_id}")
        else:
            task = Task.objects.select_related("assignee", "group").filter(id=known["task_id"]).first()
            if task is not None and task.status == TaskStatus.OPEN:
                if known["kind"] == TimerKind.DUE:
                    _overdue(walker, task)
                else:
                    walker.note("task.reminded", known["node"], task=task.id)
                    notify.send(walker.audience(task.assignee_id, task.group_id),
                                {"type": "task.reminder", "task": task_summary(task)})
        walker.save()
    return True


def _overdue(walker: Walker, task: Task) -> None:
    """A task's due date passed while open: escalate it when the node says where to."""
    instance = walker.instance
    target = task.escalate_to or {}
    if not target:
        walker.note("task.overdue", task.node, task=task.id)
        notify.send(walker.audience(task.assignee_id, task.group_id), {"type": "task.overdue", "task": task_summary(task)})
        return
    before = walker.audience(task.assignee_id, task.group_id)
    node = walker.flow.nodes[task.node]
    from runtime.nodes.base import NodeFailure

    try:
        if target.get("group"):
            group, assignee = walker.resolve_group(target["group"]), None
        else:
            group, assignee = None, walker.resolve_user(node, "escalate_assignee", target["assignee"])
    except NodeFailure as exc:
        walker.note("task.overdue", task.node, task=task.id, escalation_failed=exc.message)
        return
    Task.objects.filter(id=task.id, status=TaskStatus.OPEN).update(
        group=group, assignee=assignee, escalated=True, claimed_at=None)
    task.refresh_from_db()
    walker.note("task.escalated", task.node, task=task.id,
                to=(group.name if group else assignee.get_username()))
    after = walker.audience(task.assignee_id, task.group_id)
    notify.send([uid for uid in before if uid not in after],
                {"type": "task.withdrawn", "task": {"id": task.id, "instance": str(instance.id)}, "reason": "escalated"})
    notify.send(after, {"type": "task.created", "task": task_summary(task), "reason": "escalated"})
