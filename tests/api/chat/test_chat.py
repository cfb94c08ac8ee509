"""The chat endpoints through the official SDK: loading animation, read marks, link tokens."""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import httpx
import pytest
from linebot.v3.messaging import (
    ApiClient,
    ApiException,
    ChatReference,
    IssueLinkTokenResponse,
    MarkMessagesAsReadByTokenRequest,
    MarkMessagesAsReadRequest,
    MessagingApi,
    PushMessageRequest,
    ReplyMessageRequest,
    ShowLoadingAnimationRequest,
    TextMessage,
)

from app.api.ratelimit import LOADING, limit_for
from tests.support.control import ChannelInfo, Control
from tests.support.live import LiveServer
from tests.support.sdk import call_async, call_sync, messaging_config

HELLO = [TextMessage(text="Hello")]


@dataclass
class Context:
    control: Control
    channel: ChannelInfo
    friend: str

    def read_token(self) -> str:
        said = self.control.say(self.channel, self.friend, {"type": "text", "text": "hi"})
        return str(said["message"]["markAsReadToken"])


Operation = tuple[Callable[[Any, Context], Any], Callable[[Any], bool]]

OPERATIONS: dict[str, Operation] = {
    "show_loading_animation": (
        lambda api, c: api.show_loading_animation(
            ShowLoadingAnimationRequest(chat_id=c.friend, loading_seconds=5)
        ),
        lambda result: result == {},  # the 202 `{}`: a 200 would make the SDK return None
    ),
    "mark_messages_as_read": (
        lambda api, c: api.mark_messages_as_read(
            MarkMessagesAsReadRequest(chat=ChatReference(user_id=c.friend))
        ),
        lambda result: result is None,
    ),
    "mark_messages_as_read_by_token": (
        lambda api, c: api.mark_messages_as_read_by_token(
            MarkMessagesAsReadByTokenRequest(mark_as_read_token=c.read_token())
        ),
        lambda result: result is None,
    ),
    "issue_link_token": (
        lambda api, c: api.issue_link_token(c.friend),
        lambda result: isinstance(result, IssueLinkTokenResponse) and len(result.link_token) == 32,
    ),
}


def test_the_table_covers_every_chat_operation_of_the_sdk() -> None:
    chat = {
        name
        for name in dir(MessagingApi)
        if not name.endswith("_with_http_info")
        and name.startswith(("show_loading", "mark_messages_as_read", "issue_link_token"))
    }
    assert chat == set(OPERATIONS)


@pytest.fixture
def context(control: Control, channel: ChannelInfo) -> Context:
    friend = control.user("Friend")
    control.follow(channel, friend)
    return Context(control, channel, friend)


@pytest.mark.parametrize("name", sorted(OPERATIONS))
def test_sync_client(name: str, server: LiveServer, context: Context) -> None:
    call, check = OPERATIONS[name]
    token = context.channel.access_token
    result = call_sync(server.base_url, token, lambda api: call(api, context))
    assert check(result), f"{name} returned {result!r}"


@pytest.mark.asyncio
@pytest.mark.parametrize("name", sorted(OPERATIONS))
async def test_async_client(name: str, server: LiveServer, context: Context) -> None:
    call, check = OPERATIONS[name]
    token = context.channel.access_token
    result = await call_async(server.base_url, token, lambda api: call(api, context))
    assert check(result), f"{name} returned {result!r}"


def _post(server: LiveServer, channel: ChannelInfo, path: str, body: Any) -> httpx.Response:
    return httpx.post(
        f"{server.base_url}{path}",
        json=body,
        headers={"Authorization": f"Bearer {channel.access_token}"},
    )


def _chat(control: Control, channel: ChannelInfo, user_id: str) -> dict[str, Any]:
    path = f"/_kizuna/channels/{channel.channel_id}/users/{user_id}/chat"
    response = control.http.get(path)
    assert response.status_code == 200, response.text
    return dict(response.json())


