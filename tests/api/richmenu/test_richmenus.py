"""Rich menu behaviour: validation, image checks, who sees which menu, bulk and batch jobs."""

import io
import os
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest
from PIL import Image
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from app.api.richmenu.repository import RichMenuRepository
from app.api.richmenu.service import apply_batch
from app.models import RichMenu, RichMenuBatch, RichMenuBatchPhase
from tests.api.richmenu.support import HEIGHT, WIDTH, LineHttp, image, menu_body
from tests.support.control import ChannelInfo, Control
from tests.support.live import LiveServer

SIZE_NOT_ALLOWED = {"message": "The image size is not allowed for richmenu"}


@pytest.fixture
def line(server: LiveServer, channel: ChannelInfo) -> Iterator[LineHttp]:
    client = LineHttp(server, channel)
    yield client
    client.close()


def _details(response: httpx.Response, status: int = 400) -> list[tuple[str, str]]:
    assert response.status_code == status, response.text
    return [(d.get("property"), d["message"]) for d in response.json().get("details", [])]


def _friends(control: Control, channel: ChannelInfo, count: int) -> list[str]:
    users = [control.user(f"User {n}") for n in range(count)]
    for user in users:
        control.follow(channel, user)
    return users


def _linked(line: LineHttp, user: str) -> str | None:
    response = line.get(f"/v2/bot/user/{user}/richmenu")
    if response.status_code == 404:
        assert response.json() == {"message": "the user has no richmenu"}
        return None
    assert response.status_code == 200, response.text
    return str(response.json()["richMenuId"])


def _no_limits(control: Control, channel: ChannelInfo) -> None:
    path = f"/_kizuna/channels/{channel.channel_id}/rate-limits"
    assert control.http.put(path, json={"enabled": False}).status_code == 200


class TestRichMenuObject:
    def test_a_valid_menu_is_created_and_read_back(self, line: LineHttp) -> None:
        assert line.post("/v2/bot/richmenu/validate", json=menu_body()).json() == {}
        created = line.post("/v2/bot/richmenu", json=menu_body()).json()["richMenuId"]
        got = line.get(f"/v2/bot/richmenu/{created}").json()
        assert got == {"richMenuId": created, **menu_body()}
        listed = line.get("/v2/bot/richmenu/list").json()["richmenus"]
        assert [m["richMenuId"] for m in listed] == [created]

    @pytest.mark.parametrize(
        ("change", "expected"),
        [
            ({"name": None}, [("name", "must be specified")]),
            ({"chatBarText": "fifteen chars!!"},
             [("chatBarText", "Length must be between 0 and 14")]),
            ({"size": {"width": 700, "height": 250}},
             [("size.width", "Must be between 800 and 2500")]),
            ({"size": {"width": 2500, "height": 200}},
             [("size.height", "Must be greater than or equal to 250")]),
            (
                {"size": {"width": 1000, "height": 843}},
                [("size", "The aspect ratio (width / height) must be at least 1.45")],
            ),
            (
                {"areas": [{"bounds": {"x": 2000, "y": 0, "width": 600, "height": 843},
                            "action": {"type": "message", "text": "hi"}}]},
                [("areas[0].bounds", f"Must be inside the rich menu ({WIDTH}x{HEIGHT})")],
            ),
            (
                {"areas": [{"bounds": {"x": 0, "y": 0, "width": 10, "height": 10},
                            "action": {"type": "uri", "uri": "ftp://example.com"}}]},
                [("areas[0].action.uri", "invalid uri scheme")],
            ),
            (
                {"areas": [{"bounds": {"x": 0, "y": 0, "width": 10, "height": 10},
                            "action": {"type": "richmenuswitch", "data": "tab"}}]},
                [("areas[0].action.richMenuAliasId", "May not be empty")],
            ),
            (
                {"areas": [{"bounds": {"x": 0, "y": 0, "width": 10, "height": 10},
                            "action": {"type": "camera", "label": "Photo"}}]},
                [("areas[0].action.type", "Invalid action type")],
            ),
            (
                {"areas": [menu_body()["areas"][0]] * 21},
                [("areas", "size must be between 0 and 20")],
            ),
        ],
    )  # fmt: skip
    def test_invalid_menus_name_the_property(
        self, line: LineHttp, change: dict[str, Any], expected: list[tuple[str, str]]
    ) -> None:
        body = {k: v for k, v in {**menu_body(), **change}.items() if v is not None}
        for path in ("/v2/bot/richmenu", "/v2/bot/richmenu/validate"):
            response = line.post(path, json=body)
            assert _details(response) == expected
            assert response.json()["message"] == f"The request body has {len(expected)} error(s)"
        assert line.get("/v2/bot/richmenu/list").json() == {"richmenus": []}

    def test_bodies_that_are_not_objects_are_400(self, line: LineHttp) -> None:
        assert line.post("/v2/bot/richmenu", json=[1]).status_code == 400
        broken = line.post(
            "/v2/bot/richmenu", content=b"{", headers={"Content-Type": "application/json"}
        )
        assert broken.status_code == 400 and "could not be parsed" in broken.json()["message"]

    def test_unknown_menus_are_not_found(self, line: LineHttp) -> None:
        unknown = "richmenu-" + "0" * 32
        for response in (
            line.get(f"/v2/bot/richmenu/{unknown}"),
            line.delete(f"/v2/bot/richmenu/{unknown}"),
            line.get(f"/v2/bot/richmenu/{unknown}/content"),
            line.post(f"/v2/bot/richmenu/{unknown}/content", content=image()),
            line.post(f"/v2/bot/user/all/richmenu/{unknown}"),
        ):
            assert (response.status_code, response.json()) == (404, {"message": "Not found"})


