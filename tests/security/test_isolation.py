"""Channel A's things are invisible to channel B's token: users, messages (inbox), rich menus,
audiences, content, insight, coupons, memberships and groups."""

import httpx

from tests.security.world import World, assert_world_intact, bearer, build_world, ok
from tests.support.control import Control
from tests.support.live import LiveServer

NOT_FOUND = {"message": "Not found"}


def test_another_channels_token_sees_nothing_of_a(server: LiveServer, control: Control) -> None:
    world = build_world(server, control)
    with httpx.Client(base_url=server.base_url, headers=bearer(world.b), timeout=60) as b:
        # Users: A's friend is nobody to B.
        assert ok(b.get("/v2/bot/followers/ids"))["userIds"] == [world.bob]
        assert b.get(f"/v2/bot/profile/{world.alice}").status_code == 404
        assert b.get(f"/v2/bot/membership/subscription/{world.alice}").status_code == 404
        assert b.get(f"/v2/bot/membership/{world.membership}/users/ids").status_code == 404
        # Messages: B cannot reach A's friend, and A's content is not B's.
        pushed = b.post(
            "/v2/bot/message/push",
            json={"to": world.alice, "messages": [{"type": "text", "text": "from B"}]},
        )
        assert pushed.status_code == 200  # the platform's answer to a non-friend: nothing sent
        for suffix in ("content", "content/preview", "content/transcoding"):
            response = b.get(f"/v2/bot/message/{world.content}/{suffix}")
            assert (response.status_code, response.json()) == (404, {"message": "not found"})
        # Rich menus: not listed, not readable, not linkable, not deletable.
        assert ok(b.get("/v2/bot/richmenu/list"))["richmenus"] == []
        assert b.get(f"/v2/bot/richmenu/{world.rich_menu}").status_code == 404
        assert b.get(f"/v2/bot/richmenu/{world.rich_menu}/content").status_code == 404
        assert b.get(f"/v2/bot/richmenu/alias/{world.alias}").status_code in {400, 404}
        assert ok(b.get("/v2/bot/richmenu/alias/list"))["aliases"] == []
        assert b.get("/v2/bot/user/all/richmenu").status_code == 404
        assert b.get(f"/v2/bot/user/{world.alice}/richmenu").status_code == 404
        assert b.post(f"/v2/bot/user/{world.bob}/richmenu/{world.rich_menu}").status_code in {
            400,
            404,
        }
        assert b.delete(f"/v2/bot/richmenu/{world.rich_menu}").status_code == 404
        assert b.delete(f"/v2/bot/richmenu/alias/{world.alias}").status_code in {400, 404}
        assert b.delete(f"/v2/bot/user/{world.alice}/richmenu").status_code in {200, 404}
        # Audiences: not listed, not readable, not renamable, not deletable.
        assert ok(b.get("/v2/bot/audienceGroup/list?page=1"))["audienceGroups"] == []
        assert b.get(f"/v2/bot/audienceGroup/{world.audience}").status_code in {400, 404}
        renamed = b.put(
            f"/v2/bot/audienceGroup/{world.audience}/updateDescription",
            json={"description": "B was here"},
        )
        assert renamed.status_code in {400, 404}
        assert b.delete(f"/v2/bot/audienceGroup/{world.audience}").status_code in {400, 404}
        narrowcast = b.post(
            "/v2/bot/message/narrowcast",
            json={
                "messages": [{"type": "text", "text": "B to A's audience"}],
                "recipient": {"type": "audience", "audienceGroupId": world.audience},
            },
        )
        assert narrowcast.status_code == 400
        # Insight: A's rich menu figures are not B's.
        assert b.get(f"/v2/bot/insight/richmenu/{world.rich_menu}/summary").status_code in {
            400,
            404,
        }
        # Coupons and groups.
        assert ok(b.get("/v2/bot/coupon"))["items"] == []
        assert b.get(f"/v2/bot/coupon/{world.coupon}").status_code == 404
        assert b.put(f"/v2/bot/coupon/{world.coupon}/close").status_code == 404
        assert b.get(f"/v2/bot/group/{world.group}/summary").status_code == 404
        assert b.post(f"/v2/bot/group/{world.group}/leave").status_code == 404
    assert_world_intact(server, control, world)


def test_the_world_check_notices_a_change(server: LiveServer, control: Control) -> None:
    """The intact check fails when A's things change (so the tests above can fail)."""
    world: World = build_world(server, control)
    with httpx.Client(base_url=server.base_url, headers=bearer(world.a), timeout=60) as a:
        ok(a.put(f"/v2/bot/coupon/{world.coupon}/close"))
    try:
        assert_world_intact(server, control, world)
    except AssertionError:
        return
    raise AssertionError("a closed coupon went unnoticed")
