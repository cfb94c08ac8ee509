"""Counters of requests per fixed window, for rate limits.

In the scaled mode the counters live in Redis so every server process shares them; embedded,
they live in this process.
"""

import time
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from redis.asyncio import Redis

PREFIX = "kizuna:rate:"


class Counter(Protocol):
    async def hit(self, key: str, window_seconds: int) -> int:
        """Count one request in the window named by `key`; answer the count so far."""
        ...

    async def reset(self) -> None:
        """Forget every window (the control plane's reset)."""
        ...


class LocalCounter:
    def __init__(self) -> None:
        self._counts: dict[str, int] = {}
        self._window = -1

    async def hit(self, key: str, window_seconds: int) -> int:
        # Keys carry their window number, so old ones are dropped whenever a second turns.
        now = int(time.time())
        if now != self._window:
            self._window = now
            self._counts = {k: v for k, v in self._counts.items() if _alive(k, now)}
        count = self._counts.get(key, 0) + 1
        self._counts[key] = count
        return count

    async def reset(self) -> None:
        self._counts.clear()


def _alive(key: str, now: int) -> bool:
    _, window, span = key.rsplit(":", 2)
    return (int(window) + 1) * int(span) > now


class RedisCounter:
    def __init__(self, redis: "Redis") -> None:
        self._redis = redis

    async def hit(self, key: str, window_seconds: int) -> int:
        async with self._redis.pipeline(transaction=False) as pipe:
            pipe.incr(key)
            pipe.expire(key, window_seconds + 1)
            count, _ = await pipe.execute()
        return int(count)

    async def reset(self) -> None:
        keys = [key async for key in self._redis.scan_iter(match=f"{PREFIX}*", count=1000)]
        if keys:
            await self._redis.delete(*keys)
