"""Sending the outbox to the bot: signed requests, one logged attempt each, retries, redelivery.

Two paths, one set of rules. On SQLite (the embedded default) a job sends its channel's events
through the ORM, one request at a time. On Postgres a `Dispatcher` per process sends for every
channel it is woken for: one statement claims the due events of many channels, each channel's
requests go out one after another (one request in flight per channel is what keeps the bot's
order), many channels at once, and one statement records the attempts of all the requests that
finished meanwhile. The ORM path costs about eleven statements per request; this one a few per
claim and one per batch of attempts.
"""

import asyncio
import contextlib
import json
import logging
import math
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import aiohttp
import asyncpg

from app.kit.db import transaction
from app.kit.metrics import observe_webhook
from app.kit.queue import InProcessQueue, wake_up
from app.kit.services import Services
from app.models import Channel, EventState, WebhookAttempt
from app.webhook.client import BadResponse, ConnectFailed, Disconnected
from app.webhook.repository import AttemptRow, WebhookLane, WebhookRepository
from app.webhook.signature import sign

log = logging.getLogger(__name__)

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
    return _body(channel.bot_user_id, events)


def _body(destination: str, events: list[dict[str, Any]]) -> bytes:
    """Compact UTF-8 JSON, non-ASCII unescaped: the bytes signed are the bytes sent."""
    body = {"destination": destination, "events": events}
    return json.dumps(body, ensure_ascii=False, separators=(",", ":")).encode()


async def post_signed(services: Services, channel: Channel, url: str, body: bytes) -> Outcome:
    return await _post(services, channel.secret, url, body)


async def _post(services: Services, secret: str, url: str, body: bytes) -> Outcome:
    outcome = await _send(services, secret, url, body)
    observe_webhook(outcome.reason, outcome.latency_ms)
    return outcome


async def _send(services: Services, secret: str, url: str, body: bytes) -> Outcome:
    client = services.webhook_client()
    target = client.target(url)
    if target is None:
        return await _post_aiohttp(services, secret, url, body)
    started = time.perf_counter()
    headers = b"".join((LEAN_HEADERS, b"X-Line-Signature: ", sign(secret, body).encode(), b"\r\n"))
    try:
        async with asyncio.timeout(services.settings.webhook_timeout_seconds):
            answer = await client.post(target, headers, body)
    except TimeoutError:
        return _outcome(started, False, 0, "REQUEST_TIMEOUT", "Request timeout", None)
    except ConnectFailed as exc:
        return _outcome(started, False, 0, "COULD_NOT_CONNECT", f"Connection failed: {exc}", None)
    except (Disconnected, BadResponse, OSError) as exc:
        return _outcome(started, False, 0, "UNCLASSIFIED", f"{type(exc).__name__}: {exc}", None)
    if 200 <= answer.status < 300:
        return _outcome(started, True, answer.status, None, None, answer.text)
    detail = f"The webhook returned an HTTP status code other than 200.({answer.status})"
    return _outcome(started, False, answer.status, "ERROR_STATUS_CODE", detail, answer.text)


LEAN_HEADERS = (
    f"Content-Type: application/json; charset=utf-8\r\nUser-Agent: {USER_AGENT}\r\n".encode()
)


def _outcome(
    started: float,
    success: bool,
    status: int,
    reason: str | None,
    detail: str | None,
    text: str | None,
) -> Outcome:
    return Outcome(
        success, status, reason, detail, text, int((time.perf_counter() - started) * 1000)
    )


