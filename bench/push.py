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

from benchkit import free_port, push_target, stop, wait_up

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
    bare_dir = Path(f"/tmp/kizuna_bare_{uuid.uuid4().hex[:8]}")
    bare_dir.mkdir()
    (bare_dir / "bare.py").write_text(BARE_APP)
    bare_port = free_port()
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
    env: dict[str, str | None] = {"KIZUNA_RATE_LIMITS": "off"}
    try:
        async with push_target("Hello", args.processes, env) as target:
            wait_up(f"http://127.0.0.1:{bare_port}/docs")
            token, body = target.access_token, target.body
            results = {}
            for name, url in (
                ("bare FastAPI", f"http://127.0.0.1:{bare_port}"),
                ("Kizuna", target.base),
            ):
                await load(f"{url}/v2/bot/message/push", token, body, 2, args.connections)
                ok, failed = await load(
                    f"{url}/v2/bot/message/push",
                    token,
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
        stop(bare)
        for path in bare_dir.iterdir():
            path.unlink()
        bare_dir.rmdir()


if __name__ == "__main__":
    asyncio.run(main())
