"""The chat as the user's app shows it, account linking, and the account's status and mode."""

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.engine import CursorResult

from app.api.chat.service import one_to_one
from app.control.users.repository import UserRepository
from app.delivery.repository import DeliveryRepository
from app.kit.errors import Conflict
from app.kit.uow import UnitOfWork
from app.models import (
    Channel,
    ChannelStatus,
    ChatMode,
    EventMode,
    LinkToken,
    User,
    UserMessage,
)
from app.webhook.events import Chat, EventService

# (from, to) -> the event the bot receives. Suspension and deactivation are left through
# `active`, so each change is one event the bot can make sense of.
STATUS_EVENTS: dict[tuple[ChannelStatus, ChannelStatus], str] = {
    (ChannelStatus.ACTIVE, ChannelStatus.SUSPENDED): "botSuspended",
    (ChannelStatus.SUSPENDED, ChannelStatus.ACTIVE): "botResumed",
    (ChannelStatus.ACTIVE, ChannelStatus.DEACTIVATED): "deactivated",
    (ChannelStatus.DEACTIVATED, ChannelStatus.ACTIVE): "activated",
}


@dataclass(frozen=True)
class SentMessage:
    message_id: str
    type: str
    sent_at: datetime
    read: bool
    unsent: bool


@dataclass(frozen=True)
class ChatState:
    loading_until: datetime | None  # set only while the animation shows
    messages: list[SentMessage]


@dataclass(frozen=True)
class StatusChange:
    status: ChannelStatus
    mode: EventMode
    changed: bool
    events: list[dict[str, Any]]


def _rowcount(result: object) -> int:
    return int(result.rowcount) if isinstance(result, CursorResult) else 0


class ChatControlService:
    def __init__(self, uow: UnitOfWork) -> None:
        self.uow = uow
        self.session = uow.session
        self.clock = uow.services.clock
        self.users = UserRepository(uow.session)
        self.events = EventService(uow)

    # --- what the user sees ---------------------------------------------------------------

    async def chat(self, channel: Channel, user: User) -> ChatState:
        now = self.clock.now()
        friendship = await self.users.friendship(channel.id, user.id)
        loading_until = None
        if (
            friendship is not None
            and friendship.loading_started_at is not None
            and friendship.loading_until is not None
            and friendship.loading_until > now
            and not await self._bot_spoke_since(channel, user, friendship.loading_started_at)
        ):
            loading_until = friendship.loading_until
        rows = await self.session.scalars(
            select(UserMessage).where(*one_to_one(channel.id, user.id)).order_by(UserMessage.id)
        )
        # With Chat off (chat mode `bot`) the platform marks user messages read on arrival.
        auto_read = channel.chat_mode == ChatMode.BOT
        messages = [
            SentMessage(
                message_id=row.message_id,
                type=row.type,
                sent_at=row.sent_at,
                read=auto_read or row.read_at is not None,
                unsent=row.unsent_at is not None,
            )
            for row in rows
        ]
        return ChatState(loading_until, messages)

    async def _bot_spoke_since(self, channel: Channel, user: User, since: datetime) -> bool:
        """Whether a message of the bot reached the one-on-one chat since `since`.

        Read from the deliveries rather than written on every send, so that push, the hot
        path, does not pay for the loading animation.
        """
        return await DeliveryRepository(self.session).reached_one_on_one_since(
            channel.id, user.id, since
        )

    # --- account linking ------------------------------------------------------------------

    async def link(
        self, channel: Channel, user: User, link_token: str, nonce: str
    ) -> dict[str, Any]:
        """The user opens the linking URL: `ok` (with a reply token) if the token was issued
        for this user by this channel and is unused and unexpired, else `failed`."""
        now = self.clock.now()
        token = await self.session.scalar(select(LinkToken).where(LinkToken.token == link_token))
        ok = (
            token is not None
            and token.channel_pk == channel.id
            and token.user_pk == user.id
            and token.used_at is None
            and token.expires_at > now
            # Two linkings racing for one token: exactly one wins.
            and _rowcount(
                await self.session.execute(
                    update(LinkToken)
                    .where(LinkToken.id == token.id, LinkToken.used_at.is_(None))
                    .values(used_at=now)
                    .execution_options(synchronize_session=False)
                )
            )
            == 1
        )
        link = {"result": "ok" if ok else "failed", "nonce": nonce}
        # The spec: no reply token when linking failed.
        return await self.events.emit(channel, Chat(user), "accountLink", {"link": link}, reply=ok)

    # --- status and mode ------------------------------------------------------------------

    async def set_status(
        self,
        channel: Channel,
        status: ChannelStatus,
        user: User | None,
        chat_control_ttl: int,
    ) -> StatusChange:
        current = ChannelStatus(channel.status)
        if current == status:
            return StatusChange(status, EventMode(channel.event_mode), False, [])
        kind = STATUS_EVENTS.get((current, status))
        if kind is None:
            raise Conflict(
                f"Channel {channel.channel_id} is {current.value}: set it active before"
                f" {status.value}"
            )
        events: list[dict[str, Any]] = []
        if kind == "deactivated":
            # Sent while still active; from then on the channel is the standby one.
            events.append(await self._emit(channel, user, kind, {}))
            channel.event_mode = EventMode.STANDBY
        elif kind == "activated":
            channel.event_mode = EventMode.ACTIVE
            # expireAt counts from the event's own timestamp, so both come from one reading.
            now = self.clock.now()
            expire_at = now + timedelta(seconds=chat_control_ttl)
            body = {"chatControl": {"expireAt": int(expire_at.timestamp() * 1000)}}
            events.append(await self._emit(channel, user, kind, body, at=now))
        else:
            # Suspension concerns the whole account, not a chat: no source.
            events.append(await self._emit(channel, None, kind, {}))
        channel.status = status
        return StatusChange(status, EventMode(channel.event_mode), True, events)

    async def _emit(
        self,
        channel: Channel,
        user: User | None,
        kind: str,
        body: dict[str, Any],
        at: datetime | None = None,
    ) -> dict[str, Any]:
        chat = Chat(user) if user is not None else None
        return await self.events.emit(channel, chat, kind, body, reply=False, at=at)
