"""A user taps their rich menu: each area's action reaches the bot as the LINE app sends it."""

from collections.abc import Iterator
from typing import Any

import pytest
from linebot.v3.messaging import ApiClient, MessagingApi
from linebot.v3.webhooks import FollowEvent, MessageEvent, PostbackEvent, TextMessageContent

from tests.api.richmenu.support import LineHttp, menu_body
from tests.support.bot import BotServer
from tests.support.control import ChannelInfo, Control
from tests.support.live import LiveServer
from tests.support.sdk import messaging_config


def _area(x: int, action: dict[str, Any]) -> dict[str, Any]:
    return {"bounds": {"x": x, "y": 0, "width": 500, "height": 843}, "action": action}


TAB_A = menu_body(
    "Tab A",
    areas=[
        _area(0, {"type": "postback", "label": "Buy", "data": "action=buy", "displayText": "Buy"}),
        _area(500, {"type": "message", "label": "Help", "text": "help please"}),
        _area(1000, {"type": "uri", "label": "Site", "uri": "https://example.com/shop"}),
        _area(
            1500,
            {
                "type": "datetimepicker",
                "label": "When",
                "data": "action=book",
                "mode": "date",
                "min": "2026-12-01",
                "max": "2026-12-31",
            },
        ),
        _area(2000, {"type": "richmenuswitch", "richMenuAliasId": "tab-b", "data": "to=b"}),
    ],
)
TAB_B = menu_body(
    "Tab B",
    areas=[
        _area(0, {"type": "richmenuswitch", "richMenuAliasId": "tab-a", "data": "to=a"}),
        _area(500, {"type": "richmenuswitch", "richMenuAliasId": "nowhere", "data": "to=x"}),
        _area(1000, {"type": "richmenuswitch", "richMenuAliasId": "tab-c", "data": "to=c"}),
    ],
)


@pytest.fixture
def line(server: LiveServer, channel: ChannelInfo) -> Iterator[LineHttp]:
    client = LineHttp(server, channel)
    yield client
    client.close()


def _tap(control: Control, base: str, status: int = 200, **body: Any) -> Any:
    response = control.http.post(f"{base}/tap", json=body)
    assert response.status_code == status, response.text
    return response.json()


