"""One small job interface with two backends: arq on Redis (scaled) and an in-process runner.

Job functions are plain `async def job(ctx, **kwargs)`; `ctx["services"]` is the running
`Services`. They do not know which backend runs them, and every job is safe to run twice.
"""

import asyncio
import json
import logging
from collections.abc import Awaitable, Callable, Coroutine
from typing import TYPE_CHECKING, Any, Protocol, cast

if TYPE_CHECKING:
    from arq.connections import ArqRedis

log = logging.getLogger(__name__)

JobFunction = Callable[..., Coroutine[Any, Any, Any]]
JOBS: dict[str, JobFunction] = {}
WAKE_UPS: set[str] = set()


def job(function: JobFunction) -> JobFunction:
    """Register a job function under its own name."""
    JOBS[function.__name__] = function
    return function


def wake_up(function: JobFunction) -> JobFunction:
    """Register a job that only wakes a process up to look at the database, where its work is,
    and returns at once; a periodic sweep there finds whatever a lost wake-up left.

    Under arq (when the queue is told wake-ups are safe to send so) it travels on a Redis list
    the workers block on: an arq job waits for the worker's poll and costs it several Redis
    round trips of bookkeeping, most of the time between a user action and its webhook.
    """
    WAKE_UPS.add(function.__name__)
    return job(function)


class JobQueue(Protocol):
    async def enqueue(self, name: str, /, **kwargs: Any) -> None: ...

    async def enqueue_in(self, seconds: float, name: str, /, **kwargs: Any) -> None:
        """Run the job once `seconds` have passed (not counted by `drain`)."""
        ...

    async def close(self) -> None: ...


class InProcessQueue:
    """Runs jobs as tasks on the server's own event loop (the embedded mode)."""

    max_tries = 3

    def __init__(
        self,
        ctx: dict[str, Any],
        registry: dict[str, JobFunction] = JOBS,
        *,
        shutdown_seconds: float = 10,
    ) -> None:
        self._ctx = ctx
        self._shutdown_seconds = shutdown_seconds  # how long `close` lets running jobs finish
        self._registry = registry
        self._tasks: set[asyncio.Task[None]] = set()
        self._timers: set[asyncio.TimerHandle] = set()

    async def enqueue_in(self, seconds: float, name: str, /, **kwargs: Any) -> None:
        loop = asyncio.get_running_loop()

        def fire() -> None:
            self._timers.discard(timer)
            self._start(name, kwargs)

        timer = loop.call_later(max(seconds, 0), fire)
        self._timers.add(timer)

    async def enqueue(self, name: str, /, **kwargs: Any) -> None:
        self._start(name, kwargs)

    def _start(self, name: str, kwargs: dict[str, Any]) -> None:
        function = self._registry[name]
        task = asyncio.create_task(self._run(name, function, kwargs), name=f"job:{name}")
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _run(self, name: str, function: JobFunction, kwargs: dict[str, Any]) -> None:
        for attempt in range(1, self.max_tries + 1):
            try:
                await function({**self._ctx, "job_try": attempt}, **kwargs)
                return
            except asyncio.CancelledError:
                raise
            except Exception:
                log.exception("job %s failed (try %d of %d)", name, attempt, self.max_tries)
                await asyncio.sleep(0.05 * 2**attempt)

    async def drain(self) -> None:
        """Wait until every job enqueued so far (and any they enqueue) has finished."""
        while self._tasks:
            await asyncio.gather(*list(self._tasks), return_exceptions=True)

    async def close(self) -> None:
        for timer in self._timers:
            timer.cancel()
        self._timers.clear()
        try:
            await asyncio.wait_for(self.drain(), timeout=self._shutdown_seconds)
        except TimeoutError:
            for task in list(self._tasks):
                task.cancel()
            await asyncio.gather(*list(self._tasks), return_exceptions=True)


# Wake-ups kept for workers that are not listening (the newest; the sweep covers the others).
WAKE_UP_BACKLOG = 10_000
WAKE_UP_TTL_SECONDS = 24 * 3600
# Wake-ups taken per round trip, and how long one blocking read waits before it reads again.
WAKE_UP_BATCH = 256
WAKE_UP_BLOCK_SECONDS = 1


