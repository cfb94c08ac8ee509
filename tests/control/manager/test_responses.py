"""Response messages: keywords matched exactly, random replies, the default reply, and how
they coexist with the bot (on Postgres a user's message goes through the fast route first)."""

from collections import Counter
from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest
from linebot.v3.webhooks import MessageEvent

from app.control.manager import service as manager_service
from tests.control.manager.helpers import call, manager_path, text, texts
from tests.support.bot import BotServer
from tests.support.control import ChannelInfo, Control
from tests.support.live import LiveServer


def rule(name: str, keywords: list[str], *replies: str, **extra: object) -> dict[str, object]:
    return {"name": name, "keywords": keywords, "replies": [[text(r)] for r in replies], **extra}


class TestKeywords:
    def test_exact_match_then_default_reply(
        self, control: Control, channel: ChannelInfo, bot: BotServer
    ) -> None:
        hours = call(
            control,
            "POST",
            channel,
            "responses",
            201,
            json=rule("Hours", ["business hours", "open?"], "We open 10:00-19:00"),
        )
        assert hours["keywords"] == ["business hours", "open?"]
        alice = control.user("Alice")
        control.follow(channel, alice)
        control.say(channel, alice, text("business hours"))
        control.say(channel, alice, text("business hours?"))  # not exact: no reply
        control.say(channel, alice, text("open?"))
        assert texts(control, channel, alice) == [
            ("auto_reply", "We open 10:00-19:00"),
            ("auto_reply", "We open 10:00-19:00"),
        ]
        call(
            control,
            "POST",
            channel,
            "responses",
            201,
            json={"name": "Else", "default": True, "replies": [[text("Thanks for writing")]]},
        )
        control.say(channel, alice, text("hello"))
        control.say(channel, alice, {"type": "sticker", "packageId": "1", "stickerId": "1"})
        control.say(channel, alice, text("open?"))  # a keyword still wins over the default
        assert texts(control, channel, alice)[2:] == [
            ("auto_reply", "Thanks for writing"),
            ("auto_reply", "Thanks for writing"),
            ("auto_reply", "We open 10:00-19:00"),
        ]
        # The webhook still gets every message: bot and auto-response both answer.
        control.wait_for_jobs()
        assert sum(isinstance(event, MessageEvent) for event in bot.events) == 6
        figures = call(control, "GET", channel, f"responses/{hours['ruleId']}")["statistics"]
        assert (figures["requests"], figures["delivered"]) == (3, 3)

    def test_several_replies_answer_at_random(self, control: Control, channel: ChannelInfo) -> None:
        call(
            control,
            "POST",
            channel,
            "responses",
            201,
            json=rule("Quiz", ["quiz"], "Left", "Right"),
        )
        alice = control.user("Alice")
        control.follow(channel, alice)
        for _ in range(40):
            control.say(channel, alice, text("quiz"))
        received = [message for _, message in texts(control, channel, alice)]
        assert len(received) == 40
        # Each is one of the replies; 40 draws of two are all the same once in 5e11.
        assert set(received) == {"Left", "Right"}

    def test_switches_and_rules_that_are_off(self, control: Control, channel: ChannelInfo) -> None:
        created = call(control, "POST", channel, "responses", 201, json=rule("Hi", ["hi"], "Yo"))
        alice = control.user("Alice")
        control.follow(channel, alice)
        call(control, "PUT", channel, "response-settings", json={"autoResponse": False})
        control.say(channel, alice, text("hi"))
        assert control.inbox(channel, alice) == []
        call(control, "PUT", channel, "response-settings", json={"autoResponse": True})
        call(
            control,
            "PUT",
            channel,
            f"responses/{created['ruleId']}",
            json=rule("Hi", ["hi"], "Yo", enabled=False),
        )
        control.say(channel, alice, text("hi"))
        assert control.inbox(channel, alice) == []
        call(
            control,
            "PUT",
            channel,
            f"responses/{created['ruleId']}",
            json=rule("Hi", ["hey"], "Yo"),
        )
        control.say(channel, alice, text("hi"))
        control.say(channel, alice, text("hey"))
        assert texts(control, channel, alice) == [("auto_reply", "Yo")]
        call(control, "DELETE", channel, f"responses/{created['ruleId']}", 204)
        control.say(channel, alice, text("hey"))
        assert len(control.inbox(channel, alice)) == 1
        assert call(control, "GET", channel, "responses") == []

    def test_a_tapped_message_action_gets_its_reply(
        self, control: Control, channel: ChannelInfo
    ) -> None:
        call(
            control, "POST", channel, "responses", 201, json=rule("Menu", ["menu"], "Today: curry")
        )
        alice = control.user("Alice")
        control.follow(channel, alice)
        call(
            control,
            "PUT",
            channel,
            "greeting",
            json={
                "messages": [
                    {
                        "type": "template",
                        "altText": "Start",
                        "template": {
                            "type": "buttons",
                            "text": "Hi",
                            "actions": [{"type": "message", "label": "Menu", "text": "menu"}],
                        },
                    }
                ]
            },
        )
        control.unfollow(channel, alice)
        control.follow(channel, alice)
        greeting = control.inbox(channel, alice)[0]
        inbox = f"/_kizuna/channels/{channel.channel_id}/users/{alice}/inbox"
        path = f"{inbox}/{greeting['messageId']}/tap"
        assert control.http.post(path, json={"label": "Menu"}).status_code == 200
        assert texts(control, channel, alice)[-1] == ("auto_reply", "Today: curry")

    def test_non_friends_and_blocked_users_get_nothing(
        self, control: Control, channel: ChannelInfo
    ) -> None:
        call(control, "POST", channel, "responses", 201, json=rule("Hi", ["hi"], "Yo"))
        stranger = control.user("Stranger")
        control.say(channel, stranger, text("hi"))
        assert control.inbox(channel, stranger) == []


