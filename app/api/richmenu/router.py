"""Rich menus: the menus, their images, the default, per-user links, aliases and batches.

Image upload and download live on api-data.line.me on the platform; one origin serves both
here, as the SDKs send everything to the configured host. Literal paths (`list`, `alias/list`,
`validate`) are declared before the templated ones they would otherwise match.
"""

from typing import Annotated, Any

from fastapi import APIRouter, Body, Depends, Query, Request, Response

from app.api.deps import ChannelDep
from app.api.richmenu.schemas import (
    RichMenuAliasListResponse,
    RichMenuAliasResponse,
    RichMenuBatchProgressResponse,
    RichMenuIdResponse,
    RichMenuListResponse,
    RichMenuResponse,
    RichMenuSizeModel,
    parse_alias_id,
    parse_alias_target,
    parse_batch,
    parse_bulk_link,
    parse_bulk_unlink,
    parse_rich_menu,
)
from app.api.richmenu.service import RichMenuService
from app.deps import UowDep
from app.kit.clock import iso_ms
from app.models import RichMenu, RichMenuAlias

router = APIRouter(tags=["messaging-api"])

JsonBody = Annotated[dict[str, Any], Body()]
EMPTY: dict[str, Any] = {}
BLOB: dict[int | str, dict[str, Any]] = {
    200: {"content": {"*/*": {"schema": {"type": "string", "format": "binary"}}}}
}
IMAGE_BODY: dict[str, Any] = {
    "requestBody": {
        "required": True,
        "content": {
            "image/jpeg": {"schema": {"type": "string", "format": "binary"}},
            "image/png": {"schema": {"type": "string", "format": "binary"}},
        },
    }
}


async def rich_menus(uow: UowDep, channel: ChannelDep) -> RichMenuService:
    return RichMenuService(uow, channel)


RichMenusDep = Annotated[RichMenuService, Depends(rich_menus)]


def menu_view(menu: RichMenu) -> RichMenuResponse:
    return RichMenuResponse(
        rich_menu_id=menu.rich_menu_id,
        size=RichMenuSizeModel(width=menu.width, height=menu.height),
        selected=menu.selected,
        name=menu.name,
        chat_bar_text=menu.chat_bar_text,
        areas=menu.areas,
    )


def alias_view(alias: RichMenuAlias) -> RichMenuAliasResponse:
    return RichMenuAliasResponse(rich_menu_alias_id=alias.alias_id, rich_menu_id=alias.rich_menu_id)


@router.post("/v2/bot/richmenu", response_model=RichMenuIdResponse)
async def create_rich_menu(body: JsonBody, menus: RichMenusDep) -> RichMenuIdResponse:
    """Up to 1000 menus per channel; areas must lie inside the menu's size."""
    menu = await menus.create(parse_rich_menu(body))
    return RichMenuIdResponse(rich_menu_id=menu.rich_menu_id)


@router.post("/v2/bot/richmenu/validate")
async def validate_rich_menu_object(body: JsonBody, channel: ChannelDep) -> dict[str, Any]:
    parse_rich_menu(body)
    return EMPTY


@router.get("/v2/bot/richmenu/list", response_model=RichMenuListResponse)
async def get_rich_menu_list(menus: RichMenusDep) -> RichMenuListResponse:
    return RichMenuListResponse(richmenus=[menu_view(menu) for menu in await menus.all()])


# Aliases (before /v2/bot/richmenu/{richMenuId}/...: an alias called "content" stays an alias).


@router.post("/v2/bot/richmenu/alias")
async def create_rich_menu_alias(body: JsonBody, menus: RichMenusDep) -> dict[str, Any]:
    """The alias names a menu of this channel that has its image; IDs are unique per channel."""
    alias_id = parse_alias_id(body.get("richMenuAliasId"))
    await menus.create_alias(alias_id, parse_alias_target(body))
    return EMPTY


@router.get("/v2/bot/richmenu/alias/list", response_model=RichMenuAliasListResponse)
async def get_rich_menu_alias_list(menus: RichMenusDep) -> RichMenuAliasListResponse:
    return RichMenuAliasListResponse(aliases=[alias_view(a) for a in await menus.aliases()])


@router.get("/v2/bot/richmenu/alias/{richMenuAliasId}", response_model=RichMenuAliasResponse)
async def get_rich_menu_alias(richMenuAliasId: str, menus: RichMenusDep) -> RichMenuAliasResponse:
    return alias_view(await menus.get_alias(richMenuAliasId))


@router.post("/v2/bot/richmenu/alias/{richMenuAliasId}")
async def update_rich_menu_alias(
    richMenuAliasId: str, body: JsonBody, menus: RichMenusDep
) -> dict[str, Any]:
    await menus.update_alias(richMenuAliasId, parse_alias_target(body))
    return EMPTY


@router.delete("/v2/bot/richmenu/alias/{richMenuAliasId}")
async def delete_rich_menu_alias(richMenuAliasId: str, menus: RichMenusDep) -> dict[str, Any]:
    await menus.delete_alias(richMenuAliasId)
    return EMPTY


