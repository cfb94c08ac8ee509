"""Campaigns: sends grouped under a label, with delivered, opens and clicks counted in SQL."""

from tests.control.manager.helpers import call, manager_path, text
from tests.support.control import ChannelInfo, Control

SHOP = "https://example.com/sale"


def engage(
    control: Control, channel: ChannelInfo, user_id: str, sale: bool, action: str, **body: str
) -> None:
    # The two broadcasts' batches may deliver in either order: find the message by its text.
    item = next(
        item
        for item in control.inbox(channel, user_id)
        if item["message"]["text"].startswith("Sale") == sale
    )
    path = f"/_kizuna/channels/{channel.channel_id}/users/{user_id}/inbox/{item['messageId']}"
    response = control.http.post(f"{path}/{action}", json=body or None)
    assert response.status_code == 201, response.text


class TestCampaigns:
    def test_statistics_of_the_sends_under_a_label(
        self, control: Control, channel: ChannelInfo
    ) -> None:
        campaign = call(control, "POST", channel, "campaigns", 201, json={"label": "11.11 week"})
        assert campaign["statistics"] == {
            "requests": 0,
            "delivered": 0,
            "openCount": 0,
            "uniqueOpens": 0,
            "openRate": 0.0,
            "clickCount": 0,
            "uniqueClicks": 0,
            "clickRate": 0.0,
        }
        friends = [control.user(f"F{n}") for n in range(4)]
        for user_id in friends:
            control.follow(channel, user_id)
        body = {"messages": [text(f"Sale: {SHOP}")], "campaignId": campaign["campaignId"]}
        call(control, "POST", channel, "sends", 201, json=body)
        call(control, "POST", channel, "sends", 201, json={"messages": [text("Not in it")]})
        control.wait_for_jobs()
        first, second = friends[0], friends[1]
        # The send outside the campaign is opened too, and not counted.
        engage(control, channel, first, True, "open")
        engage(control, channel, first, True, "open")
        engage(control, channel, first, True, "click", url=SHOP)
        engage(control, channel, second, True, "open")
        engage(control, channel, second, False, "open")
        figures = call(control, "GET", channel, f"campaigns/{campaign['campaignId']}")["statistics"]
        assert (figures["requests"], figures["delivered"]) == (1, 4)
        # The open rate divides the open count by the delivered, as the platform's table does.
        assert (figures["openCount"], figures["uniqueOpens"], figures["openRate"]) == (3, 2, 0.75)
        assert (figures["clickCount"], figures["uniqueClicks"], figures["clickRate"]) == (
            1,
            1,
            0.25,
        )
        assert [c["label"] for c in call(control, "GET", channel, "campaigns")] == ["11.11 week"]

    def test_labels_are_unique_and_campaigns_are_the_channels(
        self, control: Control, channel: ChannelInfo
    ) -> None:
        call(control, "POST", channel, "campaigns", 201, json={"label": "Spring"})
        again = control.http.post(manager_path(channel, "campaigns"), json={"label": "Spring"})
        assert again.status_code == 409
        empty = control.http.post(manager_path(channel, "campaigns"), json={"label": ""})
        assert empty.status_code == 400
        assert empty.json()["details"][0]["property"] == "label"
        other = control.channel("Other")
        theirs = call(control, "POST", other, "campaigns", 201, json={"label": "Spring"})
        mine = control.http.get(manager_path(channel, f"campaigns/{theirs['campaignId']}"))
        assert mine.status_code == 404
        wrong = control.http.post(
            manager_path(channel, "sends"),
            json={"messages": [text("x")], "campaignId": theirs["campaignId"]},
        )
        assert wrong.status_code == 400
        assert wrong.json()["details"][0]["property"] == "campaignId"
