"""The console's read-only figures: followers per day, deliveries, campaigns with opens and
clicks, job progress, users, the two-sided timeline and the images it shows."""

import io

import httpx
from PIL import Image

from tests.support.control import ChannelInfo, Control

NOON_JST = "2026-03-10T03:00:00Z"


def _set_clock(control: Control, now: str) -> None:
    assert control.http.put("/_kizuna/clock", json={"now": now}).status_code == 200


def console(channel: ChannelInfo, path: str) -> str:
    return f"/_kizuna/console/channels/{channel.channel_id}{path}"


def line(channel: ChannelInfo, base_url: str) -> httpx.Client:
    return httpx.Client(
        base_url=base_url, headers={"Authorization": f"Bearer {channel.access_token}"}
    )


def png(width: int, height: int) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (width, height), (6, 199, 85)).save(out, "PNG")
    return out.getvalue()


class TestFollowers:
    def test_friends_at_the_end_of_each_japan_day(
        self, control: Control, channel: ChannelInfo
    ) -> None:
        assert (
            control.http.put("/_kizuna/clock", json={"now": "2026-03-08T03:00:00Z"}).status_code
            == 200
        )
        alice, bob, carol = control.user("Alice"), control.user("Bob"), control.user("Carol")
        control.follow(channel, alice)
        control.follow(channel, bob)
        assert (
            control.http.put("/_kizuna/clock", json={"now": "2026-03-09T03:00:00Z"}).status_code
            == 200
        )
        control.unfollow(channel, bob)
        control.follow(channel, carol)
        _set_clock(control, NOON_JST)
        control.follow(channel, bob)

        days = control.http.get(console(channel, "/followers"), params={"days": 4}).json()["days"]

        assert [d["date"] for d in days] == ["20260307", "20260308", "20260309", "20260310"]
        assert [d["followers"] for d in days] == [0, 2, 2, 3]
        assert [(d["follows"], d["unblocks"], d["blocks"]) for d in days] == [
            (0, 0, 0),
            (2, 0, 0),
            (1, 0, 1),
            (0, 1, 0),
        ]

    def test_history_before_the_window_starts_the_count(
        self, control: Control, channel: ChannelInfo
    ) -> None:
        assert (
            control.http.put("/_kizuna/clock", json={"now": "2026-01-01T03:00:00Z"}).status_code
            == 200
        )
        control.follow(channel, control.user("Early"))
        _set_clock(control, NOON_JST)
        days = control.http.get(console(channel, "/followers"), params={"days": 2}).json()["days"]
        assert [d["followers"] for d in days] == [1, 1]

    def test_days_out_of_range_is_a_400_naming_it(
        self, control: Control, channel: ChannelInfo
    ) -> None:
        answer = control.http.get(console(channel, "/followers"), params={"days": 0})
        assert answer.status_code == 400
        assert "days" in answer.text

    def test_unknown_channel_is_a_404(self, control: Control) -> None:
        assert control.http.get("/_kizuna/console/channels/1/followers").status_code == 404


class TestDeliveriesAndCampaigns:
    def test_sends_per_day_and_opens_and_clicks_per_campaign(
        self, control: Control, channel: ChannelInfo
    ) -> None:
        _set_clock(control, NOON_JST)
        alice, bob = control.user("Alice"), control.user("Bob")
        control.follow(channel, alice)
        control.follow(channel, bob)
        shop = "https://example.com/shop"
        buttons = {
            "type": "template",
            "altText": "Sale",
            "template": {
                "type": "buttons",
                "text": "Sale",
                "actions": [{"type": "uri", "label": "Shop", "uri": shop}],
            },
        }
        with line(channel, control.base_url) as api:
            assert api.post("/v2/bot/message/broadcast", json={"messages": [buttons]}).is_success
            push = {"to": alice, "messages": [{"type": "text", "text": "hi"}]}
            assert api.post("/v2/bot/message/push", json=push).is_success
        control.wait_for_jobs()
        sale = next(i for i in control.inbox(channel, alice) if i["via"] == "broadcast")
        path = f"/_kizuna/channels/{channel.channel_id}/users/{alice}/inbox/{sale['messageId']}"
        assert control.http.post(f"{path}/open").status_code == 201
        assert control.http.post(f"{path}/open").status_code == 201
        assert control.http.post(f"{path}/click", json={"url": shop}).status_code == 201
        bob_sale = control.inbox(channel, bob)[0]["messageId"]
        bob_path = f"/_kizuna/channels/{channel.channel_id}/users/{bob}/inbox/{bob_sale}/open"
        assert control.http.post(bob_path).status_code == 201

        days = control.http.get(console(channel, "/deliveries"), params={"days": 1}).json()
        assert days["days"][0]["byKind"]["broadcast"] == 2
        assert days["days"][0]["byKind"]["push"] == 1
        assert days["days"][0]["total"] == 3

        campaigns = control.http.get(console(channel, "/campaigns")).json()
        assert len(campaigns) == 1  # pushes are not campaigns
        assert campaigns[0]["kind"] == "broadcast"
        assert campaigns[0]["messageTypes"] == ["template"]
        assert (campaigns[0]["delivered"], campaigns[0]["opens"], campaigns[0]["clicks"]) == (
            2,
            2,
            1,
        )


