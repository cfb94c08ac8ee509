"""Read-side questions about sends: narrowcast progress, daily counts, aggregation units."""

from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from app.api.message.schemas import DeliveryCountResponse, NarrowcastProgressResponse
from app.delivery.service import PLATFORM_TZ, month_start
from app.kit.errors import NotFound
from app.models import Channel, MessageRequest, Phase, SendKind

# The platform has counted sent messages since this day.
COUNTING_SINCE = date(2018, 3, 31)


def _iso_ms(at: datetime) -> str:
    return at.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


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
            accepted_time=_iso_ms(request.accepted_at),
            completed_time=_iso_ms(request.completed_at)
            if finished and request.completed_at
            else None,
        )

    async def delivered_on(self, kind: SendKind, day: date, now: datetime) -> DeliveryCountResponse:
        if day < COUNTING_SINCE:
            return DeliveryCountResponse(status="out_of_service")
        # Counts are ready the day after, on the platform's (Japan) calendar.
        if day >= now.astimezone(PLATFORM_TZ).date():
            return DeliveryCountResponse(status="unready")
        start = datetime.combine(day, time(), PLATFORM_TZ)
        total = await self.session.scalar(
            select(func.coalesce(func.sum(MessageRequest.success_count), 0)).where(
                MessageRequest.channel_pk == self.channel.id,
                MessageRequest.kind == kind,
                MessageRequest.accepted_at >= start,
                MessageRequest.accepted_at < start + timedelta(days=1),
            )
        )
        return DeliveryCountResponse(status="ready", success=int(total or 0))

    async def units_this_month(self, now: datetime) -> list[str]:
        rows = await self.session.scalars(
            select(MessageRequest.aggregation_units).where(
                MessageRequest.channel_pk == self.channel.id,
                MessageRequest.accepted_at >= month_start(now),
                MessageRequest.aggregation_units.is_not(None),
            )
        )
        return sorted({unit for units in rows if units for unit in units})
