from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from typing import Any, TypeVar

from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from app.kit.errors import LineError
from app.models.base import Base

RowT = TypeVar("RowT", bound=Base)


class Repository:
    """Base of every repository: the request's session, and adding rows through it."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    def insert(self, table: Any) -> Any:
        """An INSERT with ON CONFLICT, in the session's dialect."""
        dialect = self.session.get_bind().dialect.name
        return (pg_insert if dialect == "postgresql" else sqlite_insert)(table)

    async def add(self, row: RowT) -> RowT:
        self.session.add(row)
        await self.session.flush()
        return row


@asynccontextmanager
async def unique_or(
    session: AsyncSession, conflict: Callable[[str], LineError]
) -> AsyncIterator[None]:
    """Flushes the rows added in the block; a unique key a concurrent request took since the
    check answers `conflict(the database's message)` (the transaction is rolled back)."""
    try:
        yield
        await session.flush()
    except IntegrityError as error:
        raise conflict(str(error.orig)) from error
