"""A worker killed with SIGKILL in the middle of a broadcast loses and duplicates nothing."""

import asyncio
import signal
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import select

from app.kit.db import create_engine, create_session_maker
from app.models import MessageRequest
from tests.support import services as svc
from tests.support.control import Control
from tests.support.live import LiveServer
from tests.support.scaled import broadcast, progress, scaled_server, start_worker, wait_for_batches

FOLLOWERS = 20_000
SPAN = 100  # 200 batches


@pytest.fixture
def scaled() -> Iterator[tuple[LiveServer, dict[str, str]]]:
    svc.require("redis")
    with (
        svc.temporary_postgres_database() as url,
        scaled_server(url, svc.REDIS_URL, SPAN) as (server, env),
    ):
        yield server, env


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
        broadcast(server, channel.access_token, "exactly once")
        wait_for_batches(env["DATABASE_URL"], 10)
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
