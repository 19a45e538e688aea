"""`notify`: pushes an in-app notification to a user or to every member of a group.

Each active recipient gets `{"type": "notification", "title", "message", "level",
"data", "link"}` on their `/ws/notify/` socket (runtime.push, through the channel
layer, so it works from RQ workers too) once the surrounding transaction commits. Pushes
are best-effort, like every push: the node fails only when the recipient does not exist.
"""

from __future__ import annotations

import datetime as dt
from typing import Literal

from pydantic import Field

from runtime.nodes.base import (
    Executor,
    ExpressionCompiler,
    NodeConfig,
    NodeFailure,
    NodeType,
    evaluate,
    evaluate_map,
)
from runtime.nodes.fields import ExpressionMap, ExpressionText, VariableName

MAX_RECIPIENTS = 10_000


class NotifyConfig(NodeConfig):
    user: ExpressionText | None = Field(default=None, description="the recipient's username")
    group: ExpressionText | None = Field(default=None, description="a group: every active member")
    title: ExpressionText
    message: ExpressionText | None = None
    level: Literal["info", "success", "warning", "error"] = "info"
    link: ExpressionText | None = None
    data: ExpressionMap
    result: VariableName | None = None


class NotifyExecutor(Executor):
    def __init__(self, config: NotifyConfig, compiler: ExpressionCompiler) -> None:
        self.config = config
        if (config.user is None) == (config.group is None):
            compiler.fail("user", "give either user or group")
        self.user = compiler.expr("user", config.user) if config.user is not None else None
        self.group = compiler.expr("group", config.group) if config.group is not None else None
        self.title = compiler.expr("title", config.title)
        self.message = compiler.expr("message", config.message) if config.message is not None else None
        self.link = compiler.expr("link", config.link) if config.link is not None else None
        self.data = compiler.exprs("data", config.data)

    def run(self, ctx) -> None:
        from django.apps import apps

        if not apps.ready:
            raise NodeFailure("notify_error", "notifications need the server (users and the channel layer)")
        from django.db import transaction

        from runtime import push

        recipients = self._recipients(ctx)
        body = {
            "type": "notification",
            "title": _text(evaluate(self.title, ctx, "title")),
            "message": _text(evaluate(self.message, ctx, "message")) if self.message else "",
            "level": self.config.level,
            "link": _text(evaluate(self.link, ctx, "link")) if self.link else None,
            "data": evaluate_map(self.data, ctx, "data"),
            "sent_at": dt.datetime.now(dt.UTC).isoformat().replace("+00:00", "Z"),
        }
        groups = [push.user_group(user_id) for user_id in recipients]

        def send() -> None:
            for group in groups:
                push.push(group, body)

        # After the commit, like every push: a process step's state is stored before anyone hears.
        transaction.on_commit(send)
        if self.config.result:
            ctx.set(self.config.result, {"recipients": len(recipients)})
        return None

    def _recipients(self, ctx) -> list[int]:
        from django.contrib.auth import get_user_model
        from django.contrib.auth.models import Group

        users = get_user_model().objects.filter(is_active=True)
        if self.user is not None:
            name = evaluate(self.user, ctx, "user")
            found = list(users.filter(username=str(name)).values_list("pk", flat=True)[:1])
            if not found:
                raise NodeFailure("unknown_recipient", f"there is no active user '{name}'")
            return found
        name = evaluate(self.group, ctx, "group")
        if not Group.objects.filter(name=str(name)).exists():
            raise NodeFailure("unknown_recipient", f"there is no group '{name}'")
        return list(users.filter(groups__name=str(name)).values_list("pk", flat=True)[:MAX_RECIPIENTS])


def _text(value) -> str:
    return "" if value is None else str(value)


NODE_TYPE = NodeType(
    type="notify", label="Notify", category="integration", icon="🔔", color="#ca8a04",
    help="Pushes an in-app notification (title, message, level, link, data) to a user or to every member "
    "of a group; it appears on their open pages at once.",
    config=NotifyConfig, executor=NotifyExecutor,
    example={"group": "'managers'", "title": "'New order ' + order.id", "level": "info"},
)
