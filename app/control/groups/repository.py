"""Group chats and rooms: who is in them and which account's bot, one code path for both."""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Literal

from sqlalchemy import delete, func, select

from app.kit.repository import Repository
from app.models import Group, GroupMember, Room, RoomMember, User

ChatKind = Literal["group", "room"]
MultiChat = Group | Room


@dataclass(frozen=True)
class Tables:
    chat: type[Group] | type[Room]
    member: type[GroupMember] | type[RoomMember]


TABLES: dict[ChatKind, Tables] = {
    "group": Tables(Group, GroupMember),
    "room": Tables(Room, RoomMember),
}


def kind_of(chat: MultiChat) -> ChatKind:
    return "group" if isinstance(chat, Group) else "room"


class ChatRepository(Repository):
    async def get(self, kind: ChatKind, chat_id: str) -> MultiChat | None:
        table = TABLES[kind].chat
        found: MultiChat | None = await self.session.scalar(
            select(table).where(table.chat_id == chat_id)
        )
        return found

    async def by_key(self, kind: ChatKind, key: int) -> MultiChat | None:
        return await self.session.get(TABLES[kind].chat, key)

    async def is_member(self, chat: MultiChat, user_pk: int) -> bool:
        member = TABLES[kind_of(chat)].member
        found = await self.session.scalar(
            select(member.user_pk).where(member.chat_pk == chat.id, member.user_pk == user_pk)
        )
        return found is not None

    async def add_member(self, chat: MultiChat, user: User, at: datetime) -> None:
        member = TABLES[kind_of(chat)].member
        self.session.add(member(chat_pk=chat.id, user_pk=user.id, joined_at=at))
        await self.session.flush()

    async def remove_member(self, chat: MultiChat, user: User) -> bool:
        member = TABLES[kind_of(chat)].member
        result = await self.session.execute(
            delete(member).where(member.chat_pk == chat.id, member.user_pk == user.id)
        )
        return bool(getattr(result, "rowcount", 0))

    async def count(self, chat: MultiChat) -> int:
        member = TABLES[kind_of(chat)].member
        total = await self.session.scalar(
            select(func.count()).select_from(member).where(member.chat_pk == chat.id)
        )
        return int(total or 0)

    async def members(
        self, chat: MultiChat, *, after: int = 0, limit: int | None = None
    ) -> Sequence[User]:
        """Members in a stable order (by user key) after a key; the pages of member ids."""
        member = TABLES[kind_of(chat)].member
        query = (
            select(User)
            .join(member, member.user_pk == User.id)
            .where(member.chat_pk == chat.id, User.id > after)
            .order_by(User.id)
        )
        if limit is not None:
            query = query.limit(limit)
        return (await self.session.scalars(query)).all()

    async def member(self, chat: MultiChat, user_id: str) -> User | None:
        member = TABLES[kind_of(chat)].member
        return await self.session.scalar(
            select(User)
            .join(member, member.user_pk == User.id)
            .where(member.chat_pk == chat.id, User.user_id == user_id)
        )
