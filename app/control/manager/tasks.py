"""The manager's scheduler: step messages and scheduled sends that are due on Kizuna's clock.

`run_due_work` runs whenever the clock is set or advanced (inline, so the caller sees the
steps delivered when the clock answers), every few seconds in the embedded server
(`manager_heartbeat` on the in-process runner) and by arq's cron in `kizuna worker`. Each step
and each send is its own transaction, and running any of them twice sends nothing twice: a
step is marked per friend under a key, a scheduled send is claimed by one run.
"""

import logging
from datetime import datetime
from typing import Any

from app.control.manager.repository import ManagerRepository
from app.control.manager.service import ManagerService
from app.kit.db import transaction
from app.kit.errors import LineError
from app.kit.queue import job
from app.kit.services import Services
from app.kit.uow import UnitOfWork
from app.models import Channel, ManagerSend, SendStatus, Step, StepScenario

log = logging.getLogger(__name__)

HEARTBEAT_SECONDS = 5.0


async def run_due_work(services: Services, now: datetime | None = None) -> int:
    """Send every step and scheduled send due at `now` (Kizuna's clock by default); answers
    how many step messages and sends went out."""
    now = now or services.clock.now()
    async with services.session_maker() as session:
        repo = ManagerRepository(session)
        steps = [(step.id, channel_pk) for step, channel_pk in await repo.live_steps()]
        sends = await repo.due_sends(now)
    done = 0
    for step_pk, channel_pk in steps:
        done += await _run_step(services, step_pk, channel_pk, now)
    for send_pk in sends:
        done += await _run_send(services, send_pk)
    return done


async def _run_step(services: Services, step_pk: int, channel_pk: int, now: datetime) -> int:
    async with services.session_maker() as session:
        uow = UnitOfWork(services, session)
        try:
            step = await session.get(Step, step_pk)
            channel = await session.get(Channel, channel_pk)
            if step is None or channel is None:
                return 0  # deleted since it was listed
            scenario = await session.get(StepScenario, step.scenario_pk)
            assert scenario is not None
            sent = await ManagerService(uow, channel).run_step(step, scenario, now)
            await uow.commit()
            return sent
        except LineError as error:
            # Refused as a send (a coupon in it closed): the step waits, and says why.
            await session.rollback()
            log.warning("step %d not sent: %s", step_pk, error.message)
            return 0
        except BaseException:
            await session.rollback()
            raise


async def _run_send(services: Services, send_pk: int) -> int:
    async with services.session_maker() as session:
        uow = UnitOfWork(services, session)
        try:
            send = await ManagerRepository(session).claim_send(send_pk)
            if send is None:
                await session.rollback()
                return 0  # another run took it
            channel = await session.get(Channel, send.channel_pk)
            assert channel is not None
            await ManagerService(uow, channel).execute(send)
            await uow.commit()
            return 1
        except LineError as error:
            # Refused as the API would refuse it (quota, audience, reach): nothing of it was
            # kept; the send says why.
            await session.rollback()
            reason = error.message
        except BaseException:
            await session.rollback()
            raise
    async with transaction(services.session_maker) as session:
        failed = await session.get(ManagerSend, send_pk)
        if failed is not None and failed.status == SendStatus.SCHEDULED:
            failed.status, failed.error = SendStatus.FAILED, reason
    return 0


@job
async def run_manager_schedule(ctx: dict[str, Any], now: str | None = None) -> int:
    """Due steps and scheduled sends (`now`: an ISO time, when the caller's clock decides)."""
    services: Services = ctx["services"]
    return await run_due_work(services, datetime.fromisoformat(now) if now else None)


@job
async def manager_heartbeat(ctx: dict[str, Any]) -> int:
    """The embedded server's periodic run; it schedules its next beat itself."""
    services: Services = ctx["services"]
    try:
        done = await run_due_work(services)
    except Exception:
        # Not raised: a retried beat would schedule a second chain of beats.
        log.exception("the manager's scheduled work failed; trying again next beat")
        done = 0
    await services.queue.enqueue_in(HEARTBEAT_SECONDS, "manager_heartbeat")
    return done
