"""Memberships through the official SDK: plans, a user's subscription and a plan's members,
with typed results, paging and the spec's 400 and 404 answers."""

import json
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from linebot.v3.messaging import (
    ApiClient,
    AsyncApiClient,
    AsyncMessagingApi,
    GetJoinedMembershipUsersResponse,
    GetMembershipSubscriptionResponse,
    Membership,
    MembershipListResponse,
    MessagingApi,
    SubscribedMembershipPlan,
    SubscribedMembershipUser,
    Subscription,
)
from linebot.v3.messaging.exceptions import ApiException, NotFoundException

from app.api.profile.service import encode_cursor
from tests.support.control import ChannelInfo, Control
from tests.support.live import LiveServer
from tests.support.sdk import messaging_config


def plan(control: Control, channel: ChannelInfo, title: str, **fields: Any) -> int:
    body = {"title": title, "benefits": ["Members only photos"], "price": 500, "currency": "JPY"}
    response = control.http.post(
        f"/_kizuna/channels/{channel.channel_id}/memberships", json={**body, **fields}
    )
    assert response.status_code == 201, response.text
    return int(response.json()["membershipId"])


def act(control: Control, channel: ChannelInfo, user_id: str, plan_id: int, verb: str) -> Any:
    path = f"/_kizuna/channels/{channel.channel_id}/users/{user_id}/memberships/{plan_id}/{verb}"
    response = control.http.post(path)
    assert response.status_code == (201 if verb == "join" else 200), response.text
    return response.json()


def _error(exc: ApiException) -> dict[str, Any]:
    body: dict[str, Any] = json.loads(exc.body)
    return body


class TestPlansAndSubscriptions:
    def test_plans_and_a_subscription_read_as_typed_models(
        self, server: LiveServer, control: Control, channel: ChannelInfo
    ) -> None:
        alice, bob = control.user("Alice"), control.user("Bob")
        control.follow(channel, alice)
        basic = plan(
            control,
            channel,
            "Basic Plan",
            description="Messages and photos every Saturday.",
            benefits=["Members Only Messages", "Members Only Photos"],
            isInAppPurchase=True,
        )
        premium = plan(
            control, channel, "Premium Plan", price=1500.5, currency="TWD", memberLimit=10
        )
        joined = act(control, channel, alice, basic, "join")
        act(control, channel, bob, premium, "join")

        with ApiClient(messaging_config(server.base_url, channel.access_token)) as client:
            api = MessagingApi(client)
            listed = api.get_membership_list()
            assert isinstance(listed, MembershipListResponse)
            first, second = listed.memberships
            assert isinstance(first, Membership)
            assert (first.membership_id, first.title, first.description) == (
                basic,
                "Basic Plan",
                "Messages and photos every Saturday.",
            )
            assert first.benefits == ["Members Only Messages", "Members Only Photos"]
            assert (first.price, first.currency, first.member_count) == (500.0, "JPY", 1)
            assert (first.member_limit, first.is_in_app_purchase, first.is_published) == (
                None,
                True,
                True,
            )
            assert (second.price, second.currency, second.member_limit) == (1500.5, "TWD", 10)
            assert (second.is_in_app_purchase, second.member_count) == (False, 1)

            status = api.get_membership_subscription(alice)
            assert isinstance(status, GetMembershipSubscriptionResponse)
            (subscription,) = status.subscriptions
            assert isinstance(subscription, Subscription)
            assert isinstance(subscription.membership, SubscribedMembershipPlan)
            assert (subscription.membership.membership_id, subscription.membership.title) == (
                basic,
                "Basic Plan",
            )
            user = subscription.user
            assert isinstance(user, SubscribedMembershipUser)
            assert (user.membership_no, user.total_subscription_months) == (1, 1)
            assert abs(user.joined_time - datetime.now(UTC).timestamp()) < 60
            joined_day = datetime.fromtimestamp(user.joined_time, ZoneInfo("Asia/Tokyo")).date()
            assert user.next_billing_date == _month_later(joined_day).isoformat()
            assert joined["subscription"]["user"]["nextBillingDate"] == user.next_billing_date

            act(control, channel, alice, basic, "renew")
            renewed = api.get_membership_subscription(alice).subscriptions[0].user
            assert renewed.total_subscription_months == 2
            assert renewed.next_billing_date == _month_later(joined_day, 2).isoformat()

            act(control, channel, alice, basic, "leave")
            with pytest.raises(NotFoundException):
                api.get_membership_subscription(alice)
            assert api.get_membership_list().memberships[0].member_count == 0

    def test_unknown_users_plans_and_accounts_without_plans_answer_the_spec_errors(
        self, server: LiveServer, control: Control, channel: ChannelInfo
    ) -> None:
        alice = control.user("Alice")
        with ApiClient(messaging_config(server.base_url, channel.access_token)) as client:
            api = MessagingApi(client)
            with pytest.raises(NotFoundException):
                api.get_membership_list()  # the account offers no membership
            plan_id = plan(control, channel, "Basic")
            with pytest.raises(NotFoundException):
                api.get_membership_subscription(alice)  # subscribes to nothing
            with pytest.raises(ApiException) as invalid:
                api.get_membership_subscription("not-a-user")
            assert invalid.value.status == 400
            assert _error(invalid.value)["message"] == (
                "The value for the 'userId' parameter is invalid"
            )
            other = control.channel("Other")
            theirs = plan(control, other, "Theirs")
            with pytest.raises(NotFoundException):
                api.get_joined_membership_users(theirs)
            assert api.get_joined_membership_users(plan_id).user_ids == []
            # Ids and cursors past a database key are refused, never a 500.
            for too_big in (10**20, plan_id):
                start = encode_cursor(10**30) if too_big == plan_id else None
                with pytest.raises(ApiException) as refused:
                    api.get_joined_membership_users(too_big, start=start)
                assert refused.value.status == 400
        joining = f"/_kizuna/channels/{channel.channel_id}/users/{alice}/memberships/{10**20}/join"
        assert control.http.post(joining).status_code == 400


