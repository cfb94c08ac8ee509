"""Redis losing its queue in the middle of a fan-out (flushed, or gone and back empty): the
batches' jobs are gone, and the reconciler sends again, from Postgres, every batch not yet
delivered. Each follower still gets exactly one copy."""

import asyncio
import signal
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.faults.private import PrivateRedis, private_redis
from tests.support import services as svc
from tests.support.control import Control
from tests.support.live import LiveServer
from tests.support.scaled import broadcast, progress, scaled_server, start_worker, wait_for_batches

FOLLOWERS = 3_000
SPAN = 20  # 150 batches


@pytest.fixture
def scaled_on_private_redis() -> Iterator[tuple[PrivateRedis, LiveServer, dict[str, str]]]:
    with (
        private_redis() as redis,
        svc.temporary_postgres_database() as url,
        scaled_server(url, redis.url, SPAN, KIZUNA_RECONCILE_SECONDS="1") as (server, env),
    ):
        yield redis, server, env


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
        broadcast(server, channel.access_token, "once")
        _, total = wait_for_batches(env["DATABASE_URL"], 5)
        # First the queue is flushed: the worker lives on, its cron reconciles.
        redis.flushall()
        finished = _done(env)
        assert finished < total, "the fan-out ended before Redis lost its queue"
        # The reconciler sends the lost batches again.
        wait_for_batches(env["DATABASE_URL"], finished + 20)
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
