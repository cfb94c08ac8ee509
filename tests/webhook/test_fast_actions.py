"""A user's JSON message answered ahead of FastAPI on Postgres: the same event, rows and refusals
as the route's (which answers it on SQLite, and answers every refusal on both)."""

import json
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import httpx
import pytest

from app.control.fastroute import _Channels
from tests.support.bot import BotServer
from tests.support.control import ChannelInfo, Control
from tests.support.live import LiveServer

TEXT = {"type": "text", "text": "こんにちは 🌸"}
STICKER = {"type": "sticker", "packageId": "446", "stickerId": "1988"}
LOCATION = {"type": "location", "title": "Tokyo Tower", "latitude": 35.6586, "longitude": 139.7}


def _path(channel: ChannelInfo | str, user_id: str) -> str:
    channel_id = channel if isinstance(channel, str) else channel.channel_id
    return f"/_kizuna/channels/{channel_id}/users/{user_id}/messages"


def _raw_events(bot: BotServer) -> list[dict[str, Any]]:
    return [event for r in bot.received for event in json.loads(r.body)["events"]]


def _bot_api(server: LiveServer, channel: ChannelInfo) -> httpx.Client:
    headers = {"Authorization": f"Bearer {channel.access_token}"}
    return httpx.Client(base_url=server.base_url, headers=headers)


def _known_to_the_lane(server: LiveServer, channel: ChannelInfo) -> bool:
    lane = server.services.fast_lane
    return (
        lane is not None
        and channel.channel_id in lane.keep("user-message-channels", _Channels).known
    )


def test_messages_come_back_as_the_events_the_bot_receives_and_their_tokens_work(
    server: LiveServer, control: Control, channel: ChannelInfo, bot: BotServer
) -> None:
    alice = control.user("Alice")
    control.follow(channel, alice)
    said = [control.say(channel, alice, message) for message in (TEXT, STICKER, LOCATION)]
    control.wait_for_jobs()

    for event, content in zip(said, (TEXT, STICKER, LOCATION), strict=True):
        assert list(event) == [
            "type",
            "mode",
            "timestamp",
            "webhookEventId",
            "source",
            "replyToken",
            "message",
        ]
        assert event["mode"] == "active"
        assert event["source"] == {"type": "user", "userId": alice}
        message = event["message"]
        assert {k: message[k] for k in content} == content
        assert ("quoteToken" in message) == (content["type"] != "location")
        assert message["markAsReadToken"]
    delivered = [e for e in _raw_events(bot) if e["type"] == "message"]
    assert [{k: v for k, v in e.items() if k != "deliveryContext"} for e in delivered] == said
    assert server.services.fast_lane is None or _known_to_the_lane(server, channel)

    with _bot_api(server, channel) as api:
        reply = {"replyToken": said[0]["replyToken"], "messages": [{"type": "text", "text": "hi"}]}
        assert api.post("/v2/bot/message/reply", json=reply).status_code == 200
        token = said[1]["message"]["markAsReadToken"]
        assert api.post("/v2/bot/chat/markAsRead", json={"markAsReadToken": token}).json() == {}
        # The quote token names the message: the bot can quote it in a reply.
        quoted = {
            "type": "text",
            "text": "that one",
            "quoteToken": said[0]["message"]["quoteToken"],
        }
        push = {"to": alice, "messages": [quoted]}
        assert api.post("/v2/bot/message/push", json=push).status_code == 200


