from typing import Annotated

from fastapi import Depends

from app.control.channels.service import ChannelService
from app.control.users.service import UserService
from app.deps import ClockDep, IdsDep, SessionDep


async def get_channel_service(session: SessionDep, clock: ClockDep, ids: IdsDep) -> ChannelService:
    return ChannelService(session, clock, ids)


async def get_user_service(session: SessionDep, clock: ClockDep, ids: IdsDep) -> UserService:
    return UserService(session, clock, ids)


ChannelServiceDep = Annotated[ChannelService, Depends(get_channel_service)]
UserServiceDep = Annotated[UserService, Depends(get_user_service)]
