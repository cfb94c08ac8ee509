"""Account linking, the account's status and standby mode, as a real bot sees them."""

import json
from datetime import timedelta
from typing import Any

import httpx
import pytest
from linebot.v3.messaging import (
    ApiClient,
    MessagingApi,
    PushMessageRequest,
    ReplyMessageRequest,
    TextMessage,
)
from linebot.v3.messaging.exceptions import ForbiddenException
from linebot.v3.webhooks import (
    AccountLinkEvent,
    ActivatedEvent,
    BotResumedEvent,
    BotSuspendedEvent,
    DeactivatedEvent,
    FollowEvent,
    MessageEvent,
    PostbackEvent,
    UserSource,
)

from tests.support.bot import BotServer
from tests.support.control import ChannelInfo, Control
from tests.support.live import LiveServer
from tests.support.sdk import messaging_config

LINK_URL = "https://access.line.me/dialog/bot/accountLink"
NONCE = "bm9uY2Utb2YtMTYtYnl0ZXM"


def _api(server: LiveServer, channel: ChannelInfo) -> ApiClient:
    return ApiClient(messaging_config(server.base_url, channel.access_token))


def _link(control: Control, channel: ChannelInfo, user_id: str, **body: Any) -> dict[str, Any]:
    path = f"/_kizuna/channels/{channel.channel_id}/users/{user_id}/account-link"
    response = control.http.post(path, json=body)
    assert response.status_code == 201, response.text
    return dict(response.json())


def _status(control: Control, channel: ChannelInfo, status: str, **body: Any) -> httpx.Response:
    path = f"/_kizuna/channels/{channel.channel_id}/status"
    return control.http.post(path, json={"status": status, **body})


def _mode(control: Control, channel: ChannelInfo, mode: str) -> None:
    path = f"/_kizuna/channels/{channel.channel_id}/mode"
    response = control.http.put(path, json={"mode": mode})
    assert (response.status_code, response.json()) == (200, {"mode": mode})


def _raw_events(bot: BotServer) -> list[dict[str, Any]]:
    return [event for r in bot.received for event in json.loads(r.body)["events"]]


class TestAccountLink:
    def test_the_bot_links_and_replies(
        self, server: LiveServer, control: Control, channel: ChannelInfo, bot: BotServer
    ) -> None:
        def reply(event: Any) -> None:
            if isinstance(event, AccountLinkEvent) and event.reply_token:
                with _api(server, channel) as client:
                    MessagingApi(client).reply_message(
                        ReplyMessageRequest(
                            reply_token=event.reply_token, messages=[TextMessage(text="Linked")]
                        )
                    )

        bot.on_event = reply
        alice = control.user("Alice")
        control.follow(channel, alice)
        with _api(server, channel) as client:
            token = MessagingApi(client).issue_link_token(alice).link_token
        # The user opens the URL the bot's service sent them to after its own login.
        event = _link(control, channel, alice, url=f"{LINK_URL}?linkToken={token}&nonce={NONCE}")
        assert event["link"] == {"result": "ok", "nonce": NONCE} and event["replyToken"]
        again = _link(control, channel, alice, linkToken=token, nonce=NONCE)
        assert again["link"]["result"] == "failed" and "replyToken" not in again
        control.wait_for_jobs()

        assert bot.errors == []
        linked = [e for e in bot.events if isinstance(e, AccountLinkEvent)]
        assert [e.link.result for e in linked] == ["ok", "failed"]
        assert all(e.link.nonce == NONCE for e in linked)
        assert isinstance(linked[0].source, UserSource) and linked[0].source.user_id == alice
        assert linked[0].reply_token and linked[1].reply_token is None
        assert [item["message"]["text"] for item in control.inbox(channel, alice)] == ["Linked"]

    def test_a_token_fails_once_expired_or_for_another_user_or_channel(
        self, server: LiveServer, control: Control, channel: ChannelInfo, bot: BotServer
    ) -> None:
        other = control.channel("Other")
        alice, bob = control.user("Alice"), control.user("Bob")
        for account in (channel, other):
            for user_id in (alice, bob):
                control.follow(account, user_id)
        with _api(server, channel) as client:
            api = MessagingApi(client)
            stale, alices, spare = (api.issue_link_token(alice).link_token for _ in range(3))
        server.services.clock.advance(timedelta(minutes=9, seconds=59))
        assert _link(control, channel, alice, linkToken=spare, nonce=NONCE)["link"]["result"] == (
            "ok"
        )
        server.services.clock.advance(timedelta(seconds=2))
        failures = [
            _link(control, channel, alice, linkToken=stale, nonce=NONCE),  # over 10 minutes
            _link(control, channel, bob, linkToken=alices, nonce=NONCE),  # another user's
            _link(control, other, alice, linkToken=alices, nonce=NONCE),  # another channel's
            _link(control, channel, alice, linkToken="made-up", nonce=NONCE),
        ]
        assert [e["link"]["result"] for e in failures] == ["failed"] * 4
        assert all("replyToken" not in e for e in failures)
        control.wait_for_jobs()
        assert bot.errors == []
        assert [type(e) for e in bot.events if not isinstance(e, FollowEvent)] == [
            AccountLinkEvent
        ] * 4

    def test_bad_requests(self, control: Control, channel: ChannelInfo) -> None:
        alice = control.user("Alice")
        control.follow(channel, alice)
        path = f"/_kizuna/channels/{channel.channel_id}/users/{alice}/account-link"
        for body in (
            {"linkToken": "x"},
            {"nonce": NONCE},
            {"url": "https://example.com/?linkToken=x&nonce=y"},
            {"url": f"{LINK_URL}?linkToken=x"},
        ):
            assert control.http.post(path, json=body).status_code == 400, body
        control.unfollow(channel, alice)
        assert control.http.post(path, json={"linkToken": "x", "nonce": NONCE}).status_code == 409