class TestLoadingAnimation:
    def test_shows_until_its_time_is_up(
        self, server: LiveServer, control: Control, context: Context
    ) -> None:
        channel, friend = context.channel, context.friend
        assert _chat(control, channel, friend)["loading"] is False
        with ApiClient(messaging_config(server.base_url, channel.access_token)) as client:
            api = MessagingApi(client)
            api.show_loading_animation(ShowLoadingAnimationRequest(chat_id=friend))
            chat = _chat(control, channel, friend)
            assert chat["loading"] is True and "loadingUntil" in chat
            server.services.clock.advance(timedelta(seconds=19))
            assert _chat(control, channel, friend)["loading"] is True  # 20 s by default
            server.services.clock.advance(timedelta(seconds=2))
            chat = _chat(control, channel, friend)
            assert chat["loading"] is False and "loadingUntil" not in chat
            # A second request while it shows sets a new length from now.
            api.show_loading_animation(
                ShowLoadingAnimationRequest(chat_id=friend, loading_seconds=60)
            )
            server.services.clock.advance(timedelta(seconds=55))
            assert _chat(control, channel, friend)["loading"] is True

    def test_the_bots_next_message_ends_it(
        self, server: LiveServer, control: Control, context: Context
    ) -> None:
        channel, friend = context.channel, context.friend
        other = control.user("Other")
        control.follow(channel, other)
        with ApiClient(messaging_config(server.base_url, channel.access_token)) as client:
            api = MessagingApi(client)
            api.push_message(PushMessageRequest(to=friend, messages=HELLO))  # before: no effect
            for user_id in (friend, other):
                api.show_loading_animation(
                    ShowLoadingAnimationRequest(chat_id=user_id, loading_seconds=60)
                )
            assert _chat(control, channel, friend)["loading"] is True
            api.push_message(PushMessageRequest(to=friend, messages=HELLO))
            assert _chat(control, channel, friend)["loading"] is False
            assert _chat(control, channel, other)["loading"] is True  # another chat
            token = control.reply_token(channel, other)
            api.reply_message(ReplyMessageRequest(reply_token=token, messages=HELLO))
            assert _chat(control, channel, other)["loading"] is False

    def test_another_channels_message_does_not_end_it(
        self, server: LiveServer, control: Control, context: Context
    ) -> None:
        channel, friend = context.channel, context.friend
        other = control.channel("Other")
        control.follow(other, friend)
        with ApiClient(messaging_config(server.base_url, channel.access_token)) as client:
            MessagingApi(client).show_loading_animation(ShowLoadingAnimationRequest(chat_id=friend))
        with ApiClient(messaging_config(server.base_url, other.access_token)) as client:
            MessagingApi(client).push_message(PushMessageRequest(to=friend, messages=HELLO))
        assert _chat(control, channel, friend)["loading"] is True

    @pytest.mark.parametrize("seconds", [0, 4, 7, 61, 65, "20", 20.5, None])
    def test_bad_seconds_name_the_property(
        self, server: LiveServer, context: Context, seconds: Any
    ) -> None:
        body = {"chatId": context.friend, "loadingSeconds": seconds}
        response = _post(server, context.channel, "/v2/bot/chat/loading/start", body)
        assert response.status_code == 400, response.text
        assert response.json()["message"] == "The request body has 1 error(s)"
        assert [d["property"] for d in response.json()["details"]] == ["loadingSeconds"]

    def test_only_a_friends_chat(
        self, server: LiveServer, control: Control, context: Context
    ) -> None:
        channel = context.channel
        stranger, blocker = control.user("Stranger"), control.user("Blocker")
        control.follow(channel, blocker)
        control.unfollow(channel, blocker)
        group_like = "C" + "0" * 32
        for chat_id in (stranger, blocker, group_like, "U" + "0" * 32, ""):
            response = _post(server, channel, "/v2/bot/chat/loading/start", {"chatId": chat_id})
            assert response.status_code == 400, (chat_id, response.text)
            assert [d["property"] for d in response.json()["details"]] == ["chatId"]
        missing = _post(server, channel, "/v2/bot/chat/loading/start", {"loadingSeconds": 5})
        assert missing.status_code == 400
        assert missing.json()["details"] == [{"message": "Must not be empty", "property": "chatId"}]
        with (
            ApiClient(messaging_config(server.base_url, channel.access_token)) as client,
            pytest.raises(ApiException) as caught,
        ):
            MessagingApi(client).show_loading_animation(
                ShowLoadingAnimationRequest(chat_id=stranger)
            )
        assert caught.value.status == 400

    def test_answers_202_with_an_empty_object(self, server: LiveServer, context: Context) -> None:
        response = _post(
            server, context.channel, "/v2/bot/chat/loading/start", {"chatId": context.friend}
        )
        assert (response.status_code, response.json()) == (202, {})

    def test_has_its_own_rate_limit(self) -> None:
        assert limit_for("/v2/bot/chat/loading/start", "POST") == LOADING
        assert (LOADING.requests, LOADING.window_seconds) == (100, 1)


