"""What the manager sends shows in the insight figures the bot can read."""

from datetime import datetime
from zoneinfo import ZoneInfo

from linebot.v3.insight import GetNumberOfMessageDeliveriesResponse
from linebot.v3.messaging import BroadcastRequest, TextMessage

from tests.api.insight.support import insight_api
from tests.control.manager.helpers import advance, call, text
from tests.support.control import ChannelInfo, Control
from tests.support.live import LiveServer
from tests.support.sdk import call_sync


def _api_broadcast(server: LiveServer, channel: ChannelInfo) -> None:
    call_sync(
        server.base_url,
        channel.access_token,
        lambda api: api.broadcast(BroadcastRequest(messages=[TextMessage(text="From the API")])),
    )


def _todays_deliveries(
    server: LiveServer, control: Control, channel: ChannelInfo
) -> GetNumberOfMessageDeliveriesResponse:
    """Today's figures (a Japan day), read tomorrow, once they are ready."""
    control.wait_for_jobs()
    now = datetime.fromisoformat(control.http.get("/_kizuna/clock").json()["now"])
    day = now.astimezone(ZoneInfo("Asia/Tokyo")).strftime("%Y%m%d")
    advance(control, days=1)
    with insight_api(server, channel) as api:
        counts: GetNumberOfMessageDeliveriesResponse = api.get_number_of_message_deliveries(
            var_date=day
        )
    return counts


def test_greetings_and_auto_responses_are_counted(
    server: LiveServer, control: Control, channel: ChannelInfo
) -> None:
    call(control, "PUT", channel, "greeting", json={"messages": [text("Hi"), text("Welcome")]})
    call(
        control,
        "POST",
        channel,
        "responses",
        201,
        json={"name": "Hours", "keywords": ["hours"], "replies": [[text("10-19")]]},
    )
    friends = [control.user(f"F{n}") for n in range(3)]
    for user_id in friends:
        control.follow(channel, user_id)
    control.say(channel, friends[0], text("hours"))
    counts = _todays_deliveries(server, control, channel)
    assert counts.status == "ready"
    # Recipients, as the platform counts them (not messages: each greeting had two).
    assert (counts.welcome_response, counts.auto_response) == (3, 1)


def test_manager_sends_count_as_broadcasts_but_not_api_broadcasts(
    server: LiveServer, control: Control, channel: ChannelInfo
) -> None:
    friends = [control.user(f"F{n}") for n in range(3)]
    for user_id in friends:
        control.follow(channel, user_id)
    call(control, "POST", channel, "sends", 201, json={"messages": [text("From the manager")]})
    _api_broadcast(server, channel)
    counts = _todays_deliveries(server, control, channel)
    assert (counts.broadcast, counts.api_broadcast) == (6, 3)


def test_operator_answers_count_as_chat_and_nothing_else(
    server: LiveServer, control: Control, channel: ChannelInfo
) -> None:
    friends = [control.user(f"F{n}") for n in range(2)]
    for user_id in friends:
        control.follow(channel, user_id)
    settings = f"/_kizuna/channels/{channel.channel_id}/manager/response-settings"
    assert control.http.put(settings, json={"mode": "both"}).status_code == 200
    for user_id in friends:
        # Two messages in one answer: the platform counts the recipient once.
        answered = control.http.post(
            f"/_kizuna/channels/{channel.channel_id}/chats/{user_id}/messages",
            json={"messages": [text("Yes"), text("Until 9 pm")]},
        )
        assert answered.status_code == 201, answered.text
    control.http.post(
        f"/_kizuna/channels/{channel.channel_id}/chats/{friends[0]}/messages",
        json={"messages": [text("See you")]},
    )
    _api_broadcast(server, channel)
    counts = _todays_deliveries(server, control, channel)
    assert counts.chat == 3
    assert (counts.broadcast, counts.api_broadcast, counts.api_push) == (2, 2, 0)