class TestJoinedUsers:
    @pytest.mark.asyncio
    async def test_members_page_in_joining_order_without_non_friends_for_the_async_client(
        self, server: LiveServer, control: Control, channel: ChannelInfo
    ) -> None:
        plan_id = plan(control, channel, "Fan club")
        friends = []
        for i in range(5):
            friends.append(control.user(f"Fan {i}"))
            control.follow(channel, friends[-1])
            act(control, channel, friends[-1], plan_id, "join")
        stranger = control.user("Stranger")  # a member, but not the account's friend
        act(control, channel, stranger, plan_id, "join")
        gone = friends.pop(1)
        act(control, channel, gone, plan_id, "leave")

        async with AsyncApiClient(messaging_config(server.base_url, channel.access_token)) as c:
            api = AsyncMessagingApi(c)
            first = await api.get_joined_membership_users(plan_id, limit=3)
            assert isinstance(first, GetJoinedMembershipUsersResponse)
            assert first.user_ids == friends[:3] and first.next
            second = await api.get_joined_membership_users(plan_id, start=first.next, limit=3)
            assert second.user_ids == friends[3:] and second.next is None
            everyone = await api.get_joined_membership_users(plan_id)
            assert everyone.user_ids == friends
            with pytest.raises(ApiException) as bad_start:
                await api.get_joined_membership_users(plan_id, start="garbage")
            assert bad_start.value.status == 400
            with pytest.raises(ApiException) as missing:
                await api.get_joined_membership_users(plan_id + 1000)
            assert missing.value.status == 404
            listed = await api.get_membership_list()
            assert listed.memberships[0].member_count == 5  # the stranger counts as a member
            status = await api.get_membership_subscription(friends[0])
            assert status.subscriptions[0].user.membership_no == 1

        # The SDK refuses a limit out of range itself; the raw request shows Kizuna's answer.
        raw = control.http.get(
            f"/v2/bot/membership/{plan_id}/users/ids",
            params={"limit": 1001},
            headers={"Authorization": f"Bearer {channel.access_token}"},
        )
        assert raw.status_code == 400 and raw.json()["details"][0]["property"] == "limit"


def _month_later(day: Any, months: int = 1) -> Any:
    """The same day `months` later (or the month's last day): the billing cycle."""
    target = day
    for _ in range(months):
        following = (target.replace(day=1) + timedelta(days=32)).replace(day=1)
        last = ((following + timedelta(days=32)).replace(day=1) - timedelta(days=1)).day
        target = following.replace(day=min(day.day, last))
    return target
