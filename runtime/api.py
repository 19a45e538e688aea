"""The runtime's one entry point: validate, run_sync, run_async, execute_queued, get_execution.

Designer, forms, processes and the HTTP layer call these functions and nothing deeper.
A sync run executes inline and is stored with one INSERT; an async run is stored as
`queued` and one RQ job is enqueued after the transaction commits; the worker then calls
`execute_queued`, which claims the row (queued -> running, exactly once), runs it,
stores the result with its trace in one UPDATE and pushes `execution.finished`.
"""

from __future__ import annotations

import logging
import time
import uuid
from functools import cache
from typing import Any

from django.conf import settings
from django.db import DatabaseError, transaction
from django.db.models import F
from django.utils import timezone

from runtime import catalog, push
from runtime.conf import import_string, setting
from runtime.definition import CompiledFlow, InvalidFlow, compile_flow
from runtime.engine import Outcome, Runner, run_flow
from runtime.models import Execution, ExecutionMode, ExecutionStatus
from runtime.params import InvalidInput, check_input

__all__ = [
    "InvalidFlow", "InvalidInput", "UnknownMicroflow", "validate", "run_sync", "run_async",
    "execute_queued", "get_execution", "fail_execution",
]


class UnknownMicroflow(LookupError):
    pass


def validate(definition: Any) -> CompiledFlow:
    """Compiles a definition; raises InvalidFlow with every problem found."""
    return compile_flow(definition)


def _latest(name: str) -> CompiledFlow:
    try:
        return catalog.latest(name)
    except LookupError:
        raise UnknownMicroflow(name) from None


def _runner(observer=None) -> Runner:
    return Runner(load=catalog.latest, budget=setting("STEP_BUDGET"),
                  max_depth=setting("MAX_CALL_DEPTH"), observer=observer)


def _trace(outcome: Outcome) -> list[dict[str, Any]]:
    """Turns buffered steps into their stored form (ISO start times)."""
    for step in outcome.steps:
        started = step["started_at"]
        if isinstance(started, float):
            step["started_at"] = time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(started)) + (
                f".{int((started % 1) * 1_000_000):06d}Z"
            )
    return outcome.steps


def run_sync(name: str, given: Any, user=None, source: str = "api") -> Execution:
    """Runs the latest version inline and stores it; raises UnknownMicroflow or InvalidInput."""
    flow = _latest(name)
    variables = check_input(flow.params, given)
    stored_input = dict(variables)
    created = timezone.now()
    began = time.perf_counter()
    outcome = run_flow(flow, variables, _runner())
    duration = (time.perf_counter() - began) * 1000
    record = {
        "microflow": name, "version": flow.version, "mode": ExecutionMode.SYNC,
        "input": stored_input, "created_at": created, "started_at": created,
        "created_by": user if user is not None and user.is_authenticated else None, "source": source,
    }
    result = {"status": outcome.status, "output": outcome.output, "error": outcome.error,
              "steps": _trace(outcome), "finished_at": timezone.now(), "duration_ms": round(duration, 3)}
    try:
        with transaction.atomic():
            return Execution.objects.create(**record, **result)
    except (DatabaseError, ValueError, TypeError):
        return Execution.objects.create(**record, **_unstorable(result))


def _unstorable(result: dict[str, Any]) -> dict[str, Any]:
    """A run whose result the database refused (a value no JSON column holds, from a node
    that read it from outside): stored as failed, without the values, so it is never lost."""
    return {**result, "status": ExecutionStatus.FAILED, "output": None, "steps": [],
            "error": {"code": "unstorable_result", "node": None,
                      "message": "The run finished but its result could not be stored (a value that is not valid JSON?)."}}


@cache
def _queue():
    import django_rq

    return django_rq.get_queue(settings.RQ_QUEUE)


def enqueue(execution_id: Any) -> None:
    _queue().enqueue_call(
        "runtime.jobs.run_execution", args=(str(execution_id),), job_id=str(execution_id),
        timeout=4000, result_ttl=0, failure_ttl=3600,
    )


def run_async(name: str, given: Any, user=None, source: str = "api") -> Execution:
    """Stores a queued execution and enqueues its one job once the transaction commits."""
    flow = _latest(name)
    variables = check_input(flow.params, given)
    execution = Execution.objects.create(
        id=uuid.uuid4(), microflow=name, version=flow.version, mode=ExecutionMode.ASYNC,
        status=ExecutionStatus.QUEUED, input=variables,
        created_by=user if user is not None and user.is_authenticated else None, source=source,
        created_at=timezone.now(),
    )
    transaction.on_commit(lambda: enqueue(execution.id))
    return execution


