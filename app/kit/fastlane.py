"""Single statements on asyncpg's own pool, for the few paths that run thousands of times a second.

The ORM costs several round trips and about a millisecond of CPU per request; a hot path that
fits in one statement runs here instead, in autocommit, at about a tenth of that. Only Postgres
has such a lane: on SQLite (one process, the embedded default) every path goes through the ORM.
"""

from typing import Any

import asyncpg
from sqlalchemy.engine import make_url


async def _nothing_to_reset(_connection: asyncpg.Connection) -> None:
    """The lane runs single autocommit statements that leave no session state behind, so the
    default reset (a four-command round trip on every release) would be pure cost."""


class FastLane:
    def __init__(self, pool: "asyncpg.Pool[asyncpg.Record]") -> None:
        self.pool = pool

    @classmethod
    async def connect(cls, database_url: str, size: int) -> "FastLane":
        url = make_url(database_url).set(drivername="postgresql")
        pool = await asyncpg.create_pool(
            url.render_as_string(hide_password=False),
            min_size=1,
            max_size=size,
            reset=_nothing_to_reset,
        )
        return cls(pool)

    async def fetchrow(self, sql: str, *args: Any) -> asyncpg.Record | None:
        async with self.pool.acquire() as connection:
            row: asyncpg.Record | None = await connection.fetchrow(sql, *args)
            return row

    async def close(self) -> None:
        await self.pool.close()