def _noise(width: int, height: int) -> bytes:
    """A PNG between 1 and 2 MB (over the 2 MB body limit would be refused before any check):
    its top 200 rows are noise, which does not compress."""
    picture = Image.new("RGB", (width, height), (0, 0, 0))
    picture.paste(Image.frombytes("RGB", (width, 200), os.urandom(width * 200 * 3)))
    out = io.BytesIO()
    picture.save(out, "PNG")
    return out.getvalue()


class TestImage:
    @pytest.mark.parametrize(
        ("size", "body", "content_type", "status", "message"),
        [
            ((WIDTH, HEIGHT), b"GIF89a not a picture", "image/png", 400,
             "The image format is not allowed for richmenu (JPEG or PNG)"),
            ((WIDTH, HEIGHT), None, "text/plain", 415,
             "The content type, text/plain, is not supported"),
            ((800, 250), image(700, 250), "image/png", 400, SIZE_NOT_ALLOWED["message"]),
            ((2500, 1686), image(2600, 1686), "image/png", 400, SIZE_NOT_ALLOWED["message"]),
            ((WIDTH, HEIGHT), image(2500, 1686), "image/png", 400, SIZE_NOT_ALLOWED["message"]),
            ((WIDTH, HEIGHT), "noise", "image/png", 400,
             "The image file size is not allowed for richmenu (at most 1 MB)"),
        ],
    )  # fmt: skip
    def test_images_the_platform_refuses(
        self,
        line: LineHttp,
        size: tuple[int, int],
        body: bytes | str | None,
        content_type: str,
        status: int,
        message: str,
    ) -> None:
        width, height = size
        areas = [
            {
                "bounds": {"x": 0, "y": 0, "width": width, "height": height},
                "action": {"type": "postback", "data": "all"},
            }
        ]
        created = line.post(
            "/v2/bot/richmenu",
            json=menu_body(size={"width": width, "height": height}, areas=areas),
        )
        assert created.status_code == 200, created.text
        rich_menu_id = created.json()["richMenuId"]
        data = _noise(WIDTH, HEIGHT) if body == "noise" else body or image()
        assert isinstance(data, bytes)
        response = line.post(
            f"/v2/bot/richmenu/{rich_menu_id}/content",
            content=data,
            headers={"Content-Type": content_type},
        )
        assert (response.status_code, response.json()) == (status, {"message": message})
        assert line.get(f"/v2/bot/richmenu/{rich_menu_id}/content").status_code == 404

    def test_jpeg_or_png_once_and_downloaded_as_sent(self, line: LineHttp) -> None:
        rich_menu_id = line.post("/v2/bot/richmenu", json=menu_body()).json()["richMenuId"]
        jpeg = image(fmt="JPEG")
        # No Content-Type at all: the bytes say what the image is.
        request = line.http.build_request(
            "POST", f"/v2/bot/richmenu/{rich_menu_id}/content", content=jpeg
        )
        assert "content-type" not in request.headers
        assert line.http.send(request).status_code == 200
        downloaded = line.get(f"/v2/bot/richmenu/{rich_menu_id}/content")
        assert downloaded.content == jpeg
        assert downloaded.headers["Content-Type"] == "image/jpeg"
        again = line.post(
            f"/v2/bot/richmenu/{rich_menu_id}/content",
            content=image(),
            headers={"Content-Type": "image/png"},
        )
        assert again.json() == {"message": "An image has already been uploaded to the richmenu"}

    def test_a_truncated_image_is_refused(self, line: LineHttp) -> None:
        rich_menu_id = line.post("/v2/bot/richmenu", json=menu_body()).json()["richMenuId"]
        response = line.post(
            f"/v2/bot/richmenu/{rich_menu_id}/content",
            content=image()[:200],
            headers={"Content-Type": "image/png"},
        )
        assert response.status_code == 400