class _Watchers:
    """Asks Redis, at most every quarter second, whether anyone watches this run live."""

    def __init__(self, execution_id: Any) -> None:
        self.key = push.watch_key(execution_id)
        # The queue's own client (and its connection pool): a new client per run cost a
        # connect, a version lookup and a disconnect, a fifth of a worker's time per job.
        self.connection = _queue().connection
        self.checked_at = 0.0
        self.watched = False

    def __call__(self) -> bool:
        now = time.monotonic()
        if now - self.checked_at > 0.25:
            self.checked_at = now
            try:
                self.watched = bool(self.connection.exists(self.key))
            except Exception:
                self.watched = False
        return self.watched


def execute_queued(execution_id: Any, worker: str = "") -> Execution | None:
    """Runs a queued execution exactly once (the worker side of run_async)."""
    now = timezone.now()
    claimed = Execution.objects.filter(id=execution_id, status=ExecutionStatus.QUEUED).update(
        status=ExecutionStatus.RUNNING, worker=worker, started_at=now, attempts=F("attempts") + 1
    )
    if not claimed:
        return None
    execution = Execution.objects.get(id=execution_id)
    group = push.execution_group(execution.id)
    watchers = _Watchers(execution.id)

    def observe(step: dict[str, Any]) -> None:
        if watchers():
            push.push(group, {
                "type": "node.finished", "execution": str(execution.id), "node": step["node"],
                "node_type": step["type"], "status": step["status"],
                "duration_ms": step["duration_ms"], "error": step["error"],
            })

    began = time.perf_counter()
    try:
        flow = catalog.compiled(execution.microflow, execution.version)
        # the stored input is what run_async already checked and completed with defaults
        outcome = run_flow(flow, dict(execution.input), _runner(observe))
    except (LookupError, InvalidFlow) as exc:
        outcome = Outcome(ExecutionStatus.FAILED, None,
                          {"code": "invalid_flow", "message": str(exc), "node": None}, [], {})
    duration = round((time.perf_counter() - began) * 1000, 3)
    final = {"status": outcome.status, "output": outcome.output, "error": outcome.error,
             "steps": _trace(outcome), "finished_at": timezone.now(), "duration_ms": duration}
    running = Execution.objects.filter(id=execution.id, status=ExecutionStatus.RUNNING)
    try:
        with transaction.atomic():
            finished = running.update(**final)
    except (DatabaseError, ValueError, TypeError):
        final = _unstorable(final)
        finished = running.update(**final)
    if not finished:
        return None  # someone (the sweeper) already decided this run's fate
    for name, value in final.items():  # what was just stored; no need to read it back
        setattr(execution, name, value)
    announce_finished(execution)
    return execution


def announce_finished(execution: Execution) -> None:
    """Pushes `execution.finished` and calls ONEWEB["EXECUTION_LISTENERS"] (e.g. processes
    waiting on this run, keyed by `execution.source`) once the run's final state is stored."""
    message: dict[str, Any] = {
        "type": "execution.finished", "execution": str(execution.id), "microflow": execution.microflow,
        "status": execution.status, "source": execution.source,
    }
    message["output" if execution.status == ExecutionStatus.SUCCEEDED else "error"] = (
        execution.output if execution.status == ExecutionStatus.SUCCEEDED else execution.error
    )
    push.push(push.execution_group(execution.id), message)
    if execution.created_by_id and execution.mode == ExecutionMode.ASYNC:
        push.push(push.user_group(execution.created_by_id), message)
    for listener in setting("EXECUTION_LISTENERS"):
        try:
            import_string(listener)(execution)
        except Exception:  # one listener's bug must not lose the others or the run
            logging.getLogger(__name__).exception("execution listener %s failed", listener)


def requeue_lost_execution(execution: Execution) -> bool:
    """Puts a run whose worker died back in the queue; True if this call did it."""
    changed = Execution.objects.filter(id=execution.id, status=ExecutionStatus.RUNNING,
                                       worker=execution.worker).update(
        status=ExecutionStatus.QUEUED, worker="", started_at=None,
    )
    if changed:
        transaction.on_commit(lambda: enqueue(execution.id))
    return bool(changed)


def fail_execution(execution: Execution, code: str, message: str) -> bool:
    """Marks an unfinished run failed (lost worker, vanished job); True if this call did it."""
    changed = Execution.objects.filter(id=execution.id, status__in=[ExecutionStatus.QUEUED, ExecutionStatus.RUNNING]).update(
        status=ExecutionStatus.FAILED, error={"code": code, "message": message, "node": None},
        finished_at=timezone.now(),
    )
    if changed:
        execution.refresh_from_db()
        announce_finished(execution)
    return bool(changed)


def get_execution(execution_id: Any, user) -> Execution | None:
    """The execution if it exists and the user may see it."""
    try:
        key = uuid.UUID(str(execution_id))
    except ValueError:
        return None
    return Execution.objects.visible_to(user).select_related("created_by").filter(id=key).first()
