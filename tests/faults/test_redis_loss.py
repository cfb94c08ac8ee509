"""Redis losing its queue in the middle of a fan-out (flushed, or gone and back empty): the
batches' jobs are gone, and the reconciler sends again, from Postgres, every batch not yet
delivered. Each follower still gets exactly one copy."""

import asyncio
import signal
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from app.kit.migrate import run_migrations
from tests.delivery.test_worker_crash import progress, start_worker
from tests.faults.private import PrivateRedis, private_redis
from tests.support import services as svc
from tests.support.control import Control
from tests.support.live import LiveServer

FOLLOWERS = 3_000
SPAN = 20  # 150 batches


@pytest.fixture
def scaled_on_private_redis() -> Iterator[tuple[PrivateRedis, LiveServer, dict[str, str]]]:
    with private_redis() as redis, svc.temporary_postgres_database() as url:
        run_migrations(url)
        env = {
            "DATABASE_URL": url,
            "REDIS_URL": redis.url,
            "KIZUNA_QUEUE_NAME": f"kizuna:test:{uuid.uuid4().hex}",
            "KIZUNA_BATCH_SPAN": str(SPAN),
            "KIZUNA_WORKER_MAX_JOBS": "1",
            "KIZUNA_RECONCILE_SECONDS": "1",
        }
        server = LiveServer(
            url,
            REDIS_URL=redis.url,
            KIZUNA_QUEUE_NAME=env["KIZUNA_QUEUE_NAME"],
            KIZUNA_BATCH_SPAN=SPAN,
        ).start()
        try:
            yield redis, server, env
        finally:
            server.stop()


def _broadcast_until(server: LiveServer, env: dict[str, str], token: str, done: int) -> int:
    response = httpx.post(
        f"{server.base_url}/v2/bot/message/broadcast",
        headers={"Authorization": f"Bearer {token}"},
        json={"messages": [{"type": "text", "text": "once"}]},
    )
    assert response.status_code == 200
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        finished, total, _ = asyncio.run(progress(env["DATABASE_URL"]))
        if finished >= done:
            return total
        time.sleep(0.01)
    raise AssertionError("the fan-out did not start")


def test_jobs_lost_by_redis_are_sent_again_from_postgres(
    scaled_on_private_redis: tuple[PrivateRedis, LiveServer, dict[str, str]],
    tmp_path: Path,
) -> None:
    redis, server, env = scaled_on_private_redis
    control = Control(server.base_url)
    channel = control.channel("Redis loss")
    control.bulk(channel, FOLLOWERS, seed=7)
    log = tmp_path / "worker.log"
    worker = start_worker(env, log)
    try:
        total = _broadcast_until(server, env, channel.access_token, done=5)
        # First the queue is flushed: the worker lives on, its cron reconciles.
        redis.flushall()
        finished = _done(env)
        assert finished < total, "the fan-out ended before Redis lost its queue"
        _wait_until(env, finished + 20)
        assert worker.poll() is None
        # Then Redis goes away under the worker and comes back empty. A worker that reaches
        # Redis while it is down exits (one back within a poll is reconnected to and lives
        # on, as above): Redis stays down until it has, so that this is the path taken.
        redis.kill()
        finished = _done(env)
        assert finished < total, "the fan-out ended before Redis went away"
        assert worker.wait(timeout=60) == 1
        assert "ConnectionError" in log.read_text()
        redis.start()
        # Its supervisor (a restart policy) starts it again, and a starting worker reconciles
        # at once; this one stays up to the end.
        worker = start_worker(env, log)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            response = control.http.post("/_kizuna/jobs/wait", params={"seconds": 0.5})
            if response.status_code == 200:
                break
        assert response.status_code == 200, log.read_text()[-3000:]
        assert worker.poll() is None, log.read_text()[-3000:]
    finally:
        worker.send_signal(signal.SIGKILL)
        worker.wait(timeout=10)
        control.close()
    finished, total, copies = asyncio.run(progress(env["DATABASE_URL"]))
    assert finished == total
    assert len(copies) == FOLLOWERS and set(copies.values()) == {1}, log.read_text()[-2000:]


def _done(env: dict[str, str]) -> int:
    return asyncio.run(progress(env["DATABASE_URL"]))[0]


def _wait_until(env: dict[str, str], done: int) -> None:
    deadline = time.monotonic() + 60
    while _done(env) < done:
        assert time.monotonic() < deadline, "the reconciler did not send the lost batches"
        time.sleep(0.05)