async def _post_aiohttp(services: Services, secret: str, url: str, body: bytes) -> Outcome:
    headers = {
        "Content-Type": "application/json; charset=utf-8",
        "User-Agent": USER_AGENT,
        "X-Line-Signature": sign(secret, body),
    }
    timeout = aiohttp.ClientTimeout(total=services.settings.webhook_timeout_seconds)
    started = time.perf_counter()

    def outcome(
        success: bool, status: int, reason: str | None, detail: str | None, text: str | None
    ) -> Outcome:
        return _outcome(started, success, status, reason, detail, text)

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
            event.state, delay = _fate(
                outcome.success, event.attempts, claimed.channel.webhook_redelivery, schedule
            )
            if event.state == EventState.SENT:
                event.sent_at = now
            elif delay is not None:
                event.next_attempt_at = now + timedelta(seconds=delay)
                retry_in = delay if retry_in is None else min(retry_in, delay)
    return retry_in


def _fate(
    success: bool, attempts: int, redelivery: bool, schedule: Sequence[float]
) -> tuple[EventState, float | None]:
    """An event's state after an attempt (`attempts` counts it), and the delay before the next
    one when it will be sent again."""
    if success:
        return EventState.SENT, None
    if redelivery and attempts <= len(schedule):
        return EventState.PENDING, schedule[attempts - 1]
    return EventState.FAILED, None


@wake_up
async def dispatch_webhooks(ctx: dict[str, Any], channel_pk: int) -> int:
    """Send a channel's due events until none is left (safe to run twice)."""
    services: Services = ctx["services"]
    if services.fast_lane is not None:
        if not isinstance(services.queue, InProcessQueue):
            # Under arq a job that waits holds one of the worker's few slots
            # (KIZUNA_WORKER_MAX_JOBS) while its channel stays busy: with more busy channels
            # than slots, every wake-up waited in Redis behind them (seconds at 500 messages/s
            # on 8 channels). Woken, the dispatcher sends on its own; its sweeps pick up what a
            # dead worker left.
            dispatcher(services).wake(channel_pk)
            return 0
        return await dispatcher(services).dispatch(channel_pk)
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


# The fast path (Postgres).

# Channels sent to at once: the HTTP client keeps 64 connections per host, and a request that
# waits for a connection spends its own timeout waiting.
MAX_CHAINS = 64
# Requests a channel sends per claim: one claim and one commit serve many requests.
CHAIN_REQUESTS = 16
# A chain still sending after this gives its unsent events back, long before another dispatcher
# could take them for a dead one's (STALE_CLAIM).
CHAIN_BUDGET = STALE_CLAIM / 2
# How often a dispatcher looks for channels with work and no job (a worker that died).
SWEEP_EVERY = 5.0
# How long closing waits for the requests in flight (beyond the webhook timeout) and their log.
CLOSE_GRACE = 5.0


@dataclass(frozen=True)
class _Request:
    keys: list[int]
    event_ids: list[str]
    attempts: list[int]  # counting this one
    redelivery: bool
    body: bytes


@dataclass
class _Chain:
    """A channel's claimed events as the requests that carry them, in the order they go."""

    channel_pk: int
    url: str
    secret: str
    redelivery_on: bool
    requests: list[_Request]
    deadline: float = math.inf  # event-loop time after which unsent requests are given back
    full: bool = False  # the claim took as many as it could: more are likely waiting
    error: BaseException | None = None  # what stopped the recording of one of its attempts

    def keys(self) -> list[int]:
        return [key for request in self.requests for key in request.keys]


def _packs(redelivered: Sequence[bool], size: int) -> list[list[int]]:
    """Positions of the events of each request, as successive ORM claims would pack them: among
    the first `size` left, those of the same kind (first attempt or redelivery) as the first."""
    left = list(range(len(redelivered)))
    packs: list[list[int]] = []
    while left:
        window = left[:size]
        kind = redelivered[window[0]]
        pack = [i for i in window if redelivered[i] == kind]
        packs.append(pack)
        if len(pack) == len(window):
            left = left[len(window) :]
        else:
            taken = set(pack)
            left = [i for i in left if i not in taken]
    return packs


