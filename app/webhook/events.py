"""The events user actions produce, written to the outbox exactly as the bot will receive them."""

import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from app.delivery import identity
from app.kit.uow import UnitOfWork
from app.models import (
    Channel,
    EventMode,
    EventState,
    Group,
    ReplyToken,
    Room,
    User,
    UserMessage,
    WebhookEvent,
)
from app.webhook.repository import WebhookRepository
from app.webhook.user_messages import Media


def new_reply_token() -> str:
    return secrets.token_hex(16)


def new_read_token() -> str:
    return secrets.token_urlsafe(24)


def message_object(
    message_id: str, content: dict[str, Any], channel_secret: str, read_token: str | None
) -> dict[str, Any]:
    """A user's message as the bot receives it: `content` (as checked by `user_messages`) with
    its id, its quote token when the type can be quoted, and its mark-as-read token (a
    one-to-one chat only)."""
    message = {"id": message_id, **content}
    if identity.quotable(message):
        message["quoteToken"] = identity.quote_token(channel_secret, message_id)
    if read_token is not None:
        message["markAsReadToken"] = read_token
    return message


def event_object(
    kind: str,
    *,
    standby: bool,
    at_ms: int,
    event_id: str,
    source: dict[str, Any] | None,
    reply_token: str | None,
    body: dict[str, Any],
) -> dict[str, Any]:
    """An event as the bot receives it, but for `deliveryContext` (set per attempt). Both the
    ORM path and the fast lane (`app/control/fastroute.py`) build theirs here."""
    event: dict[str, Any] = {
        "type": kind,
        "mode": "standby" if standby else "active",
        "timestamp": at_ms,
        "webhookEventId": event_id,
    }
    if source is not None:
        event["source"] = source
    if reply_token is not None:
        event["replyToken"] = reply_token
    event.update(body)
    return event


@dataclass(frozen=True)
class Chat:
    """Where an event happens: a user's one-to-one chat with the account, or a group or room
    the bot is in (with the member who acted, when one did)."""

    user: User | None
    group: Group | None = None
    room: Room | None = None

    def source(self) -> dict[str, Any]:
        source: dict[str, Any]
        if self.group is not None:
            source = {"type": "group", "groupId": self.group.group_id}
        elif self.room is not None:
            source = {"type": "room", "roomId": self.room.room_id}
        else:
            source = {"type": "user"}
        if self.user is not None:
            source["userId"] = self.user.user_id
        return source

    @property
    def one_to_one(self) -> bool:
        return self.group is None and self.room is None


