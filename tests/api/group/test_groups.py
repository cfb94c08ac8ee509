"""Groups and rooms: the bot is invited, members come, go and talk, and the bot answers the
chat, all through the official SDK and a real webhook receiver."""

from typing import Any

import pytest
from linebot.v3.messaging import (
    ApiClient,
    AsyncApiClient,
    AsyncMessagingApi,
    AsyncMessagingApiBlob,
    MessagingApi,
    PushMessageRequest,
    ReplyMessageRequest,
    TextMessage,
)
from linebot.v3.messaging.exceptions import ApiException, NotFoundException
from linebot.v3.webhooks import (
    GroupSource,
    JoinEvent,
    LeaveEvent,
    MemberJoinedEvent,
    MemberLeftEvent,
    MessageEvent,
    PostbackEvent,
    RoomSource,
    TextMessageContent,
)

from tests.support.bot import BotServer
from tests.support.control import ChannelInfo, Control
from tests.support.live import LiveServer
from tests.support.media import picture
from tests.support.sdk import messaging_config


def _ok(response: Any, status: int = 200) -> Any:
    assert response.status_code == status, response.text
    return response.json()


def _chat(control: Control, plural: str, members: list[str], **fields: Any) -> dict[str, Any]:
    body = {"members": members, **fields}
    return _ok(control.http.post(f"/_kizuna/{plural}", json=body), 201)  # type: ignore[no-any-return]


def test_a_group_bot_joins_hears_members_and_answers_the_group(
    server: LiveServer, control: Control, channel: ChannelInfo, bot: BotServer
) -> None:
    alice, bob, carol = control.user("Alice"), control.user("Bob"), control.user("Carol")
    group = _chat(
        control, "groups", [alice, bob], name="Lunch", pictureUrl="https://example.com/g.png"
    )
    gid = group["chatId"]
    assert gid.startswith("C") and len(gid) == 33 and group["members"] == [alice, bob]

    # Nobody answers in a group without an account.
    lonely = control.http.post(
        f"/_kizuna/groups/{gid}/users/{alice}/messages", json={"type": "text", "text": "hi"}
    )
    assert lonely.status_code == 409 and "invite" in lonely.json()["message"]

    join = _ok(
        control.http.put(f"/_kizuna/groups/{gid}/bot", json={"channelId": channel.channel_id}), 201
    )
    other = control.channel("Other")
    taken = control.http.put(f"/_kizuna/groups/{gid}/bot", json={"channelId": other.channel_id})
    assert taken.status_code == 409
    said = _ok(
        control.http.post(
            f"/_kizuna/groups/{gid}/users/{bob}/messages", json={"type": "text", "text": "pizza?"}
        ),
        201,
    )
    outsider = control.http.post(
        f"/_kizuna/groups/{gid}/users/{carol}/messages", json={"type": "text", "text": "x"}
    )
    assert outsider.status_code == 409
    _ok(control.http.post(f"/_kizuna/groups/{gid}/members", json={"userId": carol}), 201)
    _ok(
        control.http.post(
            f"/_kizuna/groups/{gid}/users/{carol}/postback", json={"data": "vote=pizza"}
        ),
        201,
    )
    _ok(control.http.delete(f"/_kizuna/groups/{gid}/members/{alice}"))
    control.wait_for_jobs()

    assert bot.errors == []
    joined, message, member_joined, postback, member_left = bot.events
    assert isinstance(joined, JoinEvent) and joined.reply_token == join["replyToken"]
    assert isinstance(joined.source, GroupSource) and joined.source.group_id == gid
    assert joined.source.user_id is None
    assert isinstance(message, MessageEvent) and isinstance(message.message, TextMessageContent)
    assert isinstance(message.source, GroupSource) and message.source.user_id == bob
    assert message.message.mark_as_read_token is None  # only one-to-one chats are marked read
    assert isinstance(member_joined, MemberJoinedEvent)
    assert [m.user_id for m in member_joined.joined.members] == [carol]
    assert isinstance(postback, PostbackEvent) and postback.source.user_id == carol
    assert isinstance(member_left, MemberLeftEvent)
    assert [m.user_id for m in member_left.left.members] == [alice]

    config = messaging_config(server.base_url, channel.access_token)
    with ApiClient(config) as client:
        api = MessagingApi(client)
        api.reply_message(
            ReplyMessageRequest(
                reply_token=said["replyToken"], messages=[TextMessage(text="Pizza it is")]
            )
        )
        pushed = api.push_message(
            PushMessageRequest(to=gid, messages=[TextMessage(text="Order placed")])
        )
        assert pushed.sent_messages[0].id
        summary = api.get_group_summary(gid)
        assert (summary.group_id, summary.group_name, summary.picture_url) == (
            gid,
            "Lunch",
            "https://example.com/g.png",
        )
        assert api.get_group_member_count(gid).count == 2
        assert sorted(api.get_group_members_ids(gid).member_ids) == sorted([bob, carol])
        profile = api.get_group_member_profile(gid, carol)  # not a friend of the account
        assert (profile.user_id, profile.display_name) == (carol, "Carol")
        with pytest.raises(NotFoundException):
            api.get_group_member_profile(gid, alice)  # left
        # Push counts each member as a recipient; replies are free.
        assert api.get_message_quota_consumption().total_usage == 2

    timeline = _ok(control.http.get(f"/_kizuna/groups/{gid}/messages"))
    assert [(item["from"], item["message"].get("text")) for item in timeline] == [
        ("user", "pizza?"),
        ("bot", "Pizza it is"),
        ("bot", "Order placed"),
    ]
    assert timeline[2]["messageId"] == pushed.sent_messages[0].id
    assert control.inbox(channel, bob) == []  # a group message is not a one-to-one message


