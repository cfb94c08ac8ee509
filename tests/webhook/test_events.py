"""User actions reach a real bot as signed webhooks the official SDK parses into typed events."""

import base64
import hashlib
import hmac
import json
from datetime import timedelta
from typing import Any

import pytest
from linebot.v3.messaging import (
    ApiClient,
    MessagingApi,
    PushMessageRequest,
    ReplyMessageRequest,
    SetWebhookEndpointRequest,
    TextMessage,
    VideoMessage,
)
from linebot.v3.messaging import TestWebhookEndpointRequest as WebhookTest
from linebot.v3.webhooks import (
    BeaconEvent,
    FollowEvent,
    LocationMessageContent,
    MessageEvent,
    PostbackEvent,
    StickerMessageContent,
    TextMessageContent,
    UnfollowEvent,
    VideoPlayCompleteEvent,
)

from tests.support.bot import BotServer
from tests.support.control import ChannelInfo, Control
from tests.support.live import LiveServer
from tests.support.sdk import messaging_config

GREETING = 'こんにちは 🌸 café \u00e9\u0301 — "quoted" \\ back'


def test_every_action_arrives_as_its_typed_event_and_the_reply_lands_in_the_inbox(
    server: LiveServer, control: Control, channel: ChannelInfo, bot: BotServer
) -> None:
    def reply_to_text(event: Any) -> None:
        if isinstance(event, MessageEvent) and isinstance(event.message, TextMessageContent):
            config = messaging_config(server.base_url, channel.access_token)
            with ApiClient(config) as client:
                MessagingApi(client).reply_message(
                    ReplyMessageRequest(
                        reply_token=event.reply_token,
                        messages=[TextMessage(text=f"You said: {event.message.text}")],
                    )
                )

    bot.on_event = reply_to_text
    alice = control.user("Alice")
    control.follow(channel, alice)
    said = control.say(channel, alice, {"type": "text", "text": GREETING})
    control.say(channel, alice, {"type": "sticker", "packageId": "446", "stickerId": "1988"})
    control.say(
        channel,
        alice,
        {"type": "location", "title": "Tokyo Tower", "latitude": 35.6586, "longitude": 139.7454},
    )
    control.postback(channel, alice, data="action=buy&item=1", params={"date": "2026-12-01"})
    # The bot replies while handling the webhook: let it, before Alice blocks the account.
    control.wait_for_jobs()
    control.unfollow(channel, alice)
    control.follow(channel, alice)
    control.wait_for_jobs()

    assert bot.errors == []
    kinds = [type(event) for event in bot.events]
    assert kinds == [
        FollowEvent,
        MessageEvent,
        MessageEvent,
        MessageEvent,
        PostbackEvent,
        UnfollowEvent,
        FollowEvent,
    ]
    follow, text, sticker, location, postback, _, refollow = bot.events
    assert follow.follow.is_unblocked is False and refollow.follow.is_unblocked is True
    assert isinstance(text.message, TextMessageContent) and text.message.text == GREETING
    assert text.message.quote_token and text.message.id == said["message"]["id"]
    assert text.source.user_id == alice and text.mode == "active"
    assert isinstance(sticker.message, StickerMessageContent)
    assert sticker.message.sticker_id == "1988"
    assert isinstance(location.message, LocationMessageContent)
    assert location.message.title == "Tokyo Tower"
    assert postback.postback.data == "action=buy&item=1"
    assert postback.postback.params == {"date": "2026-12-01"}
    assert all(event.delivery_context.is_redelivery is False for event in bot.events)
    assert len({event.webhook_event_id for event in bot.events}) == 7

    request = next(r for r in bot.received if text in r.events)
    assert request.headers["User-Agent"] == "LineBotWebhook/2.0"
    assert request.headers["Content-Type"] == "application/json; charset=utf-8"
    expected = hmac.new(channel.channel_secret.encode(), request.body, hashlib.sha256).digest()
    assert request.headers["X-Line-Signature"] == base64.b64encode(expected).decode()
    assert "こんにちは 🌸 café".encode() in request.body  # signed as sent: non-ASCII unescaped
    assert json.loads(request.body)["destination"] == channel.bot_user_id

    inbox = control.inbox(channel, alice)
    assert [item["message"]["text"] for item in inbox] == [f"You said: {GREETING}"]
    assert inbox[0]["via"] == "reply"
    attempts = control.webhook_attempts(channel)
    assert len(attempts) == len(bot.received) and all(a["success"] for a in attempts)


