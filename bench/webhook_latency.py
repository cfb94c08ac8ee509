"""Latency from a user action to its webhook at the bot, at a fixed rate of actions.

    python bench/webhook_latency.py [--rate 500] [--seconds 10] [--modes scaled,embedded]

A receiver (aiohttp, its own process) stands for the bots and notes when each event arrives.
This process POSTs user messages to the control plane (`/_kizuna/channels/{id}/users/{id}/
messages`) on a fixed schedule (open loop: a slow answer does not delay the next action) over
keep-alive connections, and each latency runs from the action's scheduled time to its arrival
at the receiver (both `time.monotonic()`, one clock for every process of the machine).

Modes: `scaled` is `kizuna serve` plus one `kizuna worker` on Postgres + Redis; `embedded` is
`kizuna serve` alone on Postgres, jobs in-process. Baseline, same run: the same schedule of
POSTs straight to the receiver (one HTTP hop and no database), the floor the machine allows.
Every load loop is bounded in count and time; loopback only; the databases are dropped.
"""

import argparse
import asyncio
import json
import statistics
import subprocess
import sys
import time
import uuid
from dataclasses import dataclass

import asyncpg
import httpx
from benchkit import free_port, kizuna, stop, wait_up

ADMIN = "postgresql://postgres@127.0.0.1:5432/postgres"
REDIS = "redis://127.0.0.1:6379/0"
CHANNELS = 8
USERS_PER_CHANNEL = 16
CONNECTIONS = 64
ARRIVAL_WAIT = 30.0
RECEIVER = """
import json
import sys
import time
from aiohttp import web

arrived = {}

async def callback(request):
    body = await request.read()
    now = time.monotonic()
    for event in json.loads(body).get("events", []):
        text = event.get("message", {}).get("text")
        if text is not None:
            arrived[text] = now
    return web.Response(text="ok")

async def results(request):
    prefix = request.query.get("prefix", "")
    return web.json_response({k: v for k, v in arrived.items() if k.startswith(prefix)})

app = web.Application()
app.router.add_get("/results", results)
app.router.add_post("/{tail:.*}", callback)
web.run_app(app, host="127.0.0.1", port=int(sys.argv[1]), print=None, access_log=None)
"""


@dataclass(frozen=True)
class Sent:
    planned: list[float]  # when each POST was due (monotonic)
    answered: dict[int, float]  # when its 2xx answer came, by index
    refused: int  # non-2xx answers
    seconds: float  # from the first due POST to the last one written


@dataclass(frozen=True)
class Phase:
    latencies: list[float]  # due to arrival at the bot, seconds, of what arrived
    answers: list[float]  # due to the 2xx answer of the POST, seconds
    legs: list[float]  # the answer to arrival at the bot: the webhook's own leg, seconds
    sent: int
    refused: int
    seconds: float


async def schedule(port: int, posts: list[tuple[str, bytes]], rate: float) -> Sent:
    """POSTs `posts[n]` (path, body) to 127.0.0.1:`port` at `n / rate` seconds from now, over
    CONNECTIONS keep-alive connections; what is not sent within three times the planned span
    (plus 10 s) is not sent at all."""
    count = len(posts)
    start = time.monotonic() + 0.2
    cutoff = start + 3 * count / rate + 10
    planned = [start + n / rate for n in range(count)]
    queue: asyncio.Queue[int] = asyncio.Queue()
    for n in range(count):
        queue.put_nowait(n)
    answered: dict[int, float] = {}
    refused = 0
    last = start

    async def connection() -> None:
        nonlocal refused, last
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        try:
            while not queue.empty() and time.monotonic() < cutoff:
                n = queue.get_nowait()
                delay = planned[n] - time.monotonic()
                if delay > 0:
                    await asyncio.sleep(delay)
                path, body = posts[n]
                head = (
                    f"POST {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n"
                    f"Content-Type: application/json\r\nContent-Length: {len(body)}\r\n\r\n"
                )
                writer.write(head.encode() + body)
                last = max(last, time.monotonic())
                answer = await reader.readuntil(b"\r\n\r\n")
                length = 0
                for line in answer.split(b"\r\n"):
                    if line[:15].lower() == b"content-length:":
                        length = int(line[15:])
                await reader.readexactly(length)
                if answer[9:10] == b"2":
                    answered[n] = time.monotonic()
                else:
                    refused += 1
        finally:
            writer.close()

    await asyncio.wait_for(
        asyncio.gather(*(connection() for _ in range(CONNECTIONS))), timeout=cutoff - start + 30
    )
    return Sent(planned, answered, refused, last - start)


async def arrivals(receiver: str, prefix: str, count: int) -> dict[str, float]:
    deadline = time.monotonic() + ARRIVAL_WAIT
    async with httpx.AsyncClient() as client:
        while True:
            arrived: dict[str, float] = (
                await client.get(f"{receiver}/results", params={"prefix": prefix})
            ).json()
            if len(arrived) >= count or time.monotonic() > deadline:
                return arrived
            await asyncio.sleep(0.2)


async def measure(
    receiver: str, port: int, posts: list[tuple[str, bytes]], prefix: str, rate: float
) -> Phase:
    """Send on schedule, then wait (bounded) for the receiver to have every event of `prefix`."""
    sent = await schedule(port, posts, rate)
    arrived = await arrivals(receiver, prefix, len(sent.answered))
    planned = sent.planned
    latencies = [
        arrived[f"{prefix}{n}"] - planned[n] for n in range(len(posts)) if f"{prefix}{n}" in arrived
    ]
    answers = [at - planned[n] for n, at in sent.answered.items()]
    legs = [
        arrived[f"{prefix}{n}"] - at for n, at in sent.answered.items() if f"{prefix}{n}" in arrived
    ]
    return Phase(
        latencies, answers, legs, len(sent.answered) + sent.refused, sent.refused, sent.seconds
    )


