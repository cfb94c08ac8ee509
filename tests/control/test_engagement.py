"""Recording opens and clicks of delivered messages, per request and aggregation unit."""

import pytest
from linebot.v3.messaging import (
    ApiClient,
    AsyncApiClient,
    AsyncMessagingApi,
    BroadcastRequest,
    ButtonsTemplate,
    MessagingApi,
    PushMessageRequest,
    TemplateMessage,
    TextMessage,
    URIAction,
)
from linebot.v3.messaging.models import SentMessage

from tests.support.control import ChannelInfo, Control
from tests.support.live import LiveServer
from tests.support.sdk import messaging_config

SHOP = "https://example.com/shop"


def message_path(channel: ChannelInfo, user_id: str, message_id: str) -> str:
    return f"/_kizuna/channels/{channel.channel_id}/users/{user_id}/inbox/{message_id}"


class TestOpenAndClick:
    def test_push_then_open_and_click_a_uri_action(
        self, server: LiveServer, control: Control, channel: ChannelInfo
    ) -> None:
        alice = control.user("Alice")
        control.follow(channel, alice)
        buttons = TemplateMessage(
            alt_text="Shop",
            template=ButtonsTemplate(text="Visit", actions=[URIAction(label="Shop", uri=SHOP)]),
        )
        with ApiClient(messaging_config(server.base_url, channel.access_token)) as client:
            sent = MessagingApi(client).push_message_with_http_info(
                PushMessageRequest(
                    to=alice,
                    messages=[TextMessage(text="Hi"), buttons],
                    custom_aggregation_units=["spring_sale"],
                )
            )
        request_id = sent.headers["X-Line-Request-Id"]
        message = sent.data.sent_messages[1]
        assert isinstance(message, SentMessage)
        path = message_path(channel, alice, message.id)
        opened = control.http.post(f"{path}/open")
        assert opened.status_code == 201
        body = opened.json()
        assert (body["kind"], body["requestId"], body["messageIndex"]) == ("open", request_id, 1)
        assert body["aggregationUnit"] == "spring_sale"
        clicked = control.http.post(f"{path}/click", json={"url": SHOP})
        assert clicked.status_code == 201
        assert (clicked.json()["kind"], clicked.json()["url"]) == ("click", SHOP)
        elsewhere = control.http.post(f"{path}/click", json={"url": "https://example.com/x"})
        assert elsewhere.status_code == 400
        # A piece of the message is not a link in it.
        for part in ("text", SHOP[:-3]):
            assert control.http.post(f"{path}/click", json={"url": part}).status_code == 400
        assert elsewhere.json()["details"][0]["property"] == "url"
        unknown = control.http.post(f"{message_path(channel, alice, '123')}/open")
        assert unknown.status_code == 404

    @pytest.mark.asyncio
    async def test_broadcast_opens_per_recipient_async(
        self, server: LiveServer, control: Control, channel: ChannelInfo
    ) -> None:
        friends = [control.user(f"F{i}") for i in range(3)]
        for user_id in friends:
            control.follow(channel, user_id)
        async with AsyncApiClient(messaging_config(server.base_url, channel.access_token)) as c:
            sent = await AsyncMessagingApi(c).broadcast_with_http_info(
                BroadcastRequest(messages=[TextMessage(text=f"New: {SHOP}")])
            )
        control.wait_for_jobs()
        request_id = sent.headers["X-Line-Request-Id"]
        ids = [control.inbox(channel, user_id)[0]["messageId"] for user_id in friends]
        assert len(set(ids)) == 3  # one message id per recipient of a fan-out
        for user_id, message_id in zip(friends, ids, strict=True):
            response = control.http.post(f"{message_path(channel, user_id, message_id)}/open")
            assert response.json()["requestId"] == request_id
        # Another user's message id is not in this user's inbox.
        foreign = control.http.post(f"{message_path(channel, friends[0], ids[1])}/open")
        assert foreign.status_code == 404


class TestSharing:
    def test_share_refuses_an_unknown_audience(
        self, control: Control, channel: ChannelInfo
    ) -> None:
        path = f"/_kizuna/channels/{channel.channel_id}/audiences/1000000000999/shares"
        other = control.channel("Other")
        assert control.http.post(path, json={"channelId": other.channel_id}).status_code == 404