def test_a_reply_token_answers_once(
    server: LiveServer, control: Control, channel: ChannelInfo, bot: BotServer
) -> None:
    alice = control.user("Alice")
    event = control.say(channel, alice, {"type": "text", "text": "hi"})
    config = messaging_config(server.base_url, channel.access_token)
    with ApiClient(config) as client:
        api = MessagingApi(client)
        request = ReplyMessageRequest(
            reply_token=event["replyToken"], messages=[TextMessage(text="1")]
        )
        api.reply_message(request)
        with pytest.raises(Exception, match="Invalid reply token"):
            api.reply_message(request)


def test_a_blocked_user_cannot_talk_and_bad_messages_name_the_property(
    control: Control, channel: ChannelInfo, bot: BotServer
) -> None:
    alice = control.user("Alice")
    control.follow(channel, alice)
    control.unfollow(channel, alice)
    path = f"/_kizuna/channels/{channel.channel_id}/users/{alice}/messages"
    assert control.http.post(path, json={"type": "text", "text": "hi"}).status_code == 409
    control.follow(channel, alice)
    bad = control.http.post(path, json={"type": "location", "latitude": 91})
    assert bad.status_code == 400
    assert {d["property"] for d in bad.json()["details"]} == {"latitude", "longitude"}
    image = control.http.post(path, json={"type": "image"})
    assert image.status_code == 400 and "multipart" in image.json()["message"]


def _down_url() -> str:
    probe = BotServer("x")  # bind a port, then free it: nothing listens there
    url = probe.url
    probe.stop()
    return url


def test_failures_are_logged_and_redelivery_brings_every_event_once_the_bot_is_back(
    control: Control, channel: ChannelInfo, bot: BotServer
) -> None:
    control.webhook(channel, url=_down_url(), redelivery=True)
    alice = control.user("Alice")
    control.follow(channel, alice)
    sent = [control.say(channel, alice, {"type": "text", "text": f"m{n}"}) for n in range(3)]
    control.wait_for_jobs()
    attempts = control.webhook_attempts(channel)
    assert attempts and all(not a["success"] for a in attempts)
    assert {a["reason"] for a in attempts} == {"COULD_NOT_CONNECT"}
    assert all(a["statusCode"] == 0 and a["latencyMs"] >= 0 for a in attempts)

    bot.status = 500
    control.webhook(channel, url=bot.url)
    assert (
        control.http.post(f"/_kizuna/channels/{channel.channel_id}/webhook/redeliver").status_code
        == 202
    )
    control.wait_for_jobs()
    failed = control.webhook_attempts(channel)[0]
    assert (failed["reason"], failed["statusCode"]) == ("ERROR_STATUS_CODE", 500)
    assert failed["response"] == "bot failure" and failed["isRedelivery"] is True

    bot.status = 200
    bot.received.clear()
    control.http.post(f"/_kizuna/channels/{channel.channel_id}/webhook/redeliver")
    control.wait_for_jobs()
    ids = [event.webhook_event_id for event in bot.events]
    assert len(ids) == len(set(ids)) == 4  # the follow and three messages, none lost
    assert {e["webhookEventId"] for e in sent} <= set(ids)
    assert all(event.delivery_context.is_redelivery for event in bot.events)


def test_without_redelivery_a_failed_event_is_not_sent_again(
    control: Control, channel: ChannelInfo, bot: BotServer
) -> None:
    bot.status = 500
    alice = control.user("Alice")
    control.follow(channel, alice)
    control.wait_for_jobs()
    bot.status = 200
    control.http.post(f"/_kizuna/channels/{channel.channel_id}/webhook/redeliver")
    control.say(channel, alice, {"type": "text", "text": "after"})
    control.wait_for_jobs()
    assert [type(e) for e in bot.events] == [FollowEvent, MessageEvent]
    assert [r["success"] for r in control.webhook_attempts(channel)] == [True, False]


def test_with_the_webhook_off_nothing_is_sent(
    control: Control, channel: ChannelInfo, bot: BotServer
) -> None:
    control.webhook(channel, enabled=False)
    alice = control.user("Alice")
    control.follow(channel, alice)
    control.wait_for_jobs()
    control.webhook(channel, enabled=True)
    control.say(channel, alice, {"type": "text", "text": "now"})
    control.wait_for_jobs()
    assert [type(e) for e in bot.events] == [MessageEvent]