def percentiles(values: list[float]) -> str:
    ordered = sorted(values)

    def at(share: float) -> float:
        return ordered[min(len(ordered) - 1, int(share * len(ordered)))] * 1000

    return (
        f"p50 {statistics.median(ordered) * 1000:.1f} ms, p90 {at(0.9):.1f} ms, "
        f"p99 {at(0.99):.1f} ms, max {ordered[-1] * 1000:.1f} ms"
    )


def describe(name: str, phase: Phase, planned: int) -> str:
    if not phase.latencies:
        return f"{name}: nothing arrived ({phase.sent:,} sent, {phase.refused} refused)"
    return (
        f"{name}: {percentiles(phase.latencies)} "
        f"({phase.sent:,} of {planned:,} sent at {phase.sent / phase.seconds:,.0f}/s, "
        f"{len(phase.latencies):,} arrived, {phase.refused} refused)"
    )


def bot_posts(prefix: str, count: int) -> list[tuple[str, bytes]]:
    """The baseline's requests: webhook-shaped bodies straight to the receiver."""
    return [
        (
            "/cb",
            json.dumps(
                {"destination": "U" + "0" * 32, "events": [{"message": {"text": f"{prefix}{n}"}}]}
            ).encode(),
        )
        for n in range(count)
    ]


async def run(mode: str, rate: float, seconds: float, receiver: str, receiver_port: int) -> None:
    scaled = mode == "scaled"
    database = f"kizuna_bench_{uuid.uuid4().hex[:8]}"
    admin = await asyncpg.connect(ADMIN)
    await admin.execute(f'CREATE DATABASE "{database}"')
    port = free_port()
    env: dict[str, str | None] = {
        "DATABASE_URL": f"postgresql://postgres@127.0.0.1:5432/{database}",
        "REDIS_URL": REDIS if scaled else None,
        "KIZUNA_QUEUE_NAME": f"kizuna:bench:{database}",
        "KIZUNA_DEMO_CHANNEL": "false",
        "KIZUNA_LOG_LEVEL": "warning",
        "KIZUNA_RATE_LIMITS": "off",
    }
    processes = [kizuna(["serve", "--port", str(port)], env)]
    if scaled:
        processes.append(kizuna(["worker"], env))
    try:
        wait_up(f"http://127.0.0.1:{port}/_kizuna/health")
        paths = []
        with httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=30) as client:
            for c in range(CHANNELS):
                channel = client.post(
                    "/_kizuna/channels", json={"name": f"C{c}", "webhookUrl": f"{receiver}/cb"}
                ).json()["channelId"]
                for u in range(USERS_PER_CHANNEL):
                    user = client.post("/_kizuna/users", json={"displayName": f"U{c}-{u}"})
                    user_id = user.json()["userId"]
                    client.post(f"/_kizuna/channels/{channel}/users/{user_id}/follow")
                    paths.append(f"/_kizuna/channels/{channel}/users/{user_id}/messages")

        def actions(prefix: str, count: int) -> list[tuple[str, bytes]]:
            return [
                (
                    paths[n % len(paths)],
                    json.dumps({"type": "text", "text": f"{prefix}{n}"}).encode(),
                )
                for n in range(count)
            ]

        # One unmeasured second of each: connections, pools and caches warm up.
        warm = int(rate)
        await measure(receiver, port, actions(f"warm-{mode}-", warm), f"warm-{mode}-", rate)
        await measure(receiver, receiver_port, bot_posts(f"wb-{mode}-", warm), f"wb-{mode}-", rate)
        count = int(rate * seconds)
        bare = await measure(
            receiver, receiver_port, bot_posts(f"base-{mode}-", count), f"base-{mode}-", rate
        )
        kizuna_phase = await measure(
            receiver, port, actions(f"act-{mode}-", count), f"act-{mode}-", rate
        )
        print(f"{mode} ({rate:,.0f} actions/s for {seconds:g} s):")
        print(describe("  baseline, the same POSTs straight to the bot", bare, count))
        print(describe(f"  Kizuna {mode}, user message to webhook at the bot", kizuna_phase, count))
        if kizuna_phase.answers:
            print(f"    the control plane's answer: {percentiles(kizuna_phase.answers)}")
        if kizuna_phase.legs:
            print(f"    from that answer to the bot: {percentiles(kizuna_phase.legs)}")
        if kizuna_phase.latencies and bare.latencies:
            ratio = statistics.median(kizuna_phase.latencies) / statistics.median(bare.latencies)
            print(f"  p50 Kizuna / baseline: {ratio:.1f}")
    finally:
        for process in processes:
            stop(process)
        await admin.execute(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')
        await admin.close()


async def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rate", type=float, default=500)
    parser.add_argument("--seconds", type=float, default=10)
    parser.add_argument("--modes", default="scaled,embedded")
    args = parser.parse_args()
    receiver_port = free_port()
    receiver_process = subprocess.Popen([sys.executable, "-c", RECEIVER, str(receiver_port)])
    receiver = f"http://127.0.0.1:{receiver_port}"
    try:
        wait_up(f"{receiver}/results")
        for mode in args.modes.split(","):
            await run(mode, args.rate, args.seconds, receiver, receiver_port)
    finally:
        receiver_process.kill()


if __name__ == "__main__":
    asyncio.run(main())
