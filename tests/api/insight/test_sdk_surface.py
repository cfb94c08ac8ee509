"""Every Insight operation through the official SDK, sync and async, with typed results."""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from linebot.v3 import insight
from linebot.v3.insight import (
    GetFriendsDemographicsResponse,
    GetMessageEventResponse,
    GetNumberOfFollowersResponse,
    GetNumberOfMessageDeliveriesResponse,
    GetRichMenuInsightDailyResponse,
    GetRichMenuInsightSummaryResponse,
    GetStatisticsPerUnitResponse,
)
from linebot.v3.messaging import ApiClient, BroadcastRequest, MessagingApi, TextMessage

from tests.api.insight.support import days_ago, insight_config
from tests.api.richmenu.support import LineHttp
from tests.support.control import ChannelInfo, Control
from tests.support.live import LiveServer
from tests.support.sdk import messaging_config


@dataclass
class Context:
    request_id: str
    rich_menu_id: str
    yesterday: str
    week_ago: str


Call = Callable[[Any, Context], Any]

OPERATIONS: dict[str, tuple[Call, type]] = {
    "get_number_of_followers": (
        lambda api, c: api.get_number_of_followers(var_date=c.yesterday),
        GetNumberOfFollowersResponse,
    ),
    "get_number_of_message_deliveries": (
        lambda api, c: api.get_number_of_message_deliveries(var_date=c.yesterday),
        GetNumberOfMessageDeliveriesResponse,
    ),
    "get_friends_demographics": (
        lambda api, c: api.get_friends_demographics(),
        GetFriendsDemographicsResponse,
    ),
    "get_message_event": (
        lambda api, c: api.get_message_event(request_id=c.request_id),
        GetMessageEventResponse,
    ),
    "get_statistics_per_unit": (
        lambda api, c: api.get_statistics_per_unit(
            custom_aggregation_unit="promo", var_from=c.week_ago, to=c.yesterday
        ),
        GetStatisticsPerUnitResponse,
    ),
    "get_rich_menu_insight_summary": (
        lambda api, c: api.get_rich_menu_insight_summary(
            c.rich_menu_id, var_from=c.week_ago, to=c.yesterday
        ),
        GetRichMenuInsightSummaryResponse,
    ),
    "get_rich_menu_insight_daily": (
        lambda api, c: api.get_rich_menu_insight_daily(
            c.rich_menu_id, var_from=c.week_ago, to=c.yesterday
        ),
        GetRichMenuInsightDailyResponse,
    ),
}


@pytest.fixture
def context(server: LiveServer, control: Control, channel: ChannelInfo) -> Context:
    control.follow(channel, control.user("Alice"))
    with ApiClient(messaging_config(server.base_url, channel.access_token)) as client:
        sent = MessagingApi(client).broadcast_with_http_info(
            BroadcastRequest(messages=[TextMessage(text="Hello")])
        )
    control.wait_for_jobs()
    line = LineHttp(server, channel)
    try:
        rich_menu_id = line.menu()
    finally:
        line.close()
    return Context(
        sent.headers["X-Line-Request-Id"], rich_menu_id, days_ago(server, 1), days_ago(server, 7)
    )


def test_the_table_covers_every_operation_of_the_sdk() -> None:
    public = {
        name
        for name in dir(insight.Insight)
        if not name.startswith("_") and not name.endswith("_with_http_info")
    }
    assert public == set(OPERATIONS)


@pytest.mark.parametrize("name", sorted(OPERATIONS))
def test_operation_sync(
    server: LiveServer, channel: ChannelInfo, context: Context, name: str
) -> None:
    call, model = OPERATIONS[name]
    with insight.ApiClient(insight_config(server.base_url, channel.access_token)) as client:
        result = call(insight.Insight(client), context)
    assert isinstance(result, model)


@pytest.mark.asyncio
@pytest.mark.parametrize("name", sorted(OPERATIONS))
async def test_operation_async(
    server: LiveServer, channel: ChannelInfo, context: Context, name: str
) -> None:
    call, model = OPERATIONS[name]
    config = insight_config(server.base_url, channel.access_token)
    async with insight.AsyncApiClient(config) as client:
        result = await call(insight.AsyncInsight(client), context)
    assert isinstance(result, model)
