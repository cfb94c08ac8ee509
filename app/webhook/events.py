"""The events user actions produce, written to the outbox exactly as the bot will receive them."""

import secrets
from datetime import timedelta
from typing import Any

from app.delivery import identity
from app.kit.errors import BadRequest, ErrorDetail
from app.kit.uow import UnitOfWork
from app.models import Channel, EventState, ReplyToken, User, WebhookEvent
from app.webhook.repository import WebhookRepository

USER_MESSAGE_TYPES = ("text", "sticker", "location")
NOT_YET = ("image", "video", "audio", "file")


class EventService:
    def __init__(self, uow: UnitOfWork) -> None:
        self.uow = uow
        self.clock = uow.services.clock
        self.ids = uow.services.ids
        self.settings = uow.services.settings
        self.events = WebhookRepository(uow.session)

    async def follow(self, channel: Channel, user: User, *, is_unblocked: bool) -> dict[str, Any]:
        return await self._emit(
            channel, user, "follow", {"follow": {"isUnblocked": is_unblocked}}, reply=True
        )

    async def unfollow(self, channel: Channel, user: User) -> dict[str, Any]:
        return await self._emit(channel, user, "unfollow", {}, reply=False)

    async def message(
        self, channel: Channel, user: User, message: dict[str, Any]
    ) -> dict[str, Any]:
        """A message the user sends to the account, given as the user's app would send it."""
        message_id = self.ids.message_id()
        content = {"id": message_id, **_user_message(message)}
        if identity.quotable(content):
            content["quoteToken"] = identity.quote_token(channel.secret, message_id)
        return await self._emit(channel, user, "message", {"message": content}, reply=True)

    async def postback(
        self, channel: Channel, user: User, data: str, params: dict[str, Any] | None
    ) -> dict[str, Any]:
        postback: dict[str, Any] = {"data": data}
        if params:
            postback["params"] = params
        return await self._emit(channel, user, "postback", {"postback": postback}, reply=True)

    async def beacon(
        self, channel: Channel, user: User, hwid: str, kind: str, dm: str | None
    ) -> dict[str, Any]:
        """The user's phone comes near (`enter`), taps the banner of (`banner`) or stays by
        (`stay`) a LINE Beacon of the channel."""
        beacon = {"hwid": hwid, "type": kind}
        if dm:
            beacon["dm"] = dm
        return await self._emit(channel, user, "beacon", {"beacon": beacon}, reply=True)

    async def video_play_complete(
        self, channel: Channel, user: User, tracking_id: str
    ) -> dict[str, Any]:
        """The user watched to the end a video message that carried this `trackingId`."""
        body = {"videoPlayComplete": {"trackingId": tracking_id}}
        return await self._emit(channel, user, "videoPlayComplete", body, reply=True)

    async def _emit(
        self, channel: Channel, user: User, kind: str, body: dict[str, Any], *, reply: bool
    ) -> dict[str, Any]:
        now = self.clock.now()
        at_ms = int(now.timestamp() * 1000)
        event: dict[str, Any] = {
            "type": kind,
            "mode": "active",
            "timestamp": at_ms,
            "source": {"type": "user", "userId": user.user_id},
            "webhookEventId": self.ids.webhook_event_id(at_ms),
        }
        if reply:
            token = await self.events.add(
                ReplyToken(
                    token=secrets.token_hex(16),
                    channel_pk=channel.id,
                    user_pk=user.id,
                    issued_at=now,
                    expires_at=now + timedelta(seconds=self.settings.reply_token_seconds),
                )
            )
            event["replyToken"] = token.token
        event.update(body)
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


def _user_message(message: Any) -> dict[str, Any]:
    """The message object of a user's message, checked with LINE-style property paths."""
    if not isinstance(message, dict):
        raise BadRequest("The request body has 1 error(s)", [ErrorDetail("Must be an object", "")])
    kind = message.get("type")
    if kind in NOT_YET:
        raise BadRequest(
            f"Kizuna cannot simulate users sending {kind} messages yet: "
            "uploaded content arrives with the content API"
        )
    errors: list[ErrorDetail] = []
    if kind == "text":
        text = message.get("text")
        if not isinstance(text, str) or not text:
            errors.append(ErrorDetail("May not be empty", "text"))
        elif len(text) > 5000:
            errors.append(ErrorDetail("Length must be between 1 and 5000", "text"))
        content = {"type": "text", "text": text}
        for optional in ("emojis", "mention"):
            if optional in message:
                content[optional] = message[optional]
    elif kind == "sticker":
        for key in ("packageId", "stickerId"):
            if not isinstance(message.get(key), str) or not message.get(key):
                errors.append(ErrorDetail("May not be empty", key))
        content = {
            "type": "sticker",
            "packageId": message.get("packageId"),
            "stickerId": message.get("stickerId"),
            "stickerResourceType": message.get("stickerResourceType", "STATIC"),
        }
    elif kind == "location":
        for key, bound in (("latitude", 90), ("longitude", 180)):
            value = message.get(key)
            if not isinstance(value, int | float) or isinstance(value, bool) or abs(value) > bound:
                errors.append(ErrorDetail(f"Must be a number between -{bound} and {bound}", key))
        content = {"type": "location", "latitude": message.get("latitude")}
        content["longitude"] = message.get("longitude")
        for key in ("title", "address"):
            if isinstance(message.get(key), str):
                content[key] = message[key]
    else:
        errors.append(
            ErrorDetail(
                "Must be one of the following values: [text, sticker, location, image, video, "
                "audio, file]",
                "type",
            )
        )
        content = {}
    if errors:
        raise BadRequest(f"The request body has {len(errors)} error(s)", errors)
    return content
