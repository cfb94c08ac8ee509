"""Shop cards: the store grants points per visit or purchase, rewards are earned at their
thresholds (a coupon reward hands over a ticket), a full card starts the next one, and points
expire after their validity on Kizuna's clock."""

import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from typing import Any

import httpx
from linebot.v3.messaging import (
    ApiClient,
    CouponCreateRequest,
    MessagingApi,
    NormalAcquisitionConditionRequest,
)

from tests.support.control import ChannelInfo, Control
from tests.support.live import LiveServer
from tests.support.sdk import messaging_config


def _coupon(server: LiveServer, channel: ChannelInfo) -> str:
    now = int(time.time())
    request = CouponCreateRequest(
        title="Free cake",
        acquisition_condition=NormalAcquisitionConditionRequest(),
        start_timestamp=now - 3_600,
        end_timestamp=now + 30 * 86_400,
        max_use_count_per_ticket=1,
        visibility="UNLISTED",
        timezone="ASIA_TAIPEI",
    )
    with ApiClient(messaging_config(server.base_url, channel.access_token)) as client:
        return str(MessagingApi(client).create_coupon(request).coupon_id)


def _card(control: Control, channel: ChannelInfo, **fields: Any) -> httpx.Response:
    body = {
        "name": "Bakery card",
        "goalPoints": 10,
        "pointsPerVisit": 1,
        "pointsPerPurchase": 2,
        "validityDays": 30,
        **fields,
    }
    return control.http.put(f"/_kizuna/channels/{channel.channel_id}/shop-card", json=body)


def _grant(control: Control, channel: ChannelInfo, user_id: str, **body: Any) -> httpx.Response:
    return control.http.post(
        f"/_kizuna/channels/{channel.channel_id}/users/{user_id}/shop-card/points", json=body
    )


