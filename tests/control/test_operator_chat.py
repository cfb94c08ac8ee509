"""One-to-one chat from the Official Account Manager: operators read the thread and answer
(`via: chat`, outside the quota), tag chats, keep notes, and chat tags make audiences the LINE
audience API lists and narrowcasts reach."""

import re
from datetime import datetime, timedelta
from typing import Any

import httpx
from linebot.v3 import audience as sdk
from linebot.v3.messaging import (
    AudienceRecipient,
    NarrowcastRequest,
    TextMessage,
)

from tests.support.control import ChannelInfo, Control
from tests.support.live import LiveServer
from tests.support.sdk import call_sync
from tests.support.statements import counted, statements


def _chat(channel: ChannelInfo, user_id: str, rest: str = "") -> str:
    return f"/_kizuna/channels/{channel.channel_id}/chats/{user_id}{rest}"


def _answer(control: Control, channel: ChannelInfo, user_id: str, *messages: Any) -> httpx.Response:
    return control.http.post(
        _chat(channel, user_id, "/messages"), json={"messages": list(messages)}
    )


def _chat_on(control: Control, channel: ChannelInfo) -> None:
    """Operators answer only while the chat is on (a new channel is in `bot` mode)."""
    settings = f"/_kizuna/channels/{channel.channel_id}/manager/response-settings"
    assert control.http.put(settings, json={"mode": "both"}).json()["chat"] is True


def _tag(control: Control, channel: ChannelInfo, name: str) -> int:
    response = control.http.post(
        f"/_kizuna/channels/{channel.channel_id}/chat-tags", json={"name": name}
    )
    assert response.status_code == 201, response.text
    return int(response.json()["tagId"])


def _put_tag(control: Control, channel: ChannelInfo, user_id: str, tag_id: int) -> list[str]:
    response = control.http.put(_chat(channel, user_id, f"/tags/{tag_id}"))
    assert response.status_code == 200, response.text
    return [tag["name"] for tag in response.json()]


class TestOperatorAnswers:
    def test_the_user_gets_the_answer_and_the_thread_shows_both_sides(
        self, server: LiveServer, control: Control, channel: ChannelInfo
    ) -> None:
        alice = control.user("Alice")
        control.follow(channel, alice)
        _chat_on(control, channel)
        control.quota(channel, "limited", 0)  # an operator's answer is outside the quota
        said = control.say(channel, alice, {"type": "text", "text": "Is the shop open today?"})
        answered = _answer(control, channel, alice, {"type": "text", "text": "Yes, until 9 pm"})
        assert answered.status_code == 201, answered.text
        sent = answered.json()["sentMessages"]
        assert len(sent) == 1 and sent[0]["id"].isdigit() and sent[0]["quoteToken"]

        last = control.inbox(channel, alice)[-1]
        assert last["via"] == "chat" and last["message"]["text"] == "Yes, until 9 pm"
        assert last["messageId"] == sent[0]["id"]

        thread = control.http.get(_chat(channel, alice)).json()
        assert thread["userId"] == alice and thread["displayName"] == "Alice"
        assert [(m["from"], m.get("via"), m["message"]["text"]) for m in thread["messages"]] == [
            ("user", None, "Is the shop open today?"),
            ("account", "chat", "Yes, until 9 pm"),
        ]
        assert thread["messages"][0]["messageId"] == said["message"]["id"]
        usage = call_sync(
            server.base_url, channel.access_token, lambda api: api.get_message_quota_consumption()
        )
        assert usage.total_usage == 0

        listed = control.http.get(f"/_kizuna/channels/{channel.channel_id}/chats").json()
        assert [chat["userId"] for chat in listed] == [alice]

    def test_answers_are_checked_and_reach_friends_only(
        self, control: Control, channel: ChannelInfo
    ) -> None:
        alice = control.user("Alice")
        control.follow(channel, alice)
        bad = _answer(control, channel, alice, {"type": "text", "text": ""})
        assert bad.status_code == 400
        assert bad.json()["details"][0]["property"] == "messages[0].text"
        control.unfollow(channel, alice)
        blocked = _answer(control, channel, alice, {"type": "text", "text": "Hello?"})
        assert blocked.status_code == 409
        assert control.inbox(channel, alice) == []

    def test_no_answer_while_the_chat_is_off(self, control: Control, channel: ChannelInfo) -> None:
        alice = control.user("Alice")
        control.follow(channel, alice)
        settings = f"/_kizuna/channels/{channel.channel_id}/manager/response-settings"
        assert control.http.put(settings, json={"mode": "bot"}).json()["chat"] is False
        refused = _answer(control, channel, alice, {"type": "text", "text": "Hello?"})
        assert refused.status_code == 409
        assert control.inbox(channel, alice) == []
        assert control.http.put(settings, json={"mode": "chat"}).status_code == 200
        assert _answer(control, channel, alice, {"type": "text", "text": "Hi"}).status_code == 201
        assert [item["via"] for item in control.inbox(channel, alice)] == ["chat"]


