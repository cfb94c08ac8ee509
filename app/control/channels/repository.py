from collections.abc import Sequence

from sqlalchemy import select

from app.kit.repository import Repository
from app.models import Channel


class ChannelRepository(Repository):
    async def get_by_channel_id(self, channel_id: str) -> Channel | None:
        return await self.session.scalar(select(Channel).where(Channel.channel_id == channel_id))

    async def get_demo(self) -> Channel | None:
        return await self.session.scalar(
            select(Channel).where(Channel.is_demo.is_(True)).order_by(Channel.id).limit(1)
        )

    async def list(self) -> Sequence[Channel]:
        return (await self.session.scalars(select(Channel).order_by(Channel.id))).all()