class TestShopCard:
    def test_points_earn_rewards_a_coupon_ticket_and_complete_the_card(
        self, server: LiveServer, control: Control, channel: ChannelInfo
    ) -> None:
        alice = control.user("Alice")
        control.follow(channel, alice)
        cake = _coupon(server, channel)
        made = _card(
            control,
            channel,
            rewards=[
                {"threshold": 5, "description": "Free cake", "couponId": cake},
                {"threshold": 10, "description": "A loaf on the house"},
            ],
        )
        assert made.status_code == 201, made.text
        assert [r["threshold"] for r in made.json()["rewards"]] == [5, 10]

        visit = _grant(control, channel, alice, reason="visit", count=3)
        assert visit.status_code == 200, visit.text
        assert visit.json()["card"]["points"] == 3 and visit.json()["earnedNow"] == []
        assert visit.json()["card"]["nextReward"]["threshold"] == 5

        purchase = _grant(control, channel, alice, reason="purchase").json()  # 2 points
        assert purchase["card"]["points"] == 5
        (earned,) = purchase["earnedNow"]
        assert earned["couponId"] == cake and earned["couponTicket"] is True
        tickets = control.http.get(
            f"/_kizuna/channels/{channel.channel_id}/users/{alice}/coupons"
        ).json()
        assert [t["couponId"] for t in tickets] == [cake]

        # 5 + 7: the card completes at 10 (its reward earned), 2 points go onto card two.
        full = _grant(control, channel, alice, reason="visit", points=7).json()
        assert [e["threshold"] for e in full["earnedNow"]] == [10]
        assert full["card"]["completedCards"] == 1 and full["card"]["points"] == 2
        more = _grant(control, channel, alice, reason="purchase", count=2).json()  # 2 + 4
        assert [(e["threshold"], e["cardNumber"]) for e in more["earnedNow"]] == [(5, 2)]
        assert more["earnedNow"][0]["couponTicket"] is True  # already holds the ticket

        card = control.http.get(f"/_kizuna/channels/{channel.channel_id}/shop-card").json()
        assert card["issuedCards"] == 1 and card["grantedPoints"] == 3 + 2 + 7 + 4
        assert card["earnedRewards"] == 3

    def test_concurrent_first_grants_issue_one_card_and_add_up(
        self, server: LiveServer, control: Control, channel: ChannelInfo
    ) -> None:
        alice = control.user("Alice")
        control.follow(channel, alice)
        assert _card(control, channel, goalPoints=50).status_code == 201
        path = f"/_kizuna/channels/{channel.channel_id}/users/{alice}/shop-card/points"

        def grant(_: int) -> int:
            with httpx.Client(base_url=server.base_url, timeout=60) as client:
                return client.post(path, json={"reason": "visit"}).status_code

        with ThreadPoolExecutor(6) as pool:
            assert Counter(pool.map(grant, range(6))) == Counter({200: 6})
        card = _grant(control, channel, alice, reason="visit").json()["card"]
        assert card["points"] == 7

    def test_count_and_points_together_are_400_on_points(
        self, control: Control, channel: ChannelInfo
    ) -> None:
        alice = control.user("Alice")
        control.follow(channel, alice)
        assert _card(control, channel).status_code == 201
        refused = _grant(control, channel, alice, reason="visit", points=3, count=2)
        assert refused.status_code == 400
        assert [d["property"] for d in refused.json()["details"]] == ["points"]
        assert _grant(control, channel, alice, reason="visit", points=3).status_code == 200

    def test_points_expire_after_their_validity(
        self, server: LiveServer, control: Control, channel: ChannelInfo
    ) -> None:
        alice = control.user("Alice")
        control.follow(channel, alice)
        _card(control, channel, validityDays=30)
        _grant(control, channel, alice, reason="visit", count=4)
        server.services.clock.advance(timedelta(days=20))
        kept = _grant(control, channel, alice, reason="visit").json()["card"]
        assert kept["points"] == 5  # each grant extends the validity
        server.services.clock.advance(timedelta(days=29))
        path = f"/_kizuna/channels/{channel.channel_id}/users/{alice}/shop-card"
        assert control.http.get(path).json()["points"] == 5
        server.services.clock.advance(timedelta(days=1))
        expired = control.http.get(path).json()
        assert expired["points"] == 0 and expired["expiredPoints"] == 5
        assert "expiresAt" not in expired
        after = _grant(control, channel, alice, reason="visit").json()["card"]
        assert after["points"] == 1 and after["expiredPoints"] == 5
        card = control.http.get(f"/_kizuna/channels/{channel.channel_id}/shop-card").json()
        assert card["expiredPoints"] == 5

    def test_bad_settings_and_grants_are_refused(
        self, server: LiveServer, control: Control, channel: ChannelInfo
    ) -> None:
        alice, bob = control.user("Alice"), control.user("Bob")
        control.follow(channel, alice)
        assert _grant(control, channel, alice, reason="visit").status_code == 404  # no card yet
        over = _card(control, channel, rewards=[{"threshold": 11, "description": "Too far"}])
        assert over.status_code == 400
        assert over.json()["details"][0]["property"] == "rewards[0].threshold"
        unknown = _card(
            control, channel, rewards=[{"threshold": 3, "description": "?", "couponId": "nope"}]
        )
        assert unknown.json()["details"][0]["property"] == "rewards[0].couponId"
        assert _card(control, channel, pointsPerPurchase=0).status_code == 201
        assert _card(control, channel, pointsPerPurchase=0).status_code == 200  # changed
        no_points = _grant(control, channel, alice, reason="purchase")
        assert no_points.status_code == 400
        assert no_points.json()["details"][0]["property"] == "reason"
        assert _grant(control, channel, bob, reason="visit").status_code == 409  # not a friend
        both = _grant(control, channel, alice, reason="visit", count=2, points=3)
        assert both.status_code == 400
        path = f"/_kizuna/channels/{channel.channel_id}/users/{bob}/shop-card"
        assert control.http.get(path).status_code == 404