class TestChannelStatus:
    def test_suspension_refuses_the_api_and_the_bot_hears_of_it(
        self, server: LiveServer, control: Control, channel: ChannelInfo, bot: BotServer
    ) -> None:
        alice = control.user("Alice")
        control.follow(channel, alice)
        suspended = _status(control, channel, "suspended")
        assert suspended.status_code == 200
        body = suspended.json()
        assert (body["status"], body["mode"], body["changed"]) == ("suspended", "active", True)
        assert [e["type"] for e in body["events"]] == ["botSuspended"]
        assert "source" not in body["events"][0]
        assert _status(control, channel, "suspended").json()["changed"] is False
        with _api(server, channel) as client, pytest.raises(ForbiddenException) as caught:
            MessagingApi(client).push_message(
                PushMessageRequest(to=alice, messages=[TextMessage(text="hi")])
            )
        assert json.loads(caught.value.body) == {
            "message": "Access to this API is not available for your account"
        }
        assert _status(control, channel, "deactivated").status_code == 409  # through active
        talk = f"/_kizuna/channels/{channel.channel_id}/users/{alice}/messages"
        refused = control.http.post(talk, json={"type": "text", "text": "hello?"})
        assert refused.status_code == 409 and "suspended" in refused.json()["message"]
        resumed = _status(control, channel, "active").json()
        assert [e["type"] for e in resumed["events"]] == ["botResumed"]
        with _api(server, channel) as client:
            MessagingApi(client).push_message(
                PushMessageRequest(to=alice, messages=[TextMessage(text="back")])
            )
        control.wait_for_jobs()

        assert bot.errors == []
        kinds = [type(e) for e in bot.events if not isinstance(e, FollowEvent)]
        assert kinds == [BotSuspendedEvent, BotResumedEvent]
        assert all(e.source is None for e in bot.events[1:])
        assert [item["message"]["text"] for item in control.inbox(channel, alice)] == ["back"]

    def test_deactivation_is_standby_until_activated(
        self, server: LiveServer, control: Control, channel: ChannelInfo, bot: BotServer
    ) -> None:
        alice = control.user("Alice")
        control.follow(channel, alice)
        off = _status(control, channel, "deactivated", userId=alice).json()
        assert (off["status"], off["mode"]) == ("deactivated", "standby")
        said = control.say(channel, alice, {"type": "text", "text": "anyone?"})
        assert said["mode"] == "standby" and "replyToken" not in said
        server.services.clock.advance(timedelta(seconds=1))
        on = _status(control, channel, "active", userId=alice, chatControlTtl=600).json()
        assert (on["status"], on["mode"]) == ("active", "active")
        state = control.http.get(f"/_kizuna/channels/{channel.channel_id}/status").json()
        assert state == {"status": "active", "mode": "active"}
        control.wait_for_jobs()

        assert bot.errors == []
        deactivated, message, activated = bot.events[1:]
        assert isinstance(deactivated, DeactivatedEvent) and deactivated.mode == "active"
        assert isinstance(message, MessageEvent) and message.mode == "standby"
        assert isinstance(activated, ActivatedEvent) and activated.mode == "active"
        assert activated.chat_control.expire_at == activated.timestamp + 600_000
        for event in (deactivated, activated):
            assert isinstance(event.source, UserSource) and event.source.user_id == alice

    def test_unknown_status_or_channel(self, control: Control, channel: ChannelInfo) -> None:
        assert _status(control, channel, "paused").status_code == 400
        missing = control.http.post(
            "/_kizuna/channels/0000000000/status", json={"status": "active"}
        )
        assert missing.status_code == 404


class TestStandbyMode:
    def test_events_carry_no_reply_token_and_the_bot_cannot_reply(
        self, server: LiveServer, control: Control, channel: ChannelInfo, bot: BotServer
    ) -> None:
        replies: list[str] = []

        def try_to_reply(event: Any) -> None:
            token = getattr(event, "reply_token", None)
            if token:
                replies.append(token)
                with _api(server, channel) as client:
                    MessagingApi(client).reply_message(
                        ReplyMessageRequest(reply_token=token, messages=[TextMessage(text="x")])
                    )

        alice = control.user("Alice")
        # Followed before: the spec (so the SDK) requires a reply token on follow events.
        control.follow(channel, alice)
        control.wait_for_jobs()
        bot.on_event = try_to_reply
        _mode(control, channel, "standby")
        control.say(channel, alice, {"type": "text", "text": "hello"})
        control.postback(channel, alice, data="a=1")
        with _api(server, channel) as client:
            token = MessagingApi(client).issue_link_token(alice).link_token
        linked = _link(control, channel, alice, linkToken=token, nonce=NONCE)
        assert linked["link"]["result"] == "ok" and "replyToken" not in linked
        control.wait_for_jobs()

        assert bot.errors == []
        follow, *standby = bot.events
        assert isinstance(follow, FollowEvent) and follow.mode == "active"
        assert [type(e) for e in standby] == [MessageEvent, PostbackEvent, AccountLinkEvent]
        assert all(e.mode == "standby" and e.reply_token is None for e in standby)
        assert all("replyToken" not in e for e in _raw_events(bot)[1:])
        assert replies == [] and control.inbox(channel, alice) == []

        _mode(control, channel, "active")
        event = control.say(channel, alice, {"type": "text", "text": "again"})
        assert event["mode"] == "active" and event["replyToken"]
