"""Every rich menu operation through the official SDK, sync and async, with its typed result.

Operations the SDK types as `None` are called through `*_with_http_info`, so the table still
checks what came back: the exact status code the SDK expects (202 for bulk and batch).
"""

import inspect
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from linebot.v3.messaging import (
    ApiClient,
    AsyncApiClient,
    AsyncMessagingApi,
    AsyncMessagingApiBlob,
    CreateRichMenuAliasRequest,
    MessagingApi,
    MessagingApiBlob,
    RichMenuAliasListResponse,
    RichMenuAliasResponse,
    RichMenuBatchLinkOperation,
    RichMenuBatchProgressResponse,
    RichMenuBatchRequest,
    RichMenuBulkLinkRequest,
    RichMenuBulkUnlinkRequest,
    RichMenuIdResponse,
    RichMenuListResponse,
    RichMenuRequest,
    RichMenuResponse,
    UpdateRichMenuAliasRequest,
)

from tests.api.richmenu.support import LineHttp, image, menu_body
from tests.support.control import ChannelInfo, Control
from tests.support.live import LiveServer
from tests.support.sdk import messaging_config


@dataclass
class Context:
    friend: str
    menu: str  # has its image, is the default, is linked to the friend, has alias "tab-a"
    other: str  # has its image
    bare: str  # has no image yet
    batch_request_id: str


@dataclass
class Apis:
    messaging: Any
    blob: Any


Call = Callable[[Apis, Context], Any]
Check = Callable[[Any, Context], bool]


def _info(name: str, *args: Callable[[Context], Any], blob: bool = False, **kwargs: Any) -> Call:
    """Call `name_with_http_info`: the SDK's answer for operations it types as None."""

    def call(apis: Apis, c: Context) -> Any:
        api = apis.blob if blob else apis.messaging
        return getattr(api, f"{name}_with_http_info")(*(arg(c) for arg in args), **kwargs)

    return call


def _status(code: int) -> Check:
    return lambda result, c: result.status_code == code and result.data is None


def _is(model: type, test: Callable[[Any, Context], bool] = lambda r, c: True) -> Check:
    return lambda result, c: isinstance(result, model) and test(result, c)


MENU = RichMenuRequest.from_dict(menu_body("From the SDK"))


def BATCH(c: Context) -> RichMenuBatchRequest:
    return RichMenuBatchRequest(
        operations=[RichMenuBatchLinkOperation(var_from=c.menu, to=c.other)],
        resume_request_key="sdk-key",
    )


