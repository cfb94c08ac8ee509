"""Multicast, broadcast and narrowcast: the right users, exactly one copy each."""

from collections import Counter
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
from linebot.v3.messaging import (
    AgeDemographicFilter,
    ApiClient,
    AsyncApiClient,
    AsyncMessagingApi,
    BroadcastRequest,
    Filter,
    GenderDemographicFilter,
    Limit,
    MessagingApi,
    MulticastRequest,
    NarrowcastProgressResponse,
    NarrowcastRequest,
    OperatorDemographicFilter,
    PushMessageRequest,
    RedeliveryRecipient,
    ShowLoadingAnimationRequest,
    SubscriptionPeriodDemographicFilter,
    TextMessage,
)
from linebot.v3.messaging.exceptions import ApiException
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from app.delivery.repository import every_delivery
from app.models import Friendship, FriendshipStatus, MessageRequest, User
from tests.support.control import ChannelInfo, Control
from tests.support.live import LiveServer
from tests.support.sdk import messaging_config

HELLO = [TextMessage(text="Hello, friends")]


@pytest.fixture
def api(server: LiveServer, channel: ChannelInfo):  # type: ignore[no-untyped-def]
    with ApiClient(messaging_config(server.base_url, channel.access_token)) as client:
        yield MessagingApi(client)


async def copies_per_user(
    session_maker: async_sessionmaker[AsyncSession], request_id: str | None = None
) -> Counter[str]:
    async with session_maker() as session:
        deliveries = every_delivery()
        query = select(User.user_id).join(deliveries, deliveries.c.user_pk == User.id)
        if request_id is not None:
            query = query.join(MessageRequest, MessageRequest.id == deliveries.c.request_pk).where(
                MessageRequest.request_id == request_id
            )
        return Counter((await session.scalars(query)).all())


class TestMulticast:
    @pytest.mark.asyncio
    async def test_friends_among_the_recipients_get_one_copy(
        self,
        api: MessagingApi,
        control: Control,
        channel: ChannelInfo,
        session_maker: async_sessionmaker[AsyncSession],
    ) -> None:
        friends = [control.user(f"F{i}") for i in range(3)]
        for user_id in friends:
            control.follow(channel, user_id)
        control.unfollow(channel, friends[2])
        stranger = control.user("Stranger")
        api.multicast(MulticastRequest(to=[*friends, stranger, friends[0]], messages=HELLO))
        control.wait_for_jobs()
        assert await copies_per_user(session_maker) == Counter({friends[0]: 1, friends[1]: 1})
        assert control.inbox(channel, friends[0])[0]["via"] == "multicast"

    def test_limits(self, server: LiveServer, channel: ChannelInfo) -> None:
        url = f"{server.base_url}/v2/bot/message/multicast"
        headers = {"Authorization": f"Bearer {channel.access_token}"}
        message = [{"type": "text", "text": "x"}]
        too_many = [f"U{i:032x}" for i in range(501)]
        cases = (([], ["to"]), (too_many, ["to"]), (["U1", "nope"], ["to[0]", "to[1]"]))
        for to, props in cases:
            response = httpx.post(url, headers=headers, json={"to": to, "messages": message})
            assert response.status_code == 400
            assert [d["property"] for d in response.json()["details"]] == props


