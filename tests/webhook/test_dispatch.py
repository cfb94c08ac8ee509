"""The dispatcher under load: many channels and events, dispatchers racing, order per user."""

import asyncio
import signal
import subprocess
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from app.config import Settings
from app.kit.db import create_engine, create_session_maker
from app.kit.migrate import run_migrations
from app.kit.services import Services
from app.models import Channel, EventState, WebhookAttempt, WebhookEvent
from app.webhook import dispatch
from tests.support import services as svc
from tests.support.bot import BotServer
from tests.support.control import ChannelInfo, Control
from tests.support.live import LiveServer
from tests.support.scaled import start_worker


@pytest.fixture
def bots() -> Iterator[list[BotServer]]:
    started: list[BotServer] = []
    yield started
    for bot in started:
        bot.stop()


def _listening(control: Control, bots: list[BotServer], count: int) -> list[ChannelInfo]:
    channels = []
    for n in range(count):
        channel = control.channel(f"Channel {n}")
        bot = BotServer(channel.channel_secret).start()
        bots.append(bot)
        control.webhook(channel, url=bot.url)
        channels.append(channel)
    return channels


def _texts_by_user(bot: BotServer) -> dict[str, list[str]]:
    texts: dict[str, list[str]] = {}
    for event in bot.events:
        if event.type == "message":
            texts.setdefault(event.source.user_id, []).append(event.message.text)
    return texts


def test_many_channels_and_users_get_every_event_once_in_each_users_order(
    server: LiveServer, control: Control, bots: list[BotServer]
) -> None:
    channels = _listening(control, bots, 4)
    users = {c.channel_id: [control.user(f"User {n}") for n in range(3)] for c in channels}
    for channel in channels:
        for user in users[channel.channel_id]:
            control.follow(channel, user)
    control.wait_for_jobs()

    def talk(channel: ChannelInfo, user: str) -> list[str]:
        # Each user speaks in order; users and channels speak at the same time.
        speaker = Control(server.base_url)
        try:
            return [
                speaker.say(channel, user, {"type": "text", "text": f"{user[-4:]}-{n}"})[
                    "webhookEventId"
                ]
                for n in range(8)
            ]
        finally:
            speaker.close()

    pairs = [(c, u) for c in channels for u in users[c.channel_id]]
    with ThreadPoolExecutor(max_workers=len(pairs)) as pool:
        said = list(pool.map(lambda pair: talk(*pair), pairs))
    control.wait_for_jobs()

    for channel, bot in zip(channels, bots, strict=True):
        assert bot.errors == []
        ids = [event.webhook_event_id for event in bot.events]
        assert len(ids) == len(set(ids)) == 3 + 3 * 8  # the follows, then every message once
        spoken = {
            i for (c, _), batch in zip(pairs, said, strict=True) if c == channel for i in batch
        }
        assert spoken <= set(ids)
        for user, texts in _texts_by_user(bot).items():
            assert texts == [f"{user[-4:]}-{n}" for n in range(8)]
        attempts = control.webhook_attempts(channel)
        assert len(attempts) == len(bot.received) and all(a["success"] for a in attempts)
        assert sorted(i for a in attempts for i in a["eventIds"]) == sorted(ids)


def _payload(n: int, user: str) -> dict[str, Any]:
    return {
        "type": "message",
        "mode": "active",
        "timestamp": 1_790_000_000_000 + n,
        "source": {"type": "user", "userId": user},
        "webhookEventId": f"01DISPATCH{n:016d}",
        "replyToken": f"{n:032x}",
        "message": {"id": str(10**17 + n), "type": "text", "quoteToken": "q", "text": str(n)},
    }


