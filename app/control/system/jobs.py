import asyncio

from sqlalchemy import exists, select

from app.kit.queue import InProcessQueue
from app.kit.services import Services
from app.models import DeliveryBatch


async def wait_for_deliveries(services: Services, seconds: float) -> bool:
    """Wait until every planned batch is delivered; False if `seconds` pass first."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + seconds
    while True:
        if isinstance(services.queue, InProcessQueue):
            await services.queue.drain()
        async with services.session_maker() as session:
            pending = await session.scalar(select(exists().where(DeliveryBatch.done.is_(False))))
        if not pending:
            return True
        if loop.time() >= deadline:
            return False
        await asyncio.sleep(0.02)