class TestBroadcast:
    @pytest.mark.asyncio
    async def test_every_follower_once(
        self,
        api: MessagingApi,
        control: Control,
        channel: ChannelInfo,
        session_maker: async_sessionmaker[AsyncSession],
    ) -> None:
        control.bulk(channel, 300, seed=5)
        blocker = control.user("Blocker")
        control.follow(channel, blocker)
        control.unfollow(channel, blocker)
        other = control.channel("Other")
        control.bulk(other, 20, seed=6)
        assert api.broadcast(BroadcastRequest(messages=HELLO)) is not None
        control.wait_for_jobs()
        copies = await copies_per_user(session_maker)
        assert len(copies) == 300 and set(copies.values()) == {1}
        assert blocker not in copies

    def test_a_users_inbox_holds_pushes_and_fan_outs_oldest_first(
        self, api: MessagingApi, server: LiveServer, control: Control, channel: ChannelInfo
    ) -> None:
        alice, bob = control.user("Alice"), control.user("Bob")
        for user in (alice, bob):
            control.follow(channel, user)
        elsewhere = control.channel("Elsewhere")
        control.follow(elsewhere, alice)

        def say(text: str) -> list[TextMessage]:
            return [TextMessage(text=text)]

        api.push_message(PushMessageRequest(to=alice, messages=say("one")))
        api.broadcast(BroadcastRequest(messages=say("two")))
        control.wait_for_jobs()
        server.services.clock.advance(timedelta(seconds=1))
        api.push_message(PushMessageRequest(to=alice, messages=say("three")))
        api.multicast(MulticastRequest(to=[alice, bob], messages=say("four")))
        control.wait_for_jobs()
        with ApiClient(messaging_config(server.base_url, elsewhere.access_token)) as client:
            MessagingApi(client).broadcast(BroadcastRequest(messages=say("not here")))
        control.wait_for_jobs()

        def inbox(user: str) -> list[tuple[str, str]]:
            return [(i["message"]["text"], i["via"]) for i in control.inbox(channel, user)]

        assert inbox(alice) == [
            ("one", "push"),
            ("two", "broadcast"),
            ("three", "push"),
            ("four", "multicast"),
        ]
        assert inbox(bob) == [("two", "broadcast"), ("four", "multicast")]
        # Cleared, the inbox shows only what came after.
        control.http.delete(f"/_kizuna/channels/{channel.channel_id}/users/{alice}/inbox")
        server.services.clock.advance(timedelta(seconds=1))
        api.broadcast(BroadcastRequest(messages=say("five")))
        control.wait_for_jobs()
        assert inbox(alice) == [("five", "broadcast")]

    def test_a_broadcast_ends_the_loading_animation(
        self, api: MessagingApi, server: LiveServer, control: Control, channel: ChannelInfo
    ) -> None:
        friend = control.user("Waiting")
        control.follow(channel, friend)
        chat = f"/_kizuna/channels/{channel.channel_id}/users/{friend}/chat"
        api.show_loading_animation(ShowLoadingAnimationRequest(chat_id=friend, loading_seconds=60))
        assert control.http.get(chat).json()["loading"] is True
        api.broadcast(BroadcastRequest(messages=HELLO))
        control.wait_for_jobs()
        assert control.http.get(chat).json()["loading"] is False

    @pytest.mark.asyncio
    async def test_async_client_and_no_followers(
        self, server: LiveServer, control: Control, channel: ChannelInfo
    ) -> None:
        async with AsyncApiClient(
            messaging_config(server.base_url, channel.access_token)
        ) as client:
            await AsyncMessagingApi(client).broadcast(BroadcastRequest(messages=HELLO))
        control.wait_for_jobs()


def narrowcast(api: MessagingApi, request: NarrowcastRequest) -> str:
    response = api.narrowcast_with_http_info(request)
    assert response.status_code == 202
    return str(response.headers["X-Line-Request-Id"])


async def population(
    session_maker: async_sessionmaker[AsyncSession],
) -> list[dict[str, Any]]:
    async with session_maker() as session:
        rows = await session.execute(
            select(User.user_id, User.gender, User.age, User.app_type, User.area, Friendship.since)
            .join(Friendship, Friendship.user_pk == User.id)
            .where(Friendship.status == FriendshipStatus.FOLLOWING)
        )
        return [
            {
                "user_id": r[0],
                "gender": r[1].value if r[1] else None,
                "age": r[2],
                "app": r[3].value if r[3] else None,
                "area": r[4],
                "since": r[5],
            }
            for r in rows
        ]


