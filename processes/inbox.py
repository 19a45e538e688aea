"""The approval inbox query: my open tasks plus my groups' open unheld ones, by due date.

A single `assignee = me OR group IN (...)` query cannot use one index for both halves and
sorts everything it finds (~100 ms at 80 000 open tasks). Instead each half is a short
range scan of its own partial index (already in (due_sort, created_at) order), one per
group, merged in Python; the count is the sum of index-only counts.
"""

from __future__ import annotations

import heapq
from typing import Any

from django.contrib.auth.models import Group

from processes.models import Task, TaskStatus
from processes.present import task_summary

FIELDS = ("id", "instance_id", "process_name", "node", "title", "outcomes", "assignee_id", "group_id",
          "due_at", "due_sort", "escalated", "created_at", "status")


def _groups(user) -> dict[int, str]:
    if not hasattr(user, "_process_groups"):
        user._process_groups = dict(Group.objects.filter(user=user).values_list("id", "name"))
    return user._process_groups


def inbox_tasks(user, limit: int = 50) -> list[dict[str, Any]]:
    groups = _groups(user)
    scans = [Task.objects.filter(status=TaskStatus.OPEN, assignee=user)]
    scans += [Task.objects.filter(status=TaskStatus.OPEN, assignee__isnull=True, group_id=gid) for gid in groups]
    rows = []
    for scan in scans:
        rows.append(scan.order_by("due_sort", "created_at", "id").only(*FIELDS)[:limit])
    merged = heapq.merge(*[list(r) for r in rows], key=lambda t: (t.due_sort, t.created_at, t.id))
    out = []
    held_groups: dict[int, str] = {}
    for task in merged:
        if len(out) >= limit:
            break
        group_name = None
        if task.group_id is not None:
            group_name = groups.get(task.group_id) or held_groups.get(task.group_id)
            if group_name is None:
                group_name = held_groups[task.group_id] = Group.objects.filter(id=task.group_id).values_list("name", flat=True).first()
        out.append(task_summary(task, group_name, user.get_username() if task.assignee_id else None))
    return out


def inbox_count(user) -> int:
    total = Task.objects.filter(status=TaskStatus.OPEN, assignee=user).count()
    for gid in _groups(user):
        total += Task.objects.filter(status=TaskStatus.OPEN, assignee__isnull=True, group_id=gid).count()
    return total
