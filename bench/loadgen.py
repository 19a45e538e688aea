"""A small HTTP/1.1 keep-alive load generator, run as its own process by the benchmarks.

Raw sockets (no client library) keep the client's own cost per request to a few tens of
microseconds, so on a small machine it takes as little CPU as possible from the server.
Reads one JSON job on stdin and writes one JSON result on stdout:

  {"mode": "sequence", "port": P, "requests": [R, ...], "rounds": N}
      one connection; each round sends every request in turn (interleaving them cancels drift);
      result: latencies in ms per request index, and the response bodies' `duration_ms`.
  {"mode": "load", "port": P, "request": R, "connections": C, "seconds": S, "warmup": W}
      C threads, one keep-alive connection each, as fast as answers come back for S seconds;
      result: requests completed in the window, rps, latencies in ms, and all requests sent
      (warm-up included, for CPU accounting by the caller).

R is {"method", "path", "headers": {...}, "body": str | null}.
"""

from __future__ import annotations

import json
import socket
import sys
import threading
import time


def build(port: int, spec: dict) -> bytes:
    body = (spec.get("body") or "").encode()
    lines = [f"{spec.get('method', 'GET')} {spec['path']} HTTP/1.1", f"Host: 127.0.0.1:{port}",
             "Connection: keep-alive"]
    for name, value in (spec.get("headers") or {}).items():
        lines.append(f"{name}: {value}")
    if body or spec.get("method", "GET") != "GET":
        lines.append("Content-Type: application/json")
        lines.append(f"Content-Length: {len(body)}")
    return ("\r\n".join(lines) + "\r\n\r\n").encode() + body


class Connection:
    def __init__(self, port: int) -> None:
        self.port = port
        self.sock = socket.create_connection(("127.0.0.1", port))
        self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.buffer = b""

    def exchange(self, request: bytes) -> tuple[int, bytes]:
        self.sock.sendall(request)
        while b"\r\n\r\n" not in self.buffer:
            self._more()
        head, _, rest = self.buffer.partition(b"\r\n\r\n")
        lines = head.split(b"\r\n")
        status = int(lines[0].split()[1])
        headers = {}
        for line in lines[1:]:
            name, _, value = line.partition(b":")
            headers[name.strip().lower()] = value.strip()
        if b"content-length" in headers:
            length = int(headers[b"content-length"])
            while len(rest) < length:
                rest += self._recv()
            body, self.buffer = rest[:length], rest[length:]
        elif headers.get(b"transfer-encoding", b"").lower() == b"chunked":
            body = b""
            while True:
                while b"\r\n" not in rest:
                    rest += self._recv()
                size_line, _, rest = rest.partition(b"\r\n")
                size = int(size_line.split(b";")[0], 16)
                while len(rest) < size + 2:
                    rest += self._recv()
                body += rest[:size]
                rest = rest[size + 2:]
                if size == 0:
                    break
            self.buffer = rest
        else:
            raise RuntimeError("response without Content-Length or chunked encoding")
        return status, body

    def _recv(self) -> bytes:
        data = self.sock.recv(65536)
        if not data:
            raise ConnectionError("server closed the connection")
        return data

    def _more(self) -> None:
        self.buffer += self._recv()


def sequence(job: dict) -> dict:
    port = job["port"]
    requests = [build(port, spec) for spec in job["requests"]]
    conn = Connection(port)
    latencies: list[list[float]] = [[] for _ in requests]
    durations: list[list[float]] = [[] for _ in requests]
    errors = 0
    clock = time.perf_counter
    for _ in range(job["rounds"]):
        for index, request in enumerate(requests):
            began = clock()
            status, body = conn.exchange(request)
            latencies[index].append((clock() - began) * 1000)
            if status >= 400:
                errors += 1
            elif body.startswith(b"{") and b"duration_ms" in body:
                durations[index].append(json.loads(body)["duration_ms"])
    return {"latencies": latencies, "durations": durations, "errors": errors}


def load(job: dict) -> dict:
    port = job["port"]
    request = build(port, job["request"])
    stop_at = [0.0]
    start_at = [0.0]
    results: list[tuple[int, list[float], int, int]] = []
    lock = threading.Lock()
    ready = threading.Barrier(job["connections"] + 1)

    def client() -> None:
        conn = Connection(port)
        latencies: list[float] = []
        count = errors = sent = 0
        clock = time.perf_counter
        ready.wait()
        while True:
            began = clock()
            if began >= stop_at[0]:
                break
            status, _ = conn.exchange(request)
            sent += 1
            done = clock()
            if status >= 400:
                errors += 1
            if began >= start_at[0]:  # only what was sent after the warm-up counts
                count += 1
                latencies.append((done - began) * 1000)
        with lock:
            results.append((count, latencies, errors, sent))

    threads = [threading.Thread(target=client) for _ in range(job["connections"])]
    for thread in threads:
        thread.start()
    now = time.perf_counter()
    start_at[0] = now + job.get("warmup", 1.0)
    stop_at[0] = start_at[0] + job["seconds"]
    ready.wait()
    for thread in threads:
        thread.join()
    # Requests in flight at stop_at finish a little later; count from warm-up end to the
    # last sending moment, which is exactly the measured window.
    total = sum(r[0] for r in results)
    return {"requests": total, "seconds": job["seconds"], "rps": total / job["seconds"],
            "latencies": [x for r in results for x in r[1]], "errors": sum(r[2] for r in results), "all_requests": sum(r[3] for r in results)}


def main() -> None:
    job = json.loads(sys.stdin.read())
    result = sequence(job) if job["mode"] == "sequence" else load(job)
    json.dump(result, sys.stdout)


if __name__ == "__main__":
    main()
