"""Users join, renew and leave membership plans through the control plane; the bot receives
typed membership events, and billing follows Kizuna's clock."""

from datetime import UTC, date, datetime
from typing import Any
from zoneinfo import ZoneInfo

import httpx
from linebot.v3.messaging import ApiClient, MessagingApi, ReplyMessageRequest, TextMessage
from linebot.v3.webhooks import (
    FollowEvent,
    JoinedMembershipContent,
    LeftMembershipContent,
    MembershipEvent,
    RenewedMembershipContent,
    UserSource,
)

from app.api.membership.service import add_months, next_billing_date
from tests.support.bot import BotServer
from tests.support.control import ChannelInfo, Control
from tests.support.live import LiveServer
from tests.support.sdk import messaging_config


def _plan(control: Control, channel: ChannelInfo, **fields: Any) -> dict[str, Any]:
    body = {"title": "Basic", "benefits": ["Photos"], "price": 500, "currency": "JPY", **fields}
    response = control.http.post(f"/_kizuna/channels/{channel.channel_id}/memberships", json=body)
    assert response.status_code == 201, response.text
    return dict(response.json())


def _act(
    control: Control, channel: ChannelInfo, user_id: str, membership_id: int, verb: str
) -> httpx.Response:
    return control.http.post(
        f"/_kizuna/channels/{channel.channel_id}/users/{user_id}/memberships/{membership_id}/{verb}"
    )


class TestMembershipEvents:
    def test_join_renew_and_leave_reach_the_bot_as_typed_membership_events(
        self, server: LiveServer, control: Control, channel: ChannelInfo, bot: BotServer
    ) -> None:
        alice = control.user("Alice")
        control.follow(channel, alice)
        plan_id = _plan(control, channel)["membershipId"]
        joined = _act(control, channel, alice, plan_id, "join")
        assert joined.status_code == 201, joined.text
        assert joined.json()["event"]["membership"] == {"type": "joined", "membershipId": plan_id}
        assert joined.json()["active"] is True
        renewed = _act(control, channel, alice, plan_id, "renew")
        assert renewed.json()["subscription"]["user"]["totalSubscriptionMonths"] == 2
        left = _act(control, channel, alice, plan_id, "leave")
        assert left.status_code == 200 and left.json()["active"] is False
        control.wait_for_jobs()

        assert bot.errors == []
        follow, *membership = bot.events
        assert isinstance(follow, FollowEvent) and len(membership) == 3
        for event, content in zip(
            membership,
            (JoinedMembershipContent, RenewedMembershipContent, LeftMembershipContent),
            strict=True,
        ):
            assert isinstance(event, MembershipEvent)
            assert isinstance(event.membership, content)
            assert event.membership.membership_id == plan_id
            assert isinstance(event.source, UserSource) and event.source.user_id == alice
            assert event.reply_token
        with ApiClient(messaging_config(server.base_url, channel.access_token)) as client:
            MessagingApi(client).reply_message(
                ReplyMessageRequest(
                    reply_token=membership[0].reply_token,
                    messages=[TextMessage(text="Welcome to the club!")],
                )
            )
        assert control.inbox(channel, alice)[-1]["message"]["text"] == "Welcome to the club!"


class TestMembershipRules:
    def test_one_plan_per_account_limits_publication_and_membership_numbers(
        self, server: LiveServer, control: Control, channel: ChannelInfo
    ) -> None:
        alice, bob, carol = control.user("Alice"), control.user("Bob"), control.user("Carol")
        small = _plan(control, channel, title="Small", memberLimit=2)["membershipId"]
        other = _plan(control, channel, title="Other")["membershipId"]
        hidden = _plan(control, channel, title="Hidden", isPublished=False)["membershipId"]

        assert _act(control, channel, alice, small, "join").status_code == 201
        twice = _act(control, channel, alice, other, "join")
        assert twice.status_code == 409 and "already a member" in twice.json()["message"]
        bob_joined = _act(control, channel, bob, small, "join").json()
        assert bob_joined["subscription"]["user"]["membershipNo"] == 2
        full = _act(control, channel, carol, small, "join")
        assert full.status_code == 409 and "full" in full.json()["message"]
        unpublished = _act(control, channel, carol, hidden, "join")
        assert unpublished.status_code == 409 and "not published" in unpublished.json()["message"]
        not_member = _act(control, channel, carol, small, "renew")
        assert not_member.status_code == 409
        assert _act(control, channel, carol, small, "leave").status_code == 409
        missing = _act(control, channel, carol, 10**9, "join")
        assert missing.status_code == 404

        assert _act(control, channel, alice, small, "renew").status_code == 200
        assert _act(control, channel, alice, small, "leave").status_code == 200
        rejoined = _act(control, channel, alice, small, "join").json()["subscription"]["user"]
        # A new period: a new member number, the months counted afresh.
        assert (rejoined["membershipNo"], rejoined["totalSubscriptionMonths"]) == (3, 1)

        plans = control.http.get(f"/_kizuna/channels/{channel.channel_id}/memberships").json()
        assert [(p["title"], p["memberCount"]) for p in plans] == [
            ("Small", 2),
            ("Other", 0),
            ("Hidden", 0),
        ]

    def test_bad_plans_are_refused(self, control: Control, channel: ChannelInfo) -> None:
        path = f"/_kizuna/channels/{channel.channel_id}/memberships"
        bad = control.http.post(
            path, json={"title": "", "benefits": [], "price": 0, "currency": "USD"}
        )
        assert bad.status_code == 400
        assert {d["property"] for d in bad.json()["details"]} == {
            "title",
            "benefits",
            "price",
            "currency",
        }


class TestBilling:
    def test_join_and_renewal_dates_follow_kizunas_clock(
        self, server: LiveServer, control: Control, channel: ChannelInfo
    ) -> None:
        alice = control.user("Alice")
        plan_id = _plan(control, channel)["membershipId"]
        advanced = control.http.post("/_kizuna/clock/advance", json={"seconds": 40 * 86_400})
        now = datetime.fromisoformat(advanced.json()["now"])
        user = _act(control, channel, alice, plan_id, "join").json()["subscription"]["user"]
        assert abs(user["joinedTime"] - now.timestamp()) < 60
        today = now.astimezone(ZoneInfo("Asia/Tokyo")).date()
        assert user["nextBillingDate"] == add_months(today, 1).isoformat()
        for months in (2, 3):
            user = _act(control, channel, alice, plan_id, "renew").json()["subscription"]["user"]
            assert user["totalSubscriptionMonths"] == months
            assert user["nextBillingDate"] == add_months(today, months).isoformat()

    def test_the_billing_day_holds_through_short_months(self) -> None:
        assert add_months(date(2024, 1, 31), 1) == date(2024, 2, 29)
        assert add_months(date(2023, 1, 31), 1) == date(2023, 2, 28)
        assert add_months(date(2024, 11, 30), 3) == date(2025, 2, 28)
        assert add_months(date(2024, 12, 15), 1) == date(2025, 1, 15)
        # Counted from the day of joining (in Japan), a 31st comes back after February.
        joined = datetime(2024, 1, 30, 16, 0, tzinfo=UTC)  # 01:00 on the 31st in Tokyo
        assert next_billing_date(joined, 1) == date(2024, 2, 29)
        assert next_billing_date(joined, 2) == date(2024, 3, 31)
