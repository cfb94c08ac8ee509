"""A simulated user's JSON message on Postgres without FastAPI in the way: the hot path of the
webhook latency bench.

The route (`send_message` behind `acting_user`) costs several ORM round trips and about as much
CPU again in FastAPI's dependency solving. This ASGI layer answers the common case itself — a
text, sticker or location message as JSON, to a channel that takes messages, from a user who has
not blocked it, of a channel with no response messages to send — with one statement shared by
every message in flight (see `Batcher`): it finds
the channel, the user and the friendship, and writes the user message, its reply token and its
webhook event only if the route would have. Anything else (media, malformed bodies, unknown
channels or users, blocked users, suspended channels) goes on to the route, body replayed, so
errors keep one source.

The event is built before the statement, so its quote token and mode come from what this process
last saw of the channel; the statement writes nothing unless the channel is still that, and
answers what it is now for one more try.
"""

import asyncio
import json
import logging
import re
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import partial
from typing import Any

import asyncpg
import orjson
from starlette.requests import Request
from starlette.types import ASGIApp, Receive, Scope, Send

from app.kit.asgi import replay_body, send_json
from app.kit.errors import BadRequest
from app.kit.fastlane import FastLane
from app.kit.services import Services
from app.models import ChannelStatus, EventMode, EventState, FriendshipStatus
from app.webhook.events import event_object, message_object, new_read_token, new_reply_token
from app.webhook.user_messages import parse_user_message

log = logging.getLogger(__name__)

MESSAGES_PATH = re.compile(r"/_kizuna/channels/([^/]+)/users/([^/]+)/messages")
# Channels remembered per process; past this the memory starts again (a miss costs one retry).
KNOWN_CHANNELS = 10_000

SAY_SQL = f"""
WITH input AS (
    SELECT * FROM unnest($1::text[], $2::bigint[], $3::text[], $4::bool[], $5::text[],
            $6::text[], $7::text[], $8::json[], $9::text[], $10::text[], $11::text[],
            $12::json[], $13::timestamptz[], $14::timestamptz[])
        WITH ORDINALITY AS i(channel_id, assumed_pk, assumed_secret, assumed_standby, user_id,
            message_id, type, message, read_token, reply_token, event_id, payload, at,
            expires_at, n)
), target AS (
    SELECT i.*, c.id AS channel_pk, c.secret, c.event_mode, u.id AS user_pk,
        COALESCE(
            c.id = i.assumed_pk AND c.secret = i.assumed_secret
                AND (c.event_mode = '{EventMode.STANDBY.value}') = i.assumed_standby
                AND c.status <> '{ChannelStatus.SUSPENDED.value}'
                AND u.id IS NOT NULL
                AND f.status IS DISTINCT FROM '{FriendshipStatus.BLOCKED.value}'
                -- A channel whose response messages may answer goes to the route, which sends
                -- them (app/control/manager).
                AND NOT (
                    EXISTS (SELECT 1 FROM manager_response_rules r
                            WHERE r.channel_pk = c.id AND r.enabled)
                    AND COALESCE((SELECT s.auto_response_enabled FROM manager_settings s
                                  WHERE s.channel_pk = c.id), TRUE)
                ),
            FALSE
        ) AS ok,
        COALESCE(c.webhook_enabled AND COALESCE(c.webhook_url, '') <> '', FALSE) AS listening
    FROM input i
    LEFT JOIN channels c ON c.channel_id = i.channel_id
    LEFT JOIN users u ON u.user_id = i.user_id
    LEFT JOIN friendships f ON f.channel_pk = c.id AND f.user_pk = u.id
), message AS (
    INSERT INTO user_messages (message_id, channel_pk, user_pk, type, message,
        mark_as_read_token, sent_at)
    SELECT message_id, channel_pk, user_pk, type, message, read_token, at
    FROM target WHERE ok ORDER BY n
), token AS (
    INSERT INTO reply_tokens (token, channel_pk, user_pk, issued_at, expires_at)
    SELECT reply_token, channel_pk, user_pk, at, expires_at
    FROM target WHERE ok AND reply_token IS NOT NULL ORDER BY n
), event AS (
    -- In the order of the batch: the dispatcher sends a channel's events in id order.
    INSERT INTO webhook_events (channel_pk, event_id, payload, state, attempts, created_at)
    SELECT channel_pk, event_id, payload,
        CASE WHEN listening THEN '{EventState.PENDING.value}'
            ELSE '{EventState.SKIPPED.value}' END,
        0, at
    FROM target WHERE ok ORDER BY n
)
SELECT n, ok, listening, channel_pk, secret, event_mode FROM target
"""


@dataclass(frozen=True)
class Known:
    """What a user message's event depends on in its channel."""

    pk: int
    secret: str
    standby: bool


