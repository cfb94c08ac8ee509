from typing import Any

from sqlalchemy import ColumnElement, true

from app.delivery.narrowcast import target_condition
from app.delivery.repository import DeliveryRepository
from app.kit.db import transaction
from app.kit.metrics import observe_deliveries
from app.kit.queue import job
from app.kit.services import Services
from app.models import DeliveryBatch, MessageRequest, SendKind, User

WHOLE_RANGE = (0, 2**62)


def recipients_of(
    request: MessageRequest, batch: DeliveryBatch
) -> tuple[ColumnElement[bool], int, int]:
    """Who a batch delivers to: a condition on the follower and a friendship key range."""
    if request.kind == SendKind.MULTICAST:
        return User.user_id.in_((request.target or {}).get("to", [])), *WHOLE_RANGE
    if request.kind == SendKind.NARROWCAST:
        return target_condition(request.target or {}), batch.lo, batch.hi
    return true(), batch.lo, batch.hi


@job
async def deliver_batch(ctx: dict[str, Any], batch_pk: int) -> int:
    """Insert one batch's deliveries and mark it done in one transaction (safe to run twice)."""
    services: Services = ctx["services"]
    async with transaction(services.session_maker) as session:
        deliveries = DeliveryRepository(session)
        await deliveries.relax_commit()
        batch = await deliveries.claim_batch(batch_pk)
        if batch is None:
            return 0
        request = await session.get(MessageRequest, batch.request_pk)
        assert request is not None
        condition, lo, hi = recipients_of(request, batch)
        now = services.clock.now()
        delivered = await deliveries.deliver_range(
            request, lo, hi, condition, now, needs_users=request.kind != SendKind.BROADCAST
        )
        await deliveries.finish_batch(batch, delivered, now)
    observe_deliveries(request.kind.value, delivered)
    return delivered


@job
async def reconcile_deliveries(ctx: dict[str, Any]) -> int:
    """Send again every batch not yet delivered: after a worker died or Redis lost its queue.

    Batches are exactly-once by themselves, so a batch that is also still queued is harmless.
    """
    services: Services = ctx["services"]
    async with services.session_maker() as session:
        pending = await DeliveryRepository(session).pending_batches()
    for batch_pk in pending:
        await services.queue.enqueue("deliver_batch", batch_pk=batch_pk)
    return len(pending)