OPERATIONS: dict[str, tuple[Call, Check]] = {
    "create_rich_menu": (
        lambda a, c: a.messaging.create_rich_menu(MENU),
        _is(RichMenuIdResponse, lambda r, c: r.rich_menu_id.startswith("richmenu-")),
    ),
    "validate_rich_menu_object": (_info("validate_rich_menu_object", lambda c: MENU), _status(200)),
    "get_rich_menu": (
        lambda a, c: a.messaging.get_rich_menu(c.menu),
        _is(
            RichMenuResponse,
            lambda r, c: (
                r.rich_menu_id == c.menu
                and r.size.width == 2500
                and r.areas[0].action.data == "action=buy"
            ),
        ),
    ),
    "get_rich_menu_list": (
        lambda a, c: a.messaging.get_rich_menu_list(),
        _is(
            RichMenuListResponse,
            lambda r, c: [m.rich_menu_id for m in r.richmenus][:2] == [c.menu, c.other],
        ),
    ),
    "delete_rich_menu": (_info("delete_rich_menu", lambda c: c.other), _status(200)),
    "set_rich_menu_image": (
        # As the SDK's own example does: the Content-Type goes in `_headers`.
        _info(
            "set_rich_menu_image",
            lambda c: c.bare,
            lambda c: bytearray(image()),
            blob=True,
            _headers={"Content-Type": "image/png"},
        ),
        _status(200),
    ),
    "get_rich_menu_image": (
        lambda a, c: a.blob.get_rich_menu_image(c.menu),
        lambda r, c: isinstance(r, bytes | bytearray) and bytes(r[:8]) == b"\x89PNG\r\n\x1a\n",
    ),
    "set_default_rich_menu": (_info("set_default_rich_menu", lambda c: c.other), _status(200)),
    "get_default_rich_menu_id": (
        lambda a, c: a.messaging.get_default_rich_menu_id(),
        _is(RichMenuIdResponse, lambda r, c: r.rich_menu_id == c.menu),
    ),
    "cancel_default_rich_menu": (_info("cancel_default_rich_menu"), _status(200)),
    "link_rich_menu_id_to_user": (
        _info("link_rich_menu_id_to_user", lambda c: c.friend, lambda c: c.other),
        _status(200),
    ),
    "get_rich_menu_id_of_user": (
        lambda a, c: a.messaging.get_rich_menu_id_of_user(c.friend),
        _is(RichMenuIdResponse, lambda r, c: r.rich_menu_id == c.menu),
    ),
    "unlink_rich_menu_id_from_user": (
        _info("unlink_rich_menu_id_from_user", lambda c: c.friend),
        _status(200),
    ),
    "link_rich_menu_id_to_users": (
        _info(
            "link_rich_menu_id_to_users",
            lambda c: RichMenuBulkLinkRequest(rich_menu_id=c.other, user_ids=[c.friend]),
        ),
        _status(202),
    ),
    "unlink_rich_menu_id_from_users": (
        _info(
            "unlink_rich_menu_id_from_users",
            lambda c: RichMenuBulkUnlinkRequest(user_ids=[c.friend]),
        ),
        _status(202),
    ),
    "create_rich_menu_alias": (
        _info(
            "create_rich_menu_alias",
            lambda c: CreateRichMenuAliasRequest(rich_menu_alias_id="tab-b", rich_menu_id=c.other),
        ),
        _status(200),
    ),
    "get_rich_menu_alias": (
        lambda a, c: a.messaging.get_rich_menu_alias("tab-a"),
        _is(RichMenuAliasResponse, lambda r, c: r.rich_menu_id == c.menu),
    ),
    "get_rich_menu_alias_list": (
        lambda a, c: a.messaging.get_rich_menu_alias_list(),
        _is(
            RichMenuAliasListResponse,
            lambda r, c: (
                [(x.rich_menu_alias_id, x.rich_menu_id) for x in r.aliases] == [("tab-a", c.menu)]
            ),
        ),
    ),
    "update_rich_menu_alias": (
        _info(
            "update_rich_menu_alias",
            lambda c: "tab-a",
            lambda c: UpdateRichMenuAliasRequest(rich_menu_id=c.other),
        ),
        _status(200),
    ),
    "delete_rich_menu_alias": (_info("delete_rich_menu_alias", lambda c: "tab-a"), _status(200)),
    "rich_menu_batch": (_info("rich_menu_batch", BATCH), _status(202)),
    "validate_rich_menu_batch_request": (
        _info("validate_rich_menu_batch_request", BATCH),
        _status(200),
    ),
    "get_rich_menu_batch_progress": (
        lambda a, c: a.messaging.get_rich_menu_batch_progress(c.batch_request_id),
        _is(
            RichMenuBatchProgressResponse,
            lambda r, c: r.phase == "succeeded" and r.completed_time is not None,
        ),
    ),
}


@pytest.fixture
def context(server: LiveServer, control: Control, channel: ChannelInfo) -> Iterator[Context]:
    friend = control.user("Friend")
    control.follow(channel, friend)
    line = LineHttp(server, channel)
    menu, other = line.menu(), line.menu(menu_body("Other"))
    bare = line.post("/v2/bot/richmenu", json=menu_body("Bare")).json()["richMenuId"]
    assert line.post(f"/v2/bot/user/all/richmenu/{menu}").status_code == 200
    assert line.post(f"/v2/bot/user/{friend}/richmenu/{menu}").status_code == 200
    alias = {"richMenuAliasId": "tab-a", "richMenuId": menu}
    assert line.post("/v2/bot/richmenu/alias", json=alias).status_code == 200
    batch = line.post(
        "/v2/bot/richmenu/batch", json={"operations": [{"type": "unlink", "from": other}]}
    )
    assert batch.status_code == 202, batch.text
    control.wait_for_jobs()
    yield Context(friend, menu, other, bare, batch.headers["X-Line-Request-Id"])
    line.close()


def test_the_table_covers_every_rich_menu_operation_of_the_sdk() -> None:
    names = {
        name
        for api in (MessagingApi, MessagingApiBlob)
        for name in dir(api)
        if "rich_menu" in name and not name.startswith("_") and not name.endswith("_http_info")
    }
    assert names == set(OPERATIONS)


@pytest.mark.parametrize("name", sorted(OPERATIONS))
def test_sync_client(name: str, server: LiveServer, channel: ChannelInfo, context: Context) -> None:
    call, check = OPERATIONS[name]
    with ApiClient(messaging_config(server.base_url, channel.access_token)) as client:
        result = call(Apis(MessagingApi(client), MessagingApiBlob(client)), context)
    assert check(result, context), f"{name} returned {result!r:.300}"


@pytest.mark.asyncio
@pytest.mark.parametrize("name", sorted(OPERATIONS))
async def test_async_client(
    name: str, server: LiveServer, channel: ChannelInfo, context: Context
) -> None:
    call, check = OPERATIONS[name]
    config = messaging_config(server.base_url, channel.access_token)
    async with AsyncApiClient(config) as client:
        pending = call(Apis(AsyncMessagingApi(client), AsyncMessagingApiBlob(client)), context)
        assert inspect.isawaitable(pending)
        result = await pending
    assert check(result, context), f"{name} returned {result!r:.300}"
