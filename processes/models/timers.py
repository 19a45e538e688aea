"""Timers are rows: a `timer` node's wait, a task's due date (escalation) or a reminder.

The sweep (processes.timers) claims each due pending row exactly once and fires it;
Redis is never involved, so flushing it or restarting loses no timer.
"""

from __future__ import annotations

from django.db import models

from processes.models.instances import ProcessInstance
from processes.models.tasks import Task


class TimerKind(models.TextChoices):
    TIMER = "timer"
    DUE = "due"
    REMIND = "remind"


class TimerStatus(models.TextChoices):
    PENDING = "pending"
    FIRED = "fired"
    CANCELLED = "cancelled"
    FAILED = "failed"


class Timer(models.Model):
    instance = models.ForeignKey(ProcessInstance, on_delete=models.CASCADE, related_name="timers")
    task = models.ForeignKey(Task, null=True, blank=True, on_delete=models.CASCADE, related_name="timers")
    node = models.CharField(max_length=64)
    kind = models.CharField(max_length=8, choices=TimerKind.choices)
    due_at = models.DateTimeField()
    status = models.CharField(max_length=10, choices=TimerStatus.choices, default=TimerStatus.PENDING)
    fired_at = models.DateTimeField(null=True, blank=True)
    error = models.TextField(blank=True, default="")

    class Meta:
        ordering = ["due_at", "id"]
        indexes = [
            models.Index(fields=["due_at", "id"], name="timer_pending_due", condition=models.Q(status="pending")),
            models.Index(fields=["instance", "status"], name="timer_instance"),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.node} at {self.due_at}"
