"""Shared pieces of the insight tests: the SDK's clients, days on the platform's calendar,
and the control plane actions that leave engagement behind."""

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import httpx
from linebot.v3 import insight

from tests.support.control import ChannelInfo, Control
from tests.support.live import LiveServer

JAPAN = ZoneInfo("Asia/Tokyo")


def insight_config(base_url: str, token: str) -> insight.Configuration:
    return insight.Configuration(host=base_url, access_token=token)


@contextmanager
def insight_api(server: LiveServer, channel: ChannelInfo) -> Iterator[insight.Insight]:
    with insight.ApiClient(insight_config(server.base_url, channel.access_token)) as client:
        yield insight.Insight(client)


def japan_day(at: datetime) -> date:
    return at.astimezone(JAPAN).date()


def today(server: LiveServer) -> date:
    return japan_day(server.services.clock.now())


def ymd(day: date) -> str:
    return day.strftime("%Y%m%d")


def days_ago(server: LiveServer, n: int) -> str:
    return ymd(today(server) - timedelta(days=n))


def raw(server: LiveServer, channel: ChannelInfo) -> httpx.Client:
    """Plain HTTP for what the SDK refuses to send or turns into an exception."""
    return httpx.Client(
        base_url=server.base_url,
        headers={"Authorization": f"Bearer {channel.access_token}"},
        timeout=60,
    )


def user_path(channel: ChannelInfo, user_id: str) -> str:
    return f"/_kizuna/channels/{channel.channel_id}/users/{user_id}"


def message_ids(
    control: Control, channel: ChannelInfo, user_id: str, request_id: str
) -> dict[str, str]:
    """The user's copies of a request's text messages: text -> message ID."""
    return {
        str(item["message"]["text"]): str(item["messageId"])
        for item in control.inbox(channel, user_id)
        if item["requestId"] == request_id
    }


def engage(
    control: Control, channel: ChannelInfo, user_id: str, message_id: str, url: str | None = None
) -> dict[str, Any]:
    base = f"{user_path(channel, user_id)}/inbox/{message_id}"
    response = (
        control.http.post(f"{base}/click", json={"url": url})
        if url
        else control.http.post(f"{base}/open")
    )
    assert response.status_code == 201, response.text
    return dict(response.json())


def see_rich_menu(control: Control, channel: ChannelInfo, user_id: str) -> None:
    response = control.http.get(f"{user_path(channel, user_id)}/richmenu")
    assert response.status_code == 200, response.text


def tap_rich_menu(control: Control, channel: ChannelInfo, user_id: str, index: int) -> None:
    response = control.http.post(
        f"{user_path(channel, user_id)}/richmenu/tap", json={"index": index}
    )
    assert response.status_code == 200, response.text
