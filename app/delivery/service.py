"""The rules of sending: who receives what, exactly once, within quota and retry rules."""

import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import true
from sqlalchemy.ext.asyncio import AsyncSession

from app.api.coupon.service import check_coupon_messages
from app.control.groups.repository import ChatKind, ChatRepository, MultiChat
from app.control.users.repository import UserRepository
from app.delivery import identity
from app.delivery.narrowcast import TargetParser, resolve_audiences, target_condition
from app.delivery.repository import DeliveryRepository
from app.kit.clock import Clock
from app.kit.errors import (
    BadRequest,
    Conflict,
    ErrorDetail,
    Forbidden,
    TooManyRequests,
    UnprocessableEntity,
)
from app.kit.uow import UnitOfWork
from app.models import (
    Channel,
    DeliveryBatch,
    FriendshipStatus,
    Group,
    MessageRequest,
    Phase,
    QuotaType,
    RetryKey,
    SendKind,
)
from app.webhook.events import Chat, EventService

RETRY_KEY_TTL = timedelta(hours=24)
# The platform's month (quota, consumption) runs on Japan time.
PLATFORM_TZ = ZoneInfo("Asia/Tokyo")
UNKNOWN_RECIPIENT = "Failed to send messages"
MONTHLY_LIMIT = "You have reached your monthly limit."
DEMOGRAPHIC_MINIMUM = 100  # attribute filters reaching fewer are refused (403)
RECIPIENT_MINIMUM = 50  # fewer are accepted, then fail with error code 2
TOO_FEW_TARGETS = "The target reach of the demographic filter is less than 100"


@dataclass(frozen=True)
class SentMessage:
    id: str
    quote_token: str | None


@dataclass(frozen=True)
class Accepted:
    request: MessageRequest
    sent_messages: list[SentMessage]


class RetryKeyAccepted(Conflict):
    def __init__(self, request: MessageRequest, sent: list[SentMessage] | None) -> None:
        extra: dict[str, Any] = {}
        if sent is not None:
            extra["sentMessages"] = [_sent_wire(message) for message in sent]
        super().__init__(
            "The retry key is already accepted",
            headers={"X-Line-Accepted-Request-Id": request.request_id},
            extra=extra,
        )


def _sent_wire(message: SentMessage) -> dict[str, str]:
    body = {"id": message.id}
    if message.quote_token:
        body["quoteToken"] = message.quote_token
    return body


def sent_messages(
    channel: Channel, kind: SendKind, request_pk: int, messages: list[dict[str, Any]]
) -> list[SentMessage]:
    """The ids (and quote tokens) of a one-recipient send, derived from the request's key."""
    sent = []
    for index, message in enumerate(messages):
        message_id = identity.message_id(kind, request_pk, None, index)
        token = (
            identity.quote_token(channel.secret, message_id) if identity.quotable(message) else None
        )
        sent.append(SentMessage(message_id, token))
    return sent


def month_start(now: datetime) -> datetime:
    local = now.astimezone(PLATFORM_TZ)
    return local.replace(day=1, hour=0, minute=0, second=0, microsecond=0)


