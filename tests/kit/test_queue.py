"""The job interface on both backends, with a real job and real Redis."""

import asyncio
import uuid
from datetime import timedelta

import pytest
from arq.worker import Worker
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from app.api.oauth.service import TokenService
from app.config import Settings
from app.control.channels.service import ChannelService
from app.kit.clock import Clock
from app.kit.db import transaction
from app.kit.ids import IdFactory
from app.kit.queue import WAKE_UPS, ArqQueue, InProcessQueue
from app.kit.services import Services
from app.models import AccessToken
from app.worker import worker_settings
from tests.support import services as svc


async def make_dead_token(session_maker: async_sessionmaker[AsyncSession]) -> tuple[int, int]:
    """A channel with one short-lived token dead for 8 days and one live long-lived token."""
    old_clock = Clock(offset=-timedelta(days=40))
    ids = IdFactory()
    async with transaction(session_maker) as session:
        created = await ChannelService(session, Clock(), ids).create("Queue test")
        tokens = TokenService(session, old_clock, ids)
        await tokens.issue_short_lived(
            "client_credentials", created.channel.channel_id, created.channel.secret
        )
        return created.channel.id, len(
            (
                await session.scalars(
                    select(AccessToken).where(AccessToken.channel_pk == created.channel.id)
                )
            ).all()
        )


async def tokens_left(session_maker: async_sessionmaker[AsyncSession], channel_pk: int) -> int:
    async with session_maker() as session:
        rows = await session.scalars(
            select(AccessToken).where(AccessToken.channel_pk == channel_pk)
        )
        return len(rows.all())


@pytest.mark.asyncio
async def test_in_process_queue_runs_the_job(database_url: str) -> None:
    services = await Services.start(Settings(DATABASE_URL=database_url), use_arq=False)
    try:
        assert isinstance(services.queue, InProcessQueue)
        channel_pk, before = await make_dead_token(services.session_maker)
        assert before == 2
        await services.queue.enqueue("purge_dead_tokens")
        await services.queue.drain()
        assert await tokens_left(services.session_maker, channel_pk) == 1
    finally:
        await services.close()


@pytest.mark.asyncio
async def test_in_process_queue_retries_a_failing_job() -> None:
    calls: list[int] = []

    async def flaky(ctx: dict[str, object]) -> None:
        calls.append(int(str(ctx["job_try"])))
        if len(calls) < 3:
            raise RuntimeError("not yet")

    queue = InProcessQueue({}, {"flaky": flaky})
    await queue.enqueue("flaky")
    await queue.drain()
    assert calls == [1, 2, 3]


@pytest.mark.asyncio
async def test_arq_worker_runs_the_job(database_url: str) -> None:
    svc.require("redis")
    settings = Settings(
        DATABASE_URL=database_url,
        REDIS_URL=svc.REDIS_URL,
        KIZUNA_QUEUE_NAME=f"kizuna:test:{uuid.uuid4().hex}",
    )
    services = await Services.start(settings)
    try:
        assert isinstance(services.queue, ArqQueue)
        channel_pk, _ = await make_dead_token(services.session_maker)
        await services.queue.enqueue("purge_dead_tokens")
        options = worker_settings(settings)
        options.pop("cron_jobs")
        worker = Worker(**options, burst=True)
        try:
            await worker.main()
        finally:
            await worker.close()
        # The startup reconcile pass runs alongside the job the test queued.
        assert (worker.jobs_complete, worker.jobs_failed) == (2, 0)
        assert await tokens_left(services.session_maker, channel_pk) == 1
    finally:
        await services.close()


@pytest.mark.asyncio
async def test_in_process_delayed_jobs_run_later_and_close_cancels_the_rest() -> None:
    ran: list[str] = []

    async def note(ctx: dict[str, object], label: str) -> None:
        ran.append(label)

    queue = InProcessQueue({}, registry={"note": note})
    await queue.enqueue_in(0.05, "note", label="soon")
    await queue.enqueue_in(60, "note", label="never")
    await queue.drain()  # delayed jobs are not waited for
    assert ran == []
    await asyncio.sleep(0.2)
    await queue.drain()
    assert ran == ["soon"]
    await queue.close()
    assert not queue._timers  # the hour-away job was cancelled, not left to fire later


@pytest.mark.asyncio
async def test_arq_wake_ups_go_on_their_list_and_a_listening_worker_runs_them_once() -> None:
    svc.require("redis")
    from app.webhook import dispatch  # registers dispatch_webhooks as a wake-up

    assert "dispatch_webhooks" in WAKE_UPS and "purge_dead_tokens" not in WAKE_UPS
    name = f"kizuna:test:{uuid.uuid4().hex}"
    queue = await ArqQueue.connect(svc.REDIS_URL, name, wake_ups=True)
    woken: list[int] = []
    done = asyncio.Event()

    async def dispatch_webhooks(ctx: dict[str, object], channel_pk: int) -> None:
        assert ctx["services"] == "the worker's"
        woken.append(channel_pk)
        if channel_pk == 3:
            done.set()

    try:
        for channel_pk in (1, 2, 1, 1, 2):
            await queue.enqueue(dispatch.dispatch_webhooks.__name__, channel_pk=channel_pk)
        await queue.enqueue("purge_dead_tokens")
        await queue.flush()
        redis = queue._pool
        # Pushed behind the callers' backs, the same one once.
        assert await redis.lrange(queue.wake_up_key, 0, -1) == [
            b'["dispatch_webhooks", {"channel_pk": 1}]',
            b'["dispatch_webhooks", {"channel_pk": 2}]',
        ]
        assert await redis.zcard(name) == 1  # the ordinary job went to arq, as before
        # Another server pushes the same one meanwhile: it runs once with the others.
        await redis.rpush(queue.wake_up_key, b'["dispatch_webhooks", {"channel_pk": 2}]')
        # Entries it cannot read (another version's, a stray write) are logged and skipped.
        await redis.rpush(queue.wake_up_key, b"not json", b'["one part"]')
        queue.listen({"services": "the worker's"}, {"dispatch_webhooks": dispatch_webhooks})
        await asyncio.sleep(0)  # the listener takes what was pushed before it listened
        await queue.enqueue("dispatch_webhooks", channel_pk=3)  # and what comes after
        await asyncio.wait_for(done.wait(), timeout=10)
        assert woken == [1, 2, 3]
        assert await redis.llen(queue.wake_up_key) == 0
    finally:
        await queue._pool.delete(name, queue.wake_up_key)
        await queue.close()


@pytest.mark.asyncio
async def test_arq_without_wake_ups_sends_them_as_jobs() -> None:
    svc.require("redis")
    name = f"kizuna:test:{uuid.uuid4().hex}"
    queue = await ArqQueue.connect(svc.REDIS_URL, name)
    try:
        await queue.enqueue("dispatch_webhooks", channel_pk=1)
        await queue.flush()
        assert await queue._pool.zcard(name) == 1
        assert await queue._pool.llen(queue.wake_up_key) == 0
    finally:
        await queue._pool.delete(name)
        await queue.close()