def _chains(rows: Sequence[asyncpg.Record], max_events: int) -> dict[int, _Chain]:
    by_channel: dict[int, list[asyncpg.Record]] = {}
    for row in rows:
        if row["listening"]:
            by_channel.setdefault(int(row["channel_pk"]), []).append(row)
    chains: dict[int, _Chain] = {}
    for channel_pk, events in by_channel.items():
        events.sort(key=lambda row: int(row["id"]))
        first = events[0]
        redelivered = [row["attempts_before"] > 0 for row in events]
        requests = []
        head = b'{"destination":' + json.dumps(first["bot_user_id"]).encode() + b',"events":['
        for pack in _packs(redelivered, max_events):
            redelivery = redelivered[pack[0]]
            body = b",".join(_with_context(events[i]["payload"], redelivery) for i in pack)
            requests.append(
                _Request(
                    keys=[int(events[i]["id"]) for i in pack],
                    event_ids=[events[i]["event_id"] for i in pack],
                    attempts=[int(events[i]["attempts"]) for i in pack],
                    redelivery=redelivery,
                    body=head + body + b"]}",
                )
            )
        chains[channel_pk] = _Chain(
            channel_pk, first["webhook_url"], first["secret"], first["webhook_redelivery"], requests
        )
    return chains


def _with_context(payload: str, redelivery: bool) -> bytes:
    """The event's JSON object (as jsonb prints it) with its `deliveryContext` added, spliced
    as text: a parse and a dump per event cost the dispatcher more than signing it."""
    context = f'"deliveryContext": {{"isRedelivery": {"true" if redelivery else "false"}}}}}'
    inner = payload.rstrip()[:-1].rstrip()
    return (inner + (", " if inner != "{" else "") + context).encode()


def _reply_tokens(rows: Sequence[asyncpg.Record]) -> list[str]:
    """Tokens of the events about to be redelivered: they are renewed before they go."""
    tokens = []
    for row in rows:
        if row["listening"] and row["attempts_before"] > 0:
            token = json.loads(row["payload"]).get("replyToken")
            if token:
                tokens.append(token)
    return tokens


