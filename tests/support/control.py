"""A thin client of the control plane, for arranging what a test needs."""

from dataclasses import dataclass
from typing import Any

import httpx


@dataclass(frozen=True)
class ChannelInfo:
    channel_id: str
    channel_secret: str
    bot_user_id: str
    basic_id: str
    access_token: str


class Control:
    def __init__(self, base_url: str) -> None:
        self.base_url = base_url
        self.http = httpx.Client(base_url=base_url, timeout=120)

    def _ok(self, response: httpx.Response, status: int = 200) -> Any:
        assert response.status_code == status, (response.status_code, response.text)
        return response.json() if response.content else None

    def reset(self) -> None:
        self._ok(self.http.post("/_kizuna/reset"))

    def channel(self, name: str = "Test channel", **fields: Any) -> ChannelInfo:
        body = self._ok(self.http.post("/_kizuna/channels", json={"name": name, **fields}), 201)
        return ChannelInfo(
            body["channelId"],
            body["channelSecret"],
            body["botUserId"],
            body["basicId"],
            body["accessToken"],
        )

    def user(self, display_name: str = "Alice", **fields: Any) -> str:
        body = self._ok(
            self.http.post("/_kizuna/users", json={"displayName": display_name, **fields}), 201
        )
        return str(body["userId"])

    def follow(self, channel: ChannelInfo, user_id: str) -> dict[str, Any]:
        path = f"/_kizuna/channels/{channel.channel_id}/users/{user_id}/follow"
        return dict(self._ok(self.http.post(path)))

    def unfollow(self, channel: ChannelInfo, user_id: str) -> dict[str, Any]:
        path = f"/_kizuna/channels/{channel.channel_id}/users/{user_id}/unfollow"
        return dict(self._ok(self.http.post(path)))

    def bulk(self, channel: ChannelInfo, count: int, seed: int | None = None) -> dict[str, Any]:
        body: dict[str, Any] = {"count": count}
        if seed is not None:
            body["seed"] = seed
        path = f"/_kizuna/channels/{channel.channel_id}/users/bulk"
        return dict(self._ok(self.http.post(path, json=body), 201))

    def wait_for_jobs(self) -> None:
        self._ok(self.http.post("/_kizuna/jobs/wait", params={"seconds": 60}))

    def inbox(self, channel: ChannelInfo, user_id: str) -> list[dict[str, Any]]:
        path = f"/_kizuna/channels/{channel.channel_id}/users/{user_id}/inbox"
        return list(self._ok(self.http.get(path)))

    def reply_token(self, channel: ChannelInfo, user_id: str) -> str:
        path = f"/_kizuna/channels/{channel.channel_id}/users/{user_id}/reply-tokens"
        return str(self._ok(self.http.post(path), 201)["replyToken"])

    def quota(self, channel: ChannelInfo, kind: str, value: int | None = None) -> None:
        body: dict[str, Any] = {"type": kind, **({"value": value} if value is not None else {})}
        self._ok(self.http.put(f"/_kizuna/channels/{channel.channel_id}/quota", json=body))

    def webhook(self, channel: ChannelInfo, **settings: Any) -> dict[str, Any]:
        path = f"/_kizuna/channels/{channel.channel_id}/webhook"
        return dict(self._ok(self.http.put(path, json=settings)))

    def say(self, channel: ChannelInfo, user_id: str, message: dict[str, Any]) -> dict[str, Any]:
        path = f"/_kizuna/channels/{channel.channel_id}/users/{user_id}/messages"
        return dict(self._ok(self.http.post(path, json=message), 201))

    def postback(self, channel: ChannelInfo, user_id: str, **body: Any) -> dict[str, Any]:
        path = f"/_kizuna/channels/{channel.channel_id}/users/{user_id}/postback"
        return dict(self._ok(self.http.post(path, json=body), 201))

    def webhook_attempts(self, channel: ChannelInfo) -> list[dict[str, Any]]:
        path = f"/_kizuna/channels/{channel.channel_id}/webhook/deliveries"
        return list(self._ok(self.http.get(path)))

    def close(self) -> None:
        self.http.close()
