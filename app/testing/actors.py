"""Kizuna as a test sees it: channels, and users who follow, talk and tap like people do.

Every call goes through Kizuna's control plane over HTTP, so the same actors drive an
in-process server or one running elsewhere. Blocking HTTP runs in a worker thread: the test's
event loop stays free for a bot served on it.
"""

import asyncio
import os
import time
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

import httpx


class KizunaError(AssertionError):
    """The control plane refused what the test asked (the message says why)."""


@dataclass(frozen=True)
class Received:
    """A message a user received, as their app shows it."""

    message_id: str
    via: str
    sent_at: str
    message: dict[str, Any]
    quote_token: str | None = None

    @property
    def type(self) -> str:
        return str(self.message.get("type"))

    @property
    def text(self) -> str | None:
        """The text of a text message, or the alt text of a template, imagemap or Flex."""
        return self.message.get("text") or self.message.get("altText")

    @property
    def quick_replies(self) -> list[str]:
        items = (self.message.get("quickReply") or {}).get("items") or []
        return [str(item.get("action", {}).get("label")) for item in items]


@dataclass
class Channel:
    """A Messaging API channel: point the official SDK at `api_base` with `access_token`."""

    kizuna: "Kizuna"
    channel_id: str
    channel_secret: str
    access_token: str
    bot_user_id: str
    basic_id: str

    @property
    def api_base(self) -> str:
        return self.kizuna.base_url

    def configuration(self) -> Any:
        """A `linebot.v3.messaging.Configuration` for this channel on this Kizuna."""
        from linebot.v3.messaging import Configuration

        return Configuration(host=self.api_base, access_token=self.access_token)

    async def set_webhook(self, url: str, *, redelivery: bool | None = None) -> None:
        body: dict[str, Any] = {"url": url, "enabled": True}
        if redelivery is not None:
            body["redelivery"] = redelivery
        await self.kizuna.call("PUT", f"/_kizuna/channels/{self.channel_id}/webhook", json=body)

    async def webhook_attempts(self) -> list[dict[str, Any]]:
        """Signed requests sent to the bot, oldest first."""
        path = f"/_kizuna/channels/{self.channel_id}/webhook/deliveries"
        # The log's page is newest first: its largest page, so a test sees its oldest too.
        attempts: list[dict[str, Any]] = await self.kizuna.call("GET", path, params={"limit": 1000})
        return attempts[::-1]


@dataclass
class User:
    """A simulated LINE user. Acts towards the channel they last followed unless told `to`."""

    kizuna: "Kizuna"
    user_id: str
    display_name: str
    chat: Channel | None = None
    _seen: dict[str, int] = field(default_factory=dict)

    def _channel(self, to: Channel | None) -> Channel:
        channel = to or self.chat
        if channel is None:
            raise KizunaError(f"{self.display_name} talks to nobody yet: follow a channel first")
        return channel

    def _path(self, channel: Channel, tail: str) -> str:
        return f"/_kizuna/channels/{channel.channel_id}/users/{self.user_id}/{tail}"

    async def follow(self, channel: Channel) -> dict[str, Any]:
        """Adds the account as a friend (or unblocks it): the bot gets a follow event."""
        self.chat = channel
        result: dict[str, Any] = await self.kizuna.call("POST", self._path(channel, "follow"))
        return result

    async def blocks(self, channel: Channel | None = None) -> dict[str, Any]:
        result: dict[str, Any] = await self.kizuna.call(
            "POST", self._path(self._channel(channel), "unfollow")
        )
        return result

    async def says(self, text: str, *, to: Channel | None = None) -> dict[str, Any]:
        """Sends a text message; answers the webhook event the bot receives."""
        return await self.sends({"type": "text", "text": text}, to=to)

    async def sends(self, message: dict[str, Any], *, to: Channel | None = None) -> dict[str, Any]:
        """Sends any message a user can type (text, sticker, location) as a JSON object."""
        channel = self._channel(to)
        event: dict[str, Any] = await self.kizuna.call(
            "POST", self._path(channel, "messages"), json=message
        )
        return event

    async def taps(
        self,
        label: str,
        *,
        value: str | None = None,
        to: Channel | None = None,
    ) -> dict[str, Any]:
        """Taps what is labelled `label`, as the app would: a button, quick reply or Flex
        action in the newest message showing one, else an area of the rich menu under the
        chat. Answers what happened (the event, URI or copy)."""
        channel = self._channel(to)
        body: dict[str, Any] = {"label": label}
        if value is not None:
            body["value"] = value
        for received in reversed(await self.inbox_of(channel)):
            actions: list[dict[str, Any]] = await self.kizuna.call(
                "GET", self._path(channel, f"inbox/{received.message_id}/actions")
            )
            if any(action.get("label") == label for action in actions):
                tapped: dict[str, Any] = await self.kizuna.call(
                    "POST", self._path(channel, f"inbox/{received.message_id}/tap"), json=body
                )
                return tapped
        menu = await self.rich_menu(channel)
        if menu and any(area["action"].get("label") == label for area in menu["areas"]):
            pressed: dict[str, Any] = await self.kizuna.call(
                "POST", self._path(channel, "richmenu/tap"), json=body
            )
            return pressed
        raise KizunaError(f"{self.display_name} sees nothing labelled {label!r} to tap")

    async def rich_menu(self, channel: Channel | None = None) -> dict[str, Any] | None:
        """The rich menu under the chat (the user's own, else the default), or None."""
        path = self._path(self._channel(channel), "richmenu")
        response = await asyncio.to_thread(self.kizuna.http.get, path)
        if response.status_code == 404:
            return None
        if response.status_code >= 400:
            raise KizunaError(f"GET {path} answered {response.status_code}: {response.text}")
        menu: dict[str, Any] = response.json()
        return menu

    async def inbox_of(self, channel: Channel | None = None) -> list[Received]:
        return await asyncio.to_thread(self._inbox, self._channel(channel))

    def _inbox(self, channel: Channel) -> list[Received]:
        items: list[dict[str, Any]] = self.kizuna.call_sync("GET", self._path(channel, "inbox"))
        return [
            Received(
                message_id=item["messageId"],
                via=item["via"],
                sent_at=item["sentAt"],
                message=item["message"],
                quote_token=item.get("quoteToken"),
            )
            for item in items
        ]

    @property
    def inbox(self) -> list[Received]:
        """Everything received from the current channel so far, oldest first."""
        return self._inbox(self._channel(None))

    async def receives(
        self, count: int = 1, *, within: float = 10.0, to: Channel | None = None
    ) -> Received:
        """Waits for the next `count` messages the user has not looked at yet and answers the
        last of them (a bot answers after its webhook; this waits for it)."""
        channel = self._channel(to)
        seen = self._seen.get(channel.channel_id, 0)
        deadline = time.monotonic() + within
        while True:
            received = await self.inbox_of(channel)
            if len(received) >= seen + count:
                self._seen[channel.channel_id] = seen + count
                return received[seen + count - 1]
            if time.monotonic() > deadline:
                got = [r.text for r in received[seen:]]
                raise KizunaError(
                    f"{self.display_name} expected {count} new message(s) within {within} s, "
                    f"got {got}"
                )
            await asyncio.sleep(0.02)


