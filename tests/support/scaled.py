"""Scaled mode in the suite: a live server on Postgres and Redis, `kizuna worker` processes
beside it, and the fan-out's progress read from the database."""

import asyncio
import contextlib
import os
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import httpx
from sqlalchemy import func, select

from app.kit.db import create_engine, create_session_maker
from app.kit.migrate import run_migrations
from app.models import DeliveryBatch, FanoutDelivery
from tests.support.live import LiveServer


@contextlib.contextmanager
def scaled_server(
    database_url: str, redis_url: str, span: int, **worker_env: str
) -> Iterator[tuple[LiveServer, dict[str, str]]]:
    """A migrated database, a server sending fan-outs in batches of `span` friendships to its
    own queue, and the environment a worker of that queue needs (`worker_env` on top: one job
    at a time unless said)."""
    run_migrations(database_url)
    env = {
        "DATABASE_URL": database_url,
        "REDIS_URL": redis_url,
        "KIZUNA_QUEUE_NAME": f"kizuna:test:{uuid.uuid4().hex}",
        "KIZUNA_BATCH_SPAN": str(span),
        "KIZUNA_WORKER_MAX_JOBS": "1",
        **worker_env,
    }
    server = LiveServer(
        database_url,
        REDIS_URL=redis_url,
        KIZUNA_QUEUE_NAME=env["KIZUNA_QUEUE_NAME"],
        KIZUNA_BATCH_SPAN=span,
    ).start()
    try:
        yield server, env
    finally:
        server.stop()


def start_worker(env: dict[str, str], log: Path) -> subprocess.Popen[bytes]:
    with log.open("ab") as output:
        return subprocess.Popen(
            [sys.executable, "-m", "app.cli", "worker"],
            env={**os.environ, **env},
            stdout=output,
            stderr=subprocess.STDOUT,
        )


def broadcast(server: LiveServer, access_token: str, text: str) -> None:
    response = httpx.post(
        f"{server.base_url}/v2/bot/message/broadcast",
        headers={"Authorization": f"Bearer {access_token}"},
        json={"messages": [{"type": "text", "text": text}]},
    )
    assert response.status_code == 200, response.text


async def progress(url: str) -> tuple[int, int, dict[int, int]]:
    """(batches done, batches in all, copies per follower) of the database's fan-outs."""
    engine = create_engine(url)
    try:
        async with create_session_maker(engine)() as session:
            done = await session.scalar(select(func.count()).where(DeliveryBatch.done.is_(True)))
            total = await session.scalar(select(func.count()).select_from(DeliveryBatch))
            rows = await session.execute(
                select(FanoutDelivery.user_pk, func.count()).group_by(FanoutDelivery.user_pk)
            )
            return int(done or 0), int(total or 0), {r[0]: r[1] for r in rows}
    finally:
        await engine.dispose()


def wait_for_batches(url: str, at_least: int, seconds: float = 60) -> tuple[int, int]:
    """(done, total) once at least `at_least` batches are done; fails after `seconds`."""
    deadline = time.monotonic() + seconds
    while True:
        done, total, _ = asyncio.run(progress(url))
        if done >= at_least:
            return done, total
        assert time.monotonic() < deadline, f"{done} of {total} batches done, not {at_least}"
        time.sleep(0.02)
