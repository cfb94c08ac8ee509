from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from app.kit.services import Services


class UnitOfWork:
    """One session committed once, and the jobs that may only start after that commit."""

    def __init__(self, services: Services, session: AsyncSession) -> None:
        self.services = services
        self.session = session
        self._jobs: list[tuple[str, dict[str, Any]]] = []

    def enqueue_after_commit(self, name: str, /, **kwargs: Any) -> None:
        self._jobs.append((name, kwargs))

    async def commit(self) -> None:
        await self.session.commit()
        jobs, self._jobs = self._jobs, []
        for name, kwargs in jobs:
            await self.services.queue.enqueue(name, **kwargs)


async def unit_of_work(services: Services) -> AsyncIterator[UnitOfWork]:
    async with services.session_maker() as session:
        uow = UnitOfWork(services, session)
        try:
            yield uow
            await uow.commit()
        except BaseException:
            await session.rollback()
            raise


# For a route that opens its unit of work only on some paths (a dependency always would).
unit_of_work_scope = asynccontextmanager(unit_of_work)