async def _outbox(
    session_maker: async_sessionmaker[AsyncSession],
    channels: list[ChannelInfo],
    per_channel: int,
    users: int,
) -> dict[str, list[int]]:
    """Pending events written straight to the outbox (nothing is woken); answers the ids of
    each channel's events in the order written."""
    written: dict[str, list[int]] = {}
    async with session_maker() as session:
        for c, channel in enumerate(channels):
            key = await session.scalar(
                select(Channel.id).where(Channel.channel_id == channel.channel_id)
            )
            assert key is not None
            numbers = [c * per_channel + n for n in range(per_channel)]
            for n in numbers:
                session.add(
                    WebhookEvent(
                        channel_pk=key,
                        event_id=_payload(n, "")["webhookEventId"],
                        payload=_payload(n, f"U{n % users:032x}"),
                        state=EventState.PENDING,
                        attempts=0,
                        created_at=datetime.now(UTC),
                    )
                )
            written[channel.channel_id] = numbers
        await session.commit()
    return written


async def _settled(session_maker: async_sessionmaker[AsyncSession]) -> dict[EventState, int]:
    async with session_maker() as session:
        rows = await session.execute(
            select(WebhookEvent.state, func.count()).group_by(WebhookEvent.state)
        )
        return {state: count for state, count in rows.all()}


@pytest.mark.asyncio
async def test_racing_dispatchers_send_each_event_once_in_order(
    database_url: str,
    server: LiveServer,
    control: Control,
    bots: list[BotServer],
    session_maker: async_sessionmaker[AsyncSession],
) -> None:
    if not database_url.startswith("postgresql"):
        pytest.skip("several dispatchers (processes) share a database only on Postgres")
    channels = _listening(control, bots, 3)
    written = await _outbox(session_maker, channels, per_channel=60, users=4)
    settings = Settings(DATABASE_URL=database_url, KIZUNA_DEMO_CHANNEL=False)
    # Two more "workers" besides the server, each woken several times for every channel.
    others = [await Services.start(settings, use_arq=False) for _ in range(2)]
    try:
        async with session_maker() as session:
            keys = list(
                await session.scalars(
                    select(Channel.id).where(
                        Channel.channel_id.in_([c.channel_id for c in channels])
                    )
                )
            )
        wakes = [
            dispatch.dispatcher(services).dispatch(key)
            for services in others
            for key in keys
            for _ in range(3)
        ]
        redeliver = [
            asyncio.to_thread(
                control.http.post, f"/_kizuna/channels/{c.channel_id}/webhook/redeliver"
            )
            for c in channels
        ]
        await asyncio.gather(*wakes, *redeliver)
        await asyncio.to_thread(control.wait_for_jobs)
    finally:
        for services in others:
            await services.close()

    assert await _settled(session_maker) == {EventState.SENT: 180}
    for channel, bot in zip(channels, bots, strict=True):
        assert bot.errors == []
        numbers = [int(event.message.text) for event in bot.events]
        assert sorted(numbers) == written[channel.channel_id]  # each once
        assert numbers == written[channel.channel_id]  # one channel's events go in order
        assert all(not event.delivery_context.is_redelivery for event in bot.events)
    async with session_maker() as session:
        logged = await session.scalar(select(func.count()).select_from(WebhookAttempt))
    assert logged == sum(len(bot.received) for bot in bots)


