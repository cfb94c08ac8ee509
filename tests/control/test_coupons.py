"""A user's side of coupons: acquiring (or drawing a lottery), using within the coupon's period
and use count, on Kizuna's clock; lottery draws repeat under a seed and stop at
maxAcquireCount."""

import time
from typing import Any

import httpx
from linebot.v3.messaging import (
    ApiClient,
    CouponCreateRequest,
    CouponMessage,
    LotteryAcquisitionConditionRequest,
    MessagingApi,
    NormalAcquisitionConditionRequest,
    PushMessageRequest,
)

from app.kit.ids import IdFactory
from tests.support.control import ChannelInfo, Control
from tests.support.live import LiveServer
from tests.support.sdk import messaging_config

HOUR = 3_600
DAY = 24 * HOUR


def _create(server: LiveServer, channel: ChannelInfo, **fields: Any) -> str:
    now = int(time.time())
    values: dict[str, Any] = {
        "title": "Free coffee",
        "acquisition_condition": NormalAcquisitionConditionRequest(),
        "start_timestamp": now - HOUR,
        "end_timestamp": now + 7 * DAY,
        "max_use_count_per_ticket": 1,
        "visibility": "PUBLIC",
        "timezone": "ASIA_TOKYO",
        **fields,
    }
    with ApiClient(messaging_config(server.base_url, channel.access_token)) as client:
        return str(MessagingApi(client).create_coupon(CouponCreateRequest(**values)).coupon_id)


def _path(channel: ChannelInfo, user_id: str, coupon_id: str, act: str) -> str:
    return f"/_kizuna/channels/{channel.channel_id}/users/{user_id}/coupons/{coupon_id}/{act}"


def _acquire(
    control: Control, channel: ChannelInfo, user_id: str, coupon_id: str
) -> httpx.Response:
    return control.http.post(_path(channel, user_id, coupon_id, "acquire"))


def _use(control: Control, channel: ChannelInfo, user_id: str, coupon_id: str) -> httpx.Response:
    return control.http.post(_path(channel, user_id, coupon_id, "use"))


def _advance(control: Control, seconds: float) -> None:
    response = control.http.post("/_kizuna/clock/advance", json={"seconds": seconds})
    assert response.status_code == 200, response.text


