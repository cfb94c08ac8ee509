"""Reaching the real Postgres and Redis the suite needs.

Locally a missing service skips the tests that need it; under CI (CI=true) it fails them, so a
green CI run always means they ran.
"""

import asyncio
import contextlib
import os
import socket
import uuid
from collections.abc import Iterator
from urllib.parse import urlparse

import pytest

POSTGRES_ADMIN_URL = os.environ.get(
    "KIZUNA_TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/postgres"
)
REDIS_URL = os.environ.get("KIZUNA_TEST_REDIS_URL", "redis://127.0.0.1:6379/0")


def in_ci() -> bool:
    return os.environ.get("CI", "").lower() in {"1", "true", "yes"}


def _reachable(url: str, default_port: int) -> bool:
    parsed = urlparse(url)
    try:
        with socket.create_connection(
            (parsed.hostname or "127.0.0.1", parsed.port or default_port), 2
        ):
            return True
    except OSError:
        return False


def require(service: str) -> None:
    url, port = (POSTGRES_ADMIN_URL, 5432) if service == "postgres" else (REDIS_URL, 6379)
    if _reachable(url, port):
        return
    message = f"{service} is not reachable at {url}"
    if in_ci():
        pytest.fail(f"{message} (CI=true: tests that need it fail instead of skipping)")
    pytest.skip(message)


def new_database_name() -> str:
    return f"kizuna_test_{uuid.uuid4().hex[:12]}"


def asyncpg_url(database: str) -> str:
    parsed = urlparse(POSTGRES_ADMIN_URL)
    netloc = parsed.netloc
    return f"postgresql+asyncpg://{netloc}/{database}"


def admin_dsn() -> str:
    return POSTGRES_ADMIN_URL


async def _admin(sql: str) -> None:
    import asyncpg

    connection = await asyncpg.connect(admin_dsn())
    try:
        await connection.execute(sql)
    finally:
        await connection.close()


@contextlib.contextmanager
def temporary_postgres_database() -> Iterator[str]:
    """A new, empty Postgres database (its SQLAlchemy URL), dropped afterwards."""
    require("postgres")
    name = new_database_name()
    asyncio.run(_admin(f'CREATE DATABASE "{name}"'))
    try:
        yield asyncpg_url(name)
    finally:
        asyncio.run(_admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