@pytest.mark.asyncio
async def test_a_chain_out_of_time_gives_its_events_back_uncounted(
    database_url: str,
    server: LiveServer,
    control: Control,
    bots: list[BotServer],
    session_maker: async_sessionmaker[AsyncSession],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    if not database_url.startswith("postgresql"):
        pytest.skip("chains are the fast lane's (Postgres)")
    monkeypatch.setattr(dispatch, "CHAIN_BUDGET", timedelta(0))  # one request per chain
    (channel,) = _listening(control, bots, 1)
    written = await _outbox(session_maker, [channel], per_channel=12, users=2)
    settings = Settings(
        DATABASE_URL=database_url, KIZUNA_DEMO_CHANNEL=False, KIZUNA_WEBHOOK_MAX_EVENTS="1"
    )
    services = await Services.start(settings, use_arq=False)
    try:
        async with session_maker() as session:
            key = await session.scalar(
                select(Channel.id).where(Channel.channel_id == channel.channel_id)
            )
        assert key is not None
        assert await dispatch.dispatcher(services).dispatch(key) == 12
    finally:
        await services.close()
    (bot,) = bots
    assert [int(event.message.text) for event in bot.events] == written[channel.channel_id]
    async with session_maker() as session:
        attempts = set(await session.scalars(select(WebhookEvent.attempts)))
    assert attempts == {1}  # events given back unsent did not count an attempt


def test_packs_are_what_successive_claims_would_send() -> None:
    first, again = False, True
    assert dispatch._packs([first] * 5, 2) == [[0, 1], [2, 3], [4]]
    # Among the first `size` left, those of the first one's kind; the others wait their turn.
    assert dispatch._packs([again, first, again, first, first], 3) == [[0, 2], [1, 3, 4]]
    assert dispatch._packs([first, again, again], 1) == [[0], [1], [2]]
    assert dispatch._packs([], 3) == []


@pytest.mark.asyncio
async def test_closing_finishes_the_request_in_flight_and_gives_the_rest_back(
    database_url: str,
    server: LiveServer,
    control: Control,
    bots: list[BotServer],
    session_maker: async_sessionmaker[AsyncSession],
) -> None:
    """A worker shut down mid-send leaves nothing `sending`: what was in flight is logged, what
    was claimed and unsent is pending again, its attempt uncounted."""
    if not database_url.startswith("postgresql"):
        pytest.skip("the dispatcher is the fast lane's (Postgres)")
    (channel,) = _listening(control, bots, 1)
    (bot,) = bots
    holding, release = threading.Event(), threading.Event()

    def hold(_event: Any) -> None:
        holding.set()
        release.wait(timeout=30)

    bot.on_event = hold
    written = await _outbox(session_maker, [channel], per_channel=5, users=1)
    settings = Settings(
        DATABASE_URL=database_url, KIZUNA_DEMO_CHANNEL=False, KIZUNA_WEBHOOK_MAX_EVENTS="1"
    )
    services = await Services.start(settings, use_arq=False)
    try:
        async with session_maker() as session:
            key = await session.scalar(
                select(Channel.id).where(Channel.channel_id == channel.channel_id)
            )
        assert key is not None
        dispatcher = dispatch.dispatcher(services)
        dispatcher.wake(key)
        assert await asyncio.to_thread(holding.wait, 30)
        # Closing waits for the request in flight: released, it is sent and logged (below).
        closing = asyncio.create_task(services.close())
        for _ in range(10_000):  # until the dispatcher has begun to close (a few loop turns)
            if dispatcher._closing:
                break
            await asyncio.sleep(0)
        assert dispatcher._closing and not closing.done()
        release.set()
        await asyncio.wait_for(closing, timeout=30)
        assert await dispatcher.dispatch(key) == 0  # closed: it takes no more work
    finally:
        release.set()
        await services.close()

    assert [int(event.message.text) for event in bot.events] == written[channel.channel_id][:1]
    async with session_maker() as session:
        rows = (await session.execute(select(WebhookEvent.state, WebhookEvent.attempts))).all()
        logged = list(await session.scalars(select(WebhookAttempt.success)))
    assert sorted(rows) == sorted([(EventState.SENT, 1)] + [(EventState.PENDING, 0)] * 4)
    assert logged == [True]


async def _states(url: str) -> dict[str, tuple[EventState, int]]:
    """Each message event's state and attempts, by its text."""
    engine = create_engine(url)
    try:
        async with create_session_maker(engine)() as session:
            rows = await session.execute(
                select(WebhookEvent.payload, WebhookEvent.state, WebhookEvent.attempts)
            )
            return {
                payload["message"]["text"]: (state, attempts)
                for payload, state, attempts in rows.all()
                if payload["type"] == "message"
            }
    finally:
        await engine.dispose()


def _until(condition: Callable[[], bool], what: str, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"not within {timeout} s: {what}")
        time.sleep(0.02)


def test_a_worker_woken_through_redis_sends_and_its_shutdown_leaves_nothing_sending(
    tmp_path: Path, bots: list[BotServer]
) -> None:
    svc.require("redis")
    svc.require("postgres")
    with svc.temporary_postgres_database() as url:
        run_migrations(url)
        env = {
            "DATABASE_URL": url,
            "REDIS_URL": svc.REDIS_URL,
            "KIZUNA_QUEUE_NAME": f"kizuna:test:{uuid.uuid4().hex}",
            "KIZUNA_WEBHOOK_MAX_EVENTS": "1",
            "KIZUNA_DEMO_CHANNEL": "false",
        }
        server = LiveServer(
            url, REDIS_URL=env["REDIS_URL"], KIZUNA_QUEUE_NAME=env["KIZUNA_QUEUE_NAME"]
        ).start()
        control = Control(server.base_url)
        workers: list[subprocess.Popen[bytes]] = []
        holding, release = threading.Event(), threading.Event()
        try:
            (channel,) = _listening(control, bots, 1)
            (bot,) = bots

            def hold(event: Any) -> None:
                if getattr(getattr(event, "message", None), "text", None) == "hold":
                    holding.set()
                    release.wait(timeout=30)

            bot.on_event = hold
            user = control.user()
            control.follow(channel, user)
            workers.append(start_worker(env, tmp_path / "worker.log"))
            control.say(channel, user, {"type": "text", "text": "hi"})
            _until(lambda: any(getattr(e, "message", None) for e in bot.events), "hi arrives")

            for text in ("hold", "a", "b"):
                control.say(channel, user, {"type": "text", "text": text})
            _until(holding.is_set, "the bot holds a request")
            workers[0].send_signal(signal.SIGINT)
            log = tmp_path / "worker.log"
            _until(lambda: "shutdown on SIGINT" in log.read_text(), "the worker shuts down")
            release.set()  # its request still in flight
            assert workers[0].wait(timeout=30) == 0
            states = asyncio.run(_states(url))
            assert states["hold"] == (EventState.SENT, 1)  # finished, logged
            assert states["a"] == states["b"] == (EventState.PENDING, 0)  # given back

            # The next worker's first sweep sends what the last one gave back, in order.
            workers.append(start_worker(env, tmp_path / "worker.log"))
            _until(lambda: len(bot.events) == 5, "a and b arrive")
            texts = [e.message.text for e in bot.events if getattr(e, "message", None)]
            assert texts == ["hi", "hold", "a", "b"]
            # The bot has them before their attempts are logged.
            _until(lambda: len(control.webhook_attempts(channel)) == 5, "every attempt logged")
            assert all(a["success"] for a in control.webhook_attempts(channel))
        finally:
            release.set()
            for worker in workers:
                if worker.poll() is None:
                    worker.kill()
                    worker.wait()
            control.close()
            server.stop()


@pytest.mark.asyncio
async def test_a_claim_holds_its_channels_locks_with_no_stale_claim_to_release(
    database_url: str,
) -> None:
    """The locks keep two dispatchers from claiming one channel at once; they used to be taken
    only when there was a stale claim to release."""
    if not database_url.startswith("postgresql"):
        pytest.skip("the claim's locks are the fast lane's (Postgres)")
    from app.webhook.repository import CHANNEL_LOCK_BASE, LOCK_AND_RELEASE_SQL

    services = await Services.start(Settings(DATABASE_URL=database_url), use_arq=False)
    assert services.fast_lane is not None
    try:
        async with services.fast_lane.transaction() as connection:
            now = datetime.now(UTC)
            await connection.execute(LOCK_AND_RELEASE_SQL, CHANNEL_LOCK_BASE, [7, 3], now)
            other = await services.fast_lane.fetch(
                "SELECT pg_try_advisory_xact_lock($1::bigint + k) AS free FROM unnest($2::int[]) k",
                CHANNEL_LOCK_BASE,
                [3, 7, 8],
            )
            assert [row["free"] for row in other] == [False, False, True]
            assert await connection.fetchval("SHOW synchronous_commit") == "off"
    finally:
        await services.close()
