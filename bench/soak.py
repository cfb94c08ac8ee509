"""Soak: push at a fixed rate for a long time against `kizuna serve` on Postgres; does the
server's memory keep growing?

    python bench/soak.py [--seconds 600] [--rate 1000] [--processes 1] [--warmup 30]

Open loop: requests are due at a fixed rate whatever the server's answers, and a bounded pool
of keep-alive connections takes them as they fall due. A request that finds every connection
busy waits in a bounded backlog; past it, it is counted as dropped (never sent), so the load
is bounded in count (rate times seconds) and in time (the run stops at its end, whatever is in
flight). The server's resident memory (VmRSS of every server process) is sampled every few
seconds; growth is measured from the end of the warm-up (caches, pools and the allocator's
arenas fill during it) to the end of the run.
"""

import argparse
import asyncio
import json
import statistics
import time
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from benchkit import push_target


def server_pids(pid: int) -> list[int]:
    """The serving process and, with several workers, uvicorn's children of it."""
    pids = [pid]
    for task in Path(f"/proc/{pid}/task").glob("*/children"):
        pids += [int(child) for child in task.read_text().split()]
    return pids


def rss_mb(pid: int) -> float:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    except FileNotFoundError:
        pass
    return 0.0


class Load:
    def __init__(self, url: str, token: str, body: dict[str, Any], connections: int) -> None:
        parts = urlsplit(url)
        payload = json.dumps(body).encode()
        self.host, self.port = parts.hostname or "127.0.0.1", parts.port or 80
        self.request = (
            f"POST {parts.path} HTTP/1.1\r\nHost: {parts.netloc}\r\n"
            f"Authorization: Bearer {token}\r\nContent-Type: application/json\r\n"
            f"Content-Length: {len(payload)}\r\n\r\n"
        ).encode() + payload
        self.connections = connections
        self.backlog: asyncio.Queue[float] = asyncio.Queue(maxsize=connections * 4)
        self.ok = self.failed = self.dropped = self.due = 0
        self.latencies: list[float] = []  # from when the request fell due, so waiting counts

    async def schedule(self, rate: float, seconds: float) -> None:
        started = time.perf_counter()
        while True:
            elapsed = time.perf_counter() - started
            if elapsed >= seconds:
                return
            target = int(elapsed * rate)
            while self.due < target:
                self.due += 1
                try:
                    self.backlog.put_nowait(started + self.due / rate)
                except asyncio.QueueFull:
                    self.dropped += 1
            await asyncio.sleep(0.002)

    async def connection(self, deadline: float) -> None:
        reader, writer = await asyncio.open_connection(self.host, self.port)
        try:
            while time.perf_counter() < deadline:
                try:
                    due = await asyncio.wait_for(self.backlog.get(), 0.5)
                except TimeoutError:
                    continue
                writer.write(self.request)
                head = await reader.readuntil(b"\r\n\r\n")
                length = 0
                for line in head.split(b"\r\n"):
                    if line[:15].lower() == b"content-length:":
                        length = int(line[15:])
                await reader.readexactly(length)
                self.latencies.append(time.perf_counter() - due)
                if head[9:12] == b"200":
                    self.ok += 1
                else:
                    self.failed += 1
        finally:
            writer.close()


async def sample(pid: int, every: float, until: float, into: list[tuple[float, float]]) -> None:
    started = time.perf_counter()
    while time.perf_counter() < until:
        into.append((time.perf_counter() - started, sum(rss_mb(p) for p in server_pids(pid))))
        await asyncio.sleep(every)


def percentile(values: list[float], q: float) -> float:
    if not values:
        return 0.0
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


async def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=float, default=600)
    parser.add_argument("--rate", type=float, default=1000)
    parser.add_argument("--processes", type=int, default=1)
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--warmup", type=float, default=30)
    parser.add_argument("--sample-every", type=float, default=5)
    args = parser.parse_args()
    env: dict[str, str | None] = {"REDIS_URL": None}
    async with push_target("Soak", args.processes, env) as target:
        server = target.server
        load = Load(
            f"{target.base}/v2/bot/message/push", target.access_token, target.body, args.connections
        )
        total = args.warmup + args.seconds
        deadline = time.perf_counter() + total
        samples: list[tuple[float, float]] = []
        await asyncio.gather(
            load.schedule(args.rate, total),
            sample(server.pid, args.sample_every, deadline, samples),
            *(load.connection(deadline) for _ in range(args.connections)),
        )
        samples.append((total, sum(rss_mb(p) for p in server_pids(server.pid))))
        warm = [rss for at, rss in samples if at <= args.warmup + args.sample_every / 2]
        start_rss = warm[-1] if warm else samples[0][1]
        end_rss = statistics.median(rss for _, rss in samples[-3:])
        growth = (end_rss - start_rss) / start_rss * 100
        print(
            f"soak: {args.seconds:.0f} s at {args.rate:,.0f} push requests/s after a "
            f"{args.warmup:.0f} s warm-up, {args.processes} server process(es), "
            f"{args.connections} connections"
        )
        print(
            f"requests: {load.due:,} due, {load.ok:,} ok, {load.failed:,} failed, "
            f"{load.dropped:,} dropped (backlog full); achieved {load.ok / total:,.0f}/s"
        )
        print(
            f"latency from due time: median {percentile(load.latencies, 0.5) * 1000:.1f} ms, "
            f"p99 {percentile(load.latencies, 0.99) * 1000:.1f} ms, "
            f"max {max(load.latencies, default=0) * 1000:.0f} ms"
        )
        minutes = [rss for at, rss in samples if int(at) % 60 < args.sample_every]
        print(f"server RSS (MB), once a minute: {[round(rss, 1) for rss in minutes]}")
        print(
            f"RSS after warm-up {start_rss:.1f} MB, at the end {end_rss:.1f} MB (median of the "
            f"last 3 samples), peak {max(rss for _, rss in samples):.1f} MB: growth {growth:+.1f} %"
        )


if __name__ == "__main__":
    asyncio.run(main())
