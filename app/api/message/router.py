from datetime import date, datetime
from typing import Annotated, Any

from fastapi import APIRouter, Body, Depends, Header, Query, Request

from app.api.deps import ChannelDep
from app.api.message.schemas import (
    AggregationListResponse,
    AggregationUsageResponse,
    ConsumptionResponse,
    DeliveryCountResponse,
    NarrowcastProgressResponse,
    QuotaResponse,
    SentMessageModel,
    SentMessagesResponse,
    parse_retry_key,
    parse_send_body,
)
from app.api.message.service import MessageQueries
from app.delivery.narrowcast import TargetParser
from app.delivery.service import (
    NarrowcastService,
    SendService,
    SentMessage,
)
from app.deps import ClockDep, ServicesDep, UowDep
from app.kit.errors import BadRequest
from app.kit.uow import unit_of_work_scope
from app.models import QuotaType, SendKind

router = APIRouter(tags=["messaging-api"])

JsonBody = Annotated[dict[str, Any], Body()]
RetryKeyHeader = Annotated[str | None, Header(alias="X-Line-Retry-Key")]
EMPTY: dict[str, Any] = {}


async def request_id(request: Request) -> str:
    return str(request.scope["state"]["request_id"])


RequestIdDep = Annotated[str, Depends(request_id)]


def _sent(messages: list[SentMessage]) -> SentMessagesResponse:
    return SentMessagesResponse(
        sent_messages=[SentMessageModel(id=m.id, quote_token=m.quote_token) for m in messages]
    )


@router.post(
    "/v2/bot/message/reply", response_model=SentMessagesResponse, response_model_exclude_none=True
)
async def reply_message(
    body: JsonBody, channel: ChannelDep, uow: UowDep, request_id: RequestIdDep
) -> SentMessagesResponse:
    parsed = parse_send_body(body, reply=True)
    accepted = await SendService(uow, channel, request_id).reply(
        parsed.reply_token, parsed.messages, notification_disabled=parsed.notification_disabled
    )
    return _sent(accepted.sent_messages)


@router.post(
    "/v2/bot/message/push", response_model=SentMessagesResponse, response_model_exclude_none=True
)
async def push_message(
    body: JsonBody,
    channel: ChannelDep,
    services: ServicesDep,
    request_id: RequestIdDep,
    retry_key: RetryKeyHeader = None,
) -> SentMessagesResponse:
    # The common push on Postgres never gets here: `FastPushRoute` answers it on the fast lane.
    key = parse_retry_key(retry_key)
    parsed = parse_send_body(body, to="one")
    async with unit_of_work_scope(services) as uow:
        accepted = await SendService(uow, channel, request_id).push(
            parsed.to[0],
            parsed.messages,
            notification_disabled=parsed.notification_disabled,
            aggregation_units=parsed.aggregation_units,
            retry_key=key,
        )
    return _sent(accepted.sent_messages)


@router.post("/v2/bot/message/multicast")
async def multicast(
    body: JsonBody,
    channel: ChannelDep,
    uow: UowDep,
    request_id: RequestIdDep,
    retry_key: RetryKeyHeader = None,
) -> dict[str, Any]:
    key = parse_retry_key(retry_key)
    parsed = parse_send_body(body, to="many")
    await SendService(uow, channel, request_id).multicast(
        parsed.to,
        parsed.messages,
        notification_disabled=parsed.notification_disabled,
        aggregation_units=parsed.aggregation_units,
        retry_key=key,
    )
    return EMPTY


@router.post("/v2/bot/message/broadcast")
async def broadcast(
    body: JsonBody,
    channel: ChannelDep,
    uow: UowDep,
    request_id: RequestIdDep,
    retry_key: RetryKeyHeader = None,
) -> dict[str, Any]:
    key = parse_retry_key(retry_key)
    parsed = parse_send_body(body)
    await SendService(uow, channel, request_id).broadcast(
        parsed.messages,
        notification_disabled=parsed.notification_disabled,
        aggregation_units=parsed.aggregation_units,
        retry_key=key,
    )
    return EMPTY


@router.post("/v2/bot/message/narrowcast", status_code=202)
async def narrowcast(
    body: JsonBody,
    channel: ChannelDep,
    uow: UowDep,
    request_id: RequestIdDep,
    retry_key: RetryKeyHeader = None,
) -> dict[str, Any]:
    key = parse_retry_key(retry_key)
    target = TargetParser()
    target.parse(body)
    parse_send_body(body, extra=target.errors)
    await NarrowcastService(uow, channel, request_id).narrowcast(body, target, retry_key=key)
    return EMPTY