class Clock:
    """Kizuna's clock: real time plus an offset the test moves forward."""

    def __init__(self, kizuna: "Kizuna") -> None:
        self.kizuna = kizuna

    async def now(self) -> datetime:
        view = await self.kizuna.call("GET", "/_kizuna/clock")
        return datetime.fromisoformat(view["now"])

    async def advance(self, delta: timedelta | None = None, **units: float) -> datetime:
        """`advance(timedelta(days=3))` or `advance(days=3)`."""
        seconds = (delta or timedelta(**units)).total_seconds()
        view = await self.kizuna.call("POST", "/_kizuna/clock/advance", json={"seconds": seconds})
        return datetime.fromisoformat(view["now"])


class Kizuna:
    """A Kizuna server under a test's control."""

    def __init__(self, base_url: str) -> None:
        self.base_url = base_url
        # An exposed Kizuna (KIZUNA_URL elsewhere) takes its control plane's admin token.
        admin = os.environ.get("KIZUNA_ADMIN_TOKEN")
        headers = {"Authorization": f"Bearer {admin}"} if admin else {}
        self.http = httpx.Client(base_url=base_url, timeout=60, headers=headers)
        self.clock = Clock(self)
        self._names = 0

    async def call(self, method: str, path: str, **kwargs: Any) -> Any:
        return await asyncio.to_thread(self.call_sync, method, path, **kwargs)

    def call_sync(self, method: str, path: str, **kwargs: Any) -> Any:
        response = self.http.request(method, path, **kwargs)
        if response.status_code >= 400:
            raise KizunaError(f"{method} {path} answered {response.status_code}: {response.text}")
        return response.json() if response.content else None

    async def reset(self) -> None:
        await self.call("POST", "/_kizuna/reset")

    async def channel(self, name: str = "Test bot", *, webhook: str | None = None) -> Channel:
        body: dict[str, Any] = {"name": name}
        created = await self.call("POST", "/_kizuna/channels", json=body)
        channel = Channel(
            self,
            created["channelId"],
            created["channelSecret"],
            created["accessToken"],
            created["botUserId"],
            created["basicId"],
        )
        if webhook is not None:
            await channel.set_webhook(webhook)
        return channel

    async def user(self, display_name: str = "Alice", **attributes: Any) -> User:
        """A simulated user; attributes as the control plane takes them (`gender`, `age`,
        `area`, `appType`, `language`, `phoneNumber`, ...; snake_case works too)."""
        body = {"displayName": display_name, **{_camel(k): v for k, v in attributes.items()}}
        created = await self.call("POST", "/_kizuna/users", json=body)
        return User(self, created["userId"], display_name)

    async def settle(self, seconds: float = 30) -> None:
        """Waits until every send is delivered and every due webhook event has been sent."""
        await self.call("POST", "/_kizuna/jobs/wait", params={"seconds": seconds})

    def close(self) -> None:
        self.http.close()


def _camel(name: str) -> str:
    head, *rest = name.split("_")
    return head + "".join(part.title() for part in rest)
