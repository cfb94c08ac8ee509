from typing import Annotated, Any

from fastapi import APIRouter, Depends
from pydantic import Field, model_validator

from app.api.richmenu.service import RichMenuService
from app.control.messages.service import InboxService
from app.control.richmenu.service import RichMenuTaps, areas_of
from app.control.taps.service import TapService
from app.control.webhook.router import ActingDep
from app.deps import ClockDep, UowDep
from app.schemas.base import WireModel

router = APIRouter(tags=["control: rich menus"])
USER = "/channels/{channelId}/users/{userId}"


class RichMenuSize(WireModel):
    width: int
    height: int


class AreaView(WireModel):
    index: int
    bounds: dict[str, int]
    action: dict[str, Any]


class ShownRichMenuView(WireModel):
    rich_menu_id: str
    # "user": linked to this user; "default": the channel's default set with the API.
    source: str
    name: str
    chat_bar_text: str
    selected: bool
    size: RichMenuSize
    has_image: bool
    areas: list[AreaView]


class RichMenuTapRequest(WireModel):
    index: Annotated[int, Field(ge=0)] | None = None
    x: Annotated[int, Field(ge=0)] | None = None
    y: Annotated[int, Field(ge=0)] | None = None
    label: str | None = None
    # What the user picks in a datetime picker area (its mode's format).
    value: str | None = None

    @model_validator(mode="after")
    def one_way_to_choose(self) -> "RichMenuTapRequest":
        ways = [self.index is not None, self.x is not None or self.y is not None, bool(self.label)]
        if sum(ways) != 1:
            raise ValueError("give one of index, x and y, or label")
        if (self.x is None) != (self.y is None):
            raise ValueError("give both x and y")
        return self


async def get_rich_menu_taps(acting: ActingDep, uow: UowDep, clock: ClockDep) -> RichMenuTaps:
    return RichMenuTaps(
        acting,
        RichMenuService(uow, acting.channel),
        TapService(acting, InboxService(uow.session, clock)),
    )


RichMenuTapsDep = Annotated[RichMenuTaps, Depends(get_rich_menu_taps)]


@router.get(f"{USER}/richmenu", response_model=ShownRichMenuView)
async def shown_rich_menu(taps: RichMenuTapsDep) -> ShownRichMenuView:
    """The rich menu the user sees in the chat: the one linked to them, else the channel's
    default set with the API (404 when there is none, or the user is not a friend)."""
    shown = await taps.shown()
    menu = shown.menu
    return ShownRichMenuView(
        rich_menu_id=menu.rich_menu_id,
        source=shown.source,
        name=menu.name,
        chat_bar_text=menu.chat_bar_text,
        selected=menu.selected,
        size=RichMenuSize(width=menu.width, height=menu.height),
        has_image=menu.image is not None,
        areas=[AreaView(index=a.index, bounds=a.bounds, action=a.action) for a in areas_of(shown)],
    )


@router.post(f"{USER}/richmenu/tap")
async def tap_rich_menu(body: RichMenuTapRequest, taps: RichMenuTapsDep) -> dict[str, Any]:
    """The user taps an area of their rich menu, chosen by `index`, by a point `x`, `y` of the
    image (the area whose bounds hold it) or by its action's `label`. The app does what it
    would: postback and datetimepicker (with the picked `value`) send a postback, message the
    user's text, uri answers the `uri` opened, richmenuswitch switches the user's menu to the
    alias's and sends a postback with `params: {newRichMenuAliasId, status}`. Answers the area,
    its action and the webhook event it caused."""
    return await taps.tap(index=body.index, x=body.x, y=body.y, label=body.label, value=body.value)
