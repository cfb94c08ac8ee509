"""LINE notification messages: sent to a phone number, friend or not, then a delivery event."""

import hashlib
import json
from datetime import timedelta

import pytest
from linebot.v3.messaging import (
    ApiClient,
    AsyncApiClient,
    AsyncMessagingApi,
    MessagingApi,
    PnpMessagesRequest,
    TextMessage,
)
from linebot.v3.messaging.exceptions import ApiException
from linebot.v3.webhooks import PnpDeliveryCompletionEvent

from app.delivery.service import PLATFORM_TZ
from tests.support.bot import BotServer
from tests.support.control import ChannelInfo, Control
from tests.support.live import LiveServer
from tests.support.sdk import messaging_config

PHONE = "+819012345678"
DIGEST = hashlib.sha256(PHONE.encode()).hexdigest()
TAG = "order-2026-0001-shipped"


def test_a_notification_reaches_a_phone_number_and_the_bot_hears_it_was_delivered(
    server: LiveServer, control: Control, channel: ChannelInfo, bot: BotServer
) -> None:
    alice = control.user("Alice", phoneNumber=PHONE)  # not a friend of the account
    request = PnpMessagesRequest(to=DIGEST, messages=[TextMessage(text="Your parcel shipped")])
    with ApiClient(messaging_config(server.base_url, channel.access_token)) as client:
        api = MessagingApi(client)
        api.push_messages_by_phone(request, x_line_delivery_tag=TAG)
        api.push_messages_by_phone(request)
        with pytest.raises(ApiException) as unknown:
            api.push_messages_by_phone(
                PnpMessagesRequest(to="0" * 64, messages=[TextMessage(text="x")])
            )
        assert unknown.value.status == 422
        with pytest.raises(ApiException) as bad:
            api.push_messages_by_phone(
                PnpMessagesRequest(to=PHONE, messages=[TextMessage(text="x")])
            )
        assert bad.value.status == 400 and '"property":"to"' in bad.value.body.replace(" ", "")
        # Outside the message quota.
        assert api.get_message_quota_consumption().total_usage == 0
    control.wait_for_jobs()

    assert [item["via"] for item in control.inbox(channel, alice)] == ["pnp", "pnp"]
    first, second = bot.events
    assert isinstance(first, PnpDeliveryCompletionEvent) and first.delivery.data == TAG
    assert isinstance(second, PnpDeliveryCompletionEvent) and second.delivery.data == DIGEST
    assert first.source.user_id == alice
    raw = json.loads(bot.received[0].body)["events"][0]
    assert "replyToken" not in raw and raw["mode"] == "active"


@pytest.mark.asyncio
async def test_blocked_users_get_none_and_the_day_is_counted(
    server: LiveServer, control: Control, channel: ChannelInfo
) -> None:
    bob = control.user("Bob", phoneNumber=PHONE)
    taken = control.http.post("/_kizuna/users", json={"displayName": "X", "phoneNumber": PHONE})
    assert taken.status_code == 409
    control.follow(channel, bob)
    async with AsyncApiClient(messaging_config(server.base_url, channel.access_token)) as client:
        api = AsyncMessagingApi(client)
        await api.push_messages_by_phone(
            PnpMessagesRequest(to=DIGEST, messages=[TextMessage(text="1")])
        )
        control.unfollow(channel, bob)
        with pytest.raises(ApiException) as blocked:
            await api.push_messages_by_phone(
                PnpMessagesRequest(to=DIGEST, messages=[TextMessage(text="2")])
            )
        assert blocked.value.status == 422
        today = server.services.clock.now().astimezone(PLATFORM_TZ).strftime("%Y%m%d")
        assert (await api.get_pnp_message_statistics(today)).status == "unready"
        server.services.clock.advance(timedelta(days=1))
        counted = await api.get_pnp_message_statistics(today)
        assert (counted.status, counted.success) == ("ready", 1)
