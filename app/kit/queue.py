"""One small job interface with two backends: arq on Redis (scaled) and an in-process runner.

Job functions are plain `async def job(ctx, **kwargs)`; `ctx["services"]` is the running
`Services`. They do not know which backend runs them, and every job is safe to run twice.
"""

import asyncio
import logging
from collections.abc import Callable, Coroutine
from typing import TYPE_CHECKING, Any, Protocol

if TYPE_CHECKING:
    from arq.connections import ArqRedis

log = logging.getLogger(__name__)

JobFunction = Callable[..., Coroutine[Any, Any, Any]]
JOBS: dict[str, JobFunction] = {}


def job(function: JobFunction) -> JobFunction:
    """Register a job function under its own name."""
    JOBS[function.__name__] = function
    return function


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


class ArqQueue:
    """Sends jobs to arq workers through Redis (the scaled mode)."""

    def __init__(self, pool: "ArqRedis", queue_name: str) -> None:
        self._pool = pool
        self._queue_name = queue_name

    @classmethod
    async def connect(cls, redis_url: str, queue_name: str) -> "ArqQueue":
        from arq import create_pool
        from arq.connections import RedisSettings

        return cls(await create_pool(RedisSettings.from_dsn(redis_url)), queue_name)

    async def enqueue(self, name: str, /, **kwargs: Any) -> None:
        await self._pool.enqueue_job(name, _queue_name=self._queue_name, **kwargs)

    async def enqueue_in(self, seconds: float, name: str, /, **kwargs: Any) -> None:
        await self._pool.enqueue_job(
            name, _queue_name=self._queue_name, _defer_by=max(seconds, 0), **kwargs
        )

    async def close(self) -> None:
        await self._pool.aclose()
