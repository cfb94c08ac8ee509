"""Sends the account makes from the Official Account Manager rather than through the Messaging
API: an operator's answer in the one-to-one chat, the satisfaction survey. They reach friends
only, are outside the monthly quota (their kinds are not counted) and need no fan-out job:
one request row and its deliveries, written with INSERT..SELECT in the request's transaction.
"""

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import insert, literal, select
from sqlalchemy.ext.asyncio import AsyncSession

from app.api.coupon.service import check_coupon_messages
from app.models import (
    Channel,
    Delivery,
    Friendship,
    FriendshipStatus,
    MessageRequest,
    Phase,
    SendKind,
)


async def send_direct(
    session: AsyncSession,
    channel: Channel,
    kind: SendKind,
    messages: list[dict[str, Any]],
    now: datetime,
    *,
    user_pk: int | None = None,
) -> MessageRequest:
    """Delivers `messages` to one friend (`user_pk`) or to every friend of the channel."""
    await check_coupon_messages(session, channel.id, messages, int(now.timestamp()))
    request = MessageRequest(
        channel_pk=channel.id,
        request_id=str(uuid.uuid4()),
        kind=kind,
        messages=messages,
        notification_disabled=False,
        phase=Phase.SUCCEEDED,
        success_count=0,
        failure_count=0,
        batches_left=0,
        accepted_at=now,
        completed_at=now,
    )
    session.add(request)
    await session.flush()
    at = literal(now, type_=Delivery.__table__.c.delivered_at.type)
    friends = select(literal(request.id), Friendship.user_pk, at).where(
        Friendship.channel_pk == channel.id, Friendship.status == FriendshipStatus.FOLLOWING
    )
    if user_pk is not None:
        friends = friends.where(Friendship.user_pk == user_pk)
    result = await session.execute(
        insert(Delivery).from_select(["request_pk", "user_pk", "delivered_at"], friends)
    )
    delivered = max(int(getattr(result, "rowcount", 0) or 0), 0)
    request.target_count = request.success_count = delivered
    return request
