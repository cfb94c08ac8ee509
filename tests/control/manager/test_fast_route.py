"""On Postgres a user's JSON message is answered by the fast route ahead of FastAPI; a channel
whose response messages may answer is handed on to the route, which sends them."""

from typing import Any

import pytest

from app.control import fastroute
from tests.control.manager.helpers import call, text, texts
from tests.support.control import ChannelInfo, Control
from tests.support.live import LiveServer


def test_channels_with_response_messages_go_to_the_route(
    server: LiveServer, control: Control, channel: ChannelInfo, monkeypatch: pytest.MonkeyPatch
) -> None:
    answered: list[bool] = []
    original = fastroute.say_on_fast_lane

    async def recording(*args: Any) -> dict[str, Any] | None:
        event = await original(*args)
        answered.append(event is not None)
        return event

    monkeypatch.setattr(fastroute, "say_on_fast_lane", recording)
    fast = server.services.fast_lane is not None  # Postgres only
    alice = control.user("Alice")
    control.follow(channel, alice)
    control.say(channel, alice, text("hours"))
    rule = call(
        control,
        "POST",
        channel,
        "responses",
        201,
        json={"name": "Hours", "keywords": ["hours"], "replies": [[text("10-19")]]},
    )
    control.say(channel, alice, text("hours"))
    call(control, "PUT", channel, "response-settings", json={"autoResponse": False})
    control.say(channel, alice, text("hours"))
    call(control, "PUT", channel, "response-settings", json={"autoResponse": True})
    control.say(channel, alice, text("hours"))
    call(control, "DELETE", channel, f"responses/{rule['ruleId']}", 204)
    control.say(channel, alice, text("hours"))
    assert texts(control, channel, alice) == [("auto_reply", "10-19")] * 2
    assert answered == ([True, False, True, False, True] if fast else [])
