"""Push throughput on Postgres with two server processes, against a bare FastAPI endpoint.

    python bench/push.py [--seconds 10] [--connections 64] [--processes 2]

Both servers run under uvicorn with the same number of processes on loopback; the load
generator (raw asyncio streams, in this process) sends signed-in push requests to one friend
for a fixed time with a fixed number of connections and counts 200s. The baseline endpoint
parses the same JSON body and answers a sentMessages body without touching a database, so the
ratio is what Kizuna's real work (auth, validation, rows, commit) costs.
"""

import argparse
import asyncio
import json
import subprocess
import sys
import time
import uuid
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import asyncpg
import httpx
from benchkit import free_port, kizuna, stop, wait_up

ADMIN = "postgresql://postgres@127.0.0.1:5432/postgres"
BARE_APP = """
from fastapi import FastAPI, Request

app = FastAPI()


@app.post("/v2/bot/message/push")
async def push(request: Request) -> dict:
    body = await request.json()
    sent = [{"id": "500000000000000001", "quoteToken": "q"} for _ in body["messages"]]
    return {"sentMessages": sent}
"""


async def load(
    url: str, token: str, body: dict[str, Any], seconds: float, connections: int
) -> tuple[int, int]:
    """Keep-alive HTTP/1.1 over raw asyncio streams: the generator's own CPU cost stays small,
    so on a 2-core box more of the machine is left to the servers being compared."""
    parts = urlsplit(url)
    payload = json.dumps(body).encode()
    request = (
        f"POST {parts.path} HTTP/1.1\r\nHost: {parts.netloc}\r\n"
        f"Authorization: Bearer {token}\r\nContent-Type: application/json\r\n"
        f"Content-Length: {len(payload)}\r\n\r\n"
    ).encode() + payload
    ok = failed = 0
    deadline = time.perf_counter() + seconds

    async def loop() -> None:
        nonlocal ok, failed
        reader, writer = await asyncio.open_connection(parts.hostname, parts.port)
        try:
            while time.perf_counter() < deadline:
                writer.write(request)
                head = await reader.readuntil(b"\r\n\r\n")
                length = 0
                for line in head.split(b"\r\n"):
                    if line[:15].lower() == b"content-length:":
                        length = int(line[15:])
                await reader.readexactly(length)
                if head[9:12] == b"200":
                    ok += 1
                else:
                    failed += 1
        finally:
            writer.close()

    await asyncio.gather(*(loop() for _ in range(connections)))
    return ok, failed


async def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=float, default=10)
    parser.add_argument("--connections", type=int, default=64)
    parser.add_argument("--processes", type=int, default=2)
    args = parser.parse_args()
    database = f"kizuna_bench_{uuid.uuid4().hex[:8]}"
    admin = await asyncpg.connect(ADMIN)
    await admin.execute(f'CREATE DATABASE "{database}"')
    bare_dir = Path(f"/tmp/{database}")
    bare_dir.mkdir()
    (bare_dir / "bare.py").write_text(BARE_APP)
    port, bare_port = free_port(), free_port()
    env: dict[str, str | None] = {
        "DATABASE_URL": f"postgresql://postgres@127.0.0.1:5432/{database}",
        "KIZUNA_RATE_LIMITS": "off",
        "KIZUNA_DEMO_CHANNEL": "false",
        "KIZUNA_LOG_LEVEL": "warning",
    }
    server = kizuna(["serve", "--port", str(port), "--workers", str(args.processes)], env)
    bare = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "uvicorn",
            "bare:app",
            "--port",
            str(bare_port),
            "--workers",
            str(args.processes),
            "--log-level",
            "warning",
            "--no-access-log",
        ],
        cwd=str(bare_dir),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        wait_up(f"http://127.0.0.1:{port}/_kizuna/health")
        wait_up(f"http://127.0.0.1:{bare_port}/docs")
        base = f"http://127.0.0.1:{port}"
        channel = httpx.post(f"{base}/_kizuna/channels", json={"name": "Bench"}).json()
        user = httpx.post(f"{base}/_kizuna/users", json={"displayName": "Friend"}).json()["userId"]
        httpx.post(f"{base}/_kizuna/channels/{channel['channelId']}/users/{user}/follow")
        body = {
            "to": user,
            "messages": [{"type": "text", "text": "Hello"}],
            "notificationDisabled": False,
        }
        results = {}
        for name, url in (("bare FastAPI", f"http://127.0.0.1:{bare_port}"), ("Kizuna", base)):
            await load(
                f"{url}/v2/bot/message/push", channel["accessToken"], body, 2, args.connections
            )
            ok, failed = await load(
                f"{url}/v2/bot/message/push",
                channel["accessToken"],
                body,
                args.seconds,
                args.connections,
            )
            results[name] = ok / args.seconds
            print(
                f"{name}: {ok / args.seconds:,.0f} push requests/s "
                f"({ok:,} ok, {failed} failed, {args.connections} connections, "
                f"{args.processes} processes)"
            )
        print(f"ratio Kizuna / bare: {results['Kizuna'] / results['bare FastAPI']:.2f}")
    finally:
        stop(server)
        stop(bare)
        await admin.execute(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')
        await admin.close()
        for path in bare_dir.iterdir():
            path.unlink()
        bare_dir.rmdir()


if __name__ == "__main__":
    asyncio.run(main())
