"""Push in one statement on the fast lane: the hot path of load tests against Kizuna.

It is `SendService.push` for the common case (no retry key, no quota plan) written as one
autocommit statement: find the user and the friendship, record the request, deliver if the user
follows. The rules are the same; the ORM path handles every other case and SQLite.
"""

import json
import uuid
from datetime import datetime
from typing import Any

from app.kit.fastlane import FastLane
from app.models import Channel, FriendshipStatus, Phase, QuotaType, SendKind

PUSH_SQL = f"""
WITH target AS (
    SELECT u.id AS user_pk, COALESCE(f.status = '{FriendshipStatus.FOLLOWING.value}', FALSE)
        AS following
    FROM users u
    LEFT JOIN friendships f ON f.user_pk = u.id AND f.channel_pk = $1
    WHERE u.user_id = $2
), request AS (
    INSERT INTO message_requests (channel_pk, request_id, kind, messages, notification_disabled,
        aggregation_units, phase, target_count, success_count, failure_count, batches_left,
        accepted_at, completed_at)
    SELECT $1, $3, '{SendKind.PUSH.value}', $4::json, $5, $6::json, '{Phase.SUCCEEDED.value}',
        1, following::int, 0, 0, $7, $7
    FROM target
    RETURNING id
), delivery AS (
    INSERT INTO deliveries (request_pk, user_pk, delivered_at)
    SELECT request.id, target.user_pk, $7 FROM request, target WHERE target.following
)
SELECT id FROM request
"""


def fits_fast_lane(channel: Channel, retry_key: str | None) -> bool:
    """Retry keys and limited quotas need checks before the write; those take the ORM path."""
    return retry_key is None and channel.quota_type == QuotaType.NONE


async def push_in_one_statement(
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
    row = await lane.fetchrow(
        PUSH_SQL,
        channel.id,
        to,
        request_id or str(uuid.uuid4()),
        json.dumps(messages),
        notification_disabled,
        None if aggregation_units is None else json.dumps(aggregation_units),
        now,
    )
    return None if row is None else int(row["id"])