def test_webhook_endpoint_api_through_the_sdk(
    server: LiveServer, control: Control, channel: ChannelInfo, bot: BotServer
) -> None:
    with ApiClient(messaging_config(server.base_url, channel.access_token)) as client:
        api = MessagingApi(client)
        api.set_webhook_endpoint(SetWebhookEndpointRequest(endpoint=bot.url))
        info = api.get_webhook_endpoint()
        assert (info.endpoint, info.active) == (bot.url, True)
        ok = api.test_webhook_endpoint(WebhookTest())
        assert (ok.success, ok.status_code, ok.reason, ok.detail) == (True, 200, "OK", "200")
        assert bot.received[-1].events == []  # the connectivity check carries no events
        down = api.test_webhook_endpoint(WebhookTest(endpoint=_down_url()))
        assert (down.success, down.status_code, down.reason) == (False, 0, "COULD_NOT_CONNECT")


def test_beacons_and_watched_videos(
    server: LiveServer, control: Control, channel: ChannelInfo, bot: BotServer
) -> None:
    alice = control.user("Alice")
    control.follow(channel, alice)
    user_path = f"/_kizuna/channels/{channel.channel_id}/users/{alice}"
    beacon = control.http.post(f"{user_path}/beacon", json={"hwid": "d41d8cd98f", "type": "stay"})
    assert beacon.status_code == 201
    bad = control.http.post(f"{user_path}/beacon", json={"hwid": "nothex"})
    assert bad.status_code == 400
    watched = {"trackingId": "trailer-1"}
    assert control.http.post(f"{user_path}/video-play-complete", json=watched).status_code == 409
    with ApiClient(messaging_config(server.base_url, channel.access_token)) as client:
        MessagingApi(client).push_message(
            PushMessageRequest(
                to=alice,
                messages=[
                    VideoMessage(
                        original_content_url="https://example.com/trailer.mp4",
                        preview_image_url="https://example.com/trailer.jpg",
                        tracking_id="trailer-1",
                    )
                ],
            )
        )
    assert control.http.post(f"{user_path}/video-play-complete", json=watched).status_code == 201
    control.wait_for_jobs()
    assert bot.errors == []
    follow, near, video = bot.events
    assert isinstance(follow, FollowEvent)
    assert isinstance(near, BeaconEvent) and (near.beacon.hwid, near.beacon.type) == (
        "d41d8cd98f",
        "stay",
    )
    assert isinstance(video, VideoPlayCompleteEvent)
    assert video.video_play_complete.tracking_id == "trailer-1" and video.reply_token


def test_a_redelivered_events_reply_token_works_for_a_minute_within_twenty(
    server: LiveServer, control: Control, channel: ChannelInfo, bot: BotServer
) -> None:
    bot.status = 500
    control.webhook(channel, redelivery=True)
    alice, bob = control.user("Alice"), control.user("Bob")
    control.follow(channel, alice)
    control.wait_for_jobs()
    server.services.clock.advance(timedelta(minutes=5))
    control.follow(channel, bob)  # a fresh event: its token is still good when it arrives
    control.wait_for_jobs()
    server.services.clock.advance(timedelta(minutes=16))  # Bob's event is 16 min old now
    bot.status = 200
    bot.received.clear()
    control.http.post(f"/_kizuna/channels/{channel.channel_id}/webhook/redeliver")
    control.wait_for_jobs()
    tokens = {event.source.user_id: event.reply_token for event in bot.events}
    assert set(tokens) == {alice, bob}
    with ApiClient(messaging_config(server.base_url, channel.access_token)) as client:
        api = MessagingApi(client)
        # Alice's event is 21 minutes old: past the horizon, redelivery or not.
        with pytest.raises(Exception, match="Invalid reply token"):
            api.reply_message(
                ReplyMessageRequest(reply_token=tokens[alice], messages=[TextMessage(text="a")])
            )
        api.reply_message(
            ReplyMessageRequest(reply_token=tokens[bob], messages=[TextMessage(text="b")])
        )
    assert [item["message"]["text"] for item in control.inbox(channel, bob)] == ["b"]
