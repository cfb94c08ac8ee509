from collections.abc import Sequence

from sqlalchemy import delete, func, select

from app.kit.repository import Repository
from app.models import ChatNote, ChatTag, ChatTagging, User, UserMessage


class OperatorChatRepository(Repository):
    # --- tags ---------------------------------------------------------------------------------

    async def tags(self, channel_pk: int) -> Sequence[tuple[ChatTag, int]]:
        """The channel's tags with how many chats carry each."""
        chats = (
            select(func.count())
            .where(ChatTagging.tag_pk == ChatTag.id)
            .correlate(ChatTag)
            .scalar_subquery()
        )
        rows = await self.session.execute(
            select(ChatTag, chats).where(ChatTag.channel_pk == channel_pk).order_by(ChatTag.id)
        )
        return [(tag, int(count)) for tag, count in rows]

    async def tag(self, channel_pk: int, tag_pk: int) -> ChatTag | None:
        return await self.session.scalar(
            select(ChatTag).where(ChatTag.channel_pk == channel_pk, ChatTag.id == tag_pk)
        )

    async def tag_named(self, channel_pk: int, name: str) -> ChatTag | None:
        return await self.session.scalar(
            select(ChatTag).where(ChatTag.channel_pk == channel_pk, ChatTag.name == name)
        )

    async def count_tags(self, channel_pk: int) -> int:
        return int(
            await self.session.scalar(
                select(func.count()).select_from(ChatTag).where(ChatTag.channel_pk == channel_pk)
            )
            or 0
        )

    async def delete_tag(self, tag: ChatTag) -> None:
        await self.session.execute(delete(ChatTagging).where(ChatTagging.tag_pk == tag.id))
        await self.session.delete(tag)

    async def tags_of(self, channel_pk: int, user_pk: int) -> list[ChatTag]:
        return (await self.tags_of_users(channel_pk, [user_pk]))[user_pk]

    async def tags_of_users(self, channel_pk: int, user_pks: list[int]) -> dict[int, list[ChatTag]]:
        """Each user's chat tags, oldest tag first."""
        found: dict[int, list[ChatTag]] = {pk: [] for pk in user_pks}
        rows = await self.session.execute(
            select(ChatTagging.user_pk, ChatTag)
            .join(ChatTagging, ChatTagging.tag_pk == ChatTag.id)
            .where(ChatTag.channel_pk == channel_pk, ChatTagging.user_pk.in_(user_pks))
            .order_by(ChatTag.id)
        )
        for user_pk, tag in rows:
            found[user_pk].append(tag)
        return found

    async def tags_by_key(self, channel_pk: int, tag_pks: list[int]) -> set[int]:
        """Which of the keys name tags of the channel."""
        rows = await self.session.scalars(
            select(ChatTag.id).where(ChatTag.channel_pk == channel_pk, ChatTag.id.in_(tag_pks))
        )
        return set(rows)

    async def tagging(self, tag_pk: int, user_pk: int) -> ChatTagging | None:
        return await self.session.get(ChatTagging, (tag_pk, user_pk))

    async def untag(self, tag_pk: int, user_pk: int) -> None:
        await self.session.execute(
            delete(ChatTagging).where(ChatTagging.tag_pk == tag_pk, ChatTagging.user_pk == user_pk)
        )

    async def tagged_users(
        self, channel_pk: int, tag_pks: list[int], *, match_all: bool, limit: int
    ) -> Sequence[User]:
        """Users whose chat carries any (or all) of the tags."""
        having = func.count(func.distinct(ChatTagging.tag_pk)) >= (len(tag_pks) if match_all else 1)
        users = (
            select(ChatTagging.user_pk)
            .join(ChatTag, ChatTag.id == ChatTagging.tag_pk)
            .where(ChatTag.channel_pk == channel_pk, ChatTagging.tag_pk.in_(tag_pks))
            .group_by(ChatTagging.user_pk)
            .having(having)
        )
        return (
            await self.session.scalars(
                select(User).where(User.id.in_(users)).order_by(User.id).limit(limit)
            )
        ).all()

    async def talking_users(self, channel_pk: int, limit: int) -> Sequence[User]:
        """Users who wrote to the account one-to-one, the latest first."""
        last = (
            select(UserMessage.user_pk, func.max(UserMessage.id).label("last_id"))
            .where(
                UserMessage.channel_pk == channel_pk,
                UserMessage.group_pk.is_(None),
                UserMessage.room_pk.is_(None),
            )
            .group_by(UserMessage.user_pk)
            .subquery()
        )
        return (
            await self.session.scalars(
                select(User)
                .join(last, last.c.user_pk == User.id)
                .order_by(last.c.last_id.desc())
                .limit(limit)
            )
        ).all()

    # --- the thread ---------------------------------------------------------------------------

    async def user_messages(self, channel_pk: int, user_pk: int, latest: int) -> list[UserMessage]:
        """The user's `latest` one-to-one messages by the time they were sent (then as they
        were stored), oldest first."""
        rows = await self.session.scalars(
            select(UserMessage)
            .where(
                UserMessage.channel_pk == channel_pk,
                UserMessage.user_pk == user_pk,
                UserMessage.group_pk.is_(None),
                UserMessage.room_pk.is_(None),
            )
            .order_by(UserMessage.sent_at.desc(), UserMessage.id.desc())
            .limit(latest)
        )
        return list(reversed(rows.all()))

    # --- notes --------------------------------------------------------------------------------

    async def notes(self, channel_pk: int, user_pk: int) -> Sequence[ChatNote]:
        return (
            await self.session.scalars(
                select(ChatNote)
                .where(ChatNote.channel_pk == channel_pk, ChatNote.user_pk == user_pk)
                .order_by(ChatNote.id)
            )
        ).all()

    async def count_notes(self, channel_pk: int, user_pk: int) -> int:
        return int(
            await self.session.scalar(
                select(func.count())
                .select_from(ChatNote)
                .where(ChatNote.channel_pk == channel_pk, ChatNote.user_pk == user_pk)
            )
            or 0
        )

    async def note(self, channel_pk: int, user_pk: int, note_pk: int) -> ChatNote | None:
        return await self.session.scalar(
            select(ChatNote).where(
                ChatNote.channel_pk == channel_pk,
                ChatNote.user_pk == user_pk,
                ChatNote.id == note_pk,
            )
        )