class TestMarkAsRead:
    def _three_messages(self, control: Control, channel: ChannelInfo, user_id: str) -> list[str]:
        return [
            control.say(channel, user_id, {"type": "text", "text": f"m{n}"})["message"][
                "markAsReadToken"
            ]
            for n in range(3)
        ]

    def test_by_token_marks_that_message_and_the_earlier_ones(
        self, server: LiveServer, control: Control
    ) -> None:
        channel = control.channel("Chat on", chatMode="chat")
        alice, bob = control.user("Alice"), control.user("Bob")
        for user_id in (alice, bob):
            control.follow(channel, user_id)
        tokens = self._three_messages(control, channel, alice)
        self._three_messages(control, channel, bob)
        assert [m["read"] for m in _chat(control, channel, alice)["messages"]] == [False] * 3
        with ApiClient(messaging_config(server.base_url, channel.access_token)) as client:
            MessagingApi(client).mark_messages_as_read_by_token(
                MarkMessagesAsReadByTokenRequest(mark_as_read_token=tokens[1])
            )
        messages = _chat(control, channel, alice)["messages"]
        assert [m["read"] for m in messages] == [True, True, False]
        assert [m["type"] for m in messages] == ["text"] * 3
        assert all(m["unsent"] is False and m["messageId"] and m["sentAt"] for m in messages)
        assert [m["read"] for m in _chat(control, channel, bob)["messages"]] == [False] * 3

    def test_by_chat_marks_all_the_users_messages(
        self, server: LiveServer, control: Control
    ) -> None:
        channel = control.channel("Chat on", chatMode="chat")
        alice, bob = control.user("Alice"), control.user("Bob")
        for user_id in (alice, bob):
            control.follow(channel, user_id)
            self._three_messages(control, channel, user_id)
        with ApiClient(messaging_config(server.base_url, channel.access_token)) as client:
            MessagingApi(client).mark_messages_as_read(
                MarkMessagesAsReadRequest(chat=ChatReference(user_id=alice))
            )
        assert [m["read"] for m in _chat(control, channel, alice)["messages"]] == [True] * 3
        assert [m["read"] for m in _chat(control, channel, bob)["messages"]] == [False] * 3
        response = _post(
            server, channel, "/v2/bot/message/markAsRead", {"chat": {"userId": "U" + "0" * 32}}
        )
        assert response.status_code == 400
        assert response.json()["details"][0]["property"] == "chat.userId"
        response = _post(server, channel, "/v2/bot/message/markAsRead", {"chat": {}})
        assert response.json()["details"][0]["property"] == "chat.userId"

    def test_with_chat_off_messages_are_read_on_arrival(
        self, control: Control, context: Context
    ) -> None:
        self._three_messages(control, context.channel, context.friend)
        chat = _chat(control, context.channel, context.friend)
        assert [m["read"] for m in chat["messages"]] == [True] * 3

    def test_a_token_of_another_channel_or_none_at_all_is_refused(
        self, server: LiveServer, control: Control, context: Context
    ) -> None:
        other = control.channel("Other")
        control.follow(other, context.friend)
        foreign = self._three_messages(control, other, context.friend)[0]
        with ApiClient(messaging_config(server.base_url, context.channel.access_token)) as client:
            api = MessagingApi(client)
            for token in (foreign, "not-a-token"):
                with pytest.raises(ApiException) as caught:
                    api.mark_messages_as_read_by_token(
                        MarkMessagesAsReadByTokenRequest(mark_as_read_token=token)
                    )
                assert caught.value.status == 400
        response = _post(
            server, context.channel, "/v2/bot/chat/markAsRead", {"markAsReadToken": foreign}
        )
        assert response.json() == {"message": "Invalid markAsReadToken"}


class TestIssueLinkToken:
    def test_each_call_issues_a_new_token(self, server: LiveServer, context: Context) -> None:
        with ApiClient(messaging_config(server.base_url, context.channel.access_token)) as client:
            api = MessagingApi(client)
            tokens = {api.issue_link_token(context.friend).link_token for _ in range(3)}
        assert len(tokens) == 3 and all(token.isalnum() for token in tokens)

    def test_only_for_a_friend(
        self, server: LiveServer, control: Control, context: Context
    ) -> None:
        stranger = control.user("Stranger")
        with ApiClient(messaging_config(server.base_url, context.channel.access_token)) as client:
            api = MessagingApi(client)
            for user_id in (stranger, "U" + "0" * 32):
                with pytest.raises(ApiException) as caught:
                    api.issue_link_token(user_id)
                assert caught.value.status == 400