class TestNarrowcast:
    @pytest.mark.asyncio
    async def test_demographic_filters_pick_exactly_the_matching_friends(
        self,
        api: MessagingApi,
        control: Control,
        channel: ChannelInfo,
        session_maker: async_sessionmaker[AsyncSession],
    ) -> None:
        control.bulk(channel, 3000, seed=21)
        people = await population(session_maker)
        now = datetime.now(UTC)
        expected = {
            p["user_id"]
            for p in people
            if p["gender"] == "female"
            and p["age"] is not None
            and 20 <= p["age"] < 40
            and not (now - p["since"] < timedelta(days=30))
        }
        demographic = OperatorDemographicFilter(
            var_and=[
                GenderDemographicFilter(one_of=["female"]),
                AgeDemographicFilter(gte="age_20", lt="age_40"),
                OperatorDemographicFilter(var_not=SubscriptionPeriodDemographicFilter(lt="day_30")),
            ]
        )
        request_id = narrowcast(
            api, NarrowcastRequest(messages=HELLO, filter=Filter(demographic=demographic))
        )
        control.wait_for_jobs()
        progress = api.get_narrowcast_progress(request_id)
        assert isinstance(progress, NarrowcastProgressResponse)
        assert progress.phase == "succeeded"
        assert progress.target_count == progress.success_count == len(expected)
        assert progress.completed_time is not None
        assert set(await copies_per_user(session_maker, request_id)) == expected

    @pytest.mark.asyncio
    async def test_limit_max_and_redelivery(
        self,
        api: MessagingApi,
        control: Control,
        channel: ChannelInfo,
        session_maker: async_sessionmaker[AsyncSession],
    ) -> None:
        control.bulk(channel, 400, seed=3)
        first = narrowcast(
            api,
            NarrowcastRequest(
                messages=HELLO,
                filter=Filter(demographic=GenderDemographicFilter(one_of=["male", "female"])),
                limit=Limit(max=120),
            ),
        )
        control.wait_for_jobs()
        first_recipients = await copies_per_user(session_maker, first)
        assert len(first_recipients) == 120
        again = narrowcast(
            api,
            NarrowcastRequest(messages=HELLO, recipient=RedeliveryRecipient(request_id=first)),
        )
        control.wait_for_jobs()
        assert await copies_per_user(session_maker, again) == first_recipients

    def test_small_targets(
        self, api: MessagingApi, server: LiveServer, control: Control, channel: ChannelInfo
    ) -> None:
        control.bulk(channel, 60, seed=8)
        with pytest.raises(ApiException) as caught:
            api.narrowcast(
                NarrowcastRequest(
                    messages=HELLO,
                    filter=Filter(demographic=GenderDemographicFilter(one_of=["male"])),
                )
            )
        assert caught.value.status == 403
        # Fewer than 50 recipients are accepted, then fail with error code 2.
        friend = control.user("Only friend")
        control.follow(channel, friend)
        pushed = httpx.post(
            f"{server.base_url}/v2/bot/message/push",
            headers={"Authorization": f"Bearer {channel.access_token}"},
            json={"to": friend, "messages": [{"type": "text", "text": "x"}]},
        )
        request_id = narrowcast(
            api,
            NarrowcastRequest(
                messages=HELLO,
                recipient=RedeliveryRecipient(request_id=pushed.headers["x-line-request-id"]),
            ),
        )
        progress = api.get_narrowcast_progress(request_id)
        assert (progress.phase, progress.error_code) == ("failed", 2)

    def test_bad_targets(self, server: LiveServer, channel: ChannelInfo) -> None:
        url = f"{server.base_url}/v2/bot/message/narrowcast"
        headers = {"Authorization": f"Bearer {channel.access_token}"}
        message = [{"type": "text", "text": "x"}]
        cases: list[tuple[dict[str, Any], str]] = [
            (
                {"recipient": {"type": "audience", "audienceGroupId": 42}},
                "recipient.audienceGroupId",
            ),
            ({"recipient": {"type": "redelivery", "requestId": "nope"}}, "recipient.requestId"),
            (
                {"filter": {"demographic": {"type": "age", "gte": "age_99"}}},
                "filter.demographic.gte",
            ),
            (
                {"filter": {"demographic": {"type": "gender", "oneOf": ["x"]}}},
                "filter.demographic.oneOf[0]",
            ),
            ({"limit": {"max": 0}}, "limit.max"),
            ({"limit": {"forbidPartialDelivery": True}}, "limit.forbidPartialDelivery"),
        ]
        for extra, prop in cases:
            response = httpx.post(url, headers=headers, json={"messages": message, **extra})
            assert response.status_code == 400, extra
            assert [d.get("property") for d in response.json().get("details", [])] == [prop], (
                extra,
                response.json(),
            )


class TestQuota:
    def test_limited_plan(
        self, api: MessagingApi, server: LiveServer, control: Control, channel: ChannelInfo
    ) -> None:
        from linebot.v3.messaging import PushMessageRequest

        assert api.get_message_quota().type == "none"
        control.quota(channel, "limited", 3)
        quota = api.get_message_quota()
        assert (quota.type, quota.value) == ("limited", 3)
        friends = [control.user(f"F{i}") for i in range(2)]
        for user_id in friends:
            control.follow(channel, user_id)
        api.multicast(MulticastRequest(to=friends, messages=HELLO))
        control.wait_for_jobs()
        api.push_message(PushMessageRequest(to=friends[0], messages=HELLO))
        assert api.get_message_quota_consumption().total_usage == 3
        with pytest.raises(ApiException) as caught:
            api.push_message(PushMessageRequest(to=friends[1], messages=HELLO))
        assert caught.value.status == 429
        assert "monthly limit" in caught.value.body
        # Replies are free.
        token = control.reply_token(channel, friends[1])
        from linebot.v3.messaging import ReplyMessageRequest

        api.reply_message(ReplyMessageRequest(reply_token=token, messages=HELLO))
        assert api.get_message_quota_consumption().total_usage == 3