class ArqQueue:
    """Sends jobs to arq workers through Redis (the scaled mode).

    With `wake_ups` on, jobs registered by `wake_up` go on a Redis list instead, each taken
    by one of the workers blocked on it (`listen`) the moment it is pushed. Enqueuing one does
    not wait for Redis: the wake-ups of the moment go in one push behind the caller's back,
    so a busy Redis never holds up the answer to a user (a push that fails is logged; the
    sweep finds its work).
    """

    def __init__(self, pool: "ArqRedis", queue_name: str, *, wake_ups: bool = False) -> None:
        self._pool = pool
        self._queue_name = queue_name
        self._wake_ups = wake_ups
        self.wake_up_key = f"{queue_name}:wake-ups"
        self._listener: asyncio.Task[None] | None = None
        self._running: set[asyncio.Task[None]] = set()
        self._to_push: dict[str, None] = {}  # wake-ups not yet pushed, once each, in order
        self._pusher: asyncio.Task[None] | None = None

    @classmethod
    async def connect(
        cls, redis_url: str, queue_name: str, *, wake_ups: bool = False
    ) -> "ArqQueue":
        from arq import create_pool
        from arq.connections import RedisSettings

        pool = await create_pool(RedisSettings.from_dsn(redis_url))
        return cls(pool, queue_name, wake_ups=wake_ups)

    async def enqueue(self, name: str, /, **kwargs: Any) -> None:
        if self._wake_ups and name in WAKE_UPS:
            self._to_push[json.dumps([name, kwargs], sort_keys=True)] = None
            if self._pusher is None or self._pusher.done():
                self._pusher = asyncio.create_task(self._push_wake_ups(), name="wake-up pusher")
            return
        await self._pool.enqueue_job(name, _queue_name=self._queue_name, **kwargs)

    async def _push_wake_ups(self) -> None:
        key = self.wake_up_key
        while self._to_push:
            batch, self._to_push = list(self._to_push), {}
            try:
                pipeline = self._pool.pipeline(transaction=False)
                pipeline.rpush(key, *batch)
                pipeline.ltrim(key, -WAKE_UP_BACKLOG, -1)
                pipeline.expire(key, WAKE_UP_TTL_SECONDS)
                await pipeline.execute()
            except Exception:
                log.exception("pushing %d wake-ups to Redis failed", len(batch))

    async def flush(self) -> None:
        """Once every wake-up enqueued so far is pushed (or failed to be)."""
        while self._pusher is not None and not self._pusher.done():
            await self._pusher

    async def enqueue_in(self, seconds: float, name: str, /, **kwargs: Any) -> None:
        await self._pool.enqueue_job(
            name, _queue_name=self._queue_name, _defer_by=max(seconds, 0), **kwargs
        )

    def listen(self, ctx: dict[str, Any], registry: dict[str, JobFunction] = JOBS) -> None:
        """Run the wake-ups pushed on this queue's list (a worker), until `close`."""
        if self._listener is None or self._listener.done():
            self._listener = asyncio.create_task(self._listen(ctx, registry), name="wake-ups")

    async def _listen(self, ctx: dict[str, Any], registry: dict[str, JobFunction]) -> None:
        key = self.wake_up_key
        while True:
            try:
                # redis-py types its commands for both its clients: these are the async one's.
                popped = await cast(
                    "Awaitable[list[bytes] | None]",
                    self._pool.blpop([key], timeout=WAKE_UP_BLOCK_SECONDS),
                )
                if popped is None:
                    continue
                more = await cast(
                    "Awaitable[list[bytes] | None]", self._pool.lpop(key, WAKE_UP_BATCH)
                )
            except asyncio.CancelledError:
                raise
            except Exception:
                log.exception("reading wake-ups from Redis failed")
                await asyncio.sleep(WAKE_UP_BLOCK_SECONDS)
                continue
            # The same wake-up pushed many times meanwhile runs once.
            for raw in dict.fromkeys([popped[1], *(more or [])]):
                try:
                    name, kwargs = json.loads(raw)
                except (ValueError, TypeError):  # one bad entry must not end the listener
                    log.error("unreadable wake-up %r", raw[:200])
                    continue
                function = registry.get(name)
                if function is None:
                    log.error("unknown wake-up %r", name)
                    continue
                task = asyncio.create_task(self._run(name, function, ctx, kwargs))
                self._running.add(task)
                task.add_done_callback(self._running.discard)

    @staticmethod
    async def _run(
        name: str, function: JobFunction, ctx: dict[str, Any], kwargs: dict[str, Any]
    ) -> None:
        try:
            await function({**ctx, "job_try": 1}, **kwargs)
        except Exception:
            log.exception("wake-up %s failed", name)

    async def close(self) -> None:
        await self.flush()
        if self._listener is not None:
            self._listener.cancel()
            await asyncio.gather(self._listener, return_exceptions=True)
        await asyncio.gather(*self._running, return_exceptions=True)
        await self._pool.aclose()
