"""Who hears about what: pushes to users' /ws/notify/ groups, always after the commit.

A task's audience is its holder, or every active member of its group when nobody holds it.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.contrib.auth import get_user_model
from django.db import transaction

from runtime import push


def send(user_ids: Iterable[int | None], message: dict[str, Any]) -> None:
    targets = sorted({uid for uid in user_ids if uid is not None})
    if not targets:
        return

    def deliver() -> None:
        for uid in targets:
            push.push(push.user_group(uid), message)

    transaction.on_commit(deliver)


def group_members(group_id: int | None) -> list[int]:
    if group_id is None:
        return []
    return list(get_user_model().objects.filter(groups=group_id, is_active=True).values_list("id", flat=True))


def audience(assignee_id: int | None, group_id: int | None) -> list[int]:
    """Whose inbox a task with this holder and group shows up in."""
    return [assignee_id] if assignee_id is not None else group_members(group_id)