def test_tapping_each_kind_of_area(
    server: LiveServer, control: Control, channel: ChannelInfo, bot: BotServer, line: LineHttp
) -> None:
    alice = control.user("Alice")
    control.follow(channel, alice)
    tab_a, tab_b, tab_c = line.menu(TAB_A), line.menu(TAB_B), line.menu(menu_body("Tab C"))
    for alias, menu in (("tab-a", tab_a), ("tab-b", tab_b), ("tab-c", tab_c)):
        line.post("/v2/bot/richmenu/alias", json={"richMenuAliasId": alias, "richMenuId": menu})
    line.post(f"/v2/bot/user/all/richmenu/{tab_a}")
    base = f"/_kizuna/channels/{channel.channel_id}/users/{alice}/richmenu"

    shown = control.http.get(base).json()
    assert (shown["richMenuId"], shown["source"], shown["hasImage"]) == (tab_a, "default", True)
    assert [a["action"].get("label") for a in shown["areas"]] == [
        "Buy",
        "Help",
        "Site",
        "When",
        None,
    ]

    buy = _tap(control, base, index=0)
    assert (buy["index"], buy["event"]["postback"]) == (0, {"data": "action=buy"})
    assert _tap(control, base, x=700, y=400)["event"]["message"]["text"] == "help please"
    assert _tap(control, base, label="Site")["uri"] == "https://example.com/shop"
    picked = _tap(control, base, label="When", value="2026-12-24")
    assert picked["event"]["postback"]["params"] == {"date": "2026-12-24"}
    assert _tap(control, base, 400, label="When", value="2027-01-01")["details"][0] == {
        "message": "Not a date the picker offers",
        "property": "value",
    }

    switched = _tap(control, base, x=2499, y=842)
    assert (switched["status"], switched["newRichMenuId"]) == ("SUCCESS", tab_b)
    assert switched["event"]["postback"] == {
        "data": "to=b",
        "params": {"newRichMenuAliasId": "tab-b", "status": "SUCCESS"},
    }
    # The switch links the alias's menu to the user, as if the bot had linked it.
    assert control.http.get(base).json()["source"] == "user"
    with ApiClient(messaging_config(server.base_url, channel.access_token)) as client:
        assert MessagingApi(client).get_rich_menu_id_of_user(alice).rich_menu_id == tab_b

    missing = _tap(control, base, index=1)
    assert missing["event"]["postback"] == {
        "data": "to=x",
        "params": {"status": "RICHMENU_ALIAS_ID_NOTFOUND"},
    }
    line.delete(f"/v2/bot/richmenu/{tab_c}")
    gone = _tap(control, base, index=2)
    assert gone["event"]["postback"]["params"] == {"status": "RICHMENU_NOTFOUND"}
    assert control.http.get(base).json()["richMenuId"] == tab_b
    back = _tap(control, base, index=0)
    assert back["status"] == "SUCCESS" and control.http.get(base).json()["richMenuId"] == tab_a

    control.wait_for_jobs()
    assert bot.errors == []
    events = [e for e in bot.events if not isinstance(e, FollowEvent)]
    assert [type(e).__name__ for e in events] == [
        "PostbackEvent",
        "MessageEvent",
        "PostbackEvent",
        "PostbackEvent",
        "PostbackEvent",
        "PostbackEvent",
        "PostbackEvent",
    ]
    buy_event, help_event, book, to_b, nowhere, _, to_a = events
    assert isinstance(buy_event, PostbackEvent) and buy_event.postback.data == "action=buy"
    assert isinstance(help_event, MessageEvent)
    assert isinstance(help_event.message, TextMessageContent)
    assert help_event.message.text == "help please"
    assert isinstance(book, PostbackEvent) and book.postback.params == {"date": "2026-12-24"}
    assert isinstance(to_b, PostbackEvent)
    assert to_b.postback.params == {"newRichMenuAliasId": "tab-b", "status": "SUCCESS"}
    assert isinstance(nowhere, PostbackEvent)
    assert nowhere.postback.params == {"status": "RICHMENU_ALIAS_ID_NOTFOUND"}
    assert isinstance(to_a, PostbackEvent) and to_a.reply_token


def test_what_cannot_be_tapped(control: Control, channel: ChannelInfo, line: LineHttp) -> None:
    alice, stranger = control.user("Alice"), control.user("Stranger")
    control.follow(channel, alice)
    base = f"/_kizuna/channels/{channel.channel_id}/users/{{}}/richmenu"
    nothing = control.http.get(base.format(alice))
    assert nothing.status_code == 404 and "sees no rich menu" in nothing.json()["message"]
    assert _tap(control, base.format(alice), 404, index=0)

    rich_menu_id = line.menu()
    line.post(f"/v2/bot/user/all/richmenu/{rich_menu_id}")
    assert control.http.get(base.format(stranger)).status_code == 404  # not a friend
    mine = base.format(alice)
    assert "matches no area" in _tap(control, mine, 404, index=7)["message"]
    assert "'Buy'" in _tap(control, mine, 404, label="Cancel")["message"]
    small = line.menu(
        menu_body(
            areas=[
                {
                    "bounds": {"x": 0, "y": 0, "width": 10, "height": 10},
                    "action": {"type": "postback", "data": "x"},
                }
            ]
        )
    )
    line.post(f"/v2/bot/user/{alice}/richmenu/{small}")
    assert "point (100, 100) matches no area" in _tap(control, mine, 404, x=100, y=100)["message"]
    for body in ({}, {"index": 0, "label": "Buy"}, {"x": 1}, {"index": -1}):
        assert _tap(control, mine, 400, **body)["message"]
    unknown = control.http.get(f"/_kizuna/channels/{channel.channel_id}/users/U{'0' * 32}/richmenu")
    assert unknown.status_code == 404
