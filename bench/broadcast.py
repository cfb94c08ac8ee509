"""Broadcast to N followers (default 1,000,000) on Postgres + Redis, the scaled mode.

    python bench/broadcast.py [--followers 1000000] [--workers 1] [--rounds 3] [--kill]

Seeds the followers once, then per round: a raw `INSERT ... SELECT` of the same delivery rows
into the same table (the baseline, measured in the same run and then removed) and a real
broadcast through `kizuna serve` and `kizuna worker` processes, timed from the request until
every batch is delivered. Prints both rates, their ratio, and the workers' peak memory.
`--kill` also SIGKILLs the worker in the middle of one more broadcast, restarts it, and checks
that every follower holds exactly one copy. Loopback only; the database is dropped at the end.
"""

import argparse
import asyncio
import os
import signal
import statistics
import subprocess
import sys
import time
import uuid
from typing import Any

import asyncpg
import httpx
from benchkit import describe, free_port, kizuna, peak_rss_mb, stop

ADMIN = "postgresql://postgres@127.0.0.1:5432/postgres"
REDIS = "redis://127.0.0.1:6379/0"


class Cluster:
    def __init__(self, database: str, workers: int) -> None:
        self.env: dict[str, str | None] = {
            "DATABASE_URL": f"postgresql://postgres@127.0.0.1:5432/{database}",
            "REDIS_URL": REDIS,
            "KIZUNA_QUEUE_NAME": f"kizuna:bench:{database}",
            "KIZUNA_RATE_LIMITS": "off",
            "KIZUNA_DEMO_CHANNEL": "false",
            "KIZUNA_LOG_LEVEL": "warning",
        }
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.server = kizuna(["serve", "--port", str(self.port)], self.env)
        self.workers = [self.start_worker() for _ in range(workers)]
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                if httpx.get(f"{self.base}/_kizuna/health").status_code == 200:
                    return
            except httpx.TransportError:
                time.sleep(0.1)
        raise RuntimeError("kizuna serve did not start")

    def start_worker(self) -> subprocess.Popen[bytes]:
        return kizuna(["worker"], self.env)

    def stop(self) -> None:
        for process in [self.server, *self.workers]:
            stop(process)


async def sql(database: str, statement: str, *args: object) -> Any:
    connection = await asyncpg.connect(f"postgresql://postgres@127.0.0.1:5432/{database}")
    try:
        return await connection.fetchval(statement, *args)
    finally:
        await connection.close()


async def wait_delivered(poll: asyncpg.Connection, request_id: str, timeout: float = 120) -> float:
    """Polls on one open connection: a connection per poll would fork a Postgres backend every
    10 ms, taking CPU from the broadcast being measured."""
    deadline = time.perf_counter() + timeout
    while time.perf_counter() < deadline:
        phase = await poll.fetchval(
            "SELECT phase FROM message_requests WHERE request_id = $1", request_id
        )
        if phase == "succeeded":
            return time.perf_counter()
        await asyncio.sleep(0.01)
    raise TimeoutError("the broadcast did not finish")


def broadcast(cluster: Cluster, token: str) -> str:
    response = httpx.post(
        f"{cluster.base}/v2/bot/message/broadcast",
        headers={"Authorization": f"Bearer {token}"},
        json={"messages": [{"type": "text", "text": "Hello, a million friends"}]},
        timeout=60,
    )
    response.raise_for_status()
    return response.headers["x-line-request-id"]


# Past every real request, as a new broadcast's key is: the baseline writes at the index's end.
BASELINE_KEY = 2**62


async def baseline(database: str, channel_pk: int) -> float:
    started = time.perf_counter()
    await sql(
        database,
        "INSERT INTO fanout_deliveries (request_pk, user_pk, delivered_at) "
        "SELECT $2::bigint, user_pk, now() FROM friendships "
        "WHERE channel_pk = $1 AND status = 'following'",
        channel_pk,
        BASELINE_KEY,
    )
    elapsed = time.perf_counter() - started
    await sql(database, "DELETE FROM fanout_deliveries WHERE request_pk = $1", BASELINE_KEY)
    return elapsed


