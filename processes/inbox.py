"""The approval inbox query: my open tasks plus my groups' open unheld ones, by due date.

A single `assignee = me OR group IN (...)` query cannot use one index for both halves and
sorts everything it finds. Instead each half is a short range scan of its own partial
index, already in (due_sort, created_at) order: one for the tasks I hold and one per group
of mine, each limited to the page size, glued with UNION ALL and cut to the page in one
statement. Raw SQL (two round trips: my groups, then the page) because at this size the
ORM's per-query overhead would be most of the time.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from django.contrib.auth.models import Group, User
from django.db import connection
from django.utils import timezone

from processes.models import Task, TaskStatus

# A literal, not a parameter: SQLite matches partial-index conditions against the SQL text.
OPEN = f"'{TaskStatus.OPEN.value}'"
COLUMNS = ("id", "instance_id", "process_name", "node", "title", "outcomes", "assignee_id", "group_id",
           "due_at", "due_sort", "escalated", "created_at", "status")


def _groups(user) -> dict[int, str]:
    if not hasattr(user, "_process_groups"):
        memberships = User.groups.through._meta.db_table
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT g.id, g.name FROM {memberships} m JOIN {Group._meta.db_table} g "
                           "ON g.id = m.group_id WHERE m.user_id = %s", [user.pk])
            user._process_groups = dict(cursor.fetchall())
    return user._process_groups


def _when(value: Any) -> dt.datetime | None:
    if value is None or isinstance(value, dt.datetime):
        return value if value is None or value.tzinfo else value.replace(tzinfo=dt.UTC)
    parsed = dt.datetime.fromisoformat(str(value))
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=dt.UTC)


def _iso(value: dt.datetime | None) -> str | None:
    return value.isoformat().replace("+00:00", "Z") if value else None


def inbox_tasks(user, limit: int = 50) -> list[dict[str, Any]]:
    groups = _groups(user)
    table = Task._meta.db_table
    cols = ", ".join(COLUMNS)
    order = "ORDER BY due_sort, created_at, id LIMIT %s"
    parts = [f"SELECT * FROM (SELECT {cols} FROM {table} WHERE status = {OPEN} AND assignee_id = %s {order}) AS mine"]
    params: list[Any] = [user.pk, limit]
    for index, group_id in enumerate(groups):
        parts.append(f"SELECT * FROM (SELECT {cols} FROM {table} WHERE status = {OPEN} AND assignee_id IS NULL "
                     f"AND group_id = %s {order}) AS g{index}")
        params += [group_id, limit]
    sql = f"SELECT t.*, g.name FROM ({' UNION ALL '.join(parts)}) AS t LEFT JOIN {Group._meta.db_table} g " \
          f"ON g.id = t.group_id ORDER BY t.due_sort, t.created_at, t.id LIMIT %s"
    params.append(limit)
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    now = timezone.now()
    me = user.get_username()
    out = []
    for row in rows:
        (task_id, instance_id, process, node, title, outcomes, assignee_id, group_id, due_at, _sort,
         escalated, created_at, status, group_name) = row
        due = _when(due_at)
        out.append({
            "id": task_id, "title": title, "process": process, "instance": _uuid(instance_id), "node": node,
            "outcomes": json.loads(outcomes) if isinstance(outcomes, str) else outcomes,
            "assignee": me if assignee_id is not None else None, "group": group_name,
            "due_at": _iso(due), "escalated": bool(escalated), "created_at": _iso(_when(created_at)),
            "status": status, "claimed": assignee_id is not None and group_id is not None,
            "overdue": bool(due and due < now),
        })
    return out


def _uuid(value: Any) -> str:
    text = str(value)
    if len(text) == 32:  # SQLite stores UUIDs as 32 hex characters
        return f"{text[:8]}-{text[8:12]}-{text[12:16]}-{text[16:20]}-{text[20:]}"
    return text


def inbox_count(user) -> int:
    table = Task._meta.db_table
    memberships = User.groups.through._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT (SELECT COUNT(*) FROM {table} WHERE status = {OPEN} AND assignee_id = %s) + "
            f"(SELECT COUNT(*) FROM {table} WHERE status = {OPEN} AND assignee_id IS NULL AND group_id IN "
            f"(SELECT group_id FROM {memberships} WHERE user_id = %s))",
            [user.pk, user.pk])
        return int(cursor.fetchone()[0])