def test_a_channel_changed_since_the_last_message_gets_the_event_it_is_now_in(
    control: Control, channel: ChannelInfo, bot: BotServer
) -> None:
    alice = control.user("Alice")
    control.follow(channel, alice)
    assert control.say(channel, alice, TEXT)["mode"] == "active"

    mode = f"/_kizuna/channels/{channel.channel_id}/mode"
    assert control.http.put(mode, json={"mode": "standby"}).status_code == 200
    standby = control.say(channel, alice, TEXT)
    assert standby["mode"] == "standby" and "replyToken" not in standby
    assert control.http.put(mode, json={"mode": "active"}).status_code == 200
    active = control.say(channel, alice, STICKER)
    assert active["mode"] == "active" and active["replyToken"]
    control.wait_for_jobs()
    assert [e["mode"] for e in _raw_events(bot) if e["type"] == "message"] == [
        "active",
        "standby",
        "active",
    ]


def test_refusals_and_malformed_messages_are_the_routes(
    control: Control, channel: ChannelInfo, bot: BotServer
) -> None:
    alice, bob = control.user("Alice"), control.user("Bob")
    control.follow(channel, alice)
    control.follow(channel, bob)
    control.say(channel, alice, TEXT)  # the channel is known from here on
    control.wait_for_jobs()
    before = len(_raw_events(bot))

    def status(path: str, body: Any = TEXT) -> tuple[int, str]:
        response = control.http.post(path, json=body)
        return response.status_code, response.json().get("message", "")

    assert status(_path("1234567890", alice))[0] == 404
    assert status(_path(channel, "U" + "0" * 32))[0] == 404
    assert status(_path(channel, alice), {"type": "text", "text": ""})[0] == 400
    assert status(_path(channel, alice), {"type": "image"})[0] == 400
    assert status(_path(channel, alice), [TEXT])[0] == 400
    bad_json = control.http.post(
        _path(channel, alice), content=b"{", headers={"Content-Type": "application/json"}
    )
    assert bad_json.status_code == 400
    assert "could not be parsed as JSON" in bad_json.json()["message"]

    control.unfollow(channel, bob)
    code, message = status(_path(channel, bob))
    assert code == 409 and "blocked" in message

    suspend = control.http.post(
        f"/_kizuna/channels/{channel.channel_id}/status", json={"status": "suspended"}
    )
    assert suspend.status_code == 200
    code, message = status(_path(channel, alice))
    assert code == 409 and "suspended" in message
    control.wait_for_jobs()
    # Nothing refused was written.
    assert [e["type"] for e in _raw_events(bot)[before:]] == ["unfollow", "botSuspended"]


def test_a_user_who_never_followed_may_still_write(
    control: Control, channel: ChannelInfo, bot: BotServer
) -> None:
    stranger = control.user("Stranger")
    event = control.say(channel, stranger, TEXT)
    control.wait_for_jobs()
    assert [e["webhookEventId"] for e in _raw_events(bot)] == [event["webhookEventId"]]


def test_media_still_goes_through_the_route(
    control: Control, channel: ChannelInfo, bot: BotServer
) -> None:
    alice = control.user("Alice")
    sent = control.http.post(
        _path(channel, alice),
        data={"type": "file"},
        files={"file": ("notes.txt", b"hello", "text/plain")},
    )
    assert sent.status_code == 201
    assert sent.json()["message"]["fileName"] == "notes.txt"


@pytest.mark.parametrize("users", [12])
def test_users_speaking_at_once_reach_the_bot_each_in_order(
    control: Control, channel: ChannelInfo, bot: BotServer, users: int
) -> None:
    speakers = [control.user(f"User {n}") for n in range(users)]

    def talk(user: str) -> list[str]:
        texts = [f"{user}-{n}" for n in range(8)]
        with httpx.Client(base_url=str(control.http.base_url)) as client:
            for text in texts:
                response = client.post(_path(channel, user), json={"type": "text", "text": text})
                assert response.status_code == 201
        return texts

    with ThreadPoolExecutor(users) as pool:
        expected = dict(zip(speakers, pool.map(talk, speakers), strict=True))
    control.wait_for_jobs()
    heard: dict[str, list[str]] = {}
    for event in _raw_events(bot):
        heard.setdefault(event["source"]["userId"], []).append(event["message"]["text"])
    assert heard == expected
