"""The manager's lists and their statistics: one set of statements for any number of sends,
variants, campaigns and steps, each item counted as its own view counts it."""

from typing import Any

from tests.control.manager.helpers import call, text
from tests.support.control import ChannelInfo, Control
from tests.support.live import LiveServer
from tests.support.statements import counted


def _ab_send(control: Control, channel: ChannelInfo, label: str, **extra: Any) -> Any:
    variants = [
        {"percentage": 50, "messages": [text(f"{label} pink")]},
        {"percentage": 50, "messages": [text(f"{label} blue")]},
    ]
    return call(
        control, "POST", channel, "sends", 201, json={"abTest": {"variants": variants}, **extra}
    )


def _open(control: Control, channel: ChannelInfo, user_id: str, prefix: str) -> str:
    """Opens the user's message starting with `prefix`; answers its text."""
    item = next(
        item
        for item in control.inbox(channel, user_id)
        if item["message"]["text"].startswith(prefix)
    )
    path = f"/_kizuna/channels/{channel.channel_id}/users/{user_id}/inbox/{item['messageId']}"
    response = control.http.post(f"{path}/open")
    assert response.status_code == 201, response.text
    return str(item["message"]["text"])


class TestSendStatistics:
    def test_the_list_counts_every_send_and_variant_as_its_detail_does(
        self, control: Control, channel: ChannelInfo
    ) -> None:
        friends = [control.user(f"F{n}") for n in range(8)]
        for user_id in friends:
            control.follow(channel, user_id)
        control.bulk(channel, 120, seed=3)  # a narrowcast's audience is at least 50
        campaign = call(control, "POST", channel, "campaigns", 201, json={"label": "Week"})
        first = _ab_send(control, channel, "First", campaignId=campaign["campaignId"])
        second = _ab_send(control, channel, "Second", maxRecipients=100)
        plain = call(control, "POST", channel, "sends", 201, json={"messages": [text("Plain")]})
        control.wait_for_jobs()
        openers = [*friends[:3], friends[0]]  # the first twice: counted, not unique
        opened = [(user_id, _open(control, channel, user_id, "First")) for user_id in openers]
        reached = next(
            user_id
            for user_id in friends
            if any(
                i["message"]["text"].startswith("Second") for i in control.inbox(channel, user_id)
            )
        )
        opened_second = _open(control, channel, reached, "Second")
        listed = {send["sendId"]: send for send in call(control, "GET", channel, "sends")}
        assert list(listed) == [plain["sendId"], second["sendId"], first["sendId"]]
        for send in (first, second, plain):
            assert listed[send["sendId"]] == call(
                control, "GET", channel, f"sends/{send['sendId']}"
            )
        whole = listed[first["sendId"]]
        assert whole["statistics"]["delivered"] == 128
        assert (whole["statistics"]["openCount"], whole["statistics"]["uniqueOpens"]) == (4, 3)
        expected = []
        for colour in ("pink", "blue"):
            of_colour = [user_id for user_id, said in opened if said.endswith(colour)]
            expected.append((len(of_colour), len(set(of_colour))))
        assert [
            (v["statistics"]["openCount"], v["statistics"]["uniqueOpens"])
            for v in whole["variants"]
        ] == expected
        assert sum(v["statistics"]["delivered"] for v in whole["variants"]) == 128
        assert [v["request"]["phase"] for v in whole["variants"]] == ["succeeded"] * 2
        limited = listed[second["sendId"]]
        assert limited["statistics"]["delivered"] == 100
        assert [v["statistics"]["openCount"] for v in limited["variants"]] == [
            int(opened_second.endswith(colour)) for colour in ("pink", "blue")
        ]
        assert listed[plain["sendId"]]["statistics"]["delivered"] == 128
        assert listed[plain["sendId"]]["statistics"]["openCount"] == 0
        assert "variants" not in listed[plain["sendId"]]
        assert [
            c["statistics"]["openCount"] for c in call(control, "GET", channel, "campaigns")
        ] == [4]


class TestStatements:
    def test_the_send_list_does_not_grow_with_sends_or_variants(
        self, server: LiveServer, control: Control, channel: ChannelInfo
    ) -> None:
        control.follow(channel, control.user("Friend"))
        _ab_send(control, channel, "A")
        call(control, "POST", channel, "sends", 201, json={"messages": [text("B")]})
        control.wait_for_jobs()
        few = counted(server, lambda: call(control, "GET", channel, "sends"))
        for n in range(4):
            _ab_send(control, channel, f"More {n}")
            call(control, "POST", channel, "sends", 201, json={"messages": [text(f"B {n}")]})
        control.wait_for_jobs()
        assert counted(server, lambda: call(control, "GET", channel, "sends")) == few

    def test_the_campaign_list_does_not_grow_with_campaigns(
        self, server: LiveServer, control: Control, channel: ChannelInfo
    ) -> None:
        control.follow(channel, control.user("Friend"))
        for n in range(2):
            call(control, "POST", channel, "campaigns", 201, json={"label": f"C{n}"})
        few = counted(server, lambda: call(control, "GET", channel, "campaigns"))
        for n in range(2, 7):
            campaign = call(control, "POST", channel, "campaigns", 201, json={"label": f"C{n}"})
            body = {"messages": [text("x")], "campaignId": campaign["campaignId"]}
            call(control, "POST", channel, "sends", 201, json=body)
        control.wait_for_jobs()
        assert counted(server, lambda: call(control, "GET", channel, "campaigns")) == few

    def test_the_scenario_list_does_not_grow_with_scenarios_or_steps(
        self, server: LiveServer, control: Control, channel: ChannelInfo
    ) -> None:
        def scenario(name: str, steps: int) -> None:
            body = {
                "name": name,
                "steps": [
                    {"days": day, "messages": [text(f"day {day}")]} for day in range(1, steps + 1)
                ],
            }
            call(control, "POST", channel, "steps", 201, json=body)

        scenario("One", 1)
        few = counted(server, lambda: call(control, "GET", channel, "steps"))
        for n in range(4):
            scenario(f"More {n}", 3)
        assert counted(server, lambda: call(control, "GET", channel, "steps")) == few
