"""Signed single-event webhook requests per second from one `kizuna worker`, against a bare
aiohttp POST loop to the same receiver.

    python bench/webhook.py [--events 3000] [--channels 32]

A trivial receiver (aiohttp, its own process) answers 200 to everything. Baseline: this process
POSTs the same number of signed 1 KB bodies with aiohttp, 32 at a time. Kizuna: `kizuna serve` and
one `kizuna worker` on Postgres + Redis with `KIZUNA_WEBHOOK_MAX_EVENTS=1`; the events are written
to the outbox directly (so the figure is the dispatcher's, not the control plane's), one
dispatch is started per channel, and the clock runs until every event is sent, each attempt
logged. Loopback only; the database is dropped at the end.
"""

import argparse
import asyncio
import json
import subprocess
import sys
import time
import uuid
from datetime import UTC, datetime

import aiohttp
import asyncpg
import httpx
from benchkit import free_port, kizuna, stop, wait_up

ADMIN = "postgresql://postgres@127.0.0.1:5432/postgres"
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


async def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--events", type=int, default=3000)
    parser.add_argument("--channels", type=int, default=32)
    args = parser.parse_args()
    receiver_port = free_port()
    receiver = subprocess.Popen([sys.executable, "-c", RECEIVER, str(receiver_port)])
    database = f"kizuna_bench_{uuid.uuid4().hex[:8]}"
    admin = await asyncpg.connect(ADMIN)
    await admin.execute(f'CREATE DATABASE "{database}"')
    dsn = f"postgresql://postgres@127.0.0.1:5432/{database}"
    port = free_port()
    env: dict[str, str | None] = {
        "DATABASE_URL": dsn,
        "REDIS_URL": "redis://127.0.0.1:6379/0",
        "KIZUNA_QUEUE_NAME": f"kizuna:bench:{database}",
        "KIZUNA_DEMO_CHANNEL": "false",
        "KIZUNA_LOG_LEVEL": "warning",
        "KIZUNA_WEBHOOK_MAX_EVENTS": "1",
    }
    server = kizuna(["serve", "--port", str(port)], env)
    worker = kizuna(["worker"], env)
    try:
        base = f"http://127.0.0.1:{port}"
        wait_up(f"{base}/_kizuna/health")
        receiver_url = f"http://127.0.0.1:{receiver_port}/callback"
        wait_up(f"http://127.0.0.1:{receiver_port}/")
        bare = await baseline(receiver_url, args.events)
        channels = [
            httpx.post(
                f"{base}/_kizuna/channels", json={"name": f"C{n}", "webhookUrl": receiver_url}
            ).json()["channelId"]
            for n in range(args.channels)
        ]
        connection = await asyncpg.connect(dsn)
        keys = {
            row["channel_id"]: row["id"]
            for row in await connection.fetch("SELECT id, channel_id FROM channels")
        }
        now = datetime.now(UTC)
        rows = []
        for n in range(args.events):
            channel_pk = keys[channels[n % len(channels)]]
            event = payload(n, "U" + f"{n:032x}")
            rows.append((channel_pk, event["webhookEventId"], json.dumps(event), now))
        await connection.executemany(
            "INSERT INTO webhook_events (channel_pk, event_id, payload, state, attempts, "
            "created_at) VALUES ($1, $2, $3::json, 'pending', 0, $4)",
            rows,
        )
        started = time.perf_counter()
        async with httpx.AsyncClient(base_url=base) as client:
            await asyncio.gather(
                *(client.post(f"/_kizuna/channels/{c}/webhook/redeliver") for c in channels)
            )
        deadline = started + 300
        while time.perf_counter() < deadline:
            left = await connection.fetchval(
                "SELECT count(*) FROM webhook_events WHERE state <> 'sent'"
            )
            if left == 0:
                break
            await asyncio.sleep(0.02)
        elapsed = time.perf_counter() - started
        attempts = await connection.fetchval("SELECT count(*) FROM webhook_attempts WHERE success")
        await connection.close()
        rate = args.events / elapsed
        print(f"bare aiohttp POST loop: {bare:,.0f} requests/s ({args.events:,} requests)")
        print(
            f"Kizuna, one worker: {rate:,.0f} signed single-event requests/s "
            f"({args.events:,} events over {args.channels} channels in {elapsed:.2f} s, "
            f"{attempts:,} attempts logged)"
        )
        print(f"ratio Kizuna / bare: {rate / bare:.2f}")
    finally:
        stop(server)
        stop(worker)
        receiver.kill()
        await admin.execute(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')
        await admin.close()


if __name__ == "__main__":
    asyncio.run(main())
