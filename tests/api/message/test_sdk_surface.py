"""Every sending endpoint through the official SDK, sync and async, with the SDK's typed result."""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from linebot.v3.messaging import (
    ApiClient,
    BroadcastRequest,
    GetAggregationUnitNameListResponse,
    GetAggregationUnitUsageResponse,
    MessageQuotaResponse,
    MessagingApi,
    MulticastRequest,
    NarrowcastProgressResponse,
    NarrowcastRequest,
    NumberOfMessagesResponse,
    PushMessageRequest,
    PushMessageResponse,
    QuotaConsumptionResponse,
    ReplyMessageRequest,
    ReplyMessageResponse,
    TextMessage,
    ValidateMessageRequest,
)

from tests.support.control import ChannelInfo, Control
from tests.support.live import LiveServer
from tests.support.sdk import call_async, call_sync, messaging_config

HELLO = [TextMessage(text="Hello")]
YESTERDAY_OR_ANY_DAY = "20261101"


@dataclass
class Context:
    control: Control
    channel: ChannelInfo
    friend: str
    narrowcast_request_id: str

    def reply_token(self) -> str:
        return self.control.reply_token(self.channel, self.friend)


def _empty(result: Any) -> bool:
    return result == {}


Operation = tuple[Callable[[Any, Context], Any], Callable[[Any], bool]]


def _is(model: type) -> Callable[[Any], bool]:
    return lambda result: isinstance(result, model)


OPERATIONS: dict[str, Operation] = {
    "reply_message": (
        lambda api, c: api.reply_message(
            ReplyMessageRequest(reply_token=c.reply_token(), messages=HELLO)
        ),
        _is(ReplyMessageResponse),
    ),
    "push_message": (
        lambda api, c: api.push_message(PushMessageRequest(to=c.friend, messages=HELLO)),
        _is(PushMessageResponse),
    ),
    "multicast": (
        lambda api, c: api.multicast(MulticastRequest(to=[c.friend], messages=HELLO)),
        _empty,
    ),
    "broadcast": (lambda api, c: api.broadcast(BroadcastRequest(messages=HELLO)), _empty),
    "narrowcast": (lambda api, c: api.narrowcast(NarrowcastRequest(messages=HELLO)), _empty),
    "get_narrowcast_progress": (
        lambda api, c: api.get_narrowcast_progress(c.narrowcast_request_id),
        _is(NarrowcastProgressResponse),
    ),
    **{
        f"validate_{kind}": (
            lambda api, c, kind=kind: getattr(api, f"validate_{kind}")(
                ValidateMessageRequest(messages=HELLO)
            ),
            lambda result: result is None,
        )
        for kind in ("reply", "push", "multicast", "narrowcast", "broadcast")
    },
    "get_message_quota": (lambda api, c: api.get_message_quota(), _is(MessageQuotaResponse)),
    "get_message_quota_consumption": (
        lambda api, c: api.get_message_quota_consumption(),
        _is(QuotaConsumptionResponse),
    ),
    **{
        f"get_number_of_sent_{kind}_messages": (
            lambda api, c, kind=kind: getattr(api, f"get_number_of_sent_{kind}_messages")(
                YESTERDAY_OR_ANY_DAY
            ),
            _is(NumberOfMessagesResponse),
        )
        for kind in ("reply", "push", "multicast", "broadcast")
    },
    "get_aggregation_unit_usage": (
        lambda api, c: api.get_aggregation_unit_usage(),
        _is(GetAggregationUnitUsageResponse),
    ),
    "get_aggregation_unit_name_list": (
        lambda api, c: api.get_aggregation_unit_name_list(),
        _is(GetAggregationUnitNameListResponse),
    ),
}


@pytest.fixture
def context(server: LiveServer, control: Control, channel: ChannelInfo) -> Context:
    friend = control.user("Friend")
    control.follow(channel, friend)
    with ApiClient(messaging_config(server.base_url, channel.access_token)) as client:
        response = MessagingApi(client).narrowcast_with_http_info(NarrowcastRequest(messages=HELLO))
    return Context(control, channel, friend, str(response.headers["X-Line-Request-Id"]))


def test_the_table_covers_every_sending_operation_of_the_sdk() -> None:
    sending = {
        name
        for name in dir(MessagingApi)
        if not name.startswith("_")
        and not name.endswith("_with_http_info")
        and (
            name in {"reply_message", "push_message", "multicast", "broadcast", "narrowcast"}
            or name == "get_narrowcast_progress"
            or name.startswith(
                ("validate_", "get_number_of_sent_", "get_aggregation_unit", "get_message_quota")
            )
        )
    }
    # Validation of rich menus belongs to the rich menu issue, not to sending.
    sending -= {"validate_rich_menu_batch_request", "validate_rich_menu_object"}
    assert sending == set(OPERATIONS)


@pytest.mark.parametrize("name", sorted(OPERATIONS))
def test_sync_client(name: str, server: LiveServer, context: Context) -> None:
    call, check = OPERATIONS[name]
    token = context.channel.access_token
    result = call_sync(server.base_url, token, lambda api: call(api, context))
    assert check(result), f"{name} returned {result!r}"


@pytest.mark.asyncio
@pytest.mark.parametrize("name", sorted(OPERATIONS))
async def test_async_client(name: str, server: LiveServer, context: Context) -> None:
    call, check = OPERATIONS[name]
    token = context.channel.access_token
    result = await call_async(server.base_url, token, lambda api: call(api, context))
    assert check(result), f"{name} returned {result!r}"
