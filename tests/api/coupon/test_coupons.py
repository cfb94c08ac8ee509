"""Coupons through the official SDK: every reward and acquisition type round-trips, lists page
and filter, closing is final, and coupon messages must name a coupon that can be sent."""

import json
import time
from typing import Any

import pytest
from linebot.v3.messaging import (
    ApiClient,
    AsyncApiClient,
    AsyncMessagingApi,
    CashBackFixedPriceInfoRequest,
    CashBackFixedPriceInfoResponse,
    CashBackPercentagePriceInfoRequest,
    CashBackPercentagePriceInfoResponse,
    CouponCashBackRewardRequest,
    CouponCashBackRewardResponse,
    CouponCreateRequest,
    CouponCreateResponse,
    CouponDiscountRewardRequest,
    CouponDiscountRewardResponse,
    CouponFreeRewardRequest,
    CouponFreeRewardResponse,
    CouponGiftRewardRequest,
    CouponGiftRewardResponse,
    CouponMessage,
    CouponOthersRewardRequest,
    CouponOthersRewardResponse,
    CouponResponse,
    DiscountExplicitPriceInfoRequest,
    DiscountExplicitPriceInfoResponse,
    DiscountFixedPriceInfoRequest,
    DiscountFixedPriceInfoResponse,
    DiscountPercentagePriceInfoRequest,
    DiscountPercentagePriceInfoResponse,
    LotteryAcquisitionConditionRequest,
    LotteryAcquisitionConditionResponse,
    MessagingApi,
    MessagingApiPagerCouponListResponse,
    MulticastRequest,
    NormalAcquisitionConditionRequest,
    NormalAcquisitionConditionResponse,
    PushMessageRequest,
    TextMessage,
)
from linebot.v3.messaging.exceptions import ApiException, NotFoundException

from tests.support.control import ChannelInfo, Control
from tests.support.live import LiveServer
from tests.support.sdk import messaging_config

DAY = 86_400


def coupon_request(title: str = "100 yen off", **fields: Any) -> CouponCreateRequest:
    now = int(time.time())
    values: dict[str, Any] = {
        "title": title,
        "acquisition_condition": NormalAcquisitionConditionRequest(),
        "start_timestamp": now - DAY,
        "end_timestamp": now + 30 * DAY,
        "max_use_count_per_ticket": 1,
        "visibility": "UNLISTED",
        "timezone": "ASIA_TOKYO",
        **fields,
    }
    return CouponCreateRequest(**values)


def _error(exc: ApiException) -> dict[str, Any]:
    body: dict[str, Any] = json.loads(exc.body)
    return body


REWARDS: list[tuple[Any, type[Any], type[Any] | None, dict[str, Any]]] = [
    (
        CouponCashBackRewardRequest(price_info=CashBackFixedPriceInfoRequest(fixed_amount=300)),
        CouponCashBackRewardResponse,
        CashBackFixedPriceInfoResponse,
        {"currency": "JPY", "fixed_amount": 300},
    ),
    (
        CouponCashBackRewardRequest(price_info=CashBackPercentagePriceInfoRequest(percentage=15)),
        CouponCashBackRewardResponse,
        CashBackPercentagePriceInfoResponse,
        {"percentage": 15},
    ),
    (
        CouponDiscountRewardRequest(price_info=DiscountFixedPriceInfoRequest(fixed_amount=100)),
        CouponDiscountRewardResponse,
        DiscountFixedPriceInfoResponse,
        {"currency": "JPY", "fixed_amount": 100},
    ),
    (
        CouponDiscountRewardRequest(price_info=DiscountPercentagePriceInfoRequest(percentage=50)),
        CouponDiscountRewardResponse,
        DiscountPercentagePriceInfoResponse,
        {"percentage": 50},
    ),
    (
        CouponDiscountRewardRequest(
            price_info=DiscountExplicitPriceInfoRequest(
                price_after_discount=800, original_price=1000
            )
        ),
        CouponDiscountRewardResponse,
        DiscountExplicitPriceInfoResponse,
        {"currency": "JPY", "price_after_discount": 800, "original_price": 1000},
    ),
    (CouponFreeRewardRequest(), CouponFreeRewardResponse, None, {}),
    (CouponGiftRewardRequest(), CouponGiftRewardResponse, None, {}),
    (CouponOthersRewardRequest(), CouponOthersRewardResponse, None, {}),
]