@dataclass
class Said:
    """One message on its way: its ids and tokens are drawn once, whatever the tries."""

    channel_id: str
    user_id: str
    content: dict[str, Any]
    message_id: str
    event_id: str
    read_token: str
    reply_token: str
    at: datetime
    expires_at: datetime
    known: Known | None = None
    message: dict[str, Any] | None = None
    event: dict[str, Any] | None = None

    def assume(self, known: Known | None) -> None:
        """Build the message and its event for the channel as `known` (a guess when None: the
        statement then writes nothing and tells what the channel is)."""
        self.known = known
        secret = known.secret if known else ""
        standby = known.standby if known else False
        self.message = message_object(self.message_id, self.content, secret, self.read_token)
        self.event = event_object(
            "message",
            standby=standby,
            at_ms=int(self.at.timestamp() * 1000),
            event_id=self.event_id,
            source={"type": "user", "userId": self.user_id},
            reply_token=None if standby else self.reply_token,
            body={"message": self.message},
        )


@dataclass(frozen=True)
class Outcome:
    ok: bool
    channel: Known | None  # the channel as the statement saw it (None: no such channel)


async def _say_many(services: Services, lane: FastLane, batch: list[Said]) -> list[Outcome]:
    known = [said.known for said in batch]
    events = [said.event or {} for said in batch]
    rows = await lane.fetch(
        SAY_SQL,
        [said.channel_id for said in batch],
        [k.pk if k else None for k in known],
        [k.secret if k else None for k in known],
        [k.standby if k else None for k in known],
        [said.user_id for said in batch],
        [said.message_id for said in batch],
        [said.content["type"] for said in batch],
        [json.dumps(said.message) for said in batch],
        [said.read_token for said in batch],
        [event.get("replyToken") for event in events],
        [said.event_id for said in batch],
        [json.dumps(event) for event in events],
        [said.at for said in batch],
        [said.expires_at for said in batch],
    )
    outcomes: list[Outcome] = [Outcome(False, None)] * len(batch)
    woken: set[int] = set()
    for row in rows:
        channel = None
        if row["channel_pk"] is not None:
            standby = row["event_mode"] == EventMode.STANDBY.value
            channel = Known(int(row["channel_pk"]), row["secret"], standby)
        outcomes[int(row["n"]) - 1] = Outcome(bool(row["ok"]), channel)
        if row["ok"] and row["listening"]:
            woken.add(int(row["channel_pk"]))
    # One wake-up per channel and batch: the dispatcher sends whatever is due when it claims.
    await asyncio.gather(
        *(services.queue.enqueue("dispatch_webhooks", channel_pk=pk) for pk in sorted(woken))
    )
    return outcomes


class _Channels:
    """The channels this process has seen, by channel id (a hint the statement checks)."""

    def __init__(self) -> None:
        self.known: dict[str, Known] = {}

    def learn(self, channel_id: str, known: Known) -> None:
        if len(self.known) >= KNOWN_CHANNELS:
            self.known.clear()
        self.known[channel_id] = known


async def say_on_fast_lane(services: Services, lane: FastLane, said: Said) -> dict[str, Any] | None:
    """The event of the message once written; None when the route must answer instead (it
    refuses the message, or the channel kept changing under the tries)."""
    channels = lane.keep("user-message-channels", _Channels)
    batcher = lane.batcher("user-message", partial(_say_many, services, lane))
    said.assume(channels.known.get(said.channel_id))
    for _ in range(2):
        outcome = await batcher.submit(said)
        if outcome.ok:
            return said.event
        if outcome.channel is None or outcome.channel == said.known:
            return None  # refused as it is: the route says why
        channels.learn(said.channel_id, outcome.channel)
        said.assume(outcome.channel)
    return None


class FastUserMessageRoute:
    def __init__(self, app: ASGIApp, state: Any) -> None:
        self.app = app
        self.state = state  # the FastAPI app's state, where the lifespan puts the services

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        services: Services | None = getattr(self.state, "services", None)
        match = (
            MESSAGES_PATH.fullmatch(scope["path"])
            if scope["type"] == "http" and scope["method"] == "POST"
            else None
        )
        if match is None or services is None or services.fast_lane is None:
            await self.app(scope, receive, send)
            return
        request = Request(scope, receive)
        content_type = request.headers.get("content-type", "")
        if content_type.split(";")[0].strip().lower() != "application/json":
            await self.app(scope, receive, send)
            return
        raw = await request.body()
        try:
            content = parse_user_message(orjson.loads(raw))
        except (orjson.JSONDecodeError, BadRequest):
            await self.app(scope, replay_body(raw, receive), send)
            return
        now = services.clock.now()
        said = Said(
            channel_id=match[1],
            user_id=match[2],
            content=content,
            message_id=services.ids.message_id(),
            event_id=services.ids.webhook_event_id(int(now.timestamp() * 1000)),
            read_token=new_read_token(),
            reply_token=new_reply_token(),
            at=now,
            expires_at=now + timedelta(seconds=services.settings.reply_token_seconds),
        )
        try:
            event = await say_on_fast_lane(services, services.fast_lane, said)
        except asyncpg.PostgresError:
            # The batch's statement failed as a whole (a clash of random ids, say): nothing of
            # it was written, and each message gets the route's own try.
            log.warning("user messages on the fast lane failed", exc_info=True)
            event = None
        if event is None:
            await self.app(scope, replay_body(raw, receive), send)
            return
        await send_json(send, 201, event)
