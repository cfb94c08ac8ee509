import errno
import hashlib
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import event
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)
from sqlalchemy.pool import NullPool

from app.control.users.population import hex_to_int


def _md5(text: str | None) -> str | None:
    return None if text is None else hashlib.md5(text.encode(), usedforsecurity=False).hexdigest()


def is_sqlite(engine_or_url: AsyncEngine | str) -> bool:
    url = engine_or_url if isinstance(engine_or_url, str) else str(engine_or_url.url)
    return url.startswith("sqlite")


def create_engine(url: str, *, pool_size: int = 10) -> AsyncEngine:
    kwargs: dict[str, Any] = {}
    if is_sqlite(url):
        database = make_url(url).database
        if database and database != ":memory:":
            Path(database).parent.mkdir(parents=True, exist_ok=True)
        # One writer at a time is SQLite's model; a pool only adds lock contention.
        kwargs["poolclass"] = NullPool
        kwargs["connect_args"] = {"timeout": 30}
    else:
        kwargs["pool_size"] = pool_size
        kwargs["max_overflow"] = pool_size
        # Pre-ping: after Postgres restarts, connections idle in the pool are dead, and without
        # it each would fail one request first. The ping is one short round trip per checkout
        # on the ORM path; the hot paths run on the fast lane, whose pool drops closed
        # connections by itself.
        kwargs["pool_pre_ping"] = True
        kwargs["pool_recycle"] = 3600
    # Parameters carry tokens and secrets: never in an error message nor in a log line.
    engine = create_async_engine(url, hide_parameters=True, **kwargs)
    if is_sqlite(url):
        # aiosqlite logs every statement with its parameters (tokens among them) at DEBUG.
        logging.getLogger("aiosqlite").setLevel(max(logging.INFO, logging.root.level))
        _configure_sqlite(engine)
    return engine


def database_unavailable(exc: BaseException) -> bool:
    """Whether an error means the database cannot be reached now (down, restarting, the
    connection lost), as opposed to a statement that failed: the first is a 503, the other a bug.
    """
    import asyncpg
    from sqlalchemy.exc import DBAPIError
    from sqlalchemy.exc import TimeoutError as PoolTimeout

    seen: set[int] = set()
    pending: list[BaseException | None] = [exc]
    while pending:
        error = pending.pop()
        if error is None or id(error) in seen:
            continue
        seen.add(id(error))
        if isinstance(error, DBAPIError) and error.connection_invalidated:
            return True
        if isinstance(error, PoolTimeout):  # every connection busy past the pool's timeout
            return True
        if _network_error(error) or isinstance(
            error,
            asyncpg.PostgresConnectionError
            | asyncpg.exceptions.OperatorInterventionError
            | asyncpg.exceptions.TooManyConnectionsError,
        ):
            return True
        if isinstance(error, asyncpg.InterfaceError) and "closed" in str(error):
            return True
        pending += [error.__cause__, error.__context__, getattr(error, "orig", None)]
    return False


def _network_error(error: BaseException) -> bool:
    if isinstance(error, ConnectionError | TimeoutError):
        return True
    # asyncio's connect reports several refused addresses as one plain OSError.
    return type(error) is OSError and (
        error.errno in NETWORK_ERRNOS or str(error).startswith("Multiple exceptions")
    )


NETWORK_ERRNOS = frozenset(
    {errno.ECONNREFUSED, errno.ECONNRESET, errno.EPIPE, errno.ETIMEDOUT, errno.EHOSTUNREACH}
)


def _configure_sqlite(engine: AsyncEngine) -> None:
    @event.listens_for(engine.sync_engine, "connect")
    def on_connect(dbapi_connection: Any, _record: Any) -> None:
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA busy_timeout=30000")
        cursor.close()
        # Postgres has md5(); the same SQL runs on SQLite with this.
        dbapi_connection.create_function("md5", 1, _md5, deterministic=True)
        dbapi_connection.create_function("kizuna_hex", 1, hex_to_int, deterministic=True)


def create_session_maker(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    return async_sessionmaker(engine, expire_on_commit=False, autoflush=False)


@asynccontextmanager
async def transaction(
    session_maker: async_sessionmaker[AsyncSession],
) -> AsyncIterator[AsyncSession]:
    """A session that commits once at the end, or rolls back if the block raises."""
    async with session_maker() as session:
        try:
            yield session
            await session.commit()
        except BaseException:
            await session.rollback()
            raise
