"""Webhook URLs, on the LINE route and the control plane: http(s) with a host, at most 500
characters, no user name or password. (Kizuna takes http://, unlike the platform: bots under
test run locally.)"""

import httpx
import pytest

from tests.support.control import ChannelInfo, Control
from tests.support.live import LiveServer

GOOD = ["http://127.0.0.1:8000/callback", "https://bot.example.com/line/webhook?x=1"]
BAD = [
    "ftp://bot.example.com/callback",
    "javascript:alert(1)",
    "http://user:secret@bot.example.com/callback",
    "https://token@bot.example.com/callback",
    "https://bot.example.com/" + "a" * 480,
    "not a url",
    "",
]


@pytest.mark.parametrize("url", GOOD)
def test_http_and_https_urls_are_taken(
    server: LiveServer, control: Control, channel: ChannelInfo, url: str
) -> None:
    headers = {"Authorization": f"Bearer {channel.access_token}"}
    endpoint = f"{server.base_url}/v2/bot/channel/webhook/endpoint"
    assert httpx.put(endpoint, json={"endpoint": url}, headers=headers).status_code == 200
    assert httpx.get(endpoint, headers=headers).json()["endpoint"] == url
    assert control.webhook(channel, url=url)["url"] == url


@pytest.mark.parametrize("url", BAD)
def test_other_urls_are_refused_naming_the_property(
    server: LiveServer, control: Control, channel: ChannelInfo, url: str
) -> None:
    headers = {"Authorization": f"Bearer {channel.access_token}"}
    line = httpx.put(
        f"{server.base_url}/v2/bot/channel/webhook/endpoint",
        json={"endpoint": url},
        headers=headers,
    )
    assert line.status_code == 400
    assert [d["property"] for d in line.json()["details"]] == ["endpoint"]
    tested = httpx.post(
        f"{server.base_url}/v2/bot/channel/webhook/test", json={"endpoint": url}, headers=headers
    )
    assert tested.status_code == 400
    path = f"/_kizuna/channels/{channel.channel_id}/webhook"
    plane = control.http.put(path, json={"url": url})
    assert plane.status_code == 400
    assert [d["property"] for d in plane.json()["details"]] == ["url"]
    created = control.http.post("/_kizuna/channels", json={"name": "Bad", "webhookUrl": url})
    assert created.status_code == 400
    assert control.http.get(path).json()["url"] is None  # nothing stored