class TestWhoSeesWhat:
    def test_per_user_menu_then_default(
        self, control: Control, channel: ChannelInfo, line: LineHttp
    ) -> None:
        alice, bob = _friends(control, channel, 2)
        stranger = control.user("Stranger")
        default, own = line.menu(), line.menu(menu_body("Own"))
        bare = line.post("/v2/bot/richmenu", json=menu_body("Bare")).json()["richMenuId"]
        seen = f"/_kizuna/channels/{channel.channel_id}/users/{{}}/richmenu"

        def sees(user: str) -> tuple[str, str] | None:
            response = control.http.get(seen.format(user))
            if response.status_code == 404:
                return None
            body = response.json()
            assert body["hasImage"] is True
            return body["richMenuId"], body["source"]

        assert line.get("/v2/bot/user/all/richmenu").json() == {"message": "no default richmenu"}
        assert sees(alice) is None
        no_image = line.post(f"/v2/bot/user/all/richmenu/{bare}")
        assert no_image.json() == {
            "message": "must upload richmenu image before applying it to user"
        }
        assert line.post(f"/v2/bot/user/all/richmenu/{default}").json() == {}
        assert line.get("/v2/bot/user/all/richmenu").json() == {"richMenuId": default}
        assert sees(alice) == sees(bob) == (default, "default")
        assert sees(stranger) is None
        # The default is not the user's own menu.
        assert _linked(line, alice) is None

        assert line.post(f"/v2/bot/user/{alice}/richmenu/{own}").status_code == 200
        assert line.post(f"/v2/bot/user/{stranger}/richmenu/{own}").status_code == 200
        assert line.post(f"/v2/bot/user/{alice}/richmenu/{bare}").status_code == 400
        assert (_linked(line, alice), _linked(line, stranger)) == (own, None)
        assert sees(alice) == (own, "user") and sees(bob) == (default, "default")

        assert line.delete(f"/v2/bot/user/{alice}/richmenu").status_code == 200
        assert sees(alice) == (default, "default")
        assert line.delete("/v2/bot/user/all/richmenu").status_code == 200
        assert sees(alice) is None

        # Deleting a menu unlinks its users and cancels it as the default.
        line.post(f"/v2/bot/user/{bob}/richmenu/{own}")
        line.post(f"/v2/bot/user/all/richmenu/{own}")
        assert line.delete(f"/v2/bot/richmenu/{own}").json() == {}
        assert _linked(line, bob) is None and sees(bob) is None
        assert line.get("/v2/bot/user/all/richmenu").status_code == 404

    def test_bad_user_ids(self, line: LineHttp) -> None:
        rich_menu_id = line.menu()
        invalid = {"message": "The value for the 'userId' parameter is invalid"}
        for response in (
            line.post(f"/v2/bot/user/nobody/richmenu/{rich_menu_id}"),
            line.get("/v2/bot/user/nobody/richmenu"),
            line.delete("/v2/bot/user/nobody/richmenu"),
        ):
            assert (response.status_code, response.json()) == (400, invalid)


