"""Response settings and the greeting message."""

from collections import Counter
from concurrent.futures import ThreadPoolExecutor

import httpx
from linebot.v3.messaging import ApiClient, MessagingApi
from linebot.v3.webhooks import FollowEvent, MessageEvent, UnfollowEvent

from tests.api.coupon.test_coupons import coupon_request
from tests.control.manager.helpers import call, text, texts
from tests.support.bot import BotServer
from tests.support.control import ChannelInfo, Control
from tests.support.live import LiveServer
from tests.support.sdk import messaging_config


class TestResponseSettings:
    def test_defaults_and_modes(self, control: Control, channel: ChannelInfo) -> None:
        settings = call(control, "GET", channel, "response-settings")
        assert settings == {
            "mode": "bot",
            "chat": False,
            "webhook": True,
            "greeting": True,
            "autoResponse": True,
        }
        chat = call(control, "PUT", channel, "response-settings", json={"mode": "chat"})
        assert (chat["mode"], chat["chat"], chat["webhook"]) == ("chat", True, False)
        both = call(control, "PUT", channel, "response-settings", json={"mode": "both"})
        assert (both["mode"], both["chat"], both["webhook"]) == ("both", True, True)
        off = call(control, "PUT", channel, "response-settings", json={"greeting": False})
        assert (off["mode"], off["greeting"], off["autoResponse"]) == ("both", False, True)
        # The channel's own webhook switch is the same setting.
        control.webhook(channel, enabled=False)
        assert call(control, "GET", channel, "response-settings")["mode"] == "chat"
        bad = control.http.put(
            f"/_kizuna/channels/{channel.channel_id}/manager/response-settings",
            json={"mode": "robot"},
        )
        assert bad.status_code == 400
        assert bad.json()["details"][0]["property"] == "mode"

    def test_chat_mode_keeps_events_from_the_bot(
        self, control: Control, channel: ChannelInfo, bot: BotServer
    ) -> None:
        alice = control.user("Alice")
        control.follow(channel, alice)
        control.wait_for_jobs()
        assert [type(event) for event in bot.events] == [FollowEvent]
        call(control, "PUT", channel, "response-settings", json={"mode": "chat"})
        control.say(channel, alice, text("a person, please"))
        control.wait_for_jobs()
        assert [type(event) for event in bot.events] == [FollowEvent]
        call(control, "PUT", channel, "response-settings", json={"mode": "both"})
        control.say(channel, alice, text("and the bot"))
        control.wait_for_jobs()
        assert [type(event) for event in bot.events] == [FollowEvent, MessageEvent]


class TestGreeting:
    def test_sent_on_follow_and_unblock_outside_the_quota(
        self, server: LiveServer, control: Control, channel: ChannelInfo, bot: BotServer
    ) -> None:
        assert call(control, "GET", channel, "greeting") == {"enabled": True, "messages": []}
        greeting = [
            text("Thanks for adding {accountName}, {displayName}!"),
            {"type": "sticker", "packageId": "446", "stickerId": "1988"},
        ]
        saved = call(control, "PUT", channel, "greeting", json={"messages": greeting})
        assert saved["messages"] == greeting
        control.quota(channel, "limited", 0)
        alice = control.user("Alice")
        control.follow(channel, alice)
        assert texts(control, channel, alice) == [
            ("greeting", "Thanks for adding Test channel, Alice!"),
            ("greeting", "sticker"),
        ]
        control.unfollow(channel, alice)
        control.follow(channel, alice)
        assert len(control.inbox(channel, alice)) == 4
        # Following again while a friend changes nothing, so greets nobody.
        control.follow(channel, alice)
        assert len(control.inbox(channel, alice)) == 4
        with ApiClient(messaging_config(server.base_url, channel.access_token)) as client:
            assert MessagingApi(client).get_message_quota_consumption().total_usage == 0
        control.wait_for_jobs()
        # The bot still gets the follow events, and may greet too.
        assert sum(isinstance(event, FollowEvent) for event in bot.events) == 2

    def test_switched_off_or_empty(self, control: Control, channel: ChannelInfo) -> None:
        call(control, "PUT", channel, "greeting", json={"messages": [text("Hello")]})
        call(control, "PUT", channel, "response-settings", json={"greeting": False})
        alice = control.user("Alice")
        control.follow(channel, alice)
        assert control.inbox(channel, alice) == []
        call(control, "PUT", channel, "response-settings", json={"greeting": True})
        call(control, "PUT", channel, "greeting", json={"messages": []})
        bob = control.user("Bob")
        control.follow(channel, bob)
        assert control.inbox(channel, bob) == []

    def test_bad_greetings(self, control: Control, channel: ChannelInfo) -> None:
        path = f"/_kizuna/channels/{channel.channel_id}/manager/greeting"
        six = control.http.put(path, json={"messages": [text(str(n)) for n in range(6)]})
        assert six.status_code == 400
        assert six.json()["details"][0]["property"] == "messages"
        empty = control.http.put(path, json={"messages": [text("ok"), {"type": "text"}]})
        assert empty.status_code == 400
        assert empty.json()["details"][0]["property"] == "messages[1].text"
        nowhere = control.http.put(path, json={"messages": [text("ok")], "campaignId": 999})
        assert nowhere.status_code == 400
        assert nowhere.json()["details"][0]["property"] == "campaignId"
        assert call(control, "GET", channel, "greeting")["messages"] == []
        other = control.http.get("/_kizuna/channels/0000000000/manager/greeting")
        assert other.status_code == 404


