from typing import TypeVar

from sqlalchemy.ext.asyncio import AsyncSession

from app.models.base import Base

RowT = TypeVar("RowT", bound=Base)


class Repository:
    """Base of every repository: the request's session, and adding rows through it."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def add(self, row: RowT) -> RowT:
        self.session.add(row)
        await self.session.flush()
        return row
