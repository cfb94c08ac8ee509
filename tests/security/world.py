"""Two channels with something of everything: what channel B's token must never see of A's."""

from dataclasses import dataclass
from typing import Any

import httpx

from tests.api.coupon.test_coupons import coupon_request
from tests.api.membership.test_memberships import act, plan
from tests.api.richmenu.support import image, menu_body
from tests.support.control import ChannelInfo, Control
from tests.support.live import LiveServer
from tests.support.media import picture, send


@dataclass
class World:
    a: ChannelInfo
    b: ChannelInfo
    alice: str  # A's friend only
    bob: str  # B's friend only
    pushed: str  # the message id A pushed to Alice
    rich_menu: str
    alias: str
    audience: int
    content: str  # the id of the photo Alice sent A
    group: str  # a group A's bot is in
    coupon: str
    membership: int

    def ids(self) -> dict[str, str]:
        """Path parameters, by name, naming A's things."""
        return {
            "userId": self.alice,
            "messageId": self.content,
            "richMenuId": self.rich_menu,
            "richMenuAliasId": self.alias,
            "audienceGroupId": str(self.audience),
            "groupId": self.group,
            "chatId": self.group,
            "couponId": self.coupon,
            "membershipId": str(self.membership),
        }

    def secrets(self) -> list[str]:
        """What of A must not appear in any answer to B."""
        return [
            self.a.channel_id,
            self.a.bot_user_id,
            self.a.access_token,
            self.a.channel_secret,
            self.pushed,
        ]


def bearer(channel: ChannelInfo) -> dict[str, str]:
    return {"Authorization": f"Bearer {channel.access_token}"}


def ok(response: httpx.Response, status: int = 200) -> Any:
    assert response.status_code == status, (response.request.url, response.text)
    return response.json() if response.content else None


def build_world(server: LiveServer, control: Control) -> World:
    a, b = control.channel("Channel A"), control.channel("Channel B")
    alice, bob = control.user("Alice"), control.user("Bob")
    control.follow(a, alice)
    control.follow(b, bob)
    http = httpx.Client(base_url=server.base_url, headers=bearer(a), timeout=60)
    try:
        pushed = ok(
            http.post(
                "/v2/bot/message/push",
                json={"to": alice, "messages": [{"type": "text", "text": "for Alice from A"}]},
            )
        )["sentMessages"][0]["id"]
        rich_menu = ok(http.post("/v2/bot/richmenu", json=menu_body("A's menu")))["richMenuId"]
        ok(
            http.post(
                f"/v2/bot/richmenu/{rich_menu}/content",
                content=image(),
                headers={"Content-Type": "image/png"},
            )
        )
        ok(
            http.post(
                "/v2/bot/richmenu/alias",
                json={"richMenuAliasId": "a-menu", "richMenuId": rich_menu},
            )
        )
        ok(http.post(f"/v2/bot/user/{alice}/richmenu/{rich_menu}"))
        ok(http.post(f"/v2/bot/user/all/richmenu/{rich_menu}"))
        audience = ok(
            http.post(
                "/v2/bot/audienceGroup/upload",
                json={"description": "A's audience", "audiences": [{"id": alice}]},
            ),
            202,
        )["audienceGroupId"]
        coupon = ok(http.post("/v2/bot/coupon", json=coupon_request("A's coupon").to_dict()))[
            "couponId"
        ]
    finally:
        http.close()
    photo = send(control, a, alice, "image", ("a.png", picture(), "image/png"))
    group = ok(control.http.post("/_kizuna/groups", json={"members": [alice]}), 201)["chatId"]
    ok(control.http.put(f"/_kizuna/groups/{group}/bot", json={"channelId": a.channel_id}), 201)
    membership = plan(control, a, "A's plan")
    act(control, a, alice, membership, "join")
    control.wait_for_jobs()
    return World(
        a=a,
        b=b,
        alice=alice,
        bob=bob,
        pushed=pushed,
        rich_menu=rich_menu,
        alias="a-menu",
        audience=int(audience),
        content=photo["message"]["id"],
        group=group,
        coupon=coupon,
        membership=membership,
    )


def assert_world_intact(server: LiveServer, control: Control, world: World) -> None:
    """Everything of A is as it was built, whatever B's token tried."""
    with httpx.Client(base_url=server.base_url, headers=bearer(world.a), timeout=60) as http:
        assert ok(http.get(f"/v2/bot/richmenu/{world.rich_menu}"))["name"] == "A's menu"
        assert ok(http.get(f"/v2/bot/richmenu/alias/{world.alias}"))["richMenuId"] == (
            world.rich_menu
        )
        assert ok(http.get(f"/v2/bot/user/{world.alice}/richmenu"))["richMenuId"] == (
            world.rich_menu
        )
        assert ok(http.get("/v2/bot/user/all/richmenu"))["richMenuId"] == world.rich_menu
        audience = ok(http.get(f"/v2/bot/audienceGroup/{world.audience}"))["audienceGroup"]
        assert audience["description"] == "A's audience"
        assert ok(http.get(f"/v2/bot/coupon/{world.coupon}"))["status"] == "RUNNING"
        assert ok(http.get(f"/v2/bot/group/{world.group}/members/count"))["count"] == 1
        assert http.get(f"/v2/bot/message/{world.content}/content").status_code == 200
        assert ok(http.get(f"/v2/bot/membership/subscription/{world.alice}"))["subscriptions"]
    inbox = control.inbox(world.a, world.alice)
    assert [item["messageId"] for item in inbox] == [world.pushed]
    assert control.inbox(world.b, world.alice) == []
