"""Real concurrency: many threads (each with its own database connection) click at once.
A task is completed exactly once, claimed by exactly one person, and each due timer fires
exactly once even with several sweepers. Runs on SQLite and on PostgreSQL (DATABASE_URL)."""

from __future__ import annotations

import datetime as dt
import threading

import pytest
from django.db import connection
from django.utils import timezone

from oneweb.errors import ApiError
from processes import services
from processes.models import InstanceStatus, ProcessEvent, ProcessInstance, Task, Timer, TimerStatus
from processes.timers import fire_due
from tests.processes.conftest import leave_request

pytestmark = pytest.mark.django_db(transaction=True)
THREADS = 8


def race(work, count: int = THREADS) -> list:
    """Runs work(i) in `count` threads released together; returns each result or exception."""
    barrier = threading.Barrier(count)
    results: list = [None] * count

    def run(i: int) -> None:
        try:
            barrier.wait()
            results[i] = work(i)
        except Exception as exc:
            results[i] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    return results


@pytest.fixture
def group_members(django_user_model, managers, alice):
    users = []
    for i in range(THREADS):
        user = django_user_model.objects.create_user(f"m{i}", password="pw")
        user.groups.add(managers)
        users.append(user)
    services.create_process(leave_request(), alice)
    return users


def _open_task(alice) -> Task:
    instance = services.start_process("leave-request", {"days": 1}, alice)
    return Task.objects.get(instance=instance)


def test_a_task_is_completed_exactly_once_when_everyone_clicks_at_once(group_members, alice):
    task = _open_task(alice)
    results = race(lambda i: services.complete_task(task.id, group_members[i], "approve" if i % 2 else "reject"))
    winners = [r for r in results if isinstance(r, Task)]
    losers = [r for r in results if isinstance(r, ApiError)]
    assert len(winners) == 1 and len(losers) == THREADS - 1, results
    assert {e.status for e in losers} == {409}
    assert ProcessEvent.objects.filter(event="task.completed").count() == 1
    instance = ProcessInstance.objects.get(id=task.instance_id)
    assert instance.variables["mgr"]["by"] == winners[0].completed_by.username
    # the decision ran exactly once, down the winner's branch
    assert ProcessEvent.objects.filter(instance=instance, event="decision").count() == 1


def test_a_task_is_claimed_by_exactly_one_person(group_members, alice):
    task = _open_task(alice)
    results = race(lambda i: services.claim_task(task.id, group_members[i]))
    winners = [r for r in results if isinstance(r, Task)]
    assert len(winners) == 1, results
    assert all(isinstance(r, ApiError) and r.status == 409 for r in results if not isinstance(r, Task))
    assert Task.objects.get(id=task.id).assignee_id == winners[0].assignee_id
    assert ProcessEvent.objects.filter(event="task.claimed").count() == 1


def test_due_timers_fire_exactly_once_with_several_sweepers(group_members, alice):
    services.create_process({
        "name": "nap", "nodes": [{"id": "start", "type": "start"},
                                 {"id": "t", "type": "timer", "config": {"duration": "PT1M"}},
                                 {"id": "end", "type": "end"}],
        "edges": [{"from": "start", "to": "t"}, {"from": "t", "to": "end"}]}, alice)
    instances = [services.start_process("nap", {}, alice).id for _ in range(30)]
    later = timezone.now() + dt.timedelta(minutes=2)
    results = race(lambda i: fire_due(later), count=4)
    assert sum(r for r in results if isinstance(r, int)) == 30, results
    assert not Timer.objects.filter(status=TimerStatus.PENDING).exists()
    assert ProcessInstance.objects.filter(id__in=instances, status=InstanceStatus.COMPLETED).count() == 30
    assert ProcessEvent.objects.filter(event="timer.fired").count() == 30