class TestCreateAndDetail:
    def test_every_reward_type_round_trips_with_typed_results(
        self, server: LiveServer, control: Control, channel: ChannelInfo
    ) -> None:
        with ApiClient(messaging_config(server.base_url, channel.access_token)) as client:
            api = MessagingApi(client)
            for reward, reward_class, price_class, price_fields in REWARDS:
                request = coupon_request(
                    f"{reward.type} coupon",
                    reward=reward,
                    description="Show this screen to the staff.",
                    usage_condition="One per visit",
                    image_url="https://example.com/coupon.png",
                    barcode_image_url="https://example.com/barcode.png",
                    coupon_code="KIZUNA100",
                    visibility="PUBLIC",
                )
                created = api.create_coupon(request)
                assert isinstance(created, CouponCreateResponse)
                assert len(created.coupon_id) == 26  # a ULID, as the platform's
                detail = api.get_coupon_detail(created.coupon_id)
                assert isinstance(detail, CouponResponse)
                assert (detail.coupon_id, detail.title, detail.status) == (
                    created.coupon_id,
                    f"{reward.type} coupon",
                    "RUNNING",
                )
                assert (detail.start_timestamp, detail.end_timestamp) == (
                    request.start_timestamp,
                    request.end_timestamp,
                )
                assert detail.description == "Show this screen to the staff."
                assert detail.usage_condition == "One per visit"
                assert detail.image_url == "https://example.com/coupon.png"
                assert detail.barcode_image_url == "https://example.com/barcode.png"
                assert detail.coupon_code == "KIZUNA100"
                assert (detail.visibility, detail.timezone) == ("PUBLIC", "ASIA_TOKYO")
                assert detail.max_use_count_per_ticket == 1
                assert detail.max_ticket_per_user == 1
                assert abs(detail.created_timestamp - time.time()) < 60
                assert isinstance(detail.acquisition_condition, NormalAcquisitionConditionResponse)
                assert isinstance(detail.reward, reward_class)
                if price_class is None:
                    assert getattr(detail.reward, "price_info", None) is None
                else:
                    price = detail.reward.price_info
                    assert isinstance(price, price_class)
                    assert {name: getattr(price, name) for name in price_fields} == price_fields

    def test_both_acquisition_types_and_no_reward_round_trip(
        self, server: LiveServer, control: Control, channel: ChannelInfo
    ) -> None:
        with ApiClient(messaging_config(server.base_url, channel.access_token)) as client:
            api = MessagingApi(client)
            lottery = api.create_coupon(
                coupon_request(
                    "Lucky draw",
                    acquisition_condition=LotteryAcquisitionConditionRequest(
                        lottery_probability=30, max_acquire_count=500
                    ),
                    max_use_count_per_ticket=-1,
                )
            )
            normal = api.create_coupon(coupon_request("Everyone"))
            drawn = api.get_coupon_detail(lottery.coupon_id)
            condition = drawn.acquisition_condition
            assert isinstance(condition, LotteryAcquisitionConditionResponse)
            assert (condition.lottery_probability, condition.max_acquire_count) == (30, 500)
            assert drawn.max_acquire_count == 500 and drawn.max_use_count_per_ticket == -1
            assert drawn.reward is None
            plain = api.get_coupon_detail(normal.coupon_id)
            assert isinstance(plain.acquisition_condition, NormalAcquisitionConditionResponse)
            assert plain.max_acquire_count == -1  # no limit

    def test_bad_bodies_answer_every_problem_by_property(
        self, server: LiveServer, control: Control, channel: ChannelInfo
    ) -> None:
        # The SDK checks some bounds itself, so the raw request shows what Kizuna answers.
        now = int(time.time())
        body = {
            "title": "",
            "acquisitionCondition": {"type": "lottery", "lotteryProbability": 100},
            "reward": {
                "type": "discount",
                "priceInfo": {"type": "explicit", "originalPrice": 5, "priceAfterDiscount": 9},
            },
            "startTimestamp": now,
            "endTimestamp": now - 10,
            "maxUseCountPerTicket": 0,
            "visibility": "PRIVATE",
            "timezone": "ASIA_TOKYO",
        }
        headers = {"Authorization": f"Bearer {channel.access_token}"}
        response = control.http.post("/v2/bot/coupon", json=body, headers=headers)
        assert response.status_code == 400
        error = response.json()
        problems = {d["property"]: d["message"] for d in error["details"]}
        assert error["message"] == f"The request body has {len(problems)} error(s)"
        assert problems == {
            "title": "May not be empty",
            "maxUseCountPerTicket": "Must be -1 (no limit) or between 1 and 1",
            "visibility": "Must be one of the following values: [UNLISTED, PUBLIC]",
            "acquisitionCondition.lotteryProbability": "Must be between 1 and 99",
            "acquisitionCondition.maxAcquireCount": "May not be empty",
            "reward.priceInfo.priceAfterDiscount": "Must be less than originalPrice",
            "endTimestamp": "Must be later than startTimestamp",
        }
        unknown = {
            **body,
            "title": "x",
            "maxUseCountPerTicket": 1,
            "visibility": "PUBLIC",
            "endTimestamp": now + DAY,
            "acquisitionCondition": {"type": "referral"},
            "reward": {"type": "cashBack"},
        }
        response = control.http.post("/v2/bot/coupon", json=unknown, headers=headers)
        assert {d["property"]: d["message"] for d in response.json()["details"]} == {
            "acquisitionCondition.type": "Must be one of the following values: [normal, lottery]",
            "reward.priceInfo": "May not be empty",
        }
        ended = {
            **unknown,
            "acquisitionCondition": {"type": "normal"},
            "reward": {"type": "free"},
            "startTimestamp": 0,
            "endTimestamp": now - 60,
        }
        response = control.http.post("/v2/bot/coupon", json=ended, headers=headers)
        assert response.json()["details"] == [
            {"message": "Must be later than the current time", "property": "endTimestamp"}
        ]