def test_the_bot_leaves_and_another_account_may_join(
    server: LiveServer, control: Control, channel: ChannelInfo, bot: BotServer
) -> None:
    alice = control.user("Alice")
    gid = _chat(control, "groups", [alice])["chatId"]
    join = _ok(
        control.http.put(f"/_kizuna/groups/{gid}/bot", json={"channelId": channel.channel_id}), 201
    )
    config = messaging_config(server.base_url, channel.access_token)
    with ApiClient(config) as client:
        api = MessagingApi(client)
        api.leave_group(gid)
        for call in (lambda: api.get_group_summary(gid), lambda: api.leave_group(gid)):
            with pytest.raises(NotFoundException):
                call()
        with pytest.raises(ApiException, match="Invalid reply token"):
            # The token of the join event no longer reaches a chat the bot has left.
            api.reply_message(
                ReplyMessageRequest(
                    reply_token=join["replyToken"], messages=[TextMessage(text="late")]
                )
            )
        with pytest.raises(ApiException, match="Failed to send messages"):
            api.push_message(PushMessageRequest(to=gid, messages=[TextMessage(text="x")]))
    control.wait_for_jobs()
    assert [type(event) for event in bot.events] == [JoinEvent, LeaveEvent]
    other = control.channel("Other")
    assert (
        _ok(
            control.http.put(f"/_kizuna/groups/{gid}/bot", json={"channelId": other.channel_id}),
            201,
        )["type"]
        == "join"
    )


@pytest.mark.asyncio
async def test_rooms_page_their_members_for_the_async_client(
    server: LiveServer, control: Control, channel: ChannelInfo, bot: BotServer
) -> None:
    users = [control.user(f"User {n}") for n in range(130)]
    room = _chat(control, "rooms", users)
    rid = room["chatId"]
    assert rid.startswith("R") and "name" not in room
    _ok(control.http.put(f"/_kizuna/rooms/{rid}/bot", json={"channelId": channel.channel_id}), 201)
    said = _ok(
        control.http.post(
            f"/_kizuna/rooms/{rid}/users/{users[5]}/messages",
            json={"type": "text", "text": "hello room"},
        ),
        201,
    )
    assert said["source"] == {"type": "room", "roomId": rid, "userId": users[5]}
    photo = control.http.post(
        f"/_kizuna/rooms/{rid}/users/{users[6]}/messages",
        data={"type": "image"},
        files={"file": ("p.png", picture(), "image/png")},
    )
    assert photo.status_code == 201 and photo.json()["message"]["type"] == "image"

    async with AsyncApiClient(messaging_config(server.base_url, channel.access_token)) as client:
        api = AsyncMessagingApi(client)
        assert (await api.get_room_member_count(rid)).count == 130
        first = await api.get_room_members_ids(rid)
        assert len(first.member_ids) == 100 and first.next
        second = await api.get_room_members_ids(rid, start=first.next)
        assert second.next is None
        assert sorted(first.member_ids + second.member_ids) == sorted(users)
        assert (await api.get_room_member_profile(rid, users[7])).display_name == "User 7"
        blob = AsyncMessagingApiBlob(client)
        assert await blob.get_message_content(photo.json()["message"]["id"]) == picture()
        await api.reply_message(
            ReplyMessageRequest(
                reply_token=said["replyToken"], messages=[TextMessage(text="hi all")]
            )
        )
        with pytest.raises(ApiException) as bad_start:
            await api.get_room_members_ids(rid, start="nonsense")
        assert bad_start.value.status == 400
        await api.leave_room(rid)
    control.wait_for_jobs()
    message = next(event for event in bot.events if isinstance(event, MessageEvent))
    assert isinstance(message.source, RoomSource) and message.source.room_id == rid
    assert isinstance(bot.events[-1], LeaveEvent)
    timeline = _ok(control.http.get(f"/_kizuna/rooms/{rid}/messages"))
    assert [item["from"] for item in timeline] == ["user", "user", "bot"]
    assert "channelId" not in _ok(control.http.get(f"/_kizuna/rooms/{rid}"))


def test_bad_chat_requests_name_what_is_wrong(control: Control, channel: ChannelInfo) -> None:
    alice = control.user("Alice")
    assert control.http.post("/_kizuna/groups", json={"members": []}).status_code == 400
    named = control.http.post("/_kizuna/rooms", json={"members": [alice], "name": "Room"})
    assert named.status_code == 400 and named.json()["details"][0]["property"] == "name"
    unknown = control.http.post("/_kizuna/groups", json={"members": ["U" + "0" * 32]})
    assert unknown.status_code == 404
    assert control.http.get("/_kizuna/rooms/R" + "0" * 32).status_code == 404
    gid = _chat(control, "groups", [alice])["chatId"]
    again = control.http.post(f"/_kizuna/groups/{gid}/members", json={"userId": alice})
    assert again.status_code == 409
    assert control.http.delete(f"/_kizuna/groups/{gid}/bot").status_code == 409
    control.http.put(f"/_kizuna/groups/{gid}/bot", json={"channelId": channel.channel_id})
    bad = control.http.post(f"/_kizuna/groups/{gid}/users/{alice}/messages", json={"type": "text"})
    assert bad.status_code == 400
    assert bad.json()["details"] == [{"message": "May not be empty", "property": "text"}]
