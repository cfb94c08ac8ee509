"""Push on the fast lane: the hot path of load tests against Kizuna.

It is `SendService.push` for the common case (no retry key, no quota plan) written as one
autocommit statement: find each user and friendship, record each request, deliver to those who
follow. The pushes of every request in flight together share that statement (see `Batcher`):
one round trip and one commit for all of them. The rules are the same as the ORM path's, which
handles every other case and SQLite.
"""

import json
import uuid
from dataclasses import dataclass
from datetime import datetime
from functools import partial
from typing import Any

from app.api.coupon.service import coupon_ids_named, coupon_message_errors
from app.kit.errors import body_errors
from app.kit.fastlane import FastLane
from app.models import Channel, CouponStatus, FriendshipStatus, Phase, QuotaType, SendKind

PUSH_SQL = f"""
WITH input AS (
    SELECT * FROM unnest($1::bigint[], $2::text[], $3::text[], $4::json[], $5::bool[],
        $6::json[], $7::timestamptz[])
        AS i(channel_pk, user_id, request_id, messages, notification_disabled,
            aggregation_units, accepted_at)
), target AS (
    SELECT input.*, u.id AS user_pk,
        COALESCE(f.status = '{FriendshipStatus.FOLLOWING.value}', FALSE) AS following
    FROM input
    JOIN users u ON u.user_id = input.user_id
    LEFT JOIN friendships f ON f.user_pk = u.id AND f.channel_pk = input.channel_pk
), request AS (
    INSERT INTO message_requests (channel_pk, request_id, kind, messages, notification_disabled,
        aggregation_units, phase, target_count, success_count, failure_count, batches_left,
        accepted_at, completed_at)
    SELECT channel_pk, request_id, '{SendKind.PUSH.value}', messages, notification_disabled,
        aggregation_units, '{Phase.SUCCEEDED.value}', 1, following::int, 0, 0,
        accepted_at, accepted_at
    FROM target
    RETURNING id, request_id
), delivery AS (
    INSERT INTO deliveries (request_pk, user_pk, delivered_at)
    SELECT request.id, target.user_pk, target.accepted_at
    FROM request JOIN target USING (request_id)
    WHERE target.following
)
SELECT request_id, id FROM request
"""


@dataclass(frozen=True)
class Push:
    channel_pk: int
    to: str
    request_id: str
    messages: str
    notification_disabled: bool
    aggregation_units: str | None
    accepted_at: datetime


def fits_fast_lane(channel: Channel, retry_key: str | None, to: str) -> bool:
    """Retry keys and limited quotas need checks before the write, and pushes to groups and
    rooms count their members; those take the ORM path."""
    return (
        retry_key is None
        and channel.quota_type == QuotaType.NONE
        and channel.quota_next_at is None  # a plan change to come: the ORM path reads it
        and to.startswith("U")
    )


async def _push_many(lane: FastLane, pushes: list[Push]) -> list[int | None]:
    rows = await lane.fetch(
        PUSH_SQL,
        [push.channel_pk for push in pushes],
        [push.to for push in pushes],
        [push.request_id for push in pushes],
        [push.messages for push in pushes],
        [push.notification_disabled for push in pushes],
        [push.aggregation_units for push in pushes],
        [push.accepted_at for push in pushes],
    )
    keys = {row["request_id"]: int(row["id"]) for row in rows}
    return [keys.get(push.request_id) for push in pushes]


COUPONS_SQL = """
SELECT coupon_id, status, end_timestamp FROM coupons
WHERE channel_pk = $1 AND coupon_id = ANY($2::text[])
"""


async def _check_coupon_messages(
    lane: FastLane, channel: Channel, messages: list[dict[str, Any]], now: datetime
) -> None:
    """The ORM path's coupon rule (`check_coupon_messages`), read on the lane: a push rarely
    carries a coupon, and then pays one more round trip."""
    coupon_ids = coupon_ids_named(messages)
    if not coupon_ids:
        return
    rows = await lane.fetch(COUPONS_SQL, channel.id, coupon_ids)
    found = {
        row["coupon_id"]: (CouponStatus(row["status"]), int(row["end_timestamp"])) for row in rows
    }
    errors = coupon_message_errors(messages, found, int(now.timestamp()))
    if errors:
        raise body_errors(errors)


async def push_on_fast_lane(
    lane: FastLane,
    channel: Channel,
    request_id: str,
    to: str,
    messages: list[dict[str, Any]],
    *,
    notification_disabled: bool,
    aggregation_units: list[str] | None,
    now: datetime,
) -> int | None:
    """The new request's key, or None when no such user exists."""
    await _check_coupon_messages(lane, channel, messages, now)
    push = Push(
        channel_pk=channel.id,
        to=to,
        request_id=request_id or str(uuid.uuid4()),
        messages=json.dumps(messages),
        notification_disabled=notification_disabled,
        aggregation_units=None if aggregation_units is None else json.dumps(aggregation_units),
        accepted_at=now,
    )
    return await lane.batcher("push", partial(_push_many, lane)).submit(push)