class TestListAndClose:
    @pytest.mark.asyncio
    async def test_pages_filter_by_status_and_close_once_for_the_async_client(
        self, server: LiveServer, control: Control, channel: ChannelInfo
    ) -> None:
        async with AsyncApiClient(messaging_config(server.base_url, channel.access_token)) as c:
            api = AsyncMessagingApi(c)
            ids = [(await api.create_coupon(coupon_request(f"C{i}"))).coupon_id for i in range(5)]
            first = await api.list_coupon(limit=2)
            assert isinstance(first, MessagingApiPagerCouponListResponse)
            assert [item.title for item in first.items] == ["C4", "C3"]  # newest first
            second = await api.list_coupon(limit=2, start=first.next)
            third = await api.list_coupon(limit=2, start=second.next)
            assert [i.coupon_id for i in first.items + second.items + third.items] == ids[::-1]
            assert third.next is None
            everything = await api.list_coupon()
            assert len(everything.items) == 5 and everything.next is None

            assert await api.close_coupon(ids[1]) is None
            closed = await api.get_coupon_detail(ids[1])
            assert closed.status == "CLOSED"
            only_closed = await api.list_coupon(status=["CLOSED"])
            assert [item.coupon_id for item in only_closed.items] == [ids[1]]
            running = await api.list_coupon(status=["RUNNING"])
            assert ids[1] not in [item.coupon_id for item in running.items]
            assert len(running.items) == 4
            both = await api.list_coupon(status=["RUNNING", "CLOSED"])
            assert len(both.items) == 5
            assert (await api.list_coupon(status=["DRAFT"])).items == []

            with pytest.raises(ApiException) as gone:
                await api.close_coupon(ids[1])
            assert gone.value.status == 410
            assert _error(gone.value) == {"message": "The coupon has already been closed"}
            # The async client raises ApiException for every status (the sync one NotFound).
            for missing in (api.close_coupon, api.get_coupon_detail):
                with pytest.raises(ApiException) as not_found:
                    await missing("01JYNW8JMQVFBNWF1APF8Z3FS7")
                assert not_found.value.status == 404
                assert _error(not_found.value) == {"message": "Not found"}

    def test_a_channel_sees_only_its_own_coupons(
        self, server: LiveServer, control: Control, channel: ChannelInfo
    ) -> None:
        other = control.channel("Other")
        with ApiClient(messaging_config(server.base_url, other.access_token)) as client:
            theirs = MessagingApi(client).create_coupon(coupon_request("Theirs")).coupon_id
        with ApiClient(messaging_config(server.base_url, channel.access_token)) as client:
            api = MessagingApi(client)
            assert api.list_coupon().items == []
            with pytest.raises(NotFoundException):
                api.get_coupon_detail(theirs)
            with pytest.raises(NotFoundException):
                api.close_coupon(theirs)

    def test_bad_status_and_start_are_refused(
        self, server: LiveServer, control: Control, channel: ChannelInfo
    ) -> None:
        with ApiClient(messaging_config(server.base_url, channel.access_token)) as client:
            api = MessagingApi(client)
            with pytest.raises(ApiException) as status:
                api.list_coupon(status=["EXPIRED"])
            assert status.value.status == 400
            assert _error(status.value)["message"] == (
                "The value for the 'status' parameter is invalid"
            )
            with pytest.raises(ApiException) as start:
                api.list_coupon(start="not-a-token")
            assert (start.value.status, _error(start.value)["message"]) == (
                400,
                "Invalid start param",
            )


