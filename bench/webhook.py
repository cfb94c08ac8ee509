"""Signed single-event webhook requests per second from one `kizuna worker`, against a bare
aiohttp POST loop to the same receiver.

    python bench/webhook.py [--events 6000] [--channels 32] [--rounds 3]

A trivial receiver (aiohttp, its own process) answers 200 to everything. Baseline: this process
POSTs the same number of 1 KB bodies with aiohttp, 32 at a time. Kizuna: `kizuna serve` and one
`kizuna worker` on Postgres + Redis with `KIZUNA_WEBHOOK_MAX_EVENTS=1`; the events are written to
the outbox directly and one `dispatch_webhooks` job per channel is put on the worker's queue (what
a user action or a redelivery does after its commit), so the figure is the dispatcher's, not the
control plane's; the clock runs from those jobs until every event is sent, each attempt logged.
Rounds alternate baseline and Kizuna on a noisy machine; medians and the ratio of the medians are
printed. Loopback only; the database is dropped at the end.
"""

import argparse
import asyncio
import json
import statistics
import subprocess
import sys
import time
import uuid
from datetime import UTC, datetime

import aiohttp
import asyncpg
import httpx
from arq import create_pool
from arq.connections import ArqRedis, RedisSettings
from benchkit import cpu_seconds, free_port, kizuna, stop, wait_up

ADMIN = "postgresql://postgres@127.0.0.1:5432/postgres"
REDIS = "redis://127.0.0.1:6379/0"
ROUND_SECONDS = 120
RECEIVER = """
import sys
from aiohttp import web

async def ok(request):
    await request.read()
    return web.Response(text="ok")

app = web.Application()
app.router.add_post("/{tail:.*}", ok)
web.run_app(app, host="127.0.0.1", port=int(sys.argv[1]), print=None, access_log=None)
"""


def payload(n: int, user_id: str) -> dict[str, object]:
    return {
        "type": "message",
        "mode": "active",
        "timestamp": int(time.time() * 1000),
        "source": {"type": "user", "userId": user_id},
        "webhookEventId": f"01BENCH{n:019d}",
        "replyToken": uuid.uuid4().hex,
        "message": {
            "id": str(10**17 + n),
            "type": "text",
            "quoteToken": "q" * 43,
            "text": "こんにちは " + "x" * 700,
        },
    }


async def baseline(url: str, count: int, concurrency: int = 32) -> float:
    body = json.dumps({"destination": "U" + "0" * 32, "events": [payload(0, "U" + "1" * 32)]})
    data = body.encode()
    queue = list(range(count))
    async with aiohttp.ClientSession() as session:

        async def worker() -> None:
            while queue:
                queue.pop()
                async with session.post(
                    url, data=data, headers={"X-Line-Signature": "x"}
                ) as response:
                    await response.read()

        started = time.perf_counter()
        await asyncio.gather(*(worker() for _ in range(concurrency)))
    return count / (time.perf_counter() - started)


async def kizuna_round(
    connection: asyncpg.Connection,
    queue: ArqRedis,
    queue_name: str,
    keys: list[int],
    count: int,
    first: int,
    worker_pid: int,
) -> tuple[float, int, float]:
    """Seconds from the jobs to the last event sent, the successful attempts logged, and the
    worker's CPU seconds meanwhile."""
    now = datetime.now(UTC)
    rows = []
    for n in range(first, first + count):
        event = payload(n, "U" + f"{n:032x}")
        rows.append((keys[n % len(keys)], event["webhookEventId"], json.dumps(event), now))
    await connection.executemany(
        "INSERT INTO webhook_events (channel_pk, event_id, payload, state, attempts, "
        "created_at) VALUES ($1, $2, $3::json, 'pending', 0, $4)",
        rows,
    )
    before = await connection.fetchval("SELECT count(*) FROM webhook_attempts WHERE success")
    started = time.perf_counter()
    cpu_before = cpu_seconds(worker_pid)
    for key in keys:
        await queue.enqueue_job("dispatch_webhooks", _queue_name=queue_name, channel_pk=key)
    deadline = started + ROUND_SECONDS
    while time.perf_counter() < deadline:
        # Through the (channel, state, id) index: a scan of the whole outbox every 10 ms
        # would keep a Postgres backend busy, on the cores the worker and the bot share.
        left = await connection.fetchval(
            "SELECT count(*) FROM webhook_events WHERE channel_pk = ANY($1::bigint[]) "
            "AND state IN ('pending', 'sending')",
            keys,
        )
        if left == 0:
            break
        await asyncio.sleep(0.01)
    elapsed = time.perf_counter() - started
    cpu = cpu_seconds(worker_pid) - cpu_before
    after = await connection.fetchval("SELECT count(*) FROM webhook_attempts WHERE success")
    return elapsed, int(after - before), cpu