class SendService:
    def __init__(self, uow: UnitOfWork, channel: Channel, request_id: str) -> None:
        self.uow = uow
        # The request's own X-Line-Request-Id names the send (narrowcast progress asks by it).
        self.request_id = request_id
        self.session: AsyncSession = uow.session
        self.channel = channel
        self.clock: Clock = uow.services.clock
        self.deliveries = DeliveryRepository(uow.session)
        self.batch_span = uow.services.settings.batch_span

    # --- retry keys ---------------------------------------------------------------------------

    async def check_retry_key(self, key: str | None, kind: SendKind) -> None:
        if key is None:
            return
        now = self.clock.now()
        earlier = await self.deliveries.retry_key(self.channel.id, key, now - RETRY_KEY_TTL)
        if earlier is not None:
            sent = self.sent_messages(earlier) if kind == SendKind.PUSH else None
            raise RetryKeyAccepted(earlier, sent)
        await self.deliveries.forget_retry_key(self.channel.id, key)

    async def _remember_retry_key(self, key: str | None, request: MessageRequest) -> None:
        if key is not None:
            await self.deliveries.add(
                RetryKey(
                    channel_pk=self.channel.id,
                    retry_key=key,
                    request_pk=request.id,
                    created_at=self.clock.now(),
                )
            )

    # --- quota --------------------------------------------------------------------------------

    async def usage(self) -> int:
        return await self.deliveries.usage(self.channel.id, month_start(self.clock.now()))

    async def remaining_quota(self) -> int | None:
        now = self.clock.now()
        quota_type, quota_limit = self.channel.quota_at(now)
        if quota_type != QuotaType.LIMITED:
            return None
        since = month_start(now)
        used = await self.deliveries.usage(self.channel.id, since)
        reserved = await self.deliveries.reserved(self.channel.id, since)
        return max((quota_limit or 0) - used - reserved, 0)

    async def _require_quota(self, recipients: int) -> None:
        remaining = await self.remaining_quota()
        if remaining is not None and recipients > remaining:
            raise TooManyRequests(MONTHLY_LIMIT)

    # --- sends --------------------------------------------------------------------------------

    async def _request(
        self,
        kind: SendKind,
        messages: list[dict[str, Any]],
        *,
        notification_disabled: bool,
        aggregation_units: list[str] | None = None,
        target: dict[str, Any] | None = None,
        phase: Phase = Phase.SUCCEEDED,
        target_count: int | None = None,
        success_count: int = 0,
    ) -> MessageRequest:
        now = self.clock.now()
        # Every send records its request here, so one check covers reply, push, multicast,
        # broadcast, narrowcast and LINE notification messages.
        await check_coupon_messages(self.session, self.channel.id, messages, int(now.timestamp()))
        return await self.deliveries.add(
            MessageRequest(
                channel_pk=self.channel.id,
                request_id=self.request_id or str(uuid.uuid4()),
                kind=kind,
                messages=messages,
                notification_disabled=notification_disabled,
                aggregation_units=aggregation_units,
                target=target,
                phase=phase,
                target_count=target_count,
                success_count=success_count,
                failure_count=0,
                batches_left=0,
                accepted_at=now,
                completed_at=now if phase == Phase.SUCCEEDED else None,
            )
        )

    def sent_messages(self, request: MessageRequest) -> list[SentMessage]:
        return sent_messages(self.channel, request.kind, request.id, request.messages)

    async def push(
        self,
        to: str,
        messages: list[dict[str, Any]],
        *,
        notification_disabled: bool,
        aggregation_units: list[str] | None,
        retry_key: str | None,
    ) -> Accepted:
        await self.check_retry_key(retry_key, SendKind.PUSH)
        if not to.startswith("U"):
            accepted = await self._to_chat(
                SendKind.PUSH,
                await self._chat_with_bot("group" if to.startswith("C") else "room", to),
                messages,
                notification_disabled=notification_disabled,
                aggregation_units=aggregation_units,
            )
            await self._remember_retry_key(retry_key, accepted.request)
            return accepted
        recipient = await self.deliveries.recipient(self.channel.id, to)
        if recipient is None:
            raise BadRequest(UNKNOWN_RECIPIENT)
        user_pk, following = recipient
        if following:
            await self._require_quota(1)
        request = await self._request(
            SendKind.PUSH,
            messages,
            notification_disabled=notification_disabled,
            aggregation_units=aggregation_units,
            target_count=1,
            success_count=int(following),
        )
        if following:
            await self.deliveries.add_delivery(request, user_pk, self.clock.now())
        await self._remember_retry_key(retry_key, request)
        return Accepted(request, self.sent_messages(request))

    async def reply(
        self, reply_token: str, messages: list[dict[str, Any]], *, notification_disabled: bool
    ) -> Accepted:
        now = self.clock.now()
        token = await self.deliveries.reply_token(reply_token)
        if (
            token is None
            or token.channel_pk != self.channel.id
            or token.used_at is not None
            or token.expires_at <= now
            or not await self.deliveries.use_reply_token(token.id, now)
        ):
            raise BadRequest("Invalid reply token")
        if token.user_pk is None:
            kind: ChatKind = "group" if token.group_pk is not None else "room"
            chat = await ChatRepository(self.session).by_key(
                kind, token.group_pk or token.room_pk or 0
            )
            if chat is None or chat.channel_pk != self.channel.id:
                # The bot has left the chat the token came from.
                raise BadRequest("Invalid reply token")
            return await self._to_chat(
                SendKind.REPLY, chat, messages, notification_disabled=notification_disabled
            )
        following = await self.deliveries.is_following(self.channel.id, token.user_pk)
        request = await self._request(
            SendKind.REPLY,
            messages,
            notification_disabled=notification_disabled,
            target_count=1,
            success_count=int(following),
        )
        if following:
            await self.deliveries.add_delivery(request, token.user_pk, now)
        return Accepted(request, self.sent_messages(request))

    async def pnp(
        self,
        phone_hash: str,
        messages: list[dict[str, Any]],
        *,
        notification_disabled: bool,
        delivery_tag: str | None,
    ) -> Accepted:
        """A LINE notification message: reaches the user with that phone number whether or not
        they are a friend (unless they blocked the account), outside the message quota; the bot
        then receives a delivery completion event carrying the tag (or the hash)."""
        users = UserRepository(self.session)
        user = await users.by_phone_hash(phone_hash)
        friendship = await users.friendship(self.channel.id, user.id) if user else None
        if user is None or (friendship and friendship.status == FriendshipStatus.BLOCKED):
            raise UnprocessableEntity(UNKNOWN_RECIPIENT)
        request = await self._request(
            SendKind.PNP,
            messages,
            notification_disabled=notification_disabled,
            target_count=1,
            success_count=1,
        )
        now = self.clock.now()
        await self.deliveries.add_delivery(request, user.id, now)
        body = {"delivery": {"data": delivery_tag or phone_hash}}
        await EventService(self.uow).emit(self.channel, Chat(user), "delivery", body, reply=False)
        return Accepted(request, self.sent_messages(request))

    async def _chat_with_bot(self, kind: ChatKind, chat_id: str) -> MultiChat:
        chat = await ChatRepository(self.session).get(kind, chat_id)
        if chat is None or chat.channel_pk != self.channel.id:
            raise BadRequest(UNKNOWN_RECIPIENT)
        return chat

    async def _to_chat(
        self,
        kind: SendKind,
        chat: MultiChat,
        messages: list[dict[str, Any]],
        *,
        notification_disabled: bool,
        aggregation_units: list[str] | None = None,
    ) -> Accepted:
        """A send to a group or room: every member sees it, and each member counts as a
        recipient (push consumes quota per member, as on the platform)."""
        members = await ChatRepository(self.session).count(chat)
        if kind == SendKind.PUSH:
            await self._require_quota(members)
        request = await self._request(
            kind,
            messages,
            notification_disabled=notification_disabled,
            aggregation_units=aggregation_units,
            target_count=members,
            success_count=members,
        )
        if isinstance(chat, Group):
            request.group_pk = chat.id
        else:
            request.room_pk = chat.id
        return Accepted(request, self.sent_messages(request))

    async def multicast(
        self,
        to: list[str],
        messages: list[dict[str, Any]],
        *,
        notification_disabled: bool,
        aggregation_units: list[str] | None,
        retry_key: str | None,
    ) -> MessageRequest:
        await self.check_retry_key(retry_key, SendKind.MULTICAST)
        await self._require_quota(len(set(to)))
        request = await self._request(
            SendKind.MULTICAST,
            messages,
            notification_disabled=notification_disabled,
            aggregation_units=aggregation_units,
            target={"to": sorted(set(to))},
            phase=Phase.SENDING,
        )
        await self._plan([(0, 0)], request)
        await self._remember_retry_key(retry_key, request)
        return request

    async def broadcast(
        self,
        messages: list[dict[str, Any]],
        *,
        notification_disabled: bool,
        aggregation_units: list[str] | None,
        retry_key: str | None,
    ) -> MessageRequest:
        await self.check_retry_key(retry_key, SendKind.BROADCAST)
        key_range = await self.deliveries.follower_key_range(self.channel.id)
        if self.channel.quota_at(self.clock.now())[0] == QuotaType.LIMITED:
            await self._require_quota(await self.deliveries.count_targets(self.channel.id, true()))
        request = await self._request(
            SendKind.BROADCAST,
            messages,
            notification_disabled=notification_disabled,
            aggregation_units=aggregation_units,
            phase=Phase.SENDING,
        )
        await self._plan(split(key_range, self.batch_span), request)
        await self._remember_retry_key(retry_key, request)
        return request

    async def _plan(self, ranges: list[tuple[int, int]], request: MessageRequest) -> None:
        """Write the batches of a fan-out; their jobs start once the request commits."""
        now = self.clock.now()
        if not ranges:
            request.phase = Phase.SUCCEEDED
            request.completed_at = now
            return
        request.phase = Phase.SENDING
        request.batches_left = len(ranges)
        for lo, hi in ranges:
            batch = await self.deliveries.add(
                DeliveryBatch(request_pk=request.id, lo=lo, hi=hi, done=False, delivered=0)
            )
            self.uow.enqueue_after_commit("deliver_batch", batch_pk=batch.id)


