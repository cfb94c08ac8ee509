import re

import httpx

from tests.support.control import ChannelInfo, Control
from tests.support.live import LiveServer


class TestCreateChannel:
    def test_credentials_look_like_the_platforms(self, control: Control) -> None:
        channel = control.channel("Shop", webhookUrl="https://bot.example.com/callback")
        assert re.fullmatch(r"[1-9]\d{9}", channel.channel_id)
        assert re.fullmatch(r"[0-9a-f]{32}", channel.channel_secret)
        assert re.fullmatch(r"U[0-9a-f]{32}", channel.bot_user_id)
        assert re.fullmatch(r"@\d{3}[a-z]{5}", channel.basic_id)
        assert len(channel.access_token) > 100
        view = control.http.get(f"/_kizuna/channels/{channel.channel_id}").json()
        assert view["webhookUrl"] == "https://bot.example.com/callback"
        assert (view["name"], view["chatMode"], view["webhookEnabled"]) == ("Shop", "bot", True)

    def test_channels_are_distinct_and_listed(self, control: Control) -> None:
        made = [control.channel(f"C{i}") for i in range(3)]
        listed = control.http.get("/_kizuna/channels").json()
        assert [c["channelId"] for c in listed] == [c.channel_id for c in made]
        assert len({c.channel_secret for c in made}) == 3

    def test_bad_input(self, control: Control) -> None:
        response = control.http.post(
            "/_kizuna/channels", json={"name": "x" * 101, "webhookUrl": "not a url"}
        )
        assert response.status_code == 400
        assert {d["property"] for d in response.json()["details"]} == {"name", "webhookUrl"}

    def test_unknown_channel(self, control: Control) -> None:
        response = control.http.get("/_kizuna/channels/0000000000")
        assert response.status_code == 404
        assert response.json() == {"message": "Channel 0000000000 not found"}


def test_control_plane_is_in_the_openapi(server: LiveServer, channel: ChannelInfo) -> None:
    paths = httpx.get(f"{server.base_url}/openapi.json").json()["paths"]
    for path in (
        "/_kizuna/channels",
        "/_kizuna/users",
        "/_kizuna/channels/{channelId}/users/{userId}/follow",
        "/_kizuna/channels/{channelId}/users/{userId}/unfollow",
        "/_kizuna/channels/{channelId}/users/bulk",
        "/_kizuna/reset",
        "/_kizuna/health",
    ):
        assert path in paths, path