class TestBulk:
    def test_bulk_link_and_unlink_are_applied_by_a_job(
        self, control: Control, channel: ChannelInfo, line: LineHttp
    ) -> None:
        friends = _friends(control, channel, 3)
        stranger = control.user("Stranger")
        rich_menu_id = line.menu()
        linked = line.post(
            "/v2/bot/richmenu/bulk/link",
            json={"richMenuId": rich_menu_id, "userIds": [*friends, stranger]},
        )
        assert (linked.status_code, linked.json()) == (202, {})
        control.wait_for_jobs()
        assert [_linked(line, u) for u in friends] == [rich_menu_id] * 3
        assert _linked(line, stranger) is None
        unlinked = line.post("/v2/bot/richmenu/bulk/unlink", json={"userIds": friends[:2]})
        assert unlinked.status_code == 202
        control.wait_for_jobs()
        assert [_linked(line, u) for u in friends] == [None, None, rich_menu_id]

    def test_bulk_bodies_are_checked_before_accepting(self, line: LineHttp) -> None:
        rich_menu_id = line.menu()
        bare = line.post("/v2/bot/richmenu", json=menu_body()).json()["richMenuId"]
        bad = line.post(
            "/v2/bot/richmenu/bulk/link", json={"richMenuId": "menu", "userIds": ["U1"]}
        )
        assert _details(bad) == [
            ("richMenuId", "invalid richMenuId"),
            ("userIds[0]", "invalid userId"),
        ]
        empty = line.post("/v2/bot/richmenu/bulk/unlink", json={"userIds": []})
        assert _details(empty) == [("userIds", "size must be between 1 and 500")]
        user = "U" + "a" * 32
        unknown = line.post(
            "/v2/bot/richmenu/bulk/link",
            json={"richMenuId": "richmenu-" + "f" * 32, "userIds": [user]},
        )
        assert unknown.status_code == 404
        no_image = line.post(
            "/v2/bot/richmenu/bulk/link", json={"richMenuId": bare, "userIds": [user]}
        )
        assert no_image.status_code == 400
        too_many = line.post(
            "/v2/bot/richmenu/bulk/link",
            json={"richMenuId": rich_menu_id, "userIds": [user] * 501},
        )
        assert _details(too_many) == [("userIds", "size must be between 1 and 500")]