class TestRuleChecks:
    def test_bad_rules(self, control: Control, channel: ChannelInfo) -> None:
        path = manager_path(channel, "responses")
        no_keywords = control.http.post(path, json=rule("X", [], "Y"))
        assert no_keywords.status_code == 400
        assert no_keywords.json()["details"][0]["property"] == "keywords"
        bad_reply = control.http.post(
            path, json={"name": "X", "keywords": ["x"], "replies": [[text("ok"), {"type": "nope"}]]}
        )
        assert bad_reply.status_code == 400
        assert bad_reply.json()["details"][0]["property"] == "replies[0][1].type"
        call(control, "POST", channel, "responses", 201, json=rule("A", ["same"], "1"))
        clash = control.http.post(path, json=rule("B", ["same"], "2"))
        assert clash.status_code == 409
        call(
            control,
            "POST",
            channel,
            "responses",
            201,
            json={"name": "D", "default": True, "replies": [[text("d")]]},
        )
        second_default = control.http.post(
            path, json={"name": "E", "default": True, "replies": [[text("e")]]}
        )
        assert second_default.status_code == 409
        assert control.http.get(manager_path(channel, "responses/999")).status_code == 404
        assert control.http.get(manager_path(channel, "responses/0")).status_code == 400
        assert len(call(control, "GET", channel, "responses")) == 2

    def test_at_most_so_many_rules(
        self, control: Control, channel: ChannelInfo, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        # 1,000 on the platform; the same check with a smaller bound keeps the test quick.
        monkeypatch.setattr(manager_service, "MAX_RULES", 2)
        for n in range(2):
            call(control, "POST", channel, "responses", 201, json=rule(f"R{n}", [f"k{n}"], "r"))
        over = control.http.post(manager_path(channel, "responses"), json=rule("R", ["k"], "r"))
        assert over.status_code == 400
        assert "at most 2" in over.json()["message"]


def _burst(server: LiveServer, path: str, bodies: list[dict[str, object]]) -> Counter[int]:
    """The status codes of the POSTs of `bodies` to `path`, made at once."""

    def post(body: dict[str, object]) -> int:
        with httpx.Client(base_url=server.base_url, timeout=60) as client:
            return client.post(path, json=body).status_code

    with ThreadPoolExecutor(len(bodies)) as pool:
        return Counter(pool.map(post, bodies))


class TestConcurrentCreates:
    def test_one_default_reply_and_one_owner_of_a_keyword(
        self, server: LiveServer, control: Control, channel: ChannelInfo
    ) -> None:
        path = manager_path(channel, "responses")
        defaults = [rule(f"D{n}", [], f"d{n}", default=True) for n in range(5)]
        assert _burst(server, path, defaults) == Counter({201: 1, 409: 4})
        same = [rule(f"K{n}", ["hello"], f"k{n}") for n in range(5)]
        assert _burst(server, path, same) == Counter({201: 1, 409: 4})
        listed = call(control, "GET", channel, "responses")
        assert sorted((r["default"], r["keywords"]) for r in listed) == [
            (False, ["hello"]),
            (True, []),
        ]
        again = control.http.post(path, json=rule("D", [], "d", default=True))
        assert again.status_code == 409
        assert [d["property"] for d in again.json()["details"]] == ["default"]
        taken = control.http.post(path, json=rule("K", ["hello"], "k"))
        assert [d["property"] for d in taken.json()["details"]] == ["keywords"]

    def test_one_campaign_a_label_and_one_chat_tag_a_name(
        self, server: LiveServer, control: Control, channel: ChannelInfo
    ) -> None:
        campaigns = manager_path(channel, "campaigns")
        assert _burst(server, campaigns, [{"label": "Sale"}] * 5) == Counter({201: 1, 409: 4})
        tags = f"/_kizuna/channels/{channel.channel_id}/chat-tags"
        assert _burst(server, tags, [{"name": "VIP"}] * 5) == Counter({201: 1, 409: 4})
        assert len(call(control, "GET", channel, "campaigns")) == 1
        assert len(control.http.get(tags).json()) == 1
        again = control.http.post(campaigns, json={"label": "Sale"})
        assert [d["property"] for d in again.json()["details"]] == ["label"]
