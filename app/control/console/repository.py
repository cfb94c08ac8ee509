"""The console's figures, counted in SQL from what Kizuna already records: friendship history,
accepted sends, engagement, webhook attempts and job progress. Every query answers a handful of
grouped rows or one page; nothing loads a population into Python."""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import case, distinct, func, literal, select
from sqlalchemy.orm import defer

from app.api.insight.repository import jst_day
from app.kit.repository import Repository
from app.models import (
    Audience,
    AudienceJob,
    Engagement,
    EngagementKind,
    Friendship,
    FriendshipEvent,
    FriendshipEventKind,
    MessageRequest,
    RichMenu,
    RichMenuBatch,
    SendKind,
    User,
    UserMessage,
)

BEFORE = "before"
CAMPAIGN_KINDS = (SendKind.BROADCAST, SendKind.NARROWCAST, SendKind.MULTICAST)


@dataclass(frozen=True)
class FriendshipChanges:
    follows: int
    unblocks: int
    blocks: int


@dataclass(frozen=True)
class Campaign:
    request: MessageRequest
    opens: int
    clicks: int


@dataclass(frozen=True)
class Image:
    content: bytes
    content_type: str


class ConsoleRepository(Repository):
    @property
    def dialect(self) -> str:
        return self.session.get_bind().dialect.name

    async def friendship_changes(
        self, channel_pk: int, start: datetime, end: datetime
    ) -> dict[str, FriendshipChanges]:
        """Follows, unblocks and blocks per Japan day from `start`, and under `BEFORE` all the
        history before it (whose net is the followers the window starts with)."""
        events = FriendshipEvent
        day = case(
            (events.occurred_at < start, literal(BEFORE)),
            else_=jst_day(events.occurred_at, self.dialect),
        ).label("day")

        def counted(kind: FriendshipEventKind) -> Any:
            return func.count(case((events.kind == kind, 1)))

        rows = await self.session.execute(
            select(
                day,
                counted(FriendshipEventKind.FOLLOW),
                counted(FriendshipEventKind.UNBLOCK),
                counted(FriendshipEventKind.BLOCK),
            )
            .where(events.channel_pk == channel_pk, events.occurred_at < end)
            .group_by(day)
        )
        return {str(d): FriendshipChanges(int(f), int(u), int(b)) for d, f, u, b in rows}

    async def deliveries_per_day(
        self, channel_pk: int, start: datetime, end: datetime
    ) -> dict[tuple[str, SendKind], int]:
        """Recipients reached per Japan day (of acceptance) and kind of send."""
        day = jst_day(MessageRequest.accepted_at, self.dialect).label("day")
        rows = await self.session.execute(
            select(day, MessageRequest.kind, func.sum(MessageRequest.success_count))
            .where(
                MessageRequest.channel_pk == channel_pk,
                MessageRequest.accepted_at >= start,
                MessageRequest.accepted_at < end,
            )
            .group_by(day, MessageRequest.kind)
        )
        return {(str(d), SendKind(k)): int(n or 0) for d, k, n in rows}

    async def campaigns(self, channel_pk: int, limit: int) -> list[Campaign]:
        """The latest broadcasts, narrowcasts and multicasts with the distinct users who
        opened them and who clicked a link in them."""
        requests = (
            select(MessageRequest.id)
            .where(MessageRequest.channel_pk == channel_pk, MessageRequest.kind.in_(CAMPAIGN_KINDS))
            .order_by(MessageRequest.accepted_at.desc(), MessageRequest.id.desc())
            .limit(limit)
            .subquery()
        )

        def users(kind: EngagementKind) -> Any:
            return func.count(distinct(case((Engagement.kind == kind, Engagement.user_pk))))

        rows = await self.session.execute(
            select(MessageRequest, users(EngagementKind.OPEN), users(EngagementKind.CLICK))
            .join(requests, requests.c.id == MessageRequest.id)
            .outerjoin(Engagement, Engagement.request_pk == MessageRequest.id)
            .group_by(MessageRequest.id)
            .order_by(MessageRequest.accepted_at.desc(), MessageRequest.id.desc())
        )
        return [Campaign(request, int(opens), int(clicks)) for request, opens, clicks in rows]

    async def narrowcasts(self, channel_pk: int, limit: int) -> Sequence[MessageRequest]:
        return (
            await self.session.scalars(
                select(MessageRequest)
                .where(
                    MessageRequest.channel_pk == channel_pk,
                    MessageRequest.kind == SendKind.NARROWCAST,
                )
                .order_by(MessageRequest.accepted_at.desc(), MessageRequest.id.desc())
                .limit(limit)
            )
        ).all()

    async def rich_menu_batches(self, channel_pk: int, limit: int) -> Sequence[RichMenuBatch]:
        return (
            await self.session.scalars(
                select(RichMenuBatch)
                .where(RichMenuBatch.channel_pk == channel_pk)
                .order_by(RichMenuBatch.accepted_at.desc(), RichMenuBatch.id.desc())
                .limit(limit)
            )
        ).all()

    async def audience_uploads(
        self, channel_pk: int, limit: int
    ) -> Sequence[tuple[AudienceJob, Audience]]:
        rows = await self.session.execute(
            select(AudienceJob, Audience)
            .join(Audience, Audience.id == AudienceJob.audience_pk)
            .where(Audience.channel_pk == channel_pk)
            .order_by(AudienceJob.created_at.desc(), AudienceJob.id.desc())
            .limit(limit)
        )
        return [(job, audience) for job, audience in rows.all()]

    async def users(
        self, channel_pk: int, limit: int, offset: int
    ) -> tuple[int, Sequence[tuple[User, Friendship]]]:
        """A page of the channel's friends (following or blocked), newest friendship first."""
        total = await self.session.scalar(
            select(func.count()).where(Friendship.channel_pk == channel_pk)
        )
        rows = await self.session.execute(
            select(User, Friendship)
            .join(Friendship, Friendship.user_pk == User.id)
            .where(Friendship.channel_pk == channel_pk)
            .order_by(Friendship.id.desc())
            .limit(limit)
            .offset(offset)
        )
        return int(total or 0), [(user, friendship) for user, friendship in rows.all()]

    async def sent_by_user(
        self, channel_pk: int, user_pk: int, after: datetime | None, limit: int
    ) -> Sequence[UserMessage]:
        """The latest messages the user sent in their one-to-one chat with the account."""
        # The media stays in the database: the chat fetches it by message id when shown.
        query = (
            select(UserMessage)
            .options(defer(UserMessage.content), defer(UserMessage.preview))
            .where(
                UserMessage.channel_pk == channel_pk,
                UserMessage.user_pk == user_pk,
                UserMessage.group_pk.is_(None),
                UserMessage.room_pk.is_(None),
            )
        )
        if after is not None:
            query = query.where(UserMessage.sent_at > after)
        newest = await self.session.scalars(query.order_by(UserMessage.id.desc()).limit(limit))
        return list(reversed(newest.all()))

    async def user_content(self, channel_pk: int, message_id: str) -> Image | None:
        row = (
            await self.session.execute(
                select(UserMessage.content, UserMessage.content_type).where(
                    UserMessage.channel_pk == channel_pk,
                    UserMessage.message_id == message_id,
                    UserMessage.content.is_not(None),
                    UserMessage.unsent_at.is_(None),
                    UserMessage.content_removed_at.is_(None),
                )
            )
        ).first()
        if row is None or row[0] is None:
            return None
        return Image(row[0], row[1] or "application/octet-stream")

    async def rich_menu_image(self, channel_pk: int, rich_menu_id: str) -> Image | None:
        row = (
            await self.session.execute(
                select(RichMenu.image, RichMenu.image_type).where(
                    RichMenu.channel_pk == channel_pk,
                    RichMenu.rich_menu_id == rich_menu_id,
                    RichMenu.image.is_not(None),
                )
            )
        ).first()
        if row is None or row[0] is None:
            return None
        return Image(row[0], row[1] or "image/png")