class EventService:
    def __init__(self, uow: UnitOfWork) -> None:
        self.uow = uow
        self.clock = uow.services.clock
        self.ids = uow.services.ids
        self.settings = uow.services.settings
        self.events = WebhookRepository(uow.session)

    async def follow(self, channel: Channel, user: User, *, is_unblocked: bool) -> dict[str, Any]:
        return await self.emit(
            channel, Chat(user), "follow", {"follow": {"isUnblocked": is_unblocked}}, reply=True
        )

    async def unfollow(self, channel: Channel, user: User) -> dict[str, Any]:
        return await self.emit(channel, Chat(user), "unfollow", {}, reply=False)

    async def message(
        self,
        channel: Channel,
        chat: Chat,
        content: dict[str, Any],
        media: Media | None = None,
    ) -> dict[str, Any]:
        """A message a user sends (`content` as checked by `user_messages`): kept for the
        content API, unsend and mark-as-read, then sent to the bot."""
        assert chat.user is not None, "a message always has a sender"
        message_id = self.ids.message_id()
        read_token = new_read_token() if chat.one_to_one else None
        content = message_object(message_id, content, channel.secret, read_token)
        self.uow.session.add(
            UserMessage(
                message_id=message_id,
                channel_pk=channel.id,
                user_pk=chat.user.id,
                group_pk=chat.group.id if chat.group else None,
                room_pk=chat.room.id if chat.room else None,
                type=content["type"],
                message=content,
                content_type=media.content_type if media else None,
                content=media.data if media else None,
                preview=media.preview if media else None,
                file_name=media.file_name if media else None,
                size=len(media.data) if media else None,
                duration_ms=media.duration_ms if media else None,
                transcoding=media.transcoding if media else None,
                mark_as_read_token=read_token,
                sent_at=self.clock.now(),
            )
        )
        event = await self.emit(channel, chat, "message", {"message": content}, reply=True)
        if chat.one_to_one:
            # Imported here: the manager sends through app.delivery, which emits events.
            from app.control.manager.service import auto_respond

            await auto_respond(self.uow, channel, chat.user, content)
        return event

    async def postback(
        self, channel: Channel, chat: Chat, data: str, params: dict[str, Any] | None
    ) -> dict[str, Any]:
        postback: dict[str, Any] = {"data": data}
        if params:
            postback["params"] = params
        return await self.emit(channel, chat, "postback", {"postback": postback}, reply=True)

    async def beacon(
        self, channel: Channel, user: User, hwid: str, kind: str, dm: str | None
    ) -> dict[str, Any]:
        """The user's phone comes near (`enter`), taps the banner of (`banner`) or stays by
        (`stay`) a LINE Beacon of the channel."""
        beacon = {"hwid": hwid, "type": kind}
        if dm:
            beacon["dm"] = dm
        return await self.emit(channel, Chat(user), "beacon", {"beacon": beacon}, reply=True)

    async def video_play_complete(
        self, channel: Channel, user: User, tracking_id: str
    ) -> dict[str, Any]:
        """The user watched to the end a video message that carried this `trackingId`."""
        body = {"videoPlayComplete": {"trackingId": tracking_id}}
        return await self.emit(channel, Chat(user), "videoPlayComplete", body, reply=True)

    async def emit(
        self,
        channel: Channel,
        chat: Chat | None,
        kind: str,
        body: dict[str, Any],
        *,
        reply: bool,
        at: datetime | None = None,
    ) -> dict[str, Any]:
        """Write one event to the outbox (and wake the dispatcher); answers the event.

        `chat` is None for events about the whole account (botSuspended, botResumed), which
        have no source. `reply` says whether the event type carries a reply token; in standby
        mode (another channel holds the chat) none does, as on the platform. `at` is the event's
        instant when the body holds times derived from it.
        """
        now = at or self.clock.now()
        at_ms = int(now.timestamp() * 1000)
        standby = channel.event_mode == EventMode.STANDBY
        event_id = self.ids.webhook_event_id(at_ms)
        reply_token: str | None = None
        if reply and chat is not None and not standby:
            token = await self.events.add(
                ReplyToken(
                    token=new_reply_token(),
                    channel_pk=channel.id,
                    user_pk=chat.user.id if chat.one_to_one and chat.user else None,
                    group_pk=chat.group.id if chat.group else None,
                    room_pk=chat.room.id if chat.room else None,
                    issued_at=now,
                    expires_at=now + timedelta(seconds=self.settings.reply_token_seconds),
                )
            )
            reply_token = token.token
        event = event_object(
            kind,
            standby=standby,
            at_ms=at_ms,
            event_id=event_id,
            source=chat.source() if chat is not None else None,
            reply_token=reply_token,
            body=body,
        )
        listening = channel.webhook_enabled and bool(channel.webhook_url)
        await self.events.add(
            WebhookEvent(
                channel_pk=channel.id,
                event_id=event["webhookEventId"],
                payload=event,
                # With the webhook off the platform sends nothing, then or later.
                state=EventState.PENDING if listening else EventState.SKIPPED,
                attempts=0,
                created_at=now,
            )
        )
        if listening:
            self.uow.enqueue_after_commit("dispatch_webhooks", channel_pk=channel.id)
        return event