class TestBatch:
    def test_operations_see_the_links_from_before_the_request(
        self, control: Control, channel: ChannelInfo, line: LineHttp
    ) -> None:
        _no_limits(control, channel)
        u1, u2, u3 = _friends(control, channel, 3)
        a, b, c = line.menu(), line.menu(), line.menu()
        for user, menu in ((u1, a), (u2, a), (u3, b)):
            line.post(f"/v2/bot/user/{user}/richmenu/{menu}")
        ops = [{"type": "link", "from": a, "to": b}, {"type": "link", "from": b, "to": c}]
        assert line.post("/v2/bot/richmenu/validate/batch", json={"operations": ops}).json() == {}
        accepted = line.post("/v2/bot/richmenu/batch", json={"operations": ops})
        assert (accepted.status_code, accepted.json()) == (202, {})
        request_id = accepted.headers["X-Line-Request-Id"]
        control.wait_for_jobs()
        assert [_linked(line, u) for u in (u1, u2, u3)] == [b, b, c]
        progress = line.get(f"/v2/bot/richmenu/progress/batch?requestId={request_id}").json()
        assert progress["phase"] == "succeeded"
        assert progress["acceptedTime"].endswith("Z") and progress["completedTime"].endswith("Z")

        unlink = line.post(
            "/v2/bot/richmenu/batch", json={"operations": [{"type": "unlink", "from": c}]}
        )
        assert unlink.status_code == 202
        control.wait_for_jobs()
        assert [_linked(line, u) for u in (u1, u2, u3)] == [b, b, None]
        everyone = line.post("/v2/bot/richmenu/batch", json={"operations": [{"type": "unlinkAll"}]})
        assert everyone.status_code == 202
        control.wait_for_jobs()
        assert [_linked(line, u) for u in (u1, u2, u3)] == [None, None, None]

    def test_a_resumed_batch_does_only_what_is_left(
        self, control: Control, channel: ChannelInfo, line: LineHttp
    ) -> None:
        _no_limits(control, channel)
        u1, u2 = _friends(control, channel, 2)
        a, b, c = line.menu(), line.menu(), line.menu()
        line.post(f"/v2/bot/user/{u1}/richmenu/{a}")
        first = {"operations": [{"type": "link", "from": a, "to": b}], "resumeRequestKey": "k-1"}
        assert line.post("/v2/bot/richmenu/batch", json=first).status_code == 202
        control.wait_for_jobs()
        line.post(f"/v2/bot/user/{u2}/richmenu/{a}")
        resumed = {
            "operations": [
                {"type": "link", "from": a, "to": b},
                {"type": "link", "from": b, "to": c},
            ],
            "resumeRequestKey": "k-1",
        }
        assert line.post("/v2/bot/richmenu/batch", json=resumed).status_code == 202
        control.wait_for_jobs()
        # a→b was done by the first request and is not done again; b→c is new.
        assert (_linked(line, u1), _linked(line, u2)) == (c, a)

    @pytest.mark.asyncio
    async def test_a_menu_deleted_before_the_job_ran_fails_the_batch(
        self,
        control: Control,
        channel: ChannelInfo,
        line: LineHttp,
        session_maker: async_sessionmaker[AsyncSession],
    ) -> None:
        u1, u2 = _friends(control, channel, 2)
        a, b, gone = line.menu(), line.menu(), line.menu()
        line.post(f"/v2/bot/user/{u1}/richmenu/{a}")
        line.post(f"/v2/bot/user/{u2}/richmenu/{b}")
        assert line.delete(f"/v2/bot/richmenu/{gone}").status_code == 200
        # As if the batch had been accepted before `gone` was deleted: the job's own function.
        async with session_maker() as session:
            menus = RichMenuRepository(session)
            channel_pk = await session.scalar(
                select(RichMenu.channel_pk).where(RichMenu.rich_menu_id == a)
            )
            assert channel_pk is not None
            batch = await menus.add(
                RichMenuBatch(
                    channel_pk=channel_pk,
                    request_id="11111111-2222-3333-4444-555555555555",
                    operations=[
                        {"type": "link", "from": a, "to": gone},
                        {"type": "unlink", "from": b},
                    ],
                    phase=RichMenuBatchPhase.ONGOING,
                    accepted_at=datetime.now(UTC),
                )
            )
            await apply_batch(menus, batch, datetime.now(UTC))
            await session.commit()
        progress = line.get(f"/v2/bot/richmenu/progress/batch?requestId={batch.request_id}")
        assert progress.json()["phase"] == "failed" and "completedTime" in progress.json()
        # The operation that could be done was done; the other left its users as they were.
        assert (_linked(line, u1), _linked(line, u2)) == (a, None)

    def test_batch_bodies_are_checked(
        self, control: Control, channel: ChannelInfo, line: LineHttp
    ) -> None:
        _no_limits(control, channel)  # refused requests count towards the 3 an hour too
        a, other = line.menu(), line.menu()
        bare = line.post("/v2/bot/richmenu", json=menu_body()).json()["richMenuId"]
        cases: list[tuple[dict[str, Any], int, list[tuple[str, str]]]] = [
            ({"operations": []}, 400, [("operations", "size must be between 1 and 1000")]),
            (
                {"operations": [{"type": "unlinkAll"}] * 1001},
                400,
                [("operations", "size must be between 1 and 1000")],
            ),
            (
                {"operations": [{"type": "link", "from": "x", "to": a}]},
                400,
                [("operations[0].from", "invalid richMenuId")],
            ),
            (
                {"operations": [{"type": "unlink"}]},
                400,
                [("operations[0].from", "must be specified")],
            ),
            (
                {"operations": [{"type": "swap", "from": a}]},
                400,
                [("operations[0].type",
                  "Must be one of the following values: [link, unlink, unlinkAll]")],
            ),
            (
                {"operations": [{"type": "unlink", "from": a},
                                {"type": "link", "from": a, "to": other}]},
                400,
                [("operations[].from", f"from richmenu ({a}) is duplicated")],
            ),
            (
                {"operations": [{"type": "unlinkAll"}, {"type": "unlink", "from": a}]},
                400,
                [("operations[].type", "'unlinkAll' type can't be combined with other type")],
            ),
            (
                {"operations": [{"type": "link", "from": a, "to": bare}]},
                400,
                [("operations[0].to", "must upload richmenu image before applying it to user")],
            ),
            (
                {"operations": [{"type": "unlinkAll"}], "resumeRequestKey": "no spaces"},
                400,
                [("resumeRequestKey", "Invalid format")],
            ),
            ({"operations": [{"type": "unlink", "from": "richmenu-" + "0" * 32}]}, 404, []),
        ]  # fmt: skip
        for body, status, details in cases:
            for path in ("/v2/bot/richmenu/validate/batch", "/v2/bot/richmenu/batch"):
                response = line.post(path, json=body)
                assert _details(response, status) == details, (path, body)

    def test_progress_of_unknown_requests(self, line: LineHttp) -> None:
        unknown = line.get("/v2/bot/richmenu/progress/batch?requestId=" + "0" * 36)
        assert (unknown.status_code, unknown.json()) == (404, {"message": "Not found"})
        assert line.get("/v2/bot/richmenu/progress/batch").status_code == 400

    def test_three_batches_an_hour(self, line: LineHttp) -> None:
        body = {"operations": [{"type": "unlinkAll"}]}
        assert [line.post("/v2/bot/richmenu/batch", json=body).status_code for _ in range(4)] == [
            202,
            202,
            202,
            429,
        ]
        # Validation is how a bot checks its body without spending that budget.
        assert line.post("/v2/bot/richmenu/validate/batch", json=body).status_code == 200


