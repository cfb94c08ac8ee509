import httpx

from tests.support.control import ChannelInfo, Control
from tests.support.live import LiveServer


def test_reset_forgets_everything(
    server: LiveServer, control: Control, channel: ChannelInfo
) -> None:
    alice = control.user("Alice")
    control.follow(channel, alice)
    response = control.http.post("/_kizuna/reset")
    assert response.status_code == 200 and "users" in response.json()["tables"]
    assert control.http.get("/_kizuna/channels").json() == []
    assert control.http.get(f"/_kizuna/users/{alice}").status_code == 404
    info = httpx.get(
        f"{server.base_url}/v2/bot/info",
        headers={"Authorization": f"Bearer {channel.access_token}"},
    )
    assert info.status_code == 401


def test_reset_can_keep_channels(
    server: LiveServer, control: Control, channel: ChannelInfo
) -> None:
    alice = control.user("Alice")
    control.follow(channel, alice)
    response = control.http.post("/_kizuna/reset", params={"keepChannels": "true"})
    assert response.json()["keptChannels"] is True
    assert [c["channelId"] for c in control.http.get("/_kizuna/channels").json()] == [
        channel.channel_id
    ]
    assert control.http.get(f"/_kizuna/users/{alice}").status_code == 404
    info = httpx.get(
        f"{server.base_url}/v2/bot/info",
        headers={"Authorization": f"Bearer {channel.access_token}"},
    )
    assert info.status_code == 200


def test_health(control: Control) -> None:
    body = control.http.get("/_kizuna/health").json()
    assert body["status"] == "ok" and body["database"] == "ok"
    assert body["queue"] == "in-process"
