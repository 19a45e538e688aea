"""Runs every OneWeb runtime benchmark in turn (`make bench`) and prints the figures.

Each benchmark starts its own fresh stack (`manage.py serve`: daphne, RQ workers, sweeper,
embedded Redis unless REDIS_URL is set) in a temporary folder and stops it afterwards.
Figures are printed, never asserted: they depend on the machine and on what else runs on it.
`--quick` runs fewer rounds (for a smoke check, not for figures to quote).
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import bench_async  # noqa: E402
import bench_sync  # noqa: E402
import bench_throughput  # noqa: E402
from common import load_average  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--only", choices=["sync", "async", "throughput"], action="append")
    args = parser.parse_args()
    chosen = args.only or ["sync", "async", "throughput"]
    print(f"OneWeb benchmarks on {os.cpu_count()} CPUs; {load_average()} before starting\n", flush=True)
    results: dict[str, dict] = {}
    began = time.monotonic()
    if "sync" in chosen:
        results["sync"] = bench_sync.main(["--rounds", "500", "--seconds", "3"] if args.quick else [])
        print(flush=True)
    if "async" in chosen:
        results["async"] = bench_async.main(["--runs", "200", "--warmup", "20"] if args.quick else [])
        print(flush=True)
    if "throughput" in chosen:
        results["throughput"] = bench_throughput.main(["--runs", "2000"] if args.quick else [])
        print(flush=True)

    print("== summary (targets from issue 2) ==")
    if "sync" in results:
        s = results["sync"]
        print(f"  sync overhead per run      p50 {s['overhead_p50_ms']:.3f} ms (<= 0.5)   "
              f"p99 {s['overhead_p99_ms']:.3f} ms (<= 2)   engine alone p50 {s['engine_p50_ms']:.3f} ms")
        print(f"  sync rps vs bare view      {s['ratio'] * 100:.1f} % (>= 70 %)   "
              f"by daphne CPU per request {s['cpu_ratio'] * 100:.1f} %")
    if "async" in results:
        a = results["async"]
        print(f"  async enqueue -> event     p50 {a['p50_ms']:.2f} ms (<= 10)   p99 {a['p99_ms']:.2f} ms (<= 25)")
    if "throughput" in results:
        t = results["throughput"]
        print(f"  throughput per worker      {t['per_worker']:.1f} executions/s (>= 200)   "
              f"with a core each (worker CPU {t['worker_cpu_ms']:.2f} ms/run): {t['capacity']:.0f}/s")
    print(f"  ({load_average()} at the end; {time.monotonic() - began:.0f} s in all)")


if __name__ == "__main__":
    main()
