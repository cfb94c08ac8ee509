"""The Insight API (`linebot.v3.insight`): figures counted from what Kizuna recorded.

Every route answers with `exclude_unset`: withheld figures go out as null, as the platform
sends them, and fields never set are left out."""

import re
from typing import Annotated

from fastapi import APIRouter, Query

from app.api.deps import ChannelDep
from app.api.insight import schemas as s
from app.api.insight.service import InsightService, parse_day
from app.deps import UowDep
from app.kit.errors import BadRequest, ErrorDetail

router = APIRouter(tags=["insight"])
PREFIX = "/v2/bot/insight"
UNIT = r"^[a-zA-Z0-9_]{1,30}$"

From = Annotated[str, Query(alias="from")]
To = Annotated[str, Query(alias="to")]


def _service(channel: ChannelDep, uow: UowDep) -> InsightService:
    return InsightService(uow.session, channel, uow.services.clock.now())


@router.get(
    f"{PREFIX}/followers", response_model=s.FollowersResponse, response_model_exclude_unset=True
)
async def get_number_of_followers(
    channel: ChannelDep, uow: UowDep, day: Annotated[str | None, Query(alias="date")] = None
) -> s.FollowersResponse:
    parsed = parse_day(day, "date") if day is not None else None
    return await _service(channel, uow).followers(parsed)


@router.get(
    f"{PREFIX}/message/delivery",
    response_model=s.MessageDeliveriesResponse,
    response_model_exclude_unset=True,
)
async def get_number_of_message_deliveries(
    channel: ChannelDep, uow: UowDep, day: Annotated[str, Query(alias="date")]
) -> s.MessageDeliveriesResponse:
    return await _service(channel, uow).deliveries(parse_day(day, "date"))


@router.get(
    f"{PREFIX}/demographic",
    response_model=s.DemographicsResponse,
    response_model_exclude_unset=True,
)
async def get_friends_demographics(channel: ChannelDep, uow: UowDep) -> s.DemographicsResponse:
    return await _service(channel, uow).demographics()


@router.get(
    f"{PREFIX}/message/event",
    response_model=s.MessageEventResponse,
    response_model_exclude_unset=True,
)
async def get_message_event(
    channel: ChannelDep, uow: UowDep, request_id: Annotated[str, Query(alias="requestId")]
) -> s.MessageEventResponse:
    if not request_id:
        raise BadRequest(
            "The value for the 'requestId' parameter is invalid",
            [ErrorDetail("May not be empty", "requestId")],
        )
    return await _service(channel, uow).message_event(request_id)


@router.get(
    f"{PREFIX}/message/event/aggregation",
    response_model=s.MessageEventResponse,
    response_model_exclude_unset=True,
)
async def get_statistics_per_unit(
    channel: ChannelDep,
    uow: UowDep,
    unit: Annotated[str, Query(alias="customAggregationUnit")],
    start: From,
    end: To,
) -> s.MessageEventResponse:
    if not re.fullmatch(UNIT, unit):
        raise BadRequest(
            "The value for the 'customAggregationUnit' parameter is invalid",
            [ErrorDetail("Must be 1 to 30 letters, digits or _", "customAggregationUnit")],
        )
    return await _service(channel, uow).unit_statistics(
        unit, parse_day(start, "from"), parse_day(end, "to")
    )


@router.get(
    f"{PREFIX}/richmenu/{{richMenuId}}/summary",
    response_model=s.RichMenuSummaryResponse,
    response_model_exclude_unset=True,
)
async def get_rich_menu_insight_summary(
    channel: ChannelDep, uow: UowDep, richMenuId: str, start: From, end: To
) -> s.RichMenuSummaryResponse:
    return await _service(channel, uow).rich_menu_summary(
        richMenuId, parse_day(start, "from"), parse_day(end, "to")
    )


@router.get(
    f"{PREFIX}/richmenu/{{richMenuId}}/daily",
    response_model=s.RichMenuDailyResponse,
    response_model_exclude_unset=True,
)
async def get_rich_menu_insight_daily(
    channel: ChannelDep, uow: UowDep, richMenuId: str, start: From, end: To
) -> s.RichMenuDailyResponse:
    return await _service(channel, uow).rich_menu_daily(
        richMenuId, parse_day(start, "from"), parse_day(end, "to")
    )
