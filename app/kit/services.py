from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from app.config import Settings
from app.kit.clock import Clock
from app.kit.db import create_engine, create_session_maker, is_sqlite
from app.kit.fastlane import FastLane
from app.kit.ids import IdFactory
from app.kit.queue import ArqQueue, InProcessQueue, JobQueue
from app.kit.ratecount import Counter, LocalCounter, RedisCounter

if TYPE_CHECKING:
    import aiohttp
    from redis.asyncio import Redis

    from app.webhook.client import WebhookClient


@dataclass
class Services:
    """What a request or a job needs, built once per process and handed on as typed state."""

    settings: Settings
    engine: AsyncEngine
    session_maker: async_sessionmaker[AsyncSession]
    clock: Clock
    ids: IdFactory
    queue: JobQueue = field(init=False)
    rate_counter: Counter = field(init=False)
    redis: "Redis | None" = None
    fast_lane: FastLane | None = None
    _http: "aiohttp.ClientSession | None" = None
    _webhook_client: "WebhookClient | None" = None

    async def http(self) -> "aiohttp.ClientSession":
        """The client that calls bots' https:// webhooks (and other outside HTTP), made on
        first use in the running loop."""
        if self._http is None or self._http.closed:
            import aiohttp

            self._http = aiohttp.ClientSession(
                connector=aiohttp.TCPConnector(limit=256, limit_per_host=64)
            )
        return self._http

    def webhook_client(self) -> "WebhookClient":
        """The lean client that calls bots' http:// webhooks (app/webhook/client.py)."""
        if self._webhook_client is None:
            from app.webhook.client import WebhookClient

            self._webhook_client = WebhookClient()
        return self._webhook_client

    @classmethod
    async def start(cls, settings: Settings, *, use_arq: bool | None = None) -> "Services":
        engine = create_engine(settings.resolved_database_url, pool_size=settings.db_pool_size)
        services = cls(
            settings=settings,
            engine=engine,
            session_maker=create_session_maker(engine),
            clock=Clock(),
            ids=IdFactory(settings.seed),
        )
        if not is_sqlite(engine):
            services.fast_lane = await FastLane.connect(
                settings.resolved_database_url, settings.db_pool_size
            )
        arq = settings.redis_url is not None if use_arq is None else use_arq
        if arq and settings.redis_url:
            # Wake-ups skip arq where a sweep on the fast lane finds what a lost one left.
            services.queue = await ArqQueue.connect(
                settings.redis_url, settings.queue_name, wake_ups=services.fast_lane is not None
            )
        else:
            services.queue = InProcessQueue(
                services.job_context(), shutdown_seconds=settings.shutdown_seconds
            )
        if settings.redis_url:
            from redis.asyncio import Redis

            services.redis = Redis.from_url(settings.redis_url)
            services.rate_counter = RedisCounter(services.redis)
        else:
            services.rate_counter = LocalCounter()
        return services

    def job_context(self) -> dict[str, Any]:
        return {"services": self}

    async def reset_runtime(self) -> None:
        """Back to real time, to the start of a seeded id sequence, and to no rate counts."""
        self.clock.reset()
        self.ids = IdFactory(self.settings.seed)
        await self.rate_counter.reset()

    async def close(self) -> None:
        if self.fast_lane is not None:
            # What runs on the lane (the webhook dispatcher) finishes or gives back its work
            # while the queue, the HTTP client and the pool are still there.
            await self.fast_lane.close_kept()
        await self.queue.close()
        if self._webhook_client is not None:
            self._webhook_client.close()
        if self._http is not None:
            await self._http.close()
        if self.redis is not None:
            await self.redis.aclose()
        if self.fast_lane is not None:
            await self.fast_lane.close()
        await self.engine.dispose()