async def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--events", type=int, default=6000)
    parser.add_argument("--channels", type=int, default=32)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    receiver_port = free_port()
    receiver = subprocess.Popen([sys.executable, "-c", RECEIVER, str(receiver_port)])
    database = f"kizuna_bench_{uuid.uuid4().hex[:8]}"
    admin = await asyncpg.connect(ADMIN)
    await admin.execute(f'CREATE DATABASE "{database}"')
    dsn = f"postgresql://postgres@127.0.0.1:5432/{database}"
    port = free_port()
    queue_name = f"kizuna:bench:{database}"
    env: dict[str, str | None] = {
        "DATABASE_URL": dsn,
        "REDIS_URL": REDIS,
        "KIZUNA_QUEUE_NAME": queue_name,
        "KIZUNA_DEMO_CHANNEL": "false",
        "KIZUNA_LOG_LEVEL": "warning",
        "KIZUNA_WEBHOOK_MAX_EVENTS": "1",
    }
    server = kizuna(["serve", "--port", str(port)], env)
    worker = kizuna(["worker"], env)
    queue = await create_pool(RedisSettings.from_dsn(REDIS))
    try:
        base = f"http://127.0.0.1:{port}"
        wait_up(f"{base}/_kizuna/health")
        receiver_url = f"http://127.0.0.1:{receiver_port}/callback"
        wait_up(f"http://127.0.0.1:{receiver_port}/")
        channels = [
            httpx.post(
                f"{base}/_kizuna/channels", json={"name": f"C{n}", "webhookUrl": receiver_url}
            ).json()["channelId"]
            for n in range(args.channels)
        ]
        connection = await asyncpg.connect(dsn)
        by_id = {
            row["channel_id"]: int(row["id"])
            for row in await connection.fetch("SELECT id, channel_id FROM channels")
        }
        keys = [by_id[channel] for channel in channels]
        # One unmeasured round: connections, prepared statements and the worker's pools warm up.
        await kizuna_round(
            connection, queue, queue_name, keys, args.channels * 4, 10**9, worker.pid
        )
        await baseline(receiver_url, args.events // 10)
        bare_rates: list[float] = []
        rates: list[float] = []
        cpu_per_request: list[float] = []
        for round_number in range(args.rounds):
            bare_rates.append(await baseline(receiver_url, args.events))
            elapsed, logged, cpu = await kizuna_round(
                connection,
                queue,
                queue_name,
                keys,
                args.events,
                round_number * args.events,
                worker.pid,
            )
            if logged != args.events:
                raise RuntimeError(f"{logged} attempts logged for {args.events} events")
            rates.append(args.events / elapsed)
            cpu_per_request.append(cpu / args.events * 1000)
        await connection.close()
        bare, rate = statistics.median(bare_rates), statistics.median(rates)
        print(
            f"bare aiohttp POST loop: median {bare:,.0f} requests/s "
            f"{[round(r) for r in bare_rates]} ({args.events:,} requests, 32 at a time)"
        )
        print(
            f"Kizuna, one worker: median {rate:,.0f} signed single-event requests/s "
            f"{[round(r) for r in rates]} ({args.events:,} events over {args.channels} "
            f"channels per round, every attempt logged)"
        )
        print(
            f"the worker's CPU per request: median {statistics.median(cpu_per_request):.3f} ms "
            f"{[round(c, 3) for c in cpu_per_request]}"
        )
        print(f"ratio Kizuna / bare (medians): {rate / bare:.2f}")
    finally:
        await queue.aclose()
        stop(server)
        stop(worker)
        receiver.kill()
        await admin.execute(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')
        await admin.close()


if __name__ == "__main__":
    asyncio.run(main())
