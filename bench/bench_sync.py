"""Sync runs against the bare Django JSON view, both served by the same daphne.

Starts the real stack in fresh state, saves the 10-node assign/decision flow and measures,
with a load generator in its own process (bench/loadgen.py):

1. latency, one keep-alive connection, bare and run requests interleaved: engine overhead
   per run = run latency - bare latency (at p50 and p99), and the engine's own in-process
   time (`duration_ms` of each execution);
2. requests per second of each under load (several connections) and their ratio, and the
   daphne process's CPU time per request (steadier than wall time when the machine is
   shared: the CPU ratio is what the rps ratio would be on an otherwise idle core).

Targets (issue 2): overhead p50 <= 0.5 ms, p99 <= 2 ms; runs >= 70 % of the bare view's rps.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys

from common import (
    FLOW_NAME,
    ROOT,
    BenchStack,
    cpu_seconds,
    fmt,
    load_average,
    stack_processes,
    summary,
    verdict,
)


def loadgen(job: dict) -> dict:
    result = subprocess.run([sys.executable, str(ROOT / "bench" / "loadgen.py")], input=json.dumps(job),
                            capture_output=True, text=True, check=True)
    return json.loads(result.stdout)


def main(argv: list[str] | None = None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3000, help="latency rounds (one bare + one run each)")
    parser.add_argument("--seconds", type=float, default=8.0, help="seconds of load per endpoint")
    parser.add_argument("--connections", type=int, default=4)
    parser.add_argument("--debug", action="store_true", help="serve with DEBUG on (slower; not production)")
    args = parser.parse_args(argv)

    stack = BenchStack(debug=args.debug).start()
    try:
        token = stack.token()
        bare = {"method": "GET", "path": "/bench/bare"}
        run = {"method": "POST", "path": f"/api/microflows/{FLOW_NAME}/run",
               "headers": {"Authorization": f"Bearer {token}"},
               "body": json.dumps({"input": {"x": 1}, "mode": "sync"})}
        check = stack.call("POST", f"/api/microflows/{FLOW_NAME}/run", {"input": {"x": 1}, "mode": "sync"})
        assert check.status_code == 200 and check.json()["output"] == {"x": 5, "v3": 7}, check.text

        loadgen({"mode": "sequence", "port": stack.port, "requests": [bare, run], "rounds": 300})  # warm up
        seq = loadgen({"mode": "sequence", "port": stack.port, "requests": [bare, run], "rounds": args.rounds})
        bare_lat, run_lat = summary(seq["latencies"][0]), summary(seq["latencies"][1])
        engine = summary(seq["durations"][1])
        overhead_p50 = run_lat["p50"] - bare_lat["p50"]
        overhead_p99 = run_lat["p99"] - bare_lat["p99"]

        common = {"mode": "load", "port": stack.port, "connections": args.connections,
                  "seconds": args.seconds, "warmup": 1.0}
        daphne = stack_processes(stack)["daphne"]

        def measured(request: dict) -> tuple[dict, float]:
            before = cpu_seconds(daphne)
            result = loadgen({**common, "request": request})
            return result, (cpu_seconds(daphne) - before) * 1000 / result["all_requests"]

        bare_load, bare_cpu = measured(bare)
        run_load, run_cpu = measured(run)
        ratio = run_load["rps"] / bare_load["rps"]
        load = load_average()
    finally:
        stack.stop()

    print("== sync: 10-node assign/decision flow via POST /api/microflows/{name}/run vs GET /bench/bare ==")
    print(f"latency, 1 connection, {args.rounds} interleaved rounds:")
    print(f"  bare view      {fmt(bare_lat)}")
    print(f"  microflow run  {fmt(run_lat)}")
    print(f"  engine overhead per run (run - bare): p50 {overhead_p50:.3f} ms (target <= 0.5, "
          f"{verdict(overhead_p50 <= 0.5)}), p99 {overhead_p99:.3f} ms (target <= 2, {verdict(overhead_p99 <= 2)})")
    print(f"  in-process engine time (execution duration_ms): {fmt(engine)}")
    print(f"throughput, {args.connections} keep-alive connections, {args.seconds:.0f} s each:")
    print(f"  bare view      {bare_load['rps']:8.1f} req/s  (errors {bare_load['errors']})")
    print(f"  microflow run  {run_load['rps']:8.1f} req/s  (errors {run_load['errors']})")
    print(f"  ratio run/bare {ratio * 100:.1f} % (target >= 70 %, {verdict(ratio >= 0.7)})")
    print("daphne CPU per request (all its threads):")
    print(f"  bare view {bare_cpu:.3f} ms, microflow run {run_cpu:.3f} ms: overhead {run_cpu - bare_cpu:.3f} ms "
          f"CPU per run; CPU-bound ratio {bare_cpu / run_cpu * 100:.1f} %")
    print(f"  ({load} at the end)")
    return {"overhead_p50_ms": overhead_p50, "overhead_p99_ms": overhead_p99, "engine_p50_ms": engine["p50"],
            "engine_p99_ms": engine["p99"], "bare_rps": bare_load["rps"], "run_rps": run_load["rps"],
            "ratio": ratio, "cpu_ratio": bare_cpu / run_cpu, "cpu_overhead_ms": run_cpu - bare_cpu, "bare_p50_ms": bare_lat["p50"], "run_p50_ms": run_lat["p50"]}


if __name__ == "__main__":
    main()
