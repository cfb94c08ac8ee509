import pytest
from linebot.v3.messaging import (
    ApiClient,
    AsyncApiClient,
    AsyncMessagingApi,
    BotInfoResponse,
    MessagingApi,
)

from tests.support.control import ChannelInfo
from tests.support.live import LiveServer
from tests.support.sdk import messaging_config


class TestGetBotInfo:
    def test_answers_the_tokens_channel(self, server: LiveServer, channel: ChannelInfo) -> None:
        with ApiClient(messaging_config(server.base_url, channel.access_token)) as client:
            info = MessagingApi(client).get_bot_info()
        assert isinstance(info, BotInfoResponse)
        assert info.user_id == channel.bot_user_id
        assert info.basic_id == channel.basic_id
        assert info.display_name == "Test channel"
        assert (info.chat_mode, info.mark_as_read_mode) == ("bot", "auto")
        assert info.picture_url is None

    @pytest.mark.asyncio
    async def test_async_client_and_chat_mode(self, server: LiveServer, control) -> None:  # type: ignore[no-untyped-def]
        channel = control.channel("Chatty", chatMode="chat", pictureUrl="https://example.com/p.png")
        async with AsyncApiClient(
            messaging_config(server.base_url, channel.access_token)
        ) as client:
            info = await AsyncMessagingApi(client).get_bot_info()
        assert (info.display_name, info.chat_mode, info.mark_as_read_mode) == (
            "Chatty",
            "chat",
            "manual",
        )
        assert info.picture_url == "https://example.com/p.png"

    def test_two_channels_see_only_themselves(self, server: LiveServer, control) -> None:  # type: ignore[no-untyped-def]
        first, second = control.channel("First"), control.channel("Second")
        for channel, name in ((first, "First"), (second, "Second")):
            with ApiClient(messaging_config(server.base_url, channel.access_token)) as client:
                info = MessagingApi(client).get_bot_info()
            assert (info.display_name, info.user_id) == (name, channel.bot_user_id)
