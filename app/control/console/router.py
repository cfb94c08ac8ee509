"""Read-only figures and images for the browser console (`/console`): what the control plane
and the LINE API do not already answer."""

from typing import Annotated

from fastapi import APIRouter, Depends, Query
from fastapi.responses import Response

from app.control.console.repository import ConsoleRepository
from app.control.console.schemas import (
    DeliverySeries,
    FollowerSeries,
    ProgressView,
    SendEngagementView,
    TimelineItem,
    UserPage,
)
from app.control.console.service import ConsoleService
from app.control.console.session import router as session_router
from app.control.deps import ChannelServiceDep, UserServiceDep
from app.control.messages.service import InboxService
from app.deps import ClockDep, SessionDep

channel = APIRouter(prefix="/channels/{channelId}")
Days = Annotated[int, Query(ge=1, le=366)]
Limit = Annotated[int, Query(ge=1, le=1000)]


async def get_console(session: SessionDep, clock: ClockDep) -> ConsoleService:
    return ConsoleService(ConsoleRepository(session), InboxService(session, clock), clock)


ConsoleDep = Annotated[ConsoleService, Depends(get_console)]


@channel.get("/followers", response_model=FollowerSeries)
async def followers(
    channelId: str, channels: ChannelServiceDep, console: ConsoleDep, days: Days = 14
) -> FollowerSeries:
    """Friends at the end of each of the last `days` Japan days (today included), with the
    day's follows, unblocks and blocks, replayed from the friendship history."""
    return FollowerSeries(days=await console.followers(await channels.get(channelId), days))


@channel.get("/deliveries", response_model=DeliverySeries)
async def deliveries(
    channelId: str, channels: ChannelServiceDep, console: ConsoleDep, days: Days = 14
) -> DeliverySeries:
    """Recipients reached per Japan day, by kind of send (the day the send was accepted)."""
    return DeliverySeries(days=await console.deliveries(await channels.get(channelId), days))


@channel.get("/campaigns", response_model=list[SendEngagementView])
async def campaigns(
    channelId: str, channels: ChannelServiceDep, console: ConsoleDep, limit: Limit = 20
) -> list[SendEngagementView]:
    """The latest broadcasts, narrowcasts and multicasts: recipients, and the distinct users
    who opened each and who clicked a link in it."""
    return await console.campaigns(await channels.get(channelId), limit)


@channel.get("/progress", response_model=ProgressView)
async def progress(
    channelId: str, channels: ChannelServiceDep, console: ConsoleDep, limit: Limit = 10
) -> ProgressView:
    """The latest narrowcasts, rich menu batch operations and audience uploads, with their
    phase and counts."""
    return await console.progress(await channels.get(channelId), limit)


@channel.get("/users", response_model=UserPage)
async def users(
    channelId: str,
    channels: ChannelServiceDep,
    console: ConsoleDep,
    limit: Limit = 50,
    offset: Annotated[int, Query(ge=0, le=2**31)] = 0,
) -> UserPage:
    """The users who added the account (following or blocked), newest first, with their
    attributes."""
    return await console.users(await channels.get(channelId), limit, offset)


@channel.get(
    "/users/{userId}/timeline", response_model=list[TimelineItem], response_model_exclude_none=True
)
async def timeline(
    channelId: str,
    userId: str,
    channels: ChannelServiceDep,
    users: UserServiceDep,
    console: ConsoleDep,
    limit: Annotated[int, Query(ge=1, le=500)] = 200,
) -> list[TimelineItem]:
    """The one-to-one chat as the user's phone shows it, oldest first: the messages the user
    received (`sender: bot`) and sent (`sender: user`)."""
    return await console.timeline(await channels.get(channelId), await users.get(userId), limit)


@channel.get("/messages/{messageId}/content", response_class=Response)
async def user_content(
    channelId: str, messageId: str, channels: ChannelServiceDep, console: ConsoleDep
) -> Response:
    """What a user uploaded (image, video, audio, file), for the chat to show."""
    found = await console.user_content(await channels.get(channelId), messageId)
    return Response(found.content, media_type=found.content_type)


@channel.get("/richmenus/{richMenuId}/image", response_class=Response)
async def rich_menu_image(
    channelId: str, richMenuId: str, channels: ChannelServiceDep, console: ConsoleDep
) -> Response:
    """The rich menu's image as uploaded, for the chat to draw under the conversation."""
    found = await console.rich_menu_image(await channels.get(channelId), richMenuId)
    return Response(
        found.content, media_type=found.content_type, headers={"Cache-Control": "max-age=60"}
    )


router = APIRouter(prefix="/console", tags=["control: console"])
router.include_router(channel)
router.include_router(session_router)
