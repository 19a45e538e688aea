"""Process instances (variables plus the engine's tokens) and their audit history.

Only processes.services changes these rows; `state` holds the engine's bookkeeping:
`tokens` (what the instance waits on: "task:<id>", "timer:<id>", "exec:<id>" -> node) and
`joins` (branches arrived at each join so far).
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models

from processes.models.definitions import ProcessDefinition, ProcessVersion


class InstanceStatus(models.TextChoices):
    RUNNING = "running"
    COMPLETED = "completed"
    FAILED = "failed"
    CANCELLED = "cancelled"


class ProcessInstanceQuerySet(models.QuerySet["ProcessInstance"]):
    def started_by(self, user) -> ProcessInstanceQuerySet:
        return self.filter(started_by=user)

    def running(self) -> ProcessInstanceQuerySet:
        return self.filter(status=InstanceStatus.RUNNING)


class ProcessInstance(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    process = models.ForeignKey(ProcessDefinition, on_delete=models.PROTECT, related_name="instances")
    process_version = models.ForeignKey(ProcessVersion, on_delete=models.PROTECT, related_name="instances")
    version = models.PositiveIntegerField()
    status = models.CharField(max_length=12, choices=InstanceStatus.choices, default=InstanceStatus.RUNNING)
    variables = models.JSONField(default=dict)
    state = models.JSONField(default=dict)
    error = models.JSONField(null=True, blank=True)
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="process_instances"
    )
    started_at = models.DateTimeField()
    finished_at = models.DateTimeField(null=True, blank=True)

    objects = ProcessInstanceQuerySet.as_manager()

    class Meta:
        ordering = ["-started_at"]
        indexes = [
            models.Index(fields=["started_by", "-started_at"], name="proc_inst_starter"),
            models.Index(fields=["status", "started_at"], name="proc_inst_status"),
            models.Index(fields=["process", "status"], name="proc_inst_process"),
        ]

    def __str__(self) -> str:
        return f"{self.process_id} v{self.version} {self.status}"

    @property
    def current_nodes(self) -> list[str]:
        return sorted(set((self.state or {}).get("tokens", {}).values()))


class ProcessEvent(models.Model):
    """One audit entry: what happened to an instance, where, by whom."""

    instance = models.ForeignKey(ProcessInstance, on_delete=models.CASCADE, related_name="events")
    at = models.DateTimeField()
    event = models.CharField(max_length=40)
    node = models.CharField(max_length=64, blank=True, default="")
    by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    detail = models.JSONField(default=dict)

    class Meta:
        ordering = ["id"]
        indexes = [models.Index(fields=["instance", "id"], name="proc_event_instance")]

    def __str__(self) -> str:
        return f"{self.event} {self.node}"
