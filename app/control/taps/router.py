from typing import Annotated, Any

from fastapi import APIRouter, Depends
from pydantic import Field, model_validator

from app.control.engagement.service import EngagementService
from app.control.messages.service import InboxService
from app.control.taps.service import TapService
from app.control.webhook.router import ActingDep
from app.deps import ClockDep, UowDep
from app.schemas.base import WireModel

router = APIRouter(tags=["control: taps"])
MESSAGE = "/channels/{channelId}/users/{userId}/inbox/{messageId}"


class ActionView(WireModel):
    index: int
    path: str
    label: str | None = None
    quick_reply: bool
    action: dict[str, Any]


class TapRequest(WireModel):
    index: Annotated[int, Field(ge=0)] | None = None
    label: str | None = None
    # What the user picks in a datetime picker (its mode's format), or where they are.
    value: str | None = None
    location: dict[str, Any] | None = None

    @model_validator(mode="after")
    def one_way_to_choose(self) -> "TapRequest":
        if (self.index is None) == (self.label is None):
            raise ValueError("give either index or label")
        return self


async def get_taps(acting: ActingDep, uow: UowDep, clock: ClockDep) -> TapService:
    return TapService(
        acting, InboxService(uow.session, clock), EngagementService(uow.session, clock)
    )


TapsDep = Annotated[TapService, Depends(get_taps)]


@router.get(f"{MESSAGE}/actions", response_model=list[ActionView], response_model_exclude_none=True)
async def message_actions(messageId: str, taps: TapsDep) -> list[ActionView]:
    """What the user can tap in a message they received, by index: template buttons and
    columns, imagemap areas, Flex components with an action, quick reply buttons (on the last
    message only)."""
    return [
        ActionView(
            index=t.index, path=t.path, label=t.label, quick_reply=t.quick_reply, action=t.action
        )
        for t in await taps.actions(messageId)
    ]


@router.post(f"{MESSAGE}/tap")
async def tap(messageId: str, body: TapRequest, taps: TapsDep) -> dict[str, Any]:
    """The user taps an action (by index or label) and the app does what it would: message and
    location actions send the user's message, postback and datetimepicker actions a postback
    (with the picked `value`), uri opens (`uri`), clipboard copies (`copied`). Answers the
    action, its path and the webhook event it caused."""
    return await taps.tap(
        messageId, index=body.index, label=body.label, value=body.value, location=body.location
    )
