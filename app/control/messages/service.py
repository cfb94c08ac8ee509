import secrets
from datetime import timedelta
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from app.control.users.repository import UserRepository
from app.delivery import identity
from app.delivery.repository import DeliveryRepository
from app.kit.clock import Clock
from app.kit.errors import Conflict
from app.models import Channel, QuotaType, ReplyToken, User

REPLY_TOKEN_TTL = timedelta(seconds=60)


class InboxService:
    """What a simulated user received from a channel, and minting reply tokens for them."""

    def __init__(self, session: AsyncSession, clock: Clock) -> None:
        self.deliveries = DeliveryRepository(session)
        self.users = UserRepository(session)
        self.clock = clock

    async def inbox(self, channel: Channel, user: User) -> list[dict[str, Any]]:
        friendship = await self.users.friendship(channel.id, user.id)
        after = friendship.inbox_cleared_at if friendship else None
        items: list[dict[str, Any]] = []
        for delivery, request in await self.deliveries.inbox(channel.id, user.id, after):
            for index, message in enumerate(request.messages):
                message_id = identity.message_id(request.kind, request.id, delivery.user_pk, index)
                item: dict[str, Any] = {"messageId": message_id}
                if identity.quotable(message):
                    item["quoteToken"] = identity.quote_token(channel.secret, message_id)
                item.update(
                    via=request.kind.value,
                    requestId=request.request_id,
                    sentAt=delivery.delivered_at,
                    message=message,
                )
                items.append(item)
        return items

    async def clear(self, channel: Channel, user: User) -> None:
        friendship = await self.users.friendship(channel.id, user.id)
        if friendship is not None:
            friendship.inbox_cleared_at = self.clock.now()

    async def mint_reply_token(self, channel: Channel, user: User) -> ReplyToken:
        friendship = await self.users.friendship(channel.id, user.id)
        if friendship is None:
            raise Conflict(f"User {user.user_id} has never added channel {channel.channel_id}")
        now = self.clock.now()
        return await self.deliveries.add(
            ReplyToken(
                token=secrets.token_hex(16),
                channel_pk=channel.id,
                user_pk=user.id,
                issued_at=now,
                expires_at=now + REPLY_TOKEN_TTL,
            )
        )


def set_quota(channel: Channel, quota_type: QuotaType, value: int | None) -> None:
    channel.quota_type = quota_type
    channel.quota_limit = value if quota_type == QuotaType.LIMITED else None
