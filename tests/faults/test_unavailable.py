"""Which errors mean "the database cannot be reached now" (503) rather than a bug (500)."""

import errno

import asyncpg
import pytest
from sqlalchemy.exc import DBAPIError, IntegrityError
from sqlalchemy.exc import TimeoutError as PoolTimeout

from app.kit.db import database_unavailable


def _wrapped(error: BaseException) -> BaseException:
    try:
        try:
            raise error
        except BaseException as inner:
            raise RuntimeError("while handling a request") from inner
    except RuntimeError as outer:
        return outer


@pytest.mark.parametrize(
    "error",
    [
        ConnectionRefusedError(errno.ECONNREFUSED, "Connect call failed"),
        OSError("Multiple exceptions: [Errno 111] Connect call failed"),
        asyncpg.exceptions.ConnectionDoesNotExistError("connection was closed"),
        asyncpg.exceptions.CannotConnectNowError("the database system is shutting down"),
        asyncpg.exceptions.AdminShutdownError("terminating connection"),
        asyncpg.exceptions.TooManyConnectionsError("too many clients"),
        asyncpg.InterfaceError("connection is closed"),
        DBAPIError("SELECT 1", None, Exception("gone"), connection_invalidated=True),
        PoolTimeout("QueuePool limit reached"),
    ],
)
def test_unreachable(error: BaseException) -> None:
    assert database_unavailable(error)
    assert database_unavailable(_wrapped(error))


@pytest.mark.parametrize(
    "error",
    [
        ValueError("bad"),
        FileNotFoundError(errno.ENOENT, "no such file"),
        IntegrityError("INSERT", None, Exception("duplicate key")),
        asyncpg.exceptions.UniqueViolationError("duplicate key"),
        asyncpg.InterfaceError("cannot perform operation: another operation is in progress"),
    ],
)
def test_failed_statements_and_bugs_are_not(error: BaseException) -> None:
    assert not database_unavailable(error)
    assert not database_unavailable(_wrapped(error))
