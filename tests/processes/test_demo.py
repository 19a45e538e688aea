"""`load_demo` loads the demo processes (valid, idempotent) and they run end to end in-process."""

from __future__ import annotations

import datetime as dt
from io import StringIO

import pytest
from django.contrib.auth.models import User
from django.core.management import call_command
from django.utils import timezone

from processes import services
from processes.models import ProcessDefinition, Task
from processes.timers import fire_due
from runtime import api as runtime
from runtime.models import Execution

pytestmark = pytest.mark.django_db


def _run_queued() -> None:
    for execution in Execution.objects.filter(status="queued"):
        runtime.execute_queued(execution.id)


def test_load_demo_creates_the_demo_processes_once():
    call_command("load_demo", stdout=StringIO())
    call_command("load_demo", stdout=StringIO())
    assert set(ProcessDefinition.objects.values_list("name", flat=True)) >= {"leave-approval", "purchase-approval"}
    assert User.objects.get(username="bob").groups.filter(name="managers").exists()


def test_the_demo_purchase_walks_through_budget_approvals_delivery_and_the_parallel_checks():
    call_command("load_demo", stdout=StringIO())
    alice, bob, carol = (User.objects.get(username=n) for n in ("alice", "bob", "carol"))
    instance = services.start_process("purchase-approval", {"item": "Laptop", "amount": 900}, alice)
    _run_queued()
    task = Task.objects.get(instance=instance, status="open")
    assert task.title == "Purchase: Laptop (900)"
    services.complete_task(task.id, bob, "approve", data={"cost_center": "CC-7"})
    assert fire_due(timezone.now() + dt.timedelta(days=3, minutes=1)) == 1
    receive = Task.objects.get(instance=instance, node="receive")
    pay = Task.objects.get(instance=instance, node="pay")
    services.complete_task(receive.id, bob, "received")
    services.complete_task(pay.id, carol, "paid")
    instance.refresh_from_db()
    assert instance.status == "completed" and instance.variables["budget"]["approved"] is True


def test_the_demo_leave_books_through_the_microflow_and_starts_a_day_later():
    call_command("load_demo", stdout=StringIO())
    alice, bob = User.objects.get(username="alice"), User.objects.get(username="bob")
    instance = services.start_process("leave-approval", {"days": 3, "reason": "sun"}, alice)
    services.complete_task(Task.objects.get(instance=instance).id, bob, "approve")
    _run_queued()
    instance.refresh_from_db()
    assert instance.variables["booking"] == {"booked": True, "reference": "LV-3"}
    fire_due(timezone.now() + dt.timedelta(days=1, minutes=1))
    instance.refresh_from_db()
    assert instance.status == "completed"
