"""Throughput: 10 000 async runs of the 10-node flow drained by the default worker count.

Starts the real stack in fresh state (ONEWEB_WORKERS, default 2, non-forking RQ workers),
then, in a Django process against the stack's database and Redis: suspends the workers
(`rq suspend`), enqueues the runs through `runtime.api.run_async` (as the API would: one row,
one job each, enqueued on commit), resumes the workers and waits until every run is
finished. The rate is taken from the execution records: runs / (last finished_at - first
started_at after the resume), divided by the number of worker processes.

Target (issue 2): >= 200 executions/s per worker process.
"""

from __future__ import annotations

import argparse
import json

from common import FLOW_NAME, BenchStack, load_average, stack_processes, verdict

DRIVER = """
import json, os, time
from pathlib import Path
from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import Max, Min
from rq.suspension import resume, suspend
from runtime import api
from runtime.models import Execution, ExecutionStatus

runs, batch = {runs}, 500
user = get_user_model().objects.get(username="admin")
connection = api._queue().connection
suspend(connection)
time.sleep(1.5)   # let each idle worker take at most one job, then see the suspension
began = time.perf_counter()
for start in range(0, runs, batch):
    with transaction.atomic():
        for _ in range(min(batch, runs - start)):
            api.run_async({name!r}, {{"x": 1}}, user, source="bench")
enqueued_s = time.perf_counter() - began

def cpu(pids):
    total = 0
    for pid in pids:
        try:
            fields = Path(f"/proc/{{pid}}/stat").read_text().rsplit(")", 1)[1].split()
            total += int(fields[11]) + int(fields[12])
        except OSError:
            pass
    return total / os.sysconf("SC_CLK_TCK")

roles = {roles!r}
cpu_before = {{role: cpu(pids) for role, pids in roles.items()}}
resumed = time.time()
resume(connection)
rows = Execution.objects.filter(microflow={name!r}, source="bench")
deadline = time.time() + 600
while time.time() < deadline:
    if not rows.filter(status__in=[ExecutionStatus.QUEUED, ExecutionStatus.RUNNING]).exists():
        break
    time.sleep(0.25)
cpu_used = {{role: cpu(pids) - cpu_before[role] for role, pids in roles.items()}}
drained = rows.filter(started_at__gte=__import__("datetime").datetime.fromtimestamp(resumed, __import__("datetime").timezone.utc))
span = drained.aggregate(first=Min("started_at"), last=Max("finished_at"))
print(json.dumps({{
    "runs": runs, "enqueued_s": enqueued_s,
    "drained": drained.count(),
    "succeeded": rows.filter(status=ExecutionStatus.SUCCEEDED).count(),
    "unfinished": rows.filter(status__in=[ExecutionStatus.QUEUED, ExecutionStatus.RUNNING]).count(),
    "span_s": (span["last"] - span["first"]).total_seconds() if span["first"] else None,
    "wall_s": time.time() - resumed, "cpu": cpu_used,
}}))
"""


def main(argv: list[str] | None = None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=10_000)
    parser.add_argument("--workers", type=int, default=None, help="default: the settings' default (2)")
    parser.add_argument("--debug", action="store_true", help="serve with DEBUG on (slower; not production)")
    args = parser.parse_args(argv)

    stack = BenchStack(workers=args.workers, debug=args.debug).start()
    try:
        roles = stack_processes(stack)
        output = stack.manage_shell(DRIVER.format(runs=args.runs, name=FLOW_NAME, roles=roles), timeout=1200)
        result = json.loads(output.strip().splitlines()[-1])
    finally:
        stack.stop()

    rate = result["drained"] / result["span_s"]
    per_worker = rate / stack.workers
    print(f"== throughput: {args.runs} async runs of the 10-node flow, {stack.workers} worker processes ==")
    print(f"  enqueued in {result['enqueued_s']:.1f} s ({args.runs / result['enqueued_s']:.0f}/s, workers suspended)")
    print(f"  drained {result['drained']} runs in {result['span_s']:.2f} s "
          f"({result['succeeded']} succeeded, {result['unfinished']} unfinished)")
    print(f"  {rate:.1f} executions/s in all, {per_worker:.1f} per worker process "
          f"(target >= 200, {verdict(per_worker >= 200)})")
    cpu = result["cpu"]
    per_run = {role: seconds * 1000 / result["drained"] for role, seconds in cpu.items()}
    print("  CPU per execution while draining (steadier than wall time on a shared machine): "
          + ", ".join(f"{role} {ms:.3f} ms" for role, ms in per_run.items()))
    capacity = 1000 / (per_run["workers"]) if per_run["workers"] else float("nan")
    print(f"  a worker process with a core to itself: {capacity:.0f} executions/s "
          f"(its own CPU only; Redis needs {per_run['redis']:.3f} ms per execution besides)")
    print(f"  ({load_average()} at the end)")
    return {"per_worker": per_worker, "rate": rate, "worker_cpu_ms": per_run["workers"], "capacity": capacity}


if __name__ == "__main__":
    main()