async def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--followers", type=int, default=1_000_000)
    parser.add_argument("--workers", type=int, default=1)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--kill", action="store_true")
    args = parser.parse_args()
    database = f"kizuna_bench_{uuid.uuid4().hex[:8]}"
    admin = await asyncpg.connect(ADMIN)
    await admin.execute(f'CREATE DATABASE "{database}"')
    cluster = None
    try:
        env = {**os.environ, "DATABASE_URL": f"postgresql://postgres@127.0.0.1:5432/{database}"}
        subprocess.run(
            [sys.executable, "-m", "app.cli", "migrate"],
            env=env,
            check=True,
            stdout=subprocess.DEVNULL,
        )
        cluster = Cluster(database, args.workers)
        channel = httpx.post(f"{cluster.base}/_kizuna/channels", json={"name": "Bench"}).json()
        token = channel["accessToken"]
        started = time.perf_counter()
        seeded = httpx.post(
            f"{cluster.base}/_kizuna/channels/{channel['channelId']}/users/bulk",
            json={"count": args.followers, "seed": 1},
            timeout=600,
        )
        seeded.raise_for_status()
        print(f"seeded {args.followers:,} followers in {time.perf_counter() - started:.1f} s")
        channel_pk = int(await sql(database, "SELECT id FROM channels") or 0)
        poll = await asyncpg.connect(f"postgresql://postgres@127.0.0.1:5432/{database}")
        await sql(database, "VACUUM ANALYZE friendships")
        # A warm-up broadcast; the baseline's rows carry a request key that no request has.
        request_id = broadcast(cluster, token)
        await wait_delivered(poll, request_id)
        base_times, kizuna_times = [], []
        for _ in range(args.rounds):
            base_times.append(await baseline(database, channel_pk))
            await sql(database, "VACUUM fanout_deliveries")
            started = time.perf_counter()
            request_id = broadcast(cluster, token)
            kizuna_times.append(await wait_delivered(poll, request_id) - started)
            await sql(database, "VACUUM fanout_deliveries")
        base, sent = statistics.median(base_times), statistics.median(kizuna_times)
        rows = args.followers
        print(describe(f"raw INSERT..SELECT of {rows:,} deliveries", rows, base_times))
        print(
            describe(
                f"broadcast to {rows:,} followers, request to last delivery", rows, kizuna_times
            )
        )
        print(f"ratio of rates (broadcast / raw insert): {base / sent:.2f}")
        print(
            "worker peak memory: "
            + ", ".join(f"{peak_rss_mb(w.pid):.0f} MB" for w in cluster.workers)
        )
        if args.kill:
            request_id = broadcast(cluster, token)
            request_pk = await sql(
                database, "SELECT id FROM message_requests WHERE request_id = $1", request_id
            )
            done_batches = "SELECT count(*) FROM delivery_batches WHERE request_pk = $1 AND done"
            deadline = time.perf_counter() + 120
            while int(await poll.fetchval(done_batches, request_pk) or 0) < 5:
                if time.perf_counter() > deadline:
                    raise TimeoutError("the broadcast did not reach 5 batches in 120 s")
                await asyncio.sleep(0.005)
            for worker in cluster.workers:
                worker.send_signal(signal.SIGKILL)
                worker.wait()
            done = await poll.fetchval(done_batches, request_pk)
            total = await sql(
                database, "SELECT count(*) FROM delivery_batches WHERE request_pk = $1", request_pk
            )
            print(f"killed the worker(s) with SIGKILL after {done} of {total} batches")
            cluster.workers = [cluster.start_worker() for _ in range(args.workers)]
            await wait_delivered(poll, request_id, timeout=300)
            copies = await sql(
                database, "SELECT count(*) FROM fanout_deliveries WHERE request_pk = $1", request_pk
            )
            distinct = await sql(
                database,
                "SELECT count(DISTINCT user_pk) FROM fanout_deliveries WHERE request_pk = $1",
                request_pk,
            )
            print(
                f"after restart: {copies:,} deliveries to {distinct:,} distinct followers "
                f"({'exactly one each' if copies == distinct == rows else 'WRONG'})"
            )
        await poll.close()
    finally:
        if cluster is not None:
            cluster.stop()
        await admin.execute(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')
        await admin.close()


if __name__ == "__main__":
    asyncio.run(main())
