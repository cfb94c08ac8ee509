"""A connection the server dropped while it sat idle answers "unavailable" (a 503) on the fast
lane and on the ORM, is dropped, and the next statement runs on a fresh one."""

import struct
from collections.abc import Iterator

import asyncpg
import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from app.kit.db import create_engine, database_unavailable
from app.kit.fastlane import FastLane
from tests.support import services as svc

pytestmark = pytest.mark.asyncio


@pytest.fixture
def postgres_url() -> Iterator[str]:
    with svc.temporary_postgres_database() as url:
        yield url


def _shut_down_by_the_server(connection: asyncpg.Connection) -> None:
    """What a Postgres shutting down ("fast") sends each idle connection, as it arrives ahead
    of the socket's close: asyncpg, idle, does not expect it and wedges the connection."""
    fields = b"SFATAL\0VFATAL\0C57P01\0Mterminating connection due to administrator command\0\0"
    connection._protocol.data_received(b"E" + struct.pack("!i", len(fields) + 4) + fields)


async def test_a_lane_connection_wedged_by_a_shutdown_is_unavailable_and_replaced(
    postgres_url: str,
) -> None:
    lane = await FastLane.connect(postgres_url, size=1)
    try:
        async with lane.pool.acquire() as connection:
            first_pid = connection.get_server_pid()
            _shut_down_by_the_server(connection)
        with pytest.raises(ConnectionError) as lost:
            await lane.fetch("SELECT 1")
        assert database_unavailable(lost.value)
        rows = await lane.fetch("SELECT pg_backend_pid() AS pid")
        assert rows[0]["pid"] != first_pid
    finally:
        await lane.close()


async def test_a_wedged_transaction_on_the_lane_is_unavailable_too(postgres_url: str) -> None:
    lane = await FastLane.connect(postgres_url, size=1)
    try:
        # Closed by the failed rollback, or wedged: gone either way.
        with pytest.raises((asyncpg.InterfaceError, ConnectionError)) as lost:
            async with lane.transaction() as connection:
                _shut_down_by_the_server(connection)
                await connection.execute("SELECT 1")
        assert database_unavailable(lost.value)
        row = await lane.fetchrow("SELECT 1 AS one")
        assert row is not None and row["one"] == 1
    finally:
        await lane.close()


async def test_an_orm_connection_wedged_by_a_shutdown_is_invalidated(postgres_url: str) -> None:
    engine = create_engine(postgres_url, pool_size=1)
    try:
        async with engine.connect() as connection:
            raw = await connection.get_raw_connection()
            first_pid = raw.driver_connection.get_server_pid()
            _shut_down_by_the_server(raw.driver_connection)
            with pytest.raises(DBAPIError) as lost:
                await connection.execute(text("SELECT 1"))
        assert database_unavailable(lost.value)
        async with engine.connect() as connection:
            pid = (await connection.execute(text("SELECT pg_backend_pid()"))).scalar()
        assert pid != first_pid
    finally:
        await engine.dispose()


async def test_a_pooled_orm_connection_wedged_while_idle_is_replaced_at_checkout(
    postgres_url: str,
) -> None:
    engine = create_engine(postgres_url, pool_size=1)
    try:
        async with engine.connect() as connection:
            raw = await connection.get_raw_connection()
            first_pid = raw.driver_connection.get_server_pid()
            _shut_down_by_the_server(raw.driver_connection)
        async with engine.connect() as connection:
            pid = (await connection.execute(text("SELECT pg_backend_pid()"))).scalar()
        assert pid != first_pid
    finally:
        await engine.dispose()


async def test_kept_objects_are_closed_once_newest_first(postgres_url: str) -> None:
    lane = await FastLane.connect(postgres_url, size=1)
    closed: list[str] = []

    class Kept:
        def __init__(self, name: str) -> None:
            self.name = name

        async def aclose(self) -> None:
            closed.append(self.name)

    first = lane.keep("first", lambda: Kept("first"))
    assert lane.keep("first", lambda: Kept("again")) is first
    lane.keep("second", lambda: Kept("second"))
    # Services close what runs on the lane first, then the lane itself.
    await lane.close_kept()
    # What asks for it during the shutdown gets the closed one, not a fresh one.
    assert lane.keep("first", lambda: Kept("new")) is first
    await lane.close()
    assert closed == ["second", "first"]
