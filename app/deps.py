"""Dependency aliases every router uses.

Every dependency is `async def`: FastAPI runs plain `def` dependencies in a thread pool, a
thread hop per dependency per request.
"""

from collections.abc import AsyncIterator
from typing import Annotated

from fastapi import Depends, Request
from sqlalchemy.ext.asyncio import AsyncSession

from app.kit.clock import Clock
from app.kit.ids import IdFactory
from app.kit.services import Services
from app.kit.uow import UnitOfWork, unit_of_work


async def get_services(request: Request) -> Services:
    services: Services = request.app.state.services
    return services


ServicesDep = Annotated[Services, Depends(get_services)]


async def get_uow(services: ServicesDep) -> AsyncIterator[UnitOfWork]:
    async for uow in unit_of_work(services):
        yield uow


# scope="function": commit before the response is sent, so a failed commit is the response.
UowDep = Annotated[UnitOfWork, Depends(get_uow, scope="function")]


async def get_session(uow: UowDep) -> AsyncSession:
    return uow.session


SessionDep = Annotated[AsyncSession, Depends(get_session)]


async def get_clock(services: ServicesDep) -> Clock:
    return services.clock


ClockDep = Annotated[Clock, Depends(get_clock)]


async def get_ids(services: ServicesDep) -> IdFactory:
    return services.ids


IdsDep = Annotated[IdFactory, Depends(get_ids)]