class TestRefusedGreeting:
    def test_a_closed_coupon_in_the_greeting_does_not_stop_the_follow(
        self, server: LiveServer, control: Control, channel: ChannelInfo
    ) -> None:
        with ApiClient(messaging_config(server.base_url, channel.access_token)) as client:
            api = MessagingApi(client)
            coupon = api.create_coupon(coupon_request()).coupon_id
            call(
                control,
                "PUT",
                channel,
                "greeting",
                json={"messages": [text("Hi"), {"type": "coupon", "couponId": coupon}]},
            )
            alice = control.user("Alice")
            control.follow(channel, alice)
            assert [via for via, _ in texts(control, channel, alice)] == ["greeting"] * 2
            api.close_coupon(coupon)
        bob = control.user("Bob")
        assert control.follow(channel, bob)["status"] == "following"
        assert control.inbox(channel, bob) == []


class TestStrictSwitches:
    def test_switches_take_booleans_only(self, control: Control, channel: ChannelInfo) -> None:
        for body in ({"greeting": "yes"}, {"greeting": 1}, {"autoResponse": "true"}):
            refused = control.http.put(
                f"/_kizuna/channels/{channel.channel_id}/manager/response-settings", json=body
            )
            assert refused.status_code == 400, body
            assert [d["property"] for d in refused.json()["details"]] == list(body)
        settings = call(control, "GET", channel, "response-settings")
        assert (settings["greeting"], settings["autoResponse"]) == (True, True)


class TestConcurrentFollows:
    def test_one_follow_event_and_greeting_per_change(
        self, server: LiveServer, control: Control, channel: ChannelInfo, bot: BotServer
    ) -> None:
        call(control, "PUT", channel, "greeting", json={"messages": [text("Welcome!")]})
        alice = control.user("Alice")
        path = f"/_kizuna/channels/{channel.channel_id}/users/{alice}/follow"

        def follow(_: int) -> int:
            with httpx.Client(base_url=server.base_url, timeout=60) as client:
                return client.post(path).status_code

        def burst() -> Counter[int]:
            with ThreadPoolExecutor(6) as pool:
                return Counter(pool.map(follow, range(6)))

        assert burst() == Counter({200: 6})  # the first follow, and five of a friend
        control.unfollow(channel, alice)
        assert burst() == Counter({200: 6})  # the unblock, and five of a friend
        control.wait_for_jobs()
        assert texts(control, channel, alice) == [
            ("greeting", "Welcome!"),
            ("greeting", "Welcome!"),
        ]
        assert [type(event) for event in bot.events] == [FollowEvent, UnfollowEvent, FollowEvent]
        assert [bot.events[0].follow.is_unblocked, bot.events[2].follow.is_unblocked] == [
            False,
            True,
        ]