class Dispatcher:
    """Sends the outbox of every channel this process is woken for, until none has work.

    A channel is *active* from the job that wakes it until a claim finds nothing due for it (or
    another dispatcher sending to it) and nothing is left to send. The first job for an inactive
    channel waits until then, as the ORM path's job does, so a worker that dies leaves arq a job
    to run again; a job for a channel already active only marks it for one more claim. The loop
    runs only while some channel is active.

    Each active channel has one sender: its chains go one after another, so one request at a
    time reaches the bot, in id order. While a full chain goes, the next is claimed (events this
    dispatcher holds do not count as another's in flight), so a busy channel never waits for a
    claim or for the log of its last requests.
    """

    def __init__(self, services: Services, lane: WebhookLane) -> None:
        self.services = services
        self.lane = lane
        self._dirty: set[int] = set()  # channels to claim for
        self._senders: dict[int, asyncio.Task[None]] = {}
        self._queued: dict[int, list[_Chain]] = {}  # claimed, behind the one being sent
        self._held: dict[int, set[int]] = {}  # events claimed here and not yet logged
        self._keepers: dict[int, asyncio.Future[int]] = {}
        self._sent: dict[int, int] = {}  # events sent per kept channel, for its keeper
        self._wake = asyncio.Event()
        self._runner: asyncio.Task[None] | None = None
        self._swept_at = -math.inf
        self._recorder = _Recorder(lane)
        self._closing = False
        self._persistent = False  # runs while idle too, sweeping (a worker's)

    async def dispatch(self, channel_pk: int) -> int:
        """Wake for a channel; answers the events sent while this job kept it."""
        if self._closing:
            return 0  # the events stay pending: the next dispatcher's sweep finds them
        self.wake(channel_pk)
        kept = self._keepers.get(channel_pk)
        if kept is not None and not kept.done():  # a keeper cancelled (timed out) keeps nothing
            return 0
        keeper: asyncio.Future[int] = asyncio.get_running_loop().create_future()
        self._keepers[channel_pk] = keeper
        self._sent[channel_pk] = 0
        return await keeper

    def wake(self, channel_pk: int) -> None:
        """Claim for the channel soon, without waiting for it to be done."""
        self._dirty.add(channel_pk)
        self._start()

    def start(self) -> None:
        """Run from now on, idle or not (a worker's): sweep at once, then every SWEEP_EVERY."""
        self._persistent = True
        self._start()

    async def aclose(self) -> None:
        """Stop claiming: the requests in flight finish and are logged, and the events claimed
        but not yet sent go back to pending, uncounted, for another dispatcher to send."""
        self._closing = True
        self._wake.set()
        deadline = self.services.settings.webhook_timeout_seconds + CLOSE_GRACE
        started = asyncio.get_running_loop().time()
        # The runner first: a claim it is making hands its chains to senders made meanwhile,
        # and their results to the recorder; so each group is read only when its turn comes.
        groups: tuple[Callable[[], list[asyncio.Task[None] | None]], ...] = (
            lambda: [self._runner],
            lambda: list(self._senders.values()),
            lambda: [self._recorder.task],
        )
        for group in groups:
            running = [task for task in group() if task is not None and not task.done()]
            if not running:
                continue
            left = max(deadline - (asyncio.get_running_loop().time() - started), 0.1)
            _, late = await asyncio.wait(running, timeout=left)
            for task in late:
                task.cancel()  # their unlogged events go back after STALE_CLAIM
            await asyncio.gather(*late, return_exceptions=True)

    def _start(self) -> None:
        if self._closing:
            return
        self._wake.set()
        if self._runner is None or self._runner.done():
            self._runner = asyncio.create_task(self._run(), name="webhook-dispatcher")

    def _release(self, channel_pk: int, error: BaseException | None = None) -> None:
        keeper = self._keepers.pop(channel_pk, None)
        sent = self._sent.pop(channel_pk, 0)
        if keeper is None or keeper.done():
            return
        if error is None:
            keeper.set_result(sent)
        elif isinstance(error, asyncio.CancelledError):
            keeper.cancel()
        else:
            keeper.set_exception(error)

    def _ready(self) -> list[int]:
        """Channels to claim for: marked, with no chain already waiting, within MAX_CHAINS."""
        room = MAX_CHAINS - len(self._senders)
        ready = []
        for channel_pk in sorted(self._dirty):
            if self._queued.get(channel_pk):
                continue
            if channel_pk not in self._senders:
                if room <= 0:
                    continue
                room -= 1
            ready.append(channel_pk)
        return ready

    async def _run(self) -> None:
        error: BaseException | None = None
        try:
            while not self._closing:
                # Also while running: a loop kept busy for long still finds what a dead
                # dispatcher left (and what woke nobody). A persistent one sweeps while idle.
                await self._sweep()
                ready = self._ready()
                if not ready:
                    if not self._persistent and not self._dirty and not self._senders:
                        return
                    self._wake.clear()
                    with contextlib.suppress(TimeoutError):
                        await asyncio.wait_for(self._wake.wait(), SWEEP_EVERY)
                    continue
                self._dirty.difference_update(ready)
                await self._claim(ready)
        except BaseException as exc:
            error = exc
            raise
        finally:
            # Whoever still waits hears why; the next job starts a new loop.
            for channel_pk in list(self._keepers):
                if channel_pk not in self._senders:
                    stopped = error or RuntimeError("the dispatcher stopped")
                    self._release(channel_pk, None if self._closing else stopped)

    async def _sweep(self) -> None:
        loop = asyncio.get_running_loop()
        if loop.time() - self._swept_at < SWEEP_EVERY:
            return
        self._swept_at = loop.time()
        now = self.services.clock.now()
        try:
            self._dirty.update(await self.lane.sweep(now, now - STALE_CLAIM))
        except Exception:
            log.exception("looking for channels with webhook events failed")

    async def _claim(self, channel_pks: list[int]) -> None:
        services = self.services
        now = services.clock.now()
        per_channel = CHAIN_REQUESTS * services.settings.webhook_max_events
        held = [key for channel_pk in channel_pks for key in self._held.get(channel_pk, ())]
        try:
            rows = await self.lane.claim(
                channel_pks,
                now=now,
                stale_before=now - STALE_CLAIM,
                per_channel=per_channel,
                held=held,
            )
            tokens = _reply_tokens(rows)
            if tokens:
                ttl = timedelta(seconds=services.settings.reply_token_seconds)
                await self.lane.renew_reply_tokens(tokens, now + ttl, REPLY_HORIZON)
            chains = _chains(rows, services.settings.webhook_max_events)
        except Exception as exc:
            log.exception("claiming webhook events failed")
            for channel_pk in channel_pks:
                if channel_pk not in self._senders:
                    self._release(channel_pk, exc)
            return
        claimed: dict[int, int] = {}
        for row in rows:
            claimed[int(row["channel_pk"])] = claimed.get(int(row["channel_pk"]), 0) + 1
        deadline = asyncio.get_running_loop().time() + CHAIN_BUDGET.total_seconds()
        for channel_pk in channel_pks:
            chain = chains.get(channel_pk)
            if chain is not None:
                chain.deadline = deadline
                chain.full = claimed[channel_pk] >= per_channel
                self._queued.setdefault(channel_pk, []).append(chain)
                self._held.setdefault(channel_pk, set()).update(chain.keys())
                if channel_pk not in self._senders:
                    task = asyncio.create_task(self._sender(channel_pk))
                    self._senders[channel_pk] = task
            elif channel_pk in claimed:
                self._dirty.add(channel_pk)  # skipped: more may be left past the limit
            elif channel_pk not in self._senders:
                self._release(channel_pk)

    async def _sender(self, channel_pk: int) -> None:
        """The channel's chains one after another; then it is claimed again for what came."""
        finishing: list[asyncio.Task[None]] = []
        error: BaseException | None = None
        try:
            while True:
                if queued := self._queued.get(channel_pk):
                    chain = queued.pop(0)
                    if chain.full:
                        self._dirty.add(channel_pk)  # claim the next while this one goes
                        self._start()
                    delays = await self._send(chain)
                    finishing.append(asyncio.create_task(self._finish(chain, delays)))
                elif finishing:
                    # A claim may queue another chain meanwhile: the loop looks again after.
                    done, finishing = finishing, []
                    for result in await asyncio.gather(*done, return_exceptions=True):
                        if isinstance(result, BaseException):
                            raise result
                else:
                    break
        except Exception as exc:
            # Its unlogged events stay claimed until STALE_CLAIM, then go back to pending.
            log.exception("sending webhooks of channel %d failed", channel_pk)
            error = exc
        finally:
            del self._senders[channel_pk]
            self._queued.pop(channel_pk, None)
            if self._closing:
                self._held.pop(channel_pk, None)
                self._release(channel_pk, error)
            elif error is None:
                if not self._held.get(channel_pk):
                    self._held.pop(channel_pk, None)
                self._dirty.add(channel_pk)
                self._start()
            else:
                self._held.pop(channel_pk, None)
                self._release(channel_pk, error)
                self._wake.set()

    async def _send(self, chain: _Chain) -> set[float]:
        """POSTs the chain's requests in order, each attempt handed to the recorder; answers
        the delays before the redeliveries it made due."""
        services = self.services
        loop = asyncio.get_running_loop()
        schedule = services.settings.redelivery_schedule
        delays: set[float] = set()
        for n, request in enumerate(chain.requests):
            # The first always goes (unless closing): a chain claimed behind another is still
            # well within STALE_CLAIM, and every chain then moves its channel on by one
            # request at least.
            if self._closing or (n and loop.time() > chain.deadline):
                # Chains claimed behind this one go back too, or they would overtake the events
                # it gives back and the channel's order would break.
                given_back = [k for r in chain.requests[n:] for k in r.keys]
                held = self._held.get(chain.channel_pk, set())
                for later in self._queued.pop(chain.channel_pk, []):
                    given_back += later.keys()
                    held.difference_update(later.keys())
                await self.lane.unclaim(given_back)
                self._dirty.add(chain.channel_pk)
                break
            started_at = services.clock.now()
            outcome = await _post(services, chain.secret, chain.url, request.body)
            ended_at = services.clock.now()
            fates = [
                _fate(outcome.success, attempts, chain.redelivery_on, schedule)
                for attempts in request.attempts
            ]
            delays.update(delay for _, delay in fates if delay is not None)
            if outcome.success and chain.channel_pk in self._sent:
                self._sent[chain.channel_pk] += len(request.keys)
            self._recorder.add(
                chain, _attempt_row(chain, request, outcome, started_at, ended_at, fates)
            )
        return delays

    async def _finish(self, chain: _Chain, delays: set[float]) -> None:
        """Once the chain's attempts are logged: its events are no longer held, and those that
        failed are retried on the schedule (one timer per distinct delay)."""
        await self._recorder.written(chain)
        self._held.get(chain.channel_pk, set()).difference_update(chain.keys())
        for delay in sorted(delays):
            await self.services.queue.enqueue_in(
                delay, "dispatch_webhooks", channel_pk=chain.channel_pk
            )


