"""What a user does with a message after it arrives: opening it, clicking a URL in it."""

import re
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from app.api.audience.repository import AudienceRepository, audience_key
from app.delivery import identity
from app.delivery.repository import DeliveryRepository
from app.kit.clock import Clock
from app.kit.errors import BadRequest, ErrorDetail, NotFound
from app.models import Channel, Engagement, EngagementKind, MessageRequest, User

LINK_KEYS = ("uri", "linkUri", "desktop")  # uri actions, imagemap areas, altUri.desktop
LINK_IN_TEXT = re.compile(r"https?://[^\s]+")


def links_in(value: Any) -> set[str]:
    """Every URL a user can open in a message: link actions, and links written in its text."""
    if isinstance(value, dict):
        found = {value[key] for key in LINK_KEYS if isinstance(value.get(key), str)}
        if isinstance(value.get("text"), str):
            found.update(LINK_IN_TEXT.findall(value["text"]))
        for item in value.values():
            found |= links_in(item)
        return found
    if isinstance(value, list):
        return {link for item in value for link in links_in(item)}
    return set()


class EngagementService:
    def __init__(self, session: AsyncSession, clock: Clock) -> None:
        self.session = session
        self.deliveries = DeliveryRepository(session)
        self.clock = clock

    async def _received(
        self, channel: Channel, user: User, message_id: str
    ) -> tuple[MessageRequest, int, dict[str, Any]]:
        """The request and position of a message the user received (as the inbox names it)."""
        for delivery, request in await self.deliveries.inbox(channel.id, user.id, None):
            for index, message in enumerate(request.messages):
                if identity.message_id(request.kind, request.id, delivery.user_pk, index) == (
                    message_id
                ):
                    return request, index, message
        raise NotFound(f"Message {message_id} is not in the inbox of user {user.user_id}")

    async def record(
        self,
        channel: Channel,
        user: User,
        message_id: str,
        kind: EngagementKind,
        url: str | None = None,
    ) -> tuple[Engagement, MessageRequest]:
        """Record an open or a click (whose URL must appear in the message)."""
        request, index, message = await self._received(channel, user, message_id)
        if url is not None and url not in links_in(message):
            raise BadRequest(
                f"Message {message_id} has no URL {url}", [ErrorDetail("Not in the message", "url")]
            )
        row = await self.deliveries.add(
            Engagement(
                channel_pk=channel.id,
                request_pk=request.id,
                user_pk=user.id,
                message_index=index,
                kind=kind,
                url=url,
                aggregation_unit=next(iter(request.aggregation_units or []), None),
                occurred_at=self.clock.now(),
            )
        )
        return row, request


class SharingService:
    """Business Manager's audience sharing, done by hand: an audience of one channel is
    shared with another, which then sees it in the shared list and can narrowcast to it."""

    def __init__(self, session: AsyncSession, clock: Clock) -> None:
        self.audiences = AudienceRepository(session)
        self.clock = clock

    async def share(self, owner: Channel, group_id: int, target: Channel) -> None:
        key = audience_key(group_id)
        audience = await self.audiences.owned(owner.id, key) if key is not None else None
        if audience is None:
            raise NotFound(f"Audience {group_id} of channel {owner.channel_id} not found")
        if target.id == owner.id:
            raise BadRequest(
                "An audience is shared with another channel",
                [ErrorDetail("Same channel as the owner", "channelId")],
            )
        await self.audiences.share(audience.id, target.id, self.clock.now())
