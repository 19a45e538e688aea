"""Shared bench helpers: start the real stack (`manage.py serve`) in fresh state, talk to it,
and summarise latencies. Benchmarks print figures; nothing here asserts a target."""

from __future__ import annotations

import os
import secrets
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from tests.e2e.stack import Stack  # noqa: E402
from tests.flows import ten_node_flow  # noqa: E402

FLOW_NAME = "bench-ten-nodes"


class BenchStack(Stack):
    """The e2e stack, run like production by default (DEBUG off: no per-query SQL logging)."""

    def __init__(self, workers: int | None = None, debug: bool = False) -> None:
        self._tmp = tempfile.TemporaryDirectory(prefix="oneweb-bench-")
        self._debug = debug
        default_workers = int(os.environ.get("ONEWEB_WORKERS", "2"))  # settings' default
        super().__init__(Path(self._tmp.name), workers=workers or default_workers)

    def _environment(self) -> dict[str, str]:
        env = super()._environment()
        if not self._debug:
            env.update({"DEBUG": "0", "SECRET_KEY": secrets.token_urlsafe(40)})
        return env

    def start(self) -> BenchStack:
        super().start()
        response = self.call("POST", "/api/microflows", ten_node_flow(FLOW_NAME))
        if response.status_code not in (200, 201):
            raise RuntimeError(f"could not save the bench flow: {response.status_code} {response.text}")
        return self

    def stop(self) -> None:
        super().stop()
        self._tmp.cleanup()

    def manage_shell(self, code: str, timeout: float = 600) -> str:
        """Runs Python inside a Django process against this stack's database and Redis."""
        result = subprocess.run([sys.executable, str(ROOT / "manage.py"), "shell", "-c", code], env=self.env,
                                cwd=ROOT, capture_output=True, text=True, timeout=timeout)
        if result.returncode != 0:
            raise RuntimeError(f"shell failed:\n{result.stdout}\n{result.stderr}")
        return result.stdout


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    k = (len(ordered) - 1) * p / 100
    low = int(k)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (k - low)


def summary(values_ms: list[float]) -> dict[str, Any]:
    return {
        "n": len(values_ms), "p50": percentile(values_ms, 50), "p90": percentile(values_ms, 90),
        "p99": percentile(values_ms, 99), "mean": statistics.fmean(values_ms) if values_ms else float("nan"),
        "max": max(values_ms) if values_ms else float("nan"),
    }


def fmt(s: dict[str, Any]) -> str:
    return f"p50 {s['p50']:.3f} ms  p90 {s['p90']:.3f} ms  p99 {s['p99']:.3f} ms  mean {s['mean']:.3f} ms  (n={s['n']})"


def verdict(ok: bool) -> str:
    return "meets target" if ok else "MISSES target"


# --- CPU accounting: on a shared machine, CPU seconds per request are steadier than wall time.
TICKS = os.sysconf("SC_CLK_TCK")


def stack_processes(stack: Stack) -> dict[str, list[int]]:
    """The serve command's children by role: daphne, workers, sweeper (and the embedded Redis)."""
    assert stack.process is not None
    roles: dict[str, list[int]] = {"daphne": [], "workers": [], "sweeper": [], "redis": []}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            ppid = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
            command = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
        except (OSError, IndexError, ValueError):
            continue
        if ppid != stack.process.pid:
            continue
        if "daphne" in command:
            roles["daphne"].append(int(entry.name))
        elif "run_worker" in command:
            roles["workers"].append(int(entry.name))
        elif "run_sweeper" in command:
            roles["sweeper"].append(int(entry.name))
        elif "redis" in command:
            roles["redis"].append(int(entry.name))
    return roles


def cpu_seconds(pids: list[int]) -> float:
    """User + system CPU time of these processes (all their threads), in seconds."""
    total = 0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += int(fields[11]) + int(fields[12])
    return total / TICKS


def load_average() -> str:
    one, five, _ = os.getloadavg()
    return f"load average {one:.1f} (1 min), {five:.1f} (5 min) on {os.cpu_count()} CPUs"
