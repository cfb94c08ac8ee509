import asyncio

from sqlalchemy import exists, or_, select

from app.kit.queue import InProcessQueue
from app.kit.services import Services
from app.models import DeliveryBatch, EventState, WebhookEvent


async def wait_for_deliveries(services: Services, seconds: float) -> bool:
    """Wait until every planned batch is delivered and every webhook event that is due has been
    sent or has failed (events waiting for a later redelivery do not count); False if `seconds`
    pass first."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + seconds
    while True:
        if isinstance(services.queue, InProcessQueue):
            await services.queue.drain()
        now = services.clock.now()
        async with services.session_maker() as session:
            pending = await session.scalar(
                select(
                    exists().where(DeliveryBatch.done.is_(False))
                    | exists().where(
                        WebhookEvent.state.in_([EventState.PENDING, EventState.SENDING]),
                        or_(
                            WebhookEvent.next_attempt_at.is_(None),
                            WebhookEvent.next_attempt_at <= now,
                        ),
                    )
                )
            )
        if not pending:
            return True
        if loop.time() >= deadline:
            return False
        await asyncio.sleep(0.02)
