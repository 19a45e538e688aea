"""Execution records (one per run, sync or async, with its per-node trace) and worker heartbeats."""

from __future__ import annotations

import uuid
from typing import Any

from django.conf import settings
from django.db import models


class ExecutionStatus(models.TextChoices):
    QUEUED = "queued"
    RUNNING = "running"
    SUCCEEDED = "succeeded"
    FAILED = "failed"


class ExecutionMode(models.TextChoices):
    SYNC = "sync"
    ASYNC = "async"


class ExecutionQuerySet(models.QuerySet["Execution"]):
    def visible_to(self, user) -> ExecutionQuerySet:
        return self if user.is_superuser else self.filter(created_by=user)

    def unfinished(self) -> ExecutionQuerySet:
        return self.filter(status__in=[ExecutionStatus.QUEUED, ExecutionStatus.RUNNING])


class Execution(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    microflow = models.CharField(max_length=64, db_index=True)
    version = models.PositiveIntegerField()
    mode = models.CharField(max_length=8, choices=ExecutionMode.choices, default=ExecutionMode.SYNC)
    status = models.CharField(max_length=12, choices=ExecutionStatus.choices, default=ExecutionStatus.QUEUED)
    input = models.JSONField(default=dict)
    output = models.JSONField(null=True, blank=True)
    error = models.JSONField(null=True, blank=True)
    steps = models.JSONField(default=list)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="executions"
    )
    source = models.CharField(max_length=64, blank=True, default="", help_text="what started it: api, form:<name>, process:<id>")
    worker = models.CharField(max_length=128, blank=True, default="")
    attempts = models.PositiveSmallIntegerField(default=0, help_text="how many times a worker started it")
    created_at = models.DateTimeField(db_index=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    duration_ms = models.FloatField(null=True, blank=True)

    objects = ExecutionQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        indexes = [
            models.Index(fields=["created_by", "-created_at"], name="exec_owner_recent"),
            models.Index(fields=["status", "created_at"], name="exec_status_age"),
        ]

    def __str__(self) -> str:
        return f"{self.microflow} v{self.version} {self.status}"

    @property
    def finished(self) -> bool:
        return self.status in (ExecutionStatus.SUCCEEDED, ExecutionStatus.FAILED)

    def as_dict(self) -> dict[str, Any]:
        return {
            "id": str(self.id),
            "microflow": self.microflow,
            "version": self.version,
            "mode": self.mode,
            "status": self.status,
            "input": self.input,
            "output": self.output,
            "error": self.error,
            "steps": self.steps,
            "source": self.source,
            "worker": self.worker or None,
            "attempts": self.attempts,
            "duration_ms": self.duration_ms,
            "created_by": self.created_by.get_username() if self.created_by_id and self.created_by else None,
            "created_at": _iso(self.created_at),
            "started_at": _iso(self.started_at),
            "finished_at": _iso(self.finished_at),
        }


def _iso(value) -> str | None:
    return value.isoformat().replace("+00:00", "Z") if value else None


class WorkerHeartbeat(models.Model):
    """A worker process says it is alive here every second; the sweeper reads it to find lost runs."""

    name = models.CharField(max_length=128, primary_key=True)
    pid = models.IntegerField()
    host = models.CharField(max_length=255)
    seen_at = models.DateTimeField()

    def __str__(self) -> str:
        return self.name
