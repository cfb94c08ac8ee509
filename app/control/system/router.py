from datetime import datetime, timedelta
from typing import Annotated

from fastapi import APIRouter, Query
from fastapi.responses import JSONResponse
from pydantic import AwareDatetime, Field

from app import __version__
from app.control.manager.tasks import run_due_work
from app.control.schemas import HealthView, ResetResult, dump
from app.control.system import repository
from app.control.system.jobs import wait_for_deliveries
from app.deps import ServicesDep, SessionDep
from app.kit.queue import InProcessQueue
from app.kit.services import Services
from app.schemas.base import WireModel

router = APIRouter(tags=["control: system"])


@router.post("/reset", response_model=ResetResult)
async def reset(
    session: SessionDep,
    services: ServicesDep,
    keep_channels: Annotated[bool, Query(alias="keepChannels")] = False,
) -> ResetResult:
    """Forget everything: users, friendships, groups (and channels unless `keepChannels`).

    The clock returns to real time and a seeded id sequence starts over.
    """
    tables = await repository.wipe(session, keep_channels=keep_channels)
    await services.reset_runtime()
    return ResetResult(kept_channels=keep_channels, tables=tables)


@router.post("/jobs/wait")
async def wait_for_jobs(
    services: ServicesDep, seconds: Annotated[float, Query(gt=0, le=600)] = 30
) -> JSONResponse:
    """Return once every send's fan-out has been delivered (200), or 504 after `seconds`."""
    done = await wait_for_deliveries(services, seconds)
    return JSONResponse({"done": done}, status_code=200 if done else 504)


class ClockView(WireModel):
    now: datetime
    offset_seconds: float


class AdvanceRequest(WireModel):
    seconds: float = Field(gt=0, le=10 * 365 * 86400)


def _clock_view(services: Services) -> ClockView:
    return ClockView(now=services.clock.now(), offset_seconds=services.clock.offset.total_seconds())


@router.get("/clock", response_model=ClockView)
async def get_clock(services: ServicesDep) -> ClockView:
    """Kizuna's "now": real time plus an offset that `advance` moves forward, `PUT` sets and
    reset puts back to 0."""
    return _clock_view(services)


class SetClockRequest(WireModel):
    now: AwareDatetime


@router.put("/clock", response_model=ClockView)
async def set_clock(body: SetClockRequest, services: ServicesDep) -> ClockView:
    """Set Kizuna's "now" (it keeps running from there): tests start every case at the same
    instant. Meant for a fresh state: moving back past recorded data confuses daily counts."""
    services.clock.set(body.now)
    await run_due_work(services)
    return _clock_view(services)


@router.post("/clock/advance", response_model=ClockView)
async def advance_clock(body: AdvanceRequest, services: ServicesDep) -> ClockView:
    """Move Kizuna's clock forward: reply tokens, link tokens, quota months, daily counts and
    scheduled sends all follow it. It is the serving process's clock: in scaled mode, workers
    started separately keep their own. Step messages and scheduled sends that fall due are
    sent before it answers (fan-outs they start: `POST /_kizuna/jobs/wait`)."""
    services.clock.advance(timedelta(seconds=body.seconds))
    await run_due_work(services)
    return _clock_view(services)


@router.get("/health", response_model=HealthView, responses={503: {"model": HealthView}})
async def health(services: ServicesDep) -> JSONResponse:
    database = "ok"
    try:
        async with services.session_maker() as session:
            await repository.ping(session)
    except Exception as exc:
        database = f"error: {type(exc).__name__}"
    queue = "in-process" if isinstance(services.queue, InProcessQueue) else "arq"
    view = HealthView(
        status="ok" if database == "ok" else "unavailable",
        database=database,
        queue=queue,
        version=__version__,
    )
    return JSONResponse(dump(view), status_code=200 if database == "ok" else 503)
