"""A worker killed with SIGKILL in the middle of a broadcast loses and duplicates nothing."""

import asyncio
import os
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from sqlalchemy import func, select

from app.kit.db import create_engine, create_session_maker
from app.kit.migrate import run_migrations
from app.models import DeliveryBatch, FanoutDelivery, MessageRequest
from tests.support import services as svc
from tests.support.control import Control
from tests.support.live import LiveServer

FOLLOWERS = 20_000
SPAN = 100  # 200 batches


@pytest.fixture
def scaled(tmp_path: Path) -> Iterator[tuple[LiveServer, dict[str, str]]]:
    svc.require("redis")
    with svc.temporary_postgres_database() as url:
        run_migrations(url)
        env = {
            "DATABASE_URL": url,
            "REDIS_URL": svc.REDIS_URL,
            "KIZUNA_QUEUE_NAME": f"kizuna:test:{uuid.uuid4().hex}",
            "KIZUNA_BATCH_SPAN": str(SPAN),
            "KIZUNA_WORKER_MAX_JOBS": "1",
        }
        server = LiveServer(
            url,
            REDIS_URL=env["REDIS_URL"],
            KIZUNA_QUEUE_NAME=env["KIZUNA_QUEUE_NAME"],
            KIZUNA_BATCH_SPAN=SPAN,
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


async def progress(url: str) -> tuple[int, int, dict[int, int]]:
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


def test_sigkill_mid_broadcast_leaves_exactly_one_copy_each(
    scaled: tuple[LiveServer, dict[str, str]], tmp_path: Path
) -> None:
    server, env = scaled
    control = Control(server.base_url)
    channel = control.channel("Crash test")
    control.bulk(channel, FOLLOWERS, seed=99)
    log = tmp_path / "worker.log"
    worker = start_worker(env, log)
    try:
        response = httpx.post(
            f"{server.base_url}/v2/bot/message/broadcast",
            headers={"Authorization": f"Bearer {channel.access_token}"},
            json={"messages": [{"type": "text", "text": "exactly once"}]},
        )
        assert response.status_code == 200
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            done, total, _ = asyncio.run(progress(env["DATABASE_URL"]))
            if done >= 10:
                break
            time.sleep(0.02)
        worker.send_signal(signal.SIGKILL)
        worker.wait(timeout=10)
        done, total, _ = asyncio.run(progress(env["DATABASE_URL"]))
        assert total == FOLLOWERS // SPAN
        assert 10 <= done < total, f"the worker was not killed mid-broadcast ({done}/{total})"
        worker = start_worker(env, log)
        control.wait_for_jobs()
    finally:
        worker.kill()
        worker.wait(timeout=10)
        control.close()
    done, total, copies = asyncio.run(progress(env["DATABASE_URL"]))
    assert done == total
    assert len(copies) == FOLLOWERS and set(copies.values()) == {1}

    async def request_state() -> tuple[str, int]:
        engine = create_engine(env["DATABASE_URL"])
        try:
            async with create_session_maker(engine)() as session:
                request = await session.scalar(select(MessageRequest))
                assert request is not None
                return request.phase.value, request.success_count
        finally:
            await engine.dispose()

    assert asyncio.run(request_state()) == ("succeeded", FOLLOWERS)