class TestAcquireAndUse:
    def test_a_ticket_is_used_within_the_period_and_its_use_count(
        self, server: LiveServer, control: Control, channel: ChannelInfo
    ) -> None:
        alice = control.user("Alice")
        control.follow(channel, alice)
        now = int(time.time())
        coupon_id = _create(server, channel, start_timestamp=now + HOUR, end_timestamp=now + DAY)

        first = _acquire(control, channel, alice, coupon_id)
        assert first.status_code == 201, first.text
        ticket = first.json()
        assert ticket["couponId"] == coupon_id and ticket["userId"] == alice
        assert (ticket["outcome"], ticket["useCount"], ticket["maxUseCount"]) == ("acquired", 0, 1)
        assert ticket["usable"] is False  # not started yet
        early = _use(control, channel, alice, coupon_id)
        assert early.status_code == 409 and "before its start" in early.json()["message"]

        again = _acquire(control, channel, alice, coupon_id)
        assert again.status_code == 200 and again.json() == ticket  # one ticket per user

        _advance(control, 2 * HOUR)
        used = _use(control, channel, alice, coupon_id)
        assert used.status_code == 200, used.text
        assert (used.json()["useCount"], used.json()["usable"]) == (1, False)
        spent = _use(control, channel, alice, coupon_id)
        assert spent.status_code == 409 and "used up" in spent.json()["message"]

        held = control.http.get(f"/_kizuna/channels/{channel.channel_id}/users/{alice}/coupons")
        assert [(t["couponId"], t["useCount"]) for t in held.json()] == [(coupon_id, 1)]

    def test_an_unlimited_ticket_is_used_until_the_coupon_ends(
        self, server: LiveServer, control: Control, channel: ChannelInfo
    ) -> None:
        alice, bob = control.user("Alice"), control.user("Bob")
        now = int(time.time())
        coupon_id = _create(server, channel, max_use_count_per_ticket=-1, end_timestamp=now + DAY)
        assert _acquire(control, channel, alice, coupon_id).status_code == 201
        for count in (1, 2, 3):
            used = _use(control, channel, alice, coupon_id)
            assert used.json()["useCount"] == count and used.json()["usable"] is True
        nobody = _use(control, channel, bob, coupon_id)
        assert nobody.status_code == 409 and "holds no ticket" in nobody.json()["message"]

        _advance(control, DAY)
        ended = _use(control, channel, alice, coupon_id)
        assert ended.status_code == 409 and "has ended" in ended.json()["message"]
        late = _acquire(control, channel, bob, coupon_id)
        assert late.status_code == 409 and "has ended" in late.json()["message"]

    def test_an_unlisted_coupon_is_acquired_from_its_message_only(
        self, server: LiveServer, control: Control, channel: ChannelInfo
    ) -> None:
        alice = control.user("Alice")
        control.follow(channel, alice)
        coupon_id = _create(server, channel, visibility="UNLISTED")
        unseen = _acquire(control, channel, alice, coupon_id)
        assert unseen.status_code == 409 and "UNLISTED" in unseen.json()["message"]
        with ApiClient(messaging_config(server.base_url, channel.access_token)) as client:
            MessagingApi(client).push_message(
                PushMessageRequest(to=alice, messages=[CouponMessage(coupon_id=coupon_id)])
            )
        assert _acquire(control, channel, alice, coupon_id).status_code == 201

    def test_a_closed_coupon_can_no_longer_be_acquired_or_used(
        self, server: LiveServer, control: Control, channel: ChannelInfo
    ) -> None:
        alice, bob = control.user("Alice"), control.user("Bob")
        coupon_id = _create(server, channel)
        assert _acquire(control, channel, alice, coupon_id).status_code == 201
        with ApiClient(messaging_config(server.base_url, channel.access_token)) as client:
            MessagingApi(client).close_coupon(coupon_id)
        closed = _acquire(control, channel, bob, coupon_id)
        assert closed.status_code == 409 and "is closed" in closed.json()["message"]
        assert _use(control, channel, alice, coupon_id).status_code == 409
        kept = _acquire(control, channel, alice, coupon_id)
        assert kept.status_code == 200 and kept.json()["usable"] is False

    def test_unknown_coupons_and_blocked_users_are_refused(
        self, server: LiveServer, control: Control, channel: ChannelInfo
    ) -> None:
        alice = control.user("Alice")
        other = control.channel("Other")
        theirs = _create(server, other)
        missing = _acquire(control, channel, alice, theirs)
        assert missing.status_code == 404 and theirs in missing.json()["message"]
        control.follow(channel, alice)
        control.unfollow(channel, alice)
        blocked = _acquire(control, channel, alice, _create(server, channel))
        assert blocked.status_code == 409 and "blocked" in blocked.json()["message"]


class TestLottery:
    def _draw(
        self,
        server: LiveServer,
        control: Control,
        channel: ChannelInfo,
        users: list[str],
        **lot: Any,
    ) -> tuple[str, list[str]]:
        coupon_id = _create(
            server, channel, acquisition_condition=LotteryAcquisitionConditionRequest(**lot)
        )
        outcomes = []
        for user_id in users:
            drawn = _acquire(control, channel, user_id, coupon_id)
            assert drawn.status_code == 201, drawn.text
            outcomes.append(drawn.json()["outcome"])
        return coupon_id, outcomes

    def test_draws_repeat_under_a_seed_and_win_about_as_often_as_the_probability(
        self, server: LiveServer, control: Control, channel: ChannelInfo
    ) -> None:
        users = [control.user(f"User {i}") for i in range(40)]
        # What KIZUNA_SEED gives a whole server (and /_kizuna/reset restarts): a seeded factory.
        server.services.ids = IdFactory(2026)
        _, first = self._draw(
            server, control, channel, users, lottery_probability=30, max_acquire_count=-1
        )
        server.services.ids = IdFactory(2026)
        coupon_id, second = self._draw(
            server, control, channel, users, lottery_probability=30, max_acquire_count=-1
        )
        assert first == second
        assert 4 <= first.count("acquired") <= 20 and "lost" in first
        lost = first.index("lost")
        redraw = _acquire(control, channel, users[lost], coupon_id)
        assert redraw.status_code == 200 and redraw.json()["outcome"] == "lost"  # a loss is final
        again = control.http.get(
            f"/_kizuna/channels/{channel.channel_id}/users/{users[lost]}/coupons"
        ).json()
        assert [t["outcome"] for t in again] == ["lost", "lost"]
        assert again[0]["usable"] is False

    def test_no_more_than_max_acquire_count_users_win(
        self, server: LiveServer, control: Control, channel: ChannelInfo
    ) -> None:
        users = [control.user(f"User {i}") for i in range(8)]
        server.services.ids = IdFactory(7)
        _, outcomes = self._draw(
            server, control, channel, users, lottery_probability=99, max_acquire_count=3
        )
        assert outcomes.count("acquired") == 3
        assert outcomes[-1] == "lost"