class _Recorder:
    """Attempts written in batches as requests finish, one statement at a time (so attempt ids
    follow the order of the requests). A request adds its row without waiting; its chain waits
    once, at its end, so it costs no task nor future per request."""

    def __init__(self, lane: WebhookLane) -> None:
        self.lane = lane
        self._rows: list[tuple[_Chain, AttemptRow]] = []
        self._waiters: list[asyncio.Future[None]] = []
        self.task: asyncio.Task[None] | None = None

    def add(self, chain: _Chain, row: AttemptRow) -> None:
        self._rows.append((chain, row))
        self._start()

    async def written(self, chain: _Chain) -> None:
        """Once every row the chain added is written; raises what stopped one."""
        waiter: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._waiters.append(waiter)
        self._start()
        await waiter
        if chain.error is not None:
            raise chain.error

    def _start(self) -> None:
        if self.task is None or self.task.done():
            self.task = asyncio.create_task(self._drain(), name="webhook-recorder")

    async def _drain(self) -> None:
        while self._rows or self._waiters:
            rows, self._rows = self._rows, []
            waiters, self._waiters = self._waiters, []
            if rows:
                try:
                    await self.lane.record([row for _, row in rows])
                except Exception as exc:
                    log.exception("recording webhook attempts failed")
                    for chain, _ in rows:
                        chain.error = exc
            for waiter in waiters:
                if not waiter.done():
                    waiter.set_result(None)


def _attempt_row(
    chain: _Chain,
    request: _Request,
    outcome: Outcome,
    started_at: datetime,
    ended_at: datetime,
    fates: list[tuple[EventState, float | None]],
) -> AttemptRow:
    return AttemptRow(
        channel_pk=chain.channel_pk,
        url=chain.url,
        event_ids=request.event_ids,
        is_redelivery=request.redelivery,
        started_at=started_at,
        latency_ms=outcome.latency_ms,
        success=outcome.success,
        status_code=outcome.status_code,
        reason=outcome.reason,
        detail=outcome.detail,
        response=outcome.response,
        keys=request.keys,
        states=[state for state, _ in fates],
        next_attempt_at=[
            None if delay is None else ended_at + timedelta(seconds=delay) for _, delay in fates
        ],
        sent_at=ended_at if outcome.success else None,
    )


def dispatcher(services: Services) -> Dispatcher:
    """The process's dispatcher (Postgres only: it lives on the fast lane)."""
    lane = services.fast_lane
    assert lane is not None, "the dispatcher runs on the fast lane (Postgres)"
    return lane.keep("webhook-dispatcher", lambda: Dispatcher(services, WebhookLane(lane)))
