"""The platform's rules around the figures: readiness by Japan day, start dates, the shape
of bad parameters, and what unknown IDs answer."""

from datetime import timedelta

import httpx
from linebot.v3.messaging import (
    ApiClient,
    BroadcastRequest,
    MessagingApi,
    PushMessageRequest,
    TextMessage,
)

from tests.api.insight.support import days_ago, insight_api, raw, today, ymd
from tests.api.richmenu.support import LineHttp
from tests.support.control import ChannelInfo, Control
from tests.support.live import LiveServer
from tests.support.sdk import messaging_config


def test_figures_of_today_are_unready_until_tomorrow_in_japan(
    server: LiveServer, control: Control, channel: ChannelInfo
) -> None:
    control.follow(channel, control.user("Alice"))
    with ApiClient(messaging_config(server.base_url, channel.access_token)) as client:
        MessagingApi(client).broadcast(BroadcastRequest(messages=[TextMessage(text="Hi")]))
    control.wait_for_jobs()
    day = ymd(today(server))
    with insight_api(server, channel) as api:
        assert api.get_number_of_followers(var_date=day).to_dict() == {"status": "unready"}
        unready = api.get_number_of_message_deliveries(var_date=day)
        assert unready.to_dict() == {"status": "unready"}
    server.services.clock.advance(timedelta(days=1))
    with insight_api(server, channel) as api:
        followers = api.get_number_of_followers(var_date=day)
        counts = api.get_number_of_message_deliveries(var_date=day)
    assert (followers.status, followers.followers, followers.blocks) == ("ready", 1, 0)
    assert (counts.status, counts.api_broadcast, counts.broadcast) == ("ready", 1, 1)


def test_days_before_the_platform_counted_are_out_of_service(
    server: LiveServer, channel: ChannelInfo
) -> None:
    with insight_api(server, channel) as api:
        assert api.get_number_of_followers(var_date="20161031").status == "out_of_service"
        assert api.get_number_of_followers(var_date="20161101").status == "ready"
        old = api.get_number_of_message_deliveries(var_date="20170228")
        assert old.status == "out_of_service"
        assert api.get_number_of_message_deliveries(var_date="20170301").status == "ready"


def test_demographics_need_twenty_friends(
    server: LiveServer, control: Control, channel: ChannelInfo
) -> None:
    for i in range(19):
        control.follow(channel, control.user(f"F{i}", gender="female"))
    with insight_api(server, channel) as api:
        assert api.get_friends_demographics().available is False
        control.follow(channel, control.user("Twentieth", gender="male"))
        shares = api.get_friends_demographics()
    assert shares.available is True
    assert {t.gender: t.percentage for t in shares.genders} == {
        "female": 95.0,
        "male": 5.0,
        "unknown": 0.0,
    }


def _problem(response: httpx.Response, status: int = 400) -> str:
    assert response.status_code == status, response.text
    body = response.json()
    return str(body["details"][0]["property"]) if status == 400 else str(body["message"])


def test_bad_dates_and_names_are_refused_naming_the_parameter(
    server: LiveServer, channel: ChannelInfo
) -> None:
    base = "/v2/bot/insight"
    menu = f"{base}/richmenu/richmenu-0123456789abcdef0123456789abcdef"
    yesterday, long_ago = days_ago(server, 1), days_ago(server, 40)
    with raw(server, channel) as http:
        assert _problem(http.get(f"{base}/followers", params={"date": "2026-1-01"})) == "date"
        assert _problem(http.get(f"{base}/followers", params={"date": "20261340"})) == "date"
        delivery = http.get(f"{base}/message/delivery", params={"date": "yesterday"})
        assert _problem(delivery) == "date"
        unit = f"{base}/message/event/aggregation"
        params = {"customAggregationUnit": "bad-name", "from": yesterday, "to": yesterday}
        assert _problem(http.get(unit, params=params)) == "customAggregationUnit"
        params = {"customAggregationUnit": "ok", "from": "2026011", "to": yesterday}
        assert _problem(http.get(unit, params=params)) == "from"
        params = {"customAggregationUnit": "ok", "from": yesterday, "to": long_ago}
        assert _problem(http.get(unit, params=params)) == "to"
        params = {"customAggregationUnit": "ok", "from": long_ago, "to": yesterday}
        assert _problem(http.get(unit, params=params)) == "to"  # over 30 days
        daily = {"from": days_ago(server, 120), "to": yesterday}
        assert _problem(http.get(f"{menu}/daily", params=daily)) == "to"  # over 99 days
        ancient = {"from": "20200101", "to": "20200102"}
        assert _problem(http.get(f"{menu}/summary", params=ancient)) == "from"
        missing = http.get(f"{menu}/summary", params={"from": yesterday, "to": yesterday})
        assert _problem(missing, 404) == "Not found"


def test_an_unknown_request_id_answers_an_empty_overview(
    server: LiveServer, control: Control, channel: ChannelInfo
) -> None:
    control.follow(channel, control.user("Alice"))
    with ApiClient(messaging_config(server.base_url, channel.access_token)) as client:
        pushed = MessagingApi(client).push_message_with_http_info(
            PushMessageRequest(to=control.user("Bob"), messages=[TextMessage(text="x")])
        )
    with insight_api(server, channel) as api:
        for request_id in (
            "f70dd685-499a-4231-a441-f24b8d4fba21",
            pushed.headers["X-Line-Request-Id"],
        ):
            event = api.get_message_event(request_id=request_id)
            assert (event.overview.request_id, event.overview.timestamp) == (request_id, 0)
            assert (event.overview.delivered, event.overview.unique_impression) == (0, None)
            assert (event.messages, event.clicks) == ([], [])


def test_message_statistics_are_kept_fourteen_days(
    server: LiveServer, control: Control, channel: ChannelInfo
) -> None:
    control.follow(channel, control.user("Alice"))
    with ApiClient(messaging_config(server.base_url, channel.access_token)) as client:
        sent = MessagingApi(client).broadcast_with_http_info(
            BroadcastRequest(messages=[TextMessage(text="Hi")])
        )
    control.wait_for_jobs()
    request_id = sent.headers["X-Line-Request-Id"]
    server.services.clock.advance(timedelta(days=13))
    with insight_api(server, channel) as api:
        kept = api.get_message_event(request_id=request_id)
        assert (kept.overview.delivered, [m.seq for m in kept.messages]) == (1, [1])
        server.services.clock.advance(timedelta(days=2))
        gone = api.get_message_event(request_id=request_id)
    assert (gone.overview.timestamp, gone.messages) == (0, [])


def test_a_rich_menu_of_another_channel_is_not_found(
    server: LiveServer, control: Control, channel: ChannelInfo
) -> None:
    other = control.channel("Other")
    line = LineHttp(server, other)
    try:
        menu_id = line.menu()
    finally:
        line.close()
    yesterday = days_ago(server, 1)
    with raw(server, channel) as http:
        response = http.get(
            f"/v2/bot/insight/richmenu/{menu_id}/daily", params={"from": yesterday, "to": yesterday}
        )
    assert _problem(response, 404) == "Not found"