@router.get(
    "/v2/bot/message/progress/narrowcast",
    response_model=NarrowcastProgressResponse,
    response_model_exclude_none=True,
)
async def narrowcast_progress(
    channel: ChannelDep, uow: UowDep, request_id: Annotated[str, Query(alias="requestId")]
) -> NarrowcastProgressResponse:
    return await MessageQueries(uow.session, channel).narrowcast_progress(request_id)


@router.get("/v2/bot/message/quota", response_model=QuotaResponse, response_model_exclude_none=True)
async def get_quota(channel: ChannelDep, clock: ClockDep) -> QuotaResponse:
    quota_type, quota_limit = channel.quota_at(clock.now())
    if quota_type == QuotaType.LIMITED:
        return QuotaResponse(type="limited", value=quota_limit or 0)
    return QuotaResponse(type="none")


@router.get("/v2/bot/message/quota/consumption", response_model=ConsumptionResponse)
async def get_consumption(channel: ChannelDep, uow: UowDep) -> ConsumptionResponse:
    return ConsumptionResponse(total_usage=await SendService(uow, channel, "").usage())


def _validate_route(kind: str) -> None:
    async def validate(body: JsonBody, channel: ChannelDep) -> dict[str, Any]:
        parse_send_body({"messages": body.get("messages")})
        return EMPTY

    validate.__name__ = f"validate_{kind}"
    router.post(f"/v2/bot/message/validate/{kind}")(validate)


for _kind in ("reply", "push", "multicast", "narrowcast", "broadcast"):
    _validate_route(_kind)


def _parse_date(value: str) -> date:
    try:
        return datetime.strptime(value, "%Y%m%d").date()
    except ValueError:
        raise BadRequest("The value for the 'date' parameter is invalid") from None


def _count_route(kind: SendKind) -> None:
    async def count(
        channel: ChannelDep, uow: UowDep, day: Annotated[str, Query(alias="date")]
    ) -> DeliveryCountResponse:
        return await MessageQueries(uow.session, channel).delivered_on(
            kind, _parse_date(day), uow.services.clock.now()
        )

    count.__name__ = f"get_number_of_sent_{kind.value}_messages"
    router.get(
        f"/v2/bot/message/delivery/{kind.value}",
        response_model=DeliveryCountResponse,
        response_model_exclude_none=True,
    )(count)


@router.post("/bot/pnp/push")
async def push_by_phone(
    body: JsonBody,
    channel: ChannelDep,
    uow: UowDep,
    request_id: RequestIdDep,
    delivery_tag: Annotated[
        str | None, Header(alias="X-Line-Delivery-Tag", min_length=16, max_length=100)
    ] = None,
) -> dict[str, Any]:
    """A LINE notification message to the user with a phone number (`to`: its SHA-256)."""
    parsed = parse_send_body(body, to="phone")
    await SendService(uow, channel, request_id).pnp(
        parsed.to[0],
        parsed.messages,
        notification_disabled=parsed.notification_disabled,
        delivery_tag=delivery_tag,
    )
    return EMPTY


for _send_kind in (
    SendKind.REPLY,
    SendKind.PUSH,
    SendKind.MULTICAST,
    SendKind.BROADCAST,
    SendKind.PNP,
):
    _count_route(_send_kind)


@router.get("/v2/bot/message/aggregation/info", response_model=AggregationUsageResponse)
async def aggregation_usage(channel: ChannelDep, uow: UowDep) -> AggregationUsageResponse:
    units = await MessageQueries(uow.session, channel).units_this_month(uow.services.clock.now())
    return AggregationUsageResponse(num_of_custom_aggregation_units=len(units))


@router.get(
    "/v2/bot/message/aggregation/list",
    response_model=AggregationListResponse,
    response_model_exclude_none=True,
)
async def aggregation_list(
    channel: ChannelDep,
    uow: UowDep,
    limit: Annotated[int, Query(ge=1, le=100)] = 100,
    start: Annotated[str | None, Query()] = None,
) -> AggregationListResponse:
    units = await MessageQueries(uow.session, channel).units_this_month(uow.services.clock.now())
    offset = 0
    if start is not None:
        if not start.isdigit():
            raise BadRequest("The value for the 'start' parameter is invalid")
        offset = int(start)
    page = units[offset : offset + limit]
    more = offset + limit < len(units)
    return AggregationListResponse(
        custom_aggregation_units=page, next=str(offset + limit) if more else None
    )