class TestCouponMessages:
    def test_a_coupon_message_is_delivered_and_unknown_or_closed_coupons_are_refused(
        self, server: LiveServer, control: Control, channel: ChannelInfo
    ) -> None:
        alice, bob = control.user("Alice"), control.user("Bob")
        control.follow(channel, alice)
        control.follow(channel, bob)
        with ApiClient(messaging_config(server.base_url, channel.access_token)) as client:
            api = MessagingApi(client)
            coupon_id = api.create_coupon(coupon_request()).coupon_id
            sent = api.push_message(
                PushMessageRequest(
                    to=alice,
                    messages=[
                        TextMessage(text="A present for you"),
                        CouponMessage(coupon_id=coupon_id, delivery_tag="welcome"),
                    ],
                )
            )
            assert len(sent.sent_messages) == 2
            shown = [item["message"] for item in control.inbox(channel, alice)]
            assert shown[1] == {"type": "coupon", "couponId": coupon_id, "deliveryTag": "welcome"}

            with pytest.raises(ApiException) as unknown:
                api.push_message(
                    PushMessageRequest(
                        to=alice,
                        messages=[
                            TextMessage(text="x"),
                            CouponMessage(coupon_id="01JYNW8JMQVFBNWF1APF8Z3FS7"),
                        ],
                    )
                )
            assert unknown.value.status == 400
            assert _error(unknown.value) == {
                "message": "The request body has 1 error(s)",
                "details": [
                    {
                        "message": "No coupon of this channel has this ID",
                        "property": "messages[1].couponId",
                    }
                ],
            }
            api.close_coupon(coupon_id)
            with pytest.raises(ApiException) as closed:
                api.multicast(
                    MulticastRequest(to=[alice, bob], messages=[CouponMessage(coupon_id=coupon_id)])
                )
            assert _error(closed.value)["details"] == [
                {"message": "The coupon has been closed", "property": "messages[0].couponId"}
            ]
            with pytest.raises(ApiException) as closed_push:
                api.push_message(
                    PushMessageRequest(to=bob, messages=[CouponMessage(coupon_id=coupon_id)])
                )
            assert closed_push.value.status == 400
        assert [item["message"]["type"] for item in control.inbox(channel, alice)] == [
            "text",
            "coupon",
        ]
        assert control.inbox(channel, bob) == []
