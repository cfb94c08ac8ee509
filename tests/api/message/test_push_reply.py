import asyncio
import uuid
from datetime import timedelta

import httpx
import pytest
from linebot.v3.messaging import (
    ApiClient,
    AsyncApiClient,
    AsyncMessagingApi,
    MessagingApi,
    PushMessageRequest,
    PushMessageResponse,
    ReplyMessageRequest,
    StickerMessage,
    TextMessage,
)
from linebot.v3.messaging.exceptions import ApiException

from tests.support.control import ChannelInfo, Control
from tests.support.live import LiveServer
from tests.support.sdk import messaging_config


@pytest.fixture
def api(server: LiveServer, channel: ChannelInfo):  # type: ignore[no-untyped-def]
    with ApiClient(messaging_config(server.base_url, channel.access_token)) as client:
        yield MessagingApi(client)


class TestPush:
    def test_a_friend_receives_it_with_the_sent_ids(
        self, api: MessagingApi, control: Control, channel: ChannelInfo
    ) -> None:
        alice = control.user("Alice")
        control.follow(channel, alice)
        messages = [
            TextMessage(text="Hello 🌸"),
            StickerMessage(package_id="446", sticker_id="1988"),
        ]
        response = api.push_message(PushMessageRequest(to=alice, messages=messages))
        assert isinstance(response, PushMessageResponse)
        sent = response.sent_messages
        assert len(sent) == 2 and all(m.id.isdigit() and len(m.id) == 18 for m in sent)
        assert all(m.quote_token for m in sent)
        inbox = control.inbox(channel, alice)
        assert [item["messageId"] for item in inbox] == [m.id for m in sent]
        assert [item["quoteToken"] for item in inbox] == [m.quote_token for m in sent]
        assert inbox[0]["message"] == {"type": "text", "text": "Hello 🌸"}
        assert inbox[1]["message"]["packageId"] == "446"
        assert {item["via"] for item in inbox} == {"push"}

    def test_blocked_users_and_strangers_receive_nothing_but_push_answers_200(
        self, api: MessagingApi, control: Control, channel: ChannelInfo
    ) -> None:
        blocker, stranger = control.user("Blocker"), control.user("Stranger")
        control.follow(channel, blocker)
        control.unfollow(channel, blocker)
        for user_id in (blocker, stranger):
            response = api.push_message(
                PushMessageRequest(to=user_id, messages=[TextMessage(text="hi")])
            )
            assert len(response.sent_messages) == 1
            assert control.inbox(channel, user_id) == []

    def test_bad_recipients(self, server: LiveServer, channel: ChannelInfo) -> None:
        headers = {"Authorization": f"Bearer {channel.access_token}"}
        message = [{"type": "text", "text": "hi"}]
        unknown = httpx.post(
            f"{server.base_url}/v2/bot/message/push",
            headers=headers,
            json={"to": "U" + "0" * 32, "messages": message},
        )
        assert (unknown.status_code, unknown.json()) == (
            400,
            {"message": "Failed to send messages"},
        )
        malformed = httpx.post(
            f"{server.base_url}/v2/bot/message/push",
            headers=headers,
            json={"to": "alice", "messages": []},
        )
        assert malformed.status_code == 400
        props = {d["property"] for d in malformed.json()["details"]}
        assert props == {"to", "messages"}

    def test_retry_key(self, server: LiveServer, control: Control, channel: ChannelInfo) -> None:
        alice = control.user("Alice")
        control.follow(channel, alice)
        key = str(uuid.uuid4())
        headers = {"Authorization": f"Bearer {channel.access_token}", "X-Line-Retry-Key": key}
        body = {"to": alice, "messages": [{"type": "text", "text": "once"}]}
        url = f"{server.base_url}/v2/bot/message/push"
        first = httpx.post(url, headers=headers, json=body)
        assert first.status_code == 200
        again = httpx.post(url, headers=headers, json=body)
        assert again.status_code == 409
        assert again.json() == {
            "message": "The retry key is already accepted",
            "sentMessages": first.json()["sentMessages"],
        }
        assert again.headers["x-line-accepted-request-id"] == first.headers["x-line-request-id"]
        assert again.headers["x-line-request-id"] != first.headers["x-line-request-id"]
        assert len(control.inbox(channel, alice)) == 1
        server.services.clock.advance(timedelta(hours=24, seconds=1))
        assert httpx.post(url, headers=headers, json=body).status_code == 200
        assert len(control.inbox(channel, alice)) == 2
        bad = httpx.post(url, headers={**headers, "X-Line-Retry-Key": "nope"}, json=body)
        assert bad.status_code == 400

    def test_sdk_retry_key_conflict(
        self, api: MessagingApi, control: Control, channel: ChannelInfo
    ) -> None:
        alice = control.user("Alice")
        control.follow(channel, alice)
        key = str(uuid.uuid4())
        request = PushMessageRequest(to=alice, messages=[TextMessage(text="x")])
        api.push_message(request, x_line_retry_key=key)
        with pytest.raises(ApiException) as caught:
            api.push_message(request, x_line_retry_key=key)
        assert caught.value.status == 409

    @pytest.mark.asyncio
    async def test_async_client(
        self, server: LiveServer, control: Control, channel: ChannelInfo
    ) -> None:
        alice = control.user("Alice")
        control.follow(channel, alice)
        async with AsyncApiClient(
            messaging_config(server.base_url, channel.access_token)
        ) as client:
            response = await AsyncMessagingApi(client).push_message(
                PushMessageRequest(to=alice, messages=[TextMessage(text="async")])
            )
        assert control.inbox(channel, alice)[0]["messageId"] == response.sent_messages[0].id

    @pytest.mark.asyncio
    async def test_concurrent_pushes_each_get_their_own_answer(
        self, server: LiveServer, control: Control, channel: ChannelInfo
    ) -> None:
        # Sent together, these share database statements on Postgres; each answer must still
        # be its own: ids for friends and blocked users, 400 for users that do not exist.
        friends = [control.user(f"Friend {n}") for n in range(8)]
        blocked = [control.user(f"Blocked {n}") for n in range(4)]
        for user_id in friends + blocked:
            control.follow(channel, user_id)
        for user_id in blocked:
            control.unfollow(channel, user_id)
        strangers = [f"U{uuid.uuid4().hex}" for _ in range(4)]
        recipients = friends * 3 + blocked + strangers
        async with AsyncApiClient(
            messaging_config(server.base_url, channel.access_token)
        ) as client:
            api = AsyncMessagingApi(client)
            outcomes = await asyncio.gather(
                *(
                    api.push_message(
                        PushMessageRequest(to=user_id, messages=[TextMessage(text=user_id)])
                    )
                    for user_id in recipients
                ),
                return_exceptions=True,
            )
        for user_id, outcome in zip(recipients, outcomes, strict=True):
            if user_id in strangers:
                assert isinstance(outcome, ApiException) and outcome.status == 400
            else:
                assert isinstance(outcome, PushMessageResponse)
        sent_ids = [o.sent_messages[0].id for o in outcomes if isinstance(o, PushMessageResponse)]
        assert len(set(sent_ids)) == len(sent_ids) == len(friends) * 3 + len(blocked)
        for user_id in friends:
            inbox = control.inbox(channel, user_id)
            assert [item["message"]["text"] for item in inbox] == [user_id] * 3
        assert all(control.inbox(channel, user_id) == [] for user_id in blocked)