class TestTagsAndNotes:
    def test_tags_filter_chats_and_notes_stay_with_the_chat(
        self, control: Control, channel: ChannelInfo
    ) -> None:
        alice, bob = control.user("Alice"), control.user("Bob")
        for user in (alice, bob):
            control.follow(channel, user)
        vip, evening = _tag(control, channel, "VIP"), _tag(control, channel, "Evening")
        duplicate = control.http.post(
            f"/_kizuna/channels/{channel.channel_id}/chat-tags", json={"name": "VIP"}
        )
        assert duplicate.status_code == 409
        assert _put_tag(control, channel, alice, vip) == ["VIP"]
        assert _put_tag(control, channel, alice, vip) == ["VIP"]  # twice changes nothing
        assert _put_tag(control, channel, alice, evening) == ["VIP", "Evening"]
        assert _put_tag(control, channel, bob, evening) == ["Evening"]

        chats = f"/_kizuna/channels/{channel.channel_id}/chats"
        any_of = control.http.get(chats, params={"tag": [vip, evening]}).json()
        assert {chat["userId"] for chat in any_of} == {alice, bob}
        all_of = control.http.get(chats, params={"tag": [vip, evening], "match": "all"}).json()
        assert [chat["userId"] for chat in all_of] == [alice]
        counts = control.http.get(f"/_kizuna/channels/{channel.channel_id}/chat-tags").json()
        assert {(t["name"], t["chats"]) for t in counts} == {("VIP", 1), ("Evening", 2)}

        untagged = control.http.delete(_chat(channel, alice, f"/tags/{evening}"))
        assert [t["name"] for t in untagged.json()] == ["VIP"]

        note = control.http.post(_chat(channel, alice, "/notes"), json={"text": "Prefers calls"})
        assert note.status_code == 201, note.text
        too_long = control.http.post(_chat(channel, alice, "/notes"), json={"text": "x" * 301})
        assert too_long.status_code == 400
        assert too_long.json()["details"][0]["property"] == "text"
        thread = control.http.get(_chat(channel, alice)).json()
        assert [n["text"] for n in thread["notes"]] == ["Prefers calls"]
        assert [t["name"] for t in thread["tags"]] == ["VIP"]
        removed = control.http.delete(_chat(channel, alice, f"/notes/{note.json()['noteId']}"))
        assert removed.status_code == 204
        assert control.http.get(_chat(channel, alice, "/notes")).json() == []

        assert (
            control.http.delete(
                f"/_kizuna/channels/{channel.channel_id}/chat-tags/{vip}"
            ).status_code
            == 204
        )
        assert control.http.get(_chat(channel, alice)).json()["tags"] == []
        gone = control.http.put(_chat(channel, alice, f"/tags/{vip}"))
        assert gone.status_code == 404 and gone.json()["details"][0]["property"] == "tagId"


class TestChatTagAudience:
    def test_an_audience_of_a_tag_is_listed_by_the_api_and_narrowcast_reaches_it(
        self, server: LiveServer, control: Control, channel: ChannelInfo
    ) -> None:
        control.bulk(channel, 60, seed=11)
        followers = call_sync(
            server.base_url, channel.access_token, lambda api: api.get_followers(limit=1000)
        )
        users = sorted(followers.user_ids)
        assert len(users) == 60
        tagged, others = users[:55], users[55:]
        regulars = _tag(control, channel, "Regulars")
        for user in [*tagged, others[0]]:
            _put_tag(control, channel, user, regulars)
        control.unfollow(channel, others[0])  # blocked: tagged but no longer reachable

        made = control.http.post(
            f"/_kizuna/channels/{channel.channel_id}/chat-tags/{regulars}/audience",
            json={"description": "Regulars"},
        )
        assert made.status_code == 201, made.text
        audience = made.json()
        assert audience["type"] == "CHAT_TAG" and audience["status"] == "READY"
        assert audience["audienceCount"] == 55

        config = sdk.Configuration(host=server.base_url, access_token=channel.access_token)
        with sdk.ApiClient(config) as client:
            listed = sdk.ManageAudience(client).get_audience_groups(page=1)
        assert [(g.audience_group_id, g.type) for g in listed.audience_groups or []] == [
            (audience["audienceGroupId"], "CHAT_TAG")
        ]

        call_sync(
            server.base_url,
            channel.access_token,
            lambda api: api.narrowcast(
                NarrowcastRequest(
                    messages=[TextMessage(text="Thanks for coming back")],
                    recipient=AudienceRecipient(audience_group_id=audience["audienceGroupId"]),
                )
            ),
        )
        control.wait_for_jobs()
        assert control.inbox(channel, tagged[0])[-1]["message"]["text"] == "Thanks for coming back"
        assert control.inbox(channel, tagged[-1])[-1]["via"] == "narrowcast"
        assert control.inbox(channel, others[1]) == []

    def test_tag_ids_and_audience_names_out_of_range_are_400(
        self, control: Control, channel: ChannelInfo
    ) -> None:
        base = f"/_kizuna/channels/{channel.channel_id}"
        for tag in (2**63, 0):
            refused = control.http.get(f"{base}/chats", params={"tag": tag})
            assert refused.status_code == 400, refused.text
            assert [d["property"] for d in refused.json()["details"]] == ["tag"]
        tag_id = control.http.post(f"{base}/chat-tags", json={"name": "VIP"}).json()["tagId"]
        for description in ("", "d" * 121):
            refused = control.http.post(
                f"{base}/chat-tags/{tag_id}/audience", json={"description": description}
            )
            assert refused.status_code == 400, refused.text
            assert [d["property"] for d in refused.json()["details"]] == ["description"]

    def test_a_tag_nobody_carries_makes_a_failed_audience(
        self, control: Control, channel: ChannelInfo
    ) -> None:
        empty = _tag(control, channel, "Nobody")
        made = control.http.post(
            f"/_kizuna/channels/{channel.channel_id}/chat-tags/{empty}/audience",
            json={"description": "Nobody"},
        ).json()
        assert made["status"] == "FAILED" and made["audienceCount"] == 0


