import httpx
import pytest

from app.control.system import repository
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


def test_reset_restarts_ids_even_of_tables_already_emptied(
    control: Control, channel: ChannelInfo
) -> None:
    tags = f"/_kizuna/channels/{channel.channel_id}/chat-tags"

    names = iter(["VIP", "Again"])

    def new_tag() -> int:
        created = control.http.post(tags, json={"name": next(names)})
        assert created.status_code == 201, created.text
        return int(created.json()["tagId"])

    def reset() -> None:
        response = control.http.post("/_kizuna/reset", params={"keepChannels": "true"})
        assert response.status_code == 200 and "chat_tags" in response.json()["tables"]

    reset()
    first = new_tag()
    assert control.http.delete(f"{tags}/{first}").status_code == 204
    reset()
    assert new_tag() == first


@pytest.mark.parametrize("truncate_from_rows", [1, repository.TRUNCATE_FROM_ROWS])
def test_reset_by_truncate_or_delete_forgets_everything_and_restarts_ids(
    monkeypatch: pytest.MonkeyPatch, control: Control, truncate_from_rows: int
) -> None:
    """Big tables are truncated, small ones deleted from (on Postgres): the same outcome."""
    monkeypatch.setattr(repository, "TRUNCATE_FROM_ROWS", truncate_from_rows)
    channel = control.channel()
    tags = f"/_kizuna/channels/{channel.channel_id}/chat-tags"
    first = control.http.post(tags, json={"name": "VIP"}).json()["tagId"]
    control.follow(channel, control.user("Alice"))
    control.reset()
    assert control.http.get("/_kizuna/channels").json() == []
    channel = control.channel()
    tags = f"/_kizuna/channels/{channel.channel_id}/chat-tags"
    assert control.http.post(tags, json={"name": "VIP"}).json()["tagId"] == first
