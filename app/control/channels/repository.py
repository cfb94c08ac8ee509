from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from app.models import Channel


class ChannelRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def add(self, channel: Channel) -> Channel:
        self.session.add(channel)
        await self.session.flush()
        return channel

    async def get_by_channel_id(self, channel_id: str) -> Channel | None:
        return await self.session.scalar(select(Channel).where(Channel.channel_id == channel_id))

    async def get_demo(self) -> Channel | None:
        return await self.session.scalar(
            select(Channel).where(Channel.is_demo.is_(True)).order_by(Channel.id).limit(1)
        )

    async def list(self) -> Sequence[Channel]:
        return (await self.session.scalars(select(Channel).order_by(Channel.id))).all()
