"""Pushes events to WebSocket clients through the Channels Redis layer, from any process.

Sync code (workers, request threads) calls `push(group, message)`; a single background
event loop owns the channel layer and sends in order, so a run's node events never
overtake its final event and a worker never pays for a new event loop per message.
Groups: `execution.<id>` (one run's watchers) and `user.<id>` (one user's notifications).
"""

from __future__ import annotations

import asyncio
import atexit
import threading
from typing import Any

from channels.layers import get_channel_layer
from django.conf import settings

_loop: asyncio.AbstractEventLoop | None = None
_queue: asyncio.Queue | None = None
_lock = threading.Lock()
_started = threading.Event()


def execution_group(execution_id: Any) -> str:
    return f"execution.{execution_id}"


def user_group(user_id: Any) -> str:
    return f"user.{user_id}"


def watch_key(execution_id: Any) -> str:
    return f"{settings.RQ_QUEUE}:watch:{execution_id}"


async def _send_in_order(layer, group: str, messages: list[dict[str, Any]]) -> None:
    for message in messages:
        try:
            await layer.group_send(group, message)
        except Exception:  # a lost push must never break a run; state is in the database
            pass


async def _drain(queue: asyncio.Queue) -> None:
    layer = get_channel_layer()
    while True:
        batch = [await queue.get()]
        while not queue.empty():  # everything already waiting goes out together
            batch.append(queue.get_nowait())
        stopping = None in batch
        by_group: dict[str, list[dict[str, Any]]] = {}
        for item in batch:
            if item is not None:
                by_group.setdefault(item[0], []).append(item[1])
        try:
            # One group's messages keep their order; different groups (a run's watchers,
            # its owner's notifications) are sent side by side instead of one after another.
            await asyncio.gather(*(_send_in_order(layer, group, messages) for group, messages in by_group.items()))
        finally:
            for _ in batch:
                queue.task_done()
        if stopping:
            return


def _run_loop() -> None:
    global _loop, _queue
    loop = asyncio.new_event_loop()
    asyncio.set_event_loop(loop)
    _loop = loop
    _queue = asyncio.Queue()
    _started.set()
    loop.run_until_complete(_drain(_queue))


def _ensure_started() -> None:
    if _started.is_set():
        return
    with _lock:
        if not _started.is_set():
            threading.Thread(target=_run_loop, name="oneweb-push", daemon=True).start()
            _started.wait()


def push(group: str, message: dict[str, Any]) -> None:
    _ensure_started()
    assert _loop is not None and _queue is not None
    _loop.call_soon_threadsafe(_queue.put_nowait, (group, message))


def flush(timeout: float = 5.0) -> None:
    """Waits until every queued push has been handed to Redis (used at worker shutdown)."""
    if not _started.is_set() or _loop is None or _queue is None:
        return
    future = asyncio.run_coroutine_threadsafe(_queue.join(), _loop)
    try:
        future.result(timeout)
    except Exception:
        pass


atexit.register(flush)
