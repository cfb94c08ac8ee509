"""What the console shows: figures per Japan day, campaigns, progress of jobs, the users of a
channel and the one-to-one chat as both sides of it."""

from datetime import date, datetime, time, timedelta
from typing import Any

from app.api.audience.repository import audience_group_id
from app.control.console.repository import BEFORE, ConsoleRepository, FriendshipChanges, Image
from app.control.console.schemas import (
    AudienceUploadProgress,
    ConsoleUser,
    DeliveryDay,
    FollowerDay,
    NarrowcastProgress,
    ProgressView,
    RichMenuBatchProgress,
    SendEngagementView,
    TimelineItem,
    UserPage,
)
from app.control.messages.service import InboxService
from app.control.schemas import user_view
from app.control.users.repository import UserRepository
from app.delivery.service import PLATFORM_TZ
from app.kit.clock import Clock
from app.kit.errors import NotFound
from app.models import Channel, SendKind, User

NONE = FriendshipChanges(0, 0, 0)


class ConsoleService:
    def __init__(self, repository: ConsoleRepository, inbox: InboxService, clock: Clock) -> None:
        self.repository = repository
        self.inbox = inbox
        self.clock = clock

    def _window(self, days: int) -> tuple[list[date], datetime, datetime]:
        """The last `days` Japan days up to today, the instant the first starts, and now."""
        today = self.clock.now().astimezone(PLATFORM_TZ).date()
        dates = [today - timedelta(days=back) for back in range(days - 1, -1, -1)]
        start = datetime.combine(dates[0], time(), PLATFORM_TZ)
        return dates, start, self.clock.now() + timedelta(microseconds=1)

    async def followers(self, channel: Channel, days: int) -> list[FollowerDay]:
        dates, start, end = self._window(days)
        changes = await self.repository.friendship_changes(channel.id, start, end)
        before = changes.get(BEFORE, NONE)
        followers = before.follows + before.unblocks - before.blocks
        series = []
        for day in dates:
            key = day.strftime("%Y%m%d")
            change = changes.get(key, NONE)
            followers += change.follows + change.unblocks - change.blocks
            series.append(
                FollowerDay(
                    date=key,
                    followers=followers,
                    follows=change.follows,
                    unblocks=change.unblocks,
                    blocks=change.blocks,
                )
            )
        return series

    async def deliveries(self, channel: Channel, days: int) -> list[DeliveryDay]:
        dates, start, end = self._window(days)
        counts = await self.repository.deliveries_per_day(channel.id, start, end)
        series = []
        for day in dates:
            key = day.strftime("%Y%m%d")
            by_kind = {kind: counts.get((key, kind), 0) for kind in SendKind}
            series.append(DeliveryDay(date=key, total=sum(by_kind.values()), by_kind=by_kind))
        return series

    async def campaigns(self, channel: Channel, limit: int) -> list[SendEngagementView]:
        return [
            SendEngagementView(
                request_id=c.request.request_id,
                kind=c.request.kind,
                accepted_at=c.request.accepted_at,
                phase=c.request.phase,
                message_types=[str(m.get("type")) for m in c.request.messages],
                target_count=c.request.target_count,
                delivered=c.request.success_count,
                opens=c.opens,
                clicks=c.clicks,
            )
            for c in await self.repository.campaigns(channel.id, limit)
        ]

    async def progress(self, channel: Channel, limit: int) -> ProgressView:
        narrowcasts = await self.repository.narrowcasts(channel.id, limit)
        batches = await self.repository.rich_menu_batches(channel.id, limit)
        uploads = await self.repository.audience_uploads(channel.id, limit)
        return ProgressView(
            narrowcasts=[
                NarrowcastProgress(
                    request_id=n.request_id,
                    phase=n.phase,
                    accepted_at=n.accepted_at,
                    completed_at=n.completed_at,
                    target_count=n.target_count,
                    success_count=n.success_count,
                    failure_count=n.failure_count,
                    error_code=n.error_code,
                    failed_description=n.failed_description,
                )
                for n in narrowcasts
            ],
            rich_menu_batches=[
                RichMenuBatchProgress(
                    request_id=b.request_id,
                    phase=b.phase,
                    operations=len(b.operations),
                    accepted_at=b.accepted_at,
                    completed_at=b.completed_at,
                )
                for b in batches
            ],
            audience_uploads=[
                AudienceUploadProgress(
                    audience_group_id=audience_group_id(audience.id),
                    description=audience.description,
                    audience_status=audience.status,
                    job_description=job.description,
                    status=job.status,
                    audience_count=job.audience_count,
                    created_at=job.created_at,
                    finishes_at=job.finishes_at,
                )
                for job, audience in uploads
            ],
        )

    async def users(self, channel: Channel, limit: int, offset: int) -> UserPage:
        total, rows = await self.repository.users(channel.id, limit, offset)
        return UserPage(
            total=total,
            users=[
                ConsoleUser(
                    **user_view(user).model_dump(),
                    status=friendship.status,
                    followed_at=friendship.followed_at,
                    since=friendship.since,
                    blocked_at=friendship.blocked_at,
                )
                for user, friendship in rows
            ],
        )

    async def timeline(self, channel: Channel, user: User, limit: int) -> list[TimelineItem]:
        """Both sides of the one-to-one chat in the order they happened, the latest `limit`:
        what the user received (as their inbox shows it) and what they sent."""
        friendship = await UserRepository(self.repository.session).friendship(channel.id, user.id)
        cleared = friendship.inbox_cleared_at if friendship else None
        items: list[tuple[datetime, int, TimelineItem]] = [
            (
                received["sentAt"],
                1,
                TimelineItem(
                    sender="bot",
                    message_id=received["messageId"],
                    sent_at=received["sentAt"],
                    message=received["message"],
                    via=received["via"],
                ),
            )
            for received in await self.inbox.inbox(channel, user)
        ]
        for sent in await self.repository.sent_by_user(channel.id, user.id, cleared, limit):
            items.append(
                (
                    sent.sent_at,
                    0,
                    TimelineItem(
                        sender="user",
                        message_id=sent.message_id,
                        sent_at=sent.sent_at,
                        message=_shown(sent.message, sent.unsent_at is not None),
                        read=sent.read_at is not None,
                        unsent=sent.unsent_at is not None,
                        has_content=sent.content_type is not None and sent.unsent_at is None,
                    ),
                )
            )
        # A reply sent in the same instant as the message it answers comes after it.
        items.sort(key=lambda entry: (entry[0], entry[1]))
        return [item for _, _, item in items[-limit:]]

    async def user_content(self, channel: Channel, message_id: str) -> Image:
        found = await self.repository.user_content(channel.id, message_id)
        if found is None:
            raise NotFound(f"Message {message_id} has no content")
        return found

    async def rich_menu_image(self, channel: Channel, rich_menu_id: str) -> Image:
        found = await self.repository.rich_menu_image(channel.id, rich_menu_id)
        if found is None:
            raise NotFound(f"Rich menu {rich_menu_id} has no image")
        return found


def _shown(message: dict[str, Any], unsent: bool) -> dict[str, Any]:
    # An unsent message vanishes from both sides of the chat; its type alone remains.
    return {"type": message.get("type")} if unsent else message
