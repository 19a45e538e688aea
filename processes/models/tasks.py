"""Human tasks: who may act (assignee or group), the outcome chosen, and the inbox indexes.

`assignee` is whoever holds the task now (assigned by expression, claimed or delegated);
a group task nobody holds has `assignee` null. The inbox reads two partial indexes:
open tasks by holder, and open unheld tasks by group, both in (due_sort, created_at)
order, so "my inbox" is a merge of a few short index range scans instead of an OR query.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.contrib.auth.models import Group
from django.db import models

from processes.models.instances import ProcessInstance

NO_DUE = dt.datetime(9999, 12, 31, tzinfo=dt.UTC)


class TaskStatus(models.TextChoices):
    OPEN = "open"
    COMPLETED = "completed"
    CANCELLED = "cancelled"


class Task(models.Model):
    instance = models.ForeignKey(ProcessInstance, on_delete=models.CASCADE, related_name="tasks")
    process_name = models.CharField(max_length=64)
    node = models.CharField(max_length=64)
    title = models.CharField(max_length=300)
    outcomes = models.JSONField(default=list)
    form = models.JSONField(default=list)
    show = models.JSONField(null=True, blank=True)
    status = models.CharField(max_length=12, choices=TaskStatus.choices, default=TaskStatus.OPEN)
    # No plain FK indexes: the planner would pick them (assignee IS NULL looks selective to
    # SQLite) over the partial inbox indexes below, which serve every lookup we make.
    assignee = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                 related_name="+", db_index=False)
    group = models.ForeignKey(Group, null=True, blank=True, on_delete=models.SET_NULL, related_name="+", db_index=False)
    escalate_to = models.JSONField(null=True, blank=True)
    due_at = models.DateTimeField(null=True, blank=True)
    due_sort = models.DateTimeField(default=NO_DUE)
    escalated = models.BooleanField(default=False)
    outcome = models.CharField(max_length=64, blank=True, default="")
    comment = models.TextField(blank=True, default="")
    data = models.JSONField(null=True, blank=True)
    completed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField()
    claimed_at = models.DateTimeField(null=True, blank=True)
    completed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["due_sort", "created_at", "id"]
        indexes = [
            # Partial on "someone holds it" too, so the planner never picks it for the group scan.
            models.Index(fields=["assignee", "due_sort", "created_at"], name="task_inbox_holder",
                         condition=models.Q(status="open", assignee__isnull=False)),
            models.Index(fields=["group", "due_sort", "created_at"], name="task_inbox_group",
                         condition=models.Q(status="open", assignee__isnull=True)),
            models.Index(fields=["instance", "status"], name="task_instance"),
        ]

    def __str__(self) -> str:
        return f"{self.title} ({self.status})"

    @property
    def is_open(self) -> bool:
        return self.status == TaskStatus.OPEN
