"""Read-side questions about sends: narrowcast progress, daily counts, aggregation units."""

from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from app.api.message.schemas import DeliveryCountResponse, NarrowcastProgressResponse
from app.delivery.service import PLATFORM_TZ, month_start
from app.kit.clock import iso_ms
from app.kit.errors import NotFound
from app.models import Channel, ManagerRequest, MessageRequest, Phase, SendKind

# The platform has counted sent messages since this day.
COUNTING_SINCE = date(2018, 3, 31)


def day_bounds(day: date) -> tuple[datetime, datetime]:
    """The instants a day of the platform's (Japan) calendar starts and ends."""
    start = datetime.combine(day, time(), PLATFORM_TZ)
    return start, start + timedelta(days=1)


def day_status(day: date, now: datetime, since: date) -> str | None:
    """`out_of_service` before the platform counted, `unready` until the day is over in
    Japan (figures are ready the day after), else None: the figures may be given."""
    if day < since:
        return "out_of_service"
    if day >= now.astimezone(PLATFORM_TZ).date():
        return "unready"
    return None


@dataclass
class DaySends:
    """A day's recipients per kind of send: all of them, and the Messaging API's alone."""

    _all: Counter[SendKind] = field(default_factory=Counter)
    _api: Counter[SendKind] = field(default_factory=Counter)

    def add(self, kind: SendKind, recipients: int, *, by_manager: bool) -> None:
        self._all[kind] += recipients
        if not by_manager:
            self._api[kind] += recipients

    def all(self, kind: SendKind) -> int:
        return self._all[kind]

    def api(self, kind: SendKind) -> int:
        return self._api[kind]


class MessageQueries:
    def __init__(self, session: AsyncSession, channel: Channel) -> None:
        self.session = session
        self.channel = channel

    async def narrowcast_progress(self, request_id: str) -> NarrowcastProgressResponse:
        request = await self.session.scalar(
            select(MessageRequest).where(
                MessageRequest.channel_pk == self.channel.id,
                MessageRequest.request_id == request_id,
                MessageRequest.kind == SendKind.NARROWCAST,
            )
        )
        if request is None:
            raise NotFound()
        finished = request.phase in (Phase.SUCCEEDED, Phase.FAILED)
        waiting = request.phase == Phase.WAITING
        return NarrowcastProgressResponse(
            phase=request.phase.value,
            success_count=None if waiting else request.success_count,
            failure_count=None if waiting else request.failure_count,
            target_count=None if waiting else request.target_count,
            failed_description=request.failed_description,
            error_code=request.error_code,
            accepted_time=iso_ms(request.accepted_at),
            completed_time=iso_ms(request.completed_at)
            if finished and request.completed_at
            else None,
        )

    async def delivered_on(self, kind: SendKind, day: date, now: datetime) -> DeliveryCountResponse:
        status = day_status(day, now, COUNTING_SINCE)
        if status is not None:
            return DeliveryCountResponse(status=status)
        # The platform counts what its Messaging API sent: not the Official Account Manager's sends.
        sent = await self.sent_on(day)
        return DeliveryCountResponse(status="ready", success=sent.api(kind))

    async def sent_on(self, day: date) -> "DaySends":
        """Recipients reached per kind of send, for the requests accepted on a Japan day, with
        what the Official Account Manager sent told apart from the Messaging API's sends."""
        start, end = day_bounds(day)
        by_manager = ManagerRequest.request_pk.is_not(None)
        rows = await self.session.execute(
            select(
                MessageRequest.kind,
                by_manager,
                func.coalesce(func.sum(MessageRequest.success_count), 0),
            )
            .outerjoin(ManagerRequest, ManagerRequest.request_pk == MessageRequest.id)
            .where(
                MessageRequest.channel_pk == self.channel.id,
                MessageRequest.accepted_at >= start,
                MessageRequest.accepted_at < end,
            )
            .group_by(MessageRequest.kind, by_manager)
        )
        sends = DaySends()
        for kind, manager, total in rows:
            sends.add(kind, int(total), by_manager=bool(manager))
        return sends

    async def units_this_month(self, now: datetime) -> list[str]:
        rows = await self.session.scalars(
            select(MessageRequest.aggregation_units).where(
                MessageRequest.channel_pk == self.channel.id,
                MessageRequest.accepted_at >= month_start(now),
                MessageRequest.aggregation_units.is_not(None),
            )
        )
        return sorted({unit for units in rows if units for unit in units})