class TestAliases:
    def test_alias_lifecycle_and_errors(self, line: LineHttp) -> None:
        a, b = line.menu(), line.menu()
        bare = line.post("/v2/bot/richmenu", json=menu_body()).json()["richMenuId"]
        create = "/v2/bot/richmenu/alias"
        assert line.post(create, json={"richMenuAliasId": "tab-a", "richMenuId": a}).json() == {}
        conflict = line.post(create, json={"richMenuAliasId": "tab-a", "richMenuId": b})
        assert (conflict.status_code, conflict.json()) == (
            400,
            {"message": "conflict richmenu alias id"},
        )
        no_image = line.post(create, json={"richMenuAliasId": "tab-b", "richMenuId": bare})
        assert no_image.json() == {"message": "richmenu not found"}
        bad_id = line.post(create, json={"richMenuAliasId": "Tab B", "richMenuId": b})
        assert _details(bad_id) == [("richMenuAliasId", "invalid richMenuAliasId")]
        no_id = line.post(create, json={"richMenuId": b})
        assert _details(no_id) == [("richMenuAliasId", "must be specified")]
        bad_menu = line.post(create, json={"richMenuAliasId": "tab-b", "richMenuId": "nope"})
        assert _details(bad_menu) == [("richMenuId", "invalid richMenuId")]

        assert line.post(f"{create}/tab-a", json={"richMenuId": b}).json() == {}
        assert line.get(f"{create}/tab-a").json() == {"richMenuAliasId": "tab-a", "richMenuId": b}
        assert line.post(f"{create}/tab-a", json={"richMenuId": bare}).status_code == 400
        assert line.get(f"{create}/list").json() == {
            "aliases": [{"richMenuAliasId": "tab-a", "richMenuId": b}]
        }
        # Deleting the menu leaves the alias, pointing at a menu that is gone.
        line.delete(f"/v2/bot/richmenu/{b}")
        assert line.get(f"{create}/tab-a").json()["richMenuId"] == b
        assert line.delete(f"{create}/tab-a").json() == {}
        for response in (line.get(f"{create}/tab-a"), line.delete(f"{create}/tab-a")):
            assert response.status_code == 404
        assert line.post(f"{create}/tab-a", json={"richMenuId": a}).status_code == 404
