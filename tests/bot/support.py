"""Webhook bodies as the platform sends them, signed with the channel secret, and a bot served
over real HTTP from a background thread."""

import base64
import hashlib
import hmac
import itertools
import json
from typing import Any, TypeVar

from linebot.v3.webhooks import Event
from starlette.types import ASGIApp

from app.testing.server import ThreadedServer

SECRET = "0123456789abcdef0123456789abcdef"
ALICE = "U" + "a" * 32
BOB = "U" + "b" * 32
GROUP = "C" + "c" * 32
ROOM = "R" + "d" * 32

T = TypeVar("T")
_ids = itertools.count(1)


def event_id() -> str:
    return f"01KIZUNABOTTEST{next(_ids):011d}"


def user(user_id: str = ALICE) -> dict[str, Any]:
    return {"type": "user", "userId": user_id}


def group(user_id: str | None = ALICE, group_id: str = GROUP) -> dict[str, Any]:
    return {"type": "group", "groupId": group_id, **({"userId": user_id} if user_id else {})}


def room(user_id: str = ALICE, room_id: str = ROOM) -> dict[str, Any]:
    return {"type": "room", "roomId": room_id, "userId": user_id}


def _event(
    kind: str,
    source: dict[str, Any] | None,
    redelivery: bool = False,
    webhook_event_id: str | None = None,
    **fields: Any,
) -> dict[str, Any]:
    return {
        "type": kind,
        "timestamp": 1767225600000,
        "mode": "active",
        "webhookEventId": webhook_event_id or event_id(),
        "deliveryContext": {"isRedelivery": redelivery},
        **({"source": source} if source else {}),
        **fields,
    }


def text(value: str, source: dict[str, Any] | None = None, **kw: Any) -> dict[str, Any]:
    message = {"id": str(next(_ids)), "type": "text", "text": value, "quoteToken": "q"}
    if "mention" in kw:
        message["mention"] = kw.pop("mention")
    return _event("message", source or user(), replyToken="r" * 32, message=message, **kw)


def image(source: dict[str, Any] | None = None, **kw: Any) -> dict[str, Any]:
    message = {
        "id": str(next(_ids)),
        "type": "image",
        "quoteToken": "q",
        "contentProvider": {"type": "line"},
    }
    return _event("message", source or user(), replyToken="r" * 32, message=message, **kw)


def postback(data: str, source: dict[str, Any] | None = None, **kw: Any) -> dict[str, Any]:
    return _event("postback", source or user(), replyToken="r" * 32, postback={"data": data}, **kw)


def follow(source: dict[str, Any] | None = None, **kw: Any) -> dict[str, Any]:
    return _event(
        "follow", source or user(), replyToken="r" * 32, follow={"isUnblocked": False}, **kw
    )


def unfollow(source: dict[str, Any] | None = None, **kw: Any) -> dict[str, Any]:
    return _event("unfollow", source or user(), **kw)


def parse(*events: dict[str, Any]) -> list[Any]:
    return [Event.from_dict(event) for event in events]


def body(*events: dict[str, Any], destination: str = "U" + "0" * 32) -> bytes:
    # As the platform sends it: compact, non-ASCII unescaped.
    payload = {"destination": destination, "events": list(events)}
    return json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode()


def sign(raw: bytes, secret: str = SECRET) -> str:
    return base64.b64encode(hmac.new(secret.encode(), raw, hashlib.sha256).digest()).decode()


class ServedApp(ThreadedServer):
    """A bot's ASGI app on a loopback port; `run()` executes a coroutine on its loop."""

    def __init__(self, app: ASGIApp) -> None:
        super().__init__(app, name="kizuna-bot-test")

    def start(self, timeout: float = 30) -> "ServedApp":
        super().start(timeout)
        return self

    def url(self, path: str) -> str:
        return f"{self.base_url}{path}"
