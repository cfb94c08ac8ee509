"""A user taps an action in a message they received, and the app does what it would."""

from typing import Any

from starlette.concurrency import run_in_threadpool

from app.control.engagement.service import EngagementService
from app.control.messages.service import InboxService
from app.control.webhook.router import Acting
from app.kit.errors import BadRequest, ErrorDetail, NotFound
from app.models import EngagementKind
from app.schemas.message.actions import datetime_value
from app.webhook.events import Chat
from app.webhook.taps import Tappable, tappables
from app.webhook.user_messages import image_message, parse_user_message, snapshot

# Where a simulated phone is when a location action asks, unless the tap says otherwise.
DEFAULT_LOCATION = {
    "title": "Tokyo Station",
    "address": "1 Chome Marunouchi, Chiyoda City, Tokyo",
    "latitude": 35.681236,
    "longitude": 139.767125,
}
NOW_FORMATS = {"date": "%Y-%m-%d", "time": "%H:%M", "datetime": "%Y-%m-%dT%H:%M"}


class TapService:
    def __init__(
        self, acting: Acting, inbox: InboxService, engagement: EngagementService | None = None
    ) -> None:
        self.acting = acting
        self.inbox = inbox
        self.engagement = engagement

    async def actions(self, message_id: str) -> list[Tappable]:
        """What the user can tap in the message; quick reply buttons only while the message is
        the last one in the chat, as the app shows them."""
        received = await self.inbox.inbox(self.acting.channel, self.acting.user)
        for position, item in enumerate(received):
            if item["messageId"] == message_id:
                last = position == len(received) - 1
                return [t for t in tappables(item["message"]) if last or not t.quick_reply]
        raise NotFound(f"Message {message_id} is not in the user's inbox")

    async def tap(
        self,
        message_id: str,
        *,
        index: int | None,
        label: str | None,
        value: str | None,
        location: dict[str, Any] | None,
    ) -> dict[str, Any]:
        """Tap by index (see `actions`) or by the label the user sees; answers the action and
        what it caused: the webhook event, the URI opened or the text copied."""
        choices = await self.actions(message_id)
        chosen = [
            t
            for t in choices
            if (index is not None and t.index == index) or (label and t.label == label)
        ]
        if len(chosen) != 1:
            what = f"index {index}" if index is not None else f"label {label!r}"
            seen = ", ".join(repr(t.label) for t in choices if t.label) or "none"
            problem = "matches several actions" if chosen else "matches no action"
            raise NotFound(f"{what} {problem} of message {message_id} (labels: {seen})")
        tapped = chosen[0]
        result: dict[str, Any] = {"path": tapped.path, "action": tapped.action}
        result.update(await self.perform(tapped.action, value, location))
        if "uri" in result and self.engagement is not None:
            # Opening a link of a received message is a click, as insight counts them.
            await self.engagement.record(
                self.acting.channel,
                self.acting.user,
                message_id,
                EngagementKind.CLICK,
                result["uri"],
            )
        return result

    async def perform(
        self, action: dict[str, Any], value: str | None, location: dict[str, Any] | None
    ) -> dict[str, Any]:
        channel, chat, events = self.acting.channel, Chat(self.acting.user), self.acting.events
        kind = action.get("type")
        if kind == "message":
            text = {"type": "text", "text": action["text"]}
            return {"event": await events.message(channel, chat, text)}
        if kind == "postback":
            return {"event": await events.postback(channel, chat, action["data"], None)}
        if kind == "datetimepicker":
            mode = action["mode"]
            picked = (
                value or action.get("initial") or events.clock.now().strftime(NOW_FORMATS[mode])
            )
            normal = datetime_value(mode, picked)
            # Limits compare in the same normal form (`t` and `T` both separate date and time).
            low, high = (
                datetime_value(mode, action[bound]) if action.get(bound) else None
                for bound in ("min", "max")
            )
            if normal is None or (low and normal < low) or (high and normal > high):
                raise BadRequest(
                    "The request body has 1 error(s)",
                    [ErrorDetail(f"Not a {mode} the picker offers", "value")],
                )
            params = {mode: normal}
            return {"event": await events.postback(channel, chat, action["data"], params)}
        if kind == "location":
            sent = parse_user_message({"type": "location", **(location or DEFAULT_LOCATION)})
            return {"event": await events.message(channel, chat, sent)}
        if kind in ("camera", "cameraRoll"):
            content, media = await run_in_threadpool(
                image_message, snapshot(f"{kind} photo by {self.acting.user.display_name}")
            )
            return {"event": await events.message(channel, chat, content, media)}
        if kind == "uri":
            return {"uri": action["uri"]}
        if kind == "clipboard":
            return {"copied": action["clipboardText"]}
        raise BadRequest(f"Kizuna cannot tap a {kind} action in a message")
