"""What the benchmark scripts share: ports, servers on loopback, medians and memory."""

import os
import signal
import socket
import statistics
import subprocess
import sys
import time
import uuid
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import asyncpg
import httpx

ADMIN = "postgresql://postgres@127.0.0.1:5432/postgres"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_up(url: str, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            httpx.get(url, timeout=2)
            return
        except httpx.TransportError:
            time.sleep(0.1)
    raise RuntimeError(f"{url} did not come up")


def kizuna(
    args: Sequence[str], env: dict[str, str | None], **kwargs: object
) -> "subprocess.Popen[bytes]":
    """`kizuna <args>` as a child process with this interpreter, output discarded; a None in
    `env` removes that variable from the inherited environment."""
    merged = {**os.environ, **env}
    return subprocess.Popen(
        [sys.executable, "-m", "app.cli", *args],
        env={name: value for name, value in merged.items() if value is not None},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        **kwargs,  # type: ignore[call-overload]
    )


def stop(process: "subprocess.Popen[bytes]") -> None:
    process.send_signal(signal.SIGINT)
    try:
        process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        process.kill()


def peak_rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return 0.0


def describe(name: str, rows: int, times: list[float]) -> str:
    median = statistics.median(times)
    return (
        f"{name}: median {median:.2f} s ({rows / median:,.0f} rows/s) "
        f"{[round(t, 2) for t in times]}"
    )


def cpu_seconds(pid: int) -> float:
    """CPU time (user + system) the process has used so far."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


@dataclass
class PushTarget:
    """A `kizuna serve` on its own Postgres database with one channel and one friend."""

    base: str
    access_token: str
    body: dict[str, Any]  # a push to the friend
    server: "subprocess.Popen[bytes]"


@asynccontextmanager
async def push_target(
    name: str, processes: int, env: dict[str, str | None]
) -> AsyncIterator[PushTarget]:
    """Serve on a new database (dropped afterwards), with `env` on top of quiet logs."""
    database = f"kizuna_bench_{uuid.uuid4().hex[:8]}"
    admin = await asyncpg.connect(ADMIN)
    await admin.execute(f'CREATE DATABASE "{database}"')
    port = free_port()
    server = kizuna(
        ["serve", "--port", str(port), "--workers", str(processes)],
        {
            "DATABASE_URL": f"postgresql://postgres@127.0.0.1:5432/{database}",
            "KIZUNA_DEMO_CHANNEL": "false",
            "KIZUNA_LOG_LEVEL": "warning",
            **env,
        },
    )
    try:
        base = f"http://127.0.0.1:{port}"
        wait_up(f"{base}/_kizuna/health")
        channel = httpx.post(f"{base}/_kizuna/channels", json={"name": name}).json()
        user = httpx.post(f"{base}/_kizuna/users", json={"displayName": "Friend"}).json()["userId"]
        httpx.post(f"{base}/_kizuna/channels/{channel['channelId']}/users/{user}/follow")
        body = {
            "to": user,
            "messages": [{"type": "text", "text": name}],
            "notificationDisabled": False,
        }
        yield PushTarget(base, channel["accessToken"], body, server)
    finally:
        stop(server)
        await admin.execute(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')
        await admin.close()