class TestReply:
    def test_a_token_answers_once(
        self, api: MessagingApi, server: LiveServer, control: Control, channel: ChannelInfo
    ) -> None:
        alice = control.user("Alice")
        control.follow(channel, alice)
        token = control.reply_token(channel, alice)
        response = api.reply_message(
            ReplyMessageRequest(reply_token=token, messages=[TextMessage(text="Thanks!")])
        )
        inbox = control.inbox(channel, alice)
        assert [i["messageId"] for i in inbox] == [response.sent_messages[0].id]
        assert inbox[0]["via"] == "reply"
        with pytest.raises(ApiException) as caught:
            api.reply_message(
                ReplyMessageRequest(reply_token=token, messages=[TextMessage(text="again")])
            )
        assert caught.value.status == 400
        assert "Invalid reply token" in caught.value.body

    def test_expired_foreign_and_unknown_tokens(
        self, server: LiveServer, control: Control, channel: ChannelInfo
    ) -> None:
        alice = control.user("Alice")
        control.follow(channel, alice)
        other = control.channel("Other")
        control.follow(other, alice)
        expired = control.reply_token(channel, alice)
        foreign = control.reply_token(other, alice)
        server.services.clock.advance(timedelta(seconds=61))
        url = f"{server.base_url}/v2/bot/message/reply"
        headers = {"Authorization": f"Bearer {channel.access_token}"}
        for token in (expired, foreign, "nonsense"):
            response = httpx.post(
                url,
                headers=headers,
                json={"replyToken": token, "messages": [{"type": "text", "text": "x"}]},
            )
            assert (response.status_code, response.json()) == (
                400,
                {"message": "Invalid reply token"},
            )

    def test_retry_key_is_refused_on_reply(
        self, server: LiveServer, control: Control, channel: ChannelInfo
    ) -> None:
        alice = control.user("Alice")
        control.follow(channel, alice)
        response = httpx.post(
            f"{server.base_url}/v2/bot/message/reply",
            headers={
                "Authorization": f"Bearer {channel.access_token}",
                "X-Line-Retry-Key": str(uuid.uuid4()),
            },
            json={
                "replyToken": control.reply_token(channel, alice),
                "messages": [{"type": "text", "text": "x"}],
            },
        )
        assert response.status_code == 400


class TestInbox:
    def test_clearing(self, api: MessagingApi, control: Control, channel: ChannelInfo) -> None:
        alice = control.user("Alice")
        control.follow(channel, alice)
        api.push_message(PushMessageRequest(to=alice, messages=[TextMessage(text="one")]))
        path = f"/_kizuna/channels/{channel.channel_id}/users/{alice}/inbox"
        assert control.http.delete(path).status_code == 204
        assert control.inbox(channel, alice) == []
        api.push_message(PushMessageRequest(to=alice, messages=[TextMessage(text="two")]))
        assert [i["message"]["text"] for i in control.inbox(channel, alice)] == ["two"]