def split(key_range: tuple[int, int] | None, span: int) -> list[tuple[int, int]]:
    """Friendship key ranges of `span` keys: big enough for INSERT..SELECT to run at full
    speed, small enough that a retried batch redoes little."""
    if key_range is None:
        return []
    lo, hi = key_range
    return [(start, min(start + span - 1, hi)) for start in range(lo, hi + 1, span)]


class NarrowcastService(SendService):
    """Narrowcast: resolve the target in SQL, check the thresholds, plan batches."""

    async def narrowcast(
        self,
        body: dict[str, Any],
        parsed: TargetParser,
        *,
        retry_key: str | None,
        share: dict[str, int] | None = None,
    ) -> MessageRequest:
        """`share` (the manager's A/B tests) keeps the part of the target one variant gets."""
        await self.check_retry_key(retry_key, SendKind.NARROWCAST)
        now = self.clock.now()
        audience_keys, smallest_audience = await resolve_audiences(
            self.session, self.channel.id, parsed.audience_ids, now
        )
        request_keys: dict[str, int] = {}
        for prop, request_id in parsed.request_ids:
            earlier = await self.deliveries.request_by_id(self.channel.id, request_id)
            if earlier is None:
                raise BadRequest(
                    f"Invalid request id: {request_id}", [ErrorDetail("Invalid request id", prop)]
                )
            request_keys[request_id] = earlier.id
        target = {
            "recipient": body.get("recipient"),
            "filter": body.get("filter"),
            "limit": body.get("limit"),
            "asOf": now.isoformat(),
            "requestKeys": request_keys,
            "audienceKeys": audience_keys,
        }
        if share is not None:
            target["split"] = share
        condition = target_condition(target)
        reach = await self.deliveries.count_targets(self.channel.id, condition)
        if body.get("filter") is not None:
            # An A/B variant's share is not the filter's reach: the whole target's is.
            reach_of_filter = reach
            if share is not None:
                whole = target_condition({**target, "split": None})
                reach_of_filter = await self.deliveries.count_targets(self.channel.id, whole)
            if reach_of_filter < DEMOGRAPHIC_MINIMUM:
                raise Forbidden(TOO_FEW_TARGETS)
        limit = body.get("limit") or {}
        count = reach if limit.get("max") is None else min(reach, int(limit["max"]))
        failure: tuple[int, str] | None = None
        remaining = await self.remaining_quota()
        if remaining is not None and count > remaining:
            if not limit.get("upToRemainingQuota"):
                raise TooManyRequests(MONTHLY_LIMIT)
            if limit.get("forbidPartialDelivery"):
                failure = (5, "forbidPartialDelivery: the remaining quota cannot reach everyone")
            count = remaining
        if (
            failure is None
            and smallest_audience is not None
            and smallest_audience < RECIPIENT_MINIMUM
        ):
            failure = (4, "An audience of fewer than 50 users is among the recipients")
        if failure is None and count < RECIPIENT_MINIMUM:
            failure = (2, "There were not enough recipients (fewer than 50)")
        request = await self._request(
            SendKind.NARROWCAST,
            body["messages"],
            notification_disabled=bool(body.get("notificationDisabled", False)),
            aggregation_units=body.get("customAggregationUnits"),
            target=target,
            phase=Phase.WAITING,
            target_count=count,
        )
        await self._remember_retry_key(retry_key, request)
        if failure is not None:
            request.phase, request.completed_at = Phase.FAILED, now
            request.error_code, request.failed_description = failure
            return request
        key_range = await self.deliveries.follower_key_range(self.channel.id)
        if key_range is not None and count < reach:
            last = await self.deliveries.nth_target_key(self.channel.id, condition, count)
            key_range = (key_range[0], int(last)) if last is not None else None
        await self._plan(split(key_range, self.batch_span), request)
        return request