# Bulk and batch: accepted now, carried out by a job.


@router.post("/v2/bot/richmenu/bulk/link", status_code=202)
async def link_rich_menu_id_to_users(body: JsonBody, menus: RichMenusDep) -> dict[str, Any]:
    """Up to 500 users; those who do not follow the account are skipped, as on the platform."""
    rich_menu_id, user_ids = parse_bulk_link(body)
    await menus.accept_bulk_link(rich_menu_id, user_ids)
    return EMPTY


@router.post("/v2/bot/richmenu/bulk/unlink", status_code=202)
async def unlink_rich_menu_id_from_users(body: JsonBody, menus: RichMenusDep) -> dict[str, Any]:
    menus.accept_bulk_unlink(parse_bulk_unlink(body))
    return EMPTY


@router.post("/v2/bot/richmenu/batch", status_code=202)
async def rich_menu_batch(body: JsonBody, request: Request, menus: RichMenusDep) -> dict[str, Any]:
    """Progress is read with this response's `X-Line-Request-Id`."""
    await menus.accept_batch(parse_batch(body), str(request.scope["state"]["request_id"]))
    return EMPTY


@router.post("/v2/bot/richmenu/validate/batch")
async def validate_rich_menu_batch_request(body: JsonBody, menus: RichMenusDep) -> dict[str, Any]:
    await menus.check_batch(parse_batch(body))
    return EMPTY


@router.get(
    "/v2/bot/richmenu/progress/batch",
    response_model=RichMenuBatchProgressResponse,
    response_model_exclude_none=True,
)
async def get_rich_menu_batch_progress(
    menus: RichMenusDep, request_id: Annotated[str, Query(alias="requestId")]
) -> RichMenuBatchProgressResponse:
    batch = await menus.progress(request_id)
    return RichMenuBatchProgressResponse(
        phase=batch.phase.value,
        accepted_time=iso_ms(batch.accepted_at),
        completed_time=iso_ms(batch.completed_at) if batch.completed_at else None,
    )


# One menu


@router.get("/v2/bot/richmenu/{richMenuId}", response_model=RichMenuResponse)
async def get_rich_menu(richMenuId: str, menus: RichMenusDep) -> RichMenuResponse:
    return menu_view(await menus.get(richMenuId))


@router.delete("/v2/bot/richmenu/{richMenuId}")
async def delete_rich_menu(richMenuId: str, menus: RichMenusDep) -> dict[str, Any]:
    """Users linked to it are unlinked and a default pointing at it is cancelled."""
    await menus.delete(richMenuId)
    return EMPTY


@router.post(
    "/v2/bot/richmenu/{richMenuId}/content",
    tags=["messaging-api-blob"],
    openapi_extra=IMAGE_BODY,
)
async def set_rich_menu_image(
    richMenuId: str, request: Request, menus: RichMenusDep
) -> dict[str, Any]:
    """JPEG or PNG of the menu's size (800-2500 px wide, 250 px or taller, width / height at
    least 1.45), at most 1 MB, once per menu."""
    data = await request.body()
    await menus.set_image(richMenuId, data, request.headers.get("content-type"))
    return EMPTY


@router.get(
    "/v2/bot/richmenu/{richMenuId}/content",
    tags=["messaging-api-blob"],
    response_class=Response,
    responses=BLOB,
)
async def get_rich_menu_image(richMenuId: str, menus: RichMenusDep) -> Response:
    data, content_type = await menus.image(richMenuId)
    return Response(data, media_type=content_type)


# The default menu and per-user menus


@router.post("/v2/bot/user/all/richmenu/{richMenuId}")
async def set_default_rich_menu(richMenuId: str, menus: RichMenusDep) -> dict[str, Any]:
    await menus.set_default(richMenuId)
    return EMPTY


@router.get("/v2/bot/user/all/richmenu", response_model=RichMenuIdResponse)
async def get_default_rich_menu_id(menus: RichMenusDep) -> RichMenuIdResponse:
    return RichMenuIdResponse(rich_menu_id=await menus.default_id())


@router.delete("/v2/bot/user/all/richmenu")
async def cancel_default_rich_menu(menus: RichMenusDep) -> dict[str, Any]:
    await menus.cancel_default()
    return EMPTY


@router.get("/v2/bot/user/{userId}/richmenu", response_model=RichMenuIdResponse)
async def get_rich_menu_id_of_user(userId: str, menus: RichMenusDep) -> RichMenuIdResponse:
    """The menu linked to the user (not the default: that one is not per-user)."""
    return RichMenuIdResponse(rich_menu_id=await menus.linked_id(userId))


@router.delete("/v2/bot/user/{userId}/richmenu")
async def unlink_rich_menu_id_from_user(userId: str, menus: RichMenusDep) -> dict[str, Any]:
    await menus.unlink(userId)
    return EMPTY


@router.post("/v2/bot/user/{userId}/richmenu/{richMenuId}")
async def link_rich_menu_id_to_user(
    userId: str, richMenuId: str, menus: RichMenusDep
) -> dict[str, Any]:
    await menus.link(userId, richMenuId)
    return EMPTY