class TestCounts:
    @pytest.mark.asyncio
    async def test_delivery_counts_are_ready_the_next_day(
        self, api: MessagingApi, server: LiveServer, control: Control, channel: ChannelInfo
    ) -> None:
        control.bulk(channel, 30, seed=2)
        api.broadcast(BroadcastRequest(messages=HELLO))
        control.wait_for_jobs()
        from zoneinfo import ZoneInfo

        today = datetime.now(ZoneInfo("Asia/Tokyo")).strftime("%Y%m%d")
        assert api.get_number_of_sent_broadcast_messages(today).status == "unready"
        server.services.clock.advance(timedelta(days=1))
        counted = api.get_number_of_sent_broadcast_messages(today)
        assert (counted.status, counted.success) == ("ready", 30)
        assert api.get_number_of_sent_push_messages(today).success == 0
        assert api.get_number_of_sent_reply_messages("20170101").status == "out_of_service"

    def test_aggregation_units(
        self, api: MessagingApi, control: Control, channel: ChannelInfo
    ) -> None:
        from linebot.v3.messaging import PushMessageRequest

        alice = control.user("Alice")
        control.follow(channel, alice)
        for unit in ("spring_sale", "promo_b", "spring_sale"):
            api.push_message(
                PushMessageRequest(to=alice, messages=HELLO, custom_aggregation_units=[unit])
            )
        assert api.get_aggregation_unit_usage().num_of_custom_aggregation_units == 2
        page = api.get_aggregation_unit_name_list(limit="1")
        assert page.custom_aggregation_units == ["promo_b"] and page.next
        rest = api.get_aggregation_unit_name_list(start=page.next)
        assert rest.custom_aggregation_units == ["spring_sale"] and rest.next is None


class TestValidate:
    def test_validate_endpoints(self, server: LiveServer, channel: ChannelInfo) -> None:
        headers = {"Authorization": f"Bearer {channel.access_token}"}
        for kind in ("reply", "push", "multicast", "narrowcast", "broadcast"):
            url = f"{server.base_url}/v2/bot/message/validate/{kind}"
            ok = httpx.post(
                url, headers=headers, json={"messages": [{"type": "text", "text": "x"}]}
            )
            assert (ok.status_code, ok.json()) == (200, {})
            bad = httpx.post(url, headers=headers, json={"messages": [{"type": "text"}]})
            assert bad.status_code == 400
            assert bad.json()["details"][0]["property"] == "messages[0].text"


def audience_of(server: LiveServer, channel: ChannelInfo, ids: list[str]) -> int:
    from linebot.v3 import audience as sdk

    config = sdk.Configuration(host=server.base_url, access_token=channel.access_token)
    with sdk.ApiClient(config) as client:
        created = sdk.ManageAudience(client).create_audience_group(
            sdk.CreateAudienceGroupRequest(
                description="Narrowcast audience", audiences=[sdk.Audience(id=i) for i in ids]
            )
        )
    return int(created.audience_group_id)


class TestNarrowcastToAudiences:
    @pytest.mark.asyncio
    async def test_audience_sets_reach_exactly_their_following_members(
        self,
        api: MessagingApi,
        server: LiveServer,
        control: Control,
        channel: ChannelInfo,
        session_maker: async_sessionmaker[AsyncSession],
    ) -> None:
        from linebot.v3.messaging import AudienceRecipient, OperatorRecipient

        control.bulk(channel, 300, seed=11)
        friends = sorted(p["user_id"] for p in await population(session_maker))
        strangers = [f"U{i:032x}" for i in range(10)]  # uploaded ids of no Kizuna user
        blocker = control.user("Blocker")
        control.follow(channel, blocker)
        control.unfollow(channel, blocker)
        first = audience_of(server, channel, [*friends[:150], *strangers, blocker])
        second = audience_of(server, channel, friends[100:220])
        both_but_not = narrowcast(
            api,
            NarrowcastRequest(
                messages=HELLO,
                recipient=OperatorRecipient(
                    var_and=[
                        AudienceRecipient(audience_group_id=first),
                        OperatorRecipient(var_not=AudienceRecipient(audience_group_id=second)),
                    ]
                ),
            ),
        )
        either = narrowcast(
            api,
            NarrowcastRequest(
                messages=HELLO,
                recipient=OperatorRecipient(
                    var_or=[
                        AudienceRecipient(audience_group_id=first),
                        AudienceRecipient(audience_group_id=second),
                    ]
                ),
            ),
        )
        control.wait_for_jobs()
        assert set(await copies_per_user(session_maker, both_but_not)) == set(friends[:100])
        assert set(await copies_per_user(session_maker, either)) == set(friends[:220])
        progress = api.get_narrowcast_progress(either)
        assert (progress.phase, progress.target_count) == ("succeeded", 220)

    def test_an_audience_under_50_fails_with_code_4(
        self, api: MessagingApi, server: LiveServer, control: Control, channel: ChannelInfo
    ) -> None:
        from linebot.v3.messaging import AudienceRecipient

        control.bulk(channel, 60, seed=12)
        small = audience_of(server, channel, [f"U{i:032x}" for i in range(49)])
        request_id = narrowcast(
            api,
            NarrowcastRequest(messages=HELLO, recipient=AudienceRecipient(audience_group_id=small)),
        )
        progress = api.get_narrowcast_progress(request_id)
        assert (progress.phase, progress.error_code) == ("failed", 4)
