"""Channel A's things are invisible to channel B's token: users, messages (inbox), rich menus,
audiences, content, insight, coupons, memberships and groups."""

import secrets
from collections.abc import Callable
from datetime import datetime, timedelta, timezone
from typing import Any

import httpx

from tests.security.world import World, assert_world_intact, bearer, build_world, ok
from tests.support.control import Control
from tests.support.live import LiveServer

NOT_FOUND = {"message": "Not found"}
# The spec's answer for a missing audience (manage-audience.yml, getAudienceData's 400).
NO_AUDIENCE = {
    "message": "audience group not found",
    "details": [{"message": "AUDIENCE_GROUP_NOT_FOUND", "property": "audienceGroupId"}],
}


def answer(response: httpx.Response) -> tuple[int, Any]:
    return response.status_code, response.json() if response.content else None


def like_nothing(call: Callable[[str], httpx.Response], theirs: str, nowhere: str) -> Any:
    """B's answer about A's thing is its answer about one that exists nowhere: B cannot even
    tell that A's exists. Returns that answer."""
    seen, missing = answer(call(theirs)), answer(call(nowhere))
    assert seen == missing, (seen, missing)
    return seen


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
        alias = "nowhere-" + secrets.token_hex(8)
        got = like_nothing(lambda a: b.get(f"/v2/bot/richmenu/alias/{a}"), world.alias, alias)
        assert got == (404, NOT_FOUND)
        assert ok(b.get("/v2/bot/richmenu/alias/list"))["aliases"] == []
        assert b.get("/v2/bot/user/all/richmenu").status_code == 404
        assert b.get(f"/v2/bot/user/{world.alice}/richmenu").status_code == 404
        menu = "richmenu-" + secrets.token_hex(16)
        linked = like_nothing(
            lambda m: b.post(f"/v2/bot/user/{world.bob}/richmenu/{m}"), world.rich_menu, menu
        )
        assert linked == (404, NOT_FOUND)
        assert b.delete(f"/v2/bot/richmenu/{world.rich_menu}").status_code == 404
        deleted = like_nothing(
            lambda a: b.delete(f"/v2/bot/richmenu/alias/{a}"), world.alias, alias
        )
        assert deleted == (404, NOT_FOUND)
        user = "U" + secrets.token_hex(16)
        unlinked = like_nothing(lambda u: b.delete(f"/v2/bot/user/{u}/richmenu"), world.alice, user)
        assert unlinked[0] == 200
        # Audiences: not listed, not readable, not renamable, not deletable.
        assert ok(b.get("/v2/bot/audienceGroup/list?page=1"))["audienceGroups"] == []
        audience = str(secrets.randbelow(10**12) + 10**12)
        mine = str(world.audience)
        read = like_nothing(lambda g: b.get(f"/v2/bot/audienceGroup/{g}"), mine, audience)
        assert read == (400, NO_AUDIENCE)
        renamed = like_nothing(
            lambda g: b.put(
                f"/v2/bot/audienceGroup/{g}/updateDescription", json={"description": "B was here"}
            ),
            mine,
            audience,
        )
        assert renamed == (400, NO_AUDIENCE)
        dropped = like_nothing(lambda g: b.delete(f"/v2/bot/audienceGroup/{g}"), mine, audience)
        assert dropped == (400, NO_AUDIENCE)
        narrowcast = b.post(
            "/v2/bot/message/narrowcast",
            json={
                "messages": [{"type": "text", "text": "B to A's audience"}],
                "recipient": {"type": "audience", "audienceGroupId": world.audience},
            },
        )
        assert narrowcast.status_code == 400
        # Insight: A's rich menu figures are not B's.
        # A valid period, so that the answer is about the menu and not the query.
        now = datetime.fromisoformat(control.http.get("/_kizuna/clock").json()["now"])
        day = now.astimezone(timezone(timedelta(hours=9))).strftime("%Y%m%d")
        summary = like_nothing(
            lambda m: b.get(f"/v2/bot/insight/richmenu/{m}/summary?from={day}&to={day}"),
            world.rich_menu,
            menu,
        )
        assert summary == (404, NOT_FOUND)
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