class TestThreadPages:
    def test_the_latest_messages_of_both_sides_oldest_first(
        self, control: Control, channel: ChannelInfo
    ) -> None:
        alice, bob = control.user("Alice"), control.user("Bob")
        for user in (alice, bob):
            control.follow(channel, user)
        _chat_on(control, channel)
        texts = []
        for n in range(3):
            control.say(channel, alice, {"type": "text", "text": f"ask {n}"})
            control.say(channel, bob, {"type": "text", "text": f"bob {n}"})  # not her thread
            answer = [{"type": "text", "text": f"answer {n}.{i}"} for i in range(2)]
            assert _answer(control, channel, alice, *answer).status_code == 201
            broadcast = f"/_kizuna/channels/{channel.channel_id}/manager/sends"
            sent = control.http.post(
                broadcast, json={"messages": [{"type": "text", "text": f"news {n}"}]}
            )
            assert sent.status_code == 201, sent.text
            control.wait_for_jobs()
            texts += [f"ask {n}", f"answer {n}.0", f"answer {n}.1", f"news {n}"]

        def thread(limit: int) -> list[tuple[str, str | None, str]]:
            messages = control.http.get(_chat(channel, alice), params={"limit": limit}).json()
            return [(m["from"], m.get("via"), m["message"]["text"]) for m in messages["messages"]]

        # Sent by a clock put back: by the time sent, not the order stored.
        first = control.http.get(_chat(channel, alice)).json()["messages"][0]["sentAt"]
        back = datetime.fromisoformat(first) - timedelta(minutes=1)
        assert control.http.put("/_kizuna/clock", json={"now": back.isoformat()}).status_code == 200
        control.say(channel, alice, {"type": "text", "text": "before all"})
        texts.insert(0, "before all")

        whole = thread(1000)
        assert [text for _, _, text in whole] == texts
        assert [via for _, via, _ in whole[:5]] == [None, None, "chat", "chat", "broadcast"]
        for limit in range(1, len(texts) + 1):
            assert thread(limit) == whole[-limit:], limit


class TestStatements:
    def test_the_thread_reads_only_its_page(
        self, server: LiveServer, control: Control, channel: ChannelInfo
    ) -> None:
        alice = control.user("Alice")
        control.follow(channel, alice)
        for n in range(3):
            control.say(channel, alice, {"type": "text", "text": f"ask {n}"})
        with statements(server) as executed:
            page = control.http.get(_chat(channel, alice), params={"limit": 2})
        assert [m["message"]["text"] for m in page.json()["messages"]] == ["ask 1", "ask 2"]
        # Each side of the thread is read up to the page, however long the chat.
        reads = [
            statement
            for statement in executed
            if re.search(r"FROM (user_messages|deliveries|fanout_deliveries)\b", statement)
        ]
        assert reads and all("LIMIT" in statement for statement in reads), reads

    def test_listing_chats_does_not_grow_with_the_chats(
        self, server: LiveServer, control: Control, channel: ChannelInfo
    ) -> None:
        vip, evening = _tag(control, channel, "VIP"), _tag(control, channel, "Evening")
        chats = f"/_kizuna/channels/{channel.channel_id}/chats"

        def chat(name: str) -> None:
            user = control.user(name)
            control.follow(channel, user)
            control.say(channel, user, {"type": "text", "text": "hello"})
            _put_tag(control, channel, user, vip)
            _put_tag(control, channel, user, evening)

        def listing() -> None:
            for params in ({}, {"tag": [vip, evening]}):
                response = control.http.get(chats, params=params)
                assert response.status_code == 200, response.text

        chat("First")
        few = counted(server, listing)
        for n in range(5):
            chat(f"More {n}")
        assert counted(server, listing) == few
        listed = control.http.get(chats).json()
        assert len(listed) == 6
        assert all([t["name"] for t in c["tags"]] == ["VIP", "Evening"] for c in listed)
