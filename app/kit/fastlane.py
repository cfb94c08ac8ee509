"""Single statements on asyncpg's own pool, for the few paths that run thousands of times a second.

The ORM costs several round trips and about a millisecond of CPU per request; a hot path that
fits in one statement runs here instead, in autocommit, at about a tenth of that. Only Postgres
has such a lane: on SQLite (one process, the embedded default) every path goes through the ORM.
"""

from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from contextlib import asynccontextmanager
from typing import Any, TypeVar

import asyncpg
from sqlalchemy.engine import make_url

from app.kit.batcher import Batcher

In = TypeVar("In")
Out = TypeVar("Out")
Kept = TypeVar("Kept")


class LostConnection(ConnectionError):
    """A lane connection died under a statement: the database went away (a 503, not a bug).

    A server shutting down sends every idle connection a FATAL error; asyncpg, not expecting a
    message while idle, parks the connection in its error-consuming state for good, and until
    the socket's close reaches it every statement on it fails with `InternalClientError` before
    anything is sent. (SQLAlchemy's dialect already counts that as a disconnect on the ORM.)
    """


async def _nothing_to_reset(_connection: asyncpg.Connection) -> None:
    """The lane runs single autocommit statements that leave no session state behind, so the
    default reset (a four-command round trip on every release) would be pure cost."""


class FastLane:
    def __init__(self, pool: "asyncpg.Pool[asyncpg.Record]", size: int) -> None:
        self.pool = pool
        self.size = size
        self._batchers: dict[str, Batcher[Any, Any]] = {}
        self._kept: dict[str, Any] = {}
        self._closed_kept = False

    @classmethod
    async def connect(cls, database_url: str, size: int) -> "FastLane":
        url = make_url(database_url).set(drivername="postgresql")
        pool = await asyncpg.create_pool(
            url.render_as_string(hide_password=False),
            min_size=1,
            max_size=size,
            reset=_nothing_to_reset,
        )
        return cls(pool, size)

    @asynccontextmanager
    async def _connection(self) -> AsyncIterator[asyncpg.Connection]:
        async with self.pool.acquire() as connection:
            try:
                yield connection
            except asyncpg.InternalClientError as exc:
                # Dropped now rather than handed out again until its close arrives.
                connection.terminate()
                raise LostConnection("the database connection was lost") from exc

    async def fetchrow(self, sql: str, *args: Any) -> asyncpg.Record | None:
        async with self._connection() as connection:
            row: asyncpg.Record | None = await connection.fetchrow(sql, *args)
            return row

    async def fetch(self, sql: str, *args: Any) -> list[asyncpg.Record]:
        async with self._connection() as connection:
            rows: list[asyncpg.Record] = await connection.fetch(sql, *args)
            return rows

    def batcher(
        self, name: str, run: Callable[[list[In]], Awaitable[Sequence[Out]]]
    ) -> Batcher[In, Out]:
        """This lane's batcher for `name`, made on first use; each may hold half the pool."""
        if name not in self._batchers:
            self._batchers[name] = Batcher(run, concurrency=max(self.size // 2, 1))
        batcher: Batcher[In, Out] = self._batchers[name]
        return batcher

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[asyncpg.Connection]:
        """A connection in one transaction, for the rare hot path that needs a lock taken
        before its statement's snapshot (a statement sees only what committed before it began)."""
        async with self._connection() as connection, connection.transaction():
            yield connection

    def keep(self, name: str, make: Callable[[], Kept]) -> Kept:
        """This lane's `name` object, made on first use: state a process keeps once (the lane
        lives as long as the process's services, on their event loop)."""
        if name not in self._kept:
            self._kept[name] = make()
        kept: Kept = self._kept[name]
        return kept

    async def close_kept(self) -> None:
        """Close the kept objects that have an `aclose`, newest first, once. They stay kept:
        whatever still asks for one while the process shuts down gets the closed one, not a
        new one that would start working again."""
        if self._closed_kept:
            return
        self._closed_kept = True
        for kept in reversed(list(self._kept.values())):
            closer = getattr(kept, "aclose", None)
            if closer is not None:
                await closer()

    async def close(self) -> None:
        await self.close_kept()
        await self.pool.close()
