"""The process walker: moves an instance's tokens through its graph until each one waits.

Only processes.services uses it, inside a transaction holding the instance row's lock.
A token stops at a `user_task` (a Task row), a `microflow` (an async execution whose
listener resumes it), a `timer` (a Timer row) or a `join` still missing branches; the
instance completes when no token is left. A node failure follows the node's `error` edge
(with the variable `error`) or fails the instance, withdrawing what it waited on.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.utils import timezone

from processes import notify
from processes.definition import CompiledProcess, PNode
from processes.durations import parse_duration, parse_instant
from processes.models import (
    InstanceStatus,
    ProcessEvent,
    ProcessInstance,
    Task,
    TaskStatus,
    Timer,
    TimerKind,
    TimerStatus,
)
from processes.models.tasks import NO_DUE
from processes.present import task_summary
from runtime import api as runtime
from runtime.expressions import EvaluationError, Expression
from runtime.nodes.base import NodeFailure

WALK_BUDGET = 1000  # node visits per advance: a decision looping on itself fails, not hangs
_BARE_NAME = re.compile(r"^[A-Za-z0-9_.@+-]+$")


def record(instance: ProcessInstance, event: str, node: str = "", by=None, **detail: Any) -> None:
    ProcessEvent.objects.create(instance=instance, at=timezone.now(), event=event, node=node,
                                by=by if by is not None and getattr(by, "pk", None) else None, detail=detail)


class Walker:
    def __init__(self, instance: ProcessInstance, flow: CompiledProcess, actor=None,
                 clock: dt.datetime | None = None) -> None:
        self.instance = instance
        self.flow = flow
        self.actor = actor
        self.clock = clock or timezone.now()
        state = instance.state or {}
        self.tokens: dict[str, str] = dict(state.get("tokens", {}))
        self.joins: dict[str, int] = dict(state.get("joins", {}))
        self.visits = 0
        self.events: list[ProcessEvent] = []
        self.members: dict[int | None, list[int]] = {}

    def note(self, event: str, node: str = "", by=None, **detail: Any) -> None:
        """An audit entry, written with the others in one INSERT when the walker saves."""
        self.events.append(ProcessEvent(instance=self.instance, at=timezone.now(), event=event, node=node,
                                        by=by if by is not None and getattr(by, "pk", None) else None, detail=detail))

    def audience(self, assignee_id: int | None, group_id: int | None) -> list[int]:
        """notify.audience, remembering group members for this one change."""
        if assignee_id is not None:
            return [assignee_id]
        if group_id not in self.members:
            self.members[group_id] = notify.group_members(group_id)
        return self.members[group_id]

    @property
    def variables(self) -> dict[str, Any]:
        return self.instance.variables

    # --- the walk ---------------------------------------------------------------------
    def walk(self, *node_ids: str) -> None:
        pending = list(reversed(node_ids))
        while pending and self.instance.status == InstanceStatus.RUNNING:
            node = self.flow.nodes[pending.pop()]
            self.visits += 1
            if self.visits > WALK_BUDGET:
                self.fail({"code": "step_budget_exceeded", "node": node.id,
                           "message": f"the process visited more than {WALK_BUDGET} nodes without waiting"})
                return
            try:
                pending.extend(reversed(self.visit(node)))
            except NodeFailure as exc:
                error = {"code": exc.code, "message": exc.message, "node": node.id}
                if node.on_error:
                    self.variables["error"] = error
                    self.note("node.failed", node.id, handled=True, error=error)
                    pending.append(node.on_error)
                else:
                    self.fail(error)
                    return

    def visit(self, node: PNode) -> list[str]:
        kind = node.type
        if kind == "start":
            return [node.next]
        if kind == "end":
            self.note("end", node.id)
            return []
        if kind == "decision":
            return [self.decide(node)]
        if kind == "parallel":
            self.note("parallel.forked", node.id, branches=list(node.targets))
            return list(node.targets)
        if kind == "join":
            arrived = self.joins.get(node.id, 0) + 1
            if arrived < node.incoming:
                self.joins[node.id] = arrived
                return []
            self.joins.pop(node.id, None)
            self.note("join.passed", node.id)
            return [node.next]
        if kind == "user_task":
            self.open_task(node)
            return []
        if kind == "microflow":
            self.start_microflow(node)
            return []
        if kind == "timer":
            self.start_timer(node)
            return []
        raise NodeFailure("unknown_node", f"unknown node type '{kind}'")

    def evaluate(self, node: PNode, key: str) -> Any:
        expression: Expression = node.exprs[key]
        try:
            return expression.evaluate(self.variables)
        except EvaluationError as exc:
            raise NodeFailure("expression_error", f"{key} ({expression.source}): {exc}") from None

    def decide(self, node: PNode) -> str:
        if "condition" in node.exprs:
            value = self.evaluate(node, "condition")
            if not isinstance(value, bool):
                raise NodeFailure("expression_error", f"condition must be true or false, got {value!r}")
            branch = "true" if value else "false"
            self.note("decision", node.id, branch=branch)
            return node.branches[branch]
        for expression, target in node.conditions:
            try:
                value = expression.evaluate(self.variables)
            except EvaluationError as exc:
                raise NodeFailure("expression_error", f"condition ({expression.source}): {exc}") from None
            if value is True:
                self.note("decision", node.id, branch=target)
                return target
        if node.otherwise:
            self.note("decision", node.id, branch=node.otherwise)
            return node.otherwise
        raise NodeFailure("no_branch", "no edge condition held and there is no 'otherwise' edge")

    # --- waits --------------------------------------------------------------------------
    def resolve_user(self, node: PNode, key: str, raw: str) -> Any:
        try:
            username = self.evaluate(node, key)
        except NodeFailure:
            # `"assignee": "carol"` reads as the variable carol; a bare existing username is meant.
            if not (_BARE_NAME.match(raw) and raw not in self.variables):
                raise
            username = raw
        user = get_user_model().objects.filter(username=username, is_active=True).first() if isinstance(username, str) else None
        if user is None:
            raise NodeFailure("unknown_assignee", f"no active user named {username!r} to assign the task to")
        return user

    def resolve_group(self, name: str) -> Group:
        group = Group.objects.filter(name=name).first()
        if group is None:
            raise NodeFailure("unknown_group", f"there is no group named '{name}'")
        return group

    def open_task(self, node: PNode) -> Task:
        config = node.config
        title = str(self.evaluate(node, "title")) if "title" in node.exprs else node.title
        assignee = self.resolve_user(node, "assignee", config.assignee) if config.assignee else None
        group = self.resolve_group(config.group) if config.group else None
        due_at = self.clock + parse_duration(config.due_in) if config.due_in else None
        escalate = config.escalate_to.model_dump(exclude_none=True) if config.escalate_to else None
        task = Task.objects.create(
            instance=self.instance, process_name=self.flow.name, node=node.id, title=title[:300],
            outcomes=list(config.outcomes), form=[f.model_dump() for f in config.form], show=config.show,
            assignee=assignee, group=group, escalate_to=escalate, due_at=due_at, due_sort=due_at or NO_DUE,
            created_at=timezone.now(),
        )
        self.tokens[f"task:{task.id}"] = node.id
        if due_at is not None:
            Timer.objects.create(instance=self.instance, task=task, node=node.id, kind=TimerKind.DUE, due_at=due_at)
        if config.remind_in:
            Timer.objects.create(instance=self.instance, task=task, node=node.id, kind=TimerKind.REMIND,
                                 due_at=self.clock + parse_duration(config.remind_in))
        self.note("task.created", node.id, task=task.id, title=task.title,
               assignee=assignee.get_username() if assignee else None, group=group.name if group else None)
        notify.send(self.audience(task.assignee_id, task.group_id),
                    {"type": "task.created", "task": task_summary(task, group.name if group else None,
                                                                 assignee.get_username() if assignee else None)})
        return task

    def start_microflow(self, node: PNode) -> None:
        config = node.config
        given = {key[len("input."):]: self.evaluate(node, key) for key in node.exprs if key.startswith("input.")}
        try:
            execution = runtime.run_async(config.microflow, given, user=self.instance.started_by,
                                          source=f"process:{self.instance.id}")
        except runtime.UnknownMicroflow:
            raise NodeFailure("unknown_microflow", f"there is no microflow named '{config.microflow}'") from None
        except runtime.InvalidInput as exc:
            raise NodeFailure("invalid_input", f"the input does not fit '{config.microflow}': {exc}") from None
        self.tokens[f"exec:{execution.id}"] = node.id
        self.note("microflow.started", node.id, microflow=config.microflow, execution=str(execution.id))

    def start_timer(self, node: PNode) -> None:
        config = node.config
        if config.duration:
            due_at = self.clock + parse_duration(config.duration)
        else:
            try:
                due_at = parse_instant(self.evaluate(node, "until"))
            except ValueError as exc:
                raise NodeFailure("invalid_time", str(exc)) from None
        timer = Timer.objects.create(instance=self.instance, node=node.id, kind=TimerKind.TIMER, due_at=due_at)
        self.tokens[f"timer:{timer.id}"] = node.id
        self.note("timer.started", node.id, due_at=due_at.isoformat().replace("+00:00", "Z"))

    # --- resuming and ending ------------------------------------------------------------
    def resume(self, key: str, variable: tuple[str, Any] | None = None, via_error: dict | None = None) -> bool:
        """A wait ended: drop its token and walk on from its node (or its error edge)."""
        node_id = self.tokens.pop(key, None)
        if node_id is None:
            return False
        node = self.flow.nodes[node_id]
        if variable is not None:
            self.variables[variable[0]] = variable[1]
        if via_error is not None:
            if node.on_error:
                self.variables["error"] = via_error
                self.walk(node.on_error)
            else:
                self.fail(via_error)
        else:
            self.walk(node.next)
        return True

    def withdraw_all(self, reason: str) -> None:
        for task in Task.objects.filter(instance=self.instance, status=TaskStatus.OPEN):
            Task.objects.filter(id=task.id, status=TaskStatus.OPEN).update(status=TaskStatus.CANCELLED, completed_at=timezone.now())
            self.note("task.withdrawn", task.node, task=task.id, reason=reason)
            notify.send(self.audience(task.assignee_id, task.group_id),
                        {"type": "task.withdrawn", "task": {"id": task.id, "instance": str(self.instance.id)}, "reason": reason})
        Timer.objects.filter(instance=self.instance, status=TimerStatus.PENDING).update(status=TimerStatus.CANCELLED)
        self.tokens.clear()
        self.joins.clear()

    def fail(self, error: dict[str, Any]) -> None:
        self.instance.status = InstanceStatus.FAILED
        self.instance.error = error
        self.note("failed", error.get("node") or "", error=error)
        self.withdraw_all("the process failed")

    def cancel(self, by) -> None:
        self.instance.status = InstanceStatus.CANCELLED
        self.note("cancelled", "", by=by)
        self.withdraw_all("the process was cancelled")

    def save(self) -> None:
        """Stores the instance (finishing it when no token is left) and announces the end."""
        instance = self.instance
        if instance.status == InstanceStatus.RUNNING and not self.tokens:
            instance.status = InstanceStatus.COMPLETED
            self.note("completed")
        finished = instance.status != InstanceStatus.RUNNING
        if finished and instance.finished_at is None:
            instance.finished_at = timezone.now()
        instance.state = {"tokens": self.tokens, "joins": self.joins}
        instance.save(update_fields=["status", "variables", "state", "error", "finished_at"])
        ProcessEvent.objects.bulk_create(self.events)
        self.events = []
        if finished:
            notify.send([instance.started_by_id], {
                "type": "process.finished", "instance": str(instance.id), "process": self.flow.name,
                "status": instance.status, "error": instance.error,
            })
