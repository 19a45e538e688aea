"""WebSocket consumers: one run's live events, and a user's notifications.

`/ws/executions/<id>/` joins the run's group *before* reading its state, so no event is
lost between the two; a late subscriber gets the final state at once. Joining also marks
the run as watched in Redis, which is what makes workers send per-node events.
`/ws/notify/` carries everything for the signed-in user (`user.<id>` group).
"""

from __future__ import annotations

from typing import Any

from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncJsonWebsocketConsumer
from django.conf import settings

from runtime import push
from runtime.api import get_execution

WATCH_TTL_S = 3600


@database_sync_to_async
def _execution_state(execution_id: str, user) -> dict[str, Any] | None:
    execution = get_execution(execution_id, user)
    return None if execution is None else execution.as_dict()


def _mark_watched(execution_id: str) -> None:
    from django_rq import get_connection

    get_connection(settings.RQ_QUEUE).set(push.watch_key(execution_id), 1, ex=WATCH_TTL_S)


class ExecutionConsumer(AsyncJsonWebsocketConsumer):
    async def connect(self) -> None:
        user = self.scope.get("user")
        if user is None or not user.is_authenticated:
            await self.close(code=4401)
            return
        execution_id = self.scope["url_route"]["kwargs"]["execution_id"]
        self.group = push.execution_group(execution_id)
        await self.channel_layer.group_add(self.group, self.channel_name)
        state = await _execution_state(execution_id, user)
        if state is None:
            await self.channel_layer.group_discard(self.group, self.channel_name)
            await self.close(code=4404)
            return
        await self.accept()
        if state["status"] in ("queued", "running"):
            await database_sync_to_async(_mark_watched)(execution_id)
        await self.send_json({"type": "execution.state", **state})

    async def disconnect(self, code: int) -> None:
        if getattr(self, "group", None):
            await self.channel_layer.group_discard(self.group, self.channel_name)

    async def receive_json(self, content: Any, **kwargs: Any) -> None:
        if isinstance(content, dict) and content.get("type") == "ping":
            await self.send_json({"type": "pong"})

    async def node_finished(self, event: dict[str, Any]) -> None:
        await self.send_json(event)

    async def execution_finished(self, event: dict[str, Any]) -> None:
        await self.send_json(event)


class NotifyConsumer(AsyncJsonWebsocketConsumer):
    """Relays every event sent to the user's group, whatever its type."""

    async def connect(self) -> None:
        user = self.scope.get("user")
        if user is None or not user.is_authenticated:
            await self.close(code=4401)
            return
        self.group = push.user_group(user.pk)
        await self.channel_layer.group_add(self.group, self.channel_name)
        await self.accept()
        await self.send_json({"type": "notify.ready", "user": user.get_username()})

    async def disconnect(self, code: int) -> None:
        if getattr(self, "group", None):
            await self.channel_layer.group_discard(self.group, self.channel_name)

    async def receive_json(self, content: Any, **kwargs: Any) -> None:
        if isinstance(content, dict) and content.get("type") == "ping":
            await self.send_json({"type": "pong"})

    async def dispatch(self, message: dict[str, Any]) -> None:
        handler_name = message.get("type", "").replace(".", "_")
        if message.get("type", "").startswith("websocket.") or hasattr(self, handler_name):
            await super().dispatch(message)
        else:
            await self.send_json(message)
