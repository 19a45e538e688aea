"""The approval inbox at scale, task completion, and a burst of due timers (issue 4).

Seeds a fresh database (a temporary SQLite file, or a new PostgreSQL database beside
DATABASE_URL's) with 2 000 users in 50 groups, 100 000 process instances and ~85 000 open
tasks (most for a group and unclaimed, some held by a person) plus closed ones, then
measures, in-process (server side, no HTTP):

1. the inbox query `processes.inbox.inbox_tasks(user, 50)` for 1 000 random users (the
   user's group lookup included), beside the naive single `assignee = me OR group IN
   (...)` query for comparison; also `inbox_count`;
2. completing a task and creating the next one (`services.complete_task` on a two-step
   process: conditional update, audit, walk, next task, due timer, instance save);
3. 1 000 timers due at once, all fired by one `fire_due` sweep.

Pushes are replaced by an in-memory list (no Redis needed); their cost in a request is only
queueing the message. Not part of the test suite: `python bench/bench_inbox.py`.
Targets: inbox p50 <= 2 ms and p99 <= 10 ms; completion p50 <= 2 ms; 1 000 timers < 2 s.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import random
import statistics
import sys
import tempfile
import time
import uuid
from pathlib import Path
from urllib.parse import urlparse

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    k = (len(ordered) - 1) * p / 100
    low = int(k)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (k - low)


def line(label: str, values_ms: list[float]) -> str:
    return (f"{label:<44} p50 {percentile(values_ms, 50):7.3f} ms  p99 {percentile(values_ms, 99):7.3f} ms  "
            f"mean {statistics.fmean(values_ms):7.3f} ms  (n={len(values_ms)})")


def prepare_database() -> tuple[str, callable]:
    """Points Django at a fresh database; returns its description and a cleanup function."""
    outer = os.environ.get("DATABASE_URL", "")
    if outer.startswith("postgres"):
        import psycopg

        name = f"oneweb_bench_{uuid.uuid4().hex[:8]}"
        admin_url = urlparse(outer)._replace(path="/postgres").geturl()
        with psycopg.connect(admin_url, autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
        os.environ["DATABASE_URL"] = urlparse(outer)._replace(path=f"/{name}").geturl()

        def drop() -> None:
            from django.db import connections

            connections.close_all()
            with psycopg.connect(admin_url, autocommit=True) as conn:
                conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

        return f"PostgreSQL ({name})", drop
    folder = tempfile.mkdtemp(prefix="oneweb-bench-inbox-")
    os.environ["ONEWEB_VAR_DIR"] = folder
    return f"SQLite ({folder}/oneweb.sqlite3)", lambda: None


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--instances", type=int, default=100_000)
    parser.add_argument("--open-tasks", type=int, default=85_000)
    parser.add_argument("--users", type=int, default=2_000)
    parser.add_argument("--groups", type=int, default=50)
    parser.add_argument("--queries", type=int, default=1_000)
    parser.add_argument("--completions", type=int, default=500)
    parser.add_argument("--timers", type=int, default=1_000)
    args = parser.parse_args()

    where, cleanup = prepare_database()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "oneweb.settings")
    os.environ["DEBUG"] = "0"
    os.environ.setdefault("SECRET_KEY", "bench-only-secret-key-bench-only-secret-key")
    import django

    django.setup()
    try:
        run(args, where)
    finally:
        cleanup()


def run(args, where: str) -> None:
    from django.contrib.auth.hashers import make_password
    from django.contrib.auth.models import Group, User
    from django.core.management import call_command
    from django.db import connection
    from django.db.models import Q
    from django.utils import timezone

    from processes import inbox, services
    from processes.models import (
        ProcessDefinition,
        ProcessInstance,
        Task,
        TaskStatus,
        Timer,
    )
    from processes.models.tasks import NO_DUE
    from processes.timers import fire_due
    from runtime import push

    pushed: list = []
    push.push = lambda group, message: pushed.append((group, message))

    print(f"database: {where}")
    began = time.perf_counter()
    call_command("migrate", verbosity=0)
    rng = random.Random(4)
    groups = Group.objects.bulk_create([Group(name=f"team-{g:02d}") for g in range(args.groups)])
    password = make_password("bench")
    users = User.objects.bulk_create([User(username=f"user{u:05d}", password=password) for u in range(args.users)])
    memberships = []
    for index, user in enumerate(users):
        member_of = {groups[index % args.groups].id}
        if index % 3 == 0:
            member_of.add(groups[(index * 7 + 3) % args.groups].id)
        memberships += [User.groups.through(user_id=user.id, group_id=gid) for gid in member_of]
    User.groups.through.objects.bulk_create(memberships, batch_size=5000)

    owner = users[0]
    two_step = {
        "name": "bench-two-step", "params": [{"name": "n", "type": "integer"}],
        "nodes": [{"id": "start", "type": "start"},
                  {"id": "first", "type": "user_task", "config": {"title": "'First ' + string(n)", "group": "team-00",
                                                                  "outcomes": ["ok"], "due_in": "P2D",
                                                                  "escalate_to": {"group": "team-01"}}},
                  {"id": "second", "type": "user_task", "config": {"title": "'Second ' + string(n)", "group": "team-00",
                                                                   "outcomes": ["ok"], "due_in": "P2D"}},
                  {"id": "end", "type": "end"}],
        "edges": [{"from": "start", "to": "first"}, {"from": "first", "to": "second"}, {"from": "second", "to": "end"}],
    }
    version = services.create_process(two_step, owner)
    process = ProcessDefinition.objects.get(name="bench-two-step")

    now = timezone.now()
    instances = []
    for i in range(args.instances):
        instances.append(ProcessInstance(
            id=uuid.uuid4(), process=process, process_version=version, version=1, variables={"n": i},
            state={"tokens": {}, "joins": {}}, started_by=users[i % args.users],
            started_at=now - dt.timedelta(minutes=rng.randint(0, 60 * 24 * 30)),
        ))
    ProcessInstance.objects.bulk_create(instances, batch_size=5000)
    tasks = []
    for i, instance in enumerate(instances):
        is_open = i < args.open_tasks
        due = now + dt.timedelta(minutes=rng.randint(-60 * 24, 60 * 24 * 10)) if rng.random() < 0.8 else None
        roll = rng.random()
        group = groups[rng.randrange(args.groups)]
        assignee = users[rng.randrange(args.users)] if roll < 0.25 else None
        if roll < 0.1:
            group = None  # assigned to a person directly
        tasks.append(Task(
            instance=instance, process_name="bench-two-step", node="first", title=f"First {i}", outcomes=["ok"],
            status=TaskStatus.OPEN if is_open else TaskStatus.COMPLETED, assignee=assignee, group=group,
            due_at=due, due_sort=due or NO_DUE, created_at=instance.started_at,
        ))
    Task.objects.bulk_create(tasks, batch_size=5000)
    with connection.cursor() as cursor:
        # PostgreSQL: VACUUM too, as autovacuum would have by now, so index-only counts
        # need not visit the heap (the visibility map is set).
        cursor.execute("VACUUM ANALYZE" if connection.vendor == "postgresql" else "ANALYZE")
    open_count = Task.objects.filter(status=TaskStatus.OPEN).count()
    print(f"seeded {ProcessInstance.objects.count()} instances, {open_count} open tasks "
          f"({Task.objects.count()} in all), {len(users)} users in {len(groups)} groups "
          f"in {time.perf_counter() - began:.1f} s")

    # 1. the inbox --------------------------------------------------------------------------------
    sample = rng.sample(users, min(args.queries, len(users)))
    for user in sample[:50]:  # warm-up
        inbox.inbox_tasks(User.objects.get(id=user.id), 50)
    smart, naive, counts, sizes = [], [], [], []
    for user in sample:
        fresh = User.objects.get(id=user.id)  # what request.auth gives a view: no cached groups
        t0 = time.perf_counter()
        found = inbox.inbox_tasks(fresh, 50)
        smart.append((time.perf_counter() - t0) * 1000)
        sizes.append(len(found))
        t0 = time.perf_counter()
        inbox.inbox_count(fresh)
        counts.append((time.perf_counter() - t0) * 1000)
        t0 = time.perf_counter()
        group_ids = list(fresh.groups.values_list("id", flat=True))
        naive_rows = list(Task.objects.filter(status=TaskStatus.OPEN).filter(
            Q(assignee=fresh) | Q(assignee__isnull=True, group_id__in=group_ids)).order_by(
            "due_sort", "created_at", "id").values_list("id", flat=True)[:50])
        naive.append((time.perf_counter() - t0) * 1000)
        assert naive_rows == [t["id"] for t in found], "the inbox query and the naive query disagree"
    print(line("inbox_tasks(user, 50)", smart) + f"  [{statistics.fmean(sizes):.0f} tasks a page]")
    print(line("inbox_count(user)", counts))
    print(line("naive OR query (same rows, for comparison)", naive))
    inbox_ok = percentile(smart, 50) <= 2 and percentile(smart, 99) <= 10

    # 2. complete a task and create the next one -------------------------------------------------
    worker = User.objects.get(id=users[0].id)  # user00000 is in team-00
    extra = args.completions if connection.vendor == "postgresql" else 0
    live = [services.start_process("bench-two-step", {"n": i}, owner) for i in range(args.completions + 20 + extra)]
    first_tasks = list(Task.objects.filter(instance__in=live, node="first").values_list("id", flat=True))
    for task_id in first_tasks[:20]:
        services.complete_task(task_id, worker, "ok")
    completions = []
    for task_id in first_tasks[20:20 + args.completions]:
        t0 = time.perf_counter()
        services.complete_task(task_id, worker, "ok")
        completions.append((time.perf_counter() - t0) * 1000)
    print(line("complete_task + next task created", completions))
    if extra:
        # The same work, without waiting for the WAL flush at commit: separates the code
        # path's cost from this machine's disk (the service itself always commits durably).
        with connection.cursor() as cursor:
            cursor.execute("SET synchronous_commit = off")
        unflushed = []
        for task_id in first_tasks[20 + args.completions:]:
            t0 = time.perf_counter()
            services.complete_task(task_id, worker, "ok")
            unflushed.append((time.perf_counter() - t0) * 1000)
        with connection.cursor() as cursor:
            cursor.execute("SET synchronous_commit = on")
        print(line("  the same, commit not waiting for the disk", unflushed))
    assert Task.objects.filter(instance__in=live, node="second", status=TaskStatus.OPEN).count() == len(live)
    complete_ok = percentile(completions, 50) <= 2

    # 3. a burst of due timers ----------------------------------------------------------------------
    services.create_process({
        "name": "bench-nap", "nodes": [{"id": "start", "type": "start"},
                                       {"id": "nap", "type": "timer", "config": {"duration": "PT1M"}},
                                       {"id": "end", "type": "end"}],
        "edges": [{"from": "start", "to": "nap"}, {"from": "nap", "to": "end"}]}, owner)
    napping = [services.start_process("bench-nap", {}, owner).id for _ in range(args.timers)]
    t0 = time.perf_counter()
    fired = fire_due(timezone.now() + dt.timedelta(minutes=2))
    burst = time.perf_counter() - t0
    done = ProcessInstance.objects.filter(id__in=napping, status="completed").count()
    pending = Timer.objects.filter(instance__in=napping, status="pending").count()
    print(f"{'fire_due with ' + str(args.timers) + ' timers due at once':<44} {burst * 1000:7.0f} ms  "
          f"({fired} fired, {done} instances completed, {pending} pending left; "
          f"{burst * 1000 / max(fired, 1):.2f} ms a timer)")
    timers_ok = burst <= 2.0 and done == args.timers

    print()
    print(f"inbox p50 <= 2 ms, p99 <= 10 ms: {'meets target' if inbox_ok else 'MISSES target'}")
    print(f"completion p50 <= 2 ms: {'meets target' if complete_ok else 'MISSES target'}")
    print(f"1 000 timers within 2 s: {'meets target' if timers_ok else 'MISSES target'}")


if __name__ == "__main__":
    main()
