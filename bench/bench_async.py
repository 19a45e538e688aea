"""Async runs: enqueue -> `execution.finished` received on a WebSocket client.

Starts the real stack in fresh state (default worker count), saves the 10-node flow, opens
`/ws/notify/?token=...` and then, one run at a time (warm workers, after a warm-up), sends
`POST /api/microflows/{name}/run` with `mode: "async"` on a keep-alive connection and
waits for that run's `execution.finished` event on the socket. Latency = from just before
the POST is sent to the moment the event is read. A breakdown from the execution records
(created_at / started_at / finished_at, same machine clock) shows where the time goes.

Targets (issue 2): p50 <= 10 ms, p99 <= 25 ms over 1 000 runs.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import time

import websockets
from common import FLOW_NAME, BenchStack, fmt, summary, verdict


class HttpConnection:
    """A minimal asyncio HTTP/1.1 keep-alive client (one request at a time)."""

    def __init__(self, port: int) -> None:
        self.port = port

    async def open(self) -> None:
        self.reader, self.writer = await asyncio.open_connection("127.0.0.1", self.port)

    async def post(self, path: str, body: bytes, headers: dict[str, str]) -> tuple[int, bytes]:
        head = [f"POST {path} HTTP/1.1", f"Host: 127.0.0.1:{self.port}", "Connection: keep-alive",
                "Content-Type: application/json", f"Content-Length: {len(body)}"]
        head += [f"{k}: {v}" for k, v in headers.items()]
        self.writer.write(("\r\n".join(head) + "\r\n\r\n").encode() + body)
        status_line = await self.reader.readline()
        length = 0
        while True:
            line = await self.reader.readline()
            if line in (b"\r\n", b""):
                break
            name, _, value = line.partition(b":")
            if name.strip().lower() == b"content-length":
                length = int(value)
        return int(status_line.split()[1]), await self.reader.readexactly(length)


async def measure(stack: BenchStack, runs: int, warmup: int) -> tuple[list[float], list[float], dict[str, float]]:
    token = stack.token()
    http = HttpConnection(stack.port)
    await http.open()
    path = f"/api/microflows/{FLOW_NAME}/run"
    body = json.dumps({"input": {"x": 1}, "mode": "async"}).encode()
    headers = {"Authorization": f"Bearer {token}"}
    arrived: dict[str, float] = {}
    waiting: dict[str, asyncio.Future] = {}

    async with websockets.connect(stack.ws_url("/ws/notify/"), max_queue=None) as socket:
        assert json.loads(await socket.recv())["type"] == "notify.ready"

        async def listen() -> None:
            async for raw in socket:
                now = time.time()
                event = json.loads(raw)
                if event.get("type") == "execution.finished":
                    arrived[event["execution"]] = now
                    future = waiting.pop(event["execution"], None)
                    if future is not None and not future.done():
                        future.set_result(now)

        listener = asyncio.create_task(listen())
        latencies: list[float] = []
        accepted: list[float] = []
        sent_at: dict[str, float] = {}
        loop = asyncio.get_running_loop()
        for index in range(warmup + runs):
            began = time.time()
            status, answer = await http.post(path, body, headers)
            answered = time.time()
            if status != 202:
                raise RuntimeError(f"async run refused: {status} {answer!r}")
            execution_id = json.loads(answer)["id"]
            done_at = arrived.get(execution_id)
            if done_at is None:
                future = loop.create_future()
                waiting[execution_id] = future
                done_at = await asyncio.wait_for(future, 30)
            if index >= warmup:
                latencies.append((done_at - began) * 1000)
                accepted.append((answered - began) * 1000)
                sent_at[execution_id] = began
        listener.cancel()
    return latencies, accepted, {**{k: v for k, v in sent_at.items()}, "_arrived": arrived}


BREAKDOWN = """
import json
from runtime.models import Execution
ids = json.loads(open({path!r}).read())
rows = Execution.objects.filter(id__in=ids).values_list("id", "created_at", "started_at", "finished_at", "duration_ms")
print(json.dumps([[str(i), c.timestamp(), s.timestamp(), f.timestamp(), d] for i, c, s, f, d in rows]))
"""


def main(argv: list[str] | None = None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=1000)
    parser.add_argument("--warmup", type=int, default=100)
    parser.add_argument("--debug", action="store_true", help="serve with DEBUG on (slower; not production)")
    args = parser.parse_args(argv)

    stack = BenchStack(debug=args.debug).start()
    try:
        latencies, accepted, marks = asyncio.run(measure(stack, args.runs, args.warmup))
        arrived = marks.pop("_arrived")
        ids_file = stack.var_dir / "bench_ids.json"
        ids_file.write_text(json.dumps(list(marks)))
        rows = json.loads(stack.manage_shell(BREAKDOWN.format(path=str(ids_file))).strip().splitlines()[-1])
    finally:
        stack.stop()

    to_created, queued, running, pushed = [], [], [], []
    for execution_id, created, started, finished, _duration in rows:
        to_created.append((created - marks[execution_id]) * 1000)
        queued.append((started - created) * 1000)
        running.append((finished - started) * 1000)
        pushed.append((arrived[execution_id] - finished) * 1000)
    total = summary(latencies)
    print("== async: POST .../run (mode async) -> execution.finished on /ws/notify/, one at a time ==")
    print(f"  enqueue -> finished event  {fmt(total)}")
    print(f"  p50 {total['p50']:.2f} ms (target <= 10, {verdict(total['p50'] <= 10)}), "
          f"p99 {total['p99']:.2f} ms (target <= 25, {verdict(total['p99'] <= 25)})")
    print("  where the time goes (execution records; same clock):")
    print(f"    client send -> row inserted     {fmt(summary(to_created))}")
    print(f"    202 answer received            {fmt(summary(accepted))}")
    print(f"    row inserted -> worker claimed {fmt(summary(queued))}")
    print(f"    claimed -> final state stored  {fmt(summary(running))}")
    print(f"    stored -> event on the socket  {fmt(summary(pushed))}")
    return {"p50_ms": total["p50"], "p99_ms": total["p99"]}


if __name__ == "__main__":
    main()
