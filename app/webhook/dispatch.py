"""Sending the outbox to the bot: signed requests, one logged attempt each, retries, redelivery."""

import json
import time
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import aiohttp

from app.kit.db import transaction
from app.kit.queue import job
from app.kit.services import Services
from app.models import Channel, EventState, WebhookAttempt
from app.webhook.repository import WebhookRepository
from app.webhook.signature import sign

USER_AGENT = "LineBotWebhook/2.0"
RESPONSE_KEPT = 1024
# A dispatcher that claimed events and then died leaves them "sending"; after this they return.
STALE_CLAIM = timedelta(seconds=30)
REPLY_HORIZON = timedelta(minutes=20)


@dataclass(frozen=True)
class Outcome:
    success: bool
    status_code: int
    reason: str | None
    detail: str | None
    response: str | None
    latency_ms: int


def webhook_body(channel: Channel, events: list[dict[str, Any]]) -> bytes:
    """Compact UTF-8 JSON, non-ASCII unescaped: the bytes signed are the bytes sent."""
    body = {"destination": channel.bot_user_id, "events": events}
    return json.dumps(body, ensure_ascii=False, separators=(",", ":")).encode()


async def post_signed(services: Services, channel: Channel, url: str, body: bytes) -> Outcome:
    headers = {
        "Content-Type": "application/json; charset=utf-8",
        "User-Agent": USER_AGENT,
        "X-Line-Signature": sign(channel.secret, body),
    }
    timeout = aiohttp.ClientTimeout(total=services.settings.webhook_timeout_seconds)
    started = time.perf_counter()

    def outcome(
        success: bool, status: int, reason: str | None, detail: str | None, text: str | None
    ) -> Outcome:
        return Outcome(
            success, status, reason, detail, text, int((time.perf_counter() - started) * 1000)
        )

    try:
        async with (await services.http()).post(
            url, data=body, headers=headers, timeout=timeout, allow_redirects=False
        ) as response:
            text = (await response.content.read(RESPONSE_KEPT)).decode(errors="replace")
            if 200 <= response.status < 300:
                return outcome(True, response.status, None, None, text)
            return outcome(
                False,
                response.status,
                "ERROR_STATUS_CODE",
                f"The webhook returned an HTTP status code other than 200.({response.status})",
                text,
            )
    except TimeoutError:
        return outcome(False, 0, "REQUEST_TIMEOUT", "Request timeout", None)
    except aiohttp.ClientConnectorError as exc:
        return outcome(False, 0, "COULD_NOT_CONNECT", f"Connection failed: {exc.os_error}", None)
    except (aiohttp.ClientError, ValueError) as exc:
        return outcome(False, 0, "UNCLASSIFIED", f"{type(exc).__name__}: {exc}", None)


@dataclass
class Claimed:
    channel: Channel
    url: str
    keys: list[int]
    events: list[dict[str, Any]]
    redelivery: bool


async def _claim(services: Services, channel_pk: int) -> Claimed | None:
    now = services.clock.now()
    async with transaction(services.session_maker) as session:
        repository = WebhookRepository(session)
        await repository.lock_channel(channel_pk)
        await repository.release_stale(channel_pk, now - STALE_CLAIM)
        if await repository.in_flight(channel_pk):
            return None  # the dispatcher holding them sends the rest after (order per channel)
        channel = await session.get(Channel, channel_pk)
        due = await repository.due(channel_pk, now, services.settings.webhook_max_events)
        if channel is None or not due:
            return None
        if not channel.webhook_enabled or not channel.webhook_url:
            for event in due:
                event.state = EventState.SKIPPED
            return None
        # Events sent before go again in their own request, marked as a redelivery.
        redelivery = due[0].attempts > 0
        batch = [event for event in due if (event.attempts > 0) == redelivery]
        for event in batch:
            event.state = EventState.SENDING
            event.claimed_at = now
            event.attempts += 1
        payloads = [
            {**event.payload, "deliveryContext": {"isRedelivery": redelivery}} for event in batch
        ]
        if redelivery:
            await _renew_reply_tokens(services, repository, payloads)
        return Claimed(channel, channel.webhook_url, [e.id for e in batch], payloads, redelivery)


async def _renew_reply_tokens(
    services: Services, repository: WebhookRepository, payloads: list[dict[str, Any]]
) -> None:
    """A redelivered event's reply token works for a minute from the redelivery, but never
    later than 20 minutes after the event (COMPATIBILITY.md)."""
    now = services.clock.now()
    ttl = timedelta(seconds=services.settings.reply_token_seconds)
    tokens = [p["replyToken"] for p in payloads if "replyToken" in p]
    for token in await repository.reply_tokens(tokens):
        if token.used_at is None:
            token.expires_at = max(
                token.expires_at, min(now + ttl, token.issued_at + REPLY_HORIZON)
            )


async def _record(services: Services, claimed: Claimed, outcome: Outcome) -> float | None:
    """Log the attempt and move its events on; answers the delay before a redelivery, if any."""
    now = services.clock.now()
    schedule = services.settings.redelivery_schedule
    retry_in: float | None = None
    async with transaction(services.session_maker) as session:
        repository = WebhookRepository(session)
        await repository.add(
            WebhookAttempt(
                channel_pk=claimed.channel.id,
                url=claimed.url,
                event_ids=[event["webhookEventId"] for event in claimed.events],
                is_redelivery=claimed.redelivery,
                started_at=now,
                latency_ms=outcome.latency_ms,
                success=outcome.success,
                status_code=outcome.status_code,
                reason=outcome.reason,
                detail=outcome.detail,
                response=outcome.response,
            )
        )
        for event in await repository.events(claimed.keys):
            if outcome.success:
                event.state, event.sent_at = EventState.SENT, now
            elif claimed.channel.webhook_redelivery and event.attempts <= len(schedule):
                delay = schedule[event.attempts - 1]
                event.state = EventState.PENDING
                event.next_attempt_at = now + timedelta(seconds=delay)
                retry_in = delay if retry_in is None else min(retry_in, delay)
            else:
                event.state = EventState.FAILED
    return retry_in


@job
async def dispatch_webhooks(ctx: dict[str, Any], channel_pk: int) -> int:
    """Send a channel's due events until none is left (safe to run twice)."""
    services: Services = ctx["services"]
    sent = 0
    while (claimed := await _claim(services, channel_pk)) is not None:
        body = webhook_body(claimed.channel, claimed.events)
        outcome = await post_signed(services, claimed.channel, claimed.url, body)
        retry_in = await _record(services, claimed, outcome)
        if outcome.success:
            sent += len(claimed.events)
        elif retry_in is not None:
            await services.queue.enqueue_in(retry_in, "dispatch_webhooks", channel_pk=channel_pk)
        # A failure does not stop the loop: events that came meanwhile (a dispatcher that found
        # this one busy left them here) get their own first attempt; failed ones are not due.
    return sent