class TestProgress:
    def test_narrowcasts_batches_and_audience_uploads(
        self, control: Control, channel: ChannelInfo
    ) -> None:
        control.bulk(channel, 120, seed=3)
        alice = control.user("Alice")
        control.follow(channel, alice)
        text = {"type": "text", "text": "Hello"}
        with line(channel, control.base_url) as api:
            sent = api.post("/v2/bot/message/narrowcast", json={"messages": [text]})
            assert sent.status_code == 202, sent.text
            audience = api.post(
                "/v2/bot/audienceGroup/upload",
                json={"description": "VIP", "audiences": [{"id": alice}]},
            )
            assert audience.status_code == 202, audience.text
        control.wait_for_jobs()

        progress = control.http.get(console(channel, "/progress")).json()
        (narrowcast,) = progress["narrowcasts"]
        assert narrowcast["requestId"] == sent.headers["X-Line-Request-Id"]
        assert narrowcast["phase"] == "succeeded"
        assert narrowcast["successCount"] == 121
        assert progress["audienceUploads"][0]["description"] == "VIP"
        assert (
            progress["audienceUploads"][0]["audienceGroupId"]
            == (audience.json()["audienceGroupId"])
        )
        assert progress["richMenuBatches"] == []


class TestUsersAndTimeline:
    def test_users_with_attributes_newest_first(
        self, control: Control, channel: ChannelInfo
    ) -> None:
        alice = control.user("Alice", gender="female", age=31, area="jp_13")
        bob = control.user("Bob")
        control.follow(channel, alice)
        control.follow(channel, bob)
        control.unfollow(channel, bob)
        page = control.http.get(console(channel, "/users"), params={"limit": 1}).json()
        assert page["total"] == 2
        assert [(u["userId"], u["status"]) for u in page["users"]] == [(bob, "blocked")]
        rest = control.http.get(console(channel, "/users"), params={"offset": 1}).json()
        assert rest["users"][0]["userId"] == alice
        assert (rest["users"][0]["gender"], rest["users"][0]["area"]) == ("female", "jp_13")

    def test_both_sides_of_the_chat_in_order(self, control: Control, channel: ChannelInfo) -> None:
        alice = control.user("Alice")
        control.follow(channel, alice)
        said = control.say(channel, alice, {"type": "text", "text": "hello"})
        with line(channel, control.base_url) as api:
            reply = {
                "replyToken": said["replyToken"],
                "messages": [{"type": "text", "text": "hi Alice"}],
            }
            assert api.post("/v2/bot/message/reply", json=reply).is_success
        image = httpx.post(
            f"{control.base_url}/_kizuna/channels/{channel.channel_id}/users/{alice}/messages",
            data={"type": "image"},
            files={"file": ("p.png", png(40, 30), "image/png")},
        )
        assert image.status_code == 201, image.text

        items = control.http.get(console(channel, f"/users/{alice}/timeline")).json()
        assert [(i["sender"], i["message"]["type"]) for i in items] == [
            ("user", "text"),
            ("bot", "text"),
            ("user", "image"),
        ]
        assert items[1]["message"]["text"] == "hi Alice"
        assert items[2]["hasContent"] is True
        content = control.http.get(console(channel, f"/messages/{items[2]['messageId']}/content"))
        assert content.status_code == 200
        assert Image.open(io.BytesIO(content.content)).size == (40, 30)
        missing = control.http.get(console(channel, f"/messages/{items[0]['messageId']}/content"))
        assert missing.status_code == 404

    def test_timeline_limit_keeps_the_latest(self, control: Control, channel: ChannelInfo) -> None:
        alice = control.user("Alice")
        control.follow(channel, alice)
        for n in range(3):
            control.say(channel, alice, {"type": "text", "text": f"m{n}"})
        items = control.http.get(
            console(channel, f"/users/{alice}/timeline"), params={"limit": 2}
        ).json()
        assert [i["message"]["text"] for i in items] == ["m1", "m2"]


class TestRichMenuImage:
    def test_the_uploaded_image_is_served(self, control: Control, channel: ChannelInfo) -> None:
        menu = {
            "size": {"width": 2500, "height": 843},
            "selected": True,
            "name": "Main",
            "chatBarText": "Menu",
            "areas": [
                {
                    "bounds": {"x": 0, "y": 0, "width": 2500, "height": 843},
                    "action": {"type": "postback", "data": "a"},
                }
            ],
        }
        with line(channel, control.base_url) as api:
            created = api.post("/v2/bot/richmenu", json=menu).json()["richMenuId"]
            path = console(channel, f"/richmenus/{created}/image")
            assert control.http.get(path).status_code == 404  # no image yet
            image = png(2500, 843)
            uploaded = api.post(
                f"/v2/bot/richmenu/{created}/content",
                content=image,
                headers={"Content-Type": "image/png"},
            )
            assert uploaded.is_success, uploaded.text
        served = control.http.get(path)
        assert (served.status_code, served.headers["content-type"]) == (200, "image/png")
        assert served.content == image
