from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import defer

from app.models import Group, Room, UserMessage


class UserMessageRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def of_channel(
        self, channel_pk: int, message_id: str, *, with_bytes: bool = False
    ) -> UserMessage | None:
        query = select(UserMessage).where(
            UserMessage.message_id == message_id, UserMessage.channel_pk == channel_pk
        )
        if not with_bytes:
            query = query.options(defer(UserMessage.content), defer(UserMessage.preview))
        message: UserMessage | None = await self.session.scalar(query)
        return message

    async def chat_of(self, message: UserMessage) -> tuple[Group | None, Room | None]:
        group = await self.session.get(Group, message.group_pk) if message.group_pk else None
        room = await self.session.get(Room, message.room_pk) if message.room_pk else None
        return group, room
