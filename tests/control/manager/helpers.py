"""Calls of the manager's control-plane routes, for the tests of each feature."""

from typing import Any

import httpx

from tests.support.control import ChannelInfo, Control


def manager_path(channel: ChannelInfo, rest: str) -> str:
    return f"/_kizuna/channels/{channel.channel_id}/manager/{rest}"


def call(
    control: Control,
    method: str,
    channel: ChannelInfo,
    rest: str,
    status: int = 200,
    **kwargs: Any,
) -> Any:
    response: httpx.Response = control.http.request(method, manager_path(channel, rest), **kwargs)
    assert response.status_code == status, (response.status_code, response.text)
    return response.json() if response.content else None


def advance(control: Control, *, days: float = 0, seconds: float = 0) -> None:
    response = control.http.post("/_kizuna/clock/advance", json={"seconds": days * 86400 + seconds})
    assert response.status_code == 200, response.text


def texts(control: Control, channel: ChannelInfo, user_id: str) -> list[tuple[str, str]]:
    """(via, text) of what the user received, oldest first."""
    return [
        (item["via"], item["message"].get("text", item["message"]["type"]))
        for item in control.inbox(channel, user_id)
    ]


def text(value: str) -> dict[str, str]:
    return {"type": "text", "text": value}
